#!/usr/bin/env bats
# Capabilities: the default set of a root payload, --cap-add, --cap-drop,
# a non-root payload with none, no_new_privs always.

load ../lib/common

# The documented default (src/caps.c): CHOWN DAC_OVERRIDE FOWNER FSETID KILL
# SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT AUDIT_WRITE SETFCAP.
DEFAULT=00000000a00405fb

status_field() {	# status_field NAME: the field from the payload's /proc/self/status in $output
	printf '%s\n' "$output" | sed -n "s/^$1:[[:space:]]*//p" | tr -s '[:space:]' ' ' | sed 's/ $//'
}

expect_caps() {	# expect_caps EFF/PRM/BND INH/AMB NNP
	local f
	for f in CapEff CapPrm CapBnd; do
		[[ $(status_field $f) == "$1" ]] || _rf_fail "$f: $(status_field $f), expected $1"
	done
	for f in CapInh CapAmb; do
		[[ $(status_field $f) == "$2" ]] || _rf_fail "$f: $(status_field $f), expected $2"
	done
	[[ $(status_field NoNewPrivs) == "$3" ]] || _rf_fail "NoNewPrivs: $(status_field NoNewPrivs)"
}

@test "a root payload keeps the documented default set, with no_new_privs" {
	requires root cgroup2
	rf_run run -- cat /proc/self/status
	expect_status 0
	expect_caps $DEFAULT 0000000000000000 1
}

@test "--cap-drop removes a capability from every set" {
	requires root cgroup2
	rf_run run --cap-drop CAP_CHOWN -- cat /proc/self/status
	expect_status 0
	expect_caps 00000000a00405fa 0000000000000000 1
	rf_run run --cap-drop chown -- sh -c 'touch /tmp/rf-c; chown 1000 /tmp/rf-c; echo $?; rm -f /tmp/rf-c'
	expect_output_contains "1"
	expect_stderr_contains "Operation not permitted"
}

@test "--cap-add adds a capability to every set" {
	requires root cgroup2
	rf_run run --cap-add CAP_SYS_ADMIN -- cat /proc/self/status
	expect_status 0
	expect_caps 00000000a02405fb 0000000000000000 1
}

@test "a non-root payload gets no capabilities at all, even asked for" {
	requires root cgroup2
	rf_run run --user 1000 -- cat /proc/self/status
	expect_status 0
	expect_caps 0000000000000000 0000000000000000 1
	rf_run run --user 1000 --cap-add SYS_ADMIN -- cat /proc/self/status
	expect_status 0
	expect_caps 0000000000000000 0000000000000000 1
}

@test "what the default drops is really gone: mknod, packet sockets" {
	requires root cgroup2
	rf_run run -- mknod "$BATS_TEST_TMPDIR/sda" b 8 0
	[[ $status != 0 ]] || _rf_fail "mknod of a block device succeeded"
	expect_stderr_contains "Operation not permitted"
	rf_run run -- trysys socket
	[[ $output == EPERM ]] || _rf_fail "AF_PACKET socket without CAP_NET_RAW: $output"
	rf_run run --cap-add NET_RAW -- trysys socket
	[[ $output == ok ]] || _rf_fail "AF_PACKET socket with --cap-add NET_RAW: $output"
}

@test "a memlock limit drops CAP_IPC_LOCK, even when added" {
	requires root cgroup2
	rf_run run --memlock 64K --cap-add CAP_IPC_LOCK -- cat /proc/self/status
	expect_status 0
	(( ((0x$(status_field CapEff) >> 14) & 1) == 0 )) || _rf_fail "CapEff has CAP_IPC_LOCK"
	(( ((0x$(status_field CapBnd) >> 14) & 1) == 0 )) || _rf_fail "CapBnd has CAP_IPC_LOCK"
	rf_run run --cap-add CAP_IPC_LOCK -- cat /proc/self/status
	(( ((0x$(status_field CapEff) >> 14) & 1) == 1 )) || _rf_fail "--cap-add CAP_IPC_LOCK alone"
}

rf_teardown() {
	[[ -z ${SUID_DIR:-} ]] || rm -rf "$SUID_DIR"
}

@test "a setuid-root binary gives a non-root payload nothing back" {
	requires root cgroup2 setpriv
	SUID_DIR=$(mktemp -d /tmp/rf-suid.XXXXXX)
	chmod 755 "$SUID_DIR"
	cp "$(command -v setpriv)" "$SUID_DIR/dump"
	chmod 4755 "$SUID_DIR/dump"
	# Outside ringfence the bit works (so this test can fail) ...
	run_cmd setpriv --reuid 1000 --regid 1000 --clear-groups "$SUID_DIR/dump" --dump
	expect_output_contains "euid: 0"
	# ... inside, no_new_privs makes exec ignore it.
	rf_run run --user 1000 -- "$SUID_DIR/dump" --dump
	expect_status 0
	expect_output_contains "euid: 1000"
	expect_output_contains "Capability bounding set: [none]"
	expect_output_contains "no_new_privs: 1"
}

@test "an unknown capability name is refused with 125" {
	requires root cgroup2
	rf_run run --cap-add CAP_NOPE -- true
	expect_status 125
	expect_stderr_contains "CAP_NOPE"
	rf_run run --cap-drop 21 -- true
	expect_status 125
}
