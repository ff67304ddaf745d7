#!/usr/bin/env bash
# Integration test of `searchlight submit slurm` on a real Slurm cluster of one node.
#
# Installs Debian's slurm-wlm and munge, starts munged, slurmctld and slurmd on this
# machine (no cgroups: proctrack/linuxproc, task/none), submits a 4-shard run of the
# dark-Higgs reference search (job array + merge job with --dependency=afterok), waits
# for the merge, and requires its results.json and cutflow.md to be byte-identical to a
# single-process run. Needs root (apt-get, daemons); stops the daemons on exit.
#
# usage: scripts/slurm_cluster_test.sh PATH/TO/searchlight
set -euo pipefail
cd "$(dirname "$0")/.."
searchlight=$(realpath "${1:?usage: $0 PATH/TO/searchlight}")
spec=analyses/dark_higgs_idm.yaml
shards=4

if [ "$(id -u)" != 0 ]; then
  echo "slurm_cluster_test: needs root to install and start Slurm" >&2
  exit 1
fi
if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurm-wlm munge > /dev/null
fi

work=$(mktemp -d /tmp/searchlight-slurm.XXXXXX)
state="$work/state"
mkdir -p "$state/ctld" "$state/d"
host=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ { print $2 }' /proc/meminfo) / 1024 - 1024 ))

cleanup() {
  scancel --user=root > /dev/null 2>&1 || true
  for pidfile in "$state/slurmd.pid" "$state/slurmctld.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2> /dev/null || true
  done
  [ -n "${munged_pid:-}" ] && kill "$munged_pid" 2> /dev/null || true
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT

# munge: a key, and the daemon as the munge user.
if [ ! -s /etc/munge/munge.key ]; then
  if command -v mungekey > /dev/null; then mungekey --create --keyfile=/etc/munge/munge.key
  else dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2> /dev/null; fi
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! munge -n > /dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 30); do [ -S /run/munge/munge.socket.2 ] && break; sleep 0.2; done
  munged_pid=$(pgrep -n -x munged)
fi
munge -n | unmunge > /dev/null

# One node, one partition, daemons as root, no cgroups or accounting.
mkdir -p /etc/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=searchlight
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=batch Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -i
slurmd
for _ in $(seq 60); do
  sinfo -h -o '%T' 2> /dev/null | grep -q idle && break
  sleep 1
done
sinfo

# The single-process reference (it also generates the toy inputs into the shared cache).
export SEARCHLIGHT_CACHE="$work/cache"
"$searchlight" run "$spec" -o "$work/whole"

# The sharded run through Slurm.
"$searchlight" submit slurm "$spec" --shards "$shards" --mem 1G -o "$work/sharded"
for _ in $(seq 600); do
  [ -z "$(squeue -h -u root)" ] && break
  sleep 1
done
if [ ! -s "$work/sharded/results.json" ]; then
  echo "slurm_cluster_test: the merge wrote no results.json; job logs:" >&2
  tail -n 20 "$work"/sharded/slurm/logs/* "$state"/slurmctld.log >&2 || true
  exit 1
fi
ls "$work/sharded/partials"
cmp "$work/whole/results.json" "$work/sharded/results.json"
cmp "$work/whole/cutflow.md" "$work/sharded/cutflow.md"
echo "slurm_cluster_test: $shards shards through Slurm give the single-process results byte for byte"
