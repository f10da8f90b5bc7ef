#!/usr/bin/env bats
# The placement rule: a sandbox never escapes a limit its caller is under.
# Started inside a cgroup whose limits bind it (an engine's step, a
# container), ringfence makes the leaf inside the limited subtree: beside
# the caller's cgroup when that is below the limited one (Slurm's layout:
# the supervisor stays in task_0, where Slurm signals it, the leaf goes in
# step/user), inside it otherwise; and leaves nothing of its own in the
# chain. Engines are played by cgroups made here, as Slurm 22.05 makes them
# (job_N/step_N/user/task_N); tests/vm/slurm/ has the real thing.

load ../lib/common

setup() {
	report=$BATS_TEST_TMPDIR/r.json
	echo "+memory +pids" >"$RF_CGROUP_ROOT/cgroup.subtree_control"
}

# What a run made under the engines' cgroups is gone once it is done (a
# leaf or a supervisor cgroup left there fails the test), then the engines'
# cgroups are removed.
rf_teardown() {
	local d left rc=0
	for d in rf-job rf-box rf-busy rf-elsewhere rf-ujob rf-uown; do
		[[ -d $RF_CGROUP_ROOT/$d ]] || continue
		left=$(find "$RF_CGROUP_ROOT/$d" -mindepth 1 -type d \
			\( -name 'run-*' -o -name 'ringfence-*' \))
		[[ -z $left ]] || { echo "left behind under $d: $left" >&2; rc=1; }
		rf_cleanup_cgroups "$RF_CGROUP_ROOT/$d"
		rmdir "$RF_CGROUP_ROOT/$d" 2>/dev/null
	done
	return "$rc"
}

# engine DIR MEMORY: a Slurm-like job DIR/step/user/task_0 under a memory
# limit on DIR (`max`: none), controllers enabled down to the step as Slurm
# does.
engine() {
	local j=$RF_CGROUP_ROOT/$1
	mkdir -p "$j/step/user/task_0"
	echo "+memory +pids" >"$j/cgroup.subtree_control"
	echo "+memory +pids" >"$j/step/cgroup.subtree_control"
	echo "$2" >"$j/memory.max"
	[[ $2 == max || ! -e $j/memory.swap.max ]] || echo 0 >"$j/memory.swap.max"
}

# in_cgroup DIR CMD...: run CMD (exec'd by a shell) as the only process in DIR.
in_cgroup() {
	local dir=$1
	shift
	run_cmd sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$RF_CGROUP_ROOT/$dir" "$@"
}

@test "inside an engine's job: the leaf goes beside the task's cgroup, and the job's limit binds it (122)" {
	requires root cgroup2 memory memhog
	engine rf-job 64M
	in_cgroup rf-job/step/user/task_0 "$RINGFENCE" run --report "$report" -- memhog 256M
	expect_status 122
	expect_json "$report" verdict oom-external
	[[ $(json_get "$report" cgroup) == /rf-job/step/user/run-* ]] ||
		_rf_fail "expected to match /rf-job/step/user/run-*, got: $(json_get "$report" cgroup)"
	# Nothing of ringfence's is left in the chain; the controllers it needed
	# were enabled on the way.
	[[ $(cd "$RF_CGROUP_ROOT/rf-job/step/user" && echo */) == "task_0/" ]]
	[[ ! -e $RF_CGROUP_ROOT/rf-job/step/user/task_0/ringfence-supervisor ]]
	grep -qw memory "$RF_CGROUP_ROOT/rf-job/step/user/cgroup.subtree_control"
}

@test "inside an engine's job: a smaller --memory is the sandbox's own limit (121)" {
	requires root cgroup2 memory memhog
	engine rf-job 128M
	in_cgroup rf-job/step/user/task_0 "$RINGFENCE" run --memory 32M --report "$report" -- memhog 96M
	expect_status 121
	expect_json "$report" verdict oom-limit
}

@test "the supervisor stays in the task's cgroup, where the engine signals it" {
	requires root cgroup2 memory
	engine rf-job 256M
	# --host-cgroupfs: the payload reads cgroup paths as the caller sees them.
	# shellcheck disable=SC2016
	in_cgroup rf-job/step/user/task_0 "$RINGFENCE" run --host-cgroupfs -- \
		sh -c 'cat /proc/$PPID/cgroup /proc/self/cgroup'
	expect_status 0
	expect_line "0::/rf-job/step/user/task_0"
	[[ ${lines[1]} == 0::/rf-job/step/user/run-* ]] ||
		_rf_fail "expected to match 0::/rf-job/step/user/run-*, got: ${lines[1]}"
}

