#!/usr/bin/env bash
# A real Slurm, on this machine, for `faultlab sweep --slurm`: starts munged,
# slurmctld and slurmd (Debian's packages) with everything they write kept in
# a temporary folder, submits a small sweep as a job array of 3 shards, waits
# for it, merges the shards with `faultlab sweep-merge` and compares the table
# byte for byte with the same sweep run on one machine.
#
# Exit 0: the tables are equal. Exit 77 (CTest's SKIP_RETURN_CODE): Slurm
# cannot run here (packages missing, not root, a daemon that does not start or
# a node that never becomes idle); the reason is printed. Anything else fails.
# Every daemon it starts is stopped on every path (the EXIT trap).
#
# Usage: run_slurm_test.sh FAULTLAB_BINARY SOURCE_DIR
set -uo pipefail

readonly SKIP=77
faultlab=$1
source_dir=$2

say() { echo "slurm-test: $*"; }
skip() {
  say "SKIPPED: $*"
  exit "$SKIP"
}
fail() {
  say "FAILED: $*"
  exit 1
}

PATH=$PATH:/usr/sbin:/sbin # the daemons live there, and a non-login PATH may lack it
for tool in munged mungekey slurmctld slurmd sbatch squeue sinfo scontrol scancel python3; do
  command -v "$tool" >/dev/null ||
    skip "$tool is not installed (Debian packages: munge slurmctld slurmd slurm-client; scripts/setup.sh installs them)"
done
[[ $(id -u) -eq 0 ]] || skip "slurmd must run as root to start jobs, and this test runs as $(id -un)"
[[ -x $faultlab ]] || fail "$faultlab is not built"

work=$(mktemp -d /tmp/faultlab-slurm-XXXXXX)
chmod 0700 "$work" # munged refuses a key or socket folder others can write in
pids=()            # the daemons this script started, in start order
job=""
node=$(hostname -s)

# The step daemons (slurmstepd) of our slurmd that still run. They leave
# slurmd's process tree, but slurmd gives them SLURM_CONF=<its -f file>, which
# no other Slurm's are given. (Exited ones are zombies for init to reap.)
our_stepds() {
  local pid
  for pid in $(pgrep -x slurmstepd); do
    grep -qzx "SLURM_CONF=$work/slurm.conf" "/proc/$pid/environ" 2>/dev/null && echo "$pid"
  done
}

