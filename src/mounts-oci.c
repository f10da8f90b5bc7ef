/* The mounts of a container root (mounts-internal.h): a bundle's mounts[]
 * (and the command line's --tmpfs/--bind/--ro-bind) inside root.path, then,
 * after pivot_root, linux.sysctl and the masked and read-only paths.
 *
 * Every destination is resolved inside the root without leaving it
 * (path-root.c) and created there when missing; the mount then goes onto
 * the O_PATH fd that resolution returned, never onto a path looked up again:
 * a symlink in the rootfs, even one swapped in meanwhile, cannot place a
 * mount on the host (CVE-2019-5736 / CVE-2024-21626 class). Bind sources
 * are the host's and were made canonical at plan time; they are copied
 * (open_tree) before the first mount is placed. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "mounts-internal.h"
#include "path-root.h"
#include "ringfence/cleanup.h"

#define TMPFS_DEFAULT_MODE 01777
/* What mount(2) takes as flags; the rest of an rf_mount's are propagation. */
#define PROPAGATION (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

static bool is_bind(const rf_mount *m)
{
	return m->kind == RF_MOUNT_BIND || m->kind == RF_MOUNT_RO_BIND;
}

/* sysfs without a network namespace of its own shows the host's devices
 * either way; like runc, the host's /sys is bound instead of mounting one. */
static bool sysfs_from_host(const rf_mount *m, int ns_flags)
{
	return m->kind == RF_MOUNT_FS && !strcmp(m->fstype, "sysfs") && !(ns_flags & CLONE_NEWNET);
}

