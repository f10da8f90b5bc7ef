/* Containment: no payload leaves its leaf or changes its limits, whatever its
 * uid and capabilities. On for every run; --host-cgroupfs is the one opt-out.
 *
 * The danger is cgroupfs itself. Whoever may write an ancestor's
 * cgroup.procs can move out of the leaf, and whoever may write the leaf's
 * memory.max can raise it: root may write all of cgroupfs, and a payload of
 * a caller without root has the caller's uid, which owns the leaf and its
 * parent (that is what delegation means). Capabilities do not help: the
 * default set keeps CAP_DAC_OVERRIDE, and file ownership needs none.
 *
 * The rules, each with why (the kernel's side is in
 * Documentation/admin-guide/cgroup-v2.rst, "Namespace" and "Delegation
 * Containment"):
 *
 *  1. A cgroup namespace rooted at the leaf (the child unshares it once it
 *     is inside). With the cgroup2 mount option nsdelegate the kernel then
 *     refuses to move a process to a cgroup outside the namespace, and
 *     refuses writes to the namespace root's own interface files (its
 *     limits), by whatever route the payload reaches cgroupfs. Its
 *     /proc/self/cgroup reads `0::/`.
 *  2. A mount namespace whose mounts are all made private first: the view
 *     below must not propagate back to the caller, and a cgroup2 the host
 *     mounts later must not propagate in.
 *  3. Over every cgroup2 mount point, a cgroup2 mount of the namespace's
 *     root, read-only, nosuid, nodev, noexec: the caller's mounts show the
 *     whole hierarchy (every ancestor's cgroup.procs and limits), this one
 *     only the namespace's root and what is below it; read-only, so nothing
 *     can be written there and no sub-cgroup made. It is a clone of the
 *     root's directory, or a fresh cgroup2 made from inside the cgroup
 *     namespace (view_mount() says when and why both are the same mount);
 *     never a fresh one from the initial namespace, where mounting a
 *     cgroup2 sets its options (nsdelegate or not) for the whole host.
 *  4. The inherited working directory is entered again by path (mounts.c):
 *     one inside the caller's cgroupfs would still reach it.
 *  5. Without root, a user namespace: the only way an unprivileged caller
 *     can make the other two. The payload keeps its uid and gid.
 *  6. On a cgroup2 without nsdelegate, the command is born in `payload`, a
 *     child of the leaf with no controllers, and the namespace is rooted
 *     there. Without nsdelegate the kernel guards no namespace root, and a
 *     payload that makes a user namespace of its own may mount a writable
 *     cgroup2 of its namespace's root: rooted below the leaf, that mount
 *     has no limit file (a cgroup without controllers is charged to the
 *     leaf, whose limits hold every process below it). The price: the
 *     payload finds no memory.max in its view either.
 *  7. The default capability set has no CAP_SYS_ADMIN (caps.c): the payload
 *     cannot unmount the view or mount the caller's cgroupfs again, and in a
 *     user namespace of its own the view's mounts are locked in place and
 *     read-only.
 *
 * A namespace a profile or --unshare asks for is the same namespace; rules
 * 2-4 then run after the mounts the plan asks for (mounts.c), and rules 1-3
 * cost nothing more. Containment alone adds no other mount and no guard of
 * /proc: that is what --unshare mount is for.
 *
 * What this does not cover. Without a pid namespace the payload sees the
 * host's processes, and through /proc/PID/root reaches the filesystem view
 * of any it may ptrace: its own uid's, and, as root with CAP_SETUID, any
 * uid's it switches to. That view has the caller's cgroupfs. There, with
 * nsdelegate, the kernel still keeps the payload in its leaf and the leaf's
 * limits as set (rule 1); the limits of the leaf's ancestors and of other
 * cgroups are guarded only by file permissions, and without nsdelegate
 * nothing is. A pid namespace (--unshare pid, or the untrusted profile)
 * closes that route. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "ringfence/cleanup.h"
#include "ringfence/contain.h"
#include "ringfence/isolation.h"

void rf_contain_plan(rf_isolation *iso, const rf_diag *diag)
{
	int add = CLONE_NEWCGROUP | CLONE_NEWNS;

	iso->contain_flags = 0;
	if (iso->host_cgroupfs) {
		rf_debug(diag, "--host-cgroupfs: the command sees the caller's cgroupfs");
		return;
	}
	/* Rule 5: silently, unlike a namespace asked for without root (ns.c). */
	if (geteuid() != 0)
		add |= CLONE_NEWUSER;
	/* A namespace the plan joins (linux.namespaces[].path) is not replaced. */
	iso->contain_flags = add & ~iso->ns_flags & ~rf_ns_joined_flags(iso);
}

bool rf_contain_nested(const rf_isolation *iso, bool nsdelegate)
{
	return !iso->host_cgroupfs && !nsdelegate;   /* rule 6 */
}

/* Read-only, nosuid, nodev, noexec: cgroupfs holds no programs or devices. */
#define VIEW_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

/* A clone of the namespace's root directory, one mount with nothing below
 * it, or -1. Taken only when its root is that very directory: the same
 * device and inode as the fd the supervisor opened on the cgroup the child
 * was born in. A path that no longer leads there (a mount of the new view
 * covers it, the leaf was renamed) fails that test, and so does any other
 * filesystem. Its source is private (rule 2), so the clone joins no peer
 * group. */
