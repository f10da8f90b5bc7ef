#!/usr/bin/env bats
# The filesystem view: --tmpfs, --bind, --ro-bind, --ro-root, --chdir, and
# that nothing mounted inside reaches the caller.

load ../lib/common

setup() {
	dir=$(mktemp -d /tmp/rf-mounts.XXXXXX)
	mkdir "$dir/data" "$dir/empty"
	echo hello >"$dir/data/file"
}

rf_teardown() {
	rm -rf "$dir"
}

mount_count() {
	wc -l </proc/self/mountinfo
}

@test "--tmpfs gives a private tmpfs of the given size, mode 1777, nosuid and nodev" {
	requires root cgroup2
	rf_run run --unshare mount --tmpfs /tmp:size=16M -- sh -c \
		'stat -f -c "%T %b %S" /tmp; stat -c %a /tmp; grep " /tmp " /proc/self/mountinfo; touch /tmp/inside'
	expect_status 0
	local type blocks bsize
	read -r type blocks bsize <<<"${lines[0]}"
	[[ $type == tmpfs ]] || _rf_fail "/tmp inside is $type"
	((blocks * bsize == 16 * 1024 * 1024)) || _rf_fail "/tmp inside has $((blocks * bsize)) bytes"
	[[ ${lines[1]} == 1777 ]] || _rf_fail "mode ${lines[1]}"
	[[ ${lines[2]} == *nosuid* && ${lines[2]} == *nodev* ]] || _rf_fail "flags: ${lines[2]}"
	[[ ! -e /tmp/inside ]] || _rf_fail "a file made inside appeared in the caller's /tmp"
}

@test "a tmpfs fill beyond its size stops there (ENOSPC)" {
	requires root cgroup2
	rf_run run --unshare mount --tmpfs /tmp:size=8M -- dd if=/dev/zero of=/tmp/fill bs=1M count=32
	expect_status 1
	expect_stderr_contains "No space left on device"
}

@test "a tmpfs fill beyond memory.max is an OOM kill at the limit (121)" {
	requires root cgroup2 memory
	# tmpfs pages are charged to the leaf, so the fill meets memory.max, not the host.
	rf_run run --memory 64M --unshare mount --tmpfs /tmp:size=1G --report "$dir/r.json" -- \
		dd if=/dev/zero of=/tmp/fill bs=1M count=512
	expect_status 121
	expect_json "$dir/r.json" verdict oom-limit
}

@test "--ro-root: / is read-only, the sandbox's --tmpfs and --bind stay writable" {
	requires root cgroup2
	rf_run run --unshare mount --ro-root --tmpfs /tmp --bind "$dir/data:$dir/empty" -- sh -c '
		touch /etc/rf-written && echo wrote-etc
		touch /tmp/ok && echo wrote-tmp
		echo from-inside >"$1/new" && echo wrote-bind' sh "$dir/empty"
	expect_status 0
	expect_stderr_contains "Read-only file system"
	expect_output_not_contains wrote-etc
	expect_output_contains wrote-tmp
	expect_output_contains wrote-bind
	[[ ! -e /etc/rf-written ]]
	# The bind is the caller's directory: the write landed there.
	[[ $(cat "$dir/data/new") == from-inside ]] || _rf_fail "the bind did not write through"
}

@test "--ro-bind is read-only, nosuid and nodev; --bind writes through" {
	requires root cgroup2
	rf_run run --unshare mount --tmpfs /tmp --ro-bind "$dir/data:/tmp/ro" --bind "$dir/data:/tmp/rw" -- sh -c '
		cat /tmp/ro/file
		grep " /tmp/ro " /proc/self/mountinfo
		touch /tmp/ro/x && echo wrote-ro
		touch /tmp/rw/x && echo wrote-rw'
	expect_status 0
	[[ ${lines[0]} == hello ]]
	[[ ${lines[1]} == *" ro,"* && ${lines[1]} == *nosuid* && ${lines[1]} == *nodev* ]] ||
		_rf_fail "ro-bind flags: ${lines[1]}"
	expect_output_not_contains wrote-ro
	expect_output_contains wrote-rw
	[[ -e $dir/data/x ]]
}

