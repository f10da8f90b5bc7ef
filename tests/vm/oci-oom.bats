#!/usr/bin/env bats
# ringfence as an OCI runtime: an OOM at a parent cgroup's limit, not at the
# container's own, is external. `state` and the verdict delete writes say
# oom-external with the scope ancestor, and `events` reports the kill with
# the scope "external" (tests/vm/oci-exec.bats has the OOM at the
# container's own limit). crun has no verdict: against it the scenario
# checks what both show, a SIGKILL (137 from a foreground run) and the leaf
# gone after delete. Last, an OOM at the parent's limit while create is
# still setting the container up counts as well: ringfence-fault stops
# create there (RINGFENCE_FAULT=pid.stat=stop, src/fault.c).

load ../lib/common
load ../lib/oci

# The limited parent: every container here is a leaf below it.
LIM=$OCI_CGROUP_PARENT/lim

rf_teardown() {
	oci_cleanup_check
}

# limited_parent MAX: $LIM with memory.max MAX and no swap, the memory
# controller on for its children; ringfence makes the leaves below it.
limited_parent() {
	local top=$RF_CGROUP_ROOT$OCI_CGROUP_PARENT
	echo "+memory +pids" >"$RF_CGROUP_ROOT/cgroup.subtree_control"
	mkdir -p "$top/lim"
	echo "+memory +pids" >"$top/cgroup.subtree_control"
	echo "$1" >"$top/lim/memory.max"
	echo 0 >"$top/lim/memory.swap.max"
}

# The `oom` count of the parent's memory.events.local: OOMs at its limit.
lim_ooms() {
	local key n
	while read -r key n; do
		[[ $key == oom ]] && { echo "$n"; return 0; }
	done <"$RF_CGROUP_ROOT$LIM/memory.events.local"
	echo 0
}

# The OOM in LEAF came from the parent: a kill in the leaf, none of the
# leaf's own OOMs, and the parent's limit hit since BEFORE (its count then).
oom_from_parent() {
	local leaf=$1 before=$2
	(($(rf_memory_event "$leaf" oom_kill) >= 1)) ||
		_rf_fail "no OOM kill in $leaf: $(cat "$leaf/memory.events")"
	(($(rf_memory_event "$leaf" oom) == 0)) ||
		_rf_fail "an OOM at the leaf's own limit: $(cat "$leaf/memory.events")"
	(($(lim_ooms) > before)) ||
		_rf_fail "the parent's limit was not hit: $(cat "$RF_CGROUP_ROOT$LIM/memory.events.local")"
}

# After delete: no leaf, no process of the container or of the runtime, no
# state; then the parent goes (it must be empty for that).
nothing_left() {
	local rt=$1 id=$2 leaf=$RF_CGROUP_ROOT$LIM/$2 p left=
	[[ ! -d $leaf ]] || _rf_fail "the leaf $leaf is still there"
	[[ ! -e $OCI_ROOT/$rt/$id ]] || _rf_fail "the state $OCI_ROOT/$rt/$id is still there"
	oci "$rt" list -q
	[[ -z $output ]] || _rf_fail "list still has: $output"
	for p in $(oci_pids_running "tail /dev/zero") $(oci_pids_running "$(oci_runtime "$rt") --root") \
		$(oci_pids_running "ringfence-fault --root"); do
		[[ $(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null) == Z ]] ||
			left+=" $p($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null))"
	done
	[[ -z $left ]] || _rf_fail "processes left:$left"
	[[ -z $(cat "$RF_CGROUP_ROOT$LIM/cgroup.procs") ]] || _rf_fail "processes left in $LIM"
	rmdir "$RF_CGROUP_ROOT$LIM" || _rf_fail "$LIM is not empty: $(find "$RF_CGROUP_ROOT$LIM" -mindepth 1)"
}

