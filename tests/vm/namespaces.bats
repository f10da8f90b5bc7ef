#!/usr/bin/env bats
# --unshare: each namespace observed from inside the payload.

load ../lib/common

ns_id() {	# ns_id NAME: this process's namespace of that kind
	readlink "/proc/self/ns/$1"
}

@test "each --unshare namespace is new inside; the others stay the caller's" {
	requires root cgroup2
	local name kind
	# --host-cgroupfs: containment's cgroup and mount namespaces (contain.bats)
	# would be new whatever --unshare says.
	for name in pid mount ipc uts net cgroup user; do
		kind=$name
		[[ $name == mount ]] && kind=mnt
		rf_run run --host-cgroupfs --unshare "$name" -- \
			sh -c "readlink /proc/self/ns/$kind; readlink /proc/self/ns/ipc; readlink /proc/self/ns/cgroup"
		expect_status 0
		[[ ${lines[0]} != "$(ns_id "$kind")" ]] ||
			_rf_fail "--unshare $name: the $kind namespace is the caller's"
		[[ $name == ipc || ${lines[1]} == "$(ns_id ipc)" ]] ||
			_rf_fail "--unshare $name also made a new ipc namespace"
		[[ $name == cgroup || ${lines[2]} == "$(ns_id cgroup)" ]] ||
			_rf_fail "--unshare $name also made a new cgroup namespace"
	done
}

@test "--unshare pid: the payload sees a pid namespace of its own and a fresh /proc" {
	requires root cgroup2
	sleep 60 &
	local outside=$!
	rf_run run --unshare pid -- sh -c 'echo "self=$$"; ls -d /proc/[0-9]* | wc -l; test -e /proc/$1 && echo "sees $1"; true' sh "$outside"
	# The caller's /proc still shows the caller's processes.
	[[ -e /proc/$outside ]] || _rf_fail "the caller's /proc changed"
	kill "$outside"
	expect_status 0
	# Under the pid namespace's init (pid 1) the payload is pid 2, and the
	# caller's processes are not there.
	[[ ${lines[0]} == self=2 ]] || _rf_fail "payload pid: ${lines[0]}, expected 2"
	((${lines[1]} <= 4)) || _rf_fail "${lines[1]} processes visible inside, expected at most 4"
	expect_output_not_contains "sees $outside"
}

@test "--unshare uts: --hostname is seen inside only; without it the name is inherited" {
	requires root cgroup2
	local before
	before=$(hostname)
	rf_run run --unshare uts --hostname sandbox-1 -- hostname
	expect_status 0
	[[ $output == sandbox-1 ]] || _rf_fail "hostname inside: $output"
	[[ $(hostname) == "$before" ]] || _rf_fail "the caller's hostname changed to $(hostname)"
	rf_run run --unshare uts -- hostname
	expect_status 0
	[[ $output == "$before" ]] || _rf_fail "hostname inside: $output, expected the inherited $before"
}

@test "--hostname brings a uts namespace of its own" {
	requires root cgroup2
	local before
	before=$(hostname)
	rf_run run --hostname sandbox-2 -- sh -c 'hostname; readlink /proc/self/ns/uts'
	expect_status 0
	[[ ${lines[0]} == sandbox-2 && ${lines[1]} != "$(ns_id uts)" ]] || _rf_fail "not in a uts namespace of its own"
	[[ $(hostname) == "$before" ]]
}

@test "--unshare net: only lo exists, and it is up" {
	requires root cgroup2
	rf_run run --unshare net -- sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	expect_status 0
	[[ $output == lo ]] || _rf_fail "interfaces inside: $output, expected only lo"
	# Up: a connection to a closed port on 127.0.0.1 is refused, not unreachable.
	rf_run run --unshare net -- bash -c 'exec 3<>/dev/tcp/127.0.0.1/9'
	expect_status 1
	expect_stderr_contains "Connection refused"
}

