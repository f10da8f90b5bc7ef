#!/usr/bin/env bats
# `run --bundle` and `profile show` of a bundle, up to the point where a run
# needs cgroup v2: every kind of bad bundle exits 125 with one message that
# names config.json and the JSON path, before anything is created; what
# ringfence does not implement is one warning (an error under --strict).
# The runs themselves are in tests/vm/bundle.bats.

load ../lib/common
load ../lib/bundle

setup() {
	requires jq busybox
	b=$BATS_TEST_TMPDIR/b
	c=$b/config.json
}

# bad JQ WANT: a bundle edited by JQ is refused with 125 and one message
# containing WANT, naming the config file.
bad() {
	rf_bundle "$b" "$1"
	rf_run run --bundle "$b"
	expect_status 125 || return 1
	expect_stderr_contains "$2" || return 1
	[[ $(grep -c '^ringfence: [^w]' <<<"$stderr") == 1 ]] || _rf_fail "not one message"
}

@test "a missing bundle, a missing config.json or one that is not JSON: 125 naming the file" {
	rf_run run --bundle "$BATS_TEST_TMPDIR/none"
	expect_status 125
	expect_stderr_contains "bundle \`$BATS_TEST_TMPDIR/none\`: No such file or directory"
	mkdir -p "$b"
	rf_run run --bundle "$b"
	expect_status 125
	expect_stderr_contains "open \`$c\`: No such file or directory"
	rf_bundle "$b"
	echo '{"ociVersion": "1.0.0",' >"$c"
	rf_run run --bundle "$b"
	expect_status 125
	expect_stderr_contains "parse \`$c\`: line 2"
}

@test "annotations: ringfence.verdict that is not an absolute path: 125 naming it" {
	bad '.annotations = {"ringfence.verdict": "v.json"}' \
		'annotations["ringfence.verdict"]: `v.json` is not an absolute path'
}

@test "annotations: ringfence.verdict outside the bundle: 125 naming it (delete, as root, writes only inside)" {
	bad '.annotations = {"ringfence.verdict": "/etc/v.json"}' \
		"annotations[\"ringfence.verdict\"]: \`/etc/v.json\` is not inside the bundle \`$b\`"
	bad ".annotations = {\"ringfence.verdict\": \"$b\"}" "is not inside the bundle"
	bad ".annotations = {\"ringfence.verdict\": \"$b-other/v.json\"}" "is not inside the bundle"
}

@test "root.path missing, absent or not a directory: 125" {
	bad 'del(.root)' "\`$c\`: root.path: required"
	bad '.root.path = "nowhere"' "\`$c\`: root.path: \`$b/nowhere\`: No such file or directory"
	bad '.root.path = "config.json"' "\`$c\`: root.path: \`$b/config.json\` is not a directory"
}

@test "process: empty args, a bad rlimit, env that is not KEY=VALUE: 125 naming the key" {
	bad '.process.args = []' "\`$c\`: process.args: expected at least the command"
	bad '.process.rlimits[0].type = "RLIMIT_NOPE"' "process.rlimits[0].type: unknown limit"
	bad '.process.env += ["NOEQUALS"]' "process.env[2]: \`NOEQUALS\` is not KEY=VALUE"
	bad '.process.user.uid = -1' "process.user.uid: out of range"
}

@test "mounts: a destination that escapes or is /, a bad option, a missing bind source: 125" {
	bad '.mounts[0].destination = "/proc/../../../etc"' \
		"mounts[0].destination: \`/proc/../../../etc\` has a \`..\` component"
	bad '.mounts[0].destination = "proc"' "mounts[0].destination: \`proc\` is not an absolute path"
	bad '.mounts[1].destination = "//"' "mounts[1].destination: cannot mount over \`/\`"
	bad '.mounts[1].options += ["remount"]' "mounts[1].options[4]: \`remount\` changes an existing mount"
	bad '.mounts[1].options += ["idmap"]' "mounts[1].options[4]: \`idmap\`: id-mapped mounts are not implemented"
	bad '.mounts += [{destination: "/data", type: "bind", source: "no-such-dir"}]' \
		"mounts[7].source: \`$b/no-such-dir\`: No such file or directory"
	bad '.mounts += [{destination: "/data"}]' "mounts[7]: give a type"
}

