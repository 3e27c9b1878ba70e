#!/usr/bin/env bash
# Renders an omnisim report.html to a PNG with Debian's headless chromium, to eyeball the charts.
#
# usage: scripts/screenshot-report.sh REPORT.html [OUT.png] [WIDTHxHEIGHT]
#   default OUT: next to the report, report.png; default size 1280x2000.
# Needs /usr/bin/chromium (apt-get install -y chromium). Network features are switched off; the
# report is self-contained, so nothing is fetched.
set -euo pipefail

html=${1:?usage: $0 REPORT.html [OUT.png] [WIDTHxHEIGHT]}
out=${2:-"$(dirname "$html")/report.png"}
size=${3:-1280x2000}
browser=${CHROMIUM:-/usr/bin/chromium}

[ -f "$html" ] || { echo "error: $html: no such file" >&2; exit 2; }
command -v "$browser" >/dev/null || { echo "error: $browser not found (apt-get install -y chromium)" >&2; exit 2; }

abs_html=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
  --hide-scrollbars --screenshot="$out" --window-size="${size/x/,}" "file://$abs_html" \
  >/dev/null 2>&1

[ -s "$out" ] || { echo "error: chromium wrote no screenshot" >&2; exit 1; }
echo "$out"
