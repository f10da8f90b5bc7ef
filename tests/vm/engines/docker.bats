#!/usr/bin/env bats
# Docker 20.10 (Debian 12's docker.io, over its own containerd) runs
# containers with ringfence as a runtime added by --add-runtime, as
# /etc/docker/daemon.json's "runtimes" does; runc, Docker's own, is the
# peer. The image is the busybox rootfs imported offline. README's Docker
# recipe rests on this.

load ../../lib/common
load ../../lib/oci

setup_file() {
	rf_packages engines
	export DOCKERD=$BATS_FILE_TMPDIR/docker
	mkdir -p "$DOCKERD"
	# No network of its own (no iptables, no bridge), vfs storage, cgroupfs.
	dockerd --data-root "$DOCKERD/data" --exec-root "$DOCKERD/exec" \
		--host "unix://$DOCKERD/docker.sock" --pidfile "$DOCKERD/pid" \
		--iptables=false --bridge=none --storage-driver=vfs \
		--exec-opt native.cgroupdriver=cgroupfs \
		--add-runtime "ringfence=$RINGFENCE" >"$DOCKERD/log" 2>&1 3>&- &
	rf_wait_for 120 test -S "$DOCKERD/docker.sock"
	rf_wait_for 120 docker_ version >/dev/null 2>&1
	tar -C "$(_oci_rootfs)" -c . | docker_ import - rf-busybox >/dev/null
}

teardown_file() {
	[[ -s $DOCKERD/pid ]] && kill "$(cat "$DOCKERD/pid")" 2>/dev/null
	return 0
}

docker_() {
	docker --host "unix://$DOCKERD/docker.sock" "$@"
}

docker_run() {
	run_cmd timeout 120 docker --host "unix://$DOCKERD/docker.sock" run --rm --network none \
		--runtime "$@"
}

exit_code() {
	docker_run "$1" rf-busybox /bin/sh -c 'echo from-$$; exit 3'
	expect_status 3
	expect_line from-1
}

@test "docker run --runtime ringfence: the exit code and output pass through (ringfence)" {
	requires root dockerd docker
	exit_code ringfence
}

@test "docker run --runtime runc: the exit code and output pass through (runc)" {
	requires root dockerd docker runc
	exit_code runc
}

oom() {
	docker_run "$1" --memory 32m --memory-swap 32m rf-busybox /bin/tail /dev/zero
	expect_status 137
}

@test "docker run --memory: an OOM kill gives 137 (ringfence)" {
	requires root dockerd docker
	oom ringfence
}

@test "docker run --memory: an OOM kill gives 137 (runc)" {
	requires root dockerd docker runc
	oom runc
}

# What Docker makes of a command that is not there (127) or cannot run (126)
# rests on the runtime's words, as it reads runc's.
not_runnable() {
	docker_run "$1" rf-busybox /nonexistent
	expect_status 127
	docker_run "$1" rf-busybox nosuchcommand
	expect_status 127
	docker_run "$1" rf-busybox /etc/passwd
	expect_status 126
}

@test "docker run: a missing command is 127, one that cannot run 126 (ringfence)" {
	requires root dockerd docker
	not_runnable ringfence
}

@test "docker run: a missing command is 127, one that cannot run 126 (runc)" {
	requires root dockerd docker runc
	not_runnable runc
}
