/* The filesystem view of the payload: the --tmpfs/--bind/--ro-bind parsers and
 * the child's mount setup.
 *
 * Order inside the new mount namespace (rf_mounts_apply), and why:
 *  1. `/` becomes recursively private, so nothing mounted in here reaches the
 *     caller's namespace and nothing mounted there later shows up in here.
 *  2. Every bind source is cloned as a detached tree (open_tree) while the view
 *     is still the caller's: SRC always names the caller's path, even one a
 *     --tmpfs later covers (--tmpfs /tmp --bind /tmp/.X11-unix works), and
 *     --ro-bind clones are made read-only while still detached.
 *  3. --ro-root makes every mount of the caller's view read-only. It runs
 *     before the sandbox's own mounts are placed: the detached clones are not
 *     in the tree it changes and the tmpfs mounts do not exist yet, so both
 *     stay writable (a bind copies the per-mount read-only flag of its source,
 *     so binding after a read-only root would give read-only binds).
 *  4. A new ipc namespace gets a fresh /dev/mqueue and a private /dev/shm,
 *     writable under --ro-root and beneath the sandbox's own mounts.
 *  5. The --tmpfs/--bind/--ro-bind mounts are placed in the order given; a
 *     missing mount point is created only inside an earlier --tmpfs.
 *  6. A new pid namespace gets a fresh /proc. The parts of /proc and /sys
 *     that reach the host are made read-only or hidden, after the sandbox's
 *     own mounts so a bind cannot uncover them.
 *  7. The cgroupfs view of containment (contain.c): a fresh, read-only
 *     cgroup2 over every cgroup2 mount point, also over one a bind placed.
 *     When the mount namespace is there for containment alone, steps 2-6
 *     are skipped.
 *  8. The inherited working directory is entered again by path.
 *
 * With a container root (--rootfs, a bundle) the order is another, in
 * mounts-rootfs.c; the helpers it shares are in mounts-internal.h.
 *
 * Kernels before 5.12 lack mount_setattr(); there the read-only flag is set
 * one mount at a time with mount(MS_REMOUNT | MS_BIND), walking mountinfo. */
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
#include <sys/statvfs.h>
#include <unistd.h>

#include "fault.h"
#include "ringfence/fds.h"
#include "ringfence/cleanup.h"
#include "ringfence/contain.h"
#include "ringfence/isolation.h"
#include "ringfence/parse.h"
#include "ringfence/setuid.h"
#include "mounts-internal.h"

#define TMPFS_DEFAULT_MODE 01777
#define TMPFS_MIN_SIZE 4096
/* A bound far above any real mount table (fs.mount-max is 100000 mounts per
 * namespace, a mountinfo line a few hundred bytes), so a runaway file fails
 * with a message rather than with the memory. */
#define MOUNTINFO_MAX ((size_t)256 << 20)

/* ---- parsing (plan time) ----------------------------------------------- */

/* Is `a` the same path as `b` or one of its ancestors (whole components)? */
static bool path_covers(const char *a, const char *b)
{
	size_t n = strlen(a);

	return !strncmp(a, b, n) && (b[n] == '\0' || b[n] == '/');
}

/* "/a//b/" -> "/a/b"; no relative paths, no "." or "..", not "/" itself. */
int rf_mount_normalize_dst(const char *in, char **out, rf_error *err)
{
	cleanup_free char *buf = NULL;
	const char *p = in;
	size_t o = 0;

	if (in[0] != '/')
		return rf_error_set(err, 0, "destination `%s` is not an absolute path", in);
	buf = malloc(strlen(in) + 1);
	if (!buf)
		return rf_error_set(err, ENOMEM, "allocate a path");
	for (;;) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (!len)
			break;
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return rf_error_set(err, 0, "destination `%s` contains `.` or `..`", in);
		buf[o++] = '/';
		memcpy(buf + o, p, len);
		o += len;
		p += len;
	}
	if (o == 0)
		return rf_error_set(err, 0, "cannot mount over `/` (--ro-root or root.readonly "
				    "makes it read-only)");
	buf[o] = '\0';
	*out = steal_pointer(&buf);
	return 0;
}

