#!/usr/bin/env bash
# The documentation's example outputs, produced by the program: every fenced block that follows
# a `<!-- example: NAME -->` line in README.md, docs/workflows.md, docs/workflows-traffic.md,
# docs/erlang.md or docs/scenario-format.md is the output of example NAME below, run on the
# bundled scenarios.
#
#   scripts/docs-examples.sh            rewrite the blocks from fresh runs
#   scripts/docs-examples.sh --check    change nothing; exit 1 naming each block that differs
#
# A figure in the prose is written `<!-- figure: NAME -->VALUE<!-- /figure -->` (the comments do
# not show when the Markdown is rendered): VALUE is the output of figure NAME below, so a number
# quoted in a sentence is checked like a block.
#
# OMNISIM names the binary (default target/release/omnisim); tests/integration/docs_examples.rs
# runs `--check` with the test build, so a block that drifts from the program's output fails
# `cargo test`. Every example is deterministic (fixed seeds, no wall-clock figures).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${OMNISIM:-$root/target/release/omnisim}
case "$bin" in /*) ;; *) bin=$PWD/$bin ;; esac
mode=${1:-write}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
omnisim() { "$bin" "$@"; }

# --- README.md ---------------------------------------------------------------------------
example_demo() {
  omnisim run "$root/scenarios/demo.toml" || true
}

example_bank_week() {
  omnisim run "$root/scenarios/bank-week.toml" --log || true
}

example_readme_compare() {
  erlang
  omnisim compare base/summary.json current/summary.json || true
}

example_readme_explain() {
  playbook
  echo '$ omnisim explain pb --conversation 585'
  omnisim explain pb --conversation 585 | head -n 6
}
example_readme_ab() {
  [ -d ab ] || example_ab_text >/dev/null
  # The heading and three of the changed metrics (an excerpt).
  omnisim ab erlang-c.toml --variant nine.toml --out ab |
    awk '(NR >= 3 && NR <= 5) || /^(wait_s\.mean|service_level\.fraction|agent_groups\.agent\.occupancy) /'
}
example_readme_sweep() {
  [ -d sweep ] || example_sweep >/dev/null
  omnisim sweep erlang-c.toml --vary agent_groups.agent.count=8..16:4 \
    --target "service_level.fraction>=0.8" --out sweep | grep '^smallest value' || true
  omnisim erlang --rate 300/h --aht 100s --agents 10 --target-sl 0.8 | grep 'agents needed'
}
# The Erlang A example's queue simulated (README, after the example).
erlang_a_sim() {
  [ -d ea ] || omnisim run "$root/tests/conformance/erlang-a-overload.toml" --out ea --quiet || true
}
figure_readme_erlang_a_sim_mean() {
  erlang_a_sim
  awk '/^  "wait_s": \{/ { f = 1; next } f && /"mean"/ { gsub(/[ ",]/, ""); split($0, a, ":");
    printf "%.2f s\n", a[2]; exit }' ea/summary.json
}
figure_readme_erlang_a_sim_ci() {
  erlang_a_sim
  awk '/"wait_mean_s": \[/ { getline a; getline b; gsub(/[ ,]/, "", a); gsub(/[ ,]/, "", b);
    printf "[%.2f, %.2f]\n", a, b; exit }' ea/summary.json
}
example_readme_erlang_a() {
  omnisim erlang --rate 600/h --aht 100s --agents 10 --patience 2m | sed -n '/^Erlang A/,$p'
}

# --- docs/workflows.md, 1. compare (tests/conformance/erlang-c.toml) --------------------------
erlang() {
  [ -f erlang-c.toml ] && return
  cp "$root/tests/conformance/erlang-c.toml" erlang-c.toml
  sed 's/mean = "100s"/mean = "110s"/' erlang-c.toml >slower.toml
  sed -e 's/name = "erlang-c"/name = "erlang-c-9-agents"/' -e 's/^count = 10$/count = 9/' \
    erlang-c.toml >nine.toml
  omnisim run erlang-c.toml --out base --quiet || true
  omnisim run slower.toml --out current --quiet || true
}
example_compare_markdown() {
  erlang
  omnisim compare base/summary.json current/summary.json --markdown --junit compare.xml || true
}
example_compare_junit() {
  erlang
  [ -f compare.xml ] || omnisim compare base/summary.json current/summary.json --junit compare.xml \
    >/dev/null || true
  sed -n '1,5p' compare.xml
  echo '    …'
  awk '/name="handle_s.mean">/{p=1} p{print} p&&/<\/testcase>/{exit}' compare.xml
  echo '    …'
  tail -n 2 compare.xml
}
example_compare_seed() {
  erlang
  omnisim run erlang-c.toml --seed 12 --out seed12 --quiet || true
  omnisim compare base/summary.json seed12/summary.json || true
}
example_compare_old() {
  erlang
  [ -d seed12 ] || omnisim run erlang-c.toml --seed 12 --out seed12 --quiet || true
  mkdir -p old
  # The summary an older omnisim wrote: without `by_replication` (the last top-level key).
  awk 'skip { if ($0 ~ /^  \]/) skip = 0; next }
       /^  "by_replication": / { sub(/,$/, "", prev); skip = 1; next }
       NR > 1 { print prev } { prev = $0 } END { print prev }' base/summary.json >old/summary.json
  omnisim compare old/summary.json seed12/summary.json 2>/dev/null || true
}
example_compare_old_stderr() {
  erlang
  [ -f old/summary.json ] || example_compare_old >/dev/null
  omnisim compare old/summary.json seed12/summary.json 2>&1 >/dev/null || true
}
example_compare_more_reps() {
  erlang
  omnisim run erlang-c.toml --replications 8 --out eight --quiet || true
  omnisim compare base/summary.json eight/summary.json || true
}
example_compare_different() {
  erlang
  omnisim run nine.toml --out nine --quiet || true
  omnisim compare base/summary.json nine/summary.json 2>&1 || true
}
example_compare_untested() {
  erlang
  omnisim run erlang-c.toml --replications 1 --seed 11 --out one11 --quiet || true
  omnisim run erlang-c.toml --replications 1 --seed 12 --out one12 --quiet || true
  omnisim compare one11/summary.json one12/summary.json 2>&1 || true
}

# --- docs/workflows.md, 2. ab ------------------------------------------------------------
example_ab_text() {
  erlang
  omnisim ab erlang-c.toml --variant nine.toml --out ab || true
}

example_ab_json() {
  [ -f ab/ab.json ] || example_ab_text >/dev/null
  # The head, two metrics (in the file's order), the closing braces.
  awk 'NR <= 7 { print; next }
       /^    "(agent_groups\.agent\.occupancy|wait_s\.mean)": \{$/ { p = 1 }
       p { out[++n] = $0 }
       p && /^    \}/ { p = 0 }
       END { sub(/,$/, "", out[n]); for (i = 1; i <= n; i++) print out[i]; print "  }"; print "}" }' \
    ab/ab.json
}

# --- docs/workflows.md, 5. run --junit -------------------------------------------------------
example_junit() {
  erlang
  { cat erlang-c.toml
    printf '\n[[thresholds]]\nmetric = "wait_s.p90"\nmax = 120\n'
    printf '\n[[thresholds]]\nmetric = "service_level.fraction"\nmin = 0.8\n'
  } >thresholds.toml
  omnisim run thresholds.toml --quiet --out j --junit junit.xml >/dev/null || true
  cat junit.xml
}

# --- docs/workflows.md, 3. sweep, erlang, staff ---------------------------------------------
example_sweep() {
  erlang
  omnisim sweep erlang-c.toml --vary agent_groups.agent.count=8..16:4 \
    --target "service_level.fraction>=0.8" --out sweep || true
}
example_sweep_csv() {
  [ -f sweep/sweep.csv ] || example_sweep >/dev/null
  head -3 sweep/sweep.csv
}
example_erlang() {
  omnisim erlang --rate 300/h --aht 100s --agents 10 --patience 120s --target-sl 0.8
}
chat_staffing() {
  [ -f chat-staffing.toml ] && return
  cat >chat-staffing.toml <<'TOML'
[scenario]
name = "chat-staffing"
horizon = "200h"
warmup = "2h"
replications = 2
service_level = "60s"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 1
handle_time = { dist = "exponential", mean = "6m" }
patience = { dist = "exponential", mean = "3m" }
concurrency_slowdown = [1.0, 1.3, 1.7]   # the second run; absent in the first

[[queues]]
name = "chat"
workstream = "chat"
assignment = "highest_capacity"
arrivals = { rate = "200/h" }

[[agent_groups]]
name = "agent"
count = 8
capacity = 3
accept_delay = "0s"
queues = ["chat"]
TOML
  grep -v '^concurrency_slowdown' chat-staffing.toml >chat-independent.toml
}
example_chat_staffing_toml() {
  chat_staffing
  cat chat-staffing.toml
}
# The sweep's table and answer (the separator line and the file list left out).
chat_sweep() {
  chat_staffing
  omnisim sweep "$1" --vary agent_groups.agent.count=6..14:4 \
    --target "service_level.fraction>=0.8" --out "$2" | grep -v -e '^---' -e '^wrote ' -e '^$' || true
}
example_chat_sweep_independent() { chat_sweep chat-independent.toml sweep-independent; }
example_chat_sweep_slowdown() { chat_sweep chat-staffing.toml sweep-slowdown; }
example_staff() {
  omnisim staff "$root/scenarios/staffing-peak.toml" --target "service_level.fraction>=0.8" \
    --shifts "$root/scenarios/shifts/day.toml" --shrinkage 30% --out staff | tee staff.txt || true
}
# The figures quoted in the prose after it: a column of the table at an interval
# (2 arrivals/h, 3 offered load, 4 required, 7 SL (required), 8 SL (Erlang C)).
staff_cell() { # INTERVAL COLUMN
  [ -f staff.txt ] || example_staff >/dev/null
  awk -v t="$1" -v c="$2" '$1 == t && NF >= 9 { print $c; exit }' staff.txt
}
figure_staff_erlang_c_sl_330() { staff_cell 3:30 8; }
figure_staff_erlang_c_sl_400() { staff_cell 4:00 8; }
figure_staff_load_330() { staff_cell 3:30 3; }
figure_staff_required_330() { staff_cell 3:30 4; }
figure_staff_required_400() { staff_cell 4:00 4; }
figure_staff_sl_400() { staff_cell 4:00 7; }
figure_staff_sl_430() { staff_cell 4:30 7; }
# The first interval after 3:30 where Erlang C's staffing is back at 80% or more.
figure_staff_erlang_c_back() {
  [ -f staff.txt ] || example_staff >/dev/null
  awk '$1 == "3:30" { f = 1; next } f && NF >= 9 && $8 + 0 >= 80 { print $1; exit }' staff.txt
}
figure_staff_check_close() {
  [ -f staff.txt ] || example_staff >/dev/null
  sed -nE 's/^roster check \(.*\): no interval clearly misses .*; ([0-9]+) intervals? of [0-9]+ too close to call.*/\1/p' staff.txt
}

