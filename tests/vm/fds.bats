#!/usr/bin/env bats
# fd hygiene: only stdin, stdout and stderr (and --preserve-fds) reach the payload.

load ../lib/common

# The payload lists its open fds as "FD TARGET" (sh's glob, no ls, no
# command substitution and its pipe). The glob's own directory fd shows as
# closed (empty target) or as the fd directory itself.
LIST_FDS='cd /proc/self/fd && for fd in *; do printf "%s " "$fd"; readlink "$fd" || echo; done'

# fds above 2 in $output other than the listing's own, as "FD TARGET" lines.
extra_fds() {
	local fd target
	while read -r fd target; do
		((fd > 2)) || continue
		[[ -z $target || $target == /proc/*/fd ]] && continue
		echo "$fd $target"
	done <<<"$output"
}

@test "an fd opened by the caller is absent inside" {
	requires root cgroup2
	run_cmd bash -c 'exec 7</etc/passwd 9>/dev/null; exec "$0" run -- sh -c "$1"' "$RINGFENCE" "$LIST_FDS"
	expect_status 0
	[[ -z $(extra_fds) ]] || _rf_fail "fds reached the payload: $(extra_fds)"
	[[ $output == *$'\n'"2 "* ]] || _rf_fail "the listing did not run"
}

@test "no internal fd leaks: cgroup directory, pipes, report file" {
	requires root cgroup2
	rf_run run --unshare pid,mount --report "$BATS_TEST_TMPDIR/r.json" -- sh -c "$LIST_FDS"
	expect_status 0
	[[ -z $(extra_fds) ]] || _rf_fail "fds reached the payload: $(extra_fds)"
	expect_output_not_contains r.json
}

@test "--preserve-fds 2 passes fds 3 and 4 and nothing above" {
	requires root cgroup2
	run_cmd bash -c 'exec 3</etc/passwd 4</etc/group 5</etc/passwd; exec "$0" run --preserve-fds 2 -- sh -c "$1"' \
		"$RINGFENCE" "$LIST_FDS"
	expect_status 0
	[[ $(extra_fds) == $'3 /etc/passwd\n4 /etc/group' ]] ||
		_rf_fail "fds above 2 inside: $(extra_fds)"
}

@test "the pid-namespace init holds only 0-2 and the message pipe" {
	requires root cgroup2
	local init fds
	"$RINGFENCE" run -q --unshare pid -- sleep 1010 &
	local pid=$!
	# The init is ringfence's child; the payload is the init's child.
	rf_wait_for 10 eval '[ -n "$(cat /proc/$pid/task/$pid/children)" ]'
	init=$(cat "/proc/$pid/task/$pid/children")
	init=${init%% *}
	rf_wait_for 10 eval '[ -n "$(cat /proc/$init/task/$init/children)" ]'
	fds=$(cd "/proc/$init/fd" && for fd in *; do echo "$fd $(readlink "$fd")"; done)
	kill "$pid"
	wait "$pid" || true
	# No leaf directory, /dev/kmsg, signalfd, timerfd or the sync pipe's write
	# end (which would keep the child from seeing EOF when the supervisor dies).
	[[ $(grep -cv '^[012] ' <<<"$fds") -eq 1 ]] || _rf_fail "the init holds: $fds"
	grep -q '^[0-9]* pipe:' <<<"$fds" || _rf_fail "no message pipe in: $fds"
}
