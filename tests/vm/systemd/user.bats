#!/usr/bin/env bats
# A non-root user on a host whose systemd user manager runs gets a sandbox
# with no wrapper: ringfence asks the user manager for a transient scope
# (tests/vm/run --init systemd: uid 1000 `rf` lingers, uid 1001 `rf2` has
# no user manager). Each test runs ringfence as that user, from root's test
# unit, as `su` or cron would.

load ../../lib/common

setup() {
	# The users write their reports here (bats' own directory is root's, 0700).
	userdir=$(mktemp -d /tmp/rf-user.XXXXXX)
	chmod 0777 "$userdir"
	report=$userdir/r.json
	user_scope_re='^/user\.slice/user-1000\.slice/user@1000\.service/(.+/)?ringfence-[0-9]+-[0-9a-f]{8}\.scope/'
}

# as UID CMD...: run CMD as UID (its group too, no other groups), with the
# runtime directory a login would give it.
as() {
	local uid=$1
	shift
	/usr/bin/setpriv --reuid "$uid" --regid "$uid" --clear-groups \
		env HOME=/tmp XDG_RUNTIME_DIR="/run/user/$uid" PATH="$PATH" "$@"
}

user_units() {
	as 1000 systemctl --user list-units --all --plain --no-legend 'ringfence-*'
}

no_user_units() {
	[[ -z $(user_units) ]]
}

# Nothing of ringfence's may stay loaded in the user manager, nor below it.
rf_teardown() {
	local left
	rm -rf "$userdir"
	rf_wait_for 30 no_user_units || { echo "units left: $(user_units)" >&2; return 1; }
	left=$(find /sys/fs/cgroup/user.slice -name 'ringfence-*' 2>/dev/null)
	[[ -z $left ]] || { echo "cgroups left: $left" >&2; return 1; }
}

@test "as a user: an OOM at its own limit exits 121 (systemd-run --scope says only 137)" {
	requires systemd memory memhog
	run_cmd as 1000 ringfence run --memory 32M --report "$report" -- memhog 128M
	expect_status 121
	expect_stderr_contains "killed by OOM at memory limit 32.0M"
	expect_json "$report" verdict oom-limit
	[[ $(json_get "$report" cgroup) =~ $user_scope_re ]] ||
		_rf_fail "expected to match \$user_scope_re, got: $(json_get "$report" cgroup)"
	# ringfence's scope is not left failed by the OOM in its leaf
	run_cmd as 1000 systemctl --user list-units --failed --plain --no-legend 'ringfence-*'
	expect_status 0
	[[ -z $output ]] || _rf_fail "failed ringfence units: $output"
	# The peer: the same limit on its own scope, which can only die.
	run_cmd as 1000 systemd-run --user --scope --quiet -p MemoryMax=32M -p MemorySwapMax=0 \
		memhog 128M
	expect_status 137
}

@test "as a user: the payload runs in a ringfence scope under user@1000.service, limits on its leaf, the supervisor beside it" {
	requires systemd
	# shellcheck disable=SC2016
	# --host-cgroupfs: the payload reads the scope as the caller sees it.
	run_cmd as 1000 ringfence run --memory 64M --host-cgroupfs --report "$report" -- sh -c '
		d=/sys/fs/cgroup$(sed -n "s/^0:://p" /proc/self/cgroup)
		echo "self=${d#/sys/fs/cgroup}"
		echo "siblings=$(cd "$d/.." && ls -d */ | tr -d / | sort | tr "\n" " ")"
		echo "leaf memory.max=$(cat "$d/memory.max")"
		echo "scope memory.max=$(cat "$d/../memory.max")"'
	expect_status 0
	# Limits go on the leaf, never on the scope.
	expect_line "leaf memory.max=67108864"
	expect_line "scope memory.max=max"
	local self
	self=$(sed -n 's/^self=//p' <<<"$output")
	[[ $self/ =~ $user_scope_re ]] || _rf_fail "expected to match \$user_scope_re, got: $self/"
	[[ $(json_get "$report" cgroup) == "$self" ]] ||
		_rf_fail "expected to match \$self, got: $(json_get "$report" cgroup)"
	# The scope holds the supervisor's leaf and the payload's leaf, nothing else.
	expect_line "siblings=${self##*/} supervisor "
}

