#!/bin/bash
# omnisim on Slurm: a sharded run (or sweep) as a job array, then one merge that waits for it.
#
#   sbatch deploy/slurm-array.sh SCENARIO OUTDIR                  # a sharded run
#   sbatch deploy/slurm-array.sh SCENARIO OUTDIR --vary … [--target …]   # a sharded sweep
#
# e.g. sbatch deploy/slurm-array.sh scenarios/retail-day.toml results/
#
# Submitted like this (not as an array task), the script is a small job that submits the array
# and a merge job that runs once every task has succeeded (afterok), prints their ids, and ends;
# `bash deploy/slurm-array.sh …` on a login node does the same without the extra job. Task i of
# the array (1 … N) runs shard i/N (omnisim's --shard K/N is 1-based, like SLURM_ARRAY_TASK_ID)
# into OUTDIR/shard-i; the merge writes OUTDIR/merged: the summary.json one machine would have
# written, or for a sweep its sweep.csv, sweep.html and target.json (a sweep's target bisection,
# if any, runs in the merge job). Relative paths are taken from the folder you submit from.
#
# Environment: SHARDS (default 8) tasks, each with CPUS_PER_TASK CPUs (default 4; omnisim runs a
# shard's replications, or a sweep shard's points, on all of them). `omnisim` must be on PATH
# (the jobs get the submitting shell's environment). scripts/slurm-check.sh runs this script on a
# real single-node cluster in CI.
#SBATCH --job-name=omnisim
#SBATCH --time=02:00:00
#SBATCH --output=omnisim-%A_%a.out
set -euo pipefail

SCENARIO=${1:?usage: slurm-array.sh SCENARIO OUTDIR [--vary … [--target …]]}
OUT=${2:?usage: slurm-array.sh SCENARIO OUTDIR [--vary … [--target …]]}
shift 2
SHARDS=${SHARDS:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-4}

if [[ -n "${SLURM_ARRAY_TASK_ID:-}" ]]; then
    # One shard: of the sweep when there are sweep arguments, else of the run.
    if [[ $# -gt 0 ]]; then
        exec omnisim sweep "$SCENARIO" "$@" --quiet \
            --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
            --out "${OUT}/shard-${SLURM_ARRAY_TASK_ID}"
    fi
    exec omnisim run "$SCENARIO" --quiet \
        --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
        --out "${OUT}/shard-${SLURM_ARRAY_TASK_ID}"
fi

if [[ "${MERGE:-}" == 1 ]]; then
    # The merge step: exit 2 if a shard is missing, repeated or from another run.
    shards=()
    for ((i = 1; i <= SHARDS; i++)); do shards+=("${OUT}/shard-${i}"); done
    exec omnisim merge "${shards[@]}" --out "${OUT}/merged"
fi

# Submit the array, then the merge once every task has succeeded.
mkdir -p "$OUT"
array=$(sbatch --parsable --array="1-${SHARDS}" --cpus-per-task="$CPUS_PER_TASK" \
    --export=ALL,SHARDS="$SHARDS" "$0" "$SCENARIO" "$OUT" "$@")
merge=$(sbatch --parsable --dependency="afterok:${array}" --cpus-per-task=1 \
    --export=ALL,SHARDS="$SHARDS",MERGE=1 "$0" "$SCENARIO" "$OUT" "$@")
echo "submitted array job ${array} (${SHARDS} shards of ${SCENARIO} into ${OUT})"
echo "submitted merge job ${merge} (after ${array}) → ${OUT}/merged"
