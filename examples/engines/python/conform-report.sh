#!/usr/bin/env bash
# Regenerates the conformance report in README.md (between the two "conform-report" marker
# lines) from a real run: omnisim conform against engine.py over JSON lines.
# Usage: examples/engines/python/conform-report.sh [OMNISIM]   (default: target/release/omnisim,
# else target/debug/omnisim). tests/integration/conform.rs checks the block is current.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
bin="${1:-}"
if [ -z "$bin" ]; then
  for b in "$root/target/release/omnisim" "$root/target/debug/omnisim"; do
    [ -x "$b" ] && bin="$b" && break
  done
fi
[ -n "$bin" ] || { echo "build omnisim first (cargo build)" >&2; exit 2; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cd "$here"
set +e
"$bin" conform --engine "cmd:python3 engine.py" --out "$out" > "$out/report.txt"
code=$?
set -e
[ "$code" -le 1 ] || { cat "$out/report.txt" >&2; exit "$code"; }
python3 - "$here/README.md" "$out/report.txt" "$code" <<'PY'
import sys
readme, report, code = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
text = open(readme).read()
start, end = "<!-- conform-report:start -->", "<!-- conform-report:end -->"
i, j = text.index(start) + len(start), text.index(end)
block = "\n```\n$ omnisim conform --engine \"cmd:python3 engine.py\"\n" + report + f"(exit {code})\n```\n"
open(readme, "w").write(text[:i] + block + text[j:])
PY
echo "README.md updated (conform exit $code)"
