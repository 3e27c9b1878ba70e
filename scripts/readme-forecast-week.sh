#!/usr/bin/env bash
# The README's bundled forecast example ("The week after the data"), end to end on the real
# bank series: forecasts the week after it, refreshes the scenario's data file with that
# forecast, staffs the week with its forecast error, and rewrites the README block between
# `<!-- readme-forecast-week:` and the closing fence with the programs' real output.
# tests/integration/readme_forecast.rs checks the block against the same commands.
#
#   scripts/readme-forecast-week.sh            # OMNISIM=path/to/omnisim to pick the binary
#   scripts/readme-forecast-week.sh --shifts   # also roster it: --shifts scenarios/shifts/bank.toml
#                                              # --shrinkage 30% (slow: the roster integer
#                                              # program's slow case, reports/performance.md)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${OMNISIM:-target/release/omnisim}
OUT=${OUT:-reports/forecast-week}
SHIFTS=()
if [[ ${1:-} == --shifts ]]; then
  SHIFTS=(--shifts scenarios/shifts/bank.toml --shrinkage 30%)
fi
mkdir -p "$OUT"

FORECAST_CMD=(forecast scenarios/data/bank-calls.csv --horizon 1w --out "$OUT/forecast")
STAFF_CMD=(staff scenarios/bank-forecast-week.toml --target "service_level.fraction>=0.8" "${SHIFTS[@]}" --out "$OUT/staff")

"$BIN" "${FORECAST_CMD[@]}" > "$OUT/forecast.txt"
cp "$OUT/forecast/forecast.csv" scenarios/data/bank-forecast-week-2003-10-27.csv
"$BIN" "${STAFF_CMD[@]}" > "$OUT/staff.txt"

# The block: both commands as typed (without --out), the forecast's day lines, the staffing's
# header, its first 8 and last 4 intervals and its verdict ("…" elides the middle and the long
# list of unconfirmed intervals; "wrote" lines name local paths and are left out).
python3 - "$OUT" "${#SHIFTS[@]}" <<'PY'
import re, sys
out, shifts = sys.argv[1], sys.argv[2] != "0"
fc = [l for l in open(f"{out}/forecast.txt").read().splitlines() if re.match(r"\d{4}-\d\d-\d\d ", l)]
st = open(f"{out}/staff.txt").read().splitlines()
rows = [i for i, l in enumerate(st) if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", l)]
keep = st[: rows[8]] + ["…"] + st[rows[-4] : rows[-1] + 1]
for l in st[rows[-1] + 1 :]:
    if l.startswith("wrote "):
        continue
    if l.startswith("not confirmed:"):
        keep.append("…")
        continue
    keep.append(l)
staff = 'omnisim staff scenarios/bank-forecast-week.toml --target "service_level.fraction>=0.8"'
if shifts:
    staff += " --shifts scenarios/shifts/bank.toml --shrinkage 30%"
block = (
    ["$ omnisim forecast scenarios/data/bank-calls.csv --horizon 1w"] + fc + ["$ " + staff] + keep
)
readme = open("README.md").read()
start = readme.index("<!-- readme-forecast-week:")
open_ = readme.index("```text\n", start) + len("```text\n")
close = readme.index("```", open_)
readme = readme[:open_] + "\n".join(block).rstrip("\n") + "\n" + readme[close:]
open("README.md", "w").write(readme)
print(f"README block: {len(block)} lines")
PY
