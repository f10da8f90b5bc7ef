#!/usr/bin/env bats
# ringfence as an OCI runtime: exec, update and events on a running
# container, each against crun too where crun has the command.

load ../lib/common
load ../lib/oci

rf_teardown() {
	oci_cleanup_check
}

ns_of() {
	readlink "/proc/$1/ns/$2"
}

exec_scenario() {
	local rt=$1 b=$BATS_TEST_TMPDIR/ex-$1 init pid
	oci_bundle "$b"
	oci_detached "$rt" run -d --bundle "$b" "ex-$rt"
	expect_status 0
	init=$(oci_state "$rt" "ex-$rt" pid)

	oci_detached "$rt" exec -d --pid-file "$b/exec.pid" "ex-$rt" sleep 500
	expect_status 0
	pid=$(cat "$b/exec.pid")
	[[ -d /proc/$pid ]] || _rf_fail "the exec'd process $pid is not alive"
	[[ $(cat "/proc/$pid/cgroup") == "$(cat "/proc/$init/cgroup")" ]] ||
		_rf_fail "exec'd into $(cat "/proc/$pid/cgroup"), the container is in $(cat "/proc/$init/cgroup")"
	for ns in pid mnt net ipc uts; do
		[[ $(ns_of "$pid" $ns) == "$(ns_of "$init" $ns)" ]] ||
			_rf_fail "the exec'd process is not in the container's $ns namespace"
	done
	oci "$rt" ps --format json "ex-$rt"
	expect_status 0
	[[ $(jq -c 'sort' <<<"$output") == "$(printf '%s\n' "$init" "$pid" | sort -n | jq -sc .)" ]] ||
		_rf_fail "ps lists $output, expected $init and $pid"

	oci "$rt" exec "ex-$rt" sh -c 'exit 7'
	expect_status 7

	oci "$rt" exec -u 1000:1001 "ex-$rt" sh -c 'echo "$(id -u):$(id -g)"'
	expect_status 0
	expect_line 1000:1001

	# exec starts from the config create saved, not the bundle's file now
	oci_edit "$b" '.process.env += ["CHANGED=later"]'
	oci "$rt" exec "ex-$rt" sh -c 'echo "changed=${CHANGED:-no}"'
	expect_status 0
	expect_line changed=no

	jq -n '{args: ["sh", "-c", "echo $FOO; pwd"], env: ["FOO=from-process-json", "PATH=/bin"],
		cwd: "/tmp", user: {uid: 0, gid: 0}}' >"$b/process.json"
	oci "$rt" exec --process "$b/process.json" "ex-$rt"
	expect_status 0
	expect_line from-process-json
	expect_line /tmp

	oci "$rt" delete -f "ex-$rt"
	expect_status 0
	[[ ! -d /proc/$pid ]] || [[ $(cut -d' ' -f3 "/proc/$pid/stat") == Z ]] ||
		_rf_fail "the exec'd process survived delete -f"
}

@test "exec joins the container's namespaces and cgroup: detached with a pid file, foreground status, --process (ringfence)" {
	requires root cgroup2 jq
	exec_scenario ringfence
}

@test "exec joins the container's namespaces and cgroup: detached with a pid file, foreground status, --process (crun)" {
	requires root cgroup2 jq crun
	exec_scenario crun
}

@test "exec without setns through a pidfd (kernels before 5.8): the same namespaces, entered file by file" {
	requires root cgroup2 jq
	local b=$BATS_TEST_TMPDIR/nopidfd init pid ns
	oci_bundle "$b"
	oci_detached ringfence run -d --bundle "$b" nopidfd
	expect_status 0
	init=$(oci_state ringfence nopidfd pid)
	RINGFENCE_NO_SETNS_PIDFD=1 oci_detached ringfence exec -d --pid-file "$b/exec.pid" nopidfd \
		sleep 500
	expect_status 0
	pid=$(cat "$b/exec.pid")
	for ns in pid mnt net ipc uts; do
		[[ $(ns_of "$pid" $ns) == "$(ns_of "$init" $ns)" ]] ||
			_rf_fail "the exec'd process is not in the container's $ns namespace"
	done
	oci ringfence delete -f nopidfd
	expect_status 0
}