@test "a limit on the caller's own cgroup: the leaf goes inside it, also when named, and all is put back after" {
	requires root cgroup2 memory memhog
	local box=$RF_CGROUP_ROOT/rf-box before
	mkdir "$box"
	echo 64M >"$box/memory.max"
	[[ ! -e $box/memory.swap.max ]] || echo 0 >"$box/memory.swap.max"
	before=$(cat "$box/cgroup.subtree_control")
	# shellcheck disable=SC2016
	in_cgroup rf-box "$RINGFENCE" run --host-cgroupfs --report "$report" -- \
		sh -c 'cat /proc/$PPID/cgroup; exec memhog 256M'
	expect_status 122
	expect_line "0::/rf-box/ringfence-supervisor"
	[[ $(json_get "$report" cgroup) == /rf-box/run-* ]] ||
		_rf_fail "expected to match /rf-box/run-*, got: $(json_get "$report" cgroup)"
	# ringfence moved itself back before it exited: no child cgroup, the
	# controllers it enabled are off again.
	[[ -z $(find "$box" -mindepth 1 -type d) ]] ||
		_rf_fail "left in rf-box: $(find "$box" -mindepth 1 -type d)"
	[[ $(cat "$box/cgroup.subtree_control") == "$before" ]]
	# Named by --cgroup-parent: nothing beside it can take the sandbox (its
	# parent is the root, which holds processes), so moving aside is the
	# only way, and is taken as without.
	# shellcheck disable=SC2016
	in_cgroup rf-box "$RINGFENCE" run --cgroup-parent rf-box --host-cgroupfs -- \
		sh -c 'cat /proc/$PPID/cgroup'
	expect_status 0
	expect_line "0::/rf-box/ringfence-supervisor"
	[[ -z $(find "$box" -mindepth 1 -type d) ]] ||
		_rf_fail "left in rf-box: $(find "$box" -mindepth 1 -type d)"
	[[ $(cat "$box/cgroup.subtree_control") == "$before" ]]
}

# The chain under an engine's task as it is: the cgroups below rf-job, with
# their subtree_control, and the processes in task_0 (none once a run is done).
chain_state() {
	local d
	for d in rf-job rf-job/step rf-job/step/user rf-job/step/user/task_0; do
		echo "$d: $(cat "$RF_CGROUP_ROOT/$d/cgroup.subtree_control")"
	done
	find "$RF_CGROUP_ROOT/rf-job" -mindepth 1 -type d | sort
}

@test "--cgroup-parent naming the task's own cgroup in an engine's job: 125, the fix named, nothing changed" {
	requires root cgroup2 memory
	local before
	engine rf-job 64M
	before=$(chain_state)
	in_cgroup rf-job/step/user/task_0 "$RINGFENCE" run --cgroup-parent rf-job/step/user/task_0 -- true
	expect_status 125
	expect_stderr_contains "--cgroup-parent \`/rf-job/step/user/task_0\` is ringfence's own cgroup"
	expect_stderr_contains "where an engine that signals only the processes directly in its cgroups (Slurm) no longer reaches it"
	expect_stderr_contains "leave --cgroup-parent out: the sandbox then goes beside it, in \`/rf-job/step/user\`, still inside the limit of \`/rf-job\` (memory.max 64.0M)"
	# Refused before anything was made or enabled: no leaf, no
	# ringfence-supervisor, no controller.
	[[ $(chain_state) == "$before" ]] || { diff <(echo "$before") <(chain_state); false; }
}

