#!/bin/bash
# omnisim on Slurm: a sharded run as a job array, then one merge that waits for it.
#
#   sbatch deploy/slurm-array.sh scenarios/retail-day.toml results/
#
# Task i of the array (1 … N) runs shard i/N (omnisim's --shard K/N is 1-based, like
# SLURM_ARRAY_TASK_ID here). When submitted by hand (not as an array task) the script submits the
# array and a dependent merge job instead.
#SBATCH --job-name=omnisim
#SBATCH --cpus-per-task=4
#SBATCH --time=02:00:00
#SBATCH --output=omnisim-%A_%a.out
set -euo pipefail

SCENARIO=${1:?usage: slurm-array.sh SCENARIO OUTDIR}
OUT=${2:?usage: slurm-array.sh SCENARIO OUTDIR}
SHARDS=${SHARDS:-8}

if [[ -n "${SLURM_ARRAY_TASK_ID:-}" ]]; then
    # One shard.
    exec omnisim run "$SCENARIO" --quiet \
        --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
        --out "${OUT}/shard-${SLURM_ARRAY_TASK_ID}"
fi

if [[ "${MERGE:-}" == 1 ]]; then
    # The merge step: exit 2 if a shard is missing or from another run.
    exec omnisim merge "${OUT}"/shard-* --out "${OUT}/merged"
fi

# Submit the array, then the merge once every task has succeeded.
mkdir -p "$OUT"
array=$(sbatch --parsable --array="1-${SHARDS}" --export=ALL,SHARDS="$SHARDS" "$0" "$SCENARIO" "$OUT")
sbatch --dependency="afterok:${array}" --export=ALL,MERGE=1 --cpus-per-task=1 "$0" "$SCENARIO" "$OUT"
