#!/usr/bin/env bats
# A setuid-root ringfence used by an ordinary user (uid 1000) under the
# admin's /etc/ringfence/policy (PRIVILEGE in ringfence(1)): every refusal,
# and what a user does get. The user runs from a cgroup of its own, as a
# scheduler's job would (rf-job/task, with a memory limit on rf-job).

load ../lib/common

SUID=/opt/rf-suid/ringfence
JOB=/sys/fs/cgroup/rf-job
POLICY=/etc/ringfence/policy

setup_file() {
	[[ -n ${RF_IN_VM:-} ]] || return 0
	mkdir -p /opt/rf-suid /etc/ringfence /tmp/rf-user
	cp "$RINGFENCE" "$SUID"
	chown 0:0 "$SUID"
	chmod 4755 "$SUID"
	chmod 0755 /opt/rf-suid
	chown 1000:1000 /tmp/rf-user
	echo "+memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p "$JOB/task"
	echo "+memory +pids" >"$JOB/cgroup.subtree_control"
}

teardown_file() {
	[[ -n ${RF_IN_VM:-} ]] || return 0
	rm -rf /opt/rf-suid /etc/ringfence /tmp/rf-user /root/rf-secret.json
	rf_cleanup_cgroups "$JOB"
	rmdir "$JOB" 2>/dev/null || true
}

setup() {
	requires root cgroup2 setpriv
	[[ -n ${RF_IN_VM:-} ]] || skip "installs a setuid binary and /etc/ringfence: test VM only"
	# The admin's policy; rf-job is where this "scheduler" lets sandboxes go.
	cat >"$POLICY" <<-EOT
	# test policy
	memory = 256M
	pids = 64
	unshare = pid,mount,ipc,uts,cgroup
	cgroup-parents = /rf-job
	EOT
	chmod 0644 "$POLICY"
	mkdir -p "$JOB/task"
	echo max >"$JOB/memory.max"
}

