#!/usr/bin/env bats
# `ringfence check` on this host: whether run can work and, when not, exactly
# why; the same facts as JSON; nothing created. The expectations come from the
# host's own files, so the file holds on a v1-hybrid host (run cannot work)
# and on a cgroup v2 host (run can).

load ../lib/common

# Does the cgroup2 root offer memory and pids?
v2_ready() {
	[[ -n $RF_CGROUP_ROOT ]] || return 1
	local have=" $(cat "$RF_CGROUP_ROOT/cgroup.controllers") "
	[[ $have == *" memory "* && $have == *" pids "* ]]
}

# The mount point of the cgroup v1 hierarchy holding controller $1, if any.
v1_mount_of() {
	awk -v c="$1" '$0 ~ / - cgroup / {
		n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit }
	}' /proc/self/mountinfo
}

@test "check: on a host whose cgroup v2 lacks memory, exit 1 and say where it went" {
	v2_ready && skip "the cgroup2 root offers memory and pids here"
	[[ -n $RF_CGROUP_ROOT ]] || skip "no cgroup2 mount"
	rf_run check
	expect_status 1
	expect_output_contains "ringfence run cannot work here: cgroup v2 at $RF_CGROUP_ROOT has no memory"
	mem_v1=$(v1_mount_of memory)
	if [[ -n $mem_v1 ]]; then
		expect_output_contains "memory is bound to cgroup v1 at $mem_v1"
		expect_output_contains "fix: boot with systemd.unified_cgroup_hierarchy=1 (or cgroup_no_v1=all)"
	fi
}

@test "check: on a host whose cgroup v2 offers memory and pids, exit 0" {
	v2_ready || skip "the cgroup2 root lacks memory or pids here"
	((EUID == 0)) || skip "as non-root the answer depends on delegation"
	rf_run check
	expect_status 0
	expect_output_contains "ringfence run can work here."
}

@test "check: reports the host's OOM sysctls in plain words" {
	rf_run check
	[[ $status == 0 || $status == 1 ]] || { rf_show; false; }
	expect_output_contains "vm.overcommit_memory  $(cat /proc/sys/vm/overcommit_memory): "
	expect_output_contains "vm.panic_on_oom  $(cat /proc/sys/vm/panic_on_oom): "
	expect_output_contains "kernel             Linux $(uname -r)"
}

@test "check --json: valid JSON with the host's values" {
	requires jq
	rf_run check
	text_status=$status
	rf_run check --json
	expect_status "$text_status"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/c.json"
	jq -e . "$BATS_TEST_TMPDIR/c.json" >/dev/null || { rf_show; false; }
	for key in ready reason fix cgroup2 cgroup1 kernel memory numa notes \
		cgroup2.mount cgroup2.root_controllers cgroup2.required cgroup2.missing \
		kernel.clone3_into_cgroup kernel.cgroup_kill kernel.memory_peak \
		kernel.oom_group_kill memory.commit_limit memory.committed_as memory.swap_total \
		numa.nodes; do
		json_get "$BATS_TEST_TMPDIR/c.json" "$key" >/dev/null
	done
	expect_json "$BATS_TEST_TMPDIR/c.json" ready "$( ((text_status == 0)) && echo true || echo false)"
	expect_json "$BATS_TEST_TMPDIR/c.json" memory.overcommit_memory "$(cat /proc/sys/vm/overcommit_memory)"
	expect_json "$BATS_TEST_TMPDIR/c.json" memory.panic_on_oom "$(cat /proc/sys/vm/panic_on_oom)"
	expect_json "$BATS_TEST_TMPDIR/c.json" memory.mem_total \
		"$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) * 1024))"
	expect_json "$BATS_TEST_TMPDIR/c.json" kernel.release "$(uname -r)"
	nodes=$(find /sys/devices/system/node -maxdepth 1 -name 'node[0-9]*' | wc -l)
	[[ $(jq '.numa.nodes | length' "$BATS_TEST_TMPDIR/c.json") == "$nodes" ]] ||
		{ echo "expected $nodes NUMA nodes"; rf_show; false; }
	if ! v2_ready && [[ -n $RF_CGROUP_ROOT ]]; then
		expect_json "$BATS_TEST_TMPDIR/c.json" cgroup2.mount "$RF_CGROUP_ROOT"
		jq -e '.cgroup2.missing | index("memory")' "$BATS_TEST_TMPDIR/c.json" >/dev/null ||
			{ echo "memory not listed as missing"; rf_show; false; }
		mem_v1=$(v1_mount_of memory)
		[[ -z $mem_v1 ]] || expect_json "$BATS_TEST_TMPDIR/c.json" cgroup1.memory "$mem_v1"
		json_get "$BATS_TEST_TMPDIR/c.json" reason | grep -q "has no memory" ||
			{ echo "reason lacks the missing controller"; rf_show; false; }
	fi
}

@test "check: creates nothing in the cgroup tree" {
	[[ -n $RF_CGROUP_ROOT ]] || skip "no cgroup2 mount"
	before=$(find "$RF_CGROUP_ROOT" -maxdepth 2 -type d | sort)
	rf_run check
	rf_run check --json
	after=$(find "$RF_CGROUP_ROOT" -maxdepth 2 -type d | sort)
	[[ $before == "$after" ]] || { diff <(echo "$before") <(echo "$after"); false; }
}

@test "check: bad usage exits 125 with a hint" {
	rf_run check --bogus
	expect_status 125
	expect_stderr_contains "unknown option \`--bogus\`"
	expect_stderr_contains "ringfence check --help"
	rf_run check extra
	expect_status 125
	expect_stderr_contains "unexpected argument \`extra\`"
	rf_run check --help
	expect_status 0
	expect_output_contains "Usage: ringfence check [--json]"
}