# --- docs/workflows.md, 4. shards and merge -----------------------------------------------------
example_shards() {
  erlang
  for k in 1 2 3; do
    omnisim run erlang-c.toml --replications 6 --shard $k/3 --out shards/$k || true
  done
  omnisim merge shards/1 shards/2 shards/3 --out merged || true
  omnisim merge shards/1 shards/3 --out merged2 2>&1 || true
}
example_sweep_shards() {
  erlang
  for k in 1 2 3; do
    omnisim sweep erlang-c.toml --vary agent_groups.agent.count=8..16:4 \
      --target "service_level.fraction>=0.8" --shard $k/3 --out sweep-shards/$k || true
  done
  omnisim merge sweep-shards/1 sweep-shards/2 sweep-shards/3 --out sweep-merged || true
}

# --- docs/workflows-traffic.md, 6. replay (scenarios/demo.toml, logged) ---------------------------------
lastweek() {
  [ -d lastweek ] && return
  omnisim run "$root/scenarios/demo.toml" --log --out lastweek --quiet || true
  { grep -v '^arrivals = ' "$root/scenarios/demo.toml"
    printf '\n[traffic]\nreplay = "lastweek/conversations.csv"\n'
  } >replay.toml
  { cat replay.toml; printf '\n[engine]\nassign_enabled = false\n'; } >replay-new-rules.toml
}
example_replay_log() {
  lastweek
  head -3 lastweek/conversations.csv
}
example_replay_compare() {
  lastweek
  omnisim run replay.toml --out replayed --quiet || true
  omnisim compare lastweek/summary.json replayed/summary.json --tolerance 0% || true
}
example_replay_ab() {
  lastweek
  omnisim ab replay.toml --variant replay-new-rules.toml --out ab-replay || true
}

