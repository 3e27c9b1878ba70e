#!/usr/bin/env bash
# Issue 24's measurement of `omnisim compare` on scenarios/ci-smoke.toml at its bundled
# replication count (4):
#   1. false alarms: seed 1 against seeds 2..N+1 (only the seed changes): how many exit 1;
#   2. power, same seed: a 10 % longer handle time (5m -> 330s) on seeds 1..N, each against the
#      unchanged scenario on the same seed (paired t): how many exit 1;
#   3. power, other seed: the same change on seed s+1000 against the unchanged seed s (Welch).
# Usage: scripts/compare-noise.sh [N=40] [OMNISIM=target/release/omnisim]
set -euo pipefail
n=${1:-40}
bin=${OMNISIM:-target/release/omnisim}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed 's/mean = "5m"/mean = "330s"/' "$root/scenarios/ci-smoke.toml" >"$work/slower.toml"
grep -q 'mean = "330s"' "$work/slower.toml"
run() { "$bin" run "$1" --seed "$2" --out "$3" --quiet >/dev/null || true; }
cmp() { "$bin" compare "$1/summary.json" "$2/summary.json" --quiet >/dev/null 2>&1; echo $?; }
run "$root/scenarios/ci-smoke.toml" 1 "$work/base-1"
false_alarms=0 same=0 other=0
for i in $(seq 1 "$n"); do
  s=$((i + 1))
  run "$root/scenarios/ci-smoke.toml" "$s" "$work/base-$s"
  [ "$(cmp "$work/base-1" "$work/base-$s")" = 1 ] && false_alarms=$((false_alarms + 1))
  run "$work/slower.toml" "$i" "$work/slow-$i"
  [ "$(cmp "$work/base-$i" "$work/slow-$i")" = 1 ] && same=$((same + 1))
  run "$work/slower.toml" "$((i + 1000))" "$work/slow-other-$i"
  [ "$(cmp "$work/base-$i" "$work/slow-other-$i")" = 1 ] && other=$((other + 1))
done
echo "seed change only (seed 1 vs seeds 2..$((n + 1))): $false_alarms false alarms in $n"
echo "handle time +10%, same seed (paired): caught $same in $n"
echo "handle time +10%, other seed (Welch): caught $other in $n"
