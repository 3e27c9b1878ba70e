#!/usr/bin/env bash
# The speed ratios of issue 28, whole process, side by side in one run (`/usr/bin/time`, user CPU
# seconds; medians over ROUNDS interleaved rounds). Informational: nothing here gates CI.
#
#   mmc       omnisim benches/scenarios/mmc-2m.toml vs benches/peers/simpy_mmc.py with the same
#             number of customers (conversations per second, omnisim / SimPy)
#   center    benches/scenarios/center-1000.toml cut to HOURS vs benches/peers/simpy_center.py
#             HOURS (conversations per second, omnisim / SimPy)
#   skills    center-1000-skills vs center-1000, both cut to HOURS (plain CPU / skills CPU: the
#             skills center's speed as a fraction of the plain one's; same traffic)
#   rules     center-1000-rules vs center-1000 likewise
#
# usage: scripts/bench-ratios.sh OMNISIM_BIN [ROUNDS] [HOURS]   (defaults 3 rounds, 12 hours)
# Needs python3 with simpy (`pip install simpy`) and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1
rounds=${2:-3}
hours=${3:-12}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for s in center-1000 center-1000-skills center-1000-rules; do
  sed -E "s/^horizon = \"72h\"/horizon = \"${hours}h\"/" "benches/scenarios/$s.toml" >"$out/$s.toml"
done
arrived() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['conversations']['arrived'])" "$1/summary.json"; }
"$bin" run benches/scenarios/mmc-2m.toml --quiet --out "$out/mmc"
n_mmc=$(arrived "$out/mmc")
"$bin" run "$out/center-1000.toml" --quiet --out "$out/c"
n_center=$(arrived "$out/c")
user() { # LABEL CMD...: appends "LABEL user_seconds" to $out/times
  local label=$1
  shift
  /usr/bin/time -f "%U" -o "$out/t" "$@" >"$out/stdout" 2>/dev/null
  echo "$label $(tail -1 "$out/t")" >>"$out/times"
  if [[ $label == simpy-center ]]; then
    grep -o 'arrived=[0-9]*' "$out/stdout" | cut -d= -f2 >"$out/n_simpy_center"
  fi
}
for _ in $(seq "$rounds"); do
  user mmc "$bin" run benches/scenarios/mmc-2m.toml --quiet --out "$out/x"
  user simpy-mmc python3 benches/peers/simpy_mmc.py --customers "$n_mmc"
  user center "$bin" run "$out/center-1000.toml" --quiet --out "$out/x"
  user simpy-center python3 benches/peers/simpy_center.py "$hours"
  user skills "$bin" run "$out/center-1000-skills.toml" --quiet --out "$out/x"
  user rules "$bin" run "$out/center-1000-rules.toml" --quiet --out "$out/x"
done
python3 - "$out/times" "$n_mmc" "$n_center" "$(cat "$out/n_simpy_center")" <<'PY'
import collections, statistics, sys
t = collections.defaultdict(list)
for line in open(sys.argv[1]):
    k, v = line.split()
    t[k].append(float(v))
m = {k: statistics.median(v) for k, v in t.items()}
n_mmc, n_center, n_simpy_center = (int(x) for x in sys.argv[2:5])
for k, v in t.items():
    print(f"{k:13} user s median {m[k]:.3f}  all " + " ".join(f"{x:.2f}" for x in v))
print(f"mmc:    omnisim {n_mmc / m['mmc']:,.0f} conv/s, SimPy {n_mmc / m['simpy-mmc']:,.0f} conv/s: "
      f"{m['simpy-mmc'] / m['mmc']:.1f}x SimPy")
oc, sc = n_center / m['center'], n_simpy_center / m['simpy-center']
print(f"center: omnisim {oc:,.0f} conv/s ({n_center} conv), SimPy {sc:,.0f} conv/s ({n_simpy_center} conv): {oc / sc:.1f}x SimPy")
print(f"skills center: {m['center'] / m['skills']:.2f}x the plain center; rules center: {m['center'] / m['rules']:.2f}x")
PY