# --- docs/workflows-traffic.md, 7. backtest (fit of the logged demo) -------------------------------------
fitted() {
  [ -d fitted ] && return
  lastweek
  omnisim fit lastweek/conversations.csv --out fitted >fit.txt 2>/dev/null || true
  # The real center: 15 agents taking 3 chats each, 2–8 s to accept.
  sed -e 's/^channel = "voice"/channel = "live_chat"/' -e 's/^capacity_units = 100/capacity_units = 30/' \
    -e 's/^count = 50$/count = 15/' \
    -e 's/^queues = \["sales", "support"\]$/&\naccept_delay = { dist = "uniform", min = "2s", max = "8s" }/' \
    fitted/fitted.toml >fitted/staffed.toml
}
example_fit() {
  fitted
  head -2 fit.txt
}
# The figures quoted in section 7's prose.
abandoned_rows() { # QUEUE: the log's abandoned rows of QUEUE
  awk -F, -v q="$1" 'NR > 1 && $3 == q && $4 == "abandoned" { n++ } END { print n + 0 }' \
    lastweek/conversations.csv
}
patience_mean() { # QUEUE: the fitted patience mean, as `fit` prints it
  grep "^$1: " fit.txt | sed -E 's/.*patience [a-z]+ \(mean ([0-9.]+) s.*/\1/'
}
figure_fit_patience_sales() { fitted; echo "$(patience_mean sales) s"; }
figure_fit_patience_support() { fitted; echo "$(patience_mean support) s"; }
figure_fit_abandoned_sales() { lastweek; abandoned_rows sales; }
figure_fit_abandoned_support() { lastweek; abandoned_rows support; }
figure_fit_agents() { fitted; sed -nE 's/^count = ([0-9]+)$/\1/p' fitted/fitted.toml | head -n 1; }