update_scenario() {
	local rt=$1 b=$BATS_TEST_TMPDIR/up-$1 cg
	oci_bundle "$b"
	oci_detached "$rt" run -d --bundle "$b" "up-$rt"
	expect_status 0
	cg=$(oci_cgroup "$rt" "up-$rt")
	oci "$rt" update --memory 67108864 --memory-swap 67108864 "up-$rt"
	expect_status 0
	[[ $(cat "$cg/memory.max") == 67108864 ]] || _rf_fail "memory.max is $(cat "$cg/memory.max")"
	echo '{"pids": {"limit": 20}}' >"$b/res.json"
	oci "$rt" update --resources "$b/res.json" "up-$rt"
	expect_status 0
	[[ $(cat "$cg/pids.max") == 20 ]] || _rf_fail "pids.max is $(cat "$cg/pids.max")"
	[[ $(cat "$cg/memory.max") == 67108864 ]] || _rf_fail "memory.max changed to $(cat "$cg/memory.max")"
	oci "$rt" delete -f "up-$rt"
	expect_status 0
}

@test "update changes cpu.max's quota or period alone, keeping the other (ringfence)" {
	requires root cgroup2 cpu jq
	update_cpu_scenario ringfence period
}

# crun 1.8 agrees on a quota alone; a period alone it writes as `max
# PERIOD`, dropping the quota (runc keeps it, as ringfence does:
# tests/vm/engines/runc.bats).
@test "update changes cpu.max's quota alone, keeping the period (crun)" {
	requires root cgroup2 cpu jq crun
	update_cpu_scenario crun
}

@test "update writes memory.max and pids.max, and only what it is given (ringfence)" {
	requires root cgroup2 jq
	update_scenario ringfence
}

@test "update writes memory.max and pids.max, and only what it is given (crun)" {
	requires root cgroup2 jq crun
	update_scenario crun
}

# runc is the peer (tests/vm/engines/runc.bats): crun 1.8 reads the form's
# "swap": 0 as a limit and refuses it as below memory.limit.
@test "update --resources in runc's documented form: the limit written, zeros and what v2 lacks left alone (ringfence)" {
	requires root cgroup2 cpu jq
	update_runc_form_scenario ringfence
}

