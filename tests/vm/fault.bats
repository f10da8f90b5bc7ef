#!/usr/bin/env bats
# Every failure path leaves nothing behind. ringfence-fault is ringfence built
# with its fault points live (src/fault.h): RINGFENCE_FAULT=list names the
# points a run passes, RINGFENCE_FAULT=POINT makes that step fail (EIO), and
# POINT=kill SIGKILLs the supervisor there. The walk learns the points from a
# run of a plan that has every step, checks them against the table in
# fault.bash (a new point needs a row), and then fails each one in turn;
# fault-kill.bats kills the supervisor at each one.

load ../lib/common
load ../lib/bundle
load fault

@test "ringfence has no fault points; ringfence-fault says it is a test build" {
	requires root ringfence-fault
	run_cmd "$RINGFENCE" --version
	expect_output_not_contains fault
	run_cmd ringfence-fault --version
	expect_output_contains "+fault-injection"
	# In ringfence, RINGFENCE_FAULT is just another variable.
	RINGFENCE_FAULT=leaf.mkdir rf_run run -- true
	expect_status 0
}

@test "the table names every fault point a run passes, and only those" {
	requires root cgroup2 ringfence-fault numa2
	local found table
	found=$(discover)
	table=$(awk 'NF { print $1 }' <<<"$POINTS" | sort -u)
	[[ $found == "$table" ]] ||
		_rf_fail "points passed vs the table:"$'\n'"$(diff <(echo "$table") <(echo "$found"))"
}

@test "each setup step that fails: exit 125 (126/127 for exec), one message naming it, nothing left" {
	requires root cgroup2 ringfence-fault numa2
	local point want before report=$BATS_TEST_TMPDIR/r.json failures=() lines_n code
	make_bundle
	before=$(mount_count)
	while read -r point want; do
		[[ -n $point ]] && ! kill_only "$point" || continue
		fresh_parent
		# shellcheck disable=SC2046
		RINGFENCE_FAULT=$point run_cmd ringfence-fault run --cgroup-parent "$CG" --report "$report" \
			$(plan_for "$point") -- "${PAYLOAD[@]}"
		code=125
		[[ $point == exec ]] && code=126
		lines_n=$(grep -c . <<<"$stderr")
		if ((status != code)) || ((lines_n != 1)) || [[ $stderr != "ringfence: "*"$want"*"Input/output error" ]] ||
			[[ $(json_get "$report" verdict) != launch-failed ]]; then
			failures+=("$point: status $status, stderr: $stderr")
		fi
		rf_wait_for 30 payload_gone || failures+=("$point: the payload is still running")
		no_leaf || failures+=("$point: a leaf was left: $(find "$RF_CGROUP_ROOT/$CG" -mindepth 1 -type d)")
		(($(mount_count) == before)) || failures+=("$point: mounts went from $before to $(mount_count)")
	done <<<"$POINTS"
	((${#failures[@]} == 0)) || _rf_fail "$(printf '%s\n' "${failures[@]}")"
}

@test "exec: a missing command is 127, and a refused one 126" {
	requires root cgroup2 ringfence-fault
	RINGFENCE_FAULT=exec=2 run_cmd -127 ringfence-fault run -- "${PAYLOAD[@]}"
	expect_status 127
	expect_stderr_contains "sleep: command not found"
	RINGFENCE_FAULT=exec=13 run_cmd ringfence-fault run -- "${PAYLOAD[@]}"
	expect_status 126
	expect_stderr_contains "sleep: permission denied"
}

@test "without nsdelegate, the child cgroup of the leaf failing leaves nothing either" {
	requires root cgroup2 ringfence-fault vm
	rf_without_nsdelegate
	RINGFENCE_FAULT=leaf.nest run_cmd ringfence-fault run --cgroup-parent "$CG" -- "${PAYLOAD[@]}"
	expect_status 125
	expect_stderr_contains "/payload\`: Input/output error"
	no_leaf
}