/* "size=SIZE,mode=MODE" in any order. */
static int tmpfs_options(char *opts, rf_mount *m, rf_error *err)
{
	char *next = opts;

	if (!*opts)
		return rf_error_set(err, 0, "empty option list after `:` (expected size=SIZE "
				    "and/or mode=MODE)");
	while (next) {
		char *o = strsep(&next, ",");

		if (!strncmp(o, "size=", 5)) {
			if (rf_parse_size(o + 5, &m->size, err) < 0)
				return rf_error_prefix(err, "size");
			if (m->size == RF_MAX)
				return rf_error_set(err, 0, "size `max` is not a tmpfs size (leave "
						    "size out for the kernel default, half of RAM)");
			if (m->size < TMPFS_MIN_SIZE)
				return rf_error_set(err, 0, "size `%s` is below one page (4K)",
						    o + 5);
		} else if (!strncmp(o, "mode=", 5)) {
			rf_error e;

			if (rf_parse_mode(o + 5, &m->mode, &e) < 0)
				return rf_error_set(err, 0, "mode %s", e.msg);
		} else {
			return rf_error_set(err, 0, "unknown tmpfs option `%s` (expected size=SIZE "
					    "or mode=MODE)", o);
		}
	}
	return 0;
}

/* The source must exist now; it is kept canonical, so errors and the report
 * name the real path and the child does not depend on our cwd. */
static int bind_source(const char *in, char **out, rf_error *err)
{
	if (!*in)
		return rf_error_set(err, 0, "empty source path");
	*out = realpath(in, NULL);
	if (!*out)
		return rf_error_set(err, errno, "source `%s`", in);
	return 0;
}

static int add_mount(rf_isolation *iso, const rf_mount *m, rf_error *err)
{
	rf_mount *v = realloc(iso->mounts, (iso->n_mounts + 1) * sizeof(*v));

	if (!v)
		return rf_error_set(err, ENOMEM, "allocate a mount");
	iso->mounts = v;
	v[iso->n_mounts++] = *m;
	return 0;
}

int rf_mount_parse(rf_mount_kind kind, const char *spec, rf_isolation *iso, rf_error *err)
{
	cleanup_free char *copy = strdup(spec);
	cleanup_free char *src = NULL;
	cleanup_free char *dst = NULL;
	rf_mount m = { .kind = kind };
	char *colon;

	if (!copy)
		return rf_error_set(err, ENOMEM, "allocate a mount");
	colon = strchr(copy, ':');
	if (colon)
		*colon++ = '\0';
	if (kind == RF_MOUNT_TMPFS) {
		if (rf_mount_normalize_dst(copy, &dst, err) < 0 ||
		    (colon && tmpfs_options(colon, &m, err) < 0))
			return rf_error_prefix(err, "`%s`", spec);
	} else {
		if (colon && strchr(colon, ':'))
			return rf_error_set(err, 0, "`%s`: expected SRC:DST or SRC (paths with "
					    "`:` are not supported)", spec);
		if (bind_source(copy, &src, err) < 0 ||
		    rf_mount_normalize_dst(colon ? colon : src, &dst, err) < 0)
			return rf_error_prefix(err, "`%s`", spec);
	}
	m.src = src;
	m.dst = dst;
	if (add_mount(iso, &m, err) < 0)
		return -1;
	src = NULL;
	dst = NULL;
	return 0;
}

/* ---- mountinfo ------------------------------------------------------- */

