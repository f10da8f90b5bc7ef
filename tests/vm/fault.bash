# tests/vm/fault.bash: what fault.bats and fault-kill.bats share: the plan
# that passes every fault point (src/fault.h) and the table of the points.
# Loaded by both (`load fault`) after ../lib/common and ../lib/bundle.

CG=rf-fault                       # --cgroup-parent of the walk, made afresh each run
PAYLOAD=(sleep 1234)              # never gets far: a process of that name is a leftover

# Every step of a launch, for a root caller: limits of every kind, every
# namespace, every mount kind, rlimits, NUMA, identity, capabilities, seccomp.
PLAN=(--memory 64M --memory-high 60M --swap 0 --pids 64 --cpus 1 --cpu-weight 50
	--cpuset-cpus 0-1 --numa-bind 0 --unshare all --hostname box --ro-root --tmpfs /tmp
	--ro-bind /etc:/tmp/etc --bind /run:/tmp/run --rlimit nofile=512 --user 65534
	--groups 65534 --chdir /tmp --cap-drop CAP_CHOWN --seccomp default)
# The steps of a user namespace (the id maps).
PLAN_USERNS=(--unshare user --map-root)
# The steps of a container root: an OCI bundle (tests/lib/bundle.bash) with
# a read-only root, a bind, a masked file and directory, a read-only path.
PLAN_BUNDLE=(--bundle "$BATS_FILE_TMPDIR/bundle")

make_bundle() {
	[[ -e $BATS_FILE_TMPDIR/bundle/config.json ]] && return 0
	rf_bundle "$BATS_FILE_TMPDIR/bundle" '.hostname = "box"' \
		'.mounts += [{ destination: "/mnt/etc", type: "bind", source: "/etc", options: ["rbind", "ro"] }]' \
		'.linux.maskedPaths = ["/proc/kcore", "/sys/firmware"] | .linux.readonlyPaths = ["/proc/sys"]'
}

