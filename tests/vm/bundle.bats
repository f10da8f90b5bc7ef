#!/usr/bin/env bats
# Container roots: `run --rootfs` and `run --bundle` (OCI bundles), seen from
# inside the payload; compared with crun on the same bundle where the two
# mean the same; bad bundles. Root filesystems are busybox (tests/lib/bundle).

load ../lib/common
load ../lib/bundle

setup() {
	b=$BATS_TEST_TMPDIR/b
	mounts_before=$(rf_mounts_snapshot)
}

rf_teardown() {
	local after
	after=$(rf_mounts_snapshot)
	[[ $after == "$mounts_before" ]] ||
		_rf_fail "mounts changed in the caller's namespace:
$(diff <(echo "$mounts_before") <(echo "$after"))"
}

# dev_view: the payload's /dev, one "NAME TYPE [MAJOR:MINOR]" per line.
dev_probe='for f in /dev/* /dev/.[!.]*; do [ -e "$f" ] || [ -L "$f" ] || continue;
	if [ -L "$f" ]; then echo "${f#/dev/} -> $(readlink "$f")";
	elif [ -c "$f" ]; then echo "${f#/dev/} c $(stat -c %t:%T "$f") $(stat -c %a "$f")";
	elif [ -d "$f" ]; then echo "${f#/dev/} d"; else echo "${f#/dev/} other"; fi; done'

@test "--rootfs: / is DIR (its marker), with a fresh /proc, the default /dev and a read-only /sys" {
	requires root cgroup2
	rf_rootfs "$b/rootfs"
	rf_run run --rootfs "$b/rootfs" --unshare pid -- sh -c '
		cat /MARKER
		test -e /rf/build/ringfence && echo sees-host-files
		awk "\$5 == \"/proc\" { print \$9 }" /proc/self/mountinfo
		ls /dev | tr "\n" " "; echo
		touch /sys/x 2>/dev/null && echo wrote-sys
		ls -d /proc/[0-9]* | wc -l'
	expect_status 0
	[[ ${lines[0]} == rootfs-marker ]] || _rf_fail "/ is not the rootfs"
	expect_output_not_contains sees-host-files
	[[ ${lines[1]} == proc ]] || _rf_fail "/proc inside is ${lines[1]}"
	[[ ${lines[2]} == "core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero " ]] ||
		_rf_fail "/dev: ${lines[2]}"
	expect_output_not_contains wrote-sys
	# its init, sh, ls and wc at most
	((${lines[3]} <= 4)) || _rf_fail "${lines[3]} processes in the payload's /proc"
}

@test "--bundle: the process runs as config.json says: args, the whole env, cwd, user, hostname, rlimits" {
	requires root cgroup2
	rf_bundle "$b" '.process.args = ["env"] | .process.env += ["FOO=bar"]' \
		'.process.user = {uid: 65534, gid: 65534}'
	HOSTVAR=leaked rf_run run -q --bundle "$b"
	expect_status 0
	[[ $(sort <<<"$output") == "$(printf '%s\n' FOO=bar HOME=/nonexistent \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=xterm)" ]] ||
		_rf_fail "the environment is not exactly the bundle's (and HOME from its /etc/passwd)"

	rf_config_edit "$b" '.process.args = ["sh", "-c", "pwd; hostname; id -u; id -g; ulimit -n; ulimit -Hn"] |
		.process.cwd = "/tmp" | .hostname = "box"'
	rf_run run -q --bundle "$b"
	expect_status 0
	[[ ${lines[*]} == "/tmp box 65534 65534 1024 1024" ]] || _rf_fail "cwd, hostname, user, rlimits: ${lines[*]}"
}

@test "linux.memoryPolicy is the payload's memory policy" {
	requires root cgroup2 numa2
	# numa_maps shows the task's policy for mappings without their own
	rf_bundle "$b" --sh 'awk "{ print \$2 }" /proc/self/numa_maps | sort -u' \
		'.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "1"}'
	rf_run run -q --bundle "$b"
	expect_status 0
	[[ $output == "bind:1" ]] || _rf_fail "policies: $output"
}