cleanup() {
  local code=$?
  if [[ -n $job ]]; then scancel "$job" 2>/dev/null; fi
  # A step daemon removes its socket in the spool folder when it is done:
  # wait for that (up to 15 s) so slurmd stops with no step running.
  for _ in $(seq 150); do
    compgen -G "$work/spool/${node}_*" >/dev/null || break
    sleep 0.1
  done
  # Stop in reverse order: slurmd, slurmctld, then munged (the others need it to stop cleanly).
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "daemon $pid did not stop on SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
  done
  local left
  left=$(our_stepds | xargs)
  if [[ -n $left ]]; then
    say "step daemons still running after slurmd stopped: $left; killing them"
    kill -KILL $left 2>/dev/null
  fi
  if [[ ${FAULTLAB_KEEP_SLURM_DIR:-0} == 1 ]]; then say "kept $work"; else rm -rf "$work"; fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Skips, after the last lines of the daemon's log and what it printed.
skip_with_log() {
  local why=$1 log
  shift
  for log in "$@"; do
    [[ -s $log ]] && { say "last lines of $log:"; tail -n 15 "$log" | sed 's/^/    /'; }
  done
  skip "$why"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# munge: its own key, socket, pid file, seed and log, so a system munged (the
# Debian package starts one where services may start) is left alone.
mungekey --create --keyfile="$work/munge.key" 2>"$work/mungekey.err" ||
  skip_with_log "mungekey could not create a key" "$work/mungekey.err"
munged --foreground --force --socket="$work/munge.socket" --key-file="$work/munge.key" \
  --pid-file="$work/munged.pid" --seed-file="$work/munged.seed" --log-file="$work/munged.log" \
  >"$work/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -S $work/munge.socket ]] && break; kill -0 "${pids[0]}" 2>/dev/null || break; sleep 0.1; done
[[ -S $work/munge.socket ]] || skip_with_log "munged did not start" "$work/munged.log" "$work/munged.out"

cpus=$(nproc)
ctld_port=$(free_port)
slurmd_port=$(free_port)
while [[ $slurmd_port == "$ctld_port" ]]; do slurmd_port=$(free_port); done
mkdir -p "$work/state" "$work/spool"
export SLURM_CONF=$work/slurm.conf
# One node, the controller on it too. No cgroups (linuxproc tracks job
# processes, task/none binds nothing), no accounting, and config_overrides so
# slurmd takes the node's CPUs from here instead of checking the hardware.
cat >"$SLURM_CONF" <<EOF
ClusterName=faultlab-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge.socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
MinJobAge=120
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=faultlab Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -D -i -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 75); do
  kill -0 "${pids[1]}" 2>/dev/null || break
  if scontrol ping 2>/dev/null | grep -q "is UP"; then up=1; break; fi
  sleep 0.2
done
((up)) || skip_with_log "slurmctld did not start" "$work/slurmctld.log" "$work/slurmctld.out"

slurmd -D -N "$node" -f "$SLURM_CONF" >"$work/slurmd.out" 2>&1 &
pids+=($!)
state=""
for _ in $(seq 75); do
  kill -0 "${pids[2]}" 2>/dev/null || break
  state=$(sinfo -h -n "$node" -o %T 2>/dev/null)
  [[ $state == idle ]] && break
  sleep 0.2
done
kill -0 "${pids[2]}" 2>/dev/null || skip_with_log "slurmd did not start" "$work/slurmd.log" "$work/slurmd.out"
[[ $state == idle ]] || skip_with_log "the node is \"${state:-unknown}\", not idle, after 15 s" "$work/slurmd.log" "$work/slurmctld.log"
say "Slurm is up: node $node ($cpus CPUs) idle, slurmctld on port $ctld_port"

# A small sweep: 2 values x 2 seeds, 4 runs in 3 shards (slices of 1, 1 and 2
# runs), on a shortened replica-lag.
sweep=("$source_dir/scenarios/replica-lag.json" --variant broken
  --param workload.duration=3s --param components.profiles.read_your_writes=false,true --seeds 1..2)
submitted=$("$faultlab" sweep "${sweep[@]}" --slurm "$work/sweep" --shards 3 --submit \
  --out "$work/merged.csv" 2>&1) || fail "faultlab sweep --slurm --submit failed: $submitted"
echo "$submitted" | sed 's/^/    /'
job=$(sed -n 's/^submitted job \([0-9]*\).*/\1/p' <<<"$submitted")
[[ -n $job ]] || fail "no job id in what faultlab sweep --submit printed"

# Bounded so that with the waits above and the cleanup the test ends well
# within CTest's 120 s (whose kill would skip the cleanup).
deadline=$((SECONDS + 50))
while [[ -n $(squeue -h -j "$job" 2>/dev/null) ]]; do
  ((SECONDS < deadline)) || fail "job $job still queued or running after 50 s: $(squeue -j "$job" 2>&1)"
  sleep 0.5
done
say "job $job finished: $(scontrol show job "$job" 2>/dev/null | grep -o 'JobState=[A-Z]*' | sort | uniq -c | xargs)"

if ! "$faultlab" sweep-merge "$work/sweep" --out "$work/merged.csv"; then
  for log in "$work"/sweep/shard-*.log; do
    [[ -f $log ]] && { say "$log:"; sed 's/^/    /' "$log"; }
  done
  fail "sweep-merge refused the shards"
fi
"$faultlab" sweep "${sweep[@]}" --jobs 2 --no-progress --out "$work/one-machine.csv" >/dev/null ||
  fail "the one-machine sweep failed"
rows=$(($(wc -l <"$work/merged.csv") - 1))
((rows == 4)) || fail "the merged table has $rows rows, not 4"
if ! cmp "$work/merged.csv" "$work/one-machine.csv"; then
  diff "$work/merged.csv" "$work/one-machine.csv" | head -20
  fail "the merged Slurm table differs from the one-machine table"
fi
say "the merged table of job $job (4 rows from 3 shards) equals the one-machine sweep"
