#!/usr/bin/env bats
# The engine recipes in contrib/, against each engine's documented contract:
# the arguments and environment the engine gives its hook, and the exit
# codes and files it reads back. ringfence itself is a stub here that
# records how it was called and ends as told (STUB_EXIT, STUB_VERDICT);
# tests/vm/contrib.bats runs the same scripts with the real ringfence.

load ../lib/common

setup() {
	stub=$BATS_TEST_TMPDIR/ringfence
	calls=$BATS_TEST_TMPDIR/calls
	cat >"$stub" <<-'EOT'
	#!/bin/bash
	# Records its arguments, one per line; writes a verdict to --report-fd N
	# and --report FILE; traps TERM when STUB_TRAP_TERM is set.
	printf '%s\n' "$@" >"$STUB_CALLS"
	fd= file=
	while (($#)); do
		case $1 in
		--report-fd) fd=$2; shift ;;
		--report) file=$2; shift ;;
		--) break ;;
		esac
		shift
	done
	if [[ -n ${STUB_USAGE_ERROR:-} ]]; then
		echo "ringfence: $STUB_USAGE_ERROR" >&2
		exit 125
	fi
	verdict=${STUB_VERDICT:-'{"verdict":"exited","exit_code":0,"message":null}'}
	[[ -n $fd ]] && echo "$verdict" >&"$fd"
	[[ -n $file ]] && echo "$verdict" >"$file"
	if [[ -n ${STUB_TRAP_TERM:-} ]]; then
		trap 'echo "got TERM" >>"$STUB_CALLS"; exit 143' TERM
		touch "$STUB_TRAP_TERM"
		while :; do sleep 0.1; done
	fi
	exit "${STUB_EXIT:-0}"
	EOT
	chmod +x "$stub"
	export RINGFENCE=$stub STUB_CALLS=$calls
	gitlab=$RF_SRCDIR/contrib/gitlab/run-exec
	condor=$RF_SRCDIR/contrib/htcondor/job-wrapper
	script=$BATS_TEST_TMPDIR/script.sh
	echo 'echo job-script' >"$script"
}

# GitLab custom executor: run_exec SCRIPT STAGE, with the runner's variables.
gitlab_run() {	# gitlab_run STAGE [VAR=VALUE...]
	local stage=$1
	shift
	run_cmd env BUILD_FAILURE_EXIT_CODE=41 SYSTEM_FAILURE_EXIT_CODE=42 \
		BUILD_EXIT_CODE_FILE="$BATS_TEST_TMPDIR/exit-code" CUSTOM_ENV_CI_JOB_ID=777 \
		"$@" "$gitlab" "$script" "$stage"
}

@test "gitlab: the job's script runs in a sandbox and passes" {
	gitlab_run step_script
	expect_status 0
	[[ $(cat "$calls") == $'run\n--profile\nci-job\n--\nbash\n'"$script" ]] ||
		_rf_fail "ringfence called as: $(cat "$calls")"
	[[ ! -e $BATS_TEST_TMPDIR/exit-code ]] || _rf_fail "an exit code file for a pass"
}

@test "gitlab: build_script, after_script and step_* are the job's too" {
	local stage
	for stage in build_script after_script step_release; do
		rm -f "$calls"
		gitlab_run "$stage"
		expect_status 0
		[[ -s $calls ]] || _rf_fail "$stage did not run in ringfence"
	done
}

@test "gitlab: OOM at the limit (121), timeout (124) and the script's own failure are build failures, the real code in BUILD_EXIT_CODE_FILE" {
	local code
	for code in 121 124 3 137; do
		gitlab_run step_script STUB_EXIT=$code
		expect_status 41
		[[ $(cat "$BATS_TEST_TMPDIR/exit-code") == "$code" ]] || _rf_fail "file: $(cat "$BATS_TEST_TMPDIR/exit-code")"
	done
}

@test "gitlab: an outside OOM (122) and a launch failure (125) are system failures" {
	local code
	for code in 122 125; do
		gitlab_run step_script STUB_EXIT=$code
		expect_status 42
		[[ $(cat "$BATS_TEST_TMPDIR/exit-code") == "$code" ]] || _rf_fail "file: $(cat "$BATS_TEST_TMPDIR/exit-code")"
	done
}

@test "gitlab: a runner older than 17.9 (no BUILD_EXIT_CODE_FILE) gets only the mapped code" {
	run_cmd env BUILD_FAILURE_EXIT_CODE=41 SYSTEM_FAILURE_EXIT_CODE=42 STUB_EXIT=121 \
		"$gitlab" "$script" step_script
	expect_status 41
}

@test "gitlab: the runner's own stages run unsandboxed" {
	local stage
	for stage in prepare_script get_sources restore_cache download_artifacts archive_cache \
		upload_artifacts_on_success cleanup_file_variables; do
		gitlab_run "$stage"
		expect_status 0
		expect_output_contains job-script
		[[ ! -e $calls ]] || _rf_fail "$stage ran in ringfence"
	done
	echo 'exit 5' >"$script"
	gitlab_run get_sources
	expect_status 41
}