@test "--user NAME and --groups with a root are the root's users and groups, not the host's" {
	requires root cgroup2
	rf_bundle "$b" --sh 'id -u; id -g; id -G; echo "$HOME"'
	local etc=$b/rootfs/etc
	# new files: the rootfs is a hard-linked copy of a template
	{ cat "$etc/passwd"; echo 'alice:x:4242:4243::/home/alice:/bin/sh'; } >"$etc/passwd.new"
	{ cat "$etc/group"; echo 'staff2:x:4244:'; } >"$etc/group.new"
	mv "$etc/passwd.new" "$etc/passwd"
	mv "$etc/group.new" "$etc/group"
	rf_run run -q --bundle "$b" --user alice --groups staff2
	expect_status 0
	# HOME from the user the command runs as, in the root's /etc/passwd
	[[ ${lines[*]} == "4242 4243 4243 4244 /home/alice" ]] || _rf_fail "bundle: ${lines[*]}"
	rf_run run -q --rootfs "$b/rootfs" --user alice:staff2 -- sh -c 'id -u; id -g; id -G'
	expect_status 0
	[[ ${lines[*]} == "4242 4244 4244" ]] || _rf_fail "rootfs: ${lines[*]}"
}

@test "command-line flags override the bundle; -- CMD replaces process.args" {
	requires root cgroup2
	rf_bundle "$b" '.process.args = ["false"] | .linux.resources.memory = {limit: 67108864}'
	rf_run run -q --bundle "$b" --hostname other --memory 32M --setenv EXTRA=1 -- \
		sh -c 'hostname; cat /sys/fs/cgroup/memory.max; echo "$EXTRA"'
	expect_status 0
	[[ ${lines[*]} == "other 33554432 1" ]] || _rf_fail "overrides: ${lines[*]}"
}

@test "/dev has exactly the OCI default devices and links; /dev/null is writable; no host node gets in" {
	requires root cgroup2
	rf_bundle "$b" --sh "$dev_probe; echo x >/dev/null && echo null-writable"
	rf_run run -q --bundle "$b"
	expect_status 0
	local want
	want=$(printf '%s\n' "core -> /proc/kcore" "fd -> /proc/self/fd" "full c 1:7 666" \
		"mqueue d" "null c 1:3 666" "ptmx -> pts/ptmx" "pts d" "random c 1:8 666" "shm d" \
		"stderr -> /proc/self/fd/2" "stdin -> /proc/self/fd/0" "stdout -> /proc/self/fd/1" \
		"tty c 5:0 666" "urandom c 1:9 666" "zero c 1:5 666" null-writable)
	[[ $output == "$want" ]] || _rf_fail "/dev differs from the default:
$(diff <(echo "$want") <(echo "$output"))"
}

@test "a device node the payload makes for itself cannot be opened unless the bundle allows it" {
	requires root cgroup2
	# CAP_MKNOD, as docker grants it: the device filter is what stops /dev/mem.
	rf_bundle "$b" --sh 'mknod /dev/mem-here c 1 1 && echo made
		head -c1 /dev/mem-here >/dev/null && echo opened-mem
		echo x >/dev/null && echo null-ok' \
		'.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
	rf_run run -q --bundle "$b"
	expect_status 0
	expect_output_contains made
	expect_output_not_contains opened-mem
	expect_stderr_contains "Operation not permitted"
	expect_output_contains null-ok
	# linux.devices gives a node and the right to open it.
	rf_config_edit "$b" '.linux.devices = [{path: "/dev/full2", type: "c", major: 1, minor: 7, fileMode: 432, uid: 0, gid: 0}] |
		.process.args = ["sh", "-c", "stat -c \"%t:%T %a\" /dev/full2; echo x >/dev/full2"]'
	rf_run run -q --bundle "$b"
	expect_status 1
	[[ ${lines[0]} == "1:7 660" ]] || _rf_fail "/dev/full2: ${lines[0]}"
	expect_stderr_contains "No space left on device"
}

@test "the payload's /proc is its own: its pid namespace's, freshly mounted" {
	requires root cgroup2
	rf_bundle "$b" --sh 'readlink /proc/self/ns/pid; ls -d /proc/[0-9]* | wc -l
		awk "\$5 == \"/proc\" { print \$4, \$9 }" /proc/self/mountinfo'
	rf_run run -q --bundle "$b"
	expect_status 0
	[[ ${lines[0]} != "$(readlink /proc/self/ns/pid)" ]] || _rf_fail "the caller's pid namespace"
	((${lines[1]} <= 4)) || _rf_fail "${lines[1]} processes visible"
	[[ ${lines[2]} == "/ proc" ]] || _rf_fail "/proc is not a fresh proc mount: ${lines[2]}"
}