example_backtest() {
  fitted
  omnisim run fitted/staffed.toml --out backtest --quiet || true
  omnisim compare fitted/actuals.json backtest/summary.json --tolerance 10% --all >backtest.txt \
    2>/dev/null || true
  # An excerpt: the header, the headline rows, the verdict.
  sed -n '1,2p' backtest.txt
  grep -E '^(wait_s\.(mean|p50|p90)|service_level\.fraction|abandonment_rate|conversations\.(arrived|answered|abandoned)) ' \
    backtest.txt
  echo '…'
  tail -n 1 backtest.txt
}

# --- docs/workflows-traffic.md, 8. explain (scenarios/rules-playbook.toml) ---------------------------
playbook() {
  [ -d pb ] && return
  omnisim run "$root/scenarios/rules-playbook.toml" --out pb --trace --trace-replication 1 --quiet \
    || true
}
example_explain_585() {
  playbook
  omnisim explain pb --conversation 585
}
example_explain_4() {
  playbook
  omnisim explain pb --conversation 4
}
example_explain_agent() {
  playbook
  omnisim explain pb --agent billing-8 | head -14
}
example_explain_errors() {
  playbook
  echo '$ omnisim explain pb --agent biling-8'
  omnisim explain pb --agent biling-8 2>&1 || true
  echo '$ omnisim explain pb --conversation 5000'
  omnisim explain pb --conversation 5000 2>&1 || true
  echo '$ omnisim explain reports/other --conversation 1'
  omnisim explain reports/other --conversation 1 2>&1 || true
}
example_explain_json() {
  playbook
  grep '"kind":"routing","conversation":585,' pb/trace.jsonl
}
# A skill-routed conversation that waited: scenarios/bilingual-support.toml, replication 1.
bilingual() {
  [ -d bi ] && return
  omnisim run "$root/scenarios/bilingual-support.toml" --out bi --trace --trace-replication 1 \
    --quiet || true
}
example_explain_waited() {
  bilingual
  omnisim explain bi --conversation 811
}
example_explain_rules() {
  bilingual
  omnisim explain bi --conversation 164 | head -3
}

