#!/usr/bin/env bats
# Out of memory: at the sandbox's own limit (121), from outside it (122), as
# a group or one process at a time, and how the verdict reports each.

load ../lib/common

setup() {
	report=$BATS_TEST_TMPDIR/r.json
}

@test "a command OOM-killed at its memory limit exits 121 with the verdict oom-limit" {
	requires root cgroup2 memory
	rf_run run --memory 64M --report "$report" -- memhog 256M
	expect_status 121
	expect_stderr_contains "killed by OOM at memory limit 64.0M"
	expect_stderr_contains "1 process killed by OOM"
	expect_stderr_contains "exit 121"
	expect_json "$report" verdict oom-limit
	expect_json "$report" exit_code 121
	expect_json "$report" status.signal 9
	expect_json "$report" status.code null
	expect_json "$report" oom.scope limit
	expect_json "$report" memory.max 67108864
	expect_json "$report" memory.swap_max 0
	[ "$(json_get "$report" oom.kills)" -ge 1 ]
	[ "$(json_get "$report" memory.peak)" -ge $((60 << 20)) ]
}

@test "--plain-exit reports an OOM kill as the shell would: 137" {
	requires root cgroup2 memory
	rf_run run --plain-exit --memory 32M --report "$report" -- memhog 128M
	expect_status 137
	expect_json "$report" verdict oom-limit
	expect_json "$report" exit_code 137
}

@test "memory.oom.group kills every process of the leaf" {
	requires root cgroup2 memory
	# Three children allocate 40M each under a 64M limit and keep it: one
	# OOM takes all. (Without --sleep-after a child that is done exits and
	# frees its 40M; on a loaded machine the three can take turns and never
	# reach the limit together: exit 0, seen once.)
	rf_run run --memory 64M --report "$report" -- memhog --fork 3 --sleep-after 40M
	expect_status 121
	expect_json "$report" verdict oom-limit
	[ "$(json_get "$report" oom.group_kills)" -ge 1 ]
	[ "$(json_get "$report" oom.kills)" -ge 3 ]
}

@test "--no-oom-group: the main process survives a child's OOM kill and the JSON counts it" {
	requires root cgroup2 memory
	rf_run run --no-oom-group --memory 64M --report "$report" -- \
		sh -c 'memhog 256M; echo "memhog status $?"; exit 0'
	expect_status 0
	expect_output_contains "memhog status 137"
	expect_stderr_contains "exited with code 0"
	expect_stderr_contains "1 process killed by OOM"
	expect_json "$report" verdict exited
	expect_json "$report" oom.kills 1
	expect_json "$report" oom.scope limit
}

@test "memory.high throttles without killing: high events are counted" {
	requires root cgroup2 memory
	rf_run run --memory-high 16M --report "$report" -- memhog 48M
	expect_status 0
	expect_json "$report" verdict exited
	[ "$(json_get "$report" memory.high_events)" -gt 0 ]
}

@test "an OOM at a parent cgroup's limit is external: 122, scope ancestor" {
	requires root cgroup2 memory
	local parent=$RF_CGROUP_ROOT/rf-test-ancestor
	mkdir -p "$parent"
	echo "+memory +pids" > "$RF_CGROUP_ROOT/cgroup.subtree_control"
	echo 48M > "$parent/memory.max"
	echo 0 > "$parent/memory.swap.max"
	rf_run run --cgroup-parent rf-test-ancestor --report "$report" -- memhog 256M
	expect_status 122
	expect_stderr_contains "a parent cgroup's limit"
	expect_json "$report" verdict oom-external
	expect_json "$report" oom.scope ancestor
	expect_json "$report" memory.max max
}

@test "a global OOM (no limit, more than the machine has) is external: 122" {
	requires root cgroup2 memory
	# oom_score_adj 1000 makes the payload the kernel's first choice.
	rf_run run --oom-score-adj 1000 --report "$report" -- memhog 3G
	expect_status 122
	expect_json "$report" verdict oom-external
	local scope
	scope=$(json_get "$report" oom.scope)
	[[ $scope == host || $scope == external ]] || { rf_show; false; }
}

rf_teardown() {
	if [ -d "$RF_CGROUP_ROOT/rf-test-ancestor" ]; then
		assert_no_leaves "$RF_CGROUP_ROOT/rf-test-ancestor"
		rmdir "$RF_CGROUP_ROOT/rf-test-ancestor"
	fi
}
