#!/usr/bin/env bats
# Slurm's own limits (ConstrainRAMSpace=yes, --mem) bind a sandbox started in
# a job: ringfence makes its leaf inside the job's step (beside task_N, where
# Slurm can still signal the supervisor), so the job's memory.max is an
# ancestor's limit. Slurm counts every OOM kill in the job and rewrites the
# job's exit code to OUT_OF_MEMORY 0:125; the verdict file keeps which OOM it
# was. Also the same as an ordinary user through a setuid-root ringfence.
#
# scancel: Slurm SIGTERMs the task and SIGKILLs it KillWait (5 s here)
# later, and 22.05's cgroup/v2 signals only processes directly in the
# step's own cgroups, never in a sandbox's leaf. ringfence forwards the
# SIGTERM and ends the leaf with cgroup.kill --kill-after (2 s) later, so
# the job ends, nothing is left and the node never drains.

load ../../lib/common
load slurm

setup_file() {
	slurm_start ConstrainRAMSpace=yes
}

teardown_file() {
	rm -rf /opt/rf-suid /etc/ringfence
}

setup() {
	reports=$BATS_TEST_TMPDIR/reports
	mkdir -p "$reports"
}

rf_teardown() {
	slurm_assert_clean
}

@test "--mem binds the sandbox: the job's limit kills it (oom-external, 122), sacct says OUT_OF_MEMORY" {
	requires root srun memhog
	run_cmd srun --mem=64M ringfence run --report "$reports/%j.json" -- memhog 200M
	local report job
	report=$(slurm_report "$reports")
	job=$(basename "$report" .json)
	expect_json "$report" verdict oom-external
	expect_json "$report" exit_code 122
	# The leaf was made in the job's step, beside the task.
	[[ $(json_get "$report" cgroup) =~ /job_${job}/step_0/user/run-[^/]+$ ]] ||
		_rf_fail "leaf at $(json_get "$report" cgroup)"
	slurm_expect_sacct "$job" "OUT_OF_MEMORY 0:125"
}

@test "ringfence's own limit inside a job: verdict oom-limit in the report, Slurm still counts the OOM" {
	requires root srun memhog
	run_cmd srun --mem=256M ringfence run --memory 32M --report "$reports/%j.json" -- memhog 200M
	local report job
	report=$(slurm_report "$reports")
	job=$(basename "$report" .json)
	expect_json "$report" verdict oom-limit
	slurm_expect_sacct "$job" "OUT_OF_MEMORY 0:125"
}

@test "a user's job with a setuid-root ringfence: the command runs as the user, inside the job's limit" {
	requires root sbatch memhog
	mkdir -p /opt/rf-suid /etc/ringfence
	cp "$RINGFENCE" /opt/rf-suid/ringfence
	chown 0:0 /opt/rf-suid/ringfence
	chmod 4755 /opt/rf-suid/ringfence
	chmod 0755 /opt/rf-suid
	printf 'memory = 1G\npids = 256\nunshare = pid,mount,ipc,uts,cgroup\n' >/etc/ringfence/policy
	# A directory the user can reach (bats' own are root's alone).
	local dir=/tmp/rf-slurm-user
	rm -rf "$dir"
	mkdir -m 1777 "$dir"
	cat >"$dir/job" <<-EOT
	#!/bin/bash
	exec /opt/rf-suid/ringfence run --report $dir/%j.json -- sh -c 'id -u; memhog 200M'
	EOT
	chmod 0755 "$dir/job"
	run_cmd sbatch --parsable --uid=1000 --gid=1000 --mem=64M -D "$dir" -o "$dir/out" "$dir/job"
	expect_status 0
	local job=$output
	slurm_wait_done "$job"
	grep -qx 1000 "$dir/out" || _rf_fail "output: $(cat "$dir/out")"
	expect_json "$dir/$job.json" verdict oom-external
	[[ $(json_get "$dir/$job.json" cgroup) =~ /job_${job}/step_batch/user/run-[^/]+$ ]] ||
		_rf_fail "leaf at $(json_get "$dir/$job.json" cgroup)"
	[[ $(stat -c %u "$dir/$job.json") == 1000 ]] || _rf_fail "report not the user's"
	rm -rf "$dir"
}

@test "--cgroup-parent naming the task's own cgroup: 125 naming the fix, nothing made, the job ends, node idle" {
	requires root srun
	# Inside task_0 ringfence would have to leave it, where Slurm no longer
	# signals it (a cancel would drain the node): refused, with the default
	# as the fix. Slurm puts the step's memory.max on step_0/user, the
	# deepest limit. slurm_assert_clean (rf_teardown) finds nothing left.
	# shellcheck disable=SC2016
	run_cmd srun --mem=64M sh -c 'exec ringfence run --cgroup-parent "$(cut -d: -f3 /proc/self/cgroup)" -- true'
	expect_status 125
	expect_stderr_matches "--cgroup-parent \`/system.slice/node1_slurmstepd.scope/job_[0-9]+/step_0/user/task_0\` is ringfence's own cgroup"
	expect_stderr_matches "leave --cgroup-parent out: the sandbox then goes beside it, in \`[^\`]*/job_[0-9]+/step_0/user\`, still inside the limit of \`[^\`]*/job_[0-9]+/step_0/user\` \(memory.max 64.0M\)"
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
	run_cmd sbatch --parsable -o /dev/null --mem=128M "$BATS_TEST_TMPDIR/job"
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
	# The leaf was in the batch step, beside the task, where Slurm's own
	# signals never reach: ringfence's grace and cgroup.kill ended it.
	[[ $(json_get "$report" cgroup) =~ /job_${job}/step_batch/user/run-[^/]+$ ]] ||
		_rf_fail "leaf at $(json_get "$report" cgroup)"
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