@test "--cgroup-parent naming the task's own cgroup with no limit above: 125, and the parent it names works" {
	requires root cgroup2 memory
	local before
	engine rf-job max
	before=$(chain_state)
	in_cgroup rf-job/step/user/task_0 "$RINGFENCE" run --cgroup-parent /rf-job/step/user/task_0 -- true
	expect_status 125
	expect_stderr_contains "--cgroup-parent \`/rf-job/step/user/task_0\` is ringfence's own cgroup"
	expect_stderr_contains "pass --cgroup-parent \`/rf-job/step/user\` instead: the sandbox then goes beside it"
	[[ $(chain_state) == "$before" ]] || { diff <(echo "$before") <(chain_state); false; }
	# The fix as the message gives it: the leaf beside the task, the
	# supervisor where the engine put it.
	# shellcheck disable=SC2016
	in_cgroup rf-job/step/user/task_0 "$RINGFENCE" run --cgroup-parent /rf-job/step/user \
		--host-cgroupfs -- sh -c 'cat /proc/$PPID/cgroup /proc/self/cgroup'
	expect_status 0
	expect_line "0::/rf-job/step/user/task_0"
	[[ ${lines[1]} == 0::/rf-job/step/user/run-* ]] ||
		_rf_fail "expected to match 0::/rf-job/step/user/run-*, got: ${lines[1]}"
	[[ $(cd "$RF_CGROUP_ROOT/rf-job/step/user" && echo */) == "task_0/" ]]
}

@test "a limited cgroup that holds other processes: 125, the rule named, nothing changed" {
	requires root cgroup2 memory
	local busy=$RF_CGROUP_ROOT/rf-busy
	mkdir "$busy"
	echo 64M >"$busy/memory.max"
	# The sleeper is killed with the cgroup in rf_teardown; it must not hold
	# bats' output open (bats would wait for it).
	run_cmd sh -c 'echo $$ >"$0/cgroup.procs" && { sleep 600 </dev/null >/dev/null 2>&1 & } &&
		exec "$1" run -- true' "$busy" "$RINGFENCE"
	expect_status 125
	expect_stderr_contains "holds other processes"
	expect_stderr_contains "no internal processes"
	[[ -z $(find "$busy" -mindepth 1 -type d) ]]
	[[ -z $(cat "$busy/cgroup.subtree_control") ]]
}

@test "--cgroup-parent outside the limit: root may, and is told it leaves the limit" {
	requires root cgroup2 memory memhog
	engine rf-job 64M
	in_cgroup rf-job/step/user/task_0 "$RINGFENCE" run --cgroup-parent rf-elsewhere \
		--report "$report" -- memhog 128M
	expect_status 0
	expect_stderr_contains "the sandbox leaves its limit (memory.max 64.0M)"
	[[ $(json_get "$report" cgroup) == /rf-elsewhere/run-* ]] ||
		_rf_fail "expected to match /rf-elsewhere/run-*, got: $(json_get "$report" cgroup)"
}

@test "--cgroup-parent outside the limit: a user may not, even into a subtree of their own" {
	requires root cgroup2 memory
	local j=$RF_CGROUP_ROOT/rf-ujob own=$RF_CGROUP_ROOT/rf-uown
	mkdir -p "$j/task" "$own"
	echo "+memory +pids" >"$j/cgroup.subtree_control"
	echo 64M >"$j/memory.max"
	chown -R 1000:1000 "$j/task" "$own"
	run_cmd sh -c 'echo $$ >"$0/cgroup.procs" && exec /usr/bin/setpriv --reuid 1000 --regid 1000 \
		--clear-groups "$1" run --cgroup-parent rf-uown -- true' "$j/task" "$RINGFENCE"
	expect_status 125
	expect_stderr_contains "is outside cgroup \`/rf-ujob\`, whose limit (memory.max 64.0M) binds this process: only root may leave it"
	[[ -z $(find "$own" -mindepth 1 -type d) ]]
}

@test "ringfence check shows the limit that binds the caller and where the leaf goes" {
	requires root cgroup2 memory
	engine rf-job 64M
	in_cgroup rf-job/step/user/task_0 "$RINGFENCE" check --json
	expect_status 0
	[[ $(json_get - cgroup2.limited <<<"$output") == /rf-job ]] ||
		_rf_fail "expected to match /rf-job, got: $(json_get - cgroup2.limited <<<"$output")"
	[[ $(json_get - cgroup2.limit <<<"$output") == "memory.max 64.0M" ]] ||
		_rf_fail "expected to match memory.max 64.0M, got: $(json_get - cgroup2.limit <<<"$output")"
	[[ $(json_get - cgroup2.parent <<<"$output") == /rf-job/step/user ]] ||
		_rf_fail "expected to match /rf-job/step/user, got: $(json_get - cgroup2.parent <<<"$output")"
}
