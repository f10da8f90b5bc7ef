#!/usr/bin/env bats
# OCI hooks (runtime-spec config.md): each kind runs once, at its point of
# the container's life, with the state on its stdin, where the spec says;
# a failing or late hook stops create and leaves nothing. Every scenario
# runs with crun too, the peer proving the test right. Bundles:
# tests/lib/oci.bash.

load ../lib/common
load ../lib/oci
load ../lib/hooks

rf_teardown() {
	# a foreground run a failed test left running
	[[ -s $BATS_TEST_TMPDIR/bg.pid ]] && kill -KILL "$(<"$BATS_TEST_TMPDIR/bg.pid")" 2>/dev/null
	oci_cleanup_check
}

@test "every hook kind runs once, at its point, with the state, where the spec says (ringfence)" {
	requires root cgroup2 jq
	every_hook ringfence
}

@test "every hook kind runs once, at its point, with the state, where the spec says (crun)" {
	requires root cgroup2 jq crun
	every_hook crun
}

# A prestart hook that fails: create fails and says so, the container is
# gone with its cgroup (rf_teardown), and the hooks after it never ran.
failing_prestart() {
	local rt=$1 id=hf-$1 b=$BATS_TEST_TMPDIR/hf-$1
	oci_bundle "$b"
	oci_edit "$b" ".hooks.prestart = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"echo boom >&2; exit 3\"]}]
		| .hooks.createRuntime = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"touch $b/ran\"]}]"
	oci_detached "$rt" create --bundle "$b" "$id"
	((status != 0)) || _rf_fail "create succeeded"
	create_stderr=$stderr
	[[ ! -e $b/ran ]] || _rf_fail "createRuntime ran after prestart failed"
	oci "$rt" list -q
	[[ $output != *"$id"* ]] || _rf_fail "$id is still listed: $output"
}

@test "a failing prestart hook fails create, names the hook and what it said, and leaves nothing (ringfence)" {
	requires root cgroup2 jq
	failing_prestart ringfence
	[[ $create_stderr == *"hooks.prestart[0] \`/bin/sh\`: exited with status 3 (it wrote: boom)"* ]] ||
		_rf_fail "the error does not name the hook: $create_stderr"
}

@test "a failing prestart hook fails create and leaves nothing (crun)" {
	requires root cgroup2 jq crun
	failing_prestart crun
}

# A hook past its timeout is killed, and create fails.
late_hook() {
	local rt=$1 id=hl-$1 b=$BATS_TEST_TMPDIR/hl-$1
	oci_bundle "$b"
	oci_edit "$b" ".hooks.createRuntime = [{path: \"/bin/sleep\", args: [\"sleep\", \"1001\"], timeout: 1}]"
	oci_detached "$rt" create --bundle "$b" "$id"
	((status != 0)) || _rf_fail "create succeeded"
	[[ -z $(oci_pids_running "sleep 1001") ]] || _rf_fail "the hook still runs"
}

@test "a hook past its timeout is killed and fails create (ringfence)" {
	requires root cgroup2 jq
	late_hook ringfence
	expect_stderr_contains 'hooks.createRuntime[0] `/bin/sleep`: killed after its timeout of 1 s'
}

@test "a hook past its timeout is killed and fails create (crun)" {
	requires root cgroup2 jq crun
	late_hook crun
}