rf_teardown() {
	# The caller's task cgroup stays, empty; anything else under rf-job is a
	# leftover.
	local d left=
	[[ -z $(cat "$JOB/task/cgroup.procs") ]] || left+=" $JOB/task (processes)"
	for d in "$JOB"/*/; do
		d=${d%/}
		[[ $d == "$JOB/task" ]] && continue
		left+=" $d"
		rf_cleanup_cgroups "$d"
		rmdir "$d"
	done
	[[ -z $left ]] || _rf_fail "left behind:$left"
}

# as_user CMD...: CMD as uid 1000 from the job's task cgroup.
as_user() {
	run_cmd bash -c 'echo $$ >'"$JOB/task/cgroup.procs"' && exec setpriv --reuid=1000 --regid=1000 --clear-groups -- "$@"' \
		as_user "$@"
}

@test "without the admin's policy a setuid ringfence refuses to run" {
	rm -f "$POLICY"
	as_user "$SUID" run --cgroup-parent rf-job -- true
	expect_status 125
	expect_stderr_contains "a setuid-root ringfence runs only under an admin policy, and \`$POLICY\` is missing"
}

@test "a policy file others could write is refused" {
	chmod 0666 "$POLICY"
	as_user "$SUID" run --cgroup-parent rf-job -- true
	expect_status 125
	expect_stderr_contains "the policy \`$POLICY\` must be owned by root and writable by nobody else"
}

@test "a user the policy does not list is refused" {
	echo "users = root" >>"$POLICY"
	as_user "$SUID" run --cgroup-parent rf-job -- true
	expect_status 125
	expect_stderr_contains "uid 1000 is not among the users and groups allowed to run it"
}

@test "the command runs as the caller with no capability, no_new_privs and the admin's default limits" {
	as_user "$SUID" run -q --cgroup-parent rf-job --report /tmp/rf-user/r.json -- \
		sh -c 'id -u; id -g; grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):" /proc/self/status'
	expect_status 0
	expect_line 1000
	expect_line "CapPrm:	0000000000000000"
	expect_line "CapEff:	0000000000000000"
	expect_line "CapBnd:	0000000000000000"
	expect_line "CapAmb:	0000000000000000"
	expect_line "NoNewPrivs:	1"
	expect_json /tmp/rf-user/r.json memory.max $((256 << 20))
	expect_json /tmp/rf-user/r.json memory.swap_max 0
	expect_json /tmp/rf-user/r.json pids.max 64
	# Written with the user's rights: the user's file.
	[[ $(stat -c %u /tmp/rf-user/r.json) == 1000 ]] || _rf_fail "report owned by $(stat -c %u /tmp/rf-user/r.json)"
}

@test "a user cannot lift the admin's limits" {
	local ask
	for ask in "--memory 1G" "--memory max" "--pids 1000" "--allow-panic-on-oom"; do
		# shellcheck disable=SC2086 # one flag and its value
		as_user "$SUID" run --cgroup-parent rf-job $ask -- true
		expect_status 125
		expect_stderr_contains "(setuid-root ringfence; admin policy \`$POLICY\`)"
	done
	as_user "$SUID" run --cgroup-parent rf-job --memory 1G -- true
	expect_stderr_contains "--memory 1.0G: the admin allows at most 256.0M"
}

@test "a user cannot keep or gain privileges" {
	local ask hard
	hard=$(ulimit -Hn)
	for ask in "--user 0" "--cap-add CAP_SYS_ADMIN" "--unshare user" "--unshare net" \
		"--bind /root:/mnt" "--tmpfs /etc" "--oom-score-adj -1" "--rlimit nofile=$((hard + 1))"; do
		# shellcheck disable=SC2086
		as_user "$SUID" run --cgroup-parent rf-job $ask -- true
		[[ $status == 125 && $stderr == *"admin policy"* ]] || _rf_fail "$ask was not refused"
	done
}

@test "a user gets no systemd scope, which root's systemd would place outside their limits" {
	local ask
	for ask in "--scope" "--slice rf-any" "--cgroup-manager systemd"; do
		# shellcheck disable=SC2086
		as_user "$SUID" run $ask -- true
		[[ $status == 125 && $stderr == *"admin policy"* && $stderr == *"systemd scope"* ]] ||
			_rf_fail "$ask was not refused"
	done
}

@test "a user cannot name a --cgroup-parent outside their own cgroup" {
	as_user "$SUID" run --cgroup-parent rf-elsewhere/x -- true
	expect_status 125
	expect_stderr_contains "--cgroup-parent \`rf-elsewhere/x\` is outside your own cgroup \`/rf-job/task\`"
	[[ ! -e /sys/fs/cgroup/rf-elsewhere ]] || _rf_fail "rf-elsewhere was created"
}

@test "the default placement keeps the leaf under the caller's limits, or the run is refused" {
	# Under a limit (rf-job's memory.max), the placement rule puts the leaf
	# beside the caller's task cgroup, inside rf-job: allowed.
	echo 256M >"$JOB/memory.max"
	as_user "$SUID" run --report /tmp/rf-user/place.json -- true
	expect_status 0
	[[ $(json_get /tmp/rf-user/place.json cgroup) == /rf-job/run-* ]] ||
		_rf_fail "the leaf was made at $(json_get /tmp/rf-user/place.json cgroup)"
	# Under no limit at all, root's default parent is /ringfence, outside the
	# caller's cgroup: refused once chosen, before it is made or prepared.
	echo max >"$JOB/memory.max"
	rmdir "$RF_PARENT" 2>/dev/null || true
	local made control
	made=$(rf_made_cgroups)
	control=$(cat "$RF_CGROUP_ROOT/cgroup.subtree_control")
	as_user "$SUID" run -- true
	expect_status 125
	expect_stderr_contains "outside your cgroup \`/rf-job/task\`"
	[[ $(rf_made_cgroups) == "$made" ]] || _rf_fail "cgroups were made: $(rf_made_cgroups)"
	[[ $(cat "$RF_CGROUP_ROOT/cgroup.subtree_control") == "$control" ]] ||
		_rf_fail "the root's controllers changed: $(cat "$RF_CGROUP_ROOT/cgroup.subtree_control")"
}

@test "the job's own limit binds the sandbox: killed at rf-job's memory.max, verdict oom-external" {
	requires memhog
	echo 48M >"$JOB/memory.max"
	as_user "$SUID" run --cgroup-parent rf-job --memory 200M --report /tmp/rf-user/oom.json -- memhog 150M
	expect_status 122
	expect_json /tmp/rf-user/oom.json verdict oom-external
}

@test "files the user names are opened with the user's rights" {
	echo '{"ociVersion": "1.0.2"}' >/root/rf-secret.json
	chmod 0600 /root/rf-secret.json
	as_user "$SUID" run --cgroup-parent rf-job --profile /root/rf-secret.json -- true
	expect_status 125
	expect_stderr_contains "Permission denied"
	as_user "$SUID" run --cgroup-parent rf-job --seccomp /root/rf-secret.json -- true
	expect_status 125
	expect_stderr_contains "Permission denied"
	as_user "$SUID" run --cgroup-parent rf-job --report /etc/rf-report.json -- true
	expect_status 125
	expect_stderr_contains "Permission denied"
	[[ ! -e /etc/rf-report.json ]] || _rf_fail "the report was created in /etc"
}

@test "ringfence's own switches are ignored when setuid" {
	# The same switch works for root's own run: the check below can fail.
	RINGFENCE_DEBUG=1 rf_run run -q --cgroup-parent rf-job -- true
	expect_status 0
	expect_stderr_contains "debug:"
	as_user env RINGFENCE_DEBUG=1 "$SUID" run -q --cgroup-parent rf-job -- true
	expect_status 0
	expect_stderr_not_contains "debug:"
}

@test "the user's SIGTERM ends the sandbox and ringfence still cleans up as root" {
	local pid
	bash -c 'echo $$ >'"$JOB/task/cgroup.procs"' && exec setpriv --reuid=1000 --regid=1000 --clear-groups -- "$@"' \
		as_user "$SUID" run -q --cgroup-parent rf-job --kill-after 1s --report /tmp/rf-user/term.json -- \
		sh -c "trap '' TERM; touch /tmp/rf-user/ready; sleep 1020" 3>&- &
	pid=$!
	rf_wait_for 60 test -e /tmp/rf-user/ready
	rm -f /tmp/rf-user/ready
	setpriv --reuid=1000 --regid=1000 --clear-groups -- kill -TERM "$pid"
	local st=0
	wait "$pid" || st=$?
	[ "$st" -eq 137 ] || _rf_fail "status $st"
	expect_json /tmp/rf-user/term.json forwarded_signal 15
}