@test "gitlab: RINGFENCE_GITLAB_ARGS and a report named by the job id" {
	gitlab_run step_script RINGFENCE_GITLAB_ARGS="--memory 2G --pids 100" \
		RINGFENCE_GITLAB_REPORT_DIR=/var/log/rf
	expect_status 0
	[[ $(cat "$calls") == $'run\n--memory\n2G\n--pids\n100\n--report\n/var/log/rf/%{CUSTOM_ENV_CI_JOB_ID}-step_script.json\n--\nbash\n'"$script" ]] ||
		_rf_fail "ringfence called as: $(cat "$calls")"
}

@test "gitlab: called wrongly, it is the runner's failure" {
	run_cmd env SYSTEM_FAILURE_EXIT_CODE=42 "$gitlab" "$script"
	expect_status 42
	expect_stderr_contains "usage: run-exec SCRIPT STAGE"
}

# HTCondor USER_JOB_WRAPPER: the job's executable and arguments as argv.
@test "htcondor: the job runs in a sandbox and its exit code passes through" {
	run_cmd "$condor" /bin/echo "an argument"
	expect_status 0
	[[ $(cat "$calls") == $'run\n--report-fd\n3\n--\n/bin/echo\nan argument' ]] ||
		_rf_fail "ringfence called as: $(cat "$calls")"
	local code
	for code in 3 121 124; do
		run_cmd env _CONDOR_WRAPPER_ERROR_FILE="$BATS_TEST_TMPDIR/err" STUB_EXIT=$code "$condor" /bin/true
		expect_status "$code"
		[[ ! -e $BATS_TEST_TMPDIR/err ]] || _rf_fail "wrapper error file for $code"
	done
}

@test "htcondor: a launch failure (125) writes _CONDOR_WRAPPER_ERROR_FILE, so the job goes back to the queue" {
	run_cmd env _CONDOR_WRAPPER_ERROR_FILE="$BATS_TEST_TMPDIR/err" STUB_EXIT=125 \
		STUB_VERDICT='{"verdict":"launch-failed","exit_code":125,"message":"create leaf `/x`: No space left on device"}' \
		"$condor" /bin/true
	expect_status 125
	[[ $(cat "$BATS_TEST_TMPDIR/err") == 'ringfence: exit 125 (launch-failed): create leaf `/x`: No space left on device' ]] ||
		_rf_fail "error file: $(cat "$BATS_TEST_TMPDIR/err")"
}

@test "htcondor: bad ringfence arguments (125 before any verdict) are the machine's failure, with ringfence's message" {
	run_cmd env _CONDOR_WRAPPER_ERROR_FILE="$BATS_TEST_TMPDIR/err" \
		STUB_USAGE_ERROR='--memory: `lots`: expected bytes' "$condor" /bin/true
	expect_status 125
	expect_stderr_contains 'ringfence: --memory: `lots`: expected bytes'
	[[ $(cat "$BATS_TEST_TMPDIR/err") == 'ringfence: exit 125 (no verdict): --memory: `lots`: expected bytes' ]] ||
		_rf_fail "error file: $(cat "$BATS_TEST_TMPDIR/err")"
}

@test "htcondor: an outside OOM (122) is requeued only when the site asks" {
	run_cmd env _CONDOR_WRAPPER_ERROR_FILE="$BATS_TEST_TMPDIR/err" STUB_EXIT=122 "$condor" /bin/true
	expect_status 122
	[[ ! -e $BATS_TEST_TMPDIR/err ]] || _rf_fail "error file without the option"
	run_cmd env _CONDOR_WRAPPER_ERROR_FILE="$BATS_TEST_TMPDIR/err" STUB_EXIT=122 \
		STUB_VERDICT='{"verdict":"oom-external","exit_code":122,"message":null}' \
		RINGFENCE_CONDOR_REQUEUE_EXTERNAL_OOM=1 "$condor" /bin/true
	expect_status 122
	[[ $(cat "$BATS_TEST_TMPDIR/err") == "ringfence: exit 122 (oom-external)" ]] ||
		_rf_fail "error file: $(cat "$BATS_TEST_TMPDIR/err")"
}

@test "htcondor: RINGFENCE_CONDOR_ARGS and RINGFENCE_CONDOR_REPORT" {
	run_cmd env RINGFENCE_CONDOR_ARGS="--memory 1G" RINGFENCE_CONDOR_REPORT='/r/%{_CONDOR_SLOT}.json' \
		"$condor" /bin/true
	expect_status 0
	[[ $(cat "$calls") == $'run\n--memory\n1G\n--report\n/r/%{_CONDOR_SLOT}.json\n--report-fd\n3\n--\n/bin/true' ]] ||
		_rf_fail "ringfence called as: $(cat "$calls")"
}

@test "htcondor: the starter's SIGTERM (vacate) reaches ringfence" {
	local pid st=0
	STUB_TRAP_TERM=$BATS_TEST_TMPDIR/ready "$condor" /bin/true 3>&- &
	pid=$!
	rf_wait_for 30 test -e "$BATS_TEST_TMPDIR/ready"
	kill -TERM "$pid"
	wait "$pid" || st=$?
	[[ $st == 143 ]] || _rf_fail "status $st"
	grep -qx "got TERM" "$calls" || _rf_fail "ringfence did not get SIGTERM"
}

@test "htcondor: called without a job, it fails" {
	run_cmd "$condor"
	expect_status 1
	expect_stderr_contains "usage: job-wrapper EXECUTABLE"
}
