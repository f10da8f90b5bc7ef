#!/usr/bin/env bats
# AppArmor: a bundle's process.apparmorProfile is the profile its process
# enters at the exec, under ringfence as under crun and runc (both of them
# the peers, on the same bundle in the same boot). The profile, rf-test,
# allows what busybox needs and denies reading /etc/rf-secret, so a process
# shows both its label (/proc/self/attr/current) and that the kernel
# enforces it. apparmor_parser comes with the engines package set; this
# file mounts securityfs itself when the boot has not.

load ../../lib/common
load ../../lib/oci

# rf-test: what the tests' processes run in. rf-outer: a profile for the
# runtime itself, allowing it everything, changes of profile included.
aa_profiles() {
	local allow='  file, capability, network, mount, umount, pivot_root, signal, ptrace, unix,'
	printf '%s\n' "profile rf-test flags=(attach_disconnected,mediate_deleted) {" "$allow" \
		'  deny /etc/rf-secret r,' '}' \
		"profile rf-outer flags=(attach_disconnected,mediate_deleted) {" "$allow" \
		'  change_profile,' '}'
}

setup_file() {
	local root
	rf_packages engines
	# The file's rootfs (lib/oci) with a file rf-test denies and one it allows.
	root=$(_oci_rootfs)
	echo rf-secret >"$root/etc/rf-secret"
	echo rf-public >"$root/etc/rf-public"
	((EUID == 0)) && [[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) == Y ]] ||
		return 0   # each test's `requires root apparmor` says why
	if [[ ! -d /sys/kernel/security/apparmor ]]; then
		mount -t securityfs -o nosuid,nodev,noexec securityfs /sys/kernel/security
		touch "$BATS_FILE_TMPDIR/securityfs-mounted"
	fi
	command -v apparmor_parser >/dev/null || return 0
	aa_profiles >"$BATS_FILE_TMPDIR/profiles"
	apparmor_parser -r "$BATS_FILE_TMPDIR/profiles"
}

# What the boot had before this file: no rf-test, and securityfs as it was.
teardown_file() {
	[[ -e $BATS_FILE_TMPDIR/profiles ]] && apparmor_parser -R "$BATS_FILE_TMPDIR/profiles"
	[[ -e $BATS_FILE_TMPDIR/securityfs-mounted ]] && umount /sys/kernel/security
	return 0
}

rf_teardown() {
	oci_cleanup_check
}

# What a process shows of its confinement: its profile, no_new_privs, the
# file rf-test denies and the one it allows. (One line: oci_bundle makes
# each line of its arguments an argument.)
AA_OBSERVE='echo "profile: $(cat /proc/self/attr/current)"; grep NoNewPrivs /proc/self/status; cat /etc/rf-secret 2>&1; cat /etc/rf-public'

# The lines AA_OBSERVE printed are a process's in rf-test: the kernel
# refuses it the denied file.
expect_confined() {
	expect_line "profile: ${1:-rf-test (enforce)}" &&
		expect_line "cat: can't open '/etc/rf-secret': Permission denied" &&
		expect_line rf-public
}

expect_unconfined() {
	expect_line "profile: unconfined" && expect_line rf-secret && expect_line rf-public
}

# aa_bundle DIR PROFILE [JQ]: a bundle whose process runs AA_OBSERVE in PROFILE.
aa_bundle() {
	oci_bundle "$1" sh -c "$AA_OBSERVE"
	oci_edit "$1" ".process.apparmorProfile = \"$2\" ${3:+| $3}"
}

# aa_create RT ID DIR: create, the container's stdout (its process inherits
# create's) going to DIR/out; aa_container_output reads it once it is done.
aa_create() {
	local rt=$1
	RF_LAST_CMD=("$(oci_runtime "$rt")" --root "$OCI_ROOT/$rt" create --bundle "$3" "$2")
	status=0
	"${RF_LAST_CMD[@]}" </dev/null >"$3/out" 2>"$3/err" || status=$?
	output=$(<"$3/out") stderr=$(<"$3/err")
}

aa_container_output() {
	output=$(<"$1/out")
	mapfile -t lines <<<"$output"
}