@test "events reports an OOM kill as it happens, with its scope; delete keeps the verdict" {
	requires root cgroup2 jq
	local b=$BATS_TEST_TMPDIR/oom epid
	# tail keeps what it reads of a file without newlines: /dev/zero grows it.
	oci_bundle "$b" tail /dev/zero
	oci_edit "$b" ".linux.resources.memory = {limit: 33554432, swap: 33554432}
		| .annotations = {\"ringfence.verdict\": \"$b/annotated.json\"}"
	oci_detached ringfence create --bundle "$b" oom
	expect_status 0
	"$RINGFENCE" --root "$OCI_ROOT/ringfence" events --interval 1h oom >"$b/events" 2>&1 &
	epid=$!
	# Watching once it has its timer (made after its baseline).
	rf_wait_for 30 bash -c "ls -l /proc/$epid/fd | grep -q timerfd" ||
		_rf_fail "events is not watching: $(cat "$b/events")"
	oci ringfence start oom
	expect_status 0
	oci_wait_status ringfence oom stopped
	rf_wait_for 30 test ! -d "/proc/$epid" || _rf_fail "events did not end with the container"
	wait "$epid" || _rf_fail "events failed: $(cat "$b/events")"
	# One OOM at the container's limit: every oom event says so (a group
	# kill may be read as two rises of oom_kill).
	jq -se 'map(select(.type == "oom" and .id == "oom")) | length > 0 and all(.scope == "limit")' \
		"$b/events" >/dev/null || _rf_fail "oom events not all with scope limit: $(cat "$b/events")"
	oci ringfence state oom
	[[ $(jq -r .ringfence.verdict <<<"$output") == oom-limit ]] ||
		_rf_fail "state's verdict: $output"
	[ ! -e "$b/annotated.json" ] || _rf_fail "the annotated verdict before delete"
	oci ringfence delete oom
	expect_status 0
	expect_json "$OCI_ROOT/ringfence/oom.verdict.json" verdict oom-limit
	expect_json "$b/annotated.json" verdict oom-limit
}

@test "ringfence.verdict is written inside the bundle: a link in it does not lead delete out" {
	requires root cgroup2 jq
	local b=$BATS_TEST_TMPDIR/vlink out=$BATS_TEST_TMPDIR/outside
	oci_bundle "$b" true
	mkdir -p "$out"
	ln -s "$out" "$b/link"
	oci_edit "$b" ".annotations = {\"ringfence.verdict\": \"$b/link/v.json\"}"
	oci_detached ringfence run -d --bundle "$b" vlink
	expect_status 0
	oci_wait_status ringfence vlink stopped
	oci ringfence delete vlink
	expect_status 0
	expect_stderr_contains "annotation ringfence.verdict: open \`link\` in the bundle: No such file"
	[[ ! -e $out/v.json ]] || _rf_fail "delete wrote through the link, outside the bundle"
	# the root's copy is written all the same (`stopped`: it ended before delete)
	expect_json "$OCI_ROOT/ringfence/vlink.verdict.json" verdict stopped
}

@test "events --stats prints one stats object with cpu, memory and pids" {
	requires root cgroup2 jq
	local b=$BATS_TEST_TMPDIR/stats
	oci_bundle "$b"
	oci_edit "$b" '.linux.resources.pids = {limit: 99}'
	oci_detached ringfence run -d --bundle "$b" stats
	expect_status 0
	oci ringfence events --stats stats
	expect_status 0
	[[ $(jq -r .type <<<"$output") == stats ]] || _rf_fail "type"
	[[ $(jq -r .data.pids.limit <<<"$output") == 99 ]] || _rf_fail "pids.limit"
	[[ $(jq -r .data.pids.current <<<"$output") == 1 ]] || _rf_fail "pids.current"
	jq -e '.data.memory.usage.usage > 0 and .data.cpu.usage.total >= 0' <<<"$output" >/dev/null ||
		_rf_fail "memory/cpu"
	oci ringfence delete -f stats
	expect_status 0
}

exec_tty() {
	local rt=$1 b=$BATS_TEST_TMPDIR/et-$1
	oci_bundle "$b"
	oci_detached "$rt" run -d --bundle "$b" "et-$rt"
	expect_status 0
	# script(1) gives the runtime a terminal, as a user's shell would
	# (`test -t 0`, not tty(1): the caller's terminal, handed over, has no
	# name in the container's own /dev/pts, where crun makes a pty)
	run_cmd timeout 60 script -qec "$(oci_runtime "$rt") --root $OCI_ROOT/$rt exec -t et-$rt \
		sh -c 'test -t 0 && test -t 1 && echo a-terminal; exit 4'" /dev/null
	expect_status 4
	expect_output_contains a-terminal
	oci "$rt" delete -f "et-$rt"
	expect_status 0
}

@test "exec -t in the foreground: the process gets a terminal, its status comes back (ringfence)" {
	requires root cgroup2 jq script
	exec_tty ringfence
}

@test "exec -t in the foreground: the process gets a terminal, its status comes back (crun)" {
	requires root cgroup2 jq script crun
	exec_tty crun
}

# The capability sets and no_new_privs a process shows, from its status.
CAPS_OF='grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):" /proc/self/status | tr -d "\t"'

# exec --process, as containerd's shim (docker exec, kubectl exec) and conmon
# call every exec: the file is an OCI process, read as runc and crun read it.
# Its five capability sets apply as given (here to uid 1000, whose ambient
# CAP_NET_RAW survives the exec), or the container's when it has none;
# no_new_privs only when it says true (a bundle without the key has none
# either); terminal false draws no warning; terminal true is a pty of the
# file's consoleSize, sent to --console-socket.
process_file_scenario() {
	local rt=$1 b=$BATS_TEST_TMPDIR/pf-$1 init rpid l
	oci_bundle "$b"
	oci_edit "$b" 'del(.process.noNewPrivileges) | .process.capabilities =
		{bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"], effective: ["CAP_CHOWN"],
		 permitted: ["CAP_CHOWN"], inheritable: [], ambient: []}'
	oci_detached "$rt" run -d --bundle "$b" "pf-$rt"
	expect_status 0
	init=$(oci_state "$rt" "pf-$rt" pid)
	grep -qx 'NoNewPrivs:	0' "/proc/$init/status" ||
		_rf_fail "a bundle without noNewPrivileges: $(grep NoNewPrivs "/proc/$init/status")"

	jq -n --arg sh "$CAPS_OF" '{args: ["sh", "-c", $sh], cwd: "/", terminal: false,
		user: {uid: 1000, gid: 1000}, noNewPrivileges: true,
		capabilities: {bounding: ["CAP_KILL", "CAP_NET_RAW"], effective: ["CAP_NET_RAW"],
			permitted: ["CAP_KILL", "CAP_NET_RAW"], inheritable: ["CAP_NET_RAW"],
			ambient: ["CAP_NET_RAW"]}}' >"$b/own.json"
	oci "$rt" exec --process "$b/own.json" "pf-$rt"
	expect_status 0
	[[ -z $stderr ]] || _rf_fail "stderr: $stderr"
	# CAP_KILL is 5, CAP_NET_RAW 13
	for l in CapInh:0000000000002000 CapPrm:0000000000002000 CapEff:0000000000002000 \
		CapBnd:0000000000002020 CapAmb:0000000000002000 NoNewPrivs:1; do
		expect_line "$l"
	done

	jq -n --arg sh "$CAPS_OF" '{args: ["sh", "-c", $sh], cwd: "/", user: {uid: 0, gid: 0}}' \
		>"$b/bare.json"
	oci "$rt" exec --process "$b/bare.json" "pf-$rt"
	expect_status 0
	[[ -z $stderr ]] || _rf_fail "stderr: $stderr"
	# the container's sets (root: the bounding set comes back at exec)
	for l in CapInh:0000000000000000 CapBnd:0000000000002021 CapAmb:0000000000000000 \
		NoNewPrivs:0; do
		expect_line "$l"
	done

	jq -n '{args: ["sh", "-c", "stty size; tty"], cwd: "/", user: {uid: 0, gid: 0},
		terminal: true, consoleSize: {height: 41, width: 133}}' >"$b/tty.json"
	timeout 120 recvtty "$b.sock" >"$b/out" 2>"$b/err" &
	rpid=$!
	rf_wait_for 10 test -S "$b.sock" || _rf_fail "recvtty did not listen"
	oci_detached "$rt" exec -d --pid-file "$b/exec.pid" --console-socket "$b.sock" \
		--process "$b/tty.json" "pf-$rt"
	expect_status 0
	wait "$rpid" || _rf_fail "recvtty: $(cat "$b/err")"
	grep -q '^41 133' "$b/out" || _rf_fail "the pty: $(cat -v "$b/out")"
	grep -q '^/dev/pts/' "$b/out" || _rf_fail "not a pty: $(cat -v "$b/out")"
	oci "$rt" delete -f "pf-$rt"
	expect_status 0
}

