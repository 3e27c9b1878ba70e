#!/usr/bin/env bash
# Runs every bundled scenario (scenarios/*.toml, tests/conformance/*.toml) with two omnisim
# binaries at a fixed seed and 2 replications, and diffs their summary.json files (the
# `engine` object, wall clock, left out): a refactor that must not change results prints
# nothing and exits 0.
#
# Usage: scripts/summary-diff.sh BASE_BINARY NEW_BINARY [OUT_DIR]
set -euo pipefail
base=$1
new=$2
out=${3:-$(mktemp -d)}
status=0
for sc in scenarios/*.toml tests/conformance/*.toml; do
    name=$(basename "$sc" .toml)
    for which in base new; do
        bin=$base
        [ "$which" = new ] && bin=$new
        dir="$out/$which/$(dirname "$sc" | tr / _)-$name"
        # exit 1 (a threshold) and 3 (an invariant) still write a summary
        "$bin" run "$sc" --seed 7 --replications 2 --out "$dir" --quiet --allow-huge \
            --dashboard-events 0 || true
        if [ -f "$dir/summary.json" ]; then
            python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("engine",None); print(json.dumps(d,sort_keys=True,indent=1))' \
                "$dir/summary.json" >"$dir/summary.cmp"
        else
            echo "no summary" >"$dir/summary.cmp"
        fi
    done
    if ! diff -q "$out/base/$(dirname "$sc" | tr / _)-$name/summary.cmp" \
        "$out/new/$(dirname "$sc" | tr / _)-$name/summary.cmp" >/dev/null; then
        echo "DIFFERS: $sc"
        status=1
    else
        echo "same: $sc"
    fi
done
exit $status
