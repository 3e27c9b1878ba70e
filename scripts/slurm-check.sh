#!/usr/bin/env bash
# The Slurm check (issue 18), run by .ci/run: brings up a real single-node Slurm cluster on this
# machine, submits deploy/slurm-array.sh exactly as a user would — a sharded run, then a sharded
# sweep — and passes only when what the cluster merged equals what one machine writes:
#   - the merged summary.json equals `omnisim run`'s, apart from the wall-clock `engine` object;
#   - the merged sweep.csv, sweep.html and target.json equal `omnisim sweep`'s, byte for byte.
#
#   bash scripts/slurm-check.sh
#
# Needs root (it installs Debian's slurm-wlm and munge when they are missing, after apt-get
# update) and Debian's packages. Everything else is private to a temporary folder: the munge
# key and socket, slurm.conf (this host's name, its CPUs, 90% of its memory), the state and
# spool folders, the logs, and non-default ports (SLURM_CHECK_PORT, default 16817, and the next
# one). It starts munged, slurmctld and slurmd in the foreground (-F/-D) as background jobs of
# this shell, records their pids, and stops exactly those pids on every exit path (trap),
# cancelling its jobs first; on a failure it prints the end of each daemon's and job's output.
# The release binary is built once (cargo build --release --locked --bin omnisim, in
# CARGO_TARGET_DIR if set) and put first on PATH for the jobs, as a user's install would be.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
t0=$(date +%s)

say() { echo "== slurm-check: $*"; }
fail() {
    echo "slurm-check: FAILED: $*" >&2
    exit 1
}

if [ "$(id -u)" != 0 ]; then
    fail "needs root (it installs packages and runs slurmctld/slurmd as root)"
fi
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
    say "apt-get install slurm-wlm munge"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

say "cargo build --release --locked --bin omnisim"
cargo build --release --locked --quiet --bin omnisim
bin_dir=${CARGO_TARGET_DIR:-$repo/target}/release
export PATH="$bin_dir:$PATH"