@test "exec --process reads an OCI process: its capability sets, no_new_privs as given, its terminal (ringfence)" {
	requires root cgroup2 jq recvtty
	process_file_scenario ringfence
}

@test "exec --process reads an OCI process: its capability sets, no_new_privs as given, its terminal (crun)" {
	requires root cgroup2 jq recvtty crun
	process_file_scenario crun
}

# linux.personality LINUX32: the container's process and what is exec'd into
# it run in the 32-bit execution domain (`uname -m` says i686, as under
# `setarch i686`); LINUX is the native one.
personality_scenario() {
	local rt=$1 b=$BATS_TEST_TMPDIR/pe-$1 pid
	oci_bundle "$b" sleep 500
	oci_edit "$b" '.linux.personality = {domain: "LINUX32"}'
	oci_detached "$rt" run -d --bundle "$b" "pe-$rt"
	expect_status 0
	pid=$(oci_state "$rt" "pe-$rt" pid)
	# PER_LINUX32 is 0x0008
	[[ $(cat "/proc/$pid/personality") == 00000008 ]] ||
		_rf_fail "the container's process has personality $(cat "/proc/$pid/personality")"
	oci "$rt" exec "pe-$rt" uname -m
	expect_status 0
	expect_line i686
	# a process file has no personality of its own: the container's holds
	jq -n '{args: ["uname", "-m"], cwd: "/", user: {uid: 0, gid: 0}}' >"$b/process.json"
	oci "$rt" exec --process "$b/process.json" "pe-$rt"
	expect_status 0
	expect_line i686
	oci "$rt" delete -f "pe-$rt"
	expect_status 0
	oci_edit "$b" '.linux.personality = {domain: "LINUX"} | .process.args = ["uname", "-m"]'
	oci "$rt" run --bundle "$b" "pe-$rt"
	expect_status 0
	expect_line x86_64
}

