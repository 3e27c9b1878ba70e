#!/usr/bin/env bash
# The documentation's example outputs, produced by the program: every fenced block that follows
# a `<!-- example: NAME -->` line in README.md or docs/workflows.md is the output of example NAME
# below, run on the bundled scenarios.
#
#   scripts/docs-examples.sh            rewrite the blocks from fresh runs
#   scripts/docs-examples.sh --check    change nothing; exit 1 naming each block that differs
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

# --- docs/workflows.md, 2. ab ------------------------------------------------------------
example_ab_text() {
  erlang
  omnisim ab erlang-c.toml --variant nine.toml --out ab || true
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

# --- docs/workflows.md, 8. explain (scenarios/rules-playbook.toml) ---------------------------
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

# --- the blocks ----------------------------------------------------------------------------
status=0
for doc in README.md docs/workflows.md; do
  file="$root/$doc"
  out="$work/$(basename "$doc").new"
  : >"$out"
  # Lines: copy; after a marker, copy the fence line, then the example's output, then skip to
  # the closing fence.
  state=copy name=""
  while IFS= read -r line || [ -n "$line" ]; do
    case $state in
      copy)
        printf '%s\n' "$line" >>"$out"
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
