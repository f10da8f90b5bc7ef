#!/usr/bin/env bats
# Where the runtime puts a container's leaf (src/README.md, Placement): an
# absolute linux.cgroupsPath below the cgroup2 root, a relative one below the
# parent ringfence would choose without it, so a container never leaves a
# limit its caller is under. The peers differ here on purpose: runc puts a
# relative path beside its own cgroup, crun below the root (either can leave
# the caller's limit), so no peer runs these scenarios.

load ../lib/common
load ../lib/oci

JOB=rf-oci-job

setup() {
	echo "+memory +pids" >"$RF_CGROUP_ROOT/cgroup.subtree_control"
}

rf_teardown() {
	local d
	for d in "$JOB" ringfence/rf-rel; do
		[[ -d $RF_CGROUP_ROOT/$d ]] || continue
		rf_cleanup_cgroups "$RF_CGROUP_ROOT/$d"
		rmdir "$RF_CGROUP_ROOT/$d" 2>/dev/null
	done
	oci_cleanup_check
}

# in_cgroup DIR RUNTIME-ARGS...: `ringfence --root ... ARGS` as the only
# process in DIR, its stdio files the container inherits (as oci_detached).
in_cgroup() {
	local dir=$RF_CGROUP_ROOT/$1
	shift
	status=0
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$dir" \
		"$RINGFENCE" --root "$OCI_ROOT/ringfence" "$@" \
		</dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	stderr=$(<"$BATS_TEST_TMPDIR/err")
}

@test "a relative cgroupsPath goes under the default parent: /ringfence as root, with its limits" {
	requires root cgroup2 memory jq
	local b=$BATS_TEST_TMPDIR/rel leaf=$RF_CGROUP_ROOT/ringfence/rf-rel/c1
	oci_bundle "$b"
	oci_edit "$b" '.linux.cgroupsPath = "rf-rel/c1" | .linux.resources.memory.limit = 67108864'
	oci_detached ringfence create --bundle "$b" rel
	expect_status 0
	[[ $(oci_cgroup ringfence rel) == "$leaf" ]] || _rf_fail "leaf $(oci_cgroup ringfence rel)"
	[[ $(cat "$leaf/memory.max") == 67108864 ]] || _rf_fail "memory.max $(cat "$leaf/memory.max")"
	oci ringfence delete --force rel
	expect_status 0
	[[ ! -d $leaf ]] || _rf_fail "$leaf is still there"
}

@test "a relative cgroupsPath under an engine's limit: the leaf stays inside the limited cgroup" {
	requires root cgroup2 memory jq
	local b=$BATS_TEST_TMPDIR/rel job=$RF_CGROUP_ROOT/$JOB
	# The engine's layout: the limit on the job, its shim in job/shim.
	mkdir -p "$job/shim"
	echo 256M >"$job/memory.max"
	oci_bundle "$b"
	oci_edit "$b" '.linux.cgroupsPath = "rf-rel/c1"'
	in_cgroup "$JOB/shim" create --bundle "$b" inlimit
	expect_status 0
	[[ $(oci_cgroup ringfence inlimit) == "$job/rf-rel/c1" ]] ||
		_rf_fail "leaf $(oci_cgroup ringfence inlimit), not inside $job"
	oci ringfence delete --force inlimit
	expect_status 0
	[[ ! -d $job/rf-rel/c1 ]] || _rf_fail "the leaf is still there"
	[[ $(cd "$job" && echo */) == "rf-rel/ shim/" ]] || _rf_fail "left in $job: $(cd "$job" && echo */)"
}

@test "create in a limited cgroup of its own: the leaf goes inside it, and delete puts the cgroup back" {
	requires root cgroup2 memory jq
	local b=$BATS_TEST_TMPDIR/box box=$RF_CGROUP_ROOT/$JOB before
	mkdir "$box"
	echo 256M >"$box/memory.max"
	before=$(cat "$box/cgroup.subtree_control")
	oci_bundle "$b"
	oci_edit "$b" '.linux.cgroupsPath = "c1"'
	in_cgroup "$JOB" create --bundle "$b" nested
	expect_status 0
	[[ $(oci_cgroup ringfence nested) == "$box/c1" ]] ||
		_rf_fail "leaf $(oci_cgroup ringfence nested), not inside $box"
	oci ringfence delete --force nested
	expect_status 0
	# create moved itself aside to make the leaf and exited there: nothing
	# of it is left, and the controllers it enabled are off again.
	[[ -z $(find "$box" -mindepth 1 -type d) ]] || _rf_fail "left: $(find "$box" -mindepth 1 -type d)"
	[[ $(cat "$box/cgroup.subtree_control") == "$before" ]] ||
		_rf_fail "subtree_control: $(cat "$box/cgroup.subtree_control"), was $before"
}
