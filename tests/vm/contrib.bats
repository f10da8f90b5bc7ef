#!/usr/bin/env bats
# The engine recipes in contrib/ with the real ringfence (their contracts
# with a stub: tests/host/contrib.bats).

load ../lib/common

setup() {
	requires root cgroup2 memhog
	gitlab=$RF_SRCDIR/contrib/gitlab/run-exec
	condor=$RF_SRCDIR/contrib/htcondor/job-wrapper
}

@test "gitlab: a job OOM-killed at its limit is a build failure, with 121 and the verdict kept" {
	echo 'memhog 200M' >"$BATS_TEST_TMPDIR/script"
	run_cmd env BUILD_FAILURE_EXIT_CODE=41 SYSTEM_FAILURE_EXIT_CODE=42 \
		BUILD_EXIT_CODE_FILE="$BATS_TEST_TMPDIR/code" CUSTOM_ENV_CI_JOB_ID=5 \
		RINGFENCE_GITLAB_ARGS="--memory 32M" RINGFENCE_GITLAB_REPORT_DIR="$BATS_TEST_TMPDIR" \
		"$gitlab" "$BATS_TEST_TMPDIR/script" step_script
	expect_status 41
	[[ $(cat "$BATS_TEST_TMPDIR/code") == 121 ]] || _rf_fail "code file: $(cat "$BATS_TEST_TMPDIR/code")"
	expect_json "$BATS_TEST_TMPDIR/5-step_script.json" verdict oom-limit
}

@test "gitlab: a passing job passes" {
	echo 'echo built' >"$BATS_TEST_TMPDIR/script"
	run_cmd env BUILD_FAILURE_EXIT_CODE=41 SYSTEM_FAILURE_EXIT_CODE=42 RINGFENCE_GITLAB_ARGS=-q \
		"$gitlab" "$BATS_TEST_TMPDIR/script" build_script
	expect_status 0
	expect_line built
}

@test "htcondor: a vacate SIGTERM ends the job in its sandbox, even one that ignores it" {
	local pid st=0
	RINGFENCE_CONDOR_ARGS="--kill-after 1s" _CONDOR_WRAPPER_ERROR_FILE="$BATS_TEST_TMPDIR/err" \
		"$condor" sh -c "trap '' TERM; touch $BATS_TEST_TMPDIR/ready; sleep 1030" 3>&- &
	pid=$!
	rf_wait_for 60 test -e "$BATS_TEST_TMPDIR/ready"
	kill -TERM "$pid"
	wait "$pid" || st=$?
	[[ $st == 137 ]] || _rf_fail "status $st"
	[[ ! -e $BATS_TEST_TMPDIR/err ]] || _rf_fail "wrapper error file written"
}

@test "htcondor: ringfence's bad input puts the job back in the queue with ringfence's message" {
	run_cmd env RINGFENCE_CONDOR_ARGS="--memory lots" _CONDOR_WRAPPER_ERROR_FILE="$BATS_TEST_TMPDIR/err" \
		"$condor" /bin/true
	expect_status 125
	[[ $(cat "$BATS_TEST_TMPDIR/err") == *"exit 125"*"--memory"* ]] ||
		_rf_fail "error file: $(cat "$BATS_TEST_TMPDIR/err")"
}
