#!/usr/bin/env bats
# `ringfence check` where run can work (the VM: cgroup v2 with every
# controller, two NUMA nodes): exit 0, the controllers, the nodes, and the OOM
# sysctls as they are set — changed here and restored in teardown.

load ../lib/common

setup() {
	save_sysctls vm/panic_on_oom vm/overcommit_memory
}

@test "check: run can work here, exit 0" {
	requires root cgroup2
	rf_run check
	expect_status 0
	expect_output_contains "ringfence run can work here."
	expect_output_not_contains "cannot work"
	expect_output_contains "  mount            $RF_CGROUP_ROOT"
	expect_output_contains "  default parent   /ringfence (can give its leaves cpuset cpu"
}

@test "check --json: ready, controllers, features and both NUMA nodes" {
	requires root cgroup2 numa2 jq
	rf_run check --json
	expect_status 0
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/c.json"
	f=$BATS_TEST_TMPDIR/c.json
	expect_json "$f" ready true
	expect_json "$f" reason null
	expect_json "$f" cgroup2.mount "$RF_CGROUP_ROOT"
	expect_json "$f" cgroup2.hybrid false
	expect_json "$f" cgroup2.missing '[]'
	for c in memory pids cpu cpuset; do
		jq -e --arg c "$c" '.cgroup2.root_controllers | index($c)' "$f" >/dev/null ||
			_rf_fail "controller $c not reported"
	done
	# The guest kernel (6.1) has every feature; clone3 is probed, not assumed.
	for k in clone3_into_cgroup cgroup_kill memory_peak oom_group_kill; do
		expect_json "$f" "kernel.$k" true
	done
	[[ $(jq '.numa.nodes | length' "$f") == 2 ]] || _rf_fail "expected 2 NUMA nodes"
	for n in 0 1; do
		expect_json "$f" "numa.nodes.$n.node" "$n"
		total=$(json_get "$f" "numa.nodes.$n.total")
		# Each guest node has 1 GiB; the kernel keeps some for itself.
		((total > 768 * 1024 * 1024 && total <= 1024 * 1024 * 1024)) ||
			_rf_fail "node $n total $total"
	done
}

@test "check: reports vm.panic_on_oom 2 and what run does about it" {
	requires root jq
	echo 2 >/proc/sys/vm/panic_on_oom
	rf_run check
	expect_status 0
	expect_output_contains "vm.panic_on_oom  2: every OOM panics the host"
	expect_output_contains "run refuses --memory and --numa-bind"
	rf_run check --json
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/c.json"
	expect_json "$BATS_TEST_TMPDIR/c.json" memory.panic_on_oom 2
	jq -e '.notes | map(select(test("allow-panic-on-oom"))) | length == 1' \
		"$BATS_TEST_TMPDIR/c.json" >/dev/null || _rf_fail "no panic_on_oom note"
}

@test "check: reports vm.panic_on_oom 1" {
	requires root
	echo 1 >/proc/sys/vm/panic_on_oom
	rf_run check
	expect_status 0
	expect_output_contains "vm.panic_on_oom  1: a host-wide OOM panics the host"
}

@test "check: explains vm.overcommit_memory 0, 1 and 2" {
	requires root jq
	echo 1 >/proc/sys/vm/overcommit_memory
	rf_run check
	expect_status 0
	expect_output_contains "vm.overcommit_memory  1: always: allocations never fail"
	expect_output_contains "only --memory bounds a sandbox"
	echo 2 >/proc/sys/vm/overcommit_memory
	rf_run check --json
	expect_status 0
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/c.json"
	expect_json "$BATS_TEST_TMPDIR/c.json" memory.overcommit_memory 2
	limit=$(awk '/^CommitLimit:/ {print $2 * 1024}' /proc/meminfo)
	got=$(json_get "$BATS_TEST_TMPDIR/c.json" memory.commit_limit)
	# CommitLimit moves with the setting; allow for a page or two of drift.
	((got > limit - 65536 && got < limit + 65536)) || _rf_fail "commit_limit $got, /proc says $limit"
	rf_run check
	expect_output_contains "vm.overcommit_memory  2: strict: allocations fail once Committed_AS"
	expect_output_contains "allocations fail past CommitLimit"
	echo 0 >/proc/sys/vm/overcommit_memory
	rf_run check
	expect_output_contains "vm.overcommit_memory  0: heuristic"
}