static int list_mounts(FILE *f, const char *top, const char *fstype, char ***out, rf_error *err)
{
	cleanup_free char *line = NULL;
	cleanup_strv char **v = NULL;
	size_t cap = 0, n = 0, len = 0;

	while (getline(&line, &len, f) > 0) {
		rf_mountinfo mi;

		if (rf_parse_mountinfo(line, &mi) < 0)
			return rf_error_set(err, 0, "unexpected line in `/proc/self/mountinfo`");
		if (!path_covers(strcmp(top, "/") ? top : "", mi.mount_point) ||
		    (fstype && strcmp(mi.fstype, fstype)))
			continue;
		if (n + 2 > cap) {
			char **nv = realloc(v, (cap = cap ? 2 * cap : 32) * sizeof(*v));

			if (!nv)
				return rf_error_set(err, ENOMEM, "allocate the mount list");
			v = nv;
		}
		v[n] = strdup(mi.mount_point);
		if (!v[n])
			return rf_error_set(err, ENOMEM, "allocate the mount list");
		v[++n] = NULL;
	}
	if (ferror(f))
		return rf_error_set(err, errno, "read `/proc/self/mountinfo`");
	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return rf_error_set(err, ENOMEM, "allocate the mount list");
	}
	*out = steal_pointer(&v);
	return 0;
}

int rf_mounts_list(const char *top, const char *fstype, char ***out, rf_error *err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return rf_error_set(err, errno, "open `/proc/self/mountinfo`");
	return list_mounts(f, top, fstype, out, err);
}

int rf_mounts_list_text(const char *text, size_t len, const char *top, const char *fstype,
			char ***out, rf_error *err)
{
	cleanup_fclose FILE *f = NULL;

	if (!len) {
		*out = calloc(1, sizeof(**out));
		return *out ? 0 : rf_error_set(err, ENOMEM, "allocate the mount list");
	}
	f = fmemopen((char *)text, len, "r");
	if (!f)
		return rf_error_set(err, errno, "read `/proc/self/mountinfo`");
	return list_mounts(f, top, fstype, out, err);
}

/* Read whole with read(2), parsed from memory: no system call for a stream
 * of its own, and the fd stays the caller's. */
int rf_mounts_list_fd(int fd, const char *top, const char *fstype, char ***out, rf_error *err)
{
	cleanup_free char *buf = NULL;
	size_t len;

	if (rf_mounts_read_fd(fd, &buf, &len, err) < 0)
		return -1;
	return rf_mounts_list_text(buf, len, top, fstype, out, err);
}

int rf_mounts_read_fd(int fd, char **text, size_t *len, rf_error *err)
{
	return rf_read_all(fd, "/proc/self/mountinfo", MOUNTINFO_MAX, text, len, err);
}

/* ---- read-only ------------------------------------------------------- */

/* Remount one mount read-only with mount(2), carrying the flags it has: in a
 * user namespace the nosuid/nodev/noexec/atime flags a mount came with are
 * locked, and a remount that would clear them fails with EPERM. */
static int remount_ro_legacy(const char *mp, unsigned long extra, rf_error *err)
{
	static const struct {
		unsigned long st, ms;
	} carry[] = {
		{ ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV }, { ST_NOEXEC, MS_NOEXEC },
		{ ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME },
		{ ST_RELATIME, MS_RELATIME },
	};
	unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY | extra;
	struct statvfs sv;

	if (statvfs(mp, &sv) < 0)
		return rf_error_set(err, errno, "stat the mount on `%s`", mp);
	for (size_t i = 0; i < RF_ARRAY_SIZE(carry); i++)
		if (sv.f_flag & carry[i].st)
			flags |= carry[i].ms;
	if (mount(NULL, mp, NULL, flags, NULL) == 0)
		return 0;
	/* The path leads to a plain directory of a mount that covers this one;
	 * the covering mount is in the list too. */
	if (errno == EINVAL)
		return 0;
	return rf_error_set(err, errno, "remount `%s` read-only", mp);
}

