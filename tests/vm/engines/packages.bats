#!/usr/bin/env bats
# The engines carried into the VM (tests/vm/packages/engines) are there and
# work: what the OCI-runtime tests in this directory build on.

load ../../lib/common

setup_file() {
	rf_packages engines
}

# containerd with only what a test needs: no CRI plugin, everything under $1.
containerd_config() {
	cat <<-EOT
	version = 2
	root = "$1/root"
	state = "$1/state"
	disabled_plugins = ["io.containerd.grpc.v1.cri"]
	[grpc]
	  address = "$1/containerd.sock"
	EOT
}

@test "containerd starts and its server answers ctr version" {
	requires root containerd ctr
	local dir=$BATS_TEST_TMPDIR/containerd
	mkdir -p "$dir"
	containerd_config "$dir" >"$dir/config.toml"
	containerd --config "$dir/config.toml" >"$dir/log" 2>&1 3>&- &
	local pid=$!
	rf_wait_for 120 test -S "$dir/containerd.sock" ||
		{ cat "$dir/log" >&2; kill "$pid"; _rf_fail "containerd did not open its socket"; }
	run_cmd ctr --address "$dir/containerd.sock" version
	kill "$pid"
	wait "$pid" || true
	expect_status 0
	[[ $output =~ Server:.*Version:[[:space:]]+1\.6\. ]] || _rf_fail "no 1.6 server version"
}

@test "runc, podman and conmon answer a version query" {
	requires runc podman conmon
	run_cmd runc --version
	expect_status 0
	expect_output_contains "runc version 1.1"
	run_cmd podman --version
	expect_status 0
	expect_output_contains "podman version 4.3"
	run_cmd conmon --version
	expect_status 0
	expect_output_contains "conmon version 2.1"
}

@test "podman's configuration is there for offline use: policy.json and vfs storage" {
	requires podman
	[[ -r /etc/containers/policy.json ]] || _rf_fail "no /etc/containers/policy.json"
	run_cmd podman info --format '{{.Store.GraphDriverName}}'
	expect_status 0
	expect_line vfs
}

@test "apparmor_parser runs: the AppArmor tests and the engines load profiles with it" {
	requires apparmor_parser
	run_cmd apparmor_parser --version
	expect_status 0
	expect_output_contains "AppArmor parser version 3.0"
}