static int view_clone(const rf_contain_src *root)
{
	struct mount_attr a = { .attr_set = VIEW_ATTRS };
	struct stat want, got;
	int mnt;

	if (!root || root->fd < 0 || fstat(root->fd, &want) < 0)
		return -1;
	mnt = open_tree(AT_FDCWD, root->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (mnt < 0)
		return -1;
	if (fstat(mnt, &got) < 0 || got.st_dev != want.st_dev || got.st_ino != want.st_ino ||
	    mount_setattr(mnt, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0) {
		close(mnt);
		return -1;
	}
	return mnt;
}

/* The view, detached. A fresh cgroup2 mount made inside the cgroup namespace
 * is rooted by the kernel at the namespace's root and shows nothing above
 * it; a clone of that root's directory (same superblock, same root, the
 * same flags set on it) is the same mount without a filesystem context,
 * whose get_tree is most of a fresh mount's cost (measured ~0.2 ms of a run
 * under TCG, for one system call more). The fresh mount is the fallback,
 * wherever the clone cannot be had or proven (kernels before 5.12, a root
 * out of reach, a birth below the leaf). Built with the new mount API: the
 * superblock is the caller's, so mount(2) would refuse to stack it on its
 * own root (EBUSY), and MS_RDONLY would ask to change the shared
 * superblock. */
static int view_mount(const rf_contain_src *root, rf_error *err)
{
	cleanup_close int fs = -1;
	int mnt;

	if (RF_FAULT("mount.cgroup-view"))
		return rf_error_set(err, errno, "create a cgroup2 mount");
	mnt = view_clone(root);
	if (mnt >= 0)
		return mnt;
	fs = fsopen("cgroup2", FSOPEN_CLOEXEC);
	if (fs < 0 || fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return rf_error_set(err, errno, "create a cgroup2 mount");
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, VIEW_ATTRS);
	if (mnt < 0)
		return rf_error_set(err, errno, "create a cgroup2 mount");
	return mnt;
}

/* The view onto `mp`. */
static int mount_cgroup_at(const char *mp, const rf_contain_src *root, rf_error *err)
{
	cleanup_close int mnt = view_mount(root, err);

	if (mnt < 0)
		return -1;
	if (move_mount(mnt, "", AT_FDCWD, mp, MOVE_MOUNT_F_EMPTY_PATH) == 0)
		return 0;
	/* Under a mount of the new view (--tmpfs /sys): out of reach anyway. */
	if (errno == ENOENT || errno == ENOTDIR)
		return 0;
	return rf_error_set(err, errno, "mount cgroup2 on `%s`", mp);
}

/* The cgroup2 mount points of the child's mount namespace, a copy of the
 * caller's. Read through the supervisor's /proc/self/mountinfo, opened
 * before clone, whose /proc entries exist already, where a first read of
 * the child's own makes them for the new pid (measured under TCG: 0.45-0.9
 * ms for a first read in a process, 0.12-0.16 ms for another); the
 * supervisor, which read that file for its cgroup2 mount, may have read the
 * list from it already. That file shows the caller's namespace as it is
 * when read, which is the copy only if it saw no mount change since the
 * open: the kernel flags the file with POLLPRI on any, looked at after the
 * read. A mount propagated into the copy before rule 2 made it private came
 * through a peer group or master that the caller's namespace is in too, so
 * it changed that one as well. On any change, the child's own mountinfo is
 * read. *mps is the list to use, *own what to free. */
static int cgroup2_mounts(const rf_contain_src *src, char *const **mps, char ***own,
			  rf_error *err)
{
	struct pollfd p = { .fd = src ? src->mounts_fd : -1, .events = POLLPRI };

	/* The supervisor's list, or one read through its file. */
	*mps = p.fd >= 0 ? src->cgroup2_mps : NULL;
	if (p.fd >= 0 && !*mps && rf_mounts_list_fd(p.fd, "/", "cgroup2", own, err) == 0)
		*mps = *own;
	if (*mps && poll(&p, 1, 0) == 0)
		return 0;
	rf_strv_free(*own);
	*own = NULL;
	if (rf_mounts_list("/", "cgroup2", own, err) < 0)
		return -1;
	*mps = *own;
	return 0;
}

int rf_contain_view(const rf_isolation *iso, int ns_flags, const rf_contain_src *root,
		    rf_error *err)
{
	cleanup_strv char **own = NULL;
	char *const *mps = NULL;
	size_t n = 0;

	if (iso->host_cgroupfs)
		return 0;
	/* Rule 3: never from the caller's cgroup namespace, where mounting a
	 * cgroup2 resets the hierarchy's options (nsdelegate) for the host. */
	if (!(ns_flags & CLONE_NEWCGROUP))
		return rf_error_set(err, 0, "the cgroupfs view needs a cgroup namespace of its own");
	if (cgroup2_mounts(root, &mps, &own, err) < 0)
		return -1;
	while (mps[n])
		n++;
	/* Deepest first (mountinfo lists a mount after the one it is on): a
	 * cgroup2 mounted below another is covered before the outer view hides
	 * its mount point. */
	while (n--) {
		bool seen = false;

		for (size_t j = 0; j < n; j++)
			seen |= !strcmp(mps[n], mps[j]);
		if (!seen && mount_cgroup_at(mps[n], root, err) < 0)
			return rf_error_prefix(err, "contain the cgroupfs view");
	}
	return 0;
}
