#!/usr/bin/env bash
# Issue 24's measurement of `omnisim compare` at each scenario's bundled replication count, on
# scenarios/ci-smoke.toml (one queue, exponential 5-minute chats), scenarios/demo.toml (two
# queues, lognormal 8-minute chats, a supervisor policy) and four more bundled centers
# (skill routing, two work streams, concurrency slowdown, a retail day):
#   1. false alarms: seed 1 against seeds 2..N+1 (only the seed changes): how many exit 1;
#   2. power, same seed: a 10 % longer handle time (mean and sd × 1.1) on seeds 1..N, each
#      against the unchanged scenario on the same seed (paired t): how many exit 1;
#   3. power, other seed: the same change on seed s+1000 against the unchanged seed s (Welch).
# Prints a Markdown table. With --doc, also writes it into docs/workflows.md between the lines
# `<!-- compare-noise: begin -->` and `<!-- compare-noise: end -->`.
# Usage: scripts/compare-noise.sh [N=40] [--doc]   (OMNISIM names the binary,
#        default target/release/omnisim)
set -euo pipefail
n=40 doc=0
for a in "$@"; do
  case $a in
    --doc) doc=1 ;;
    *) n=$a ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${OMNISIM:-$root/target/release/omnisim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# scenario file, then the sed program that makes every handle time 10 % longer (mean and sd).
r='handle_time = { dist = "'
h="s/^$r"
scenarios=(
  "ci-smoke.toml" "${h}exponential\", mean = \"5m\" }/${r}exponential\", mean = \"330s\" }/"
  "demo.toml" "${h}lognormal\", mean = \"8m\", sd = \"4m\" }/${r}lognormal\", mean = \"528s\", sd = \"264s\" }/"
  "bilingual-support.toml" "${h}lognormal\", mean = \"8m\", sd = \"4m\" }/${r}lognormal\", mean = \"528s\", sd = \"264s\" }/"
  "rules-playbook.toml" "${h}lognormal\", mean = \"9m\", sd = \"5m\" }/${r}lognormal\", mean = \"594s\", sd = \"330s\" }/; ${h}gamma\", mean = \"20m\", sd = \"8m\" }/${r}gamma\", mean = \"1320s\", sd = \"528s\" }/"
  "retail-day.toml" "${h}lognormal\", mean = \"9m\", sd = \"5m\" }/${r}lognormal\", mean = \"594s\", sd = \"330s\" }/; ${h}lognormal\", mean = \"14m\", sd = \"8m\" }/${r}lognormal\", mean = \"924s\", sd = \"528s\" }/"
  "chat-realistic.toml" "${h}exponential\", mean = \"6m\" }/${r}exponential\", mean = \"396s\" }/; ${h}lognormal\", mean = \"12m\", sd = \"6m\" }/${r}lognormal\", mean = \"792s\", sd = \"396s\" }/"
)

run() { "$bin" run "$1" --seed "$2" --out "$3" --quiet >/dev/null || true; }
verdict() { "$bin" compare "$1/summary.json" "$2/summary.json" --quiet >/dev/null 2>&1 && echo 0 || echo $?; }

table="| scenario | replications | seed change only: false alarms | handle time +10%, same seed (paired): caught | handle time +10%, other seed (Welch): caught | \`handle_s.mean\` detectable, other seed (pair 1) |
|---|---|---|---|---|---|"
for ((k = 0; k < ${#scenarios[@]}; k += 2)); do
  name=${scenarios[k]} prog=${scenarios[k + 1]}
  base=$root/scenarios/$name
  dir=$work/${name%.toml}
  mkdir -p "$dir"
  sed "$prog" "$base" >"$dir/slower.toml"
  # Every handle_time line changed, none left as it was.
  if [ "$(diff "$base" "$dir/slower.toml" | grep -c '^> handle_time')" != "$(grep -c '^handle_time' "$base")" ]; then
    echo "$name: a handle-time line was not changed (update scripts/compare-noise.sh)" >&2
    exit 2
  fi
  reps=$(sed -n 's/^replications = \([0-9]*\).*/\1/p' "$base" | head -1)
  run "$base" 1 "$dir/base-1"
  false_alarms=0 same=0 other=0
  for i in $(seq 1 "$n"); do
    s=$((i + 1))
    run "$base" "$s" "$dir/base-$s"
    [ "$(verdict "$dir/base-1" "$dir/base-$s")" = 1 ] && false_alarms=$((false_alarms + 1))
    run "$dir/slower.toml" "$i" "$dir/slow-$i"
    [ "$(verdict "$dir/base-$i" "$dir/slow-$i")" = 1 ] && same=$((same + 1))
    run "$dir/slower.toml" "$((i + 1000))" "$dir/slow-other-$i"
    [ "$(verdict "$dir/base-$i" "$dir/slow-other-$i")" = 1 ] && other=$((other + 1))
  done
  # compare's own statement of its precision on the first other-seed pair.
  detect=$("$bin" compare "$dir/base-1/summary.json" "$dir/slow-other-1/summary.json" 2>/dev/null |
    grep -o 'handle_s\.mean ±[0-9.]*%' | head -1 | sed 's/.* //' || true)
  table+="
| \`scenarios/$name\` | $reps | $false_alarms in $n | $same in $n | $other in $n | ${detect:--} |"
done
echo "$table"

if [ "$doc" = 1 ]; then
  file=$root/docs/workflows.md
  grep -q '^<!-- compare-noise: begin -->$' "$file" && grep -q '^<!-- compare-noise: end -->$' "$file" || {
    echo "$file: no <!-- compare-noise: begin/end --> lines" >&2
    exit 2
  }
  printf '%s\n' "$table" >"$work/table.md"
  awk -v t="$work/table.md" '
    /^<!-- compare-noise: begin -->$/ { print; while ((getline l < t) > 0) print l; skip = 1; next }
    /^<!-- compare-noise: end -->$/ { skip = 0 }
    !skip { print }' "$file" >"$work/workflows.md"
  cp "$work/workflows.md" "$file"
  echo "rewrote docs/workflows.md"
fi