@test "masked paths read empty, read-only ones refuse writes; a bundle's own lists replace the defaults" {
	requires root cgroup2
	local probe='wc -c </proc/kcore; ls /sys/firmware | wc -l; wc -c </proc/timer_list;
		echo 1 >/proc/sysrq-trigger 2>/dev/null || echo sysrq-refused;
		echo 1 >/proc/sys/vm/drop_caches 2>/dev/null || echo sys-refused'
	rf_bundle "$b" --sh "$probe"
	rf_run run -q --bundle "$b"
	expect_status 0
	[[ ${lines[*]} == "0 0 0 sysrq-refused sys-refused" ]] || _rf_fail "the bundle's lists: ${lines[*]}"
	# No lists in the bundle: the defaults (runc's) still guard.
	rf_config_edit "$b" 'del(.linux.maskedPaths, .linux.readonlyPaths)'
	rf_run run -q --bundle "$b"
	expect_status 0
	[[ ${lines[*]} == "0 0 0 sysrq-refused sys-refused" ]] || _rf_fail "the defaults: ${lines[*]}"
	# Lists of its own replace them.
	rf_config_edit "$b" '.linux.maskedPaths = ["/proc/cpuinfo"] | .linux.readonlyPaths = ["/proc/sysrq-trigger"] |
		.process.args[2] = "wc -c </proc/cpuinfo; wc -c </proc/timer_list | sed s/^0$/empty/"'
	rf_run run -q --bundle "$b"
	expect_status 0
	[[ ${lines[0]} == 0 && ${lines[1]} != empty ]] || _rf_fail "own lists: ${lines[*]}"
}

@test "/sys is read-only: a fresh sysfs with a network namespace, the host's without one" {
	requires root cgroup2
	local probe='awk "\$5 == \"/sys\" { print \$6, \$9 }" /proc/self/mountinfo; touch /sys/kernel/x 2>/dev/null || echo refused'
	rf_bundle "$b" --sh "$probe"
	rf_run run -q --bundle "$b"
	expect_status 0
	[[ ${lines[0]} == ro,* && ${lines[0]} == *" sysfs" && ${lines[1]} == refused ]] ||
		_rf_fail "with a network namespace: ${lines[*]}"
	rf_config_edit "$b" '.linux.namespaces |= map(select(.type != "network"))'
	rf_run run -q --bundle "$b"
	expect_status 0
	[[ ${lines[0]} == ro,* && ${lines[1]} == refused ]] || _rf_fail "without: ${lines[*]}"
}

@test "a symlink in the rootfs cannot lead a mount destination out of it: the mount stays inside" {
	requires root cgroup2
	rf_bundle "$b" --sh 'awk "\$5 ~ /inner|y$/ { print \$5 }" /proc/self/mountinfo' \
		'.mounts += [{destination: "/evil/inner", type: "tmpfs", source: "tmpfs"},
			{destination: "/rel/x/y", type: "tmpfs", source: "tmpfs"}]'
	ln -s /etc "$b/rootfs/evil"
	ln -s ../../../../../../etc "$b/rootfs/rel"
	rf_run run -q --bundle "$b"
	expect_status 0
	# Both resolve as if the rootfs were /: into the rootfs's own /etc.
	[[ ${lines[*]} == "/etc/inner /etc/x/y" ]] || _rf_fail "mounts inside: ${lines[*]}"
	[[ ! -e /etc/inner && ! -e /etc/x ]] || _rf_fail "a directory was made in the host's /etc"
	[[ -d $b/rootfs/etc/inner && -d $b/rootfs/etc/x/y ]] || _rf_fail "not made inside the rootfs"
	# A working directory through a magic link is refused (CVE-2024-21626):
	# /proc/self/fd/N could name a directory of the host's.
	rf_config_edit "$b" '.process.cwd = "/proc/self/root/etc"'
	rf_run run -q --bundle "$b"
	expect_status 125
	expect_stderr_contains "change directory to \`/proc/self/root/etc\`: Too many levels of symbolic links"
	# A destination that names `..` is refused before anything starts.
	rf_config_edit "$b" '.mounts += [{destination: "/../../etc/x", type: "tmpfs"}]'
	rf_run run -q --bundle "$b"
	expect_status 125
	expect_stderr_contains "mounts[9].destination: \`/../../etc/x\` has a \`..\` component"
}

@test "an OOM inside a bundle exits 121 with the verdict oom-limit" {
	requires root cgroup2 memory
	rf_bundle "$b" '.linux.resources.memory = {limit: 67108864} |
		.mounts += [{destination: "/fill", type: "tmpfs", source: "tmpfs", options: ["size=1g"]}] |
		.process.args = ["dd", "if=/dev/zero", "of=/fill/x", "bs=1M", "count=512"]'
	rf_run run --bundle "$b" --report "$BATS_TEST_TMPDIR/r.json"
	expect_status 121
	expect_stderr_contains "killed by OOM at memory limit 64.0M"
	expect_json "$BATS_TEST_TMPDIR/r.json" verdict oom-limit
}

