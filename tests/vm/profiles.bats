#!/usr/bin/env bats
# The built-in profiles, each run once: its limits appear in the leaf, and its
# headline scenario is contained (untrusted: OOM at its limit; ci-job: a
# tmpfs fill stops at the tmpfs size; shell: a fork bomb stops at pids.max).

load ../lib/common

setup() {
	export RINGFENCE_PROFILE_PATH=$RF_SRCDIR/profiles
	report=$BATS_TEST_TMPDIR/r.json
}

# Run inside the sandbox: print the leaf's files as FILE=VALUE. The leaf is
# the cgroup of /proc/self/cgroup (just "/" in a cgroup namespace, where
# ringfence mounts a fresh cgroupfs showing the leaf as its root).
# shellcheck disable=SC2016
leaf_files='p=$(sed -n "s/^0:://p" /proc/self/cgroup); d=/sys/fs/cgroup${p%/}
for f in memory.max memory.swap.max pids.max cpu.max memory.oom.group; do
	echo "$f=$(cat "$d/$f")"
done'

ns_id() {
	readlink "/proc/self/ns/$1"
}

# ---- untrusted ---------------------------------------------------------------

@test "untrusted: its limits are in the leaf, and the payload has no privilege" {
	requires root cgroup2 memory pids cpu user_ns
	rf_run run --profile untrusted -- sh -c "$leaf_files"'
		echo "adj=$(cat /proc/self/oom_score_adj)"
		echo "memlock=$(ulimit -l)"
		grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status | tr -d "\t"
		stat -f -c "tmp=%T %b %S" /tmp
		touch /etc/rf-untrusted 2>/dev/null && echo wrote-etc || echo root-is-read-only
		echo "netns=$(readlink /proc/self/ns/net)"'
	expect_status 0
	expect_line memory.max=536870912
	expect_line memory.swap.max=0
	expect_line pids.max=128
	expect_line "cpu.max=100000 100000"
	expect_line memory.oom.group=1
	expect_line adj=1000
	expect_line memlock=64
	expect_line CapEff:0000000000000000
	expect_line CapBnd:0000000000000000
	expect_line NoNewPrivs:1
	expect_line Seccomp:2
	expect_line root-is-read-only
	expect_output_contains "tmp=tmpfs "
	local l blocks bsize
	for l in "${lines[@]}"; do
		[[ $l == tmp=* ]] && read -r _ blocks bsize <<<"$l"
	done
	((blocks * bsize == 64 * 1024 * 1024)) || _rf_fail "/tmp has $((blocks * bsize)) bytes, want 64M"
	[[ ! -e /etc/rf-untrusted ]]
	expect_output_not_contains "netns=$(ns_id net)"
}

@test "untrusted: allocating 1G is an OOM kill at its 512M limit (121)" {
	requires root cgroup2 memory user_ns
	rf_run run --profile untrusted --report "$report" -- memhog 1G
	expect_status 121
	expect_stderr_contains "killed by OOM at memory limit 512"
	expect_json "$report" verdict oom-limit
	expect_json "$report" oom.scope limit
	expect_json "$report" memory.max 536870912
}

@test "untrusted: a flag overrides one field of the profile, the rest stays" {
	requires root cgroup2 memory pids user_ns
	rf_run run --profile untrusted --memory 256M -- sh -c "$leaf_files"
	expect_status 0
	expect_line memory.max=268435456
	expect_line pids.max=128
	expect_line memory.swap.max=0
}

# ---- ci-job ------------------------------------------------------------------