# The container's own limit is 256M, the parent's 32M: the parent's is hit.
external_detached() {
	local rt=$1 id=ext-$1 b=$BATS_TEST_TMPDIR/ext-$1 leaf epid before
	limited_parent 32M
	before=$(lim_ooms)
	leaf=$RF_CGROUP_ROOT$LIM/$id
	# tail keeps what it reads of a file without newlines: /dev/zero grows it.
	oci_bundle "$b" tail /dev/zero
	oci_edit "$b" ".linux.cgroupsPath = \"$LIM/$id\"
		| .linux.resources.memory = {limit: 268435456, swap: 268435456}"
	oci_detached "$rt" create --bundle "$b" "$id"
	expect_status 0
	[[ $(oci_cgroup "$rt" "$id") == "$leaf" ]] || _rf_fail "the leaf is $(oci_cgroup "$rt" "$id")"
	[[ $(cat "$leaf/memory.max") == 268435456 ]] || _rf_fail "memory.max $(cat "$leaf/memory.max")"
	if [[ $rt == ringfence ]]; then
		"$RINGFENCE" --root "$OCI_ROOT/ringfence" events --interval 1h "$id" >"$b/events" 2>&1 &
		epid=$!
		# Watching once it has its timer (made after its baseline).
		rf_wait_for 30 bash -c "ls -l /proc/$epid/fd | grep -q timerfd" ||
			_rf_fail "events is not watching: $(cat "$b/events")"
	fi
	oci "$rt" start "$id"
	expect_status 0
	oci_wait_status "$rt" "$id" stopped
	oom_from_parent "$leaf" "$before"
	if [[ $rt == ringfence ]]; then
		rf_wait_for 30 test ! -d "/proc/$epid" || _rf_fail "events did not end with the container"
		wait "$epid" || _rf_fail "events failed: $(cat "$b/events")"
		# Every oom event (a group kill may be read as two rises) says external.
		jq -se "map(select(.type == \"oom\" and .id == \"$id\")) | length > 0 and all(.scope == \"external\")" \
			"$b/events" >/dev/null || _rf_fail "oom events not all with scope external: $(cat "$b/events")"
		oci ringfence state "$id"
		expect_status 0
		[[ $(jq -r '.status + " " + .ringfence.verdict + " " + .ringfence.oom.scope' <<<"$output") == \
			"stopped oom-external ancestor" ]] || _rf_fail "state: $output"
	fi
	oci "$rt" delete "$id"
	expect_status 0
	if [[ $rt == ringfence ]]; then
		expect_json "$OCI_ROOT/ringfence/$id.verdict.json" verdict oom-external
		expect_json "$OCI_ROOT/ringfence/$id.verdict.json" oom.scope ancestor
		expect_json "$OCI_ROOT/ringfence/$id.verdict.json" oom.events 0
		expect_json "$OCI_ROOT/ringfence/$id.verdict.json" memory.max 268435456
		[ "$(json_get "$OCI_ROOT/ringfence/$id.verdict.json" oom.kills)" -ge 1 ] ||
			_rf_fail "oom.kills: $(cat "$OCI_ROOT/ringfence/$id.verdict.json")"
	fi
	nothing_left "$rt" "$id"
}

@test "an OOM at a parent cgroup's limit: state and delete's verdict say oom-external (ancestor), events says external (ringfence)" {
	requires root cgroup2 memory jq
	external_detached ringfence
}

@test "an OOM at a parent cgroup's limit: the container dies and delete removes its leaf (crun)" {
	requires root cgroup2 memory jq crun
	external_detached crun
}

# No limit of its own: a foreground run is SIGKILLed by the parent's OOM and
# exits 137, as under runc; it deletes the container itself.
external_foreground() {
	local rt=$1 id=fg-$1 b=$BATS_TEST_TMPDIR/fg-$1 before
	limited_parent 32M
	before=$(lim_ooms)
	oci_bundle "$b" tail /dev/zero
	oci_edit "$b" ".linux.cgroupsPath = \"$LIM/$id\" | del(.linux.resources.memory)"
	oci "$rt" run --bundle "$b" "$id"
	expect_status 137
	(($(lim_ooms) > before)) || _rf_fail "the parent's limit was not hit"
	if [[ $rt == ringfence ]]; then
		expect_json "$OCI_ROOT/ringfence/$id.verdict.json" verdict oom-external
		expect_json "$OCI_ROOT/ringfence/$id.verdict.json" exit_code 137
		expect_json "$OCI_ROOT/ringfence/$id.verdict.json" status.signal 9
		expect_json "$OCI_ROOT/ringfence/$id.verdict.json" oom.scope ancestor
		expect_json "$OCI_ROOT/ringfence/$id.verdict.json" memory.max max
	fi
	nothing_left "$rt" "$id"
}

