#!/usr/bin/env bats
# The runtime's command line on any host (no cgroup v2 needed): global
# options, errors callers match, features, spec, checkpoint, and the rule
# that tells runc's `run ID` from ringfence's own `run`.

load ../lib/common

setup() {
	root=$BATS_TEST_TMPDIR/root
}

@test "a missing container: each command says so as containerd and podman match it" {
	local cmd
	for cmd in start state kill delete pause resume ps events; do
		rf_run --root "$root" $cmd nothere
		expect_status 125
		expect_stderr_contains 'container "nothere" does not exist'
	done
	rf_run --root "$root" exec nothere true
	expect_stderr_contains 'container "nothere" does not exist'
}

@test "delete --force of a missing container succeeds, as runc's" {
	rf_run --root "$root" delete --force nothere
	expect_status 0
	rf_run --root "$root" delete -f nothere
	expect_status 0
}

@test "update --resources: a file that cannot be read fails naming the flag, not as half a document" {
	# A directory opens but does not read: the error is the read's, not a
	# JSON error about whatever part was read.
	rf_run --root "$root" update --resources / nothere
	expect_status 125
	expect_stderr_contains '--resources: read `/`: Is a directory'
	rf_run --root "$root" update --resources "$BATS_TEST_TMPDIR/none.json" nothere
	expect_status 125
	expect_stderr_contains "--resources: open \`$BATS_TEST_TMPDIR/none.json\`"
}

@test "--log-format json: each error is one {level, msg, time} line in --log" {
	rf_run --root "$root" --log "$BATS_TEST_TMPDIR/log.json" --log-format json state nothere
	expect_status 125
	rf_run --root "$root" --log="$BATS_TEST_TMPDIR/log.json" --log-format=json kill nothere 9
	expect_status 125
	[[ $(wc -l <"$BATS_TEST_TMPDIR/log.json") == 2 ]] || _rf_fail "expected 2 lines"
	run_cmd jq -r 'select(.level == "error") | .msg' "$BATS_TEST_TMPDIR/log.json"
	expect_status 0
	[[ ${lines[1]} == 'container "nothere" does not exist' ]] || _rf_fail "msg: ${lines[1]}"
	run_cmd jq -r '.time' "$BATS_TEST_TMPDIR/log.json"
	date -d "${lines[0]}" >/dev/null || _rf_fail "time ${lines[0]} is not a date"
}

@test "--log-format takes text or json only, naming the flag" {
	rf_run --log-format yaml list
	expect_status 125
	expect_stderr_contains "--log-format: expected text or json"
}

@test "list of an empty root: the header, or nothing with -q, or [] as json" {
	rf_run --root "$root" list
	expect_status 0
	expect_output_contains "ID"
	rf_run --root "$root" list -q
	expect_status 0
	[[ -z $output ]] || _rf_fail "expected no ids"
	rf_run --root "$root" list --format json
	expect_status 0
	[[ $output == "[]" ]] || _rf_fail "expected []"
}

@test "features is runtime-spec JSON: cgroup v2 and the systemd driver, no v1, every hook kind, AppArmor" {
	rf_run features
	expect_status 0
	expect_json - ociVersionMin 1.0.0 <<<"$output"
	[[ $(jq -r '.linux.cgroup.v1, .linux.cgroup.v2, .linux.cgroup.systemd' \
		<<<"$output" | tr '\n' ' ') == "false true true " ]] || _rf_fail "features: $output"
	[[ $(jq -c .hooks <<<"$output") == '["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]' ]] ||
		_rf_fail "features' hooks: $(jq -c .hooks <<<"$output")"
	[[ $(jq -r '.linux.apparmor.enabled, .linux.selinux.enabled' <<<"$output" | tr '\n' ' ') == "true false " ]] ||
		_rf_fail "features' LSMs: $(jq -c '.linux.apparmor, .linux.selinux' <<<"$output")"
}

@test "every command's --help prints its usage and exits 0, as ringfence --help promises" {
	local cmd
	# The commands of ringfence --help (docs.bats checks the completion offers the same).
	for cmd in run check profile create start state kill delete exec ps list pause resume \
		update events features spec; do
		rf_run "$cmd" --help
		expect_status 0
		[[ ${lines[0]} == "Usage: ringfence "*"$cmd"* ]] || _rf_fail "$cmd --help: ${lines[0]:-nothing}"
	done
	rf_run --help
	expect_output_contains "ringfence COMMAND --help"
}

