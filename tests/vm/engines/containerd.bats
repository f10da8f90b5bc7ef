#!/usr/bin/env bats
# containerd 1.6 (Debian 12's, its runc shim v2) drives ringfence as its
# runc: `ctr run --runc-binary`. Each scenario runs with runc too, the
# runtime containerd ships for, to prove the test right. README's
# containerd and Docker recipes rest on this.

load ../../lib/common
load ../../lib/oci

setup_file() {
	rf_packages engines
	export CTRD=$BATS_FILE_TMPDIR/containerd
	mkdir -p "$CTRD"
	cat >"$CTRD/config.toml" <<-EOT
	version = 2
	root = "$CTRD/root"
	state = "$CTRD/state"
	disabled_plugins = ["io.containerd.grpc.v1.cri"]
	[grpc]
	  address = "$CTRD/containerd.sock"
	EOT
	containerd --config "$CTRD/config.toml" >"$CTRD/log" 2>&1 3>&- &
	echo $! >"$CTRD/pid"
	rf_wait_for 120 test -S "$CTRD/containerd.sock"
}

teardown_file() {
	[[ -s $CTRD/pid ]] && kill "$(cat "$CTRD/pid")" 2>/dev/null
	return 0
}

rf_teardown() {
	local id
	for id in $(ctr_ task ls -q 2>/dev/null); do
		ctr_ task kill -s KILL "$id" >/dev/null 2>&1
		ctr_ task delete -f "$id" >/dev/null 2>&1
	done
	for id in $(ctr_ container ls -q 2>/dev/null); do
		ctr_ container delete "$id" >/dev/null 2>&1
	done
	return 0
}

ctr_() {
	ctr --address "$CTRD/containerd.sock" "$@"
}

binary() {
	case $1 in
	ringfence) echo "$RINGFENCE" ;;
	runc) command -v runc ;;
	esac
}

# ctr_run RUNTIME ID [CTR OPTIONS...] -- CMD...: ctr run --rm over the
# busybox rootfs of this file. Commands by absolute path: a --rootfs
# container gets no environment from ctr, so no PATH to search.
ctr_run() {
	local rt=$1 id=$2 opts=()
	shift 2
	while (($#)) && [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	run_cmd timeout 120 ctr --address "$CTRD/containerd.sock" run --rm --runc-binary "$(binary "$rt")" \
		"${opts[@]}" --rootfs "$(_oci_rootfs)" "$id" "$@"
}

exit_codes() {
	ctr_run "$1" "rc-$1" -- /bin/sh -c 'echo out-$$; exit 3'
	expect_status 3
	expect_line out-1
}

@test "ctr run: the exit code passes through (ringfence)" {
	requires root containerd ctr jq
	exit_codes ringfence
}

@test "ctr run: the exit code passes through (runc)" {
	requires root containerd ctr jq runc
	exit_codes runc
}

# events_subscribed FILE: the `ctr events` writing FILE is subscribed: an
# event of our own (a namespace made and removed) has reached it.
events_subscribed() {
	ctr_ namespaces create rf-mark >/dev/null 2>&1
	ctr_ namespaces remove rf-mark >/dev/null 2>&1
	grep -q "/namespaces/create" "$1"
}

oom() {
	local rt=$1 epid
	ctr_ events >"$BATS_TEST_TMPDIR/events" 2>&1 &
	epid=$!
	rf_wait_for 60 events_subscribed "$BATS_TEST_TMPDIR/events" ||
		{ kill "$epid"; _rf_fail "ctr events saw nothing: $(cat "$BATS_TEST_TMPDIR/events")"; }
	ctr_run "$rt" "oom-$rt" --memory-limit 33554432 -- /bin/tail /dev/zero
	expect_status 137
	rf_wait_for 30 grep -q "/tasks/oom" "$BATS_TEST_TMPDIR/events" ||
		{ kill "$epid"; _rf_fail "no /tasks/oom event: $(cat "$BATS_TEST_TMPDIR/events")"; }
	kill "$epid"
	grep "/tasks/oom" "$BATS_TEST_TMPDIR/events" | grep -q "oom-$rt" ||
		_rf_fail "the oom event is not for oom-$rt"
}

@test "ctr run --memory-limit: an OOM kill gives 137 and a /tasks/oom event (ringfence)" {
	requires root containerd ctr jq
	oom ringfence
}

@test "ctr run --memory-limit: an OOM kill gives 137 and a /tasks/oom event (runc)" {
	requires root containerd ctr jq runc
	oom runc
}

task_verbs() {
	local rt=$1 id=tv-$1
	run_cmd ctr_ run -d --runc-binary "$(binary "$rt")" --rootfs "$(_oci_rootfs)" "$id" /bin/sleep 1000
	expect_status 0
	run_cmd ctr_ task exec --exec-id e1 "$id" /bin/sh -c 'exit 5'
	expect_status 5
	run_cmd ctr_ task exec --exec-id e2 "$id" /bin/cat /proc/1/cmdline
	expect_status 0
	[[ $output == /bin/sleep* ]] || _rf_fail "exec did not see the container's pid 1: $output"
	run_cmd ctr_ task ps "$id"
	expect_status 0
	[[ ${#lines[@]} -ge 2 ]] || _rf_fail "task ps lists no process: $output"
	run_cmd ctr_ task kill -s KILL "$id"
	expect_status 0
	rf_wait_for 60 bash -c "out=\$(ctr --address '$CTRD/containerd.sock' task ls) &&
		! grep -q '$id.*RUNNING' <<<\"\$out\"" ||
		_rf_fail "the task still runs after kill"
	run_cmd ctr_ task delete "$id"
	expect_status 0
	run_cmd ctr_ container delete "$id"
	expect_status 0
}

@test "ctr task exec, ps, kill, delete on a running task (ringfence)" {
	requires root containerd ctr jq
	task_verbs ringfence
}

@test "ctr task exec, ps, kill, delete on a running task (runc)" {
	requires root containerd ctr jq runc
	task_verbs runc
}
