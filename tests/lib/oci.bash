# tests/lib/oci.bash: OCI bundles and runtimes for the runtime tests
# (tests/vm/oci-*.bats, tests/vm/engines/). Load after common:
#   load ../lib/common
#   load ../lib/oci
#
#   oci_bundle DIR [ARG...]   a bundle: DIR/config.json from `ringfence spec`
#                             with terminal false, args ARG... (default:
#                             sleep 1000), cgroupsPath
#                             $OCI_CGROUP_PARENT/<basename of DIR>, and as
#                             root.path the one read-only busybox rootfs of
#                             the test file ($BATS_FILE_TMPDIR/rootfs: the
#                             static busybox, one link per applet)
#   oci_edit DIR JQ-FILTER    edit DIR/config.json with jq
#   oci RUNTIME ARGS...       run_cmd RUNTIME --root $OCI_ROOT ARGS...
#                             (RUNTIME: ringfence or crun, the peer)
#   oci_detached RUNTIME ARGS...
#                             the same for commands that leave a container
#                             running (create, run -d): their stdio goes to
#                             fresh files, which the container inherits (a
#                             pipe would stay open as long as it runs)
#   oci_state RUNTIME ID KEY  one key of `state ID`
#   oci_wait_status RUNTIME ID STATUS   until `state ID` says STATUS (30 s)
#   oci_cgroup RUNTIME ID     the cgroup directory of the container's process
#                             (from /proc/PID/cgroup)
#   oci_pids_running STRING   pids whose command line contains STRING
#   oci_cleanup               delete -f every container of both runtimes and
#                             remove $OCI_CGROUP_PARENT
#   oci_cleanup_check         for rf_teardown: fail when a container's cgroup
#                             was left (the test must delete what it made),
#                             then oci_cleanup

OCI_CGROUP_PARENT=/rf-oci-test
OCI_ROOT=${BATS_FILE_TMPDIR:-/tmp}/oci-root

oci_runtime() {
	case $1 in
	ringfence) echo "$RINGFENCE" ;;
	*) command -v "$1" ;;
	esac
}

oci() {
	local rt=$1
	shift
	run_cmd "$(oci_runtime "$rt")" --root "$OCI_ROOT/$rt" "$@"
}

oci_detached() {
	local rt=$1 out err
	shift
	out=$(mktemp "$BATS_TEST_TMPDIR/oci-out.XXXXXX")
	err=$(mktemp "$BATS_TEST_TMPDIR/oci-err.XXXXXX")
	RF_LAST_CMD=("$(oci_runtime "$rt")" --root "$OCI_ROOT/$rt" "$@")
	status=0
	"${RF_LAST_CMD[@]}" </dev/null >"$out" 2>"$err" || status=$?
	output=$(<"$out")
	stderr=$(<"$err")
	mapfile -t lines <<<"$output"
}

_oci_rootfs() {
	local r=$BATS_FILE_TMPDIR/rootfs applet
	[[ -x $r/bin/busybox ]] && { echo "$r"; return 0; }
	mkdir -p "$r/bin" "$r/proc" "$r/dev" "$r/sys" "$r/tmp" "$r/etc" "$r/root"
	cp /bin/busybox "$r/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[[ -e $r/bin/$applet ]] || ln -s busybox "$r/bin/$applet"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$r/etc/passwd"
	echo "root:x:0:" >"$r/etc/group"
	echo "$r"
}

