#!/usr/bin/env bats
# contrib/kubernetes: containerd reads the CRI runtime handler the RuntimeClass
# names, and runs ringfence as its binary through the runc v2 shim (the shim
# and runc arguments themselves: containerd.bats).

load ../../lib/common

setup_file() {
	rf_packages engines
}

@test "containerd reads contrib/kubernetes' handler: runc v2 shim, BinaryName ringfence" {
	requires containerd
	local cfg=$BATS_TEST_TMPDIR/config.toml
	{ echo 'version = 2'; cat "$RF_SRCDIR/contrib/kubernetes/containerd-ringfence.toml"; } >"$cfg"
	run_cmd containerd --config "$cfg" config dump
	expect_status 0
	expect_output_contains '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ringfence]'
	expect_output_contains 'runtime_type = "io.containerd.runc.v2"'
	expect_output_contains '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ringfence.options]'
	expect_output_contains 'BinaryName = "/usr/bin/ringfence"'
	# The handler name is what the RuntimeClass asks for.
	grep -qx 'handler: ringfence' "$RF_SRCDIR/contrib/kubernetes/runtimeclass.yaml" ||
		_rf_fail "runtimeclass.yaml names another handler"
}
