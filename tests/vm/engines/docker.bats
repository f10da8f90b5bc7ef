#!/usr/bin/env bats
# Docker 20.10 (Debian 12's docker.io, over its own containerd) runs
# containers with ringfence as a runtime added by --add-runtime, as
# /etc/docker/daemon.json's "runtimes" does; runc, Docker's own, is the
# peer. The image is the busybox rootfs imported offline. README's Docker
# recipe rests on this. The boot has AppArmor with securityfs mounted and
# apparmor_parser there before dockerd starts, as on a Debian host: Docker
# loads its docker-default profile and gives it to every container.

load ../../lib/common
load ../../lib/oci

setup_file() {
	rf_packages engines
	export DOCKERD=$BATS_FILE_TMPDIR/docker
	mkdir -p "$DOCKERD"
	if [[ -r /sys/kernel/security/apparmor/profiles ]] &&
		! grep -q '^docker-default ' /sys/kernel/security/apparmor/profiles; then
		touch "$DOCKERD/unload-docker-default"
	fi
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
	# docker-default, when this dockerd loaded it: the boot as it was.
	[[ -e $DOCKERD/unload-docker-default ]] &&
		printf docker-default >/sys/kernel/security/apparmor/.remove
	return 0
}

docker_() {
	docker --host "unix://$DOCKERD/docker.sock" "$@"
}

docker_run() {
	run_cmd timeout 120 docker --host "unix://$DOCKERD/docker.sock" run --rm --network none \
		--runtime "$@"
}

# docker_cmd ARGS...: any docker command, bounded, under run_cmd.
docker_cmd() {
	run_cmd timeout 120 docker --host "unix://$DOCKERD/docker.sock" "$@"
}

