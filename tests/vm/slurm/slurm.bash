# tests/vm/slurm/slurm.bash: a one-node Slurm 22.05 cluster in the test VM,
# from Debian 12's packages (tests/vm/packages/slurm). Loaded by the bats
# files of this directory after ../../lib/common:
#
#   setup_file()    { slurm_start; }          # or slurm_start ConstrainRAMSpace=no
#
# The daemons run on after a file, to the boot's end: the next file's
# slurm_start restarts them only when it asks for another configuration
# (each start costs 10-20 s under TCG), so files that share one keep them.
#
# The node is `node1` at 192.0.2.1 on lo: glibc resolves no name that maps
# only to 127.0.0.1 for a host without another address. munged and the
# daemons run as root (SlurmUser=root); cgroup/v2 with IgnoreSystemd=yes
# (no systemd in the VM) puts steps under
# /sys/fs/cgroup/system.slice/node1_slurmstepd.scope (Debian builds with
# multiple-slurmd). jobcomp/filetxt makes `sacct -c` work with no database.
# KillWait=5 keeps scancel short.
#
#   slurm_start [KEY=VALUE...]   cgroup.conf and slurm.conf keys over the
#                                defaults (ConstrainRAMSpace=yes), daemons
#                                (re)started when that changed them or they
#                                are not running, node idle
#   slurm_stop                   both daemons stopped (munged stays)
#   slurm_wait_done JOBID        the job has left the controller's queue
#   slurm_job JOBID FIELD        FIELD of the job's jobcomp line (JobState,
#                                ExitCode, ...)
#   slurm_sacct JOBID            sacct -c's "State ExitCode" for the job
#   slurm_expect_sacct JOBID "STATE CODE"
#                                the job done, and sacct -c says so of it
#   slurm_release_requeued JOBID N
#                                wait until the job is pending after its Nth
#                                requeue, then let it start at once (Slurm
#                                delays a requeued job's begin time)
#   slurm_report DIR             the one verdict in DIR, named JOBID.json
#                                (--report DIR/%j.json); its job id is
#                                the file's name
#   slurm_node_state             the node's state, lower case (idle, ...)
#   slurm_assert_clean           no job cgroup, ringfence leaf or test
#                                process left, the node idle

SLURM_NODE=node1
SLURM_SCOPE=/sys/fs/cgroup/system.slice/${SLURM_NODE}_slurmstepd.scope
SLURM_LOG=/var/log/slurm
SLURM_JOBCOMP=$SLURM_LOG/jobcomp.txt

# A daemon must not hold bats' descriptors (3 and up): bats waits for them.
_slurm_daemon() {
	"$@" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
}

# Once per boot: the packages, the node's address and name, munge.
_slurm_host() {
	[[ -e /run/rf-slurm-host ]] && return 0
	rf_packages slurm
	ip addr add 192.0.2.1/32 dev lo
	echo "192.0.2.1 $SLURM_NODE" >>/etc/hosts
	hostname "$SLURM_NODE"
	mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd "$SLURM_LOG" \
		/run/munge /etc/munge
	mungekey --create --keyfile=/etc/munge/munge.key
	chmod 0400 /etc/munge/munge.key
	_slurm_daemon munged --force
	rf_wait_for 60 test -S /run/munge/munge.socket.2
	# IgnoreSystemd=yes: Slurm makes system.slice itself but needs the
	# controllers given to it on the way.
	echo "+cpuset +cpu +memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p /sys/fs/cgroup/system.slice
	echo "+cpuset +cpu +memory +pids" >/sys/fs/cgroup/system.slice/cgroup.subtree_control
	touch /run/rf-slurm-host
}

# _slurm_conf FILE DEFAULTS... -- OVERRIDES...: KEY=VALUE lines, an override
# replacing the default of the same key (case-insensitive, as Slurm reads).
_slurm_conf() {
	local file=$1 kv key
	shift
	declare -A val=() order=()
	local -a keys=()
	for kv in "$@"; do
		[[ $kv == -- ]] && continue
		key=${kv%%=*}
		key=${key,,}
		[[ -n ${order[$key]:-} ]] || { order[$key]=1; keys+=("$key"); }
		val[$key]=$kv
	done
	for key in "${keys[@]}"; do echo "${val[$key]}"; done >"$file"
}