@test "spec writes a config.json a bundle can use, and refuses to overwrite it" {
	rf_run spec --bundle "$BATS_TEST_TMPDIR"
	expect_status 0
	expect_json "$BATS_TEST_TMPDIR/config.json" root.path rootfs
	expect_json "$BATS_TEST_TMPDIR/config.json" process.args.0 sh
	rf_run spec --bundle "$BATS_TEST_TMPDIR"
	expect_status 125
	expect_stderr_contains "exists"
	rm "$BATS_TEST_TMPDIR/config.json"
	rf_run spec --rootless --bundle "$BATS_TEST_TMPDIR"
	expect_status 0
	expect_json "$BATS_TEST_TMPDIR/config.json" linux.uidMappings.0.hostID "$(id -u)"
}

@test "exec --user takes UID[:GID] as numbers, as runc does, and --cwd an absolute path: refused before anything is opened" {
	local bad
	for bad in nobody 1000:x :1000 1000: 4294967295 -1; do
		rf_run --root "$root" exec -u "$bad" nothere true
		expect_status 125
		expect_stderr_contains "--user: expected UID[:GID] (numbers)"
	done
	[[ ! -e $root ]] || _rf_fail "exec made $root"
	rf_run --root "$root" exec --cwd relative nothere true
	expect_status 125
	expect_stderr_contains "--cwd: expected an absolute path"
}

@test "a create that fails keeps the last verdict of its id and makes no state directory" {
	local b=$BATS_TEST_TMPDIR/bundle
	mkdir -p "$b/rootfs" "$root"
	rf_run spec --bundle "$b"
	expect_status 0
	echo '{"verdict":"oom-limit"}' >"$root/c9.verdict.json"
	rf_run --root "$root" create --bundle "$b" --console-socket "$BATS_TEST_TMPDIR/nothere" c9
	expect_status 125
	expect_stderr_contains "--console-socket"
	[[ $(cat "$root/c9.verdict.json") == '{"verdict":"oom-limit"}' ]] ||
		_rf_fail "the earlier verdict of c9 is gone"
	[[ ! -e $root/c9 ]] || _rf_fail "a state directory was left: $(ls -A "$root/c9")"
}

@test "update refuses a CPU this host lacks before it looks for the container" {
	rf_run --root "$root" update --cpuset-cpus 1000 nothere
	expect_status 125
	expect_stderr_contains "--cpuset-cpus"
	expect_stderr_contains "cpu 1000 is not on this host"
}

@test "update: an error in a flag names the flag, not the JSON key it is written as" {
	rf_run --root "$root" update --memory-swap 1G nothere
	expect_status 125
	expect_stderr_contains "ringfence: --memory-swap: needs a memory limit given with it"
	rf_run --root "$root" update --cpu-quota 5 nothere
	expect_status 125
	expect_stderr_contains "ringfence: --cpu-quota: 5 is below the kernel's minimum"
	rf_run --root "$root" update --cpuset-mems 0- nothere
	expect_status 125
	expect_stderr_contains 'ringfence: --cpuset-mems: `0-` is not an id list'
	expect_stderr_not_contains "linux.resources"
}

@test "update --resources: what ringfence does not implement is named in a warning, not refused, as runc ignores it" {
	local f=$BATS_TEST_TMPDIR/r.json
	echo '{"memory": {"kernel": 0, "swappiness": 60}, "pids": {"limit": 10}}' >"$f"
	rf_run --root "$root" update --resources "$f" nothere
	expect_status 125
	expect_stderr_contains "ringfence: warning: --resources \`$f\`: ignoring what ringfence does not implement: memory.kernel, memory.swappiness"
	expect_stderr_contains 'container "nothere" does not exist'
	# An error names the key as the file has it.
	echo '{"memory": {"swap": 5}}' >"$f"
	rf_run --root "$root" update --resources "$f" nothere
	expect_status 125
	expect_stderr_contains "ringfence: --resources \`$f\`: memory.swap: needs a memory limit"
	expect_stderr_not_contains "does not exist"
}

@test "exec --cap and --additional-gids take what runc takes, naming the flag otherwise" {
	rf_run --root "$root" exec --cap CAP_NOPE nothere true
	expect_status 125
	expect_stderr_contains '--cap: `CAP_NOPE` is not a capability'
	rf_run --root "$root" exec -g wheel nothere true
	expect_status 125
	expect_stderr_contains '--additional-gids: expected a GID (a number), got `wheel`'
	rf_run --root "$root" exec -c CAP_NET_ADMIN -g 5 --no-new-privs --ignore-paused nothere true
	expect_status 125
	expect_stderr_contains 'container "nothere" does not exist'
}

