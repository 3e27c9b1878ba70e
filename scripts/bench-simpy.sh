#!/usr/bin/env bash
# The SimPy comparison of issue 5, side by side: omnisim builds and the SimPy peer model on the
# same M/M/c, interleaved, whole process (`/usr/bin/time`). Informational.
#
# usage: scripts/bench-simpy.sh "OMNISIM_BIN [OTHER_BIN ...]" [ROUNDS]
# Needs python3 with simpy (`pip install simpy`). The SimPy run uses the customer count of
# the first binary's run, so both simulate the same number of conversations (±0.2%).
set -euo pipefail
bins=$1
rounds=${2:-2}
scenario=benches/scenarios/mmc-2m.toml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
first=${bins%% *}
"$first" run "$scenario" --quiet --out "$out/n"
n=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['conversations']['arrived'])" "$out/n/summary.json")
echo "conversations: $n"
for _ in $(seq "$rounds"); do
  for _ in 1 2 3; do
    for b in $bins; do
      /usr/bin/time -f "$b wall %e s user %U s maxrss %M KB" "$b" run "$scenario" --quiet --out "$out/x" 2>&1 >/dev/null | tail -1
    done
  done
  /usr/bin/time -f "simpy wall %e s user %U s maxrss %M KB" python3 benches/peers/simpy_mmc.py --customers "$n" 2>&1 >/dev/null | tail -1
done