/* MS_* mount flags as MOUNT_ATTR_* (those a bind's copy can change). */
static uint64_t attrs_of(unsigned long ms)
{
	uint64_t a = 0;

	if (ms & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (ms & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (ms & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (ms & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (ms & MS_NODIRATIME)
		a |= MOUNT_ATTR_NODIRATIME;
	if (ms & MS_NOATIME)
		a |= MOUNT_ATTR_NOATIME;
	else if (ms & MS_STRICTATIME)
		a |= MOUNT_ATTR_STRICTATIME;
	return a;
}

/* The copy's own flags, then its whole tree's ("rro"...), then propagation. */
static int set_attrs(int fd, const rf_mount *m, bool *legacy, rf_error *err)
{
	struct mount_attr top = { 0 }, tree = { .attr_set = m->rec_set, .attr_clr = m->rec_clear };

	if (m->kind == RF_MOUNT_RO_BIND) {
		/* --ro-bind: read-only data, never set-uid programs or devices */
		tree.attr_set |= MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	} else if (m->oci) {
		top.attr_set = attrs_of(m->flags);
		top.attr_clr = attrs_of(m->cleared);
		if (m->flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME))
			top.attr_clr |= MOUNT_ATTR__ATIME;
	}
	if (m->propagation) {
		struct mount_attr *p = (m->propagation & MS_REC) ? &tree : &top;

		p->propagation = m->propagation & PROPAGATION;
	}
	*legacy = false;
	if ((top.attr_set | top.attr_clr | top.propagation) &&
	    mount_setattr(fd, "", AT_EMPTY_PATH, &top, sizeof(top)) < 0) {
		if (errno != ENOSYS)
			return rf_error_set(err, errno, "set the flags of the copy of `%s`", m->src);
		*legacy = true;
		return 0;
	}
	if ((tree.attr_set | tree.attr_clr | tree.propagation) &&
	    mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &tree, sizeof(tree)) < 0) {
		if (errno != ENOSYS)
			return rf_error_set(err, errno, "set the flags of the copy of `%s`", m->src);
		*legacy = true;
	}
	return 0;
}

int rf_oci_clone_sources(const rf_isolation *iso, int ns_flags, int *fds, rf_error *err)
{
	for (size_t i = 0; i < iso->n_mounts; i++) {
		rf_mount *m = &iso->mounts[i];
		const char *src = m->src;
		unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
		bool legacy;

		fds[i] = -1;
		/* The host's /sys alone, as a fresh sysfs would be, when it may. */
		if (sysfs_from_host(m, ns_flags))
			src = "/sys";
		else if (!is_bind(m))
			continue;
		else if (!m->single)
			flags |= AT_RECURSIVE;
		fds[i] = RF_FAULT("oci.copy", src) ? -1 : open_tree(AT_FDCWD, src, flags);
		/* In a user namespace a copy without the mounts below (which those
		 * would uncover) is refused: take them along. */
		if (fds[i] < 0 && errno == EINVAL && !(flags & AT_RECURSIVE))
			fds[i] = open_tree(AT_FDCWD, src, flags | AT_RECURSIVE);
		if (fds[i] < 0)
			return rf_error_set(err, errno, "copy the mount tree at `%s`", src);
		if (set_attrs(fds[i], m, &legacy, err) < 0)
			return -1;
		if (legacy)
			return rf_error_set(err, ENOSYS, "mount `%s`: this kernel has no "
					    "mount_setattr (Linux 5.12) for a bind's flags", m->dst);
	}
	return 0;
}

/* A host /sys in place of a sysfs: read-only all the way down when asked,
 * for the host's debugfs, securityfs and bpf mounts under it come along. */
static int host_sysfs(const rf_mount *m, int fd, rf_error *err)
{
	struct mount_attr a = { .attr_set = attrs_of(m->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV |
								  MS_NOEXEC)) };

	if (a.attr_set && mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
		return rf_error_set(err, errno, "make the host's /sys read-only for `%s`", m->dst);
	return 0;
}

/* A fresh cgroup2: built detached, because its superblock is the host's
 * (mount(2) with MS_RDONLY would ask to change that). Made in the cgroup
 * namespace, it shows the leaf as `/`; "ro" (as `crun spec` has it) keeps the
 * payload from making sub-cgroups or writing their limits. */
int rf_oci_cgroup2(uint64_t attrs, unsigned long propagation, int dfd, const char *path,
		   rf_error *err)
{
	cleanup_close int fs = RF_FAULT("oci.cgroup2", path) ? -1 : fsopen("cgroup2", FSOPEN_CLOEXEC);
	cleanup_close int mnt = -1;
	struct mount_attr p = { .propagation = propagation & PROPAGATION };

	if (fs < 0 || fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return rf_error_set(err, errno, "create a cgroup2 mount for `%s`", path);
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)attrs);
	if (mnt < 0)
		return rf_error_set(err, errno, "create a cgroup2 mount for `%s`", path);
	if (p.propagation && mount_setattr(mnt, "", AT_EMPTY_PATH, &p, sizeof(p)) < 0)
		return rf_error_set(err, errno, "set the propagation of `%s`", path);
	if (move_mount(mnt, "", dfd, dfd == AT_FDCWD ? path : "",
		       MOVE_MOUNT_F_EMPTY_PATH | (dfd == AT_FDCWD ? 0 : MOVE_MOUNT_T_EMPTY_PATH)) < 0)
		return rf_error_set(err, errno, "mount cgroup2 on `%s`", path);
	return 0;
}

/* "a,gid=5,b" without its gid= option. */
static void drop_gid(const char *data, char *out, size_t len)
{
	size_t o = 0;

	for (const char *p = data; *p;) {
		size_t n = strcspn(p, ",");

		if (strncmp(p, "gid=", 4) && o + n + 1 < len)
			o += (size_t)snprintf(out + o, len - o, "%s%.*s", o ? "," : "", (int)n, p);
		p += n + (p[n] == ',');
	}
	out[o] = '\0';
}

/* Any other filesystem, by mount(2) onto the destination's fd. */
static int mount_fs(const rf_mount *m, int dst, int rootfd, rf_error *err)
{
	char target[64], tmpfs_data[64], nogid[4096];
	const char *type = m->fstype, *src = m->src, *data = m->data;
	unsigned long flags = m->flags;
	cleanup_close int top = -1;

	snprintf(target, sizeof(target), "/proc/self/fd/%d", dst);
	if (m->kind == RF_MOUNT_TMPFS) {
		int n = snprintf(tmpfs_data, sizeof(tmpfs_data), "mode=%o",
				 m->mode ? m->mode : TMPFS_DEFAULT_MODE);

		if (m->size)
			snprintf(tmpfs_data + n, sizeof(tmpfs_data) - (size_t)n, ",size=%" PRIu64,
				 m->size);
		/* nosuid, nodev: scratch space holds no set-uid programs or devices */
		type = src = "tmpfs";
		data = tmpfs_data;
		flags = MS_NOSUID | MS_NODEV;
	}
	if (RF_FAULT("oci.mount", m->dst) ||
	    mount(src, target, type, flags & ~(unsigned long)(PROPAGATION | MS_REC), data) < 0) {
		/* In a user namespace gid 5 (tty) may not be mapped: devpts then
		 * gives new ptys the opener's group, as crun does. */
		if (errno != EINVAL || !data || strcmp(type, "devpts") || !strstr(data, "gid="))
			return rf_error_set(err, errno, "mount %s on `%s`", type, m->dst);
		drop_gid(data, nogid, sizeof(nogid));
		if (mount(src, target, type, flags & ~(unsigned long)(PROPAGATION | MS_REC),
			  nogid) < 0)
			return rf_error_set(err, errno, "mount %s on `%s`", type, m->dst);
	}
	if (!m->propagation)
		return 0;
	/* The fd still names the directory below: find the new mount's top. */
	top = rf_path_open_in_root(rootfd, m->dst, O_PATH | O_DIRECTORY);
	snprintf(target, sizeof(target), "/proc/self/fd/%d", top);
	if (top < 0 || mount(NULL, target, NULL, m->propagation, NULL) < 0)
		return rf_error_set(err, errno, "set the propagation of `%s`", m->dst);
	return 0;
}

int rf_oci_place(const rf_isolation *iso, size_t i, int src_fd, int rootfd, int ns_flags,
		 rf_error *err)
{
	const rf_mount *m = &iso->mounts[i];
	cleanup_close int dst = -1;
	struct stat st;
	bool file = false;

	if (src_fd >= 0) {
		if (fstat(src_fd, &st) < 0)
			return rf_error_set(err, errno, "stat the copy of `%s`", m->src);
		file = !S_ISDIR(st.st_mode);
	}
	dst = rf_path_make_in_root(rootfd, m->dst, file, err);
	if (dst < 0)
		return rf_error_prefix(err, "mount point in the root");
	if (src_fd >= 0) {
		if (RF_FAULT("oci.bind", m->dst) ||
		    move_mount(src_fd, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return rf_error_set(err, errno, "mount `%s` on `%s`",
					    m->src && is_bind(m) ? m->src : "/sys", m->dst);
		return sysfs_from_host(m, ns_flags) ? host_sysfs(m, src_fd, err) : 0;
	}
	if (m->kind == RF_MOUNT_FS && !strcmp(m->fstype, "cgroup2"))
		return rf_oci_cgroup2(attrs_of(m->flags), m->propagation, dst, m->dst, err);
	return mount_fs(m, dst, rootfd, err);
}

/* ---- before pivot_root, every mount in place -------------------------- */

int rf_oci_sysctl(const rf_isolation *iso, int rootfd, rf_error *err)
{
	for (size_t i = 0; i < iso->n_sysctl; i++) {
		const rf_kv *kv = &iso->sysctl[i];
		char path[PATH_MAX];
		cleanup_close int fd = -1;
		size_t len = strlen(kv->value);

		/* "net.ipv4.ip_forward" -> /proc/sys/net/ipv4/ip_forward; a name
		 * given with slashes is taken as it is. The container's /proc shows
		 * the namespaces we are in already. */
		snprintf(path, sizeof(path), "/proc/sys/%s", kv->key);
		if (!strchr(kv->key, '/'))
			for (char *c = path + strlen("/proc/sys/"); *c; c++)
				if (*c == '.')
					*c = '/';
		fd = rf_path_open_in_root(rootfd, path, O_WRONLY | O_NOFOLLOW);
		if (fd < 0)
			return rf_error_set(err, errno, "linux.sysctl[\"%s\"]: open `%s` (is /proc "
					    "among the mounts?)", kv->key, path);
		if (write(fd, kv->value, len) != (ssize_t)len)
			return rf_error_set(err, errno, "linux.sysctl[\"%s\"]: write `%s`", kv->key,
					    kv->value);
	}
	return 0;
}

/* A file under a copy of the host's /dev/null, a directory under an empty
 * read-only tmpfs: nothing to read, nothing to write. */
static int hide_at(int dst, const char *path, bool dir, int devnull, rf_error *err)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	cleanup_close int clone = -1;
	char target[64];

	if (dir) {
		snprintf(target, sizeof(target), "/proc/self/fd/%d", dst);
		if (RF_FAULT("oci.mask", path) ||
		    mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=4k,mode=0555") < 0)
			return rf_error_set(err, errno, "hide `%s` under an empty tmpfs", path);
		return 0;
	}
	/* Read-only as well, as crun has it: a write is refused, not swallowed. */
	clone = RF_FAULT("oci.mask", path) ? -1 :
		open_tree(devnull, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (clone < 0 || mount_setattr(clone, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0 ||
	    move_mount(clone, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return rf_error_set(err, errno, "hide `%s` under /dev/null", path);
	return 0;
}

/* The path bound onto itself, read-only with everything below it. */
static int read_only_at(int dst, const char *path, rf_error *err)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
	cleanup_close int clone = open_tree(dst, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
					    AT_EMPTY_PATH | AT_RECURSIVE);

	if (clone < 0)
		return rf_error_set(err, errno, "copy `%s`", path);
	if (RF_FAULT("oci.read-only", path) ||
	    mount_setattr(clone, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
		return rf_error_set(err, errno, "make `%s` read-only", path);
	if (move_mount(clone, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return rf_error_set(err, errno, "bind `%s` onto itself", path);
	return 0;
}

static int guard_list(int rootfd, const char *const *list, size_t n, bool masked, int devnull,
		      rf_error *err)
{
	for (size_t i = 0; i < n; i++) {
		cleanup_close int fd = rf_path_open_in_root(rootfd, list[i], O_PATH);
		struct stat st;

		/* Missing in this root, or this kernel: nothing to guard. */
		if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
			continue;
		if (fd < 0 || fstat(fd, &st) < 0)
			return rf_error_set(err, errno, "open `%s` in the root", list[i]);
		if (masked ? hide_at(fd, list[i], S_ISDIR(st.st_mode), devnull, err) < 0
			   : read_only_at(fd, list[i], err) < 0)
			return -1;
	}
	return 0;
}

static size_t strv_len(char **v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

int rf_oci_guard_paths(const rf_isolation *iso, int rootfd, int devnull, rf_error *err)
{
	char **ro = iso->readonly_paths, **masked = iso->masked_paths;

	if (ro ? guard_list(rootfd, (const char *const *)ro, strv_len(ro), false, devnull, err)
	       : guard_list(rootfd, rf_mnt_default_readonly, rf_mnt_n_default_readonly, false,
			    devnull, err))
		return -1;
	if (masked ? guard_list(rootfd, (const char *const *)masked, strv_len(masked), true,
				devnull, err)
		   : guard_list(rootfd, rf_mnt_default_masked, rf_mnt_n_default_masked, true,
				devnull, err))
		return -1;
	return 0;
}
