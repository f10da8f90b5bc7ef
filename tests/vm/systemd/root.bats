#!/usr/bin/env bats
# Root under systemd as PID 1: --slice and --scope put the sandbox in a
# transient scope systemd shows and accounts; without them root keeps the
# plain cgroupfs leaf under /ringfence, whatever systemd does.

load ../../lib/common

setup() {
	report=$BATS_TEST_TMPDIR/r.json
}

units() {
	systemctl list-units --all --plain --no-legend 'ringfence-*'
}

no_units() {
	[[ -z $(units) ]]
}

rf_teardown() {
	rf_wait_for 30 no_units || { echo "units left: $(units)" >&2; return 1; }
	run_cmd systemctl list-units --failed --plain --no-legend 'ringfence-*'
	[[ -z $output ]] || { echo "failed units: $output" >&2; return 1; }
}

# Printed from inside the sandbox (--host-cgroupfs, so that /proc/self/cgroup
# is the caller's view): its scope as systemd shows it, during the run.
# shellcheck disable=SC2016
show_scope='unit=$(sed -n "s|^0::.*/\(ringfence-[^/]*\.scope\)/.*|\1|p" /proc/self/cgroup)
echo "unit=$unit"
systemctl show -p Slice -p ActiveState -p ControlGroup "$unit"
systemctl status --no-pager "$unit" | head -n 1'

@test "--slice: the scope is in that slice, as systemctl shows during the run" {
	requires root systemd
	rf_run run --slice rf-test-jobs --host-cgroupfs --report "$report" -- sh -c "$show_scope"
	expect_status 0
	expect_line "Slice=rf-test-jobs.slice"
	expect_line "ActiveState=active"
	local unit
	unit=$(sed -n 's/^unit=//p' <<<"$output")
	[[ $unit =~ ^ringfence-[0-9]+-[0-9a-f]{8}\.scope$ ]] ||
		_rf_fail "expected to match ^ringfence-[0-9]+-[0-9a-f]{8}\\.scope\$, got: $unit"
	expect_output_contains "$unit - ringfence run: sh"
	# A dash nests a slice: rf-test-jobs.slice is inside rf.slice and rf-test.slice.
	expect_line "ControlGroup=/rf.slice/rf-test.slice/rf-test-jobs.slice/$unit"
	[[ $(json_get "$report" cgroup) == /rf.slice/rf-test.slice/rf-test-jobs.slice/$unit/run-* ]] ||
		_rf_fail "expected to match /rf.slice/rf-test.slice/rf-test-jobs.slice/\$unit/run-*, got: $(json_get "$report" cgroup)"
}

@test "--slice: an OOM at the sandbox's limit is still 121" {
	requires root systemd memory memhog
	rf_run run --slice rf-test-jobs --memory 32M --report "$report" -- memhog 128M
	expect_status 121
	expect_json "$report" verdict oom-limit
}

@test "--scope: a scope in the default slice" {
	requires root systemd
	rf_run run --scope --host-cgroupfs -- sh -c "$show_scope"
	expect_status 0
	expect_line "Slice=system.slice"
}

@test "plain root under systemd: the cgroupfs leaf under /ringfence, no unit" {
	requires root systemd memory memhog
	rf_run run --memory 32M --report "$report" -- memhog 128M
	expect_status 121
	[[ $(json_get "$report" cgroup) == /ringfence/run-* ]] ||
		_rf_fail "expected to match /ringfence/run-*, got: $(json_get "$report" cgroup)"
	no_units
}

@test "bad --slice and --cgroup-manager values are refused before anything is made" {
	requires root systemd
	rf_run run --slice -bad -- true
	expect_status 125
	expect_stderr_contains "--slice: \`-bad\` is not a slice name"
	rf_run run --cgroup-manager launchd -- true
	expect_status 125
	expect_stderr_contains "expected cgroupfs, systemd or auto"
	rf_run run --slice x --cgroup-parent y -- true
	expect_status 125
	expect_stderr_contains "--cgroup-parent"
}

@test "as root, ringfence check: cgroupfs by default, and the system manager answers for --slice" {
	requires root systemd
	run_cmd "$RINGFENCE" check --json
	expect_status 0
	[[ $(json_get - cgroup2.manager <<<"$output") == cgroupfs ]] ||
		_rf_fail "expected to match cgroupfs, got: $(json_get - cgroup2.manager <<<"$output")"
	[[ $(json_get - cgroup2.parent <<<"$output") == /ringfence ]] ||
		_rf_fail "expected to match /ringfence, got: $(json_get - cgroup2.parent <<<"$output")"
	[[ $(json_get - systemd.answered <<<"$output") == true ]] ||
		_rf_fail "expected to match true, got: $(json_get - systemd.answered <<<"$output")"
	[[ $(json_get - systemd.socket <<<"$output") == /run/systemd/private ]] ||
		_rf_fail "expected to match /run/systemd/private, got: $(json_get - systemd.socket <<<"$output")"
}

@test "a unit's MemoryMax= does not bind root's sandbox (a unit systemd did not delegate): ringfence warns; with Delegate=yes it binds" {
	requires root systemd
	# systemd-run --scope runs ringfence in a transient scope of its own,
	# with that limit (as a service's MemoryMax= would be)
	run_cmd systemd-run --quiet --scope -p MemoryMax=256M "$RINGFENCE" run --report "$report" -- true
	expect_status 0
	expect_stderr_contains "limits this process (memory.max 256.0M) but not the sandbox"
	[[ $(json_get "$report" cgroup) == /ringfence/run-* ]] ||
		_rf_fail "expected to match /ringfence/run-*, got: $(json_get "$report" cgroup)"
	run_cmd systemd-run --quiet --scope -p MemoryMax=256M "$RINGFENCE" check
	expect_status 0
	expect_output_contains "systemd's limit  /system.slice/run-"
	# delegated, the scope is the caller's to use: the sandbox goes inside
	# it, under its limit, and nothing is said
	run_cmd systemd-run --quiet --scope -p Delegate=yes -p MemoryMax=256M "$RINGFENCE" run \
		--report "$report" -- true
	expect_status 0
	[[ $stderr != *"but not the sandbox"* ]] ||
		_rf_fail "expected not to match *but not the sandbox*, got: $stderr"
	[[ $(json_get "$report" cgroup) == /system.slice/run-*.scope/run-* ]] ||
		_rf_fail "expected to match /system.slice/run-*.scope/run-*, got: $(json_get "$report" cgroup)"
}