@test "as a user: exit codes and signals pass through" {
	requires systemd
	run_cmd as 1000 ringfence run -- sh -c 'exit 7'
	expect_status 7
	run_cmd as 1000 ringfence run -- sh -c 'kill -TERM $$'
	expect_status 143
}

@test "as a user: --cpus throttles, with the cpu controller the user manager delegates" {
	requires systemd cpu
	# shellcheck disable=SC2016
	# Contained, the payload sees its own leaf at /sys/fs/cgroup.
	run_cmd as 1000 ringfence run --cpus 0.5 --report "$report" -- sh -c '
		echo "cpu.max=$(cat /sys/fs/cgroup/cpu.max)"
		end=$(( $(date +%s) + 2 )); while [ "$(date +%s)" -lt "$end" ]; do :; done'
	expect_status 0
	expect_line "cpu.max=50000 100000"
	[ "$(json_get "$report" cpu.nr_throttled)" -gt 0 ]
}

@test "as a user: --pids contains a fork bomb" {
	requires systemd pids
	# The main shell forks the bomb once, in a subshell, then waits with
	# builtins only (the bomb leaves it no fork) until its leaf's pids.events
	# counts a refused fork: not for a time (`sleep 2` needed a fork, and on a
	# loaded machine the bomb may not reach 32 pids in 2 s).
	# shellcheck disable=SC2016
	run_cmd as 1000 ringfence run --pids 32 --timeout 60s --report "$report" -- \
		bash -c 'exec 9<> <(:); bomb() { bomb | bomb & }; (bomb) &
		until read -r _ n </sys/fs/cgroup/pids.events && ((n > 0)); do read -t 0.1 -u 9; done; exit 0'
	expect_status 0
	expect_stderr_contains "hit the pids limit"
	expect_json "$report" pids.max 32
	[ "$(json_get "$report" pids.limit_hits)" -gt 0 ]
	! grep -qa 'bomb | bom[b]' /proc/[0-9]*/cmdline
}

@test "as a user: a controller the user manager does not delegate is refused, naming the drop-in" {
	requires systemd cpuset
	# Debian's user@.service delegates cpu, memory and pids; not cpuset.
	run_cmd as 1000 ringfence run --cpuset-cpus 0 -- true
	expect_status 125
	expect_stderr_contains "no cpuset controller"
	expect_stderr_contains "/etc/systemd/system/user@.service.d/delegate.conf"
	expect_stderr_contains "Delegate=cpu cpuset io memory pids"
	# The peer accepts the same request and silently binds nothing.
	run_cmd as 1000 systemd-run --user --scope --quiet -p AllowedCPUs=0 true
	expect_status 0
}

@test "as a user: 20 runs leave no unit loaded, none failed" {
	requires systemd
	local i before
	# Only these runs count: an earlier test's peer scope, OOM-killed, is
	# rightly a failed unit.
	run_cmd as 1000 systemctl --user list-units --failed --plain --no-legend
	expect_status 0
	before=$output
	for i in $(seq 20); do
		run_cmd as 1000 ringfence run -q -- true
		expect_status 0
	done
	rf_wait_for 30 no_user_units || { echo "left: $(user_units)" >&2; false; }
	run_cmd as 1000 systemctl --user list-units --failed --plain --no-legend
	expect_status 0
	[[ $output == "$before" ]] || _rf_fail "failed units, before: '$before', after: '$output'"
}

@test "as a user without XDG_RUNTIME_DIR (su, cron): the user manager is found in /run/user/UID" {
	requires systemd
	run_cmd /usr/bin/setpriv --reuid 1000 --regid 1000 --clear-groups env -u XDG_RUNTIME_DIR \
		-u DBUS_SESSION_BUS_ADDRESS ringfence run --report "$report" -- true
	expect_status 0
	[[ $(json_get "$report" cgroup) =~ $user_scope_re ]] ||
		_rf_fail "expected to match \$user_scope_re, got: $(json_get "$report" cgroup)"
}

