#!/usr/bin/env bats
# Containment (src/contain.c): no payload leaves its leaf or raises its
# limits, whatever its uid, by default. Each escape is tried, then the limit
# is shown to hold: the payload goes on to allocate past it and must end
# OOM-killed at the limit (exit 121).

load ../lib/common

# Tries, each printing a word when it works: move to the cgroup2 root, raise
# memory.max by the host path the issue used and in the view, make a
# sub-cgroup.
escapes='
	echo $$ >/sys/fs/cgroup/cgroup.procs && echo moved
	echo max >/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)/memory.max && echo raised
	echo max >/sys/fs/cgroup/memory.max && echo raised-in-view
	mkdir /sys/fs/cgroup/sub 2>/dev/null && echo made-sub'

# The payload's own user and cgroup namespaces, and a cgroup2 mounted there,
# writable: what nsdelegate (or the nested `payload` cgroup) must defeat.
# (util-linux's unshare: busybox's has no -C.)
own_mount='/usr/bin/unshare -U -r -C -m sh -c "mount -t cgroup2 none /tmp && echo own-mount && echo max >/tmp/memory.max && echo raised-own-mount"'

expect_contained() {
	expect_status 121
	expect_output_not_contains moved
	expect_output_not_contains raised
	expect_output_not_contains made-sub
	expect_stderr_contains "killed by OOM at memory limit 32.0M"
}

cgroup2_mounts() {
	grep -c ' - cgroup2 ' /proc/self/mountinfo
}

@test "a root command stays in its leaf and under its limit" {
	requires root cgroup2 memory
	local before
	before=$(cgroup2_mounts)
	rf_run run --memory 32M -- sh -c "$escapes; exec memhog 64M"
	expect_contained
	expect_stderr_contains "Read-only file system"
	# The view was the sandbox's only: the caller's mounts are as they were.
	[[ $(cgroup2_mounts) == "$before" ]] || _rf_fail "cgroup2 mounts went from $before to $(cgroup2_mounts)"
	mkdir "$RF_PARENT/writable" && rmdir "$RF_PARENT/writable"
}

@test "the view is the leaf: / in /proc/self/cgroup, its limits readable, no ancestor" {
	requires root cgroup2 memory pids
	rf_run run --memory 32M --pids 50 -- sh -c '
		cat /proc/self/cgroup /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max
		ls /sys/fs/cgroup | grep -c "^ringfence$"
		grep " /sys/fs/cgroup " /proc/self/mountinfo | tail -n 1 | cut -d" " -f6'
	expect_status 0
	[[ ${lines[0]} == 0::/ ]] || _rf_fail "/proc/self/cgroup inside: ${lines[0]}"
	[[ ${lines[1]} == 33554432 && ${lines[2]} == 50 ]] || _rf_fail "the view is not the leaf"
	[[ ${lines[3]} == 0 ]] || _rf_fail "the leaf's ancestors are in view"
	[[ ${lines[4]} == ro,nosuid,nodev,noexec* ]] || _rf_fail "cgroupfs mount options: ${lines[4]}"
}

# The view is a clone of the leaf's directory where its path is in reach,
# else a fresh cgroup2 made in the cgroup namespace (contain.c): the same
# mount either way. A fresh one has no source name; a clone keeps the host's.
@test "the view is the leaf's whether cloned or made fresh (the leaf's path covered)" {
	requires root cgroup2 memory pids
	local view='cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max
		ls /sys/fs/cgroup | grep -c "^ringfence$"
		grep " /sys/fs/cgroup " /proc/self/mountinfo | tail -n 1 | sed "s/.* - //"'
	local host
	host=$(grep ' /sys/fs/cgroup ' /proc/self/mountinfo | tail -n 1 | sed 's/.* - //')
	rf_run run --memory 32M --pids 50 -- sh -c "$view"
	expect_status 0
	[[ ${lines[0]} == 33554432 && ${lines[1]} == 50 && ${lines[2]} == 0 ]] ||
		_rf_fail "cloned: the view is not the leaf"
	[[ ${lines[3]} == "$host" ]] || _rf_fail "cloned: view ${lines[3]}, host $host"
	rf_run run --memory 32M --pids 50 --unshare mount --tmpfs /sys/fs/cgroup -- sh -c "$view"
	expect_status 0
	[[ ${lines[0]} == 33554432 && ${lines[1]} == 50 && ${lines[2]} == 0 ]] ||
		_rf_fail "fresh: the view is not the leaf"
	[[ ${lines[3]} == "cgroup2 none "* ]] || _rf_fail "fresh: view ${lines[3]}"
}

@test "a second mount point of the host's cgroup2 is covered by the view too" {
	requires root cgroup2 memory
	local second=$BATS_TEST_TMPDIR/cg2
	mkdir "$second"
	mount --bind /sys/fs/cgroup "$second"
	rf_run run --memory 32M -- sh -c "cat $second/memory.max; $escapes
		echo max >$second/memory.max && echo raised-second
		echo \$\$ >$second/cgroup.procs && echo moved-second
		exit 0"
	umount "$second"
	expect_status 0
	[[ ${lines[0]} == 33554432 ]] || _rf_fail "the second mount point shows ${lines[0]}, not the leaf"
	expect_output_not_contains raised
	expect_output_not_contains moved
	expect_output_not_contains made-sub
}