# point                               what its message says (after it, the errno's text)
POINTS='
cgroup.write:cgroup.subtree_control   to `cgroup.subtree_control`
leaf.mkdir                            create leaf `/rf-fault/
cgroup.write:memory.max               to `memory.max`
cgroup.write:memory.high              to `memory.high`
cgroup.write:memory.swap.max          to `memory.swap.max`
cgroup.write:memory.oom.group         to `memory.oom.group`
cgroup.write:pids.max                 to `pids.max`
cgroup.write:cpu.max                  to `cpu.max`
cgroup.write:cpu.weight               to `cpu.weight`
cgroup.write:cpuset.cpus              to `cpuset.cpus`
cgroup.write:cpuset.mems              to `cpuset.mems`
clone3                                clone3 into leaf `/rf-fault/
idmap:uid_map                         /uid_map`
idmap:gid_map                         /gid_map`
start                                 start the command
child.cgroupns                        unshare the cgroup namespace
mount.private                         make the mounts under `/` private
mount.copy:/etc                       copy the mount tree at `/etc`
mount.copy:/run                       copy the mount tree at `/run`
mount.read-only:/etc                  make `/etc` read-only
mount.read-only:/                     make `/` read-only
mount.mqueue                          mount a fresh `/dev/mqueue`
mount.shm                             mount a private tmpfs on `/dev/shm`
mount.tmpfs:/tmp                      mount a tmpfs on `/tmp`
mount.bind:/tmp/etc                   mount `/etc` on `/tmp/etc`
mount.bind:/tmp/run                   mount `/run` on `/tmp/run`
mount.proc                            mount a fresh `/proc`
mount.read-only:/proc/sys             make `/proc/sys` read-only
mount.read-only:/proc/sysrq-trigger   make `/proc/sysrq-trigger` read-only
mount.read-only:/proc/irq             make `/proc/irq` read-only
mount.read-only:/proc/bus             make `/proc/bus` read-only
mount.read-only:/proc/fs              make `/proc/fs` read-only
mount.hide:/proc/kcore                hide `/proc/kcore`
mount.hide:/proc/keys                 hide `/proc/keys`
mount.hide:/proc/timer_list           hide `/proc/timer_list`
mount.hide:/proc/acpi                 hide `/proc/acpi`
mount.hide:/sys/firmware              hide `/sys/firmware`
mount.cgroup-view                     create a cgroup2 mount
rootfs.private                        make the mounts under `/` private
rootfs.bind                           bind the root `
oci.copy:/etc                         copy the mount tree at `/etc`
oci.mount:/proc                       mount proc on `/proc`
oci.mount:/dev                        mount tmpfs on `/dev`
oci.mount:/dev/pts                    mount devpts on `/dev/pts`
oci.mount:/dev/shm                    mount tmpfs on `/dev/shm`
oci.mount:/dev/mqueue                 mount mqueue on `/dev/mqueue`
oci.mount:/sys                        mount sysfs on `/sys`
oci.cgroup2:/sys/fs/cgroup            create a cgroup2 mount for `/sys/fs/cgroup`
oci.bind:/mnt/etc                     mount `/etc` on `/mnt/etc`
dev.node                              make the device `/dev/null`
dev.link                              link `/dev/fd`
oci.mask:/proc/kcore                  hide `/proc/kcore`
oci.mask:/sys/firmware                hide `/sys/firmware`
oci.read-only:/proc/sys               make `/proc/sys` read-only
rootfs.pivot                          pivot_root into the root
rootfs.detach                         detach the old root
rootfs.read-only                      make the root read-only
ns.hostname                           set the hostname to `box`
ns.loopback                           bring up `lo`
pidns.fork                            fork the payload in the pid namespace
rlimit:nofile                         setrlimit nofile
numa.mempolicy                        set_mempolicy(MPOL_BIND, nodes 0)
caps.bounding                         from the bounding set
identity.groups                       set the supplementary groups
identity.gid                          set the group id to 65534
identity.uid                          set the user id to 65534
identity.chdir                        change directory to `/tmp`
caps.set                              set the payload'"'"'s capabilities
caps.no-new-privs                     set no_new_privs
child.pdeathsig                       set the parent-death signal
seccomp                               install the seccomp filter
fds.close                             close fds 3 and up
exec                                  sleep
supervise                             -
collect                               -
'

# Points that are for killing the supervisor only: nothing fails there.
kill_only() {
	[[ $1 == supervise || $1 == collect ]]
}

# The plan that passes POINT (an idmap point needs a user namespace, and so
# does `start`: only a child that waits for the supervisor after clone, as
# with a user namespace or a terminal, is started by it; a container root's
# points need a bundle).
plan_for() {
	case $1 in
	idmap:* | start) echo "${PLAN_USERNS[@]}" ;;
	rootfs.* | oci.* | dev.*) echo "${PLAN_BUNDLE[@]}" ;;
	*) echo "${PLAN[@]}" ;;
	esac
}

fresh_parent() {
	rf_cleanup_cgroups "$RF_CGROUP_ROOT/$CG"
	rmdir "$RF_CGROUP_ROOT/$CG" 2>/dev/null || true
}

rf_teardown() {
	fresh_parent
}

mount_count() {
	wc -l </proc/self/mountinfo
}

payload_gone() {
	! rf_running "${PAYLOAD[*]}"
}

no_leaf() {
	[[ -z $(find "$RF_CGROUP_ROOT/$CG" -mindepth 1 -type d 2>/dev/null) ]]
}

# The points a run of each plan passes, one per line.
discover() {
	local out
	make_bundle || return 1
	for plan in PLAN PLAN_USERNS PLAN_BUNDLE; do
		local -n args=$plan
		fresh_parent
		out=$(RINGFENCE_FAULT=list ringfence-fault run --cgroup-parent "$CG" "${args[@]}" -- true 2>&1) ||
			{ echo "discovery run ($plan) failed: $out" >&2; return 1; }
		sed -n 's/^ringfence-fault: point //p' <<<"$out"
	done | sort -u
}