/* Every mount at or under `top`, one at a time (kernels before 5.12). */
static int tree_ro_legacy(const char *top, unsigned long extra, rf_error *err)
{
	cleanup_strv char **mps = NULL;

	if (rf_mounts_list(top, NULL, &mps, err) < 0)
		return -1;
	for (char **mp = mps; *mp; mp++) {
		char real[PATH_MAX];

		/* Missing, or behind a directory we cannot search: a mount hidden
		 * under another, out of the payload's reach as well. A path that is
		 * no longer canonical goes through a symlink of the new view to some
		 * other place, which is not part of this tree. */
		if (!realpath(*mp, real)) {
			if (errno == ENOENT || errno == ENOTDIR || errno == EACCES)
				continue;
			return rf_error_set(err, errno, "resolve the mount point `%s`", *mp);
		}
		if (strcmp(real, *mp))
			continue;
		if (remount_ro_legacy(*mp, extra, err) < 0)
			return -1;
	}
	return 0;
}

/* Read-only (plus `attrs`) for the whole tree at `path`, or at the detached
 * tree `fd` when fd >= 0. Returns 1 when the kernel has no mount_setattr. */
static int tree_ro(int fd, const char *path, uint64_t attrs, rf_error *err)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY | attrs };
	unsigned flags = AT_RECURSIVE | (fd >= 0 ? AT_EMPTY_PATH : 0);

	if (!RF_FAULT("mount.read-only", path) &&
	    mount_setattr(fd >= 0 ? fd : AT_FDCWD, fd >= 0 ? "" : path, flags, &a, sizeof(a)) == 0)
		return 0;
	if (errno == ENOSYS)
		return 1;
	return rf_error_set(err, errno, "make `%s` read-only", path);
}

/* Read-only for the whole tree at `path`, on any kernel. */
static int path_ro(const char *path, rf_error *err)
{
	int r = tree_ro(-1, path, 0, err);

	return r == 1 ? tree_ro_legacy(path, 0, err) : r;
}

/* ---- placing the mounts ---------------------------------------------- */

/* A detached copy of a bind source, and whether it still has to be made
 * read-only once placed (no mount_setattr for detached trees). */
struct tree {
	int fd;
	bool ro_after;
};