# create, then start: the container's process is in the bundle's profile,
# with noNewPrivileges NNP (true or false) as asked. It enters it at the
# exec: the runtime's process that waits for start is not in it.
created_scenario() {
	local rt=$1 nnp=$2 id=aa-$1-$2 b=$BATS_TEST_TMPDIR/aa-$1-$2 pid
	aa_bundle "$b" rf-test ".process.noNewPrivileges = $nnp"
	aa_create "$rt" "$id" "$b"
	expect_status 0
	pid=$(oci_state "$rt" "$id" pid)
	[[ $(cat "/proc/$pid/attr/current") == unconfined ]] ||
		_rf_fail "before start the runtime's process is in $(cat "/proc/$pid/attr/current")"
	oci "$rt" start "$id"
	expect_status 0
	oci_wait_status "$rt" "$id" stopped
	aa_container_output "$b"
	expect_confined
	expect_line "NoNewPrivs:	$([[ $nnp == true ]] && echo 1 || echo 0)"
	oci "$rt" delete "$id"
	expect_status 0
}

# The bundle's profile binds the container's process (noNewPrivileges true,
# `ringfence spec`'s default).
@test "create+start: the container's process is in its bundle's AppArmor profile, which the kernel enforces (ringfence)" {
	requires root cgroup2 jq apparmor
	created_scenario ringfence true
}

# crun, the peer, on the same bundle: the test is right.
@test "create+start: the container's process is in its bundle's AppArmor profile, which the kernel enforces (crun)" {
	requires root cgroup2 jq apparmor crun
	created_scenario crun true
}

# runc, the peer, on the same bundle: the test is right.
@test "create+start: the container's process is in its bundle's AppArmor profile, which the kernel enforces (runc)" {
	requires root cgroup2 jq apparmor runc
	created_scenario runc true
}

# Without no_new_privs (Docker's default) the profile binds it just the same.
@test "create+start with noNewPrivileges false: the process is in the profile too (ringfence)" {
	requires root cgroup2 jq apparmor
	created_scenario ringfence false
}

# crun, the peer: the test is right.
@test "create+start with noNewPrivileges false: the process is in the profile too (crun)" {
	requires root cgroup2 jq apparmor crun
	created_scenario crun false
}

# runc, the peer: the test is right.
@test "create+start with noNewPrivileges false: the process is in the profile too (runc)" {
	requires root cgroup2 jq apparmor runc
	created_scenario runc false
}

# exec: the container's profile, unless --apparmor or a process file's
# apparmorProfile names another; one that is not loaded fails the exec, not
# the container. The container's own process stays in its profile. A process
# file without apparmorProfile runs in the container's under ringfence and
# crun, unconfined under runc 1.1 (which takes the profile from the file
# alone).
exec_scenario() {
	local rt=$1 id=aa-ex-$1 b=$BATS_TEST_TMPDIR/aa-ex-$1 pid
	oci_bundle "$b"
	oci_edit "$b" '.process.apparmorProfile = "rf-test"'
	oci_detached "$rt" run -d --bundle "$b" "$id"
	expect_status 0
	pid=$(oci_state "$rt" "$id" pid)
	[[ $(cat "/proc/$pid/attr/current") == "rf-test (enforce)" ]] ||
		_rf_fail "the container's process is in $(cat "/proc/$pid/attr/current")"
	oci "$rt" exec "$id" sh -c "$AA_OBSERVE"
	expect_status 0
	expect_confined
	oci "$rt" exec --apparmor unconfined "$id" sh -c "$AA_OBSERVE"
	expect_status 0
	expect_unconfined
	jq --arg o "$AA_OBSERVE" '.process | .args = ["sh", "-c", $o] | .apparmorProfile = "unconfined"' \
		"$b/config.json" >"$b/unconfined.json"
	oci "$rt" exec --process "$b/unconfined.json" "$id"
	expect_status 0
	expect_unconfined
	jq --arg o "$AA_OBSERVE" '.process | .args = ["sh", "-c", $o] | del(.apparmorProfile)' \
		"$b/config.json" >"$b/inherit.json"
	oci "$rt" exec --process "$b/inherit.json" "$id"
	expect_status 0
	if [[ $rt == runc ]]; then expect_unconfined; else expect_confined; fi
	oci "$rt" exec --apparmor rf-not-loaded "$id" true
	((status != 0)) || _rf_fail "an exec into a profile that is not loaded ran"
	if [[ $rt == ringfence ]]; then
		expect_status 125
		expect_stderr_contains "AppArmor profile \`rf-not-loaded\`"
	fi
	oci_wait_status "$rt" "$id" running
	[[ $(cat "/proc/$pid/attr/current") == "rf-test (enforce)" ]] ||
		_rf_fail "after the execs the container's process is in $(cat "/proc/$pid/attr/current")"
	oci "$rt" delete -f "$id"
	expect_status 0
}

