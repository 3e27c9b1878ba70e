#!/usr/bin/env bash
# Interleaved CPU-time comparison of omnisim builds on one scenario: median `perf stat`
# task-clock per binary. Informational (wall-clock figures never gate CI).
#
# usage: scripts/bench-ab.sh "BIN_A BIN_B ..." [SCENARIO] [ROUNDS]
#   default SCENARIO benches/scenarios/mmc-2m.toml, ROUNDS 7
# Needs `perf` (linux-tools) and python3.
set -euo pipefail
bins=$1
scenario=${2:-benches/scenarios/mmc-2m.toml}
rounds=${3:-7}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for _ in $(seq "$rounds"); do
  for b in $bins; do
    ms=$(perf stat -x, -e task-clock "$b" run "$scenario" --quiet --out "$out/$(basename "$b")" 2>&1 >/dev/null |
      grep task-clock | cut -d, -f1)
    echo "$b $ms"
  done
done | python3 -c '
import collections, statistics, sys
d = collections.defaultdict(list)
for line in sys.stdin:
    k, v = line.split()
    d[k].append(float(v))
for k, v in d.items():
    print(f"{k}: median {statistics.median(v):.1f} ms  min {min(v):.1f}  all " + " ".join(f"{x:.0f}" for x in v))
'
