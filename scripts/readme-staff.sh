#!/usr/bin/env bash
# Re-runs the README's "How many agents do I need?" command and writes its output into the
# README block after the `<!-- readme-staff:` marker (the first 13 lines of the table, `…`, then
# the last six intervals and the closing lines). tests/integration/readme_staff.rs checks that
# every line of the block is a line of the program's output.
#
# Usage: scripts/readme-staff.sh [path/to/omnisim]   (default: target/release/omnisim)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
bin="${1:-$root/target/release/omnisim}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && "$bin" staff "$root/scenarios/bank-day.toml" --target "service_level.fraction>=0.8" \
    --shifts "$root/scenarios/shifts/bank.toml" --shrinkage 30% --out staff >"$work/out.txt")
# Keep lines 1–13 (title, method, header, rule, 07:00–10:30; a "Precision reached" line is not
# counted), then `…`, then from the 18:30 row on.
awk '/^Precision reached/ { print; next } { n++ } n <= 13 { print; next } /^18:30 / { tail = 1; print "…" } tail { print }' "$work/out.txt" >"$work/block.txt"
awk -v block="$work/block.txt" '
    /<!-- readme-staff:/ { print; marker = 1; next }
    marker == 1 && /^```text$/ { print; while ((getline l < block) > 0) print l; skip = 1; marker = 2; next }
    skip && /^```$/ { skip = 0 }
    !skip { print }
' README.md >"$work/README.md"
mv "$work/README.md" README.md
echo "README.md: readme-staff block rewritten from $bin"