# An exec'd process must not escape the container's profile unless asked to.
@test "exec: the container's profile, or --apparmor's, or the process file's (ringfence)" {
	requires root cgroup2 jq apparmor
	exec_scenario ringfence
}

# crun, the peer: the test is right.
@test "exec: the container's profile, or --apparmor's, or the process file's (crun)" {
	requires root cgroup2 jq apparmor crun
	exec_scenario crun
}

# runc, the peer: the test is right (but for the process file without a profile).
@test "exec: the container's profile, or --apparmor's, or the process file's (runc)" {
	requires root cgroup2 jq apparmor runc
	exec_scenario runc
}

# A profile that is not loaded: create fails, as the process cannot enter it.
unloaded_scenario() {
	local rt=$1 id=aa-nl-$1 b=$BATS_TEST_TMPDIR/aa-nl-$1
	oci_bundle "$b" sleep 4711
	oci_edit "$b" '.process.apparmorProfile = "rf-not-loaded"'
	oci_detached "$rt" create --bundle "$b" "$id"
	((status != 0)) || _rf_fail "create succeeded with a profile that is not loaded"
}

# A container must never run unconfined because its profile is missing.
@test "a profile that is not loaded fails create with 125, naming it, and leaves nothing behind (ringfence)" {
	requires root cgroup2 jq apparmor
	local id=aa-nl-ringfence
	unloaded_scenario ringfence
	expect_status 125
	expect_stderr_contains "AppArmor profile \`rf-not-loaded\`: no such profile is loaded"
	oci ringfence list -q
	[[ -z $output ]] || _rf_fail "the failed create left containers: $output"
	oci ringfence state "$id"
	((status != 0)) || _rf_fail "the failed create left the state of $id"
	[[ ! -e $RF_CGROUP_ROOT$OCI_CGROUP_PARENT/$id ]] || _rf_fail "the failed create left its cgroup"
	[[ -z $(oci_pids_running "$id") && -z $(oci_pids_running 'sleep 4711') ]] ||
		_rf_fail "the failed create left processes: $(oci_pids_running "$id") $(oci_pids_running 'sleep 4711')"
}

# crun, the peer, refuses it too.
@test "a profile that is not loaded fails create (crun)" {
	requires root cgroup2 jq apparmor crun
	unloaded_scenario crun
}

# runc, the peer, refuses it too.
@test "a profile that is not loaded fails create (runc)" {
	requires root cgroup2 jq apparmor runc
	unloaded_scenario runc
}

# A foreground run goes another way than create+start: ringfence's own `run
# --bundle DIR` and the OCI `run --bundle DIR ID` enter the profile too.
@test "run --bundle (ringfence's own run, and the OCI run) enters the bundle's profile (ringfence)" {
	requires root cgroup2 jq apparmor
	local b=$BATS_TEST_TMPDIR/aa-run
	aa_bundle "$b" rf-test
	rf_run run -q --bundle "$b"
	expect_status 0
	expect_confined
	oci ringfence run --bundle "$b" aa-run-ringfence
	expect_status 0
	expect_confined
}

# crun's foreground run, the peer: the test is right.
@test "run --bundle DIR ID in the foreground enters the bundle's profile (crun)" {
	requires root cgroup2 jq apparmor crun
	aa_bundle "$BATS_TEST_TMPDIR/aa-run" rf-test
	oci crun run --bundle "$BATS_TEST_TMPDIR/aa-run" aa-run-crun
	expect_status 0
	expect_confined
}

# runc's foreground run, the peer: the test is right.
@test "run --bundle DIR ID in the foreground enters the bundle's profile (runc)" {
	requires root cgroup2 jq apparmor runc
	aa_bundle "$BATS_TEST_TMPDIR/aa-run" rf-test
	oci runc run --bundle "$BATS_TEST_TMPDIR/aa-run" aa-run-runc
	expect_status 0
	expect_confined
}

# The runtime itself confined (rf-outer, which may change profiles). Without
# no_new_privs the container's process trades rf-outer for its own profile,
# under each runtime. With it the kernel lets a confined task only add a
# profile to its own: ringfence stacks rf-test on rf-outer (both bind the
# process); crun 1.8 and runc 1.1 ask for the trade and their exec fails
# ("Operation not permitted"), so that row is ringfence's alone.
confined_runtime() {
	run_cmd sh -c 'printf "exec rf-outer" >/proc/self/attr/apparmor/exec && exec "$@"' sh \
		"$(oci_runtime "$1")" "${@:2}"
}