@test "exec --apparmor takes a profile name, naming the flag otherwise" {
	rf_run --root "$root" exec --apparmor $'a\tb' nothere true
	expect_status 125
	expect_stderr_contains '--apparmor: expected a profile name without control characters, got `a?b`'
	rf_run --root "$root" exec --apparmor docker-default nothere true
	expect_status 125
	expect_stderr_contains 'container "nothere" does not exist'
	[[ ! -e $root ]] || _rf_fail "exec made $root"
}

@test "checkpoint --help fails: podman must not think CRIU works" {
	rf_run checkpoint --help
	((status != 0)) || _rf_fail "checkpoint --help succeeded"
	rf_run restore --help
	((status != 0)) || _rf_fail "restore --help succeeded"
}

@test "container ids are checked before anything is made" {
	local id
	for id in a/b .. .x $'a\tb'; do
		rf_run --root "$root" create --bundle "$BATS_TEST_TMPDIR" "$id"
		expect_status 125
		expect_stderr_contains "container id"
	done
	[[ ! -e $root ]] || [[ -z $(ls -A "$root") ]] || _rf_fail "something was made: $(ls -A "$root")"
}

@test "run: runc's form (an id with -b, -d or a global option) is the runtime's, the rest ringfence's own" {
	local b=$BATS_TEST_TMPDIR/nobundle
	mkdir -p "$b"
	# the runtime's: it looks for the bundle's config.json
	rf_run run -b "$b" c1
	expect_status 125
	expect_stderr_contains "config.json"
	rf_run run c1 --bundle "$b"
	expect_status 125
	expect_stderr_contains "config.json"
	rf_run --root "$root" run -d c1
	expect_status 125
	expect_stderr_contains "config.json"
	rf_run run --pid-file "$b/p" --bundle "$b" c1
	expect_status 125
	expect_stderr_contains "config.json"
	# ringfence's own: a command after --, or options only it has (on a host
	# without cgroup v2's memory controller they fail later, saying so)
	rf_run run --bundle "$b" -- true
	expect_stderr_not_contains "container"
	expect_stderr_contains "bundle"
	rf_run run --memory 1G true
	expect_stderr_not_contains "config.json"
}

@test "--systemd-cgroup: cgroupsPath is slice:prefix:name, and without systemd create says so; nothing is left" {
	requires jq
	local b=$BATS_TEST_TMPDIR/sd tmp=$BATS_TEST_TMPDIR/c.json
	mkdir -p "$b/rootfs"
	"$RINGFENCE" spec --bundle "$b"
	jq '.process.terminal = false | .linux.cgroupsPath = "/rf/sd1"' "$b/config.json" >"$tmp" && mv "$tmp" "$b/config.json"
	rf_run --systemd-cgroup --root "$root" create --bundle "$b" sd1
	expect_status 125
	expect_stderr_contains "linux.cgroupsPath: \`/rf/sd1\`: expected \`slice:prefix:name\`"
	rf_run --root "$root" list -q
	[[ -z $output ]] || _rf_fail "left $output"
	[[ ! -d /run/systemd/system ]] || skip "systemd runs this host (tests/vm/systemd/oci.bats runs the scopes)"
	jq '.linux.cgroupsPath = "system.slice:rf:sd1"' "$b/config.json" >"$tmp" &&
		mv "$tmp" "$b/config.json"
	rf_run --systemd-cgroup --root "$root" create --bundle "$b" sd1
	expect_status 125
	expect_stderr_contains "systemd does not run this host"
	rf_run --root "$root" list -q
	[[ -z $output ]] || _rf_fail "left $output"
}

@test "ringfence-oci(1) has an entry for every runtime command --help lists" {
	requires mandoc
	local cmds cmd entries
	[[ -f $RF_BUILDDIR/man/ringfence-oci.1 ]] || skip "the manual pages are not built"
	entries=$(mandoc -Tascii -O width=250 "$RF_BUILDDIR/man/ringfence-oci.1" | sed 's/.\x08//g' |
		awk '$0 == "COMMANDS" { f = 1; next } /^[A-Z]/ { f = 0 } f' | grep -E '^     [a-z]')
	cmds=$("$RINGFENCE" --help | awk '/^OCI runtime commands/ { f = 1; next } /^$/ { f = 0 } f' |
		grep -oE '(^  |\| )[a-z]+' | grep -oE '[a-z]+')
	[[ -n $cmds ]] || _rf_fail "no runtime commands in --help"
	for cmd in $cmds; do
		grep -qE "(^     |, )$cmd( |,|$)" <<<"$entries" || _rf_fail "ringfence-oci(1) has no entry for $cmd"
	done
}
