#!/usr/bin/env bats
# `ringfence run` input validation: every bad value is refused with exit 125
# and a message naming the flag, before anything is created.

load ../lib/common

# Each row: FLAG VALUE FRAGMENT — `run FLAG VALUE -- true` must exit 125 with
# "FLAG" and FRAGMENT in stderr. FRAGMENT "-" means only the flag is checked.
bad_inputs() {
	cat <<'EOF'
--memory	12Q	is not a size
--memory	-1	is not a size
--memory	0x10	is not a size
--memory		is not a size
--memory	1.5.5	is not a size
--memory	17179869184G	is too large
--memory	99999999999999999999	is too large
--memory-high	abc	is not a size
--memory-low	1K2	is not a size
--swap	-5	is not a size
--pids	0	out of range
--pids	-3	-
--pids	abc	is not a number
--pids	99999999999	out of range
--cpus	0	is too small
--cpus	-1	is not a cpu count
--cpus	abc	is not a cpu count
--cpus	0.0000001	is not a cpu count
--cpu-weight	0	out of range
--cpu-weight	10001	out of range
--cpu-weight	x	is not a number
--timeout	5x	-
--timeout	-1s	-
--timeout		-
--timeout	0.5ms	is shorter than 1 ms
--kill-after	abc	-
--cgroup-parent	../x	is not a cgroup path
--cgroup-parent	ci/./jobs	is not a cgroup path
--cgroup-parent	ci//jobs	is not a cgroup path
--report-fd	99	is not open
--report-fd	abc	is not a number
--name	a/b	is not a leaf name
--name	..	is not a leaf name
--name		is not a leaf name
--unshare	foo	-
--rlimit	nofile	-
--rlimit	bogus=1	-
--rlimit	nofile=abc	-
--rlimit	nofile=10:5	-
--oom-score-adj	1001	out of range
--oom-score-adj	-1001	out of range
--oom-score-adj	x	is not a number
--numa-bind	7	-
--numa-bind	0-	-
--numa-interleave	abc	-
--cpuset-cpus	999	-
--cap-add	CAP_BOGUS	is not a capability
--cap-drop	nonsense	is not a capability
--seccomp	/nonexistent/seccomp.json	-
--setenv	NOEQUALS	is not an assignment
--setenv	=v	is not an assignment
--unsetenv	A=B	is not a variable name
--preserve-fds	-1	-
--tmpfs	relative/path	-
--bind	/nonexistent/src:/x	-
--memlock	lots	is not a size
EOF
}

@test "every bad value exits 125 naming the flag, and creates nothing" {
	local flag value frag failures=0 before
	before=$(rf_made_cgroups)
	while IFS=$'\t' read -r flag value frag; do
		run --separate-stderr "$RINGFENCE" run "$flag" "$value" -- true
		if [[ $status -ne 125 || $stderr != *"$flag"* ||
		      ( $frag != - && $stderr != *"$frag"* ) ]]; then
			printf 'FAIL: run %s %q -- true\n  status %s\n  stderr: %s\n' \
				"$flag" "$value" "$status" "$stderr"
			failures=$((failures + 1))
		fi
	done < <(bad_inputs)
	[ "$(bad_inputs | wc -l)" -ge 30 ]
	[ "$failures" -eq 0 ]
	# Parse, then plan, then act: no parent or leaf cgroup was made.
	[[ $(rf_made_cgroups) == "$before" ]] || _rf_fail "cgroups were made: $(rf_made_cgroups)"
}

@test "a bad value says which form is accepted" {
	rf_run run --memory 12Q -- true
	expect_status 125
	expect_stderr_contains "--memory: \`12Q\` is not a size"
	expect_stderr_contains "K, M, G or T"
	expect_stderr_contains "ringfence run --help"
}

@test "an unknown option exits 125" {
	rf_run run --bogus -- true
	expect_status 125
	expect_stderr_contains "--bogus"
}

@test "a missing value exits 125 naming the flag" {
	rf_run run --memory
	expect_status 125
	expect_stderr_contains "--memory: missing value"
}

@test "a value given to a flag that takes none exits 125 saying so" {
	rf_run run --scope=yes -- true
	expect_status 125
	expect_stderr_contains "--scope: takes no value"
	expect_stderr_not_contains "missing value"
}

@test "no command exits 125" {
	rf_run run --memory 64M
	expect_status 125
	expect_stderr_contains "missing COMMAND"
}

@test "run --help lists the options and exits 0" {
	rf_run run --help
	expect_status 0
	expect_output_contains "--memory SIZE"
	expect_output_contains "--pids N"
	expect_output_contains "--timeout DURATION"
	expect_output_contains "Exit status"
}

@test "on a host whose cgroup v2 lacks the memory controller, run says so and exits 125" {
	if [ -n "$RF_CGROUP_ROOT" ] && grep -qw memory "$RF_CGROUP_ROOT/cgroup.controllers"; then
		skip "this host's cgroup v2 has the memory controller"
	fi
	local before
	before=$(rf_made_cgroups)
	rf_run run --memory 64M -- true
	expect_status 125
	expect_stderr_contains "no memory"
	expect_stderr_contains "cgroup_no_v1=all"
	[[ $(rf_made_cgroups) == "$before" ]] || _rf_fail "cgroups were made: $(rf_made_cgroups)"
}

@test "the report names the failure when ringfence cannot set up" {
	if [ -n "$RF_CGROUP_ROOT" ] && grep -qw memory "$RF_CGROUP_ROOT/cgroup.controllers"; then
		skip "this host's cgroup v2 has the memory controller"
	fi
	rf_run run --report "$BATS_TEST_TMPDIR/r.json" -- true
	expect_status 125
	expect_json "$BATS_TEST_TMPDIR/r.json" verdict launch-failed
	expect_json "$BATS_TEST_TMPDIR/r.json" exit_code 125
}