@test "linux.personality LINUX32 holds for the container's process and an exec; LINUX is native (ringfence)" {
	requires root cgroup2 jq
	[[ $(uname -m) == x86_64 ]] || skip "the host is $(uname -m), not x86_64"
	personality_scenario ringfence
}

@test "linux.personality LINUX32 holds for the container's process and an exec; LINUX is native (crun)" {
	requires root cgroup2 jq crun
	[[ $(uname -m) == x86_64 ]] || skip "the host is $(uname -m), not x86_64"
	personality_scenario crun
}

@test "ringfence run --bundle runs in the bundle's personality, and a bad domain is refused naming its path" {
	requires root cgroup2 jq
	[[ $(uname -m) == x86_64 ]] || skip "the host is $(uname -m), not x86_64"
	local b=$BATS_TEST_TMPDIR/pr
	oci_bundle "$b" uname -m
	oci_edit "$b" '.linux.personality = {domain: "LINUX32"}'
	rf_run run -q --bundle "$b"
	expect_status 0
	expect_line i686
	oci_edit "$b" '.linux.personality = {domain: "PER_LINUX32"}'
	rf_run run -q --bundle "$b"
	expect_status 125
	expect_stderr_contains 'linux.personality.domain: `PER_LINUX32` is not a domain (expected LINUX or LINUX32)'
}

