#!/usr/bin/env bats
# ringfence as an OCI runtime: process.terminal with --console-socket, the
# caller's end played by tests/helpers/recvtty (as conmon and containerd's
# shim receive it), against crun too.

load ../lib/common
load ../lib/oci

rf_teardown() {
	oci_cleanup_check
}

console_socket() {
	local rt=$1 b=$BATS_TEST_TMPDIR/con-$1
	oci_bundle "$b" sh -c 'tty; echo hi-from-the-pty'
	oci_edit "$b" '.process.terminal = true'
	oci_console_run "$rt" "$b" "con-$rt"
	grep -q 'hi-from-the-pty' "$b/out" || _rf_fail "no output through the pty: $(cat "$b/out")"
	grep -q '^/dev/pts/' "$b/out" || _rf_fail "stdin is not a pty: $(cat "$b/out")"
}

@test "--console-socket gets exactly one pty master fd; the container's stdio is its slave (ringfence)" {
	requires root cgroup2 jq recvtty
	console_socket ringfence
}

@test "--console-socket gets exactly one pty master fd; the container's stdio is its slave (crun)" {
	requires root cgroup2 jq recvtty crun
	console_socket crun
}

foreground_terminal() {
	local rt=$1 b=$BATS_TEST_TMPDIR/ft-$1
	oci_bundle "$b" sh -c 'tty; exit 5'
	oci_edit "$b" '.process.terminal = true'
	# script(1) is the user's terminal
	run_cmd timeout 60 script -qec "$(oci_runtime "$rt") --root $OCI_ROOT/$rt \
		run --bundle $b ft-$rt" /dev/null
	expect_status 5
	expect_output_contains /dev/pts/0
	oci "$rt" list -q
	[[ -z $output ]] || _rf_fail "the run left $output"
}

@test "a foreground run with process.terminal and no socket relays a pty made inside (ringfence)" {
	requires root cgroup2 jq script
	foreground_terminal ringfence
}

@test "a foreground run with process.terminal and no socket relays a pty made inside (crun)" {
	requires root cgroup2 jq script crun
	foreground_terminal crun
}

# runc, the peer here (under ptyrun crun 1.8's payload could not read the
# pty's size: `stty: standard input`), is in tests/vm/engines/runc.bats.
@test "a foreground run's pty follows the user's terminal when it is resized (ringfence)" {
	requires root cgroup2 jq pty ptyrun
	resized_terminal ringfence
}

@test "process.consoleSize is the pty's size before anyone resizes it (ringfence)" {
	requires root cgroup2 jq recvtty
	console_size ringfence
}

@test "process.consoleSize is the pty's size before anyone resizes it (crun)" {
	requires root cgroup2 jq recvtty crun
	console_size crun
}