# A failing startContainer hook: the container's process ends instead of
# running the command (its message on the container's stderr, which is
# create's); a failing poststart or poststop hook is a warning.
failing_late_hooks() {
	local rt=$1 id=hw-$1 b=$BATS_TEST_TMPDIR/hw-$1
	oci_bundle "$b" sh -c 'echo ran > /hooklog/ran; sleep 1000'
	mkdir -p "$b/log"
	oci_edit "$b" ".mounts += [{destination: \"/hooklog\", type: \"bind\", source: \"$b/log\",
			       options: [\"rbind\", \"rw\"]}]
		| .hooks.startContainer = [{path: \"/bin/false\"}]"
	"$(oci_runtime "$rt")" --root "$OCI_ROOT/$rt" create --bundle "$b" "$id" </dev/null \
		>"$b/out" 2>"$b/err" || _rf_fail "create failed: $(cat "$b/err")"
	oci "$rt" start "$id"
	oci_wait_status "$rt" "$id" stopped
	[[ ! -e $b/log/ran ]] || _rf_fail "the command ran"
	container_err=$(<"$b/err")
	oci "$rt" delete "$id"
	expect_status 0

	b=$b-post
	oci_bundle "$b"
	oci_edit "$b" ".hooks.poststart = [{path: \"/bin/false\"}] | .hooks.poststop = [{path: \"/bin/false\"}]"
	oci_detached "$rt" create --bundle "$b" "$id"
	expect_status 0
	oci "$rt" start "$id"
	expect_status 0
	start_stderr=$stderr
	oci_wait_status "$rt" "$id" running
	oci "$rt" delete -f "$id"
	expect_status 0
}

@test "a failing startContainer hook ends the container before its command; poststart and poststop only warn (ringfence)" {
	requires root cgroup2 jq
	failing_late_hooks ringfence
	[[ $container_err == *'ringfence: hooks.startContainer[0] `/bin/false`: exited with status 1'* ]] ||
		_rf_fail "the container's stderr: $container_err"
	[[ $start_stderr == *'warning: container "hw-ringfence": hooks.poststart[0] `/bin/false`: exited with status 1'* ]] ||
		_rf_fail "start's stderr: $start_stderr"
	expect_stderr_contains 'warning: container "hw-ringfence": hooks.poststop[0] `/bin/false`: exited with status 1'
}

@test "a failing startContainer hook ends the container before its command; poststart and poststop only warn (crun)" {
	requires root cgroup2 jq crun
	failing_late_hooks crun
}

@test "a foreground run ID runs the hooks too, poststop once it has ended" {
	requires root cgroup2 jq
	local b=$BATS_TEST_TMPDIR/hr log
	hooks_bundle "$b" hooks
	oci_edit "$b" '.process.args = ["true"]'
	log=$b/log/hooks
	oci ringfence run --bundle "$b" hr
	expect_status 0
	[[ $(_kinds "$log") == "prestart createRuntime createContainer startContainer poststart poststop" ]] ||
		_rf_fail "hooks: $(_kinds "$log")"
	for k in startContainer poststart poststop; do
		[[ $(grep -c "^$k " "$log") == 1 ]] || _rf_fail "$k: $(_kinds "$log")"
	done
	[[ $(_kinds "$log") == *" poststop" ]] || _rf_fail "poststop is not last: $(_kinds "$log")"
}

@test "a bad hook is refused before anything is made, naming its JSON path" {
	requires root cgroup2 jq
	local b=$BATS_TEST_TMPDIR/hb
	oci_bundle "$b"
	oci_edit "$b" '.hooks.prestart = [{path: "bin/true"}]'
	oci_detached ringfence create --bundle "$b" hb
	expect_status 125
	expect_stderr_contains 'hooks.prestart[0].path: `bin/true` is not an absolute path'
	oci_edit "$b" '.hooks.prestart = [{path: "/bin/true", timeout: 0}]'
	oci_detached ringfence create --bundle "$b" hb
	expect_status 125
	expect_stderr_contains 'hooks.prestart[0].timeout'
	oci_edit "$b" '.hooks.prestart = [{args: ["x"]}]'
	oci_detached ringfence create --bundle "$b" hb
	expect_status 125
	expect_stderr_contains 'hooks.prestart[0].path: required'
	[[ ! -e $OCI_ROOT/ringfence/hb ]] || _rf_fail "state left for hb"
}

@test "ringfence run --bundle says it does not run a bundle's hooks, and refuses them under --strict" {
	requires root cgroup2 jq
	local b=$BATS_TEST_TMPDIR/hs
	oci_bundle "$b" true
	oci_edit "$b" ".hooks.prestart = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"touch $b/ran\"]}]"
	run_cmd "$RINGFENCE" run -q --bundle "$b"
	expect_status 0
	expect_stderr_contains "its hooks are not run by \`ringfence run --bundle\`"
	[[ ! -e $b/ran ]] || _rf_fail "the hook ran"
	run_cmd "$RINGFENCE" run -q --strict --bundle "$b"
	expect_status 125
	expect_stderr_contains "refused under --strict"
}

# A hook may look at the container it runs for: `state` from a prestart
# hook answers ("creating") while create waits for the hook, instead of
# waiting for create's lock forever. (crun's own `state` fails there: its
# container has no state yet.)
@test "a prestart hook can ask for the container's state while create waits for it" {
	requires root cgroup2 jq
	local id=hq b=$BATS_TEST_TMPDIR/hq cmd
	oci_bundle "$b"
	cmd="$RINGFENCE --root $OCI_ROOT/ringfence state $id > $b/seen"
	oci_edit "$b" ".hooks.prestart = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"$cmd\"], timeout: 120}]"
	oci_detached ringfence create --bundle "$b" "$id"
	expect_status 0
	[[ $(jq -r .id "$b/seen") == "$id" && $(jq -r .status "$b/seen") == creating ]] ||
		_rf_fail "state from the hook: $(cat "$b/seen")"
	oci ringfence delete -f "$id"
	expect_status 0
}

# A hook without env that runs inside the container gets the container's
# process.env, not the environment of the runtime's caller.
inner_env() {
	local rt=$1 id=he-$1 b=$BATS_TEST_TMPDIR/he-$1
	oci_bundle "$b"
	mkdir -p "$b/log"
	oci_edit "$b" ".process.env += [\"CTR_VAR=inside\"]
		| .mounts += [{destination: \"/hooklog\", type: \"bind\", source: \"$b/log\",
			       options: [\"rbind\", \"rw\"]}]
		| .hooks.startContainer = [{path: \"/bin/sh\",
			args: [\"sh\", \"-c\", \"echo ctr=\$CTR_VAR caller=\$RF_CALLER_VAR > /hooklog/env\"]}]"
	RF_CALLER_VAR=leaked oci_detached "$rt" create --bundle "$b" "$id"
	expect_status 0
	oci "$rt" start "$id"
	expect_status 0
	rf_wait_for 30 test -s "$b/log/env" || _rf_fail "the hook did not run"
	oci "$rt" delete -f "$id"
	expect_status 0
}

@test "a startContainer hook without env gets the container's environment (ringfence)" {
	requires root cgroup2 jq
	inner_env ringfence
	[[ $(<"$BATS_TEST_TMPDIR/he-ringfence/log/env") == "ctr=inside caller=" ]] ||
		_rf_fail "the hook saw: $(<"$BATS_TEST_TMPDIR/he-ringfence/log/env")"
}

@test "a startContainer hook without env gets the container's environment (crun)" {
	requires root cgroup2 jq crun
	inner_env crun
	[[ $(<"$BATS_TEST_TMPDIR/he-crun/log/env") == "ctr=inside caller=" ]] ||
		_rf_fail "the hook saw: $(<"$BATS_TEST_TMPDIR/he-crun/log/env")"
}

@test "a foreground run ID stopped while a startContainer hook runs ends, with the hook" {
	requires root cgroup2 jq
	local b=$BATS_TEST_TMPDIR/ht pid
	oci_bundle "$b" true
	mkdir -p "$b/log"
	oci_edit "$b" ".mounts += [{destination: \"/hooklog\", type: \"bind\", source: \"$b/log\",
			       options: [\"rbind\", \"rw\"]}]
		| .hooks.startContainer = [{path: \"/bin/sh\",
			args: [\"sh\", \"-c\", \"touch /hooklog/started; exec sleep 1003\"]}]
		| .hooks.poststart = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"touch $b/poststart\"]}]"
	"$RINGFENCE" --root "$OCI_ROOT/ringfence" run --bundle "$b" ht </dev/null >"$b/out" 2>&1 &
	pid=$!
	echo "$pid" >"$BATS_TEST_TMPDIR/bg.pid"
	rf_wait_for 60 test -e "$b/log/started" || _rf_fail "the hook did not start: $(cat "$b/out")"
	kill -TERM "$pid"
	rf_wait_for 120 eval '! kill -0 $pid 2>/dev/null' || _rf_fail "ringfence still runs"
	status=0
	wait "$pid" || status=$?
	rm "$BATS_TEST_TMPDIR/bg.pid"
	# The process blocks its signals until its exec: the TERM passed on
	# waits, and --kill-after's cgroup.kill ends it and its hook: 128 + 9.
	((status == 137)) || _rf_fail "exit status $status, not 137: $(cat "$b/out")"
	[[ -z $(oci_pids_running "sleep 1003") ]] || _rf_fail "the hook still runs"
	[[ ! -e $b/poststart ]] || _rf_fail "poststart ran for a command that never started"
}