@test "a bind source is the caller's path even under an earlier --tmpfs" {
	requires root cgroup2
	rf_run run --unshare mount --tmpfs "$dir" --ro-bind "$dir/data:$dir/data" -- sh -c "ls $dir; cat $dir/data/file"
	expect_status 0
	[[ $output == $'data\nhello' ]] || _rf_fail "unexpected view"
}

@test "mount points are created inside a --tmpfs, and nowhere else" {
	requires root cgroup2
	rf_run run --unshare mount --tmpfs /tmp --ro-bind /etc/passwd:/tmp/a/b/passwd -- grep -c '^root:' /tmp/a/b/passwd
	expect_status 0
	[[ $output == 1 ]]
	rf_run run --unshare mount --bind "$dir/data:$dir/missing/dir" -- true
	expect_status 125
	expect_stderr_contains "mount point \`$dir/missing/dir\` does not exist (ringfence creates mount points only inside a --tmpfs)"
	[[ ! -e $dir/missing ]]
}

@test "a missing bind source is refused at plan time, naming it" {
	requires root cgroup2
	rf_run run --unshare mount --bind /nonexistent-rf:/mnt -- true
	expect_status 125
	expect_stderr_contains "source \`/nonexistent-rf\`"
	expect_stderr_contains "No such file or directory"
}

@test "mount options bring a mount namespace of their own" {
	requires root cgroup2
	rf_run run --tmpfs /tmp -- sh -c 'grep -c " /tmp " /proc/self/mountinfo; readlink /proc/self/ns/mnt'
	expect_status 0
	[[ ${lines[0]} -ge 1 && ${lines[1]} != "$(readlink /proc/self/ns/mnt)" ]] ||
		_rf_fail "--tmpfs without --unshare mount"
}

@test "nothing mounted inside is visible outside, during or after the run" {
	requires root cgroup2
	local before during
	before=$(mount_count)
	# The payload says when its mount is there, and waits until counted.
	"$RINGFENCE" run --unshare mount --tmpfs "$dir/data" -- sh -c \
		"touch $dir/data/marker $BATS_TEST_TMPDIR/mounted; until [ -e $BATS_TEST_TMPDIR/counted ]; do sleep 0.1; done" 3>&- &
	local pid=$!
	rf_wait_for 60 test -e "$BATS_TEST_TMPDIR/mounted"
	during=$(mount_count)
	touch "$BATS_TEST_TMPDIR/counted"
	[[ ! -e $dir/data/marker ]] || _rf_fail "a file made in the sandbox's tmpfs is visible outside"
	[[ -e $dir/data/file ]] || _rf_fail "the caller's directory is covered"
	wait "$pid" || _rf_fail "ringfence failed"
	((during == before)) || _rf_fail "mounts outside went from $before to $during during the run"
	(($(mount_count) == before))
}

@test "--chdir enters the directory; a missing or relative one is refused" {
	requires root cgroup2
	rf_run run --chdir /etc -- pwd
	expect_status 0
	[[ $output == /etc ]]
	rf_run run --chdir /nonexistent-rf -- pwd
	expect_status 125
	expect_stderr_contains "change directory to \`/nonexistent-rf\`"
	rf_run run --chdir etc -- pwd
	expect_status 125
	expect_stderr_contains "--chdir \`etc\`: expected an absolute path"
}

@test "the inherited working directory is entered again in the new view" {
	requires root cgroup2
	# The caller sits in a directory the sandbox covers with a tmpfs: the
	# payload is in the tmpfs, not in the caller's hidden directory.
	cd "$dir/data"
	rf_run run --unshare mount --tmpfs "$dir/data" -- sh -c 'pwd; ls -A | wc -l; stat -f -c %T .'
	expect_status 0
	[[ ${lines[0]} == "$dir/data" && ${lines[1]} == 0 && ${lines[2]} == tmpfs ]] ||
		_rf_fail "the payload still sees the caller's directory"
}

@test "--unshare pid gets a /proc of its own, nosuid, nodev and noexec" {
	requires root cgroup2
	rf_run run --unshare pid -- sh -c 'grep " /proc " /proc/self/mountinfo | tail -1; ls /proc | grep -c "^[0-9]"'
	expect_status 0
	[[ ${lines[0]} == *nosuid* && ${lines[0]} == *nodev* && ${lines[0]} == *noexec* ]] ||
		_rf_fail "/proc flags: ${lines[0]}"
	((${lines[1]} <= 4))
}

