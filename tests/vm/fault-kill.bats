#!/usr/bin/env bats
# The supervisor SIGKILLed at every fault point of a launch (src/fault.h;
# ringfence-fault, RINGFENCE_FAULT=POINT=kill): whatever it had made by then,
# its command dies with it (the parent-death signal) and the next run under
# the same parent sweeps the leaf. The points and the plan are fault.bash's;
# fault.bats fails each of them instead.

load ../lib/common
load fault

@test "the supervisor SIGKILLed at each step: the payload dies with it, the next run sweeps the leaf" {
	requires root cgroup2 ringfence-fault numa2
	local point want failures=() st payload
	while read -r point want; do
		[[ -z ${RF_FAULT_ONLY:-} || " $RF_FAULT_ONLY " == *" $point "* ]] || continue
		# At exec the child has closed the pipe to the killer (src/fault.c);
		# `supervise` is the moment after.
		[[ -n $point && $point != exec ]] || continue
		fresh_parent
		st=0
		# `collect` comes once the command has ended by itself.
		payload=("${PAYLOAD[@]}")
		[[ $point == collect ]] && payload=(true)
		# shellcheck disable=SC2046
		RINGFENCE_FAULT=$point=kill timeout -s KILL 120 ringfence-fault run -q --cgroup-parent "$CG" $(plan_for "$point") \
			-- "${payload[@]}" >/dev/null 2>&1 3>&- || st=$?
		((st == 137)) || failures+=("$point: status $st, expected 137 (SIGKILL)")
		rf_wait_for 30 payload_gone || failures+=("$point: the payload outlived the supervisor")
		# The next run under the same parent removes what is left.
		"$RINGFENCE" run -q --cgroup-parent "$CG" -- true 2>/dev/null ||
			failures+=("$point: the run after failed")
		no_leaf || failures+=("$point: the next run left $(find "$RF_CGROUP_ROOT/$CG" -mindepth 1 -type d)")
	done <<<"$POINTS"
	((${#failures[@]} == 0)) || _rf_fail "$(printf '%s\n' "${failures[@]}")"
}