@test "ci-job: its limits are in the leaf, the network is the host's, the pids are its own" {
	requires root cgroup2 memory pids cpu
	rf_run run --profile ci-job -- sh -c "$leaf_files"'
		stat -f -c "tmp=%T %b %S" /tmp
		echo "netns=$(readlink /proc/self/ns/net)"
		echo "pidns=$(readlink /proc/self/ns/pid)"'
	expect_status 0
	expect_line memory.max=4294967296
	expect_line memory.swap.max=0
	expect_line pids.max=4096
	expect_line "cpu.max=max 100000"
	expect_line memory.oom.group=1
	local l blocks bsize
	for l in "${lines[@]}"; do
		[[ $l == tmp=* ]] && read -r _ blocks bsize <<<"$l"
	done
	((blocks * bsize == 1024 * 1024 * 1024)) || _rf_fail "/tmp has $((blocks * bsize)) bytes, want 1G"
	expect_line "netns=$(ns_id net)"
	expect_output_not_contains "pidns=$(ns_id pid)"
}

@test "ci-job: filling /tmp stops at its 1G size, not at the memory limit" {
	requires root cgroup2 memory
	rf_run run --profile ci-job --report "$report" -- \
		dd if=/dev/zero of=/tmp/fill bs=1M count=1100
	expect_status 1
	expect_stderr_contains "No space left on device"
	expect_json "$report" verdict exited
	expect_json "$report" oom.kills 0
}

# ---- shell -------------------------------------------------------------------

@test "shell: its limits are in the leaf" {
	requires root cgroup2 memory pids cpu
	rf_run run --profile shell -- sh -c "$leaf_files"'
		echo "utsns=$(readlink /proc/self/ns/uts)"
		echo "netns=$(readlink /proc/self/ns/net)"'
	expect_status 0
	expect_line memory.max=1073741824
	expect_line memory.swap.max=0
	expect_line pids.max=256
	expect_line "cpu.max=100000 100000"
	expect_line memory.oom.group=1
	expect_output_not_contains "utsns=$(ns_id uts)"
	expect_line "netns=$(ns_id net)"
}

@test "shell: a fork bomb stops at 256 pids, is reported, and leaves nothing behind" {
	requires root cgroup2 pids
	# The main process waits, with builtins only (no fork is left to it),
	# until its leaf's pids.events counts a refused fork, then exits;
	# ringfence kills what is left of the leaf. `read -t` on a pipe of its
	# own is a pause without a fork. It forks the bomb once, in a subshell:
	# an asynchronous `bomb | bomb` of its own forks twice, and the second
	# fork can already be refused (bash then gives up: tests/stress).
	# shellcheck disable=SC2016
	rf_run run --profile shell --report "$report" -- bash -c '
		exec 9<> <(:); bomb() { bomb | bomb & }; (bomb) &
		until read -r _ n </sys/fs/cgroup/pids.events && ((n > 0)); do read -t 0.1 -u 9; done
		echo survived'
	expect_status 0
	expect_output_contains survived
	expect_stderr_contains "hit the pids limit"
	expect_json "$report" pids.max 256
	local hits peak
	hits=$(json_get "$report" pids.limit_hits)
	peak=$(json_get "$report" pids.peak)
	((hits > 0)) || _rf_fail "pids.limit_hits is $hits"
	((peak <= 256)) || _rf_fail "pids.peak is $peak, above the limit"
}

@test "shell: an interactive shell keeps the terminal and survives a fork bomb typed into it" {
	requires root cgroup2 pids pty bash ptyrun
	local script=$BATS_TEST_TMPDIR/script
	cat >"$script" <<-'EOF'
		[ -t 0 ] && echo "tty-$((6 * 7))"
		@expect tty-42
		:(){ :|:& };:
		until read -r _ n </sys/fs/cgroup/pids.events && ((n > 0)); do :; done
		echo "alive-$((6 * 7))"
		@expect alive-42
		exit 3
	EOF
	run_cmd ptyrun -t 120 -s "$script" -- "$RINGFENCE" run --profile shell \
		--report "$report" -- bash --norc --noprofile -i
	expect_status 3
	expect_output_contains tty-42
	expect_output_contains alive-42
	local hits
	hits=$(json_get "$report" pids.limit_hits)
	((hits > 0)) || _rf_fail "pids.limit_hits is $hits"
}
