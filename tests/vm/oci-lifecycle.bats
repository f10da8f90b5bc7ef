#!/usr/bin/env bats
# ringfence as an OCI runtime: create, start, state, kill, delete, list, ps,
# pause/resume and a foreground run, each scenario run against crun too (the
# peer proves the test right). Bundles: tests/lib/oci.bash.

load ../lib/common
load ../lib/oci

rf_teardown() {
	oci_cleanup_check
}

# The process create left behind: alive, in the bundle's cgroup, not yet
# the payload, not a child of the runtime (no runtime process is left).
created_ok() {
	local rt=$1 id=$2 pid=$3
	[[ -d /proc/$pid ]] || _rf_fail "pid $pid is not alive"
	# its own leaf, named for the container (the bundle's cgroupsPath)
	[[ $(cat "/proc/$pid/cgroup") == "0::"*"/$id" ]] ||
		_rf_fail "pid $pid is in $(cat "/proc/$pid/cgroup"), not a leaf $id"
	[[ $(readlink "/proc/$pid/exe") != */busybox ]] ||
		_rf_fail "pid $pid already runs the payload before start"
	# The container process itself still has the runtime's command line.
	local others p
	for p in $(oci_pids_running "$(oci_runtime "$rt") --root"); do
		[[ $p == "$pid" || $(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null) == Z ]] ||
			others+=" $p($(tr '\0' ' ' <"/proc/$p/cmdline"), parent $(cut -d' ' -f4 "/proc/$p/stat"))"
	done
	[[ -z $others ]] || _rf_fail "$rt processes are still there:$others"
}

lifecycle() {
	local rt=$1 b=$BATS_TEST_TMPDIR/lc-$1 pid cg
	oci_bundle "$b"
	oci_detached "$rt" create --bundle "$b" --pid-file "$b/pid" "lc-$rt"
	expect_status 0
	[[ $(oci_state "$rt" "lc-$rt" status) == created ]] || _rf_fail "not created"
	pid=$(oci_state "$rt" "lc-$rt" pid)
	[[ $pid == "$(cat "$b/pid")" ]] || _rf_fail "pid file $(cat "$b/pid") != state pid $pid"
	created_ok "$rt" "lc-$rt" "$pid"

	oci "$rt" start "lc-$rt"
	expect_status 0
	oci_wait_status "$rt" "lc-$rt" running
	rf_wait_for 10 bash -c "[[ \$(readlink /proc/$pid/exe) == */busybox ]]" ||
		_rf_fail "after start pid $pid runs $(readlink "/proc/$pid/exe")"

	oci "$rt" list -q
	expect_line "lc-$rt"
	oci "$rt" ps --format json "lc-$rt"
	expect_status 0
	[[ $(jq -c . <<<"$output") == "[$pid]" ]] || _rf_fail "ps: $output, expected [$pid]"

	cg=$(oci_cgroup "$rt" "lc-$rt")
	oci "$rt" kill "lc-$rt" KILL
	expect_status 0
	oci_wait_status "$rt" "lc-$rt" stopped
	oci "$rt" delete "lc-$rt"
	expect_status 0
	[[ ! -d $cg ]] || _rf_fail "the cgroup $cg is still there"
	oci "$rt" state "lc-$rt"
	((status != 0)) || _rf_fail "state of a deleted container succeeded"
}

@test "create leaves a live, not yet exec'd process in the cgroup; start, kill, delete (ringfence)" {
	requires root cgroup2 jq
	lifecycle ringfence
	expect_stderr_contains "container \"lc-ringfence\" does not exist"
}

@test "create leaves a live, not yet exec'd process in the cgroup; start, kill, delete (crun)" {
	requires root cgroup2 jq crun
	lifecycle crun
}