_slurm_is_cgroup_key() {
	case ${1,,} in
	cgroupplugin=* | ignoresystemd=* | constrain*=* | allowedramspace=* | \
		allowedswapspace=* | maxramPercent=* | memoryswappiness=*) return 0 ;;
	esac
	return 1
}

slurm_start() {
	local kv
	local -a cg=() sl=()
	for kv in "$@"; do
		if _slurm_is_cgroup_key "$kv"; then cg+=("$kv"); else sl+=("$kv"); fi
	done
	_slurm_host
	_slurm_conf /etc/slurm/cgroup.conf.new CgroupPlugin=cgroup/v2 IgnoreSystemd=yes \
		ConstrainRAMSpace=yes ConstrainSwapSpace=no -- "${cg[@]}"
	_slurm_conf /etc/slurm/slurm.conf.new ClusterName=rf SlurmctldHost=$SLURM_NODE \
		SlurmUser=root AuthType=auth/munge CredType=cred/munge MpiDefault=none \
		ProctrackType=proctrack/cgroup TaskPlugin=task/cgroup \
		JobAcctGatherType=jobacct_gather/cgroup \
		SelectType=select/cons_tres SelectTypeParameters=CR_Core_Memory \
		JobCompType=jobcomp/filetxt JobCompLoc=$SLURM_JOBCOMP \
		AccountingStorageType=accounting_storage/none \
		StateSaveLocation=/var/spool/slurmctld SlurmdSpoolDir=/var/spool/slurmd \
		SlurmctldPidFile=/run/slurmctld.pid SlurmdPidFile=/run/slurmd.pid \
		SlurmctldLogFile=$SLURM_LOG/slurmctld.log SlurmdLogFile=$SLURM_LOG/slurmd.log \
		KillWait=5 ReturnToService=2 \
		"NodeName=$SLURM_NODE CPUs=2 RealMemory=1500 State=UNKNOWN" \
		"PartitionName=debug Nodes=$SLURM_NODE Default=YES MaxTime=INFINITE State=UP" \
		-- "${sl[@]}"
	if _slurm_conf_unchanged && _slurm_daemons_running; then
		rm -f /etc/slurm/{cgroup,slurm}.conf.new
	else
		slurm_stop
		mv /etc/slurm/cgroup.conf.new /etc/slurm/cgroup.conf
		mv /etc/slurm/slurm.conf.new /etc/slurm/slurm.conf
		_slurm_daemons_start
	fi
	rf_wait_for 120 _slurm_node_is idle || {
		echo "node1 did not become idle: $(slurm_node_state)" >&2
		tail -n 20 "$SLURM_LOG/slurmctld.log" "$SLURM_LOG/slurmd.log" >&2
		return 1
	}
}

_slurm_conf_unchanged() {
	cmp -s /etc/slurm/cgroup.conf.new /etc/slurm/cgroup.conf &&
		cmp -s /etc/slurm/slurm.conf.new /etc/slurm/slurm.conf
}

_slurm_daemons_running() {
	local f
	for f in /run/slurmd.pid /run/slurmctld.pid; do
		[[ -s $f ]] && kill -0 "$(<"$f")" 2>/dev/null || return 1
	done
}

_slurm_daemons_start() {
	_slurm_daemon slurmctld || { tail -n 20 "$SLURM_LOG/slurmctld.log" >&2; return 1; }
	_slurm_daemon slurmd || { tail -n 20 "$SLURM_LOG/slurmd.log" >&2; return 1; }
}

_slurm_pid_gone() {
	! kill -0 "$1" 2>/dev/null
}

slurm_stop() {
	local f pid
	for f in /run/slurmd.pid /run/slurmctld.pid; do
		[[ -s $f ]] || continue
		pid=$(<"$f")
		kill "$pid" 2>/dev/null || true
		rf_wait_for 60 _slurm_pid_gone "$pid" || { echo "$f: $pid still running" >&2; return 1; }
		rm -f "$f"
	done
}