# process.ioPriority: the container's process (and an exec, which starts
# from the container's process) has the class and level `ionice -c -n`
# gives, read back by `ionice -p` as for a command ionice started itself.
@test "process.ioPriority is the container's I/O class and level, as ionice sets them" {
	requires root cgroup2 jq ionice
	local b=$BATS_TEST_TMPDIR/io pid want peer
	ionice -c 2 -n 6 sleep 500 &
	peer=$!
	want=$(ionice -p "$peer")
	kill "$peer"
	wait "$peer" 2>/dev/null || true
	[[ $want == "best-effort: prio 6" ]] || _rf_fail "ionice reads back its own as: $want"
	oci_bundle "$b" sleep 500
	oci_edit "$b" '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 6}'
	oci_detached ringfence run -d --bundle "$b" io
	expect_status 0
	pid=$(oci_state ringfence io pid)
	[[ $(ionice -p "$pid") == "$want" ]] || _rf_fail "the container's: $(ionice -p "$pid")"
	oci_detached ringfence exec -d --pid-file "$b/exec.pid" io sleep 400
	expect_status 0
	[[ $(ionice -p "$(cat "$b/exec.pid")") == "$want" ]] ||
		_rf_fail "the exec'd process's: $(ionice -p "$(cat "$b/exec.pid")")"
	oci ringfence delete -f io
	expect_status 0
	oci_edit "$b" '.process.ioPriority = {class: "IOPRIO_CLASS_IDLE", priority: 0} |
		.process.args = ["sleep", "0"]'
	rf_run run -q --bundle "$b"
	expect_status 0
	oci_edit "$b" '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 8}'
	rf_run run -q --bundle "$b"
	expect_status 125
	expect_stderr_contains 'process.ioPriority.priority: out of range (expected 0 to 7)'
}

# The scheduling attributes a process shows: chrt's two lines (its pid
# left out) and its nice value.
sched_of() {
	chrt -p "$1" | sed 's/^pid [0-9]*//'
	awk '{ print "nice " $19 }' "/proc/$1/stat"
}

# process.scheduler: the container's process (and an exec, which starts from
# the container's process) has the policy, priority, flags and nice value
# chrt and nice give a command of their own.
sched_scenario() {
	local b=$1 sched=$2 peer want pid
	shift 2
	"$@" sleep 500 &
	peer=$!
	# once the tools have exec'd into the sleep, it has what they set
	rf_wait_for 30 bash -c "[[ \$(cat /proc/$peer/comm) == sleep ]]" && want=$(sched_of "$peer")
	kill "$peer"
	wait "$peer" 2>/dev/null || true
	[[ -n $want ]] || _rf_fail "$* sleep did not start"
	oci_bundle "$b" sleep 500
	oci_edit "$b" ".process.scheduler = $sched"
	oci_detached ringfence run -d --bundle "$b" sc
	expect_status 0
	pid=$(oci_state ringfence sc pid)
	[[ $(sched_of "$pid") == "$want" ]] ||
		_rf_fail "the container's: $(sched_of "$pid"), $* gives: $want"
	oci_detached ringfence exec -d --pid-file "$b/exec.pid" sc sleep 400
	expect_status 0
	[[ $(sched_of "$(cat "$b/exec.pid")") == "$want" ]] ||
		_rf_fail "the exec'd process's: $(sched_of "$(cat "$b/exec.pid")")"
	oci ringfence delete -f sc
	expect_status 0
}

@test "process.scheduler SCHED_BATCH with nice 5 is what chrt -b and nice -n 5 give" {
	requires root cgroup2 jq chrt
	sched_scenario "$BATS_TEST_TMPDIR/sb" '{policy: "SCHED_BATCH", nice: 5}' chrt -b 0 nice -n 5
}

@test "process.scheduler SCHED_FIFO 10, reset on fork, is what chrt -R -f 10 gives; priority 0 is refused" {
	requires root cgroup2 jq chrt
	local b=$BATS_TEST_TMPDIR/sf
	sched_scenario "$b" '{policy: "SCHED_FIFO", priority: 10, flags: ["SCHED_FLAG_RESET_ON_FORK"]}' \
		chrt -R -f 10
	oci_edit "$b" '.process.scheduler = {policy: "SCHED_FIFO"}'
	rf_run run -q --bundle "$b"
	expect_status 125
	expect_stderr_contains 'process.scheduler.priority: SCHED_FIFO and SCHED_RR take 1 to 99'
}

# The CPUs a process may run on, as the kernel lists them.
cpus_of() {
	sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$1/status"
}