confined_scenario() {
	local rt=$1 nnp=$2 b=$BATS_TEST_TMPDIR/aa-cf-$1 want=rf-test
	[[ $nnp == true ]] && want="rf-outer//&rf-test"
	aa_bundle "$b" rf-test ".process.noNewPrivileges = $nnp"
	confined_runtime "$rt" --root "$OCI_ROOT/$rt" run --bundle "$b" "aa-cf-$rt"
	expect_status 0
	expect_confined "$want (enforce)"
	if [[ $rt == ringfence ]]; then
		confined_runtime ringfence run -q --bundle "$b"
		expect_status 0
		expect_confined "$want (enforce)"
	fi
}

# A runtime that is itself confined (an engine in a profile) still hands the
# container its own profile.
@test "a runtime in a profile of its own, noNewPrivileges false: the process enters the bundle's profile (ringfence)" {
	requires root cgroup2 jq apparmor
	confined_scenario ringfence false
}

# crun, the peer: the test is right.
@test "a runtime in a profile of its own, noNewPrivileges false: the process enters the bundle's profile (crun)" {
	requires root cgroup2 jq apparmor crun
	confined_scenario crun false
}

# runc, the peer: the test is right.
@test "a runtime in a profile of its own, noNewPrivileges false: the process enters the bundle's profile (runc)" {
	requires root cgroup2 jq apparmor runc
	confined_scenario runc false
}

# The only way a confined runtime can honour both no_new_privs and the profile.
@test "ringfence in a profile of its own, noNewPrivileges true: the bundle's profile is stacked on it" {
	requires root cgroup2 jq apparmor
	confined_scenario ringfence true
}

# A process in the container (root with CAP_SYS_ADMIN, a profile that
# allows mounts) puts a fake /proc over its own: the AppArmor attribute
# files an exec would write are procfs files of its choosing (sysctls of a
# procfs it mounted), so a runtime that opened them inside the container
# would write "exec rf-test" into a sysctl, see success, and run the
# exec'd process unconfined (CVE-2025-52881's kind). The exec'd process
# must still be in the profile.
fake_proc_scenario() {
	local rt=$1 id=aa-fp-$1 b=$BATS_TEST_TMPDIR/aa-fp-$1 f=/tmp/fake/thread-self/attr pid
	# (one line: oci_bundle makes each line of its arguments an argument)
	oci_bundle "$b" sh -c "mount -t tmpfs tmpfs /tmp && mkdir -p $f/apparmor /tmp/p && mount -t proc proc /tmp/p && for d in $f $f/apparmor; do touch \$d/exec \$d/current && mount --bind /tmp/p/sys/kernel/domainname \$d/exec && mount --bind /tmp/p/sys/kernel/hostname \$d/current || exit 1; done && mount --bind /tmp/fake /proc && exec sleep 1000"
	oci_edit "$b" '.process.apparmorProfile = "rf-test" |
		.process.capabilities |= map_values(. + ["CAP_SYS_ADMIN"])'
	oci_detached "$rt" run -d --bundle "$b" "$id"
	expect_status 0
	pid=$(oci_state "$rt" "$id" pid)
	# its script execs sleep once /proc is faked
	rf_wait_for 60 bash -c "[[ \$(cat /proc/$pid/comm) == sleep ]]" ||
		_rf_fail "the container did not fake its /proc"
	oci "$rt" exec "$id" sh -c 'cat /etc/rf-secret 2>&1; cat /etc/rf-public'
	if [[ $rt == crun ]]; then
		# crun 1.8 refuses such an exec (255): never unconfined either
		[[ $output != *rf-secret* || $output == *"Permission denied"* ]] ||
			_rf_fail "the exec'd process read what its profile denies"
	else
		expect_status 0
		expect_line "cat: can't open '/etc/rf-secret': Permission denied"
		expect_line rf-public
	fi
	oci "$rt" delete -f "$id"
	expect_status 0
}

@test "exec into a container that faked its /proc: the process is in the profile all the same (ringfence)" {
	requires root cgroup2 jq apparmor
	fake_proc_scenario ringfence
}

# crun 1.8 refuses the exec instead: the test is right in that the process
# never runs unconfined. (runc 1.1 writes into the container's /proc, and is
# not run here.)
@test "exec into a container that faked its /proc: the process is in the profile all the same (crun)" {
	requires root cgroup2 jq apparmor crun
	fake_proc_scenario crun
}
