#!/usr/bin/env bats
# ringfence as a Slurm job's launcher (Slurm 22.05, one node): exit codes
# and verdicts as sacct shows them, requeueing on 122/125, a fork bomb,
# and many jobs leaving nothing behind. Memory is ringfence's to enforce
# here (ConstrainRAMSpace=no); limits.bats has Slurm's own.

load ../../lib/common
load slurm

setup_file() {
	slurm_start ConstrainRAMSpace=no RequeueExit=122,125	# as container.bats
}

setup() {
	reports=$BATS_TEST_TMPDIR/reports
	mkdir -p "$reports"
}

rf_teardown() {
	slurm_assert_clean
}

@test "OOM at ringfence's own limit reaches srun as 121 and sacct as FAILED 121:0" {
	requires root srun sacct memhog
	run_cmd srun ringfence run --memory 32M --report "$reports/%j.json" -- memhog 200M
	expect_status 121
	local report job
	report=$(slurm_report "$reports")
	job=$(basename "$report" .json)
	expect_json "$report" verdict oom-limit
	slurm_expect_sacct "$job" "FAILED 121:0"
}

@test "--report %j.%s.%t names the verdict by job, step and task" {
	requires root srun
	run_cmd srun ringfence run -q --report "$reports/%j.%s.%t.json" -- true
	expect_status 0
	local f
	f=$(ls "$reports")
	[[ $f =~ ^[0-9]+\.0\.0\.json$ ]] || _rf_fail "report named $f"
	expect_json "$reports/$f" verdict exited
}

@test "--cgroup-parent naming the task's own cgroup with no limit on the job: 125, and the parent it names works" {
	requires root srun
	# No limit binds the task here, and still ringfence would leave task_0
	# for a sub-cgroup Slurm does not signal: refused, naming step_0/user.
	# shellcheck disable=SC2016
	run_cmd srun sh -c 'exec ringfence run --cgroup-parent "$(cut -d: -f3 /proc/self/cgroup)" -- true'
	expect_status 125
	expect_stderr_matches "--cgroup-parent \`[^\`]*/job_[0-9]+/step_0/user/task_0\` is ringfence's own cgroup"
	expect_stderr_matches "pass --cgroup-parent \`[^\`]*/job_[0-9]+/step_0/user\` instead"
	# shellcheck disable=SC2016
	run_cmd srun sh -c 'exec ringfence run --cgroup-parent "$(dirname "$(cut -d: -f3 /proc/self/cgroup)")" \
		--report "$0/%j.json" -- true' "$reports"
	expect_status 0
	local report job
	report=$(slurm_report "$reports")
	job=$(basename "$report" .json)
	[[ $(json_get "$report" cgroup) =~ /job_${job}/step_0/user/run-[^/]+$ ]] ||
		_rf_fail "leaf at $(json_get "$report" cgroup)"
}

@test "RequeueExit=122,125: a batch job is requeued after a host-side OOM (122) and a launch failure (125)" {
	requires root sbatch scontrol memhog
	local cap=/sys/fs/cgroup/rf-slurm-cap
	mkdir -p "$cap"
	echo 32M >"$cap/memory.max"
	echo 0 >"$cap/memory.swap.max"
	# Run 1: the limit of a parent outside the sandbox (122). Run 2: bad
	# input (125). Run 3: success.
	cat >"$BATS_TEST_TMPDIR/job" <<-EOT
	#!/bin/bash
	n=\$(cat $BATS_TEST_TMPDIR/runs 2>/dev/null || echo 0)
	echo \$((n + 1)) >$BATS_TEST_TMPDIR/runs
	case \$n in
	0) exec ringfence run --cgroup-parent rf-slurm-cap --report $reports/run1.json -- memhog 100M ;;
	1) exec ringfence run --memory lots -- true ;;
	*) exec ringfence run -- true ;;
	esac
	EOT
	run_cmd sbatch --parsable -o /dev/null "$BATS_TEST_TMPDIR/job"
	expect_status 0
	local job=$output
	slurm_release_requeued "$job" 1
	slurm_release_requeued "$job" 2
	slurm_wait_done "$job"
	rmdir "$cap"
	expect_json "$reports/run1.json" verdict oom-external
	# jobcomp (sacct -c) has one line per run.
	run_cmd sacct -c -n -P -j "$job" -o State,ExitCode
	expect_status 0
	[[ $output == $'FAILED|122:0\nFAILED|125:0\nCOMPLETED|0:0' ]] || _rf_fail "runs were not 122, 125, 0"
}

@test "a fork bomb in a job is held by --pids (Slurm sets no pids.max) and the node stays idle" {
	requires root srun
	# Forks without end: only --timeout stops it.
	run_cmd srun ringfence run --pids 32 --timeout 5s --kill-after 1s \
		--report "$reports/%j.json" -- bash -c 'while :; do sleep 1000 & done'
	expect_status 124
	local report
	report=$(slurm_report "$reports")
	expect_json "$report" verdict timeout
	[[ $(json_get "$report" pids.limit_hits) -gt 0 ]] || _rf_fail "no pids.max hit: $(cat "$report")"
	[[ $(json_get "$report" pids.peak) -le 32 ]] || _rf_fail "pids.peak above 32"
}

@test "20 jobs, each its own sandbox, leave no cgroup, leaf or process" {
	requires root sbatch
	local i jobs=()
	for i in $(seq 1 20); do
		run_cmd sbatch --parsable --mem=64M -o "$BATS_TEST_TMPDIR/out.$i" \
			--wrap "ringfence run -q --memory 48M --pids 16 -- sh -c 'echo job-$i; sleep 0.1 & wait'"
		expect_status 0
		jobs+=("$output")
	done
	for i in "${!jobs[@]}"; do
		slurm_expect_sacct "${jobs[i]}" "COMPLETED 0:0"
		grep -qx "job-$((i + 1))" "$BATS_TEST_TMPDIR/out.$((i + 1))" ||
			_rf_fail "job $((i + 1)) printed: $(cat "$BATS_TEST_TMPDIR/out.$((i + 1))")"
	done
}
