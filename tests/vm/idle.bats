#!/usr/bin/env bats
# The supervisor sleeps until something happens (the command ends, a signal,
# the --timeout timer, a change in memory.events): while the command runs
# quietly it does not wake up at all. Only a NUMA option makes it sample
# per-node usage on a timer, since no kernel event reports on that.

load ../lib/common

# The number of times process $1 has gone to sleep by itself.
sleeps() {
	awk '/^voluntary_ctxt_switches:/ { print $2 }' "/proc/$1/status"
}

# Supervisor $1's command has exec'd `sleep`: all its setup is over.
asleep() {
	local child
	child=$(cat "/proc/$1/task/$1/children" 2>/dev/null) || return 1
	[[ -n $child && $(cat "/proc/${child%% *}/comm" 2>/dev/null) == sleep ]]
}

@test "a quiet command costs its supervisor no wake-up; with a NUMA option it samples every 250 ms" {
	requires root cgroup2 numa2
	local quiet numa q0 q1 n0 n1
	"$RINGFENCE" run -q -- sleep 1040 &
	quiet=$!
	# Not -q: a run whose report nobody reads samples nothing.
	"$RINGFENCE" run --numa-preferred 0 -- sleep 1041 2>/dev/null &
	numa=$!
	# Both commands have reached their sleep: nothing more will happen.
	rf_wait_for 30 asleep "$quiet"
	rf_wait_for 30 asleep "$numa"
	q0=$(sleeps "$quiet") n0=$(sleeps "$numa")
	# The window watched (not a wait for a state): 10 s of nothing happening.
	sleep 10
	q1=$(sleeps "$quiet") n1=$(sleeps "$numa")
	kill -TERM "$quiet" "$numa"
	wait "$quiet" "$numa" || true
	# Nothing woke it: no poll timeout, no event.
	((q1 - q0 <= 1)) || _rf_fail "the quiet run's supervisor woke $((q1 - q0)) times in 10 s"
	# The count does see wake-ups: 40 samples are due in 10 s.
	((n1 - n0 >= 5)) || _rf_fail "the NUMA run's supervisor woke only $((n1 - n0)) times in 10 s"
}
