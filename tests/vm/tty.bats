#!/usr/bin/env bats
# Interactive shells on a terminal: the payload gets the terminal with job
# control, Ctrl-C reaches it and not the supervisor, the terminal comes back
# afterwards, and a fork bomb typed into the shell stays in its leaf.
#
# ptyrun (tests/helpers/ptyrun.c) plays the terminal: script lines are typed,
# `@expect TEXT` waits for output, `@wait-file PATH` for the test's word that
# a state outside the terminal is there. Expected texts are spelled so that
# the typed line itself (which the terminal echoes) does not contain them.
# Nothing waits for a fixed time.

load ../lib/common

SHELL_ARGS=(--setenv 'PS1=rf$ ' -- bash --norc --noprofile -i)

script() {	# script LINES...: write the ptyrun script, print its path
	printf '%s\n' "$@" >"$BATS_TEST_TMPDIR/script"
	echo "$BATS_TEST_TMPDIR/script"
}

@test "an interactive shell under --unshare all gets job control and its exit status back" {
	requires root cgroup2 pty ptyrun
	# Ctrl-Z is typed once the job says it runs (bash gave it the terminal
	# before that), `exit` once bash has reaped the killed job: a stopped
	# job still in its table makes bash refuse the first `exit`.
	run_cmd ptyrun -t 120 -s "$(script \
		'@expect rf$' \
		'[[ $- == *m* ]] && echo JOB""CONTROL-ON' \
		'@expect JOBCONTROL-ON' \
		"sh -c 'echo SLE\"\"EPING; exec sleep 100'" \
		'@expect SLEEPING' \
		'@ctrl z' \
		'@expect Stopped' \
		'kill -9 %1; while jobs %1 >/dev/null 2>&1; do sleep 0.1; done; echo GO""NE' \
		'@expect GONE' \
		'exit 7')" -- "$RINGFENCE" run --unshare all "${SHELL_ARGS[@]}"
	expect_status 7
	expect_output_not_contains "no job control"
	expect_output_not_contains "cannot set terminal process group"
}

@test "Ctrl-C reaches the payload, not the supervisor" {
	requires root cgroup2 pty ptyrun
	local ns
	for ns in net pid; do
		run_cmd ptyrun -t 60 -s "$(script '@expect READY' '@ctrl c')" -- \
			"$RINGFENCE" run --unshare "$ns" -- bash --norc -c \
			'trap "echo GOT-INT; exit 3" INT; echo READY; sleep 30; echo NOT-INTERRUPTED'
		# The supervisor survived to pass the payload's own status on.
		expect_status 3
		expect_output_contains GOT-INT
		expect_output_not_contains NOT-INTERRUPTED
	done
}

@test "Ctrl-C reaches a payload that shares ringfence's group once, not twice" {
	requires root cgroup2 pty ptyrun
	local ns
	# stdin is not the terminal, so the terminal is not handed over: the
	# payload (or the pid-namespace init) stays in the supervisor's group and
	# gets the terminal's SIGINT itself. The payload counts SIGINTs until the
	# first, and for one second more: a second one (the supervisor's copy)
	# would come within it. `read -t` on a pipe of its own waits without a
	# fork.
	for ns in net pid; do
		run_cmd ptyrun -t 60 -s "$(script '@expect READY' '@ctrl c' '@expect INTS=')" -- \
			sh -c 'exec "$0" run -q --unshare "$1" -- bash --norc -c "$2" </dev/null' "$RINGFENCE" "$ns" \
			'n=0; trap "n=\$((n + 1))" INT; exec 9<> <(:); echo READY
			until ((n > 0)); do read -t 0.1 -u 9; done; read -t 1 -u 9; echo INTS=$n'
		expect_status 0
		expect_output_contains INTS=1
	done
}

@test "after the payload ends the terminal is the caller's again" {
	requires root cgroup2 pty ptyrun
	# The caller is a plain sh without job control: nobody but ringfence gives
	# the terminal back before sh reads from it again.
	run_cmd ptyrun -t 120 -s "$(script '@expect rf$' 'exit 5' '@expect status=5' 'hello' '@expect got=hello')" -- \
		sh -c '"$0" run --unshare all "$@"; echo "status=$?"; read -r x; echo "got=$x"' \
		"$RINGFENCE" "${SHELL_ARGS[@]}"
	expect_status 0
}