# --- docs/erlang.md -------------------------------------------------------------------------
example_erlang_a_600() {
  omnisim erlang --rate 600/h --aht 100s --agents 10 --patience 2m
}
example_erlang_slowdown() {
  omnisim erlang --rate 300/h --aht 6m --patience 3m --chat 3 --slowdown 1,1.3,1.7 --target-sl 0.8 \
    --shrinkage 30%
}
example_erlang_json() {
  omnisim erlang --rate 55/h --aht 6m --agents 4 --patience 3m --chat 3 --slowdown 1,1.3,1.7 \
    --target-sl 0.9 --shrinkage 30% --json
}

# The issue-15 chat centre's figures quoted in README.md, docs/erlang.md and
# docs/scenario-format.md (a sixteenth tester found README's typed "0.011 as independent slots"
# matching neither model): P(wait) of MODEL (the heading's first words).
chat15() {
  [ -f chat15.txt ] || omnisim erlang --rate 55/h --aht 6m --agents 4 --patience 3m --chat 3 \
    --slowdown 1,1.3,1.7 >chat15.txt
  awk -v m="$1" 'index($0, m) == 1 { f = 1; next } /^[^ ]/ { f = 0 } f && /P\(wait\)/ { print $2; exit }' chat15.txt
}
figure_chat15_erlang_c() { chat15 "Erlang C"; }
figure_chat15_erlang_a() { chat15 "Erlang A"; }
figure_chat15_slowdown() { chat15 "Multi-chat"; }
# README's staffing with slowdown: the agents needed by MODEL in the erlang-slowdown example.
slowdown_agents() {
  [ -f slowdown.txt ] || example_erlang_slowdown >slowdown.txt
  awk -v m="$1" 'index($0, m) == 1 { f = 1; next } /^[^ ]/ { f = 0 } f && /agents needed/ { print $NF; exit }' slowdown.txt
}
figure_slowdown_erlang_a_agents() { slowdown_agents "Erlang A"; }
figure_slowdown_chat_agents() { slowdown_agents "Multi-chat"; }

# --- the blocks ----------------------------------------------------------------------------
# figures LINE: LINE with every `<!-- figure: NAME -->…<!-- /figure -->` refilled.
figures() {
  local line=$1 done="" fn value
  local re='^(.*)<!-- figure: ([a-z0-9_-]+) -->[^<]*<!-- /figure -->(.*)$'
  while [[ $line =~ $re ]]; do
    fn="figure_${BASH_REMATCH[2]//-/_}"
    local name=${BASH_REMATCH[2]} rest=${BASH_REMATCH[3]}
    line=${BASH_REMATCH[1]}
    if ! declare -F "$fn" >/dev/null; then
      echo "$doc: no figure named $name" >&2
      exit 2
    fi
    value=$("$fn" 2>>"$work/stderr.txt" </dev/null)
    done="<!-- figure: $name -->$value<!-- /figure -->$rest$done"
  done
  printf '%s\n' "$line$done"
}
status=0
for doc in README.md docs/workflows.md docs/workflows-traffic.md docs/erlang.md \
  docs/scenario-format.md; do
  file="$root/$doc"
  out="$work/$(basename "$doc").new"
  : >"$out"
  # Lines: copy; after a marker, copy the fence line, then the example's output, then skip to
  # the closing fence.
  state=copy name=""
  while IFS= read -r line || [ -n "$line" ]; do
    case $state in
      copy)
        figures "$line" >>"$out"
        if [[ $line =~ ^\<\!--\ example:\ ([a-z0-9_-]+) ]]; then
          name=${BASH_REMATCH[1]}
          state=fence
        fi
        ;;
      fence)
        printf '%s\n' "$line" >>"$out"
        fn="example_${name//-/_}"
        if ! declare -F "$fn" >/dev/null; then
          echo "$doc: no example named $name" >&2
          exit 2
        fi
        "$fn" >"$work/out.txt" 2>>"$work/stderr.txt" </dev/null
        cat "$work/out.txt" >>"$out"
        state=skip
        ;;
      skip)
        if [[ $line == '```'* ]]; then
          printf '%s\n' "$line" >>"$out"
          state=copy
        fi
        ;;
    esac
  done <"$file"
  if ! cmp -s "$file" "$out"; then
    if [ "$mode" = --check ]; then
      echo "$doc: an example block differs from the program's output (run scripts/docs-examples.sh):" >&2
      diff -u "$file" "$out" | head -60 >&2 || true
      status=1
    else
      cp "$out" "$file"
      echo "rewrote $doc"
    fi
  fi
done
exit $status
