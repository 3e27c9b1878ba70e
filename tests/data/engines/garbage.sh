#!/bin/sh
# A broken "engine" for tests/integration/conform.rs: answers its first request with a line
# that is not JSON, then ends. omnisim conform must fail every case (exit 1), starting the
# engine again for each, and never hang.
read -r _line
echo "this is not JSON"