delete_states() {
	local rt=$1 b=$BATS_TEST_TMPDIR/ds-$1 pid cg
	oci_bundle "$b"
	# created: deleted without --force, its process killed
	oci_detached "$rt" create --bundle "$b" "dc-$rt"
	expect_status 0
	pid=$(oci_state "$rt" "dc-$rt" pid)
	oci "$rt" delete "dc-$rt"
	expect_status 0
	rf_wait_for 10 test ! -e "/proc/$pid/cgroup" || [[ $(cat "/proc/$pid/stat" | cut -d' ' -f3) == Z ]] ||
		_rf_fail "the created container's process $pid survived delete"
	# running: refused without --force, done with it
	oci_detached "$rt" run -d --bundle "$b" "dr-$rt"
	expect_status 0
	oci_wait_status "$rt" "dr-$rt" running
	cg=$(oci_cgroup "$rt" "dr-$rt")
	oci "$rt" delete "dr-$rt"
	((status != 0)) || _rf_fail "delete of a running container without --force succeeded"
	oci "$rt" delete --force "dr-$rt"
	expect_status 0
	[[ ! -d $cg ]] || _rf_fail "the cgroup $cg is still there"
	# missing: an error, but not with --force
	oci "$rt" delete "nothere-$rt"
	((status != 0)) || _rf_fail "delete of a missing container succeeded"
	oci "$rt" delete --force "nothere-$rt"
	expect_status 0
}

@test "a stopped container's leftovers in its cgroup: ps lists them, kill --all ends them (ringfence)" {
	requires root cgroup2 jq
	kill_all_stopped_scenario ringfence
}

@test "a stopped container's leftovers in its cgroup: ps lists them, kill --all ends them (crun)" {
	requires root cgroup2 jq crun
	kill_all_stopped_scenario crun
}

@test "kill TERM ends a created container before start (ringfence; runc beside it in engines/runc.bats)" {
	requires root cgroup2 jq
	kill_created_scenario ringfence
}

@test "delete in each state: created, running (--force), missing (ringfence)" {
	requires root cgroup2 jq
	delete_states ringfence
}

@test "delete in each state: created, running (--force), missing (crun)" {
	requires root cgroup2 jq crun
	delete_states crun
}

@test "errors name a missing container as callers match it" {
	requires root
	local cmd
	for cmd in start state "kill" pause resume; do
		oci ringfence $cmd nothere
		expect_status 125
		expect_stderr_contains 'container "nothere" does not exist'
	done
}

failing_create_log() {
	local rt=$1 b=$BATS_TEST_TMPDIR/fl-$1
	mkdir -p "$b"
	run_cmd "$(oci_runtime "$rt")" --root "$OCI_ROOT/$rt" --log "$b/log.json" --log-format json \
		create --bundle "$b" "fl-$rt"
	((status != 0)) || _rf_fail "create without config.json succeeded"
	jq -e 'select(.level == "error") | .msg | strings' "$b/log.json" >/dev/null ||
		_rf_fail "no error line in the json log: $(cat "$b/log.json")"
	jq -e '.time | strings' "$b/log.json" >/dev/null || _rf_fail "no time in the json log"
	oci "$rt" list -q
	[[ -z $output ]] || _rf_fail "the failed create left $output"
}

@test "--log-format json: a failing create logs {level, msg, time} and leaves nothing (ringfence)" {
	requires root jq
	failing_create_log ringfence
}

@test "--log-format json: a failing create logs {level, msg, time} and leaves nothing (crun)" {
	requires root jq crun
	failing_create_log crun
}

@test "two creates of one id: the second fails, the first is untouched" {
	requires root cgroup2 jq
	local b=$BATS_TEST_TMPDIR/twice
	oci_bundle "$b"
	oci_detached ringfence create --bundle "$b" twice
	expect_status 0
	oci_detached ringfence create --bundle "$b" twice
	expect_status 125
	expect_stderr_contains "already exists"
	[[ $(oci_state ringfence twice status) == created ]] || _rf_fail "the first one changed"
	oci ringfence delete twice
	expect_status 0
}

