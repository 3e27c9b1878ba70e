#!/usr/bin/env bash
# The README's bundled forecast example ("The week after the data"), end to end on the real
# bank series: forecasts the week after it (with the backtest of the last 20 days), refreshes
# the scenario's data file with that forecast, staffs the week with its forecast error and
# rosters it (--shifts scenarios/shifts/bank.toml --shrinkage 30%), and rewrites the README
# block between `<!-- readme-forecast-week:` and the closing fence with the programs' real
# output; then forecasts the day after the series into scenarios/data/bank-forecast-2003-10-27.csv
# and writes the first lines of `omnisim run scenarios/bank-forecast-day.toml` into the block
# after `<!-- readme-forecast-day:`. tests/integration/readme_forecast.rs checks both blocks
# against the same commands.
#
#   scripts/readme-forecast-week.sh            # OMNISIM=path/to/omnisim to pick the binary
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${OMNISIM:-target/release/omnisim}
OUT=${OUT:-reports/forecast-week}
SHIFTS=(--shifts scenarios/shifts/bank.toml --shrinkage 30%)
mkdir -p "$OUT"

FORECAST_CMD=(forecast scenarios/data/bank-calls.csv --horizon 1w --backtest 20 --out "$OUT/forecast")
STAFF_CMD=(staff scenarios/bank-forecast-week.toml --target "service_level.fraction>=0.8" "${SHIFTS[@]}" --out "$OUT/staff")

"$BIN" "${FORECAST_CMD[@]}" > "$OUT/forecast.txt"
cp "$OUT/forecast/forecast.csv" scenarios/data/bank-forecast-week-2003-10-27.csv
"$BIN" "${STAFF_CMD[@]}" > "$OUT/staff.txt"
# The one-day forecast and its run (README's `readme-forecast-day` block: the run's first six
# lines).
"$BIN" forecast scenarios/data/bank-calls.csv --quiet --out "$OUT/day-forecast"
cp "$OUT/day-forecast/forecast.csv" scenarios/data/bank-forecast-2003-10-27.csv
# Whole output first, then its head: `run … | head -6` ends the run with SIGPIPE, which
# `pipefail` turns into exit 141 before the README is rewritten.
"$BIN" run scenarios/bank-forecast-day.toml --out "$OUT/day" > "$OUT/day-all.txt"
head -6 "$OUT/day-all.txt" > "$OUT/day.txt"
python3 - "$OUT" <<'PY'
import sys
day = open(f"{sys.argv[1]}/day.txt").read()
readme = open("README.md").read()
start = readme.index("<!-- readme-forecast-day:")
open_ = readme.index("```text\n", start) + len("```text\n")
close = readme.index("```", open_)
open("README.md", "w").write(readme[:open_] + day + readme[close:])
PY

# The block: both commands as typed (without --out), the forecast's day lines and backtest
# table, the staffing's header, its first 8 and last 4 intervals, its verdict and the roster
# with its check ("…" elides the middle and any list of unconfirmed intervals; "wrote" lines
# and the check's " · wrote …" name local paths and are left out).
python3 - "$OUT" <<'PY'
import re, sys
out = sys.argv[1]
fc = open(f"{out}/forecast.txt").read().split("\nWrote:")[0].splitlines()
st = open(f"{out}/staff.txt").read().splitlines()
rows = [i for i, l in enumerate(st) if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", l)]
keep = st[: rows[8]] + ["…"] + st[rows[-4] : rows[-1] + 1]
for l in st[rows[-1] + 1 :]:
    if l.startswith("wrote "):
        continue
    if l.startswith("not confirmed:"):
        keep.append("…")
        continue
    keep.append(l.split(" · wrote ")[0])
staff = 'omnisim staff scenarios/bank-forecast-week.toml --target "service_level.fraction>=0.8"'
staff += " --shifts scenarios/shifts/bank.toml --shrinkage 30%"
block = (
    ["$ omnisim forecast scenarios/data/bank-calls.csv --horizon 1w --backtest 20"]
    + fc
    + ["$ " + staff]
    + keep
)
readme = open("README.md").read()
start = readme.index("<!-- readme-forecast-week:")
open_ = readme.index("```text\n", start) + len("```text\n")
close = readme.index("```", open_)
readme = readme[:open_] + "\n".join(block).rstrip("\n") + "\n" + readme[close:]
open("README.md", "w").write(readme)
print(f"README block: {len(block)} lines")
PY
