#!/usr/bin/env bats
# The life of a run: start, exec failures, timeout, signals, leftovers,
# the supervisor's death, where the leaf lives, and that it always goes away.

load ../lib/common

setup() {
	report=$BATS_TEST_TMPDIR/r.json
}

@test "the command's own exit code and output come back" {
	requires root cgroup2
	rf_run run --report "$report" -- sh -c 'echo out; echo err >&2; exit 7'
	expect_status 7
	expect_output_contains out
	expect_stderr_contains err
	expect_stderr_contains "exited with code 7"
	expect_json "$report" verdict exited
	expect_json "$report" status.code 7
	expect_json "$report" status.signal null
	expect_json "$report" oom.scope null
}

@test "a caller that ignores SIGCHLD (it survives exec) does not cost the command's exit code" {
	requires root cgroup2
	# With SIGCHLD ignored the kernel reaps the command itself and sends
	# no SIGCHLD: the supervisor would wait forever. ringfence sets it back
	# to the default. (The bound only keeps that failure from hanging.)
	run_cmd timeout 120 bash -c 'trap "" CHLD; exec "$0" run --report "$1" -- sh -c "exit 7"' \
		"$RINGFENCE" "$report"
	expect_status 7
	expect_json "$report" verdict exited
	expect_json "$report" status.code 7
}

@test "the command runs in the leaf, the supervisor does not" {
	requires root cgroup2
	# Seen from outside: inside, its cgroup namespace shows the leaf as `/`.
	local t=$BATS_TEST_TMPDIR payload in_leaf=no sup_in_leaf=no
	"$RINGFENCE" run -q --name rf-where -- \
		sh -c 'echo $$ >"$0/pid"; until [ -e "$0/go" ]; do sleep 0.1; done' "$t" 3>&- &
	local sup=$!
	rf_wait_for 60 test -s "$t/pid"
	payload=$(cat "$t/pid")
	grep -qx "$payload" "$RF_PARENT/rf-where/cgroup.procs" && in_leaf=yes
	grep -q rf-where "/proc/$sup/cgroup" && sup_in_leaf=yes
	touch "$t/go"
	wait "$sup"
	[[ $in_leaf == yes ]] || _rf_fail "the command ($payload) is not in the leaf"
	[[ $sup_in_leaf == no ]] || _rf_fail "the supervisor is in the leaf"
}

@test "command not found exits 127, not executable exits 126" {
	requires root cgroup2
	rf_run -127 run --report "$report" -- rf-no-such-command
	expect_status 127
	expect_stderr_contains "ringfence: rf-no-such-command: command not found"
	expect_json "$report" verdict launch-failed
	expect_json "$report" exit_code 127
	printf 'echo hi\n' > "$BATS_TEST_TMPDIR/noexec"
	chmod 644 "$BATS_TEST_TMPDIR/noexec"
	rf_run run -- "$BATS_TEST_TMPDIR/noexec"
	expect_status 126
	expect_stderr_contains "noexec: permission denied"
}

@test "--timeout: SIGTERM at expiry, exit 124, verdict timeout" {
	requires root cgroup2
	rf_run run --timeout 500ms --report "$report" -- sleep 30
	expect_status 124
	expect_stderr_contains "timed out"
	expect_json "$report" verdict timeout
	expect_json "$report" exit_code 124
	expect_json "$report" status.signal 15
	expect_json "$report" timed_out true
}

@test "--timeout: a command that ignores SIGTERM is killed --kill-after later" {
	requires root cgroup2 cgroup_kill
	# SIGTERM is ignored from before ringfence starts (an ignored signal
	# stays ignored through clone and exec), so the command ignores it from
	# its first instruction, however slowly it starts.
	run_cmd bash -c 'trap "" TERM; exec "$@"' sh "$RINGFENCE" run --timeout 500ms \
		--kill-after 500ms --report "$report" -- sh -c 'sleep 30 & wait; sleep 30'
	expect_status 124
	expect_stderr_contains "then cgroup.kill"
	expect_json "$report" status.signal 9
}

