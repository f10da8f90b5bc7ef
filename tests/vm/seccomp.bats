#!/usr/bin/env bats
# Seccomp: --seccomp default|FILE|none, the default profile's groups, and
# docker-style OCI profiles loading as they are.

load ../lib/common

fixture() { printf '%s/tests/fixtures/seccomp/%s' "$RF_SRCDIR" "$1"; }

@test "default profile: keyctl, unshare and bpf fail with EPERM" {
	requires root cgroup2
	for call in keyctl add_key unshare bpf perf_event_open userfaultfd mount setns ptrace \
		init_module kexec_load clone-newuser; do
		rf_run run --seccomp default -- trysys "$call"
		expect_status 1
		[[ $output == EPERM ]] || _rf_fail "$call: $output, expected EPERM"
	done
}

@test "default profile: ordinary commands run" {
	requires root cgroup2
	rf_run run --seccomp default -- sh -c 'echo hello | tr a-z A-Z; ls / >/dev/null; id -u'
	expect_status 0
	expect_output_contains "HELLO"
	rf_run run --seccomp default -- trysys getpid
	expect_status 0
	[[ $output == ok ]] || _rf_fail "getpid: $output"
}

@test "default profile: clone3 looks absent, so libc falls back to clone" {
	requires root cgroup2
	rf_run run --seccomp default -- trysys clone3
	expect_status 1
	[[ $output == ENOSYS ]] || _rf_fail "clone3: $output, expected ENOSYS"
	# Threads and children still start (glibc uses clone3 first, then clone).
	rf_run run --seccomp default -- sh -c 'sleep 0 & wait; echo done'
	expect_status 0
	expect_output_contains "done"
}

@test "default profile: unshare(1) cannot make a user namespace" {
	requires root cgroup2 unshare
	rf_run run --seccomp default -- unshare --user true
	[[ $status != 0 ]] || _rf_fail "unshare --user succeeded under the default profile"
	expect_stderr_contains "Operation not permitted"
}

@test "default profile: TIOCSTI is refused before the kernel looks at the fd" {
	requires root cgroup2
	# Without a filter, stdin (not a terminal) gives ENOTTY; the filter answers first.
	rf_run run --seccomp none -- trysys tiocsti
	[[ $output == ENOTTY ]] || _rf_fail "without a filter: $output, expected ENOTTY"
	rf_run run --seccomp default -- trysys tiocsti
	expect_status 1
	[[ $output == EPERM ]] || _rf_fail "TIOCSTI: $output, expected EPERM"
}

@test "--seccomp none installs no filter" {
	requires root cgroup2
	rf_run run --seccomp none -- trysys keyctl
	[[ $output != EPERM ]] || _rf_fail "keyctl failed with EPERM without a filter"
	rf_run run --seccomp none -- grep '^Seccomp:' /proc/self/status
	expect_output_contains "0"
}

@test "the filter is installed, with no_new_privs" {
	requires root cgroup2
	rf_run run --seccomp default -- cat /proc/self/status
	expect_status 0
	[[ $output =~ Seccomp:[[:space:]]+2 ]] || _rf_fail "no seccomp filter mode in status"
	[[ $output =~ NoNewPrivs:[[:space:]]+1 ]] || _rf_fail "no_new_privs not set"
}

@test "a docker-style profile with args conditions loads and applies" {
	requires root cgroup2
	rf_run run --seccomp "$(fixture docker-like.json)" -- sh -c 'echo ok; cat /proc/self/status'
	expect_status 0
	expect_output_contains "ok"
	# Not on its allowlist: the profile's defaultErrnoRet.
	rf_run run --seccomp "$(fixture docker-like.json)" -- trysys keyctl
	[[ $output == EPERM ]] || _rf_fail "keyctl: $output, expected EPERM"
	# personality is allowed only for a few exact values (SCMP_CMP_EQ).
	rf_run run --seccomp "$(fixture docker-like.json)" -- trysys personality 0
	[[ $output == ok ]] || _rf_fail "personality(0): $output"
	rf_run run --seccomp "$(fixture docker-like.json)" -- trysys personality 0x40000
	[[ $output == EPERM ]] || _rf_fail "personality(ADDR_NO_RANDOMIZE): $output"
	# clone with a CLONE_NEW* flag misses the SCMP_CMP_MASKED_EQ allow rule.
	rf_run run --seccomp "$(fixture docker-like.json)" -- trysys clone-newuser
	[[ $output == EPERM ]] || _rf_fail "clone(CLONE_NEWUSER): $output"
}

@test "syscall names this machine lacks are skipped, not an error" {
	requires root cgroup2
	cat >"$BATS_TEST_TMPDIR/p.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["keyctl", "no_such_syscall", "s390_runtime_instr"],
               "action": "SCMP_ACT_ERRNO"}]}
JSON
	rf_run run --seccomp "$BATS_TEST_TMPDIR/p.json" -- trysys keyctl
	[[ $output == EPERM ]] || _rf_fail "keyctl: $output"
}

@test "a malformed profile is refused with 125, naming the JSON path" {
	requires root cgroup2
	cat >"$BATS_TEST_TMPDIR/bad.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ERRNO"},
              {"names": ["b"], "action": "SCMP_ACT_ERRNO"},
              {"names": ["c"], "action": "SCMP_ACT_ERRNO"},
              {"names": ["d"], "action": 7}]}
JSON
	rf_run run --seccomp "$BATS_TEST_TMPDIR/bad.json" -- true
	expect_status 125
	expect_stderr_contains '`syscalls[3].action`: expected string, got integer'
	printf '{"defaultAction": "SCMP_ACT_ALLOW",' >"$BATS_TEST_TMPDIR/cut.json"
	rf_run run --seccomp "$BATS_TEST_TMPDIR/cut.json" -- true
	expect_status 125
	expect_stderr_contains "cut.json"
	rf_run run --seccomp "$BATS_TEST_TMPDIR/missing.json" -- true
	expect_status 125
	expect_stderr_contains "missing.json"
}

@test "SCMP_ACT_NOTIFY is refused clearly" {
	requires root cgroup2
	echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["keyctl"], "action": "SCMP_ACT_NOTIFY"}]}' \
		>"$BATS_TEST_TMPDIR/notify.json"
	rf_run run --seccomp "$BATS_TEST_TMPDIR/notify.json" -- true
	expect_status 125
	expect_stderr_contains "SCMP_ACT_NOTIFY needs a seccomp agent"
}

@test "the installed default profile is the built-in one" {
	requires root cgroup2
	[[ -f $RF_SRCDIR/profiles/seccomp/default.json ]] || skip "no source tree"
	rf_run run --seccomp "$RF_SRCDIR/profiles/seccomp/default.json" -- trysys keyctl
	[[ $output == EPERM ]] || _rf_fail "keyctl: $output"
}
