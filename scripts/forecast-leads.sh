#!/usr/bin/env bash
# Backtests `omnisim forecast` on the bundled bank data at leads 1–5 over several windows and
# prints the markdown table recorded in docs/forecast.md ("By lead and window"): per cell the
# method's RMSE of 30-minute counts, the best baseline's (the better of seasonal naive and the
# mean of the last 4 same weekdays), their ratio and the 80% coverage.
# Windows: the last 20 and 40 days, and 20-day windows ending earlier (`--backtest-until`):
# "days A–B" scores the history's days A+1 … B (counted from its first day, 1-based), each
# forecast from the days before it.
# It prints the table and rewrites docs/forecast.md's block between `<!-- forecast-leads:` and
# `<!-- /forecast-leads -->` with it; tests/integration/forecast.rs reruns every row.
#   scripts/forecast-leads.sh        # OMNISIM=path/to/omnisim to pick the binary
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${OMNISIM:-target/release/omnisim}
DATA=scenarios/data/bank-calls.csv
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# The history's days with traffic, in order (the dates --backtest-until names).
python3 - "$DATA" > "$TMP/dates" <<'PY'
import csv, sys
days = {}
for r in csv.DictReader(open(sys.argv[1])):
    d = r["interval_start"][:10]
    days[d] = days.get(d, 0.0) + float(r["volume"])
print("\n".join(d for d in sorted(days) if days[d] > 0))
PY
{
echo "| window | lead | level-profile RMSE | best baseline RMSE | ratio | 80% coverage |"
echo "|---|---:|---:|---:|---:|---:|"
# name, days scored, last day (1-based; empty: the history's last day)
WINDOWS=("last 20 days:20:" "last 40 days:40:" "days 40–60:20:60" "days 60–80:20:80"
         "days 100–120:20:120" "days 120–140:20:140")
for w in "${WINDOWS[@]}"; do
  IFS=: read -r name n end <<< "$w"
  UNTIL=()
  if [[ -n $end ]]; then
    UNTIL=(--backtest-until "$(sed -n "${end}p" "$TMP/dates")")
  fi
  for lead in 1 2 3 4 5; do
    "$BIN" forecast "$DATA" --backtest "$n" --backtest-lead "$lead" "${UNTIL[@]}" \
      --quiet --out "$TMP/out" > /dev/null
    python3 - "$TMP/out/forecast.json" "$name" "$lead" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))["queues"][0]["backtest"]
m, best = b[0]["rmse"], min(x["rmse"] for x in b[1:])
print(f"| {sys.argv[2]} | {sys.argv[3]} | {m:.1f} | {best:.1f} | {m / best:.3f} | {100 * b[0]['coverage']:.1f}% |")
PY
  done
done
} > "$TMP/table"
cat "$TMP/table"
python3 - "$TMP/table" <<'PY'
import sys
table = open(sys.argv[1]).read()
doc = open("docs/forecast.md").read()
start = doc.index("\n", doc.index("<!-- forecast-leads:")) + 1
end = doc.index("<!-- /forecast-leads -->")
open("docs/forecast.md", "w").write(doc[:start] + table + doc[end:])
PY