# What a test leaves when it fails half-way: its containers and rfnet.
rf_teardown() {
	local ids
	ids=$(docker_ ps -aq 2>/dev/null)
	[[ -n $ids ]] && docker_ rm -f $ids >/dev/null 2>&1
	docker_ network rm rfnet >/dev/null 2>&1
	return 0
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

# A user-defined bridge network, rfnet. Docker puts a container on it from
# the OCI prestart hook it adds (`dockerd libnetwork-setkey`): the runtime
# runs it at create, once the container's network namespace exists, and
# dockerd then moves the veth's inner end in and gives it its address. With
# --iptables=false there is no NAT, but the bridge alone joins the network's
# containers.
rfnet_create() {
	docker_cmd network create --driver bridge --subnet 10.231.77.0/24 rfnet
	expect_status 0
}

rfnet_remove() {
	docker_cmd network rm rfnet
	expect_status 0
}

bridge_address() {
	rfnet_create
	docker_cmd run --rm --runtime "$1" --network rfnet rf-busybox ip -o -4 addr show eth0
	expect_status 0
	expect_output_contains "inet 10.231.77."
	rfnet_remove
}

@test "docker run --network (a bridge): eth0 has an address in the network's subnet (ringfence)" {
	requires root dockerd docker
	bridge_address ringfence
}

@test "docker run --network (a bridge): eth0 has an address in the network's subnet (runc)" {
	requires root dockerd docker runc
	bridge_address runc
}

# tcp_listening PID PORT: a TCP socket listens on PORT in PID's network
# namespace (read from the host: no docker exec to pay for each poll).
tcp_listening() {
	local port
	printf -v port '%04X' "$2"
	grep -qE "^ *[0-9]+: [0-9A-F]+:$port [0-9A-F]+:0000 0A " \
		"/proc/$1/net/tcp" "/proc/$1/net/tcp6" 2>/dev/null
}

# A server answers one connection (pong for ping) and exits; a client on the
# same network reaches it by its address. Each side half-closes when its
# stdin ends, so both see the other's word and exit with no time-out.
bridge_peers() {
	local ip pid
	rfnet_create
	docker_cmd run -d --name rf-server --runtime "$1" --network rfnet rf-busybox \
		sh -c 'echo pong | nc -l -p 1234'
	expect_status 0
	docker_cmd inspect -f '{{.NetworkSettings.Networks.rfnet.IPAddress}} {{.State.Pid}}' rf-server
	expect_status 0
	read -r ip pid <<<"$output"
	[[ $ip == 10.231.77.* ]] || _rf_fail "the server's address is not in rfnet's subnet"
	rf_wait_for 120 tcp_listening "$pid" 1234 || _rf_fail "nothing listens on 1234 in the server"
	docker_cmd run --rm --runtime "$1" --network rfnet rf-busybox sh -c "echo ping | nc $ip 1234"
	expect_status 0
	expect_line pong
	docker_cmd wait rf-server
	expect_line 0
	docker_cmd logs rf-server
	expect_line ping
	docker_cmd rm rf-server
	expect_status 0
	rfnet_remove
}

@test "docker run --network (a bridge): two containers on it reach each other (ringfence)" {
	requires root dockerd docker
	bridge_peers ringfence
}

@test "docker run --network (a bridge): two containers on it reach each other (runc)" {
	requires root dockerd docker runc
	bridge_peers runc
}

# On a host with AppArmor (docker info lists it, else this proves nothing)
# Docker names docker-default in the container's config.json: the runtime
# puts the container's process in it, and a docker exec's too, where the
# profile's `deny mount` refuses (EACCES, AppArmor's; not EPERM) a mount
# that CAP_SYS_ADMIN would allow.
docker_default_profile() {
	docker_cmd info --format '{{json .SecurityOptions}}'
	expect_status 0
	expect_output_contains name=apparmor
	docker_run "$1" rf-busybox cat /proc/self/attr/current
	expect_status 0
	expect_line "docker-default (enforce)"
	docker_cmd run -d --name rf-aa --runtime "$1" --network none --cap-add SYS_ADMIN rf-busybox \
		sleep 1000
	expect_status 0
	docker_cmd exec rf-aa cat /proc/self/attr/current
	expect_status 0
	expect_line "docker-default (enforce)"
	docker_cmd exec rf-aa sh -c 'mkdir -p /m && mount -t tmpfs none /m'
	((status != 0)) || _rf_fail "a mount in docker-default succeeded"
	expect_stderr_contains "Permission denied"
	docker_cmd rm -f rf-aa
	expect_status 0
}

# Docker's own confinement must reach a container it runs with ringfence.
@test "docker run and docker exec: the container is in Docker's docker-default AppArmor profile (ringfence)" {
	requires root dockerd docker apparmor
	docker_default_profile ringfence
}

# runc, Docker's own runtime: the test is right.
@test "docker run and docker exec: the container is in Docker's docker-default AppArmor profile (runc)" {
	requires root dockerd docker apparmor runc
	docker_default_profile runc
}

# What a container's process and a docker exec get from the runtime, as
# Docker asks through containerd (the exec as a process file, with a
# console socket for -t): no_new_privs only with --security-opt
# no-new-privileges (Docker leaves noNewPrivileges out otherwise, so a
# setuid program works); Docker's default capabilities in every set of a
# root exec; a pty for docker exec -t.
docker_process() {
	docker_run "$1" rf-busybox grep NoNewPrivs /proc/self/status
	expect_status 0
	expect_line "NoNewPrivs:	0"
	docker_run "$1" --security-opt no-new-privileges rf-busybox grep NoNewPrivs /proc/self/status
	expect_status 0
	expect_line "NoNewPrivs:	1"
	docker_cmd run -d --name rf-px --runtime "$1" --network none rf-busybox sleep 1000
	expect_status 0
	docker_cmd exec rf-px grep -E '^(CapEff|CapBnd|NoNewPrivs):' /proc/self/status
	expect_status 0
	# CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
	# NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
	expect_line "CapEff:	00000000a80425fb"
	expect_line "CapBnd:	00000000a80425fb"
	expect_line "NoNewPrivs:	0"
	docker_cmd exec -t rf-px sh -c 'tty; test -t 0 && echo a-terminal'
	expect_status 0
	expect_output_contains /dev/pts/
	expect_output_contains a-terminal
	docker_cmd rm -f rf-px
	expect_status 0
}

@test "docker run and docker exec: no_new_privs as Docker asks, its capabilities, a pty for exec -t (ringfence)" {
	requires root dockerd docker
	docker_process ringfence
}

@test "docker run and docker exec: no_new_privs as Docker asks, its capabilities, a pty for exec -t (runc)" {
	requires root dockerd docker runc
	docker_process runc
}
