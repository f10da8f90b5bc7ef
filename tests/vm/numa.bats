#!/usr/bin/env bats
# NUMA placement (issue 4): --numa-bind / --numa-preferred / --numa-interleave
# / --cpuset-cpus on the guest's two nodes of 1 GiB each, the per-node peaks
# in the report (memory.numa), and the node-local OOM's scope.

load ../lib/common

MiB=$((1024 * 1024))

node_of() {	# node_of FILE NODE: memory.numa["NODE"] of a report, in bytes
	# (json_get would read the key "0" as an array index)
	jq -er --arg n "$2" '.memory.numa[$n]' "$1" ||
		{ echo "no memory.numa[\"$2\"] in $1:" >&2; cat "$1" >&2; return 1; }
}

@test "--numa-bind 0 + 1.5 GiB: node-local OOM, exit 122, scope node, node 1 untouched" {
	requires root cgroup2 cpuset numa2 memhog jq
	r=$BATS_TEST_TMPDIR/r.json
	rf_run run --numa-bind 0 --report "$r" -- memhog 1536M
	expect_status 122
	expect_stderr_contains "memory is bound to node 0"
	expect_json "$r" verdict oom-external
	expect_json "$r" oom.scope node
	n0=$(node_of "$r" 0)
	n1=$(node_of "$r" 1)
	echo "# bind 0: node0 peak $((n0 / MiB)) MiB, node1 peak $((n1 / MiB)) MiB" >&3
	# Node 0 filled up (the kernel and page cache share it), node 1 got nothing
	# of ours beyond a stray page or two.
	((n0 > 512 * MiB)) || _rf_fail "node 0 peak only $n0"
	((n1 < 4 * MiB)) || _rf_fail "node 1 peak $n1: the bind leaked"
}

@test "--numa-preferred 0 + 1.5 GiB: completes, memory.numa shows the spill to node 1" {
	requires root cgroup2 numa2 memhog jq
	r=$BATS_TEST_TMPDIR/r.json
	rf_run run --numa-preferred 0 --report "$r" -- memhog 1536M
	expect_status 0
	expect_json "$r" verdict exited
	n0=$(node_of "$r" 0)
	n1=$(node_of "$r" 1)
	echo "# preferred 0: node0 peak $((n0 / MiB)) MiB, node1 peak $((n1 / MiB)) MiB" >&3
	((n0 > 512 * MiB)) || _rf_fail "node 0 peak only $n0"
	# 1.5 GiB cannot fit on a 1 GiB node: at least 512 MiB spilled.
	((n1 > 400 * MiB)) || _rf_fail "node 1 peak $n1: no spill seen"
}

@test "--numa-interleave 0-1 spreads pages over both nodes" {
	requires root cgroup2 numa2 numahog jq
	r=$BATS_TEST_TMPDIR/r.json
	rf_run run --numa-interleave 0-1 --report "$r" -- numahog 512M
	expect_status 0
	echo "# interleave: $output" >&3
	# numahog reports where its own pages are (move_pages): half on each node.
	[[ $output =~ node0=([0-9]+)\ node1=([0-9]+) ]] || _rf_fail "no placement in output"
	p0=${BASH_REMATCH[1]} p1=${BASH_REMATCH[2]}
	((p0 > 200 * MiB && p1 > 200 * MiB)) || _rf_fail "pages not spread: $p0 / $p1"
	n0=$(node_of "$r" 0)
	n1=$(node_of "$r" 1)
	((n0 > 200 * MiB && n1 > 200 * MiB)) || _rf_fail "memory.numa not spread: $n0 / $n1"
}

@test "--numa-bind 1 places every page on node 1" {
	requires root cgroup2 cpuset numa2 numahog
	rf_run run --memory 512M --numa-bind 1 -- numahog 128M
	expect_status 0
	[[ $output == "node1=$((128 * MiB))" ]] || _rf_fail "placement: $output"
}

@test "--numa-bind and --cpuset-cpus write the leaf's cpuset files" {
	requires root cgroup2 cpuset numa2
	rf_run run --memory 64M --numa-bind 1 --cpuset-cpus 1 -- \
		sh -c 'cg=$(sed -n "s/^0:://p" /proc/self/cgroup); d=/sys/fs/cgroup$cg;
			echo "mems=$(cat $d/cpuset.mems) cpus=$(cat $d/cpuset.cpus)";
			echo "eff=$(cat $d/cpuset.mems.effective) allowed=$(grep Mems_allowed_list /proc/self/status)"'
	expect_status 0
	expect_output_contains "mems=1 cpus=1"
	expect_output_contains "eff=1 "
	expect_output_contains "Mems_allowed_list:	1"
}

@test "--numa-bind without --memory warns and names the node's size" {
	requires root cgroup2 cpuset numa2
	rf_run run --numa-bind 0 -- true
	expect_status 0
	expect_stderr_matches "warning: memory is bound to node 0 \([0-9.]+[MG]\) and there is no --memory: .* set --memory below [0-9.]+[MG]"
	rf_run run --numa-bind 0 --memory 256M -- true
	expect_status 0
	expect_stderr_not_contains "memory is bound"
}

# Each row: FLAG VALUE FRAGMENT — refused with 125 before anything is created.
bad_nodes() {
	cat <<'EOF'
--numa-bind	2	node 2 is not online (online nodes: 0-1)
--numa-bind	0-3	node 2 is not online (online nodes: 0-1)
--numa-bind	0,7	node 7 is not online (online nodes: 0-1)
--numa-bind	x	is not an id list
--numa-bind		is not an id list
--numa-preferred	5	node 5 is not online (online nodes: 0-1)
--numa-interleave	1-2	node 2 is not online (online nodes: 0-1)
--cpuset-cpus	2	cpu 2 is not online (online cpus: 0-1)
--cpuset-cpus	0-9	cpu 2 is not online (online cpus: 0-1)
--cpuset-cpus	a	is not an id list
EOF
}

@test "bad nodes and cpus are refused with 125, saying which exist" {
	requires root cgroup2 numa2
	local flag value frag n=0
	before=$(find "$RF_CGROUP_ROOT" -type d | sort)
	while IFS=$'\t' read -r flag value frag; do
		rf_run run "$flag" "$value" -- true
		expect_status 125
		expect_stderr_contains "$flag"
		expect_stderr_contains "$frag"
		n=$((n + 1))
	done < <(bad_nodes)
	((n == 10))
	[[ $(find "$RF_CGROUP_ROOT" -type d | sort) == "$before" ]] || _rf_fail "a cgroup was created"
}

@test "a later --numa-preferred replaces --numa-bind, cpuset.mems included" {
	requires root cgroup2 cpuset numa2
	# shellcheck disable=SC2016
	rf_run run --numa-bind 0 --numa-preferred 1 -- \
		sh -c 'echo "mems=[$(cat "/sys/fs/cgroup$(sed -n "s/^0:://p" /proc/self/cgroup)/cpuset.mems")]"
			grep Mems_allowed_list /proc/self/status'
	expect_status 0
	# The leaf's cpuset.mems is empty (inherited): both nodes stay allowed.
	expect_output_contains "mems=[]"
	expect_output_contains "0-1"
}
