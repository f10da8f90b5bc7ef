#!/usr/bin/env bats
# The test VM itself (and any native host these tests run on) provides what
# the VM suite relies on: cgroup v2 with every controller ringfence uses,
# cgroup.kill, two NUMA nodes, and the tools the tests call.

load ../lib/common

@test "cgroup v2 offers memory, pids, cpu and cpuset at the root" {
	requires root cgroup2
	run_cmd cat "$RF_CGROUP_ROOT/cgroup.controllers"
	expect_status 0
	for c in memory pids cpu cpuset; do
		[[ " $output " == *" $c "* ]] || _rf_fail "controller $c missing"
	done
}

@test "the cgroup2 mount has nsdelegate" {
	requires cgroup2
	run_cmd grep " $RF_CGROUP_ROOT .* - cgroup2 " /proc/self/mountinfo
	expect_status 0
	expect_output_contains nsdelegate
}

@test "two NUMA nodes are online" {
	requires numa2
	run_cmd cat /sys/devices/system/node/online
	expect_status 0
	[[ $output == 0-1 || $output == 0,1 || $(_rf_count_list "$output") -ge 2 ]] ||
		_rf_fail "expected nodes 0-1 online"
	[[ -d /sys/devices/system/node/node0 && -d /sys/devices/system/node/node1 ]]
}

@test "cgroup.kill exists in a new cgroup" {
	requires root cgroup2 cgroup_kill
	local cg=$RF_CGROUP_ROOT/rf-harness.$$
	mkdir "$cg"
	[[ -e $cg/cgroup.kill ]]; local rc=$?
	rmdir "$cg"
	((rc == 0)) || _rf_fail "no cgroup.kill in $cg"
}

@test "a leaf under the default parent enforces memory.max" {
	requires root cgroup2 memory memhog
	mkdir -p "$RF_PARENT"
	echo +memory >"$RF_CGROUP_ROOT/cgroup.subtree_control"
	echo +memory >"$RF_PARENT/cgroup.subtree_control"
	local leaf=$RF_PARENT/harness-$$
	mkdir "$leaf"
	echo 32M >"$leaf/memory.max"
	echo 0 >"$leaf/memory.swap.max"
	run_cmd bash -c "echo \$\$ >'$leaf/cgroup.procs' && exec memhog 64M"
	local events
	events=$(cat "$leaf/memory.events")
	rmdir "$leaf"
	expect_status 137
	[[ $events == *"oom_kill 1"* ]] || _rf_fail "memory.events: $events"
}

@test "assert_no_leaves notices a leftover leaf and removes it" {
	requires root cgroup2
	mkdir -p "$RF_PARENT/harness-left-$$"
	run assert_no_leaves
	[[ $status -ne 0 && $output == *harness-left-$$* ]] || _rf_fail "not reported"
	[[ ! -e $RF_PARENT/harness-left-$$ ]]
}

@test "the tests' tools are on PATH" {
	for t in bats jq stress-ng memhog setpriv unshare; do
		command -v "$t" >/dev/null || _rf_fail "$t not found"
	done
	[[ -x $RINGFENCE ]] || _rf_fail "RINGFENCE=$RINGFENCE is not executable"
}

@test "/dev/fd and a pty are available" {
	requires pty
	run_cmd bash -c 'cat <(echo via-dev-fd)'
	expect_output_contains via-dev-fd
}

@test "json_get reads nested keys, array indexes, null; rejects a missing key or an empty document" {
	requires jq
	local f=$BATS_TEST_TMPDIR/doc.json
	echo '{"verdict":"oom-limit","oom":{"kills":1,"scope":null},"list":[{"a":"x"}]}' >"$f"
	[[ $(json_get "$f" verdict) == oom-limit ]]
	[[ $(json_get "$f" oom.kills) == 1 ]]
	[[ $(json_get "$f" oom.scope) == null ]]
	[[ $(json_get "$f" list.0.a) == x ]]
	[[ $(json_get - oom.kills <"$f") == 1 ]]
	run json_get "$f" oom.nope
	[[ $status -ne 0 && $output == *"no key oom.nope"* ]]
	: >"$f"
	run json_get "$f" verdict
	[[ $status -ne 0 && $output == *"document is empty"* ]]
}
