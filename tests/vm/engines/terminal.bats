#!/usr/bin/env bats
# A foreground run on the user's terminal, against runc (Debian 12's, from
# the engines package set): the pty inside follows the terminal's size
# when it is resized (tests/vm/oci-console.bats runs the ringfence case in
# the main layer's boot).

load ../../lib/common
load ../../lib/oci

setup_file() {
	rf_packages engines
}

rf_teardown() {
	oci_cleanup_check
}

@test "a foreground run's pty follows the user's terminal when it is resized (runc)" {
	requires root cgroup2 jq pty ptyrun runc
	resized_terminal runc
}

@test "a foreground run's pty follows the user's terminal when it is resized (ringfence, beside runc)" {
	requires root cgroup2 jq pty ptyrun
	resized_terminal ringfence
}