# process.execCPUAffinity: an exec runs on its final CPUs, or stays on its
# initial ones when it gives no final list, as a command taskset -c started
# does. Without it, the runtime's own pinning (taskset on ringfence) is not
# handed on to the container's process or an exec: they may run on every
# CPU, as a plain command may (runc 1.2 resets it the same way).
@test "process.execCPUAffinity pins an exec as taskset does; without it the runtime's pinning is not inherited" {
	requires root cgroup2 jq taskset
	(($(nproc --all) >= 2)) || skip "the VM has one CPU"
	local b=$BATS_TEST_TMPDIR/aff peer all one pid want cg
	sleep 500 &
	peer=$!
	all=$(cpus_of "$peer")
	kill "$peer"
	taskset -c 1 sleep 500 &
	peer=$!
	rf_wait_for 30 bash -c "[[ \$(cat /proc/$peer/comm) == sleep ]]" && one=$(cpus_of "$peer")
	kill "$peer"
	wait 2>/dev/null || true
	[[ $all != "$one" && $one == 1 ]] || _rf_fail "taskset gives $one, a plain command $all"

	oci_bundle "$b" sleep 500
	RF_LAST_CMD=(taskset -c 0 "$RINGFENCE" --root "$OCI_ROOT/ringfence" run -d --bundle "$b" aff)
	"${RF_LAST_CMD[@]}" </dev/null >/dev/null 2>"$b.err" || _rf_fail "run -d: $(cat "$b.err")"
	pid=$(oci_state ringfence aff pid)
	[[ $(cpus_of "$pid") == "$all" ]] || _rf_fail "the container's process: $(cpus_of "$pid")"
	taskset -c 0 "$RINGFENCE" --root "$OCI_ROOT/ringfence" exec -d --pid-file "$b/exec.pid" aff \
		sleep 400 </dev/null || _rf_fail "exec -d failed"
	[[ $(cpus_of "$(cat "$b/exec.pid")") == "$all" ]] ||
		_rf_fail "an exec without execCPUAffinity: $(cpus_of "$(cat "$b/exec.pid")")"
	oci ringfence delete -f aff
	expect_status 0

	oci_edit "$b" '.process.execCPUAffinity = {final: "1"}'
	oci_detached ringfence run -d --bundle "$b" aff
	expect_status 0
	pid=$(oci_state ringfence aff pid)
	[[ $(cpus_of "$pid") == "$all" ]] || _rf_fail "the container's process is an exec's: $(cpus_of "$pid")"
	oci_detached ringfence exec -d --pid-file "$b/exec.pid" aff sleep 400
	expect_status 0
	[[ $(cpus_of "$(cat "$b/exec.pid")") == "$one" ]] ||
		_rf_fail "final 1: $(cpus_of "$(cat "$b/exec.pid")")"
	# initial alone: those CPUs, unless the container's cgroup is in a
	# cpuset of its own (the controller enabled for it or an ancestor, as an
	# earlier test may leave it): the kernel gives a process born there that
	# cpuset's CPUs, as it does one that runc moves in
	want=0
	cg=$(oci_cgroup ringfence aff)
	while [[ $cg == "$RF_CGROUP_ROOT"/* ]]; do
		[[ -e $cg/cpuset.cpus.effective ]] && want=$(cat "$cg/cpuset.cpus.effective") && break
		cg=${cg%/*}
	done
	jq -n '{args: ["sleep", "400"], cwd: "/", execCPUAffinity: {initial: "0"}}' >"$b/p.json"
	oci_detached ringfence exec -d --pid-file "$b/exec.pid" --process "$b/p.json" aff
	expect_status 0
	[[ $(cpus_of "$(cat "$b/exec.pid")") == "$want" ]] ||
		_rf_fail "initial 0 alone: $(cpus_of "$(cat "$b/exec.pid")"), expected $want"
	oci ringfence delete -f aff
	expect_status 0

	oci_edit "$b" '.process.execCPUAffinity = {final: "1-0"}'
	oci_detached ringfence create --bundle "$b" aff
	expect_status 125
	expect_stderr_contains 'process.execCPUAffinity.final: `1-0` has a reversed range 1-0'
}
