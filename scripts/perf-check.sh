#!/usr/bin/env bash
# Instruction-count performance check: runs the fixed workload benches/scenarios/perf-check.toml
# under valgrind's callgrind and compares the total instruction count with
# benches/perf-baseline.txt. Instruction counts are repeatable to within ~0.1% for the same
# binary and input, unlike wall-clock time on a shared CI machine.
#
# Exit codes: 0 within the tolerance; 1 the count grew more than the tolerance (a regression);
# 2 could not measure (valgrind missing, build or run failed).
#
# Usage: scripts/perf-check.sh            check against the baseline
#        scripts/perf-check.sh --update   measure and write the baseline
# Environment: PERF_CHECK_TOLERANCE_PCT (default 5), CARGO_TARGET_DIR (default target).
# Needs only `apt-get install -y valgrind` besides the Rust toolchain.
set -euo pipefail

cd "$(dirname "$0")/.."
tolerance="${PERF_CHECK_TOLERANCE_PCT:-5}"
baseline_file="benches/perf-baseline.txt"
scenario="benches/scenarios/perf-check.toml"
target="${CARGO_TARGET_DIR:-target}"

command -v valgrind >/dev/null || { echo "perf-check: valgrind not found (apt-get install -y valgrind)" >&2; exit 2; }
cargo build --release --quiet --bin omnisim || { echo "perf-check: build failed" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# One rayon thread and a fixed workload: the count depends only on the binary and the input.
if ! RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
    "$target/release/omnisim" run "$scenario" --quiet --out "$work/out" >"$work/log" 2>&1; then
    cat "$work/log" >&2
    echo "perf-check: the run failed" >&2
    exit 2
fi
measured="$(grep -E '^(summary|totals):' "$work/callgrind.out" | head -1 | awk '{print $2}')"
[[ "$measured" =~ ^[0-9]+$ ]] || { echo "perf-check: no instruction total in callgrind output" >&2; exit 2; }

if [[ "${1:-}" == "--update" ]]; then
    {
        printf '%s\n' "$measured"
        echo "# callgrind instruction count of: omnisim run $scenario (RAYON_NUM_THREADS=1)"
        echo "# written by scripts/perf-check.sh --update with $(rustc --version)"
        echo "# the count depends on the compiler: update it when the toolchain changes"
    } >"$baseline_file"
    echo "perf-check: baseline written: $measured instructions"
    exit 0
fi

baseline="$(grep -Eo '^[0-9]+' "$baseline_file" | head -1)"
[[ -n "$baseline" ]] || { echo "perf-check: no baseline in $baseline_file" >&2; exit 2; }
change="$(awk -v m="$measured" -v b="$baseline" 'BEGIN { printf "%+.2f", (m - b) * 100 / b }')"
echo "perf-check: baseline $baseline instructions, measured $measured ($change%, tolerance +$tolerance%)"
if awk -v m="$measured" -v b="$baseline" -v t="$tolerance" 'BEGIN { exit !(m > b * (1 + t / 100)) }'; then
    echo "perf-check: FAIL: instruction count grew more than $tolerance%" >&2
    exit 1
fi
echo "perf-check: ok"
