# tests/lib/bundle.bash: OCI bundles for tests, built from the busybox the
# test VM has (nothing downloaded). Load it after common:
#
#   load ../lib/common
#   load ../lib/bundle
#
#   rf_rootfs DIR            a busybox root filesystem in DIR: /bin/busybox and
#                            a hard link per applet, /etc/passwd and /etc/group
#                            (root, and nobody 65534), /MARKER ("rootfs-marker"),
#                            empty /proc /sys /dev /tmp /root. The first call
#                            builds a template in $BATS_FILE_TMPDIR; DIR is a
#                            hard-linked copy of it (cheap, and each test may
#                            change its own).
#   rf_bundle DIR [--sh SCRIPT] [JQ...]
#                            DIR/rootfs (rf_rootfs) and DIR/config.json: the
#                            config `crun spec` writes (runtime-spec 1.0,
#                            terminal false, args ["sh"]), with args
#                            ["sh", "-c", SCRIPT] when given, then each JQ
#                            filter in turn (one jq run in all), e.g.
#                              rf_bundle "$b" --sh 'cat /MARKER' '.hostname = "x"'
#   rf_config_edit DIR JQ    apply one more filter to DIR/config.json
#   rf_mounts_snapshot       print this namespace's mount points (sorted), to
#                            compare before and after: nothing may stay mounted

rf_rootfs() {
	local dir=$1 tmpl=$BATS_FILE_TMPDIR/rootfs-template
	if [[ ! -e $tmpl/MARKER ]]; then
		rm -rf "$tmpl"
		mkdir -p "$tmpl"/{bin,etc,proc,sys,dev,tmp,root}
		cp /bin/busybox "$tmpl/bin/busybox"
		# one hard link per applet, to this copy (its /proc/self/exe)
		"$tmpl/bin/busybox" --install "$tmpl/bin"
		printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
			>"$tmpl/etc/passwd"
		printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmpl/etc/group"
		chmod 1777 "$tmpl/tmp"
		echo rootfs-marker >"$tmpl/MARKER"
	fi
	rm -rf "$dir"
	mkdir -p "$(dirname "$dir")"
	cp -al "$tmpl" "$dir"
}

# The config.json `crun spec` (1.8) writes, with terminal false.
_rf_base_config() {
	jq -n '{
	  ociVersion: "1.0.0",
	  process: {
	    terminal: false,
	    user: { uid: 0, gid: 0 },
	    args: ["sh"],
	    env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
	    cwd: "/",
	    capabilities: {
	      bounding: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
	      effective: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
	      inheritable: [],
	      permitted: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
	      ambient: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
	    },
	    rlimits: [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }],
	    noNewPrivileges: true
	  },
	  root: { path: "rootfs", readonly: true },
	  hostname: "crun",
	  mounts: [
	    { destination: "/proc", type: "proc", source: "proc" },
	    { destination: "/dev", type: "tmpfs", source: "tmpfs",
	      options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
	    { destination: "/dev/pts", type: "devpts", source: "devpts",
	      options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
	    { destination: "/dev/shm", type: "tmpfs", source: "shm",
	      options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
	    { destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
	      options: ["nosuid", "noexec", "nodev"] },
	    { destination: "/sys", type: "sysfs", source: "sysfs",
	      options: ["nosuid", "noexec", "nodev", "ro"] },
	    { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
	      options: ["nosuid", "noexec", "nodev", "relatime", "ro"] }
	  ],
	  linux: {
	    resources: { devices: [{ allow: false, access: "rwm" }] },
	    namespaces: [{ type: "pid" }, { type: "network" }, { type: "ipc" }, { type: "uts" },
	                 { type: "mount" }, { type: "cgroup" }],
	    maskedPaths: ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
	                  "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
	                  "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
	    readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
	  }
	}'
}

rf_config_edit() {
	local dir=$1 filter=$2
	jq "$filter" "$dir/config.json" >"$dir/config.json.new" &&
		mv "$dir/config.json.new" "$dir/config.json"
}

rf_bundle() {
	local dir=$1 filter=. script= f base=$BATS_FILE_TMPDIR/base-config.json
	shift
	if [[ ${1-} == --sh ]]; then
		script=$2
		filter='.process.args = ["sh", "-c", $script]'
		shift 2
	fi
	for f in "$@"; do
		filter+=" | $f"
	done
	[[ -s $base ]] || _rf_base_config >"$base" || return 1
	rf_rootfs "$dir/rootfs"
	jq --arg script "$script" "$filter" "$base" >"$dir/config.json"
}

rf_mounts_snapshot() {
	awk '{ print $5 }' /proc/self/mountinfo | sort
}