slurm_report() {
	local f
	f=$(ls "$1")
	[[ $f =~ ^[0-9]+\.json$ ]] || { echo "reports in $1: ${f:-none}" >&2; return 1; }
	echo "$1/$f"
}

slurm_node_state() {
	sinfo -h -N -n "$SLURM_NODE" -o %T 2>/dev/null
}

_slurm_node_is() {
	[[ $(slurm_node_state) == "$1" ]]
}

# The job is no longer in the queue (completed, failed, cancelled, ...).
_slurm_gone() {
	[[ -z $(squeue -h -j "$1" -o %i 2>/dev/null) ]] && grep -q "^JobId=$1 " "$SLURM_JOBCOMP" 2>/dev/null
}

slurm_wait_done() {
	rf_wait_for "${2:-180}" _slurm_gone "$1" || {
		echo "job $1 still queued or running:" >&2
		scontrol show job "$1" >&2
		return 1
	}
}

# The last jobcomp line of the job (a requeued job has one per run).
slurm_job() {
	grep "^JobId=$1 " "$SLURM_JOBCOMP" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

slurm_sacct() {
	sacct -c -n -P -j "$1" -o State,ExitCode 2>/dev/null | tail -n 1 | tr '|' ' '
}

slurm_expect_sacct() {
	slurm_wait_done "$1"
	[[ $(slurm_sacct "$1") == "$2" ]] || _rf_fail "job $1: sacct says '$(slurm_sacct "$1")', not '$2'"
}

_slurm_requeued() {
	local show
	show=$(scontrol show job "$1" 2>/dev/null)
	[[ $show == *JobState=PENDING* && $show == *"Restarts=$2 "* ]]
}

slurm_release_requeued() {
	rf_wait_for "${3:-180}" _slurm_requeued "$1" "$2" || {
		echo "job $1 was not requeued a ${2}th time:" >&2
		scontrol show job "$1" >&2
		return 1
	}
	scontrol update JobId="$1" StartTime=now
}

# Wait for the state a test needs: the job running with its step started.
_slurm_running() {
	[[ $(squeue -h -j "$1" -o %T 2>/dev/null) == RUNNING ]]
}

slurm_wait_running() {
	rf_wait_for "${2:-120}" _slurm_running "$1" || {
		echo "job $1 is not running:" >&2
		scontrol show job "$1" >&2
		return 1
	}
}

# Slurm removes a job's cgroups at its end, a moment after the job left the
# queue.
_slurm_no_job_cgroups() {
	[[ -z $(find "$SLURM_SCOPE" -mindepth 1 -maxdepth 1 -type d -name 'job_*' 2>/dev/null) ]]
}

# ringfence's leaves: the default `run-PID-RANDOM`, and the tests' rf-slurm-*.
_slurm_leaves() {
	find /sys/fs/cgroup -type d \( -name 'run-[0-9]*-*' -o -name 'rf-slurm-*' \) 2>/dev/null
}

slurm_assert_clean() {
	local leaves procs
	rf_wait_for 60 _slurm_no_job_cgroups || {
		echo "job cgroups left:" >&2
		find "$SLURM_SCOPE" -type d -name 'job_*' >&2
		return 1
	}
	leaves=$(_slurm_leaves)
	[[ -z $leaves ]] || { echo "ringfence leaves left: $leaves" >&2; return 1; }
	# Every payload of these tests runs `sleep 1NNN` or a marked shell.
	procs=$(grep -a -l -E '^(sleep.1[0-9]{3}|rf-slurm-payload)' /proc/[0-9]*/cmdline 2>/dev/null || true)
	[[ -z $procs ]] || { echo "processes left: $(cat $procs | tr '\0' ' ')" >&2; return 1; }
	# Idle once the backfill scheduler has run again: the PLANNED mark it
	# put on the node for a job since done stays until then (bf_interval,
	# 30 s by default).
	rf_wait_for 120 _slurm_node_is idle ||
		{ echo "node1 is $(slurm_node_state)" >&2; scontrol show node >&2; return 1; }
}