@test "a signal that comes while the leaf is being made reaches the command once it runs" {
	requires root cgroup2 flock
	"$RINGFENCE" run -q -- true   # the default parent exists from here on
	# ringfence holds the parent's lock (shared) while it makes its leaf:
	# holding it exclusively keeps ringfence in its setup while the signal comes.
	local lock st=0
	exec {lock}<"$RF_PARENT"
	flock -x "$lock"
	"$RINGFENCE" run --report "$report" -- sleep 30 2>/dev/null &
	local pid=$!
	# The signal comes once ringfence waits for the lock, and the lock goes
	# once the signal is pending there.
	rf_wait_for 60 eval '[[ $(rf_lock_waiter "$RF_PARENT") == "$pid" ]]'
	kill -TERM "$pid"
	rf_wait_for 60 rf_signal_pending "$pid" 15
	flock -u "$lock"
	exec {lock}<&-
	wait "$pid" || st=$?
	[ "$st" -eq 143 ] || _rf_fail "status $st, expected 143 (the command killed by SIGTERM)"
	expect_json "$report" verdict signaled
	expect_json "$report" status.signal 15
}

@test "SIGTERM, SIGINT, SIGHUP and SIGQUIT to ringfence reach the command" {
	requires root cgroup2
	local sig
	# Job control on: a background job of a non-interactive shell would start
	# with SIGINT and SIGQUIT ignored, and an ignored signal stays ignored.
	set -m
	for sig in TERM INT HUP QUIT; do
		# A generous grace: a forwarded SIGTERM starts --kill-after.
		"$RINGFENCE" run -q --kill-after 60s -- bash -c "trap 'echo got-$sig; exit 3' $sig; touch $BATS_TEST_TMPDIR/ready; sleep 30 & wait" \
			>"$BATS_TEST_TMPDIR/out" 2>&1 &
		local pid=$!
		rf_wait_for 10 test -e "$BATS_TEST_TMPDIR/ready"
		kill -s "$sig" "$pid"
		local st=0
		wait "$pid" || st=$?
		rm -f "$BATS_TEST_TMPDIR/ready"
		grep -q "got-$sig" "$BATS_TEST_TMPDIR/out" || { cat "$BATS_TEST_TMPDIR/out"; false; }
		[ "$st" -eq 3 ] || { echo "SIG$sig: status $st"; false; }
	done
	set +m
}

@test "a forwarded SIGTERM the command ignores ends in cgroup.kill --kill-after later (scancel, systemctl stop)" {
	requires root cgroup2
	# A scheduler cancelling a job SIGTERMs the supervisor and SIGKILLs it after
	# a grace of its own: the sandbox must be gone by then, setsid'd leftover too.
	"$RINGFENCE" run -q --kill-after 1s --report "$report" -- bash -c \
		"trap '' TERM; setsid sleep 1011 </dev/null >/dev/null 2>&1 & touch $BATS_TEST_TMPDIR/ready; sleep 1012 & wait; sleep 1013" &
	local pid=$!
	rf_wait_for 30 test -e "$BATS_TEST_TMPDIR/ready"
	rf_wait_for 10 rf_running 'sleep 1011'
	kill -TERM "$pid"
	local st=0
	wait "$pid" || st=$?
	[ "$st" -eq 137 ] || _rf_fail "status $st, expected 137 (killed by cgroup.kill)"
	expect_json "$report" verdict signaled
	expect_json "$report" status.signal 9
	! rf_running 'sleep 1011' && ! rf_running 'sleep 1012' && ! rf_running 'sleep 1013'
}

@test "a daemonised leftover is killed when the main process exits" {
	requires root cgroup2
	rf_run run --report "$report" -- sh -c 'setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo started'
	expect_status 0
	expect_output_contains started
	! rf_running 'sleep 1000'
}

@test "the supervisor's death takes the command with it, and the next run sweeps the leaf" {
	requires root cgroup2
	"$RINGFENCE" run --name rf-orphan -- sh -c 'setsid sleep 1001 </dev/null >/dev/null 2>&1 & sleep 1002' &
	local pid=$!
	rf_wait_for 10 rf_running 'sleep 1002'
	rf_wait_for 10 rf_running 'sleep 1001'
	kill -9 "$pid"
	wait "$pid" || true
	# PR_SET_PDEATHSIG: the main process dies with its supervisor.
	rf_wait_for 10 eval '! rf_running "sleep 1002"'
	# The setsid'd leftover is still in the orphaned leaf ...
	[ -d "$RF_PARENT/rf-orphan" ]
	rf_running 'sleep 1001'
	# ... until the next run under the same parent sweeps it.
	rf_run run -- true
	expect_status 0
	expect_stderr_contains "removed leaf \`/ringfence/rf-orphan\`"
	[ ! -e "$RF_PARENT/rf-orphan" ]
	! rf_running 'sleep 1001'
}