static int clone_sources(const rf_isolation *iso, struct tree *t, rf_error *err)
{
	for (size_t i = 0; i < iso->n_mounts; i++) {
		const rf_mount *m = &iso->mounts[i];
		int r;

		if (m->kind == RF_MOUNT_TMPFS)
			continue;
		/* Recursive: the source's submounts come along (and in a user
		 * namespace a copy that would uncover what they hide is refused). */
		t[i].fd = RF_FAULT("mount.copy", m->src) ? -1 : open_tree(AT_FDCWD, m->src,
				    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (t[i].fd < 0)
			return rf_error_set(err, errno, "copy the mount tree at `%s`", m->src);
		if (m->kind != RF_MOUNT_RO_BIND)
			continue;
		/* nosuid, nodev: a read-only view is for data and programs; set-uid
		 * bits and device nodes in it would be a way around the sandbox. */
		r = tree_ro(t[i].fd, m->src, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
		if (r < 0)
			return -1;
		t[i].ro_after = r == 1;
	}
	return 0;
}

/* mkdir -p below the tmpfs at path[0..from), then the mount point itself. */
static int make_mountpoint(const char *path, size_t from, bool dir, rf_error *err)
{
	cleanup_free char *p = strdup(path);
	cleanup_close int fd = -1;

	if (!p)
		return rf_error_set(err, ENOMEM, "allocate a path");
	for (char *s = strchr(p + from + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return rf_error_set(err, errno, "create the directory `%s`", p);
		*s = '/';
	}
	if (dir) {
		if (mkdir(p, 0755) < 0)
			return rf_error_set(err, errno, "create the mount point `%s`", p);
		return 0;
	}
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return rf_error_set(err, errno, "create the mount point `%s`", p);
	return 0;
}

static int ensure_mountpoint(const rf_isolation *iso, size_t i, bool dir, rf_error *err)
{
	const char *dst = iso->mounts[i].dst;
	const rf_mount *cover = NULL;
	struct stat st;

	if (stat(dst, &st) == 0) {
		if (!S_ISDIR(st.st_mode) == !dir)
			return 0;
		return rf_error_set(err, 0, "mount point `%s` is %s, the mount needs %s", dst,
				    dir ? "not a directory" : "a directory",
				    dir ? "a directory" : "a file");
	}
	if (errno != ENOENT)
		return rf_error_set(err, errno, "mount point `%s`", dst);
	/* Created only inside our own tmpfs: anywhere else it would change the
	 * caller's files. The innermost earlier mount decides. */
	for (size_t j = 0; j < i; j++)
		if (path_covers(iso->mounts[j].dst, dst))
			cover = &iso->mounts[j];
	if (!cover || cover->kind != RF_MOUNT_TMPFS)
		return rf_error_set(err, 0, "mount point `%s` does not exist (ringfence "
				    "creates mount points only inside a --tmpfs)", dst);
	return make_mountpoint(dst, strlen(cover->dst), dir, err);
}

static int mount_tmpfs(const rf_mount *m, rf_error *err)
{
	char opts[64];
	int n;

	/* mode 1777 unless asked: every uid may create files, and the sticky bit
	 * keeps them from removing each other's (as on /tmp). */
	n = snprintf(opts, sizeof(opts), "mode=%o", m->mode ? m->mode : TMPFS_DEFAULT_MODE);
	if (m->size)
		snprintf(opts + n, sizeof(opts) - (size_t)n, ",size=%" PRIu64, m->size);
	/* nosuid: a set-uid program written to scratch space gains nothing;
	 * nodev: neither does a device node made there. */
	if (RF_FAULT("mount.tmpfs", m->dst) ||
	    mount("tmpfs", m->dst, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return rf_error_set(err, errno, "mount a tmpfs on `%s`", m->dst);
	return 0;
}

static int place(const rf_isolation *iso, size_t i, const struct tree *t, rf_error *err)
{
	const rf_mount *m = &iso->mounts[i];
	struct stat st;

	if (m->kind == RF_MOUNT_TMPFS)
		return ensure_mountpoint(iso, i, true, err) < 0 ? -1 : mount_tmpfs(m, err);
	if (fstat(t->fd, &st) < 0)
		return rf_error_set(err, errno, "stat the copy of `%s`", m->src);
	if (ensure_mountpoint(iso, i, S_ISDIR(st.st_mode), err) < 0)
		return -1;
	if (RF_FAULT("mount.bind", m->dst) ||
	    move_mount(t->fd, "", AT_FDCWD, m->dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return rf_error_set(err, errno, "mount `%s` on `%s`", m->src, m->dst);
	if (t->ro_after)
		return tree_ro_legacy(m->dst, MS_NOSUID | MS_NODEV, err);
	return 0;
}

/* ---- kernel filesystems ---------------------------------------------- */

/* /proc shows the pid namespace's processes, but most of the rest of procfs,
 * and sysfs, are the host's whatever the namespaces. As runc does for its
 * containers, in any mount namespace: read-only where a write reaches the
 * host, hidden where a read reveals it. Paths this kernel lacks are skipped.
 * A payload that keeps CAP_SYS_ADMIN could unmount these; the default
 * capability set does not have it. */
static const char *const host_read_only[] = {
	"/proc/sys",            /* sysctls, most host-wide: vm.panic_on_oom, kernel.* */
	"/proc/sysrq-trigger",  /* one write reboots, crashes or OOM-kills the host */
	"/proc/irq",            /* the host's interrupt affinities */
	"/proc/bus",            /* config space of the host's PCI and USB devices */
	"/proc/fs",             /* host filesystem and nfsd knobs */
	"/proc/asound",         /* the host's sound cards */
};

static const char *const host_hidden[] = {
	"/proc/kcore",          /* the host's physical memory as a core file */
	"/proc/keys",           /* every key on the host the reader may view */
	"/proc/timer_list",     /* the host's timers, naming their tasks */
	"/proc/timer_stats",    /* the same, on kernels before 4.11 */
	"/proc/sched_debug",    /* every host task, by name, with scheduler state */
	"/proc/latency_stats",  /* host-wide latency records */
	"/proc/acpi",           /* firmware tables and power knobs */
	"/proc/scsi",           /* the host's SCSI devices; a write rescans them */
	"/sys/firmware",        /* ACPI tables, DMI serial numbers, EFI variables */
	"/sys/devices/virtual/powercap", /* energy counters: a power side channel */
};

/* The path bound onto itself, then read-only (with what is mounted below). */
static int make_read_only_in_place(const char *path, rf_error *err)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return rf_error_set(err, errno, "bind `%s` onto itself", path);
	return path_ro(path, err);
}

/* A file covered by /dev/null (an O_PATH fd opened while the caller's /dev was
 * still in view), a directory by an empty read-only tmpfs. */
static int hide_path(const char *path, bool dir, int devnull, rf_error *err)
{
	char src[64];

	if (dir) {
		if (RF_FAULT("mount.hide", path) ||
		    mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=4k,mode=0555") < 0)
			return rf_error_set(err, errno, "hide `%s` under an empty tmpfs", path);
		return 0;
	}
	snprintf(src, sizeof(src), "/proc/self/fd/%d", devnull);
	if (RF_FAULT("mount.hide", path) || mount(src, path, NULL, MS_BIND, NULL) < 0)
		return rf_error_set(err, errno, "hide `%s` under /dev/null", path);
	return 0;
}

static int mount_proc(rf_error *err)
{
	/* nosuid, nodev, noexec: procfs holds no programs or devices, and in a
	 * user namespace proc may only be mounted as restricted as the caller's. */
	if (RF_FAULT("mount.proc") ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return rf_error_set(err, errno, "mount a fresh `/proc`");
	return 0;
}

/* host_read_only and host_hidden over the payload's view, fresh /proc or the
 * caller's. */
static int guard_host_files(int devnull, rf_error *err)
{
	struct stat st;

	for (size_t i = 0; i < RF_ARRAY_SIZE(host_read_only); i++)
		if (lstat(host_read_only[i], &st) == 0 &&
		    make_read_only_in_place(host_read_only[i], err) < 0)
			return -1;
	for (size_t i = 0; i < RF_ARRAY_SIZE(host_hidden); i++)
		if (lstat(host_hidden[i], &st) == 0 &&
		    hide_path(host_hidden[i], S_ISDIR(st.st_mode), devnull, err) < 0)
			return -1;
	return 0;
}

/* System V IPC and POSIX message queues follow the ipc namespace, but queues
 * are reached through an mqueue mount and POSIX shared memory through the
 * /dev/shm tmpfs, and the caller's are shared with the host. A fresh mqueue
 * shows the new namespace's queues; a private /dev/shm keeps shared memory
 * among the payload's processes, its pages charged to the leaf like any
 * tmpfs. nosuid, nodev, noexec: both hold data, never programs or devices.
 * Only where the caller's view has the directory: /dev is the caller's
 * devtmpfs, and a directory made there would show up on the host. Placed
 * before the sandbox's own mounts, so --tmpfs /dev/shm still wins. */
static int mount_ipc(rf_error *err)
{
	const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	struct stat st;

	if (stat("/dev/mqueue", &st) == 0 && S_ISDIR(st.st_mode) &&
	    (RF_FAULT("mount.mqueue") || mount("mqueue", "/dev/mqueue", "mqueue", flags, NULL) < 0) &&
	    errno != ENODEV)
		return rf_error_set(err, errno, "mount a fresh `/dev/mqueue`");
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
	    (RF_FAULT("mount.shm") || mount("shm", "/dev/shm", "tmpfs", flags, "mode=1777") < 0))
		return rf_error_set(err, errno, "mount a private tmpfs on `/dev/shm`");
	return 0;
}

/* The inherited working directory still points into the caller's view, even
 * where a mount now covers it: enter it again by path, or `/` when that path
 * does not exist in the new view (--chdir chooses another). */
static int reenter_cwd(rf_error *err)
{
	bool as_caller = rf_setuid_active(), back;
	char cwd[PATH_MAX];

	/* Setuid-root: by path with the caller's rights (its filesystem uid and
	 * gid), so a directory of the path swapped for a symlink meanwhile leads
	 * nowhere the caller could not go itself. */
	if (as_caller && rf_setuid_files_as_root(false, err) < 0)
		return -1;
	back = getcwd(cwd, sizeof(cwd)) && chdir(cwd) == 0;
	if (as_caller && rf_setuid_files_as_root(true, err) < 0)
		return -1;
	if (back)
		return 0;
	if (chdir("/") < 0)
		return rf_error_set(err, errno, "change directory to `/`");
	return 0;
}

/* The view the plan asks for, in a mount namespace it asked for (or implied). */
static int apply_view(const rf_isolation *iso, int ns_flags, rf_error *err)
{
	cleanup_free struct tree *t = NULL;
	cleanup_close int devnull = -1;
	int rc = -1;

	t = calloc(iso->n_mounts + 1, sizeof(*t));
	if (!t)
		return rf_error_set(err, ENOMEM, "allocate the mount list");
	for (size_t i = 0; i < iso->n_mounts; i++)
		t[i].fd = -1;
	devnull = open("/dev/null", O_PATH | O_CLOEXEC);
	if (devnull < 0)
		return rf_error_set(err, errno, "open `/dev/null`");

	if (clone_sources(iso, t, err) < 0)
		goto out;
	if (iso->ro_root && path_ro("/", err) < 0)
		goto out;
	if ((ns_flags & CLONE_NEWIPC) && mount_ipc(err) < 0)
		goto out;
	for (size_t i = 0; i < iso->n_mounts; i++)
		if (place(iso, i, &t[i], err) < 0)
			goto out;
	if ((ns_flags & CLONE_NEWPID) && mount_proc(err) < 0)
		goto out;
	rc = guard_host_files(devnull, err);
out:
	for (size_t i = 0; i < iso->n_mounts; i++)
		if (t[i].fd >= 0)
			close(t[i].fd);
	return rc;
}

int rf_mounts_apply(const rf_isolation *iso, int ns_flags, const rf_contain_src *root,
		    const rf_mount_stop *stop, rf_error *err)
{
	if (!(ns_flags & CLONE_NEWNS))
		return 0;
	/* A container root is another sequence: mounts-rootfs.c. */
	if (iso->rootfs)
		return rf_rootfs_apply(iso, ns_flags, stop, err);
	if (RF_FAULT("mount.private") || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return rf_error_set(err, errno, "make the mounts under `/` private");
	/* A mount namespace added only for containment gets the cgroupfs view
	 * and nothing else. */
	if ((iso->ns_flags & CLONE_NEWNS) && apply_view(iso, ns_flags, err) < 0)
		return -1;
	if (rf_contain_view(iso, ns_flags, root, err) < 0)
		return -1;
	return reenter_cwd(err);
}

/* ---- shared with the container root (mounts-internal.h) -------------- */

const char *const *const rf_mnt_default_readonly = host_read_only;
const size_t rf_mnt_n_default_readonly = RF_ARRAY_SIZE(host_read_only);
const char *const *const rf_mnt_default_masked = host_hidden;
const size_t rf_mnt_n_default_masked = RF_ARRAY_SIZE(host_hidden);

int rf_mnt_tree_ro(int fd, const char *path, uint64_t attrs, rf_error *err)
{
	return tree_ro(fd, path, attrs, err);
}

int rf_mnt_tree_ro_legacy(const char *top, unsigned long extra, rf_error *err)
{
	return tree_ro_legacy(top, extra, err);
}

int rf_mnt_remount_ro(const char *mp, rf_error *err)
{
	return remount_ro_legacy(mp, 0, err);
}
