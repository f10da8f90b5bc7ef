#!/usr/bin/env bats
# `ringfence profile list|show` and bad profiles: everything short of running
# a sandbox, so it holds on any host.

load ../lib/common

setup() {
	export RINGFENCE_PROFILE_PATH=$RF_SRCDIR/profiles
	fixtures=$RF_SRCDIR/tests/fixtures/profiles
}

# bad_profile NAME JSON: write $BATS_TEST_TMPDIR/NAME.json
bad_profile() {
	printf '%s\n' "$2" >"$BATS_TEST_TMPDIR/$1.json"
}

@test "the top-level help lists the profile command" {
	rf_run --help
	expect_status 0
	expect_output_contains "profile list"
	expect_output_contains "profile show [--strict] NAME|PATH"
}

@test "profile list shows the three built-in profiles with their descriptions" {
	rf_run profile list
	expect_status 0
	[[ ${lines[0]} == "ci-job "*"a build or test job"* ]] || _rf_fail "line 1: ci-job"
	[[ ${lines[1]} == "shell "*"fork-bomb-safe interactive shell"* ]] || _rf_fail "line 2: shell"
	[[ ${lines[2]} == "untrusted "*"another user's code"* ]] || _rf_fail "line 3: untrusted"
	((${#lines[@]} == 3)) || _rf_fail "expected exactly three profiles"
	[[ -z $stderr ]] || _rf_fail "expected nothing on stderr"
}

@test "profile list: an earlier directory shadows a later one, broken profiles are still listed" {
	mkdir "$BATS_TEST_TMPDIR/mine"
	echo '{"description": "my own shell"}' >"$BATS_TEST_TMPDIR/mine/shell.json"
	echo '{' >"$BATS_TEST_TMPDIR/mine/broken.json"
	RINGFENCE_PROFILE_PATH=$BATS_TEST_TMPDIR/mine:$RF_SRCDIR/profiles rf_run profile list
	expect_status 0
	expect_output_contains "my own shell"
	expect_output_not_contains "fork-bomb-safe"
	[[ " ${lines[*]} " == *" broken "* ]] || _rf_fail "broken.json is not listed"
	expect_stderr_contains "broken.json"
}

@test "profile show prints the effective settings as profile JSON" {
	rf_run profile show untrusted
	expect_status 0
	echo "$output" >"$BATS_TEST_TMPDIR/u.json"
	expect_json "$BATS_TEST_TMPDIR/u.json" linux.resources.memory.limit 536870912
	expect_json "$BATS_TEST_TMPDIR/u.json" linux.resources.memory.swap 536870912
	expect_json "$BATS_TEST_TMPDIR/u.json" linux.resources.pids.limit 128
	expect_json "$BATS_TEST_TMPDIR/u.json" linux.resources.cpu.quota 100000
	expect_json "$BATS_TEST_TMPDIR/u.json" linux.resources.unified '{"memory.oom.group":"1"}'
	expect_json "$BATS_TEST_TMPDIR/u.json" process.oomScoreAdj 1000
	expect_json "$BATS_TEST_TMPDIR/u.json" process.rlimits.0.type RLIMIT_MEMLOCK
	expect_json "$BATS_TEST_TMPDIR/u.json" process.capabilities.bounding '[]'
	expect_json "$BATS_TEST_TMPDIR/u.json" root.readonly true
	expect_json "$BATS_TEST_TMPDIR/u.json" mounts.0.destination /tmp
	expect_json "$BATS_TEST_TMPDIR/u.json" ringfence.seccomp default
	[[ -z $stderr ]] || _rf_fail "expected nothing on stderr"
}

@test "profile show output loads again and shows the same" {
	local p
	for p in untrusted ci-job shell "$fixtures/oci-full.json"; do
		rf_run profile show "$p"
		expect_status 0
		echo "$output" >"$BATS_TEST_TMPDIR/saved.json"
		rf_run profile show --strict "$BATS_TEST_TMPDIR/saved.json"
		expect_status 0
		[[ $output == "$(cat "$BATS_TEST_TMPDIR/saved.json")" ]] ||
			_rf_fail "$p: the saved output shows differently"
	done
}

@test "a crun spec config.json loads, with one warning listing what is ignored" {
	rf_run profile show "$fixtures/crun-spec.json"
	expect_status 0
	expect_stderr_contains "ringfence: warning: profile"
	expect_stderr_contains "ignoring what ringfence does not implement: root.path"
	expect_stderr_contains "mounts (/proc /dev"
	echo "$output" >"$BATS_TEST_TMPDIR/c.json"
	expect_json "$BATS_TEST_TMPDIR/c.json" linux.resources.memory.limit 268435456
	expect_json "$BATS_TEST_TMPDIR/c.json" linux.resources.cpu.weight 39
	expect_json "$BATS_TEST_TMPDIR/c.json" process.args '["sh"]'
	((${#stderr_lines[@]} == 1)) || _rf_fail "expected one warning line"
}

@test "--strict refuses a profile with keys ringfence does not implement (125)" {
	rf_run profile show --strict "$fixtures/crun-spec.json"
	expect_status 125
	expect_stderr_contains "not implemented by ringfence (refused under --strict): root.path"
	[[ -z $output ]] || _rf_fail "expected nothing on stdout"
}

@test "bad profiles exit 125 and name the JSON path" {
	local -A cases=(
		[type]='{"linux": {"resources": {"pids": {"limit": "100"}}}}'
		[range]='{"process": {"oomScoreAdj": 5000}}'
		[controller]='{"linux": {"resources": {"unified": {"cgroup.procs": "1"}}}}'
		[ns]='{"linux": {"namespaces": [{"type": "network", "path": "/run/netns/x"}]}}'
		[key]='{"ringfence": {"timout": "1h"}}'
		[malformed]='{"process": {"args": ["sh",]}}'
		[toplevel]='["not", "an", "object"]'
	)
	local -A want=(
		[type]="linux.resources.pids.limit: expected integer, got string"
		[range]="process.oomScoreAdj: out of range (expected -1000 to 1000)"
		[controller]='linux.resources.unified["cgroup.procs"]: `cgroup.procs` is not a file of a controller'
		[ns]="linux.namespaces[0].path: open \`/run/netns/x\`: No such file or directory"
		[key]="ringfence.timout: unknown key"
		[malformed]="line 1, column 28: unallowed token"
		[toplevel]="expected a JSON object at the top, got array"
	)
	local name f
	for name in "${!cases[@]}"; do
		bad_profile "$name" "${cases[$name]}"
		rf_run profile show "$BATS_TEST_TMPDIR/$name.json"
		expect_status 125
		f=$BATS_TEST_TMPDIR/$name.json
		[[ $stderr == "ringfence: profile \`$f\`: "* || $stderr == "ringfence: parse \`$f\`: "* ]] ||
			_rf_fail "$name: the message does not start by naming the file"
		expect_stderr_contains "${want[$name]}"
		[[ -z $output ]] || _rf_fail "$name: expected nothing on stdout"
	done
}

@test "run --profile with a bad profile exits 125 before creating anything" {
	bad_profile bad '{"linux": {"resources": {"memory": {"limit": "1G"}}}}'
	rf_run run --profile "$BATS_TEST_TMPDIR/bad.json" -- true
	expect_status 125
	expect_stderr_contains "linux.resources.memory.limit: expected integer, got string"
}

@test "an unknown profile name exits 125 and says where it looked" {
	rf_run profile show nosuch
	expect_status 125
	expect_stderr_contains "profile \`nosuch\` not found in $RF_SRCDIR/profiles (RINGFENCE_PROFILE_PATH)"
	RINGFENCE_PROFILE_PATH= rf_run profile show untrusted
	expect_status 125
	expect_stderr_contains "not found"
}

@test "profile usage errors exit 125" {
	rf_run profile
	expect_status 125
	expect_stderr_contains "expected list or show"
	rf_run profile frob
	expect_status 125
	expect_stderr_contains "unknown profile command \`frob\`"
	rf_run profile show
	expect_status 125
	expect_stderr_contains "show takes one NAME or PATH"
	rf_run profile show --bogus untrusted
	expect_status 125
	rf_run profile list extra
	expect_status 125
	rf_run profile --help
	expect_status 0
	expect_output_contains "Usage: ringfence profile list"
}

@test "a profile's cpuset CPUs and nodes must exist here: refused before anything, naming the key" {
	local before
	before=$(rf_made_cgroups)
	bad_profile cpus '{"linux": {"resources": {"cpu": {"cpus": "1000"}}}}'
	rf_run run --profile "$BATS_TEST_TMPDIR/cpus.json" -- true
	expect_status 125
	expect_stderr_contains "linux.resources.cpu.cpus"
	expect_stderr_contains "cpu 1000 is not on this host"
	bad_profile mems '{"linux": {"resources": {"cpu": {"mems": "1000"}}}}'
	rf_run run --profile "$BATS_TEST_TMPDIR/mems.json" -- true
	expect_status 125
	expect_stderr_contains "linux.resources.cpu.mems"
	expect_stderr_contains "node 1000 is not on this host"
	[[ $(rf_made_cgroups) == "$before" ]] || _rf_fail "cgroups were made: $(rf_made_cgroups)"
}