@test "an orphan waits while a run is alive under the parent; the first run after sweeps it" {
	requires root cgroup2
	# Live runs hold the parent shared, so a run among them never reads the
	# parent's leaves: the sweep waits for a moment when none is alive.
	"$RINGFENCE" run -q --name rf-live -- sh -c "touch $BATS_TEST_TMPDIR/live; exec sleep 1020" &
	local live=$!
	rf_wait_for 30 test -e "$BATS_TEST_TMPDIR/live"
	"$RINGFENCE" run --name rf-orphan-later -- sleep 1021 &
	local pid=$!
	rf_wait_for 30 rf_running 'sleep 1021'
	kill -9 "$pid"
	wait "$pid" || true
	rf_wait_for 30 eval '! rf_running "sleep 1021"'
	rf_run run -- true
	expect_status 0
	expect_stderr_not_contains "removed leaf"
	[ -d "$RF_PARENT/rf-orphan-later" ]
	[ -d "$RF_PARENT/rf-live" ]
	kill -TERM "$live"
	wait "$live" || true
	rf_run run -- true
	expect_status 0
	expect_stderr_contains "removed leaf \`/ringfence/rf-orphan-later\`"
	[ ! -e "$RF_PARENT/rf-orphan-later" ]
	[ ! -e "$RF_PARENT/rf-live" ]
}

@test "a command run as another --user dies with its supervisor too" {
	requires root cgroup2
	# The kernel clears PR_SET_PDEATHSIG when the uid or gid changes.
	"$RINGFENCE" run --name rf-orphan-user --user 65534:65534 -- sleep 1008 &
	local pid=$!
	rf_wait_for 10 rf_running 'sleep 1008'
	kill -9 "$pid"
	wait "$pid" || true
	rf_wait_for 10 eval '! rf_running "sleep 1008"'
	rf_run run -- true
	expect_status 0
	[ ! -e "$RF_PARENT/rf-orphan-user" ]
}

@test "sub-cgroups the command made in its leaf go away with the leaf" {
	requires root cgroup2
	# Root with --host-cgroupfs writes the host's cgroupfs; rmdir refuses a
	# cgroup that still has children.
	rf_run run --name rf-nest --host-cgroupfs -- sh -c \
		"mkdir -p $RF_PARENT/rf-nest/a/b/c $RF_PARENT/rf-nest/d; echo \$\$ > $RF_PARENT/rf-nest/a/b/cgroup.procs; setsid sleep 1005 </dev/null >/dev/null 2>&1 & echo started"
	expect_status 0
	expect_output_contains started
	[ ! -e "$RF_PARENT/rf-nest" ]
	! rf_running 'sleep 1005'
}

@test "the sweep removes an orphaned leaf together with its sub-cgroups" {
	requires root cgroup2
	"$RINGFENCE" run --name rf-orphan-nest --host-cgroupfs -- sh -c \
		"mkdir -p $RF_PARENT/rf-orphan-nest/a/b; echo \$\$ > $RF_PARENT/rf-orphan-nest/a/b/cgroup.procs; setsid sleep 1006 </dev/null >/dev/null 2>&1 & sleep 1007" &
	local pid=$!
	rf_wait_for 10 rf_running 'sleep 1007'
	rf_wait_for 10 rf_running 'sleep 1006'
	kill -9 "$pid"
	wait "$pid" || true
	[ -d "$RF_PARENT/rf-orphan-nest/a/b" ]
	rf_run run -- true
	expect_status 0
	expect_stderr_contains "removed leaf \`/ringfence/rf-orphan-nest\`"
	[ ! -e "$RF_PARENT/rf-orphan-nest" ]
	! rf_running 'sleep 1006'
}

@test "--name: the leaf has that name; a name in use is refused with 125" {
	requires root cgroup2
	"$RINGFENCE" run -q --name rf-busy -- sleep 30 &
	local pid=$!
	rf_wait_for 10 test -d "$RF_PARENT/rf-busy"
	rf_run run --name rf-busy -- true
	expect_status 125
	expect_stderr_contains "already exists"
	kill "$pid"
	wait "$pid" || true
	[ ! -e "$RF_PARENT/rf-busy" ]
}

