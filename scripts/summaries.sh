#!/usr/bin/env bash
# Behaviour lock for performance work: runs every bundled scenario (scenarios/, scenarios/faults/,
# tests/conformance/ and benches/scenarios/ cut short) with a fixed seed and a small replication
# count, and saves each summary.json with its wall-clock `engine` block removed (the only part
# of summary.json allowed to differ between runs, see docs/metrics.md). Two directories written
# by two builds must then be identical: `diff -r DIR_A DIR_B`.
#
# usage: scripts/summaries.sh OMNISIM_BIN OUT_DIR
# Needs python3 (to drop the `engine` block). Informational; not part of `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1
out=$2
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
strip() {
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
d.pop("engine", None)
json.dump(d, open(sys.argv[2], "w"), indent=1, sort_keys=True)
' "$1" "$2"
}
run() { # NAME FILE [ARGS...]
  local name=$1 file=$2
  shift 2
  local rc=0
  RAYON_NUM_THREADS=2 "$bin" run "$file" --seed 11 --replications 2 --quiet --out "$work/$name" "$@" \
    >/dev/null 2>"$work/$name.err" || rc=$?
  echo "$name rc=$rc" >>"$out/exit-codes.txt"
  if [[ -f "$work/$name/summary.json" ]]; then
    strip "$work/$name/summary.json" "$out/$name.json"
  fi
}
: >"$out/exit-codes.txt"
for f in scenarios/*.toml scenarios/faults/*.toml tests/conformance/*.toml; do
  name=$(echo "${f%.toml}" | tr / _)
  run "$name" "$f"
done
# The benchmark workloads, cut to a few hours so the whole script stays under a minute.
for f in benches/scenarios/*.toml; do
  name=$(echo "${f%.toml}" | tr / _)
  sed -E 's/^horizon = "[0-9]+[hd]"/horizon = "4h"/' "$f" >"$work/$name.toml"
  run "$name" "$work/$name.toml"
done
# The conversation log and the trace (their hooks sit on the hot path): whole files.
for f in scenarios/demo.toml scenarios/bilingual-support.toml; do
  name=$(basename "${f%.toml}")
  "$bin" run "$f" --seed 11 --replications 2 --quiet --log --trace --check-invariants \
    --out "$work/lt-$name" >/dev/null 2>&1 || echo "lt-$name rc=$?" >>"$out/exit-codes.txt"
  cp "$work/lt-$name/conversations.csv" "$out/lt-$name-conversations.csv"
  cp "$work/lt-$name/trace.jsonl" "$out/lt-$name-trace.jsonl"
  strip "$work/lt-$name/summary.json" "$out/lt-$name.json"
done
# Two threads against one: the summary must not depend on the thread count.
RAYON_NUM_THREADS=1 "$bin" run scenarios/retail-day.toml --seed 11 --replications 2 --quiet \
  --out "$work/t1" >/dev/null 2>&1 || true
strip "$work/t1/summary.json" "$out/retail-day-1thread.json"
if cmp -s "$out/retail-day-1thread.json" "$out/scenarios_retail-day.json"; then
  echo "threads: identical" >>"$out/exit-codes.txt"
else
  echo "threads: DIFFERENT" >>"$out/exit-codes.txt"
fi
ls "$out" | wc -l
