#!/usr/bin/env bats
# Resource limits and the OOM score of the payload (issue 4): --memlock (and
# CAP_IPC_LOCK dropped with it), --rlimit, --oom-score-adj.

load ../lib/common

CAP_IPC_LOCK=14

# Is capability bit $2 in the hex mask $1?
has_cap() {
	(((16#$1 >> $2) & 1))
}

@test "--memlock 64K as root: a 1 MiB mlock fails inside, and CapEff lacks CAP_IPC_LOCK" {
	requires root cgroup2 mlockhelper
	# --cap-add keeps CAP_IPC_LOCK, which the default set drops anyway: the
	# memlock limit must take it away again, or root would ignore the limit.
	rf_run run --memory 64M --cap-add CAP_IPC_LOCK --memlock 64K -- mlockhelper 1M
	expect_status 1
	[[ $output == ENOMEM || $output == EPERM ]] || _rf_fail "expected ENOMEM or EPERM"
	rf_run run --memory 64M --memlock 64K -- mlockhelper 32K
	expect_status 0
	expect_output_contains ok
	rf_run run --memory 64M --cap-add CAP_IPC_LOCK --memlock 64K -- \
		bash -c 'grep ^CapEff: /proc/self/status; ulimit -l; ulimit -Hl'
	expect_status 0
	[[ ${lines[0]} =~ ^CapEff:[[:space:]]+([0-9a-f]+)$ ]] || _rf_fail "no CapEff line"
	! has_cap "${BASH_REMATCH[1]}" $CAP_IPC_LOCK || _rf_fail "CAP_IPC_LOCK still effective"
	[[ ${lines[1]} == 64 && ${lines[2]} == 64 ]] || _rf_fail "ulimit -l is not 64 KiB"
}

@test "without --memlock, the 1 MiB mlock succeeds; with CAP_IPC_LOCK root locks past the limit" {
	requires root cgroup2 mlockhelper
	rf_run run --memory 64M -- mlockhelper 1M
	expect_status 0
	expect_output_contains ok
	# --rlimit memlock drops the capability just like --memlock.
	rf_run run --memory 64M --cap-add CAP_IPC_LOCK --rlimit memlock=64K -- mlockhelper 1M
	expect_status 1
	# Kept with --cap-add and no memlock limit, the capability lifts RLIMIT_MEMLOCK.
	rf_run run --memory 64M --cap-add CAP_IPC_LOCK -- \
		bash -c 'grep ^CapEff: /proc/self/status; ulimit -l 64 && exec mlockhelper 1M'
	expect_status 0
	[[ ${lines[0]} =~ ^CapEff:[[:space:]]+([0-9a-f]+)$ ]] || _rf_fail "no CapEff line"
	has_cap "${BASH_REMATCH[1]}" $CAP_IPC_LOCK || _rf_fail "CAP_IPC_LOCK missing after --cap-add"
	[[ ${lines[1]} == ok ]] || _rf_fail "root with CAP_IPC_LOCK could not lock past 64K"
}

@test "--rlimit nofile=64 is visible inside" {
	requires root cgroup2
	rf_run run --memory 64M --rlimit nofile=64 -- bash -c 'ulimit -n; ulimit -Hn'
	expect_status 0
	[[ $output == $'64\n64' ]] || _rf_fail "nofile not 64:64"
	rf_run run --memory 64M --rlimit nofile=32:128 --rlimit RLIMIT_CORE=0 \
		--rlimit stack=4M:8M -- bash -c 'ulimit -n; ulimit -Hn; ulimit -c; ulimit -s; ulimit -Hs'
	expect_status 0
	[[ $output == $'32\n128\n0\n4096\n8192' ]] || _rf_fail "limits not applied"
}

@test "--rlimit nproc and cpu take plain integers" {
	requires root cgroup2
	rf_run run --memory 64M --rlimit nproc=50 --rlimit cpu=7:9 -- bash -c 'ulimit -u; ulimit -t; ulimit -Ht'
	expect_status 0
	[[ $output == $'50\n7\n9' ]] || _rf_fail "limits not applied"
}

# Each row: ARGUMENT FRAGMENT — `run --rlimit ARGUMENT -- true` exits 125.
bad_rlimits() {
	cat <<'EOF'
nofile	expected NAME=SOFT[:HARD]
=64	expected NAME=SOFT[:HARD]
bogus=1	unknown limit `bogus` (known: as, core, cpu,
NOFILE=1	unknown limit `NOFILE`
nofile=	soft limit: `` is not a limit
nofile=abc	soft limit: `abc` is not a limit
nofile=-1	`-1` is not a limit
nofile=64:	hard limit: `` is not a limit
nofile=1K	`1K` is not a limit
nofile=100:50	soft limit 100 is above hard limit 50
memlock=64X	`64X` is not a size
stack=2M:1M	soft limit 2M is above hard limit 1M
EOF
}

@test "bad --rlimit names and values exit 125 with a message" {
	requires root cgroup2
	local arg frag n=0
	while IFS=$'\t' read -r arg frag; do
		rf_run run --rlimit "$arg" -- true
		expect_status 125
		expect_stderr_contains "--rlimit"
		expect_stderr_contains "$frag"
		n=$((n + 1))
	done < <(bad_rlimits)
	((n == 12))
	rf_run run --memlock 64Q -- true
	expect_status 125
	expect_stderr_contains "--memlock"
	expect_stderr_contains "is not a size"
}

@test "--oom-score-adj 1000 is visible in /proc/self/oom_score_adj" {
	requires root cgroup2
	rf_run run --memory 64M --oom-score-adj 1000 -- cat /proc/self/oom_score_adj
	expect_status 0
	[[ $output == 1000 ]] || _rf_fail "oom_score_adj not 1000"
	rf_run run --memory 64M --oom-score-adj -500 -- cat /proc/self/oom_score_adj
	expect_status 0
	[[ $output == -500 ]] || _rf_fail "root could not lower oom_score_adj"
}

# The payload starts sharing its parent's memory until its exec (a vfork):
# the kernel gives an oom_score_adj to every process sharing an mm, but not
# from a vfork child. The supervisor, or a pid namespace's init, keeps its own.
@test "--oom-score-adj is the payload's alone, not its supervisor's or its init's" {
	requires root cgroup2
	local own
	own=$(cat /proc/self/oom_score_adj)
	rf_run run --memory 64M --oom-score-adj 700 -- \
		sh -c 'cat /proc/self/oom_score_adj /proc/$PPID/oom_score_adj'
	expect_status 0
	[[ $output == "700"$'\n'"$own" ]] ||
		_rf_fail "want the payload's 700 and the supervisor's $own (the caller's)"
	rf_run run --memory 64M --unshare pid,mount --oom-score-adj 700 -- \
		cat /proc/self/oom_score_adj /proc/1/oom_score_adj
	expect_status 0
	[[ $output == "700"$'\n'"$own" ]] ||
		_rf_fail "want the payload's 700 and the init's $own (the caller's)"
}

@test "--oom-score-adj below the current value without CAP_SYS_RESOURCE: 125, says why" {
	requires root cgroup2 capsh
	run_cmd capsh --drop=cap_sys_resource -- -c \
		"echo 300 >/proc/self/oom_score_adj && exec '$RINGFENCE' run --memory 64M --oom-score-adj 100 -- true"
	expect_status 125
	expect_stderr_contains "--oom-score-adj 100 is below the current value 300: lowering it needs CAP_SYS_RESOURCE"
	rf_run run --oom-score-adj 1001 -- true
	expect_status 125
	expect_stderr_contains "--oom-score-adj"
}

@test "an rlimit above the caller's hard limit without CAP_SYS_RESOURCE is clamped with a warning" {
	requires root cgroup2 capsh
	run_cmd capsh --drop=cap_sys_resource -- -c \
		"ulimit -n 256 && exec '$RINGFENCE' run --memory 64M --rlimit nofile=1024:4096 -- bash -c 'ulimit -n; ulimit -Hn'"
	expect_status 0
	expect_stderr_contains "warning: rlimit nofile: hard limit 4096 is above your own hard limit 256"
	[[ $output == $'256\n256' ]] || _rf_fail "not clamped to 256"
}