@test "--cgroup-parent: the leaf is made under that path, with the controllers enabled" {
	requires root cgroup2
	rf_run run --cgroup-parent rf-test-jobs/nested --memory 32M --report "$report" -- true
	expect_status 0
	[[ $(json_get "$report" cgroup) == /rf-test-jobs/nested/run-* ]] || _rf_fail "the leaf is not there"
	grep -qw memory "$RF_CGROUP_ROOT/rf-test-jobs/nested/cgroup.subtree_control"
	[ -z "$(find "$RF_CGROUP_ROOT/rf-test-jobs/nested" -mindepth 1 -type d)" ]
}

@test "--report-fd writes the verdict to an inherited descriptor, which the command does not get" {
	requires root cgroup2
	rf_run run --report-fd 5 -- sh -c 'ls /proc/self/fd' 5>"$report"
	expect_status 0
	expect_json "$report" verdict exited
	expect_output_not_contains 5
}

@test "--report-fd 1: the command keeps its standard output, the verdict follows it" {
	requires root cgroup2 jq
	rf_run run -q --report-fd 1 -- echo payload
	expect_status 0
	[[ ${lines[0]} == payload ]] || _rf_fail "the command's output is not first"
	[[ $(sed 1d <<<"$output" | jq -r .verdict) == exited ]] || _rf_fail "no verdict after it"
}

@test "without clone3 the command still starts inside the leaf" {
	requires root cgroup2 memory
	# Its cgroup namespace is made once it is in the leaf: rooted there.
	RINGFENCE_NO_CLONE3=1 rf_run run --memory 32M --name rf-noclone3 --report "$report" -- \
		sh -c 'cat /proc/self/cgroup /sys/fs/cgroup/memory.max; memhog 128M'
	expect_status 121
	expect_line 0::/
	expect_line 33554432
	expect_json "$report" cgroup /ringfence/rf-noclone3
	expect_json "$report" verdict oom-limit
}

@test "a non-root user in a delegated subtree gets a sandbox" {
	requires root cgroup2 memory pids
	local d=$RF_CGROUP_ROOT/rf-test-user out
	out=$(mktemp -d) && chmod 1777 "$out"
	echo "+memory +pids" > "$RF_CGROUP_ROOT/cgroup.subtree_control"
	mkdir "$d"
	chown 1000:1000 "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" "$d/cgroup.threads"
	# The user's shell lives in its delegated cgroup, as systemd's Delegate=yes would do.
	run_cmd sh -c "echo \$\$ > $d/cgroup.procs && exec /usr/bin/setpriv --reuid 1000 --regid 1000 --clear-groups \
		$RINGFENCE run --memory 32M --report $out/u.json -- sh -c 'id -u; memhog 128M'"
	expect_status 121
	expect_output_contains 1000
	[[ $(json_get "$out/u.json" cgroup) == /rf-test-user/run-* ]] || _rf_fail "the leaf is not there"
	expect_json "$out/u.json" verdict oom-limit
	[ -z "$(find "$d" -mindepth 1 -type d ! -name ringfence-supervisor)" ]
}

@test "a non-root user without a delegated cgroup is told how to get one" {
	requires root cgroup2
	local d=$RF_CGROUP_ROOT/rf-test-nodeleg
	mkdir "$d"
	run_cmd sh -c "echo \$\$ > $d/cgroup.procs && exec /usr/bin/setpriv --reuid 1000 --regid 1000 --clear-groups \
		$RINGFENCE run -- true"
	expect_status 125
	expect_stderr_contains "not delegated"
	expect_stderr_contains "systemd-run --user --scope -p Delegate=yes"
}

rf_teardown() {
	local d
	for d in rf-test-jobs/nested rf-test-jobs rf-test-user/ringfence-supervisor rf-test-user rf-test-nodeleg; do
		[ -d "$RF_CGROUP_ROOT/$d" ] || continue
		rf_cleanup_cgroups "$RF_CGROUP_ROOT/$d"
		# Processes left in a test's own cgroup go back to the root first.
		local p
		for p in $(cat "$RF_CGROUP_ROOT/$d/cgroup.procs" 2>/dev/null); do
			echo "$p" > "$RF_CGROUP_ROOT/cgroup.procs" 2>/dev/null || true
		done
		rmdir "$RF_CGROUP_ROOT/$d" 2>/dev/null || true
	done
}