@test "linux: an unknown namespace, a path that is no namespace, devices and sysctl that make no sense: 125" {
	bad '.linux.namespaces[0].type = "pidns"' "linux.namespaces[0].type: unknown namespace \`pidns\`"
	bad '.linux.namespaces[1].path = "/proc/self/ns/uts"' \
		"linux.namespaces[1].path: \`/proc/self/ns/uts\` is not a namespace of this type"
	bad '.linux.namespaces[1].path = "/nope"' "linux.namespaces[1].path: open \`/nope\`"
	bad '.linux.namespaces += [{type: "user", path: "/proc/self/ns/user"}]' \
		"joining an existing user namespace is not implemented"
	bad '.linux.devices = [{path: "/dev/x", type: "q", major: 1, minor: 1}]' \
		"linux.devices[0].type: \`q\` is not a device type"
	bad '.linux.devices = [{path: "/etc/x", type: "c", major: 1, minor: 1}]' \
		"linux.devices[0].path: \`/etc/x\` is not below /dev"
	bad '.linux.sysctl = {"a..b": "1"}' 'linux.sysctl["a..b"]: not a sysctl name'
	bad '.linux.sysctl = {"kernel.panic": "1"}' 'linux.sysctl["kernel.panic"]: not a namespaced sysctl'
	bad ".linux.sysctl = {\"net.$(printf 'a%.0s' {1..300})\": \"1\"}" "longer than 255 bytes"
	bad '.linux.cgroupsPath = "/a/../b"' "linux.cgroupsPath: \`/a/../b\`: expected a cgroup path without \`..\`"
	bad '.linux.resources.devices[0].access = "rwx"' "linux.resources.devices[0].access"
	bad '.linux.uidMappings = [{containerID: 0, hostID: 1000, size: 1}]' \
		"linux.uidMappings and gidMappings need a new user namespace"
}

@test "--rootfs that is missing or not a directory: 125 naming it, with or without --bundle" {
	rf_bundle "$b"
	for with in "" "--bundle $b"; do
		# shellcheck disable=SC2086 # $with is two words or none
		rf_run run $with --rootfs "$BATS_TEST_TMPDIR/none" -- true
		expect_status 125
		expect_stderr_contains "--rootfs \`$BATS_TEST_TMPDIR/none\`: No such file or directory"
		rf_run run $with --rootfs "$c" -- true
		expect_status 125
		expect_stderr_contains "--rootfs \`$c\`: Not a directory"
	done
}

@test "--user NAME with a root is the root's user: a host-only user is unknown; no symlink or FIFO is followed" {
	local r=$BATS_TEST_TMPDIR/r
	rf_rootfs "$r"
	getent passwd daemon >/dev/null || skip "no user daemon on this host"
	rf_run run --rootfs "$r" --user daemon -- true
	expect_status 125
	expect_stderr_contains "--user: unknown user \`daemon\` (not in $r/etc/passwd;"
	rf_bundle "$b"
	rf_run run --bundle "$b" --groups daemon -- true
	expect_status 125
	expect_stderr_contains "--groups: unknown group \`daemon\` (not in $b/rootfs/etc/group;"
	# read on the host, this link would be the host's /etc/passwd
	ln -sfn ../../../../../../../../../../../etc/passwd "$r/etc/passwd"
	rf_run run --rootfs "$r" --user daemon -- true
	expect_status 125
	expect_stderr_contains "read \`$r/etc/passwd\`: Too many levels of symbolic links"
	# a FIFO would block the reader
	rm "$r/etc/passwd" "$r/etc/group"
	echo 'root:x:0:0::/root:/bin/sh' >"$r/etc/passwd"
	mkfifo "$r/etc/group"
	rf_run run --rootfs "$r" --user root:nogroup -- true
	expect_status 125
	expect_stderr_contains "look up group \`nogroup\`: \`$r/etc/group\` is not a regular file"
	rm "$r/etc/passwd" "$r/etc/group"
	rf_run run --rootfs "$r" --user nobody -- true
	expect_status 125
	expect_stderr_contains "read \`$r/etc/passwd\`: No such file or directory"
}

