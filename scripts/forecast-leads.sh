#!/usr/bin/env bash
# Backtests `omnisim forecast` on the bundled bank data at leads 1–5 over the last 20 and 40
# days and prints the markdown table recorded in docs/forecast.md ("By lead"): per cell the
# method's RMSE of 30-minute counts, the best baseline's, their ratio and the 80% coverage.
#   scripts/forecast-leads.sh        # OMNISIM=path/to/omnisim to pick the binary
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${OMNISIM:-target/release/omnisim}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "| window | lead | level-profile RMSE | best baseline RMSE | ratio | 80% coverage |"
echo "|---|---:|---:|---:|---:|---:|"
for n in 20 40; do
  for lead in 1 2 3 4 5; do
    "$BIN" forecast scenarios/data/bank-calls.csv --backtest "$n" --backtest-lead "$lead" \
      --quiet --out "$TMP" > /dev/null
    python3 - "$TMP/forecast.json" "$n" "$lead" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))["queues"][0]["backtest"]
m, best = b[0]["rmse"], min(x["rmse"] for x in b[1:])
print(f"| last {sys.argv[2]} days | {sys.argv[3]} | {m:.1f} | {best:.1f} | {m / best:.3f} | {100 * b[0]['coverage']:.1f}% |")
PY
  done
done
