#!/usr/bin/env bash
# Instruction-count performance check: runs each fixed workload under valgrind's callgrind and
# compares its total instruction count with its line in benches/perf-baseline.txt. Instruction
# counts are repeatable to within ~0.1% for the same binary and input, unlike wall-clock time on
# a shared CI machine. The workloads (benches/scenarios/):
#   perf-check          the plain 1,000-agent center cut to 2 h (shifts, breaks, abandonment,
#                       wrap-up, sentiment, supervisors' policies, the default dashboard)
#   perf-check-routing  the skills and rulesets center cut to 2 h (classification, skill
#                       profiles, VIP first, two assignment rules per queue)
#
# Exit codes: 0 every workload within the tolerance; 1 a count grew more than the tolerance (a
# regression); 2 could not measure (valgrind missing, build or run failed, no baseline).
#
# Usage: scripts/perf-check.sh            check against the baselines
#        scripts/perf-check.sh --update   measure and write the baselines
# Environment: PERF_CHECK_TOLERANCE_PCT (default 5), CARGO_TARGET_DIR (default target).
# Needs only `apt-get install -y valgrind` besides the Rust toolchain. About 20 s under valgrind
# after the build.
set -euo pipefail

cd "$(dirname "$0")/.."
tolerance="${PERF_CHECK_TOLERANCE_PCT:-5}"
baseline_file="benches/perf-baseline.txt"
workloads=(perf-check perf-check-routing)
target="${CARGO_TARGET_DIR:-target}"

command -v valgrind >/dev/null || { echo "perf-check: valgrind not found (apt-get install -y valgrind)" >&2; exit 2; }
cargo build --release --quiet --bin omnisim || { echo "perf-check: build failed" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The callgrind instruction total of one workload, or exit 2.
measure() {
  local name=$1
  # One rayon thread and a fixed workload: the count depends only on the binary and the input.
  if ! RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$work/$name.out" \
    "$target/release/omnisim" run "benches/scenarios/$name.toml" --quiet --out "$work/$name" \
    >"$work/$name.log" 2>&1; then
    cat "$work/$name.log" >&2
    echo "perf-check: the run of $name failed" >&2
    exit 2
  fi
  local m
  m="$(grep -E '^(summary|totals):' "$work/$name.out" | head -1 | awk '{print $2}')"
  [[ "$m" =~ ^[0-9]+$ ]] || { echo "perf-check: no instruction total in callgrind output of $name" >&2; exit 2; }
  echo "$m"
}

declare -A measured
for name in "${workloads[@]}"; do
  measured[$name]="$(measure "$name")"
done

if [[ "${1:-}" == "--update" ]]; then
  {
    for name in "${workloads[@]}"; do
      printf '%s %s\n' "$name" "${measured[$name]}"
    done
    echo "# callgrind instruction counts of: omnisim run benches/scenarios/NAME.toml (RAYON_NUM_THREADS=1)"
    echo "# written by scripts/perf-check.sh --update with $(rustc --version)"
    echo "# the counts depend on the compiler: update them when the toolchain changes"
  } >"$baseline_file"
  for name in "${workloads[@]}"; do
    echo "perf-check: baseline written: $name ${measured[$name]} instructions"
  done
  exit 0
fi

failed=0
for name in "${workloads[@]}"; do
  baseline="$(awk -v n="$name" '$1 == n && $2 ~ /^[0-9]+$/ { print $2; exit }' "$baseline_file")"
  [[ -n "$baseline" ]] || { echo "perf-check: no baseline for $name in $baseline_file" >&2; exit 2; }
  m="${measured[$name]}"
  change="$(awk -v m="$m" -v b="$baseline" 'BEGIN { printf "%+.2f", (m - b) * 100 / b }')"
  echo "perf-check: $name: baseline $baseline instructions, measured $m ($change%, tolerance +$tolerance%)"
  if awk -v m="$m" -v b="$baseline" -v t="$tolerance" 'BEGIN { exit !(m > b * (1 + t / 100)) }'; then
    echo "perf-check: FAIL: $name: instruction count grew more than $tolerance%" >&2
    failed=1
  fi
done
[[ $failed == 0 ]] || exit 1
echo "perf-check: ok"