@test "a root command with a user namespace and cgroup2 mount of its own cannot raise its limit" {
	requires root cgroup2 memory user_ns unshare
	rf_run run --memory 32M -- sh -c "$own_mount; exec memhog 64M"
	expect_contained
	expect_line own-mount
	# nsdelegate: the namespace root's own files are not the namespace's to write.
	expect_stderr_contains "Operation not permitted"
}

# A process outside the sandbox that a test started.
RF_BG_PID=

rf_teardown() {
	[[ -z $RF_BG_PID ]] || kill "$RF_BG_PID"
}

@test "through another process's view of the host's cgroupfs, nsdelegate still holds the leaf" {
	requires root cgroup2 memory setpriv
	# A root process without capabilities: a root payload may read its
	# /proc/PID/root, where the caller's cgroupfs is, writable.
	setpriv --bounding-set -all sleep 600 3>&- &
	local pid=$!
	RF_BG_PID=$pid
	rf_wait_for 10 grep -q '^CapPrm:[[:space:]]*0*$' "/proc/$pid/status"
	rf_run run --name contain-route --memory 32M -- sh -c '
		cg=/proc/$1/root/sys/fs/cgroup
		cat $cg/ringfence/contain-route/memory.max
		echo max >$cg/ringfence/contain-route/memory.max && echo raised
		echo $$ >$cg/cgroup.procs && echo moved
		exec memhog 64M' sh "$pid"
	# The route is real (the host's files are readable), and leads nowhere.
	expect_line 33554432
	expect_contained
}

@test "a command of another user (--user) stays in its leaf and under its limit" {
	requires root cgroup2 memory
	rf_run run --memory 32M --user 65534 -- sh -c "$escapes; exec memhog 64M"
	expect_contained
}

@test "without root, a delegated leaf's owner cannot leave it or raise its limit" {
	requires root cgroup2 memory user_ns setpriv unshare
	# The payload is uid 1000, which owns its leaf's files and its parent's.
	rf_run_as_user run --memory 32M -- sh -c "
		$escapes
		echo \$\$ >$RF_CGROUP_ROOT/rf-user-1000/cgroup.procs && echo moved-to-parent
		$own_mount
		id -u
		exec memhog 64M"
	expect_contained
	expect_line own-mount
	expect_line 1000
	assert_no_user_leaves
}

@test "an inherited working directory in the caller's cgroupfs is left" {
	requires root cgroup2 memory
	cd "$RF_PARENT"
	rf_run run --memory 32M -- sh -c 'pwd -P; test -e cgroup.procs && echo in-cgroupfs; exec memhog 64M'
	cd - >/dev/null
	expect_contained
	expect_line /
	expect_output_not_contains in-cgroupfs
}

@test "--unshare cgroup,mount and a profile with a cgroup namespace are contained the same" {
	requires root cgroup2 memory user_ns
	rf_run run --memory 32M --unshare cgroup,mount -- sh -c "$escapes; exec memhog 64M"
	expect_contained
	rf_run run --profile untrusted --memory 32M -- sh -c "$escapes; cat /sys/fs/cgroup/memory.max; exec memhog 64M"
	expect_contained
	expect_line 33554432
}

@test "--host-cgroupfs gives the command the caller's cgroupfs, writable" {
	requires root cgroup2 memory
	rf_run run --memory 32M --host-cgroupfs -- sh -c '
		cat /proc/self/cgroup
		echo max >/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)/memory.max && echo raised
		exec memhog 64M'
	expect_status 0
	[[ ${lines[0]} == 0::/ringfence/* ]] || _rf_fail "/proc/self/cgroup: ${lines[0]}"
	expect_line raised
}

# ---- a cgroup2 mounted without nsdelegate ----------------------------------

@test "without nsdelegate, the command runs below its leaf, where no limit is in view" {
	requires root cgroup2 memory pids user_ns unshare vm
	rf_without_nsdelegate
	rf_run run --name contain-nested --memory 32M --pids 50 -- sh -c "
		cat /proc/self/cgroup
		test -e /sys/fs/cgroup/memory.max || echo no-memory.max
		cat $RF_PARENT/contain-nested/payload/cgroup.procs 2>/dev/null || echo no-host-view
		$escapes
		$own_mount
		exec memhog 64M"
	expect_contained
	[[ ${lines[0]} == 0::/ ]] || _rf_fail "/proc/self/cgroup inside: ${lines[0]}"
	expect_line no-memory.max
	expect_line no-host-view
	expect_line own-mount
}

@test "without nsdelegate and without root, the leaf's limit holds too" {
	requires root cgroup2 memory user_ns setpriv unshare vm
	rf_without_nsdelegate
	rf_run_as_user run --memory 32M -- sh -c "$escapes; $own_mount; exec memhog 64M"
	expect_contained
	expect_line own-mount
	assert_no_user_leaves
}
