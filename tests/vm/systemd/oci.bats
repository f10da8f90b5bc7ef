#!/usr/bin/env bats
# The OCI runtime's --systemd-cgroup under systemd as PID 1: cgroupsPath
# `slice:prefix:name` names a transient scope, delegated, in that slice,
# with the container's limits in the files of its cgroup; it outlives
# create; delete removes it and leaves nothing. Each scenario runs against
# crun and runc (the engines packages) on the same bundle. ringfence keeps
# the scope (and the counters) until delete, where runc's and crun's end
# with the container: a stopped container still has its verdict.

load ../../lib/common
load ../../lib/oci

setup_file() {
	rf_packages engines
}

oci_sd() {
	local rt=$1
	shift
	oci "$rt" --systemd-cgroup "$@"
}

units() {
	systemctl list-units --all --plain --no-legend 'rfoci-*' "$@"
}

no_units() {
	[[ -z $(units) ]]
}

rf_teardown() {
	local rt id
	for rt in ringfence crun runc; do
		[[ -d $OCI_ROOT/$rt ]] || continue
		for id in $("$(oci_runtime "$rt")" --root "$OCI_ROOT/$rt" list -q 2>/dev/null); do
			"$(oci_runtime "$rt")" --root "$OCI_ROOT/$rt" --systemd-cgroup delete -f "$id" \
				>/dev/null 2>&1
		done
	done
	rf_wait_for 30 no_units || { echo "units left: $(units)" >&2; return 1; }
}

# A bundle whose cgroupsPath is `rf-oci.slice:rfoci:ID`, with limits.
sd_bundle() {
	local b=$1 id=$2
	shift 2
	oci_bundle "$b" "$@"
	oci_edit "$b" ".linux.cgroupsPath = \"rf-oci.slice:rfoci:$id\"
		| .linux.resources.memory = {limit: 33554432, swap: 33554432}
		| .linux.resources.pids = {limit: 64}"
}

# The scope as systemd shows it: expect KEY=VALUE lines with expect_line.
show() {
	run_cmd systemctl show -p ActiveState -p Delegate -p Slice -p ControlGroup "$1"
}