work=$(mktemp -d /tmp/omnisim-slurm.XXXXXX)
chmod 755 "$work"
pids=()
stop_daemons() {
    local rc=$?
    if [ -n "${SLURM_CONF:-}" ] && [ "${#pids[@]}" -ge 3 ]; then
        # Jobs still running (after a failure or an interrupt) are this private cluster's: cancel
        # them so their steps end before the daemons do.
        timeout 10 scancel --quiet --full --user=root 2>/dev/null || true
        for _ in $(seq 25); do
            squeue --noheader 2>/dev/null | grep -q . || break
            sleep 0.2
        done
    fi
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        # Wait (at most ~10 s) for each to go, then make sure.
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
    done
    if [ "$rc" != 0 ]; then
        for log in "$work"/*.out; do
            [ -f "$log" ] && { echo "---- $log (last lines)"; tail -n 20 "$log"; }
        done
        for out in "$work"/jobs/*.out; do
            [ -f "$out" ] && { echo "---- $out"; tail -n 20 "$out"; }
        done
    fi
    rm -rf "$work"
    exit "$rc"
}
trap stop_daemons EXIT
trap 'exit 130' INT TERM

# --- munge: a private key and socket -------------------------------------------------------
mkdir -p "$work/munge"
chmod 755 "$work/munge" # clients need to reach the socket; the key itself is 0400
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --foreground --force \
    --key-file="$work/munge/munge.key" \
    --socket="$work/munge/munge.socket" \
    --pid-file="$work/munge/munged.pid" \
    --seed-file="$work/munge/munged.seed" >"$work/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$work/munge/munge.socket" ] && break; sleep 0.2; done
[ -S "$work/munge/munge.socket" ] || fail "munged did not start"

# --- slurm.conf for this machine ---------------------------------------------------------
host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
port=${SLURM_CHECK_PORT:-16817}
mkdir -p "$work/state" "$work/spool" "$work/jobs"
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<EOF
# A single-node cluster for scripts/slurm-check.sh (written for $host, $cpus CPUs, $mem_mb MB).
ClusterName=omnisim-check
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
ReturnToService=2
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=check Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

say "starting slurmctld and slurmd ($host, $cpus CPUs, $mem_mb MB, ports $port-$((port + 1)))"
slurmctld -D -i -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$work/slurmd.out" 2>&1 &
pids+=($!)
ready=0
for _ in $(seq 100); do
    state=$(sinfo --noheader --nodes="$host" --format=%T 2>/dev/null || true)
    case "$state" in
        idle*) ready=1; break ;;
    esac
    sleep 0.3
done
[ "$ready" = 1 ] || fail "the node did not come up idle (state: ${state:-none})"
sinfo

# --- helpers -----------------------------------------------------------------------------
# Waits for job ids (array jobs included) to leave the queue, then checks each ended COMPLETED.
wait_jobs() {
    local ids=("$@") deadline=$(($(date +%s) + 300))
    while squeue --noheader --jobs="$(IFS=,; echo "${ids[*]}")" 2>/dev/null | grep -q .; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "jobs ${ids[*]} still queued after 300 s"
        sleep 1
    done
    local id
    for id in "${ids[@]}"; do
        # One line per array task; every one must have COMPLETED (exit 0).
        scontrol show job "$id" | grep -o 'JobState=[A-Z_]*' | sort | uniq -c
        if scontrol show job "$id" | grep -o 'JobState=[A-Z_]*' | grep -vq 'JobState=COMPLETED'; then
            fail "job $id did not complete"
        fi
    done
}

# Submits deploy/slurm-array.sh as its usage line says (sbatch, from the folder where results
# go) and prints the ids of the array and the merge it submitted, from its output file.
submit() {
    local outdir=$1
    shift
    local job
    job=$(cd "$work/jobs" && SHARDS=$shards CPUS_PER_TASK=1 \
        sbatch --parsable "$repo/deploy/slurm-array.sh" "$@")
    wait_jobs "$job"
    local log
    log=$(ls "$work"/jobs/omnisim-"${job}"_*.out | head -n 1)
    cat "$log"
    local array merge
    array=$(sed -n 's/^submitted array job \([0-9]*\).*/\1/p' "$log")
    merge=$(sed -n 's/^submitted merge job \([0-9]*\).*/\1/p' "$log")
    [ -n "$array" ] && [ -n "$merge" ] || fail "the submit job printed no job ids"
    wait_jobs "$array" "$merge"
    [ -d "$work/jobs/$outdir/merged" ] || fail "no merged folder in $outdir"
}

without_engine() {
    awk '/^  "engine": \{/ { skip = 1; next } skip && /^  }/ { skip = 0; next } !skip' "$1"
}

shards=3
scenario=$repo/tests/conformance/erlang-c.toml

# --- a sharded run -----------------------------------------------------------------------
say "sharded run: sbatch deploy/slurm-array.sh $scenario run-out ($shards shards)"
omnisim run "$scenario" --quiet --out "$work/single"
submit run-out "$scenario" run-out
diff <(without_engine "$work/single/summary.json") \
    <(without_engine "$work/jobs/run-out/merged/summary.json") \
    || fail "the merged summary.json differs from one machine's"
grep -q '"engine"' "$work/jobs/run-out/merged/summary.json" || fail "no engine object"
say "run: merged summary.json equals one machine's (apart from engine)"

# --- a sharded sweep ---------------------------------------------------------------------
sweep=(--vary agent_groups.agent.count=8..16:4 --target 'service_level.fraction>=0.74')
say "sharded sweep: sbatch deploy/slurm-array.sh $scenario sweep-out ${sweep[*]}"
omnisim sweep "$scenario" --quiet "${sweep[@]}" --out "$work/single-sweep"
submit sweep-out "$scenario" sweep-out "${sweep[@]}"
for f in sweep.csv sweep.html target.json; do
    cmp "$work/single-sweep/$f" "$work/jobs/sweep-out/merged/$f" \
        || fail "the merged $f differs from one machine's"
done
say "sweep: merged sweep.csv, sweep.html and target.json equal one machine's"

say "passed in $(($(date +%s) - t0)) s"
