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

# hooks_dir DIR LOG: podman's hooks.d in DIR (hooks-1.0.0 JSON, `when`
# always): a prestart and a poststop hook, each the script DIR.sh appending
# "STAGE ID" to LOG, ID read from the state on its standard input. podman 4.3
# writes the prestart hook into the bundle's config.json, for the runtime to
# run in create; poststop is one of libpod's own stages: podman runs it
# itself once the runtime's delete has returned (from `podman run --rm` or
# from the `podman container cleanup` conmon starts), with the state podman
# makes and no environment but the hook's.
hooks_dir() {
	local dir=$1 log=$2 stage path
	path="$(dirname "$(command -v jq)"):/usr/bin:/bin"
	mkdir -p "$dir"
	cat >"$dir.sh" <<-'SH'
		#!/bin/sh
		id=$(jq -r .id) || exit 1
		echo "$1 $id" >>"$2"
	SH
	chmod +x "$dir.sh"
	for stage in prestart poststop; do
		jq -n --arg sh "$dir.sh" --arg stage "$stage" --arg log "$log" --arg path "$path" '{
			version: "1.0.0",
			hook: {path: $sh, args: [$sh, $stage, $log], env: ["PATH=\($path)"]},
			when: {always: true},
			stages: [$stage]}' >"$dir/$stage.json" || return 1
	done
}

# pod_gone RUNTIME ID: podman knows no container ID (exists: 1, not an error).
pod_gone() {
	local rc=0
	timeout 60 $(pod_argv "$1") container exists "$2" || rc=$?
	((rc == 1))
}

hooks() {
	local rt=$1 t=$BATS_TEST_TMPDIR id
	hooks_dir "$t/hooks.d" "$t/hooks.log"
	pod "$rt" --hooks-dir "$t/hooks.d" run --rm --cidfile "$t/cid" --network none \
		--rootfs "$(_oci_rootfs)" true
	expect_status 0
	id=$(<"$t/cid")
	[[ $id =~ ^[0-9a-f]{64}$ ]] || _rf_fail "not a container id in the cidfile: $id"
	# Gone from podman: whichever of run and cleanup removed it has run
	# poststop, and no one deletes it again.
	rf_wait_for 60 pod_gone "$rt" "$id" ||
		_rf_fail "container $id still exists after run --rm"
	rf_wait_for 60 grep -q '^poststop ' "$t/hooks.log" ||
		_rf_fail "no poststop hook ran: $(cat "$t/hooks.log" 2>&1)"
	[[ $(<"$t/hooks.log") == "prestart $id"$'\n'"poststop $id" ]] ||
		_rf_fail "hooks log, not one prestart and one poststop for $id:"$'\n'"$(<"$t/hooks.log")"
}

@test "podman --hooks-dir: a prestart and a poststop hook run once each, with the container's id (ringfence)" {
	requires root podman conmon jq
	hooks ringfence
}

@test "podman --hooks-dir: a prestart and a poststop hook run once each, with the container's id (crun)" {
	requires root podman conmon crun jq
	hooks crun
}
