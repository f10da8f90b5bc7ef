#!/usr/bin/env bats
# Runtime behaviour against runc (Debian 12's, from the engines package
# set), the peer proving each test right, with ringfence beside it in the
# same boot; the main layer's tests/vm/oci-*.bats run ringfence and crun.

load ../../lib/common
load ../../lib/oci
load ../../lib/hooks

setup_file() {
	rf_packages engines
}

rf_teardown() {
	oci_cleanup_check
}

@test "a foreground run's pty follows the user's terminal when it is resized (runc)" {
	requires root cgroup2 jq pty ptyrun runc
	resized_terminal runc
}

@test "a foreground run's pty follows the user's terminal when it is resized (ringfence, beside runc)" {
	requires root cgroup2 jq pty ptyrun
	resized_terminal ringfence
}

@test "process.consoleSize is the pty's size before anyone resizes it (runc)" {
	requires root cgroup2 jq recvtty runc
	console_size runc
}

@test "process.consoleSize is the pty's size before anyone resizes it (ringfence, beside runc)" {
	requires root cgroup2 jq recvtty
	console_size ringfence
}

@test "a created container's process runs the runtime from a view no one can write, closed to the container (runc)" {
	requires root cgroup2 jq runc
	sealed_runtime runc
}

@test "a created container's process runs the runtime from a view no one can write, closed to the container (ringfence, beside runc)" {
	requires root cgroup2 jq
	sealed_runtime ringfence
}

@test "update changes cpu.max's quota or period alone, keeping the other (runc)" {
	requires root cgroup2 cpu jq runc
	update_cpu_scenario runc period
}

@test "update changes cpu.max's quota or period alone, keeping the other (ringfence, beside runc)" {
	requires root cgroup2 cpu jq
	update_cpu_scenario ringfence period
}

@test "update --resources in runc's documented form: the limit written, zeros and what v2 lacks left alone (runc)" {
	requires root cgroup2 cpu jq runc
	update_runc_form_scenario runc
}

@test "update --resources in runc's documented form: the limit written, zeros and what v2 lacks left alone (ringfence, beside runc)" {
	requires root cgroup2 cpu jq
	update_runc_form_scenario ringfence
}

@test "a stopped container's leftovers in its cgroup: ps lists them, kill --all ends them (runc)" {
	requires root cgroup2 jq runc
	kill_all_stopped_scenario runc
}

@test "a stopped container's leftovers in its cgroup: ps lists them, kill --all ends them (ringfence, beside runc)" {
	requires root cgroup2 jq
	kill_all_stopped_scenario ringfence
}

@test "exec -u UID keeps the container's gid (runc)" {
	requires root cgroup2 jq runc
	exec_user_gid_scenario runc
}

@test "exec -u UID keeps the container's gid (ringfence, beside runc)" {
	requires root cgroup2 jq
	exec_user_gid_scenario ringfence
}

@test "exec --pid-file in the foreground names the exec'd process (runc)" {
	requires root cgroup2 jq runc
	exec_fg_pid_file_scenario runc
}

@test "exec --pid-file in the foreground names the exec'd process (ringfence, beside runc)" {
	requires root cgroup2 jq
	exec_fg_pid_file_scenario ringfence
}

@test "kill TERM ends a created container before start (runc)" {
	requires root cgroup2 jq runc
	kill_created_scenario runc
}

@test "kill TERM ends a created container before start (ringfence, beside runc)" {
	requires root cgroup2 jq
	kill_created_scenario ringfence
}

@test "exec --no-new-privs, -g, --cap, --ignore-paused (runc)" {
	requires root cgroup2 jq runc
	exec_flags_scenario runc
}

@test "exec --no-new-privs, -g, --cap, --ignore-paused (ringfence, beside runc)" {
	requires root cgroup2 jq
	exec_flags_scenario ringfence
}

@test "every hook kind runs once, at its point, with the state, where the spec says (runc)" {
	requires root cgroup2 jq runc
	every_hook runc
}

@test "every hook kind runs once, at its point, with the state, where the spec says (ringfence, beside runc)" {
	requires root cgroup2 jq
	every_hook ringfence
}
