#!/usr/bin/env bats
# The runtime's process that becomes the container's runs a sealed copy of
# the runtime and is closed to the container (CVE-2019-5736), against runc
# (Debian 12's, from the engines package set), which does the same; the
# main layer's tests/vm/oci-lifecycle.bats runs ringfence and crun.

load ../../lib/common
load ../../lib/oci

setup_file() {
	rf_packages engines
}

rf_teardown() {
	oci_cleanup_check
}

@test "a created container's process runs a sealed copy of the runtime, closed to the container (runc)" {
	requires root cgroup2 jq runc
	sealed_runtime runc
}

@test "a created container's process runs a sealed copy of the runtime, closed to the container (ringfence, beside runc)" {
	requires root cgroup2 jq
	sealed_runtime ringfence
}