@test "an OOM at a parent cgroup's limit in a foreground run: 137, verdict oom-external (ringfence)" {
	requires root cgroup2 memory jq
	external_foreground ringfence
}

@test "an OOM at a parent cgroup's limit in a foreground run: 137 (crun)" {
	requires root cgroup2 memory jq crun
	external_foreground crun
}

# The state letter of /proc/PID/stat (nothing when PID is gone).
proc_state() {
	local stat
	stat=$(<"/proc/$1/stat") 2>/dev/null || return 0
	stat=${stat##*) }
	echo "${stat%% *}"
}

stopped() {
	[[ $(proc_state "$1") == T ]]
}

# Gone, or a zombie (its parent, create, is stopped and cannot reap it).
dead() {
	case $(proc_state "$1") in
	'' | Z | X) return 0 ;;
	esac
	return 1
}

@test "an OOM at the parent's limit while create is still at work counts: oom-external, scope ancestor" {
	requires root cgroup2 memory jq ringfence-fault
	local id=setup b=$BATS_TEST_TMPDIR/setup leaf=$RF_CGROUP_ROOT$LIM/setup cpid before procs
	limited_parent max
	before=$(lim_ooms)
	oci_bundle "$b"
	oci_edit "$b" ".linux.cgroupsPath = \"$LIM/$id\""
	# create stops itself after the container process has said READY and
	# before it has stored the ancestors' OOM counts the verdict compares
	# with (the point `pid.stat`, src/container-lifecycle.c).
	RINGFENCE_FAULT=pid.stat=stop ringfence-fault --root "$OCI_ROOT/ringfence" create --bundle "$b" "$id" \
		</dev/null >"$b/create.out" 2>"$b/create.err" &
	cpid=$!
	rf_wait_for 60 stopped "$cpid" ||
		_rf_fail "create did not stop at pid.stat: $(cat "$b/create.err")"
	# Only the container process is under the parent, blocked on exec.fifo.
	procs=$(cat "$leaf/cgroup.procs")
	[[ $procs =~ ^[0-9]+$ ]] || _rf_fail "the leaf holds: ${procs:-nothing}"
	# The parent's limit drops below what the container holds (anonymous
	# memory, no swap): reclaim cannot meet it, the kernel OOM-kills the
	# only process there. The write returns once that is done.
	echo 0 >"$RF_CGROUP_ROOT$LIM/memory.max"
	rf_wait_for 30 dead "$procs" ||
		_rf_fail "the container process $procs survived the parent's OOM"
	echo max >"$RF_CGROUP_ROOT$LIM/memory.max"
	oom_from_parent "$leaf" "$before"
	kill -CONT "$cpid"
	wait "$cpid" && status=0 || status=$?
	# shellcheck disable=SC2034 # for rf_show, as run_cmd sets them
	RF_LAST_CMD=(ringfence-fault create "$id") stderr=$(<"$b/create.err")
	# It had READY: the container was created, and is stopped by now.
	expect_status 0
	oci_wait_status ringfence "$id" stopped
	oci ringfence state "$id"
	expect_status 0
	[[ $(jq -r '.ringfence.verdict + " " + .ringfence.oom.scope' <<<"$output") == \
		"oom-external ancestor" ]] || _rf_fail "state: $output"
	oci ringfence delete "$id"
	expect_status 0
	expect_json "$OCI_ROOT/ringfence/$id.verdict.json" verdict oom-external
	expect_json "$OCI_ROOT/ringfence/$id.verdict.json" oom.scope ancestor
	nothing_left ringfence "$id"
}