@test "--profile with --bundle is refused: a bundle's config.json is its whole plan" {
	rf_bundle "$b"
	rf_run run --profile shell --bundle "$b"
	expect_status 125
	expect_stderr_contains "--profile and --bundle: give one"
}

@test "what ringfence does not implement is one warning naming the JSON paths; --strict refuses it" {
	rf_bundle "$b" '.process.selinuxLabel = "p" | .linux.intelRdt = {closID: "x"}'
	rf_run profile show "$b"
	expect_status 0
	expect_stderr_contains "bundle \`$c\`: ignoring what ringfence does not implement: process.selinuxLabel, linux.intelRdt"
	rf_run run --strict --bundle "$b"
	expect_status 125
	expect_stderr_contains "not implemented by ringfence (refused under --strict): process.selinuxLabel, linux.intelRdt"
}

@test "an AppArmor profile on a host without AppArmor is warned about with the reason, and refused under --strict" {
	requires no_apparmor
	rf_bundle "$b" '.process.apparmorProfile = "rf-test"'
	rf_run profile show "$b"
	expect_status 0
	expect_stderr_contains "process.apparmorProfile (AppArmor is not enabled on this host)"
	[[ $(jq -r '.process.apparmorProfile // "none"' <<<"$output") == none ]] ||
		_rf_fail "profile show kept the profile it will not apply: $output"
	rf_run run --strict --bundle "$b"
	expect_status 125
	expect_stderr_contains "process.apparmorProfile (AppArmor is not enabled on this host)"
	rf_bundle "$b" '.process.apparmorProfile = ""'
	rf_run profile show "$b"
	expect_status 0
	expect_stderr_not_contains apparmor
}

@test "an AppArmor profile name with a control character is refused naming the JSON path" {
	rf_bundle "$b" '.process.apparmorProfile = "a\nexec unconfined"'
	rf_run run --bundle "$b"
	expect_status 125
	expect_stderr_contains "process.apparmorProfile: expected a profile name without control characters"
	rf_bundle "$b" ".process.apparmorProfile = \"$(printf '%01025d' 0)\""
	rf_run run --bundle "$b"
	expect_status 125
	expect_stderr_contains "process.apparmorProfile: expected a profile name of 1 to 1024 bytes"
}

@test "a bundle's hooks are not run by run --bundle or shown by profile show: a warning, refused under --strict" {
	local without
	rf_bundle "$b"
	rf_run profile show "$b"
	expect_status 0
	without=$output
	rf_bundle "$b" '.hooks = {prestart: [{path: "/bin/true"}]}'
	rf_run profile show "$b"
	expect_status 0
	expect_stderr_contains "bundle \`$b\`: its hooks are not run by \`ringfence run --bundle\`; \`ringfence run ID\` runs them"
	[[ $output == "$without" ]] || _rf_fail "the hooks changed what profile show prints"
	rf_run profile show --strict "$b"
	expect_status 125
	expect_stderr_contains "hooks: not run by \`ringfence run --bundle\` (refused under --strict)"
	rf_run run --strict --bundle "$b"
	expect_status 125
	expect_stderr_contains "hooks: not run by \`ringfence run --bundle\` (refused under --strict)"
}

@test "profile show of a bundle prints what run --bundle applies: the canonical root, HOME, the device rules" {
	rf_bundle "$b" '.process.user = {uid: 65534, gid: 65534}'
	rf_run profile show "$b"
	expect_status 0
	local show=$BATS_TEST_TMPDIR/show.json
	echo "$output" >"$show"
	expect_json "$show" root.path "$(realpath "$b/rootfs")"
	[[ $(json_get "$show" process.env) == *'"HOME=/nonexistent"'* ]] || _rf_fail "no HOME"
	expect_json "$show" process.terminal false
	expect_json "$show" mounts.6.type cgroup2
	# the bundle's deny-all first, then the devices every container gets
	expect_json "$show" linux.resources.devices.0.allow false
	expect_json "$show" linux.resources.devices.3.minor 3
	# --bundle says it is one even when the path is not a directory's name
	rf_run profile show --bundle "$b"
	expect_status 0
}