@test "--unshare pid: the fresh /proc keeps the host's knobs read-only and hides its secrets" {
	requires root cgroup2
	rf_run run --unshare pid -- sh -c '
		echo 1 > /proc/sys/vm/drop_caches && echo "sysctl written"
		echo h > /proc/sysrq-trigger && echo "sysrq written"
		cat /proc/sys/vm/overcommit_memory
		test -c /proc/kcore && echo "kcore is /dev/null"
		test -c /proc/keys && echo "keys is /dev/null"
		true'
	expect_status 0
	expect_stderr_contains "Read-only file system"
	expect_output_not_contains "sysctl written"
	expect_output_not_contains "sysrq written"
	# Reading stays possible: sysctls are how programs learn about the host.
	[[ ${lines[0]} == "$(cat /proc/sys/vm/overcommit_memory)" ]] || _rf_fail "sysctl not readable"
	expect_line "kcore is /dev/null"
	expect_line "keys is /dev/null"
	# The caller's /proc is untouched.
	! grep -q " /proc/sys \| /proc/kcore " /proc/self/mountinfo || _rf_fail "a /proc mount leaked out"
	[[ -w /proc/sys/vm/drop_caches ]]
}

@test "--unshare ipc: /dev/shm and /dev/mqueue of its own, writable even under --ro-root" {
	requires root cgroup2
	local tag=rf-ipc-$$
	touch "/dev/shm/$tag-outside"
	rf_run run --unshare ipc --ro-root -- sh -c "
		ls /dev/shm; touch /dev/shm/$tag-inside && echo written
		stat -c 'mqueue dev %d' /dev/mqueue"
	rm -f "/dev/shm/$tag-outside"
	expect_status 0
	expect_output_not_contains "$tag-outside"
	expect_output_contains written
	[[ ! -e /dev/shm/$tag-inside ]] || _rf_fail "a file made in the sandbox's /dev/shm is visible outside"
	# A fresh mqueue mount is a new superblock: its device differs.
	expect_output_not_contains "mqueue dev $(stat -c %d /dev/mqueue)"
	expect_output_contains "mqueue dev "
}

@test "--unshare ipc brings a mount namespace; a --tmpfs on /dev/shm still wins" {
	requires root cgroup2
	rf_run run --unshare ipc -- readlink /proc/self/ns/mnt
	expect_status 0
	[[ $output != "$(readlink /proc/self/ns/mnt)" ]] || _rf_fail "no mount namespace of its own"
	rf_run run --unshare ipc --tmpfs /dev/shm:size=1M -- sh -c 'df -k /dev/shm | tail -1'
	expect_status 0
	[[ $output == *" 1024 "* ]] || _rf_fail "/dev/shm is not the 1M --tmpfs: $output"
}

@test "a bind over /dev/shm with --unshare ipc is allowed, and said" {
	requires root cgroup2
	rf_run run --unshare ipc --bind /dev:/dev -- true
	expect_status 0
	expect_stderr_contains "the bind on \`/dev\` puts a /dev/shm or /dev/mqueue from outside"
	rf_run run --unshare ipc --tmpfs /dev/shm -- true
	expect_status 0
	[[ $stderr != *"puts a /dev/shm"* ]] || _rf_fail "warned about a --tmpfs"
}

@test "--unshare mount alone: the caller's /proc and /sys keep the host's knobs read-only and secrets hidden" {
	requires root cgroup2
	rf_run run --unshare mount -- sh -c '
		echo 1 > /proc/sys/vm/drop_caches && echo "sysctl written"
		test -c /proc/kcore && echo "kcore is /dev/null"
		test -d /sys/firmware && ! ls -A /sys/firmware | grep -q . && echo "firmware is empty"
		true'
	expect_status 0
	expect_stderr_contains "Read-only file system"
	expect_output_not_contains "sysctl written"
	expect_line "kcore is /dev/null"
	expect_line "firmware is empty"
	[[ -n $(ls -A /sys/firmware) ]] || _rf_fail "the caller's /sys/firmware is empty too"
}
