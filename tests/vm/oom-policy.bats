#!/usr/bin/env bats
# The host's OOM policy guards at `run` time (issue 4): vm.panic_on_oom=2
# refuses a memory-limited run unless --allow-panic-on-oom; overcommit=1 and a
# NUMA bind without --memory are warned about. The sysctls are changed in the
# guest and restored in teardown; no test OOMs while panic_on_oom is 2.

load ../lib/common

setup() {
	save_sysctls vm/panic_on_oom vm/overcommit_memory
}

@test "panic_on_oom=2: run --memory 64M is refused with 125 and says why" {
	requires root cgroup2
	echo 2 >/proc/sys/vm/panic_on_oom
	before=$(find "$RF_CGROUP_ROOT" -type d | sort)
	rf_run run --memory 64M -- true
	expect_status 125
	expect_stderr_contains "vm.panic_on_oom is 2: an OOM inside the sandbox (at its memory limit) would panic the whole host"
	expect_stderr_contains "--allow-panic-on-oom"
	[[ $(find "$RF_CGROUP_ROOT" -type d | sort) == "$before" ]] || _rf_fail "a cgroup was created"
}

@test "panic_on_oom=2: --numa-bind is refused too" {
	requires root cgroup2 numa2
	echo 2 >/proc/sys/vm/panic_on_oom
	rf_run run --numa-bind 0 -- true
	expect_status 125
	expect_stderr_contains "(on its bound NUMA nodes) would panic the whole host"
}

@test "panic_on_oom=2: --allow-panic-on-oom runs, with a warning" {
	requires root cgroup2
	echo 2 >/proc/sys/vm/panic_on_oom
	# `true` cannot OOM: nothing here may panic the guest.
	rf_run run --memory 64M --allow-panic-on-oom -- true
	expect_status 0
	expect_stderr_contains "warning: vm.panic_on_oom is 2 and --allow-panic-on-oom is given"
}

@test "panic_on_oom=2 without a memory limit runs; panic_on_oom=1 + --memory runs" {
	requires root cgroup2
	echo 2 >/proc/sys/vm/panic_on_oom
	rf_run run --pids 16 -- true
	expect_status 0
	echo 1 >/proc/sys/vm/panic_on_oom
	rf_run run --memory 64M -- true
	expect_status 0
	expect_stderr_not_contains "panic_on_oom"
}

@test "overcommit_memory=1 without --memory: one warning line" {
	requires root cgroup2
	echo 1 >/proc/sys/vm/overcommit_memory
	rf_run run --pids 16 -- true
	expect_status 0
	expect_stderr_contains "warning: vm.overcommit_memory is 1 (always overcommit) and there is no --memory: nothing bounds this sandbox's memory"
	[[ $(grep -c overcommit <<<"$stderr") == 1 ]] || _rf_fail "expected one line"
	rf_run run --memory 64M -- true
	expect_status 0
	expect_stderr_not_contains "overcommit"
}

@test "overcommit_memory=0 without --memory: no warning" {
	requires root cgroup2
	echo 0 >/proc/sys/vm/overcommit_memory
	rf_run run --pids 16 -- true
	expect_status 0
	expect_stderr_not_contains "overcommit"
}
