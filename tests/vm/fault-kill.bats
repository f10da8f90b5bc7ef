#!/usr/bin/env bats
# The supervisor SIGKILLed at fault points of a launch (src/fault.h;
# ringfence-fault, RINGFENCE_FAULT=POINT=kill): whatever it had made by then,
# its command dies with it (the parent-death signal) and the next run under
# the same parent sweeps the leaf. The points and the plans are fault.bash's;
# fault.bats fails each of them instead.
#
# Which points: both moments of the run (`supervise`, `collect`) and
# KILL_N setup points drawn by a shuffle seeded with RF_FAULT_SEED (default
# 15: the same points every run, so a failure reruns exactly; another seed
# draws others). RF_FAULT_KILL=all kills at every point (a few minutes under
# TCG per 20 points), RF_FAULT_KILL='P1 P2' at those.

load ../lib/common
load ../lib/bundle
load fault

KILL_N=${RF_FAULT_KILL_N:-12}

kill_points() {
	local all=() p
	# At exec the child has closed the pipe to the killer (src/fault.c);
	# `supervise` is the moment after.
	mapfile -t all < <(awk 'NF && $1 != "exec" { print $1 }' <<<"$POINTS")
	case ${RF_FAULT_KILL:-} in
	all) printf '%s\n' "${all[@]}" ;;
	'')
		# Seeded in the pipeline's own subshell: bash reseeds each subshell.
		{
			RANDOM=${RF_FAULT_SEED:-15}
			for p in "${all[@]}"; do
				kill_only "$p" || printf '%05d %s\n' "$RANDOM" "$p"
			done
		} | sort | head -n "$KILL_N" | cut -d' ' -f2
		echo supervise
		echo collect ;;
	*) printf '%s\n' $RF_FAULT_KILL ;;
	esac
}

@test "the supervisor SIGKILLed during setup and during the run: the payload dies with it, the next run sweeps the leaf" {
	requires root cgroup2 ringfence-fault numa2
	local point failures=() st payload start err=$BATS_TEST_TMPDIR/err
	make_bundle
	echo "# seed ${RF_FAULT_SEED:-15}:" $(kill_points) >&3
	while read -r point; do
		fresh_parent
		st=0
		# `collect` comes once the command has ended by itself.
		payload=("${PAYLOAD[@]}")
		[[ $point == collect ]] && payload=(true)
		# A run still going after 600 s was not killed at its point; timeout
		# then SIGKILLs it, which gives the same 137: the point says it fired.
		start=$SECONDS
		# shellcheck disable=SC2046
		RINGFENCE_FAULT=$point=kill timeout -s KILL 600 ringfence-fault run -q --cgroup-parent "$CG" $(plan_for "$point") \
			-- "${payload[@]}" </dev/null >/dev/null 2>"$err" 3>&- || st=$?
		((st == 137)) || failures+=("$point: status $st, expected 137 (SIGKILL)")
		grep -qxF "ringfence-fault: kill at $point" "$err" ||
			failures+=("$point: not killed there: $(cat "$err")")
		rf_wait_for 30 payload_gone || failures+=("$point: the payload outlived the supervisor")
		# The next run under the same parent removes what is left.
		"$RINGFENCE" run -q --cgroup-parent "$CG" -- true </dev/null 2>/dev/null ||
			failures+=("$point: the run after failed")
		no_leaf || failures+=("$point: the next run left $(find "$RF_CGROUP_ROOT/$CG" -mindepth 1 -type d)")
		echo "# $point: $((SECONDS - start)) s" >&3
	done < <(kill_points)
	((${#failures[@]} == 0)) || _rf_fail "$(printf '%s\n' "${failures[@]}")"
}
