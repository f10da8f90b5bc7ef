#!/usr/bin/env bats
# podman 4.3.1 with conmon 2.1.6 (Debian 12's) drives ringfence as its OCI
# runtime: `podman --runtime ringfence --cgroup-manager=cgroupfs`. Each
# scenario runs with crun too (podman's own default) to prove the test
# right. README's podman recipe rests on this.

load ../../lib/common
load ../../lib/oci

setup_file() {
	rf_packages engines
}

# pod RUNTIME ARGS...: podman with RUNTIME as its OCI runtime, cgroupfs,
# storage and run state in this file's directory.
pod_argv() {
	echo podman --runtime "$(oci_runtime "$1")" --cgroup-manager=cgroupfs --events-backend=file \
		--root "$BATS_FILE_TMPDIR/storage" --runroot "$BATS_FILE_TMPDIR/run"
}

pod() {
	local rt=$1
	shift
	run_cmd timeout 120 $(pod_argv "$rt") "$@"
}

rf_teardown() {
	local rt
	for rt in ringfence crun; do
		timeout 60 $(pod_argv "$rt") rm -af -t 0 >/dev/null 2>&1
	done
	return 0
}

exit_codes() {
	pod "$1" run --rm --network none --rootfs "$(_oci_rootfs)" sh -c 'echo hi-$$; exit 3'
	expect_status 3
	expect_line hi-1
}

@test "podman run --rm: the exit code passes through (ringfence)" {
	requires root podman conmon
	exit_codes ringfence
}

@test "podman run --rm: the exit code passes through (crun)" {
	requires root podman conmon crun
	exit_codes crun
}

lifecycle() {
	local rt=$1 name=pl-$1
	pod "$rt" run -d --name "$name" --network none --rootfs "$(_oci_rootfs)" sleep 1000
	expect_status 0
	pod "$rt" exec "$name" sh -c 'exit 4'
	expect_status 4
	pod "$rt" exec "$name" cat /proc/1/cmdline
	expect_status 0
	[[ $output == sleep* ]] || _rf_fail "exec did not see the container's pid 1: $output"
	pod "$rt" stop -t 2 "$name"
	expect_status 0
	pod "$rt" inspect --format '{{.State.Status}}' "$name"
	expect_line exited
	pod "$rt" rm "$name"
	expect_status 0
}

@test "podman run -d, exec, stop, rm (ringfence)" {
	requires root podman conmon
	lifecycle ringfence
}

@test "podman run -d, exec, stop, rm (crun)" {
	requires root podman conmon crun
	lifecycle crun
}

interactive() {
	local rt=$1
	# script gives podman a terminal; -it asks for one in the container
	run_cmd timeout 120 script -qec "$(pod_argv "$rt") run --rm -it --network none \
		--rootfs $(_oci_rootfs) sh -c 'tty; exit 6'" /dev/null
	expect_status 6
	expect_output_contains /dev/pts/
}

@test "podman run -it: the container gets a pty (ringfence)" {
	requires root podman conmon script
	interactive ringfence
}

@test "podman run -it: the container gets a pty (crun)" {
	requires root podman conmon script crun
	interactive crun
}

# conmon 2.1.6 over a cgroupfs-managed container reports OOMKilled false for
# crun here as well: what is compared is that ringfence's container looks to
# podman as crun's does, not that the flag is set.
@test "podman run --memory: an OOM kill gives 137; OOMKilled as conmon reports it for crun too" {
	requires root podman conmon crun
	local rt got=()
	for rt in ringfence crun; do
		pod "$rt" run --name "oom-$rt" --memory 32m --memory-swap 32m --network none \
			--rootfs "$(_oci_rootfs)" tail /dev/zero
		expect_status 137
		pod "$rt" inspect --format '{{.State.OOMKilled}}' "oom-$rt"
		expect_status 0
		got+=("$output")
		pod "$rt" rm "oom-$rt"
	done
	[[ ${got[0]} == "${got[1]}" ]] ||
		_rf_fail "OOMKilled: ringfence ${got[0]}, crun ${got[1]}"
}