lifecycle() {
	local rt=$1 id=sd-$1 b=$BATS_TEST_TMPDIR/sd-$1 unit=rfoci-sd-$1.scope cg scope_cg
	sd_bundle "$b" "$id"
	oci_detached "$rt" --systemd-cgroup create --bundle "$b" "$id"
	expect_status 0
	# create has exited; its scope is there, delegated, in the slice (a dash
	# nests: rf-oci.slice is inside rf.slice)
	show "$unit"
	expect_line "ActiveState=active"
	expect_line "Delegate=yes"
	expect_line "Slice=rf-oci.slice"
	expect_line "ControlGroup=/rf.slice/rf-oci.slice/$unit"
	scope_cg=$RF_CGROUP_ROOT/rf.slice/rf-oci.slice/$unit
	# the container's process is inside the scope, with the limits in the
	# files of its own cgroup
	cg=$(oci_cgroup "$rt" "$id")
	[[ $cg == "$scope_cg" || $cg == "$scope_cg"/* ]] || _rf_fail "the container is in $cg"
	[[ $(cat "$cg/memory.max") == 33554432 ]] || _rf_fail "memory.max is $(cat "$cg/memory.max")"
	[[ $(cat "$cg/pids.max") == 64 ]] || _rf_fail "pids.max is $(cat "$cg/pids.max")"

	# Every command gets the global flag, as containerd and conmon pass it.
	oci_sd "$rt" start "$id"
	expect_status 0
	oci_wait_status "$rt" "$id" running
	oci_sd "$rt" pause "$id"
	expect_status 0
	oci_wait_status "$rt" "$id" paused
	grep -qx 'frozen 1' "$cg/cgroup.events" || _rf_fail "$cg is not frozen"
	oci_sd "$rt" resume "$id"
	expect_status 0
	oci_wait_status "$rt" "$id" running
	oci_sd "$rt" update --memory 67108864 --memory-swap 67108864 "$id"
	expect_status 0
	[[ $(cat "$cg/memory.max") == 67108864 ]] || _rf_fail "update: memory.max is $(cat "$cg/memory.max")"

	oci_sd "$rt" kill "$id" KILL
	expect_status 0
	oci_wait_status "$rt" "$id" stopped
	oci_sd "$rt" delete "$id"
	expect_status 0
	# ringfence's delete returns once systemd has stopped the scope; runc's
	# and crun's scopes end with the container, as systemd gets to it.
	if [[ $rt == ringfence ]]; then
		[[ ! -d $cg && ! -d $scope_cg ]] || _rf_fail "the cgroups of $unit are still there"
	fi
	rf_wait_for 30 test ! -d "$scope_cg" || _rf_fail "$scope_cg is still there"
	rf_wait_for 30 no_units || _rf_fail "units left: $(units)"
}

@test "--systemd-cgroup: the scope of slice:prefix:name, delegated, limits in its files, outlives create; delete leaves nothing (ringfence)" {
	requires root systemd jq
	lifecycle ringfence
}

@test "--systemd-cgroup: the same bundle under crun" {
	requires root systemd jq crun
	lifecycle crun
}

@test "--systemd-cgroup: the same bundle under runc" {
	requires root systemd jq runc
	lifecycle runc
}

@test "--systemd-cgroup: a stopped container's scope stays until delete, with its verdict: OOM at its limit" {
	requires root systemd jq
	local b=$BATS_TEST_TMPDIR/oom unit=rfoci-oom.scope
	# tail keeps what it reads of a file without newlines: /dev/zero grows it.
	sd_bundle "$b" oom tail /dev/zero
	oci_detached ringfence --systemd-cgroup create --bundle "$b" oom
	expect_status 0
	oci_sd ringfence start oom
	expect_status 0
	oci_wait_status ringfence oom stopped
	show "$unit"
	expect_line "ActiveState=active"
	oci ringfence state oom
	[[ $(jq -r .ringfence.verdict <<<"$output") == oom-limit ]] || _rf_fail "state's verdict: $output"
	oci_sd ringfence delete oom
	expect_status 0
	expect_json "$OCI_ROOT/ringfence/oom.verdict.json" verdict oom-limit
	rf_wait_for 30 no_units || _rf_fail "units left: $(units)"
}

@test "--systemd-cgroup: an empty cgroupsPath is :ringfence:ID in system.slice, as runc's :runc:ID" {
	requires root systemd jq
	local b=$BATS_TEST_TMPDIR/def
	oci_bundle "$b"
	oci_edit "$b" 'del(.linux.cgroupsPath)'
	oci_detached ringfence --systemd-cgroup create --bundle "$b" rfoci-def
	expect_status 0
	show ringfence-rfoci-def.scope
	expect_line "ActiveState=active"
	expect_line "Slice=system.slice"
	expect_line "ControlGroup=/system.slice/ringfence-rfoci-def.scope"
	oci_sd ringfence delete -f rfoci-def
	expect_status 0
	rf_wait_for 30 bash -c '[[ -z $(systemctl list-units --all --plain --no-legend ringfence-rfoci-def.scope) ]]' ||
		_rf_fail "ringfence-rfoci-def.scope is still loaded"
}

@test "--systemd-cgroup: a cgroupfs path is refused naming linux.cgroupsPath, nothing made" {
	requires root systemd jq
	local b=$BATS_TEST_TMPDIR/bad
	oci_bundle "$b"
	oci_detached ringfence --systemd-cgroup create --bundle "$b" rfoci-bad
	expect_status 125
	expect_stderr_contains "linux.cgroupsPath: \`$OCI_CGROUP_PARENT/bad\`: expected \`slice:prefix:name\`"
	oci ringfence state rfoci-bad
	((status != 0)) || _rf_fail "a container was made"
	no_units
}