@test "the terminal's settings are restored when the payload is killed" {
	requires root cgroup2 pty ptyrun
	# The payload puts the terminal in raw mode and is killed before it can
	# undo that; ringfence restores what the caller had.
	run_cmd ptyrun -t 120 -s "$(script '@expect RAWNOW' '@expect status=')" -- \
		sh -c '"$0" run --unshare all -- sh -c "stty raw -echo; echo RAW\"\"NOW; kill -9 \$\$"
			echo "status=$?"; stty -a' "$RINGFENCE"
	expect_status 0
	expect_output_contains "status=137"
	[[ $output == *" icanon"* && $output != *"-icanon"* && $output != *"-echo "* ]] ||
		_rf_fail "the terminal was left in raw mode"
}

@test "a fork bomb typed into the shell is contained, the host stays responsive, the verdict shows pids hits" {
	requires root cgroup2 pids cpu pty ptyrun
	local report=$BATS_TEST_TMPDIR/r.json out=$BATS_TEST_TMPDIR/out checked=$BATS_TEST_TMPDIR/checked
	local leaf=$RF_PARENT/rf-tty-bomb n=-1 start elapsed=-1 responsive=0 pty_status
	# The shell is left to the bomb until the checks below are done.
	ptyrun -t 150 -s "$(script '@expect rf$' ':(){ :|:& };:' "@wait-file $checked" 'exit 0')" -- \
		"$RINGFENCE" run --name rf-tty-bomb --pids 64 --cpus 0.5 --unshare all --timeout 100s \
		--report "$report" "${SHELL_ARGS[@]}" >"$out" 2>&1 3>&- &
	local pty=$!
	# The bomb is at its limit: the leaf holds at most 64 tasks, and the
	# guest stays responsive: 50 short processes in well under 20 s.
	if rf_wait_for 100 rf_limit_hit "$leaf"; then
		n=$(cat "$leaf/pids.current")
		start=$(date +%s)
		timeout 20 sh -c 'for i in $(seq 50); do /bin/true; done' && responsive=1
		elapsed=$(($(date +%s) - start))
	fi
	touch "$checked"
	wait "$pty"
	pty_status=$?
	cat "$out" >&2
	((n >= 0)) || _rf_fail "the bomb never hit the pids limit of $leaf"
	((n <= 64)) || _rf_fail "$n tasks in the leaf"
	((responsive)) || _rf_fail "the host is unresponsive"
	((pty_status == 0)) || _rf_fail "the shell's exit status was $pty_status"
	echo "50 processes took ${elapsed}s during the bomb" >&2
	expect_json "$report" pids.max 64
	(($(json_get "$report" pids.limit_hits) > 0)) || _rf_fail "no pids limit hits reported"
	expect_json "$report" verdict exited
}

# Once ringfence blocks on the parent's lock, say so (`waiting`); once the
# Ctrl-C is pending there, let the lock go (`release`), whatever happened.
release_after_ctrl_c() {
	local pid
	rf_wait_for 60 eval 'pid=$(rf_lock_waiter "$RF_PARENT"); [[ -n $pid ]]' &&
		touch "$BATS_TEST_TMPDIR/waiting" &&
		rf_wait_for 60 rf_signal_pending "$pid" 2
	touch "$BATS_TEST_TMPDIR/release"
}

@test "a Ctrl-C typed while ringfence is still setting up reaches the payload" {
	requires root cgroup2 pty ptyrun flock
	local report=$BATS_TEST_TMPDIR/r.json stdin holder
	"$RINGFENCE" run -q -- true   # the default parent exists from here on
	# With the terminal on stdin the payload gets it (a group of its own);
	# with /dev/null it shares ringfence's group, where a terminal's Ctrl-C
	# normally reaches it directly, but not before it exists.
	for stdin in /dev/tty /dev/null; do
		# ringfence takes the parent's lock before it makes its leaf: the
		# holder keeps it in its setup until the Ctrl-C is pending there.
		rm -f "$BATS_TEST_TMPDIR"/{waiting,release}
		flock -x "$RF_PARENT" sh -c 'until [ -e "$0" ]; do sleep 0.1; done' \
			"$BATS_TEST_TMPDIR/release" 3>&- &
		holder=$!
		rf_wait_for 10 sh -c "! flock -n -x '$RF_PARENT' true"
		release_after_ctrl_c 3>&- &
		run_cmd ptyrun -t 60 -s "$(script "@wait-file $BATS_TEST_TMPDIR/waiting" '@ctrl c')" -- \
			sh -c 'exec "$@" <"$0"' "$stdin" "$RINGFENCE" run --report "$report" -- sleep 30
		wait "$holder"
		expect_status 130
		expect_json "$report" verdict signaled
		expect_json "$report" status.signal 2
	done
}