oci_bundle() {
	local dir=$1 args rootfs
	shift
	(($# == 0)) && set -- sleep 1000
	rootfs=$(_oci_rootfs) || return 1
	mkdir -p "$dir"
	"$RINGFENCE" spec --bundle "$dir" || return 1
	args=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
	oci_edit "$dir" ".process.terminal = false | .process.args = $args
		| .root.path = \"$rootfs\"
		| .linux.cgroupsPath = \"$OCI_CGROUP_PARENT/${dir##*/}\""
}

oci_edit() {
	local tmp
	tmp=$(mktemp) && jq "$2" "$1/config.json" >"$tmp" && mv "$tmp" "$1/config.json"
}

oci_state() {
	"$(oci_runtime "$1")" --root "$OCI_ROOT/$1" state "$2" | jq -r ".$3"
}

oci_cgroup() {
	local pid cg
	pid=$(oci_state "$1" "$2" pid) || return 1
	cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup") || return 1
	echo "${RF_CGROUP_ROOT}$cg"
}

_oci_status_is() {
	[[ $(oci_state "$1" "$2" status 2>/dev/null) == "$3" ]]
}

oci_wait_status() {
	rf_wait_for 30 _oci_status_is "$@" ||
		_rf_fail "container $2 ($1) is $(oci_state "$1" "$2" status), not $3"
}

oci_pids_running() {
	local d cmd
	for d in /proc/[0-9]*; do
		cmd=$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null) || continue
		[[ $cmd == *"$1"* ]] && echo "${d#/proc/}"
	done
	return 0
}

oci_cleanup() {
	local rt id
	for rt in ringfence crun runc; do
		[[ -d $OCI_ROOT/$rt ]] || continue
		for id in $("$(oci_runtime "$rt")" --root "$OCI_ROOT/$rt" list -q 2>/dev/null); do
			"$(oci_runtime "$rt")" --root "$OCI_ROOT/$rt" delete -f "$id" >/dev/null 2>&1
		done
	done
	rf_cleanup_cgroups "${RF_CGROUP_ROOT}$OCI_CGROUP_PARENT"
	rmdir "${RF_CGROUP_ROOT}$OCI_CGROUP_PARENT" 2>/dev/null
	return 0
}

oci_cleanup_check() {
	local rc=0
	assert_no_leaves "${RF_CGROUP_ROOT}$OCI_CGROUP_PARENT" || rc=1
	oci_cleanup
	return "$rc"
}

# The user's terminal resized during a foreground run: the pty inside takes
# the new size, as under runc. ptyrun is the terminal;
# each size is read after a typed line, so the relay has started (the first)
# and has had the resize (the second, which the terminal made before typing).
resized_terminal() {
	local rt=$1 b=$BATS_TEST_TMPDIR/rs-$1
	oci_bundle "$b" sh -c 'read a; stty size; read b; stty size; exit 6'
	oci_edit "$b" '.process.terminal = true'
	printf '%s\n' one '@expect 24 80' '@resize 50 132' two '@expect 50 132' >"$b/script"
	run_cmd ptyrun -t 120 -s "$b/script" -- "$(oci_runtime "$rt")" --root "$OCI_ROOT/$rt" \
		run --bundle "$b" "rs-$rt"
	expect_status 6
	oci "$rt" list -q
	[[ -z $output ]] || _rf_fail "the run left $output"
}

# oci_console_run RT BUNDLE ID: container ID of BUNDLE (process.terminal
# true) created with its pty sent to a console socket, whose other end
# recvtty plays (as conmon and containerd's shim do), started, waited for
# until stopped, and deleted. What the pty printed is in BUNDLE/out.
oci_console_run() {
	local rt=$1 b=$2 id=$3 sock=$2.sock rpid
	recvtty "$sock" >"$b/out" 2>"$b/err" &
	rpid=$!
	rf_wait_for 10 test -S "$sock" || _rf_fail "recvtty did not listen"
	oci_detached "$rt" create --bundle "$b" --console-socket "$sock" "$id"
	expect_status 0
	oci "$rt" start "$id"
	expect_status 0
	wait "$rpid" || _rf_fail "recvtty failed: $(cat "$b/err")"
	oci_wait_status "$rt" "$id" stopped
	oci "$rt" delete "$id"
	expect_status 0
}

# process.consoleSize: the pty has that size from its first moment, before
# anyone resizes it, as under runc and crun; the command reads it.
console_size() {
	local rt=$1 b=$BATS_TEST_TMPDIR/cs-$1
	oci_bundle "$b" sh -c 'stty size'
	oci_edit "$b" '.process.terminal = true | .process.consoleSize = {height: 41, width: 133}'
	oci_console_run "$rt" "$b" "cs-$rt"
	grep -q '^41 133' "$b/out" || _rf_fail "the pty's size: $(cat -v "$b/out")"
}

# The runtime's process that becomes the container's (CVE-2019-5736): it
# does not run the host's binary but a view of it no one can write
# (ringfence and runc 1.1: a read-only bind of it attached nowhere, which
# reads as `/`; a sealed memfd copy without root), so a file in the
# container whose interpreter is /proc/self/exe reaches only that view. A
# handle on it, which a process in the container could keep, must not open
# for writing once no runtime runs from it. ringfence's (and crun's) process
# is also not dumpable, so the container's own processes cannot open its
# /proc links; runc 1.1's can be read.
sealed_runtime() {
	local rt=$1 b=$BATS_TEST_TMPDIR/sr-$1 pid exe host held
	host=$(readlink -f "$(oci_runtime "$rt")")
	oci_bundle "$b"
	oci_detached "$rt" create --bundle "$b" "sr-$rt"
	expect_status 0
	pid=$(oci_state "$rt" "sr-$rt" pid)
	exe=$(readlink "/proc/$pid/exe")
	[[ -n $exe && $exe != "$host" ]] ||
		_rf_fail "the created container's process runs the host's $host"
	oci "$rt" exec "sr-$rt" sh -c 'cat /proc/1/exe >/dev/null && echo read'
	[[ $rt == runc || $output != *read* ]] ||
		_rf_fail "a process in the container read its pid 1's binary"
	exec {held}<"/proc/$pid/exe"   # not fd 3: bats reports on it
	oci "$rt" start "sr-$rt"
	expect_status 0
	rf_wait_for 10 bash -c "[[ \$(readlink /proc/$pid/exe) == */busybox ]]" ||
		_rf_fail "after start pid $pid runs $(readlink "/proc/$pid/exe")"
	if (printf x >>"/proc/self/fd/$held") 2>/dev/null; then
		exec {held}<&-
		_rf_fail "the binary the container's process ran opens for writing"
	fi
	exec {held}<&-
	oci "$rt" delete -f "sr-$rt"
	expect_status 0
}

# Without a pid namespace of its own (containerd's shared one, a pod's
# shareProcessNamespace): once the container's process has ended, what it
# left in the cgroup is still the container's. ps lists it and kill --all
# reaches it, as containerd's shim asks; both succeed once it is gone.
kill_all_stopped_scenario() {
	local rt=$1 b=$BATS_TEST_TMPDIR/ka-$1 cg left
	oci_bundle "$b" sh -c 'sleep 4321 & exit 3'
	oci_edit "$b" '.linux.namespaces |= map(select(.type != "pid"))'
	cg=$RF_CGROUP_ROOT$OCI_CGROUP_PARENT/ka-$rt
	oci_detached "$rt" run -d --bundle "$b" "ka-$rt"
	expect_status 0
	oci_wait_status "$rt" "ka-$rt" stopped
	left=$(cat "$cg/cgroup.procs")
	[[ -n $left && $(wc -l <<<"$left") == 1 ]] || _rf_fail "left in the cgroup: '$left'"
	oci "$rt" ps --format json "ka-$rt"
	expect_status 0
	[[ $(jq -c . <<<"$output") == "[$left]" ]] || _rf_fail "ps: $output, the cgroup holds $left"
	oci "$rt" kill --all "ka-$rt" KILL
	expect_status 0
	rf_wait_for 30 eval '[[ -z $(cat "$cg/cgroup.procs") ]]' ||
		_rf_fail "kill --all left $(cat "$cg/cgroup.procs")"
	oci "$rt" kill --all "ka-$rt" KILL
	expect_status 0
	oci "$rt" delete "ka-$rt"
	expect_status 0
}

# exec -u UID without a GID keeps the container's process.user.gid (runc's
# rule): the exec'd process does not gain group root.
exec_user_gid_scenario() {
	local rt=$1 b=$BATS_TEST_TMPDIR/eu-$1
	oci_bundle "$b"
	oci_edit "$b" '.process.user = {"uid": 1000, "gid": 1000}'
	oci_detached "$rt" run -d --bundle "$b" "eu-$rt"
	expect_status 0
	oci "$rt" exec -u 1001 "eu-$rt" sh -c 'echo "$(id -u):$(id -g)"'
	expect_status 0
	expect_line 1001:1000
	oci "$rt" exec -u 1001:1002 "eu-$rt" sh -c 'echo "$(id -u):$(id -g)"'
	expect_status 0
	expect_line 1001:1002
	oci "$rt" delete -f "eu-$rt"
	expect_status 0
}

# exec --pid-file in the foreground: the file names the exec'd process
# while it runs, as runc writes it.
exec_fg_pid_file_scenario() {
	local rt=$1 b=$BATS_TEST_TMPDIR/ep-$1 epid pid
	oci_bundle "$b"
	oci_detached "$rt" run -d --bundle "$b" "ep-$rt"
	expect_status 0
	"$(oci_runtime "$rt")" --root "$OCI_ROOT/$rt" exec --pid-file "$b/fg.pid" "ep-$rt" \
		sleep 4322 </dev/null >/dev/null 2>&1 &
	epid=$!
	rf_wait_for 30 test -s "$b/fg.pid" || _rf_fail "no pid file while the exec runs"
	pid=$(cat "$b/fg.pid")
	# the file may come before the exec (runc's, after its handshake)
	rf_wait_for 30 eval '[[ $(tr "\0" " " <"/proc/$pid/cmdline") == "sleep 4322 " ]]' ||
		_rf_fail "pid $pid is not the exec'd sleep: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
	kill "$pid"
	wait "$epid" || true
	oci "$rt" delete -f "ep-$rt"
	expect_status 0
}

# kill of a created container, before start, with a signal other than KILL:
# it ends (CRI-O stops a container it never started so); one whose default
# is to be ignored (SIGCHLD, as a reparented child's exit sends) does not.
kill_created_scenario() {
	local rt=$1 b=$BATS_TEST_TMPDIR/kc-$1 pid
	oci_bundle "$b"
	oci_detached "$rt" create --bundle "$b" "kc-$rt"
	expect_status 0
	pid=$(oci_state "$rt" "kc-$rt" pid)
	oci "$rt" kill "kc-$rt" CHLD
	expect_status 0
	rf_wait_for 30 eval '! rf_signal_pending "$pid" 17' || _rf_fail "SIGCHLD stays pending"
	[[ $(oci_state "$rt" "kc-$rt" status) == created ]] ||
		_rf_fail "SIGCHLD ended the created container"
	oci "$rt" kill "kc-$rt" TERM
	expect_status 0
	oci_wait_status "$rt" "kc-$rt" stopped
	oci "$rt" delete "kc-$rt"
	expect_status 0
}

# exec's runc flags: --no-new-privs, -g, --cap, and --ignore-paused (a
# paused container refuses an exec without it).
exec_flags_scenario() {
	local rt=$1 b=$BATS_TEST_TMPDIR/ef-$1 epid st=0 cg
	oci_bundle "$b"
	oci_edit "$b" '.process.noNewPrivileges = false | .process.user.additionalGids = [10]'
	oci_detached "$rt" run -d --bundle "$b" "ef-$rt"
	expect_status 0
	oci "$rt" exec "ef-$rt" grep NoNewPrivs /proc/self/status
	expect_line $'NoNewPrivs:\t0'
	oci "$rt" exec --no-new-privs "ef-$rt" grep NoNewPrivs /proc/self/status
	expect_line $'NoNewPrivs:\t1'
	# -g adds to the container's groups (the kernel sorts them)
	oci "$rt" exec -g 5 -g 6 "ef-$rt" id -G
	expect_status 0
	[[ $(tr ' ' '\n' <<<"$output" | sort -n | paste -sd' ') == "0 5 6 10" ]] ||
		_rf_fail "groups: $output"
	# CAP_SYS_ADMIN (21) is not among the spec's capabilities: --cap adds it.
	oci "$rt" exec "ef-$rt" awk '/^CapEff/ { print $2 }' /proc/self/status
	[[ $output =~ ^[0-9a-f]{16}$ ]] || _rf_fail "CapEff: $output"
	! (((0x$output >> 21) & 1)) || _rf_fail "CAP_SYS_ADMIN without --cap: $output"
	oci "$rt" exec --cap CAP_SYS_ADMIN "ef-$rt" awk '/^CapEff/ { print $2 }' /proc/self/status
	(((0x$output >> 21) & 1)) || _rf_fail "no CAP_SYS_ADMIN with --cap: $output"
	oci "$rt" pause "ef-$rt"
	expect_status 0
	oci "$rt" exec "ef-$rt" true
	((status != 0)) || _rf_fail "an exec into a paused container ran"
	expect_stderr_contains "paused"
	cg=$(oci_cgroup "$rt" "ef-$rt")
	"$(oci_runtime "$rt")" --root "$OCI_ROOT/$rt" exec --ignore-paused "ef-$rt" true &
	epid=$!
	# Resumed once the exec's process waits, frozen, in the container's cgroup.
	rf_wait_for 60 eval '(($(wc -l <"$cg/cgroup.procs") > 1))' ||
		_rf_fail "no exec'd process in the paused cgroup: $(cat "$cg/cgroup.procs")"
	kill -0 "$epid" || _rf_fail "exec --ignore-paused ended while the container was paused"
	run_cmd timeout 60 "$(oci_runtime "$rt")" --root "$OCI_ROOT/$rt" resume "ef-$rt"
	expect_status 0
	wait "$epid" || st=$?
	((st == 0)) || _rf_fail "exec --ignore-paused: status $st"
	oci "$rt" delete -f "ef-$rt"
	expect_status 0
}

# `update --resources` in the form runc's update(8) documents: every key
# there, 0 for "leave it", some (kernel memory, realtime CPU time, memory
# swappiness) with no cgroup v2 file. The command succeeds, the limit given
# is written and every other file stays as it was; ringfence also names what
# it did not apply.
update_runc_form_scenario() {
	local rt=$1 b=$BATS_TEST_TMPDIR/upr-$1 cg before
	oci_bundle "$b"
	oci_edit "$b" '.linux.resources.cpu = {"quota": 50000, "period": 100000} |
		.linux.resources.pids = {"limit": 30}'
	oci_detached "$rt" run -d --bundle "$b" "upr-$rt"
	expect_status 0
	cg=$(oci_cgroup "$rt" "upr-$rt")
	before=$(cat "$cg/memory.low" "$cg/memory.swap.max" "$cg/cpu.max" "$cg/cpu.weight" \
		"$cg/pids.max")
	cat >"$b/res.json" <<-'EOF'
	{"memory": {"limit": 33554432, "reservation": 0, "swap": 0, "kernel": 0,
	            "kernelTCP": 0, "swappiness": 0, "disableOOMKiller": false},
	 "cpu": {"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0,
	         "realtimePeriod": 0, "cpus": "", "mems": ""},
	 "blockIO": {"weight": 0}}
	EOF
	oci "$rt" update --resources "$b/res.json" "upr-$rt"
	expect_status 0
	[[ $(cat "$cg/memory.max") == 33554432 ]] || _rf_fail "memory.max is $(cat "$cg/memory.max")"
	[[ $(cat "$cg/memory.low" "$cg/memory.swap.max" "$cg/cpu.max" "$cg/cpu.weight" \
		"$cg/pids.max") == "$before" ]] || _rf_fail "a file given 0 changed: $before"
	if [[ $rt == ringfence ]]; then
		expect_stderr_contains "ignoring what ringfence does not implement: memory.kernel,"
	fi
	oci "$rt" delete -f "upr-$rt"
	expect_status 0
}

# cpu.max's quota updated alone keeps the period; with `period`, the period
# updated alone then keeps the quota, as runc's update keeps the rest.
update_cpu_scenario() {
	local rt=$1 period=${2:-} b=$BATS_TEST_TMPDIR/upc-$1 cg
	oci_bundle "$b"
	oci_edit "$b" '.linux.resources.cpu = {"quota": 50000, "period": 100000}'
	oci_detached "$rt" run -d --bundle "$b" "upc-$rt"
	expect_status 0
	cg=$(oci_cgroup "$rt" "upc-$rt")
	[[ $(cat "$cg/cpu.max") == "50000 100000" ]] || _rf_fail "cpu.max is $(cat "$cg/cpu.max")"
	oci "$rt" update --cpu-quota 20000 "upc-$rt"
	expect_status 0
	[[ $(cat "$cg/cpu.max") == "20000 100000" ]] || _rf_fail "after --cpu-quota: $(cat "$cg/cpu.max")"
	if [[ -n $period ]]; then
		oci "$rt" update --cpu-period 50000 "upc-$rt"
		expect_status 0
		[[ $(cat "$cg/cpu.max") == "20000 50000" ]] ||
			_rf_fail "after --cpu-period: $(cat "$cg/cpu.max")"
	fi
	oci "$rt" delete -f "upc-$rt"
	expect_status 0
}
