#!/usr/bin/env bats
# update of cpu.max's quota or period alone, against runc (Debian 12's, from
# the engines package set), which keeps the other from the container's
# resources; tests/vm/oci-exec.bats runs ringfence and crun in the main
# layer's boot.

load ../../lib/common
load ../../lib/oci

setup_file() {
	rf_packages engines
}

rf_teardown() {
	oci_cleanup_check
}

@test "update changes cpu.max's quota or period alone, keeping the other (runc)" {
	requires root cgroup2 cpu jq runc
	update_cpu_scenario runc period
}

@test "update changes cpu.max's quota or period alone, keeping the other (ringfence, beside runc)" {
	requires root cgroup2 cpu jq
	update_cpu_scenario ringfence period
}