@test "linux.sysctl writes namespaced sysctls inside only; one that is the host's is refused" {
	requires root cgroup2
	local before
	before=$(cat /proc/sys/net/ipv4/ip_forward)
	rf_bundle "$b" --sh 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni' \
		'.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "777"}'
	rf_run run -q --bundle "$b"
	expect_status 0
	[[ ${lines[*]} == "1 777" ]] || _rf_fail "inside: ${lines[*]}"
	[[ $(cat /proc/sys/net/ipv4/ip_forward) == "$before" ]] || _rf_fail "the host's ip_forward changed"
	rf_config_edit "$b" '.linux.sysctl = {"kernel.panic": "1"}'
	rf_run run -q --bundle "$b"
	expect_status 125
	expect_stderr_contains 'linux.sysctl["kernel.panic"]: not a namespaced sysctl'
}

@test "linux.namespaces with a path joins that namespace" {
	requires root cgroup2 unshare
	unshare --uts sh -c 'hostname joined-uts && exec sleep 600' &
	local pid=$!
	# eval: the hostname is read again on every try
	rf_wait_for 60 eval '[[ $(nsenter -t "$pid" -u hostname 2>/dev/null) == joined-uts ]]'
	rf_bundle "$b" "del(.hostname) | .process.args = [\"hostname\"] |
		.linux.namespaces |= map(if .type == \"uts\" then .path = \"/proc/$pid/ns/uts\" else . end)"
	rf_run run -q --bundle "$b"
	kill "$pid"
	wait "$pid" || true
	expect_status 0
	[[ $output == joined-uts ]] || _rf_fail "hostname inside: $output"
}

@test "a user namespace with linux.uidMappings: root inside is the mapped id outside" {
	requires root cgroup2 user_ns
	# The container's root (host uid 100000) must reach the bundle.
	b=$(mktemp -d /tmp/rf-userns.XXXXXX)
	chmod 755 "$b"
	rf_bundle "$b" --sh 'cat /proc/self/uid_map; id -u; cat /MARKER; echo x >/dev/null && echo null-ok' \
		'.linux.namespaces += [{type: "user"}] |
		.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
		.linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	rf_run run -q --bundle "$b"
	rm -rf "$b"
	expect_status 0
	[[ $(echo ${lines[0]}) == "0 100000 65536" && ${lines[1]} == 0 ]] || _rf_fail "maps: ${lines[*]}"
	expect_output_contains rootfs-marker
	expect_output_contains null-ok
}

@test "linux.cgroupsPath names the leaf; it is gone afterwards" {
	requires root cgroup2
	rf_bundle "$b" '.linux.cgroupsPath = "/rf-bundle-test/c1" | .process.args = ["true"]'
	rf_run run -q --bundle "$b" --report "$BATS_TEST_TMPDIR/r.json"
	expect_status 0
	expect_json "$BATS_TEST_TMPDIR/r.json" cgroup /rf-bundle-test/c1
	[[ ! -e $RF_CGROUP_ROOT/rf-bundle-test/c1 ]] || _rf_fail "the leaf is left behind"
	rmdir "$RF_CGROUP_ROOT/rf-bundle-test"
}

@test "without pivot_root (an initramfs root) the root is moved over / and entered with chroot" {
	requires root cgroup2
	rf_rootfs "$b/rootfs"
	RINGFENCE_NO_PIVOT=1 RINGFENCE_DEBUG=1 rf_run run -q --rootfs "$b/rootfs" -- sh -c \
		'cat /MARKER; awk "\$5 == \"/\" { print \$4 }" /proc/self/mountinfo; ls /proc/1/root/rf 2>&1 | head -1'
	expect_status 0
	expect_stderr_contains "entered with chroot(2)"
	[[ ${lines[0]} == rootfs-marker ]] || _rf_fail "/ is not the rootfs"
	expect_output_not_contains build
}

@test "a bundle from crun spec, edited with jq, gives the payload the same view under ringfence and crun" {
	requires root cgroup2 crun jq
	mkdir -p "$b"
	rf_rootfs "$b/rootfs"
	(cd "$b" && crun spec)
	cat >"$b/rootfs/probe" <<-'EOF'
	#!/bin/sh
	echo "cwd=$(pwd) hostname=$(hostname) id=$(id)"
	tr '\0' '\n' </proc/$$/environ | sort
	grep -E '^(Cap|NoNewPrivs|Seccomp:)' /proc/self/status
	echo "nofile=$(ulimit -n)/$(ulimit -Hn) umask=$(umask) oom=$(cat /proc/self/oom_score_adj)"
	echo "domain=$(cat /proc/sys/kernel/domainname)"
	mkdir /tmp/seccomp-probe 2>&1
	for f in memory.max memory.high pids.max cpu.max cpu.idle io.weight hugetlb.2MB.max; do
		echo "$f=$(cat /sys/fs/cgroup/$f)"; done
	cat /proc/self/cgroup
	for f in /dev/*; do echo "$f $(stat -c '%F %t:%T %a' "$f")"; done
	awk '{ for (i = 7; $i != "-"; i++); split($6, o, ","); print $5, $(i + 1), o[1] }' /proc/self/mountinfo | sort
	touch /x 2>/dev/null || echo root-read-only
	wc -c </proc/kcore
	EOF
	chmod 755 "$b/rootfs/probe"
	rf_config_edit "$b" '.process.terminal = false | .process.args = ["/probe"] |
		.process.env += ["FOO=bar"] | .process.cwd = "/tmp" | .hostname = "probe-host" |
		.linux.namespaces |= map(select(.type != "cgroup")) + [{type: "cgroup"}] |
		.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 64} |
		.linux.resources.unified = {"memory.high": "50331648", "cpu.max": "50000 100000"} |
		.linux.resources.blockIO = {weight: 500} | .linux.resources.cpu = {idle: 1} |
		.domainname = "example.org" |
		.process.oomScoreAdj = 100 | .process.user.additionalGids = [5, 10] |
		.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
			syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]} |
		.linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]'
	run_cmd crun --root "$BATS_TEST_TMPDIR/crun" run --bundle "$b" "rf-cmp-$BATS_TEST_NUMBER"
	expect_status 0
	local crun_view=$output
	rf_run run -q --bundle "$b"
	expect_status 0
	[[ $output == "$crun_view" ]] || _rf_fail "the views differ (< crun, > ringfence):
$(diff <(echo "$crun_view") <(echo "$output"))"
	[[ $output == *"memory.max=67108864"* && $output == *"pids.max=64"* &&
		$output == *"io.weight=default 4950"* && $output == *"hugetlb.2MB.max=4194304"* &&
		$output == *"cpu.idle=1"* ]] ||
		_rf_fail "the limits are not the bundle's"
	[[ $output == *"oom=100"* && $output == *"domain=example.org"* &&
		$output == *"groups=5,10"* && $output == *"Operation not permitted"* ]] ||
		_rf_fail "oomScoreAdj, domainname, additionalGids or seccomp are not the bundle's"
}

@test "a bad bundle exits 125 with one message naming the file and the JSON path, and leaves nothing behind" {
	requires root cgroup2
	# Every kind of bad input is in tests/host/bundle.bats; here, in a real
	# run, that a refusal after the leaf exists leaves no leaf, mount or process.
	rf_run run --bundle "$BATS_TEST_TMPDIR/none"
	expect_status 125
	expect_stderr_contains "bundle \`$BATS_TEST_TMPDIR/none\`: No such file or directory"
	rf_bundle "$b" '.mounts[0].destination = "/proc/../../../etc"'
	rf_run run --bundle "$b"
	expect_status 125
	expect_stderr_contains "\`$b/config.json\`: mounts[0].destination: \`/proc/../../../etc\` has a \`..\` component"
	# Refused inside the child, with the leaf and the mounts made: a sysctl
	# this kernel does not have.
	rf_bundle "$b" '.linux.sysctl = {"net.ipv4.no_such_knob": "1"}'
	rf_run run --bundle "$b"
	expect_status 125
	expect_stderr_contains 'linux.sysctl["net.ipv4.no_such_knob"]: open `/proc/sys/net/ipv4/no_such_knob`'
	[[ $(grep -c '^ringfence: ' <<<"$stderr") == 1 ]] || _rf_fail "not one message"
	# A throttle for a device the kernel does not have: refused by io.max.
	rf_bundle "$b" '.linux.resources.blockIO.throttleReadBpsDevice = [{major: 254, minor: 99, rate: 1}]'
	rf_run run --bundle "$b"
	expect_status 125
	expect_stderr_contains 'write `254:99 rbps=1` to `io.max`: No such device'
	rf_bundle "$b" '.process.args = ["/no/such/program"]'
	rf_run -127 run --bundle "$b"
	expect_status 127
}
