#!/usr/bin/env bats
# Limits reach the leaf's files, and the verdict reports what they did:
# pids.max contains a fork bomb, cpu.max throttles.

load ../lib/common

setup() {
	report=$BATS_TEST_TMPDIR/r.json
}

# Printed from inside the sandbox: FILE=VALUE for the leaf's limit files.
# shellcheck disable=SC2016
leaf_files='d=/sys/fs/cgroup$(sed -n "s/^0:://p" /proc/self/cgroup)
for f in memory.max memory.high memory.low memory.swap.max memory.oom.group pids.max cpu.max cpu.weight; do
	echo "$f=$(cat "$d/$f")"
done'

@test "every limit flag lands in its cgroup file" {
	requires root cgroup2 memory pids cpu
	rf_run run --memory 96M --memory-high 80M --memory-low 8M --pids 77 --cpus 1.5 \
		--cpu-weight 250 -- sh -c "$leaf_files"
	expect_status 0
	expect_line memory.max=100663296
	expect_line memory.high=83886080
	expect_line memory.low=8388608
	expect_line memory.swap.max=0
	expect_line memory.oom.group=1
	expect_line pids.max=77
	expect_line "cpu.max=150000 100000"
	expect_line cpu.weight=250
}

@test "--swap sets memory.swap.max; --no-oom-group clears memory.oom.group" {
	requires root cgroup2 memory
	rf_run run --memory 64M --swap 16M --no-oom-group -- sh -c "$leaf_files"
	expect_status 0
	expect_line memory.swap.max=16777216
	expect_line memory.oom.group=0
}

@test "without --memory nothing bounds memory: memory.max stays max" {
	requires root cgroup2 memory
	rf_run run -- sh -c "$leaf_files"
	expect_status 0
	expect_line memory.max=max
	expect_line memory.swap.max=max
}

@test "a fork bomb under --pids 64 is contained, reported and torn down" {
	requires root cgroup2 pids
	# The main process exits once a fork was refused, waiting with builtins
	# only (the bomb leaves it no fork); `read -t` on a pipe of its own is a
	# pause without a fork. It forks once, a subshell that starts the bomb:
	# an asynchronous `bomb | bomb` of its own forks twice, and the second
	# fork can already be refused (bash then gives up: tests/stress).
	# shellcheck disable=SC2016
	rf_run run --pids 64 --timeout 60s --report "$report" -- bash -c '
		exec 9<> <(:); bomb() { bomb | bomb & }; (bomb) &
		until read -r _ n </sys/fs/cgroup/pids.events && ((n > 0)); do read -t 0.1 -u 9; done
		exit 0'
	expect_status 0
	expect_json "$report" verdict exited
	expect_stderr_contains "hit the pids limit"
	expect_json "$report" pids.max 64
	[ "$(json_get "$report" pids.limit_hits)" -gt 0 ]
	[ "$(json_get "$report" timed_out)" = false ]
	# The bomb's leftovers died with the leaf (assert_no_leaves checks the rest).
	! grep -qa 'bomb | bom[b]' /proc/[0-9]*/cmdline
}

@test "--cpus 0.5 throttles a busy loop (cpu.stat shows it)" {
	requires root cgroup2 cpu
	rf_run run --cpus 0.5 --report "$report" -- \
		sh -c 'end=$(( $(date +%s) + 2 )); while [ "$(date +%s)" -lt "$end" ]; do :; done'
	expect_status 0
	[ "$(json_get "$report" cpu.nr_throttled)" -gt 0 ]
	[ "$(json_get "$report" cpu.throttled_usec)" -gt 0 ]
	# At most half a CPU over the run, with a little slack for the period edges.
	local usage wall
	usage=$(json_get "$report" cpu.usage_usec)
	wall=$(json_get "$report" wall_time_ms)
	[ "$usage" -le $((wall * 1000 * 6 / 10)) ] || { echo "usage $usage us in $wall ms"; false; }
}

@test "a limit the kernel refuses fails the run with 125 and leaves no leaf" {
	requires root cgroup2 memory
	# A profile's unified files that ringfence does not manage itself are
	# written as given; the kernel rejects this one once the leaf exists.
	printf '{"linux":{"resources":{"unified":{"memory.min":"lots"}}}}' > "$BATS_TEST_TMPDIR/p.json"
	rf_run run --profile "$BATS_TEST_TMPDIR/p.json" --report "$report" -- true
	expect_status 125
	expect_stderr_contains "memory.min"
	expect_json "$report" verdict launch-failed
	# assert_no_leaves (teardown) proves the half-made leaf was removed.
}

@test "the supervisor stays idle while memory events keep firing" {
	requires root cgroup2 memory
	# Above memory.high the kernel raises `high` events continually; a
	# supervisor that did not re-arm its poll on memory.events would spin.
	local done=$BATS_TEST_TMPDIR/done leaf=$RF_PARENT/rf-idle t1 t2 e1 u1 share
	"$RINGFENCE" run -q --name rf-idle --memory-high 8M -- \
		sh -c 'memhog --sleep-after 32M & until [ -e "$0" ]; do sleep 0.1; done; kill %1' "$done" 3>&- &
	local pid=$!
	# Once memhog is above memory.high, events fire; the supervisor's CPU
	# time is then taken over at least five of them and at least a second,
	# however long that lasts, as a share of the time that passed.
	rf_wait_for 60 eval '[ "$(rf_memory_event "$leaf" high)" -gt 0 ]'
	e1=$(rf_memory_event "$leaf" high)
	t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	u1=$(cut -d' ' -f1 /proc/uptime)
	rf_wait_for 300 eval '[ "$(rf_memory_event "$leaf" high)" -ge $((e1 + 5)) ] &&
		awk -v u1="$u1" "{ exit !(\$1 - u1 >= 1) }" /proc/uptime' ||
		{ touch "$done"; wait "$pid"; _rf_fail "fewer than 5 memory.high events in 300 s"; }
	t2=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	share=$(awk -v u1="$u1" -v t="$((t2 - t1))" '{ printf "%d", t / ($1 - u1) }' /proc/uptime)
	touch "$done"
	wait "$pid"
	# Clock ticks (1/100 s) of CPU per second: a busy loop shows ~100.
	((share < 20)) || _rf_fail "the supervisor used $share% of a CPU while events fired"
}