@test "as a user, over the session bus when systemd's private socket is not there" {
	requires systemd
	local rundir
	rundir=$(mktemp -d "$userdir/run.XXXXXX")
	chown 1000:1000 "$rundir"
	# A runtime directory without systemd/private: the bus (Hello, AddMatch
	# for JobRemoved) is the way left.
	run_cmd /usr/bin/setpriv --reuid 1000 --regid 1000 --clear-groups env HOME=/tmp \
		XDG_RUNTIME_DIR="$rundir" DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus \
		RINGFENCE_DEBUG=1 ringfence run --memory 32M --report "$report" -- memhog 128M
	expect_status 121
	expect_json "$report" verdict oom-limit
	[[ $(json_get "$report" cgroup) =~ $user_scope_re ]] ||
		_rf_fail "expected to match \$user_scope_re, got: $(json_get "$report" cgroup)"
	expect_stderr_contains "connected to \`/run/user/1000/bus\` (a bus)"
}

@test "as a user without a user manager: 125, and the message names loginctl enable-linger" {
	requires systemd
	run_cmd as 1001 ringfence run --report "$report" -- true
	expect_status 125
	expect_stderr_contains "loginctl enable-linger 1001"
	expect_stderr_contains "is not delegated to uid 1001"
	expect_json "$report" verdict launch-failed
}

@test "as a user inside the old wrapper (a delegated scope of its own): the leaf goes in that scope" {
	requires systemd
	# shellcheck disable=SC2016
	run_cmd as 1000 systemd-run --user --scope --quiet -p Delegate=yes -p MemoryMax=64M \
		ringfence run --report "$report" -- sh -c 'exit 0'
	expect_status 0
	local cg
	cg=$(json_get "$report" cgroup)
	[[ $cg =~ ^/user\.slice/user-1000\.slice/user@1000\.service/app\.slice/run-[^/]+\.scope/run- ]] ||
		_rf_fail "expected to match ^/user\\.slice/user-1000\\.slice/user@1000\\.service/app\\.slice/run-[^/]+\\.scope/run-, got: $cg"
}

@test "as a user: ringfence check names the systemd manager and what its scopes get" {
	requires systemd
	run_cmd as 1000 ringfence check --json
	expect_status 0
	[[ $(json_get - cgroup2.manager <<<"$output") == systemd ]] ||
		_rf_fail "expected to match systemd, got: $(json_get - cgroup2.manager <<<"$output")"
	[[ $(json_get - systemd.manager <<<"$output") == user ]] ||
		_rf_fail "expected to match user, got: $(json_get - systemd.manager <<<"$output")"
	[[ $(json_get - systemd.socket <<<"$output") == /run/user/1000/systemd/private ]] ||
		_rf_fail "expected to match /run/user/1000/systemd/private, got: $(json_get - systemd.socket <<<"$output")"
	[[ $(json_get - systemd.cgroup <<<"$output") == /user.slice/user-1000.slice/user@1000.service ]] ||
		_rf_fail "expected to match /user.slice/user-1000.slice/user@1000.service, got: $(json_get - systemd.cgroup <<<"$output")"
	# What user@.service delegates on Debian 12, as the scope really gets it.
	[[ $(json_get - systemd.scope_controllers <<<"$output") == '["cpu","memory","pids"]' ]] ||
		_rf_fail "expected to match '[cpu,memory,pids]', got: $(json_get - systemd.scope_controllers <<<"$output")"
	run_cmd as 1000 ringfence check
	expect_output_contains "manager          systemd (your user manager at \`/run/user/1000/systemd/private\`)"
	expect_output_contains "its scopes can get cpu memory pids"
}

@test "without a user manager, ringfence check says run cannot work and names loginctl enable-linger" {
	requires systemd
	run_cmd as 1001 ringfence check
	expect_status 1
	expect_output_contains "loginctl enable-linger 1001"
}