@test "--unshare cgroup with --host-cgroupfs: nsdelegate keeps the payload in its leaf" {
	requires root cgroup2 pids
	# The caller's cgroupfs stays visible; the kernel's nsdelegate rules refuse
	# moving out of the namespace's root and writing the root's own limits.
	rf_run run --pids 50 --unshare cgroup --host-cgroupfs -- sh -c '
		cat /proc/self/cgroup
		for f in '"$RF_PARENT"'/*/cgroup.procs; do
			grep -qx $$ "$f" && leaf=${f%/cgroup.procs}
		done
		echo "leaf=$leaf"
		echo max >"$leaf/pids.max" && echo raised
		echo $$ >'"$RF_CGROUP_ROOT"'/cgroup.procs && echo moved
		echo $$ >'"$RF_PARENT"'/cgroup.procs && echo moved-to-parent
		cat "$leaf/pids.max"'
	expect_status 0
	[[ ${lines[0]} == 0::/ ]] || _rf_fail "/proc/self/cgroup inside: ${lines[0]}"
	[[ ${lines[1]} == leaf=$RF_PARENT/* ]] || _rf_fail "could not find the leaf: ${lines[1]}"
	expect_output_not_contains raised
	expect_output_not_contains moved
	[[ ${lines[-1]} == 50 ]] || _rf_fail "pids.max is ${lines[-1]}"
}

@test "--unshare user as root: uid 0 is mapped to itself; --map-root too" {
	requires root cgroup2 user_ns
	local inside outside count
	rf_run run --unshare user -- cat /proc/self/uid_map /proc/self/gid_map
	expect_status 0
	read -r inside outside count <<<"${lines[0]}"
	[[ "$inside $outside $count" == "0 0 1" ]] || _rf_fail "uid_map: ${lines[0]}"
	read -r inside outside count <<<"${lines[1]}"
	[[ "$inside $outside $count" == "0 0 1" ]] || _rf_fail "gid_map: ${lines[1]}"
	rf_run run --unshare user --map-root -- id -u
	expect_status 0
	[[ $output == 0 ]]
}

@test "--map-root without a user namespace is refused" {
	requires root cgroup2
	rf_run run --map-root -- true
	expect_status 125
	expect_stderr_contains "--map-root needs a user namespace (--unshare user)"
}

@test "an unknown namespace name is refused with the accepted list" {
	requires root cgroup2
	rf_run run --unshare pid,mnt -- true
	expect_status 125
	expect_stderr_contains "unknown namespace \`mnt\`"
	expect_stderr_contains "pid, mount, ipc, uts, net, cgroup, user, or all"
}

# ---- without root -----------------------------------------------------------

@test "without root, --unshare all adds a user namespace and maps the caller" {
	requires root cgroup2 user_ns setpriv
	local inside outside count
	rf_run_as_user run --unshare all -- sh -c 'id -u; cat /proc/self/uid_map; echo $$'
	expect_status 0
	[[ ${lines[0]} == 1000 ]] || _rf_fail "uid inside: ${lines[0]}"
	read -r inside outside count <<<"${lines[1]}"
	[[ "$inside $outside $count" == "1000 1000 1" ]] || _rf_fail "uid_map: ${lines[1]}"
	[[ ${lines[2]} == 2 ]] || _rf_fail "not in a new pid namespace (pid ${lines[2]})"
	assert_no_user_leaves
}

@test "without root, --map-root makes the caller uid 0 inside, and only inside" {
	requires root cgroup2 user_ns setpriv
	rf_run_as_user run --unshare user,mount,pid --map-root --tmpfs /tmp -- sh -c 'id -u; touch /tmp/x && stat -c %u /tmp/x; touch /etc/owned'
	expect_status 1
	[[ ${lines[0]} == 0 ]] || _rf_fail "uid inside: ${lines[0]}"
	[[ ${lines[1]} == 0 ]] || _rf_fail "owner of a new file: ${lines[1]}"
	# uid 0 inside is uid 1000 outside: root's files stay out of reach.
	expect_stderr_contains "Permission denied"
	[[ ! -e /etc/owned ]]
	assert_no_user_leaves
}

@test "without root, a mount namespace alone still guards the caller's /proc" {
	requires root cgroup2 user_ns setpriv
	rf_run_as_user run --unshare mount --map-root -- sh -c \
		'grep " /proc/sys " /proc/self/mountinfo | cut -d" " -f6; test -c /proc/kcore && echo "kcore is /dev/null"; readlink /proc/self/ns/pid'
	expect_status 0
	[[ ${lines[0]} == ro,* ]] || _rf_fail "/proc/sys mount options: ${lines[0]}"
	expect_line "kcore is /dev/null"
	[[ ${lines[2]} == "$(readlink /proc/self/ns/pid)" ]] || _rf_fail "a pid namespace was made too"
	assert_no_user_leaves
}