@test "ids with a slash, .. or control characters are refused" {
	requires root
	local b=$BATS_TEST_TMPDIR/ids id
	mkdir -p "$b"
	for id in a/b .. $'a\nb' .hidden; do
		oci_detached ringfence create --bundle "$b" "$id"
		expect_status 125
		expect_stderr_contains "container id"
	done
}

pause_resume() {
	local rt=$1 b=$BATS_TEST_TMPDIR/pr-$1 cg
	oci_bundle "$b"
	oci_detached "$rt" run -d --bundle "$b" "pr-$rt"
	expect_status 0
	cg=$(oci_cgroup "$rt" "pr-$rt")
	oci "$rt" pause "pr-$rt"
	expect_status 0
	[[ $(oci_state "$rt" "pr-$rt" status) == paused ]] || _rf_fail "not paused"
	grep -qx 'frozen 1' "$cg/cgroup.events" || _rf_fail "cgroup not frozen"
	oci "$rt" resume "pr-$rt"
	expect_status 0
	[[ $(oci_state "$rt" "pr-$rt" status) == running ]] || _rf_fail "not running after resume"
	grep -qx 'frozen 0' "$cg/cgroup.events" || _rf_fail "cgroup still frozen"
	oci "$rt" delete -f "pr-$rt"
	expect_status 0
}

@test "pause freezes the cgroup, resume thaws it (ringfence)" {
	requires root cgroup2 jq
	pause_resume ringfence
}

@test "pause freezes the cgroup, resume thaws it (crun)" {
	requires root cgroup2 jq crun
	pause_resume crun
}

foreground_run() {
	local rt=$1 b=$BATS_TEST_TMPDIR/fg-$1 rpid
	oci_bundle "$b" sh -c 'echo hello; exit 3'
	oci "$rt" run --bundle "$b" "fg-$rt"
	expect_status 3
	expect_line hello
	# Killed from outside (pid 1 of its namespace ignores its own SIGKILL).
	oci_edit "$b" '.process.args = ["sleep", "1000"]'
	"$(oci_runtime "$rt")" --root "$OCI_ROOT/$rt" run --bundle "$b" "fg-$rt" \
		</dev/null >/dev/null 2>&1 &
	rpid=$!
	oci_wait_status "$rt" "fg-$rt" running
	oci "$rt" kill "fg-$rt" KILL
	expect_status 0
	wait "$rpid" && status=0 || status=$?
	expect_status 137
	oci "$rt" list -q
	[[ -z $output ]] || _rf_fail "a foreground run left $output"
}

@test "a foreground run exits with the container's status, 128+N for a signal (ringfence)" {
	requires root cgroup2 jq
	foreground_run ringfence
}

@test "a foreground run exits with the container's status, 128+N for a signal (crun)" {
	requires root cgroup2 jq crun
	foreground_run crun
}

@test "a created container's process runs the runtime from a view no one can write, closed to the container (ringfence)" {
	requires root cgroup2 jq
	sealed_runtime ringfence
}

@test "a created container's process runs the runtime from a view no one can write, closed to the container (crun)" {
	requires root cgroup2 jq crun
	sealed_runtime crun
}

@test "state of a stopped container carries the verdict under \"ringfence\", nothing else new" {
	requires root cgroup2 jq
	local b=$BATS_TEST_TMPDIR/st
	oci_bundle "$b" true
	oci_detached ringfence run -d --bundle "$b" st
	expect_status 0
	oci_wait_status ringfence st stopped
	oci ringfence state st
	expect_status 0
	[[ $(jq -r 'keys_unsorted | join(" ")' <<<"$output") == \
		"ociVersion id pid status bundle rootfs created owner ringfence" ]] ||
		_rf_fail "keys: $(jq -r 'keys_unsorted | join(" ")' <<<"$output")"
	[[ $(jq -r .ringfence.verdict <<<"$output") == stopped ]] || _rf_fail "verdict"
	date -d "$(jq -r .created <<<"$output")" >/dev/null || _rf_fail "created is not a date"
	oci ringfence delete st
	expect_status 0
	expect_json "$OCI_ROOT/ringfence/st.verdict.json" verdict stopped
}
