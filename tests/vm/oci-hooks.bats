#!/usr/bin/env bats
# OCI hooks (runtime-spec config.md): each kind runs once, at its point of
# the container's life, with the state on its stdin, where the spec says;
# a failing or late hook stops create and leaves nothing. Every scenario
# runs with crun too, the peer proving the test right. Bundles:
# tests/lib/oci.bash.

load ../lib/common
load ../lib/oci

rf_teardown() {
	oci_cleanup_check
}

# A hook that appends "KIND <state on one line> ARG1 mnt=<mount ns> env=$HOOK_ENV"
# to LOG. The container's startContainer hook runs inside the root, where the
# log's directory is bound at /hooklog, with busybox's sh.
_hook() {
	local kind=$1 log=$2 sh=${3:-/bin/sh}
	jq -nc --arg k "$kind" --arg log "$log" --arg sh "$sh" '{path: $sh,
		args: ["sh", "-c", "s=$(cat | tr -d \"\\n\"); echo \"$0 $s mnt=$(readlink /proc/self/ns/mnt) env=$HOOK_ENV cwd=$(pwd)\" >>\($log)", $k],
		env: ["HOOK_ENV=\($k)-env", "PATH=/usr/bin:/bin"]}'
}

hooks_bundle() {
	local b=$1 log=$2
	oci_bundle "$b" sleep 1000
	mkdir -p "$b/log"
	oci_edit "$b" "
		.mounts += [{destination: \"/hooklog\", type: \"bind\", source: \"$b/log\",
			     options: [\"rbind\", \"rw\"]}]
		| .annotations = {\"org.example.note\": \"hooked\"}
		| .hooks = {
			prestart: [$(_hook prestart "$b/log/$log")],
			createRuntime: [$(_hook createRuntime "$b/log/$log")],
			createContainer: [$(_hook createContainer "$b/log/$log")],
			startContainer: [$(_hook startContainer "/hooklog/$log" /bin/sh)],
			poststart: [$(_hook poststart "$b/log/$log")],
			poststop: [$(_hook poststop "$b/log/$log")]}"
}

# The records of KIND in the log, one JSON state per line.
_states() {
	awk -v k="$2" '$1 == k { $1 = ""; sub(/ mnt=.*/, ""); print }' "$1"
}

_kinds() {
	awk '{ printf "%s%s", sep, $1; sep = " " }' "$1"
}

_record() {
	grep "^$2 " "$1"
}

# What every record of KIND must show: its status, the pid (none: absent or 0),
# the id, the bundle and the annotations; its own env.
_check_state() {
	local log=$1 kind=$2 status=$3 pid=$4 id=$5 b=$6 s
	s=$(_states "$log" "$kind")
	[[ $(wc -l <<<"$s") == 1 && -n $s ]] || _rf_fail "$kind: ran $(grep -c "^$kind " "$log") times"
	[[ $(jq -r .status <<<"$s") == "$status" ]] || _rf_fail "$kind: state $s, not $status"
	[[ $(jq -r 'if (.pid // 0) == 0 then "none" else .pid end' <<<"$s") == "$pid" ]] ||
		_rf_fail "$kind: pid in $s, not $pid"
	[[ $(jq -r .id <<<"$s") == "$id" && $(jq -r .bundle <<<"$s") == "$b" ]] ||
		_rf_fail "$kind: id or bundle wrong in $s"
	[[ $(jq -r '.annotations["org.example.note"]' <<<"$s") == hooked ]] ||
		_rf_fail "$kind: no annotations in $s"
	[[ $(_record "$log" "$kind") == *"env=$kind-env "* ]] ||
		_rf_fail "$kind: not its own env: $(_record "$log" "$kind")"
}

every_hook() {
	local rt=$1 id=hk-$1 b=$BATS_TEST_TMPDIR/hk-$1 log pid host_mnt ctr_mnt creating=creating
	local inner inner_bundle=$b starting=created
	# crun 1.8 shows create's hooks a status of "created"; runc, as the
	# spec's lifecycle has it, "creating" (tests/vm/engines/runc.bats). The
	# hooks run from inside the container get the pid the host sees, and
	# the bundle; crun gives them pid 0 (runc 1), and startContainer the
	# status "starting" and the bundle "/".
	[[ $rt == crun ]] && creating=created starting=starting inner_bundle=/
	log=$b/log/hooks
	hooks_bundle "$b" hooks
	host_mnt=$(readlink /proc/self/ns/mnt)
	oci_detached "$rt" create --bundle "$b" "$id"
	expect_status 0
	pid=$(oci_state "$rt" "$id" pid)
	ctr_mnt=$(readlink "/proc/$pid/ns/mnt")
	inner=$pid
	[[ $rt == crun ]] && inner=none
	# create: the first three, in order, and nothing of start's yet.
	[[ $(_kinds "$log") == "prestart createRuntime createContainer" ]] ||
		_rf_fail "after create: $(_kinds "$log")"
	for k in prestart createRuntime; do
		_check_state "$log" "$k" "$creating" "$pid" "$id" "$b"
	done
	_check_state "$log" createContainer "$creating" "$inner" "$id" "$b"
	# prestart and createRuntime in the runtime's namespaces, started in the
	# bundle; createContainer in the container's, before pivot_root (its
	# path, the host's /bin/sh, resolved on the host), in the root.
	[[ $(_record "$log" prestart) == *"mnt=$host_mnt env"* &&
	   $(_record "$log" createRuntime) == *"mnt=$host_mnt env"* ]] ||
		_rf_fail "prestart, createRuntime not in the host's mount namespace: $(cat "$log")"
	[[ $(_record "$log" prestart) == *"cwd=$b" ]] ||
		_rf_fail "prestart did not start in the bundle: $(_record "$log" prestart)"
	[[ $(_record "$log" createContainer) == *"mnt=$ctr_mnt env"* ]] ||
		_rf_fail "createContainer not in the container's mount namespace ($ctr_mnt): $(_record "$log" createContainer)"
	oci "$rt" start "$id"
	expect_status 0
	# startContainer runs in the container as start lets it go, poststart
	# in `start` itself: both, in either order.
	rf_wait_for 30 grep -q '^startContainer ' "$log" || _rf_fail "no startContainer: $(_kinds "$log")"
	_check_state "$log" startContainer "$starting" "$inner" "$id" "$inner_bundle"
	[[ $(_record "$log" startContainer) == *"mnt=$ctr_mnt env"* ]] ||
		_rf_fail "startContainer not in the container: $(_record "$log" startContainer)"
	_check_state "$log" poststart running "$pid" "$id" "$b"
	oci_wait_status "$rt" "$id" running
	oci "$rt" kill "$id" KILL
	expect_status 0
	oci_wait_status "$rt" "$id" stopped
	! grep -q '^poststop ' "$log" || _rf_fail "poststop before delete"
	oci "$rt" delete "$id"
	expect_status 0
	_check_state "$log" poststop stopped none "$id" "$b"
	[[ $(wc -l <"$log") == 6 ]] || _rf_fail "hooks ran $(wc -l <"$log") times: $(_kinds "$log")"
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
# running the command; a failing poststart or poststop hook is a warning.
failing_late_hooks() {
	local rt=$1 id=hw-$1 b=$BATS_TEST_TMPDIR/hw-$1
	oci_bundle "$b" sh -c 'touch /tmp/ran; sleep 1000'
	oci_edit "$b" ".hooks.startContainer = [{path: \"/bin/false\"}]"
	oci_detached "$rt" create --bundle "$b" "$id"
	expect_status 0
	oci "$rt" start "$id"
	oci_wait_status "$rt" "$id" stopped
	oci "$rt" delete "$id"
	expect_status 0
	[[ -z $(oci_pids_running "sleep 1000") ]] || _rf_fail "the command ran"

	b=$b-post
	oci_bundle "$b"
	oci_edit "$b" ".hooks.poststart = [{path: \"/bin/false\"}] | .hooks.poststop = [{path: \"/bin/false\"}]"
	oci_detached "$rt" create --bundle "$b" "$id"
	expect_status 0
	oci "$rt" start "$id"
	expect_status 0
	oci_wait_status "$rt" "$id" running
	oci "$rt" delete -f "$id"
	expect_status 0
}

@test "a failing startContainer hook ends the container before its command; poststart and poststop only warn (ringfence)" {
	requires root cgroup2 jq
	failing_late_hooks ringfence
	expect_stderr_contains 'hooks.poststop[0] `/bin/false`: exited with status 1'
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
