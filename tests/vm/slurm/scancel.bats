#!/usr/bin/env bats
# scancel of a job that runs ringfence: Slurm SIGTERMs the task and SIGKILLs
# it KillWait (5 s here) later, and 22.05's cgroup/v2 signals only processes
# directly in the step's own cgroups, never in a sandbox's leaf. ringfence
# forwards the SIGTERM and ends the leaf with cgroup.kill --kill-after
# (2 s) later, so the job ends, nothing is left and the node never drains.

load ../../lib/common
load slurm

setup_file() {
	slurm_start ConstrainRAMSpace=yes
}

teardown_file() {
	slurm_stop
}

rf_teardown() {
	slurm_assert_clean
}

_payload_running_as() {
	grep -a -q -x "$1" /proc/[0-9]*/cmdline 2>/dev/null
}

@test "scancel ends a job whose payload ignores SIGTERM: all of it, within KillWait, node idle" {
	requires root sbatch scancel
	local report=$BATS_TEST_TMPDIR/verdict.json
	# ringfence is the batch step's main process (exec): a shell in front of it
	# would die on the SIGTERM, and Slurm then SIGKILLs the rest at once.
	cat >"$BATS_TEST_TMPDIR/job" <<-EOT
	#!/bin/bash
	exec ringfence run -q --report $report -- bash -c "trap '' TERM; setsid sleep 1100 </dev/null >/dev/null 2>&1 & sleep 1101 & wait"
	EOT
	run_cmd sbatch --parsable -o /dev/null "$BATS_TEST_TMPDIR/job"
	expect_status 0
	local job=$output
	slurm_wait_running "$job"
	rf_wait_for 120 _payload_running_as 'sleep.1101.' || _rf_fail "the payload did not start"
	run_cmd scancel "$job"
	expect_status 0
	slurm_wait_done "$job" 60
	[[ $(slurm_sacct "$job") == CANCELLED* ]] || _rf_fail "sacct: $(slurm_sacct "$job")"
	expect_json "$report" forwarded_signal 15
	expect_json "$report" status.signal 9
	[[ $(scontrol show node "$SLURM_NODE") != *"Kill task failed"* ]] || _rf_fail "the node drained"
}

@test "scancel of a batch script that runs ringfence through srun: the step gets its grace too" {
	requires root sbatch scancel srun
	local report=$BATS_TEST_TMPDIR/step.json
	# The shell in front dies on the SIGTERM; the step's own ringfence is
	# signalled and killed by Slurm as a step, KillWait apart.
	cat >"$BATS_TEST_TMPDIR/job" <<-EOT
	#!/bin/bash
	srun ringfence run -q --report $report -- bash -c "trap '' TERM; sleep 1102 & wait"
	echo after
	EOT
	run_cmd sbatch --parsable -o /dev/null "$BATS_TEST_TMPDIR/job"
	expect_status 0
	local job=$output
	rf_wait_for 120 _payload_running_as 'sleep.1102.' || _rf_fail "the payload did not start"
	run_cmd scancel "$job"
	expect_status 0
	slurm_wait_done "$job" 60
	expect_json "$report" forwarded_signal 15
	expect_json "$report" status.signal 9
}
