/* A container root: the payload's `/` is iso->rootfs (--rootfs, a bundle's
 * root.path), and nothing of the host's filesystem stays reachable.
 *
 * Order inside the new mount namespace (rf_rootfs_apply), and why:
 *  1. `/` becomes recursively private (or slave, for rootfsPropagation
 *     "slave"/"rslave": the host's later mounts show up inside, nothing
 *     goes back), so nothing mounted here reaches the host.
 *  2. The rootfs is bound onto itself: pivot_root needs a mount point, and
 *     what is mounted below it from here on moves along with it.
 *  3. While the host's view is still ours: an O_PATH fd of the root, one of
 *     /dev/null (to mask files with later), and detached copies of every
 *     bind source (mounts-oci.c).
 *  4. mounts[] in order, each destination resolved inside the root and
 *     created there when missing, never followed out (mounts-oci.c).
 *  5. /dev: the default devices, its symlinks, linux.devices (mounts-dev.c);
 *     after the mounts, so they land in the bundle's /dev tmpfs.
 *  6. linux.sysctl, in the container's /proc/sys.
 *  7. The read-only paths, then the masked ones (the bundle's, or runc's
 *     defaults), after every mount so none can uncover them; before
 *     pivot_root, whose old root takes the host's /dev/null out of reach.
 *  8. The stop the caller asked for (the OCI hooks that run before
 *     pivot_root: child.c), with the whole root in place and the host's
 *     paths still in view.
 *  9. pivot_root(2) into the root, and the old root detached: the host's
 *     mounts are gone from this namespace, not just out of sight. Where `/`
 *     is an initramfs, which pivot_root cannot leave, every host mount is
 *     detached instead, the root moved over `/`, and entered with chroot(2).
 * 10. A cgroup2 of the host's that came in with a bind is covered by a fresh
 *     read-only one (contain.c's rule 3); the bundle's own cgroup entries
 *     were made fresh, in the cgroup namespace, with its flags.
 * 11. root.readonly: the root's own mount read-only (the mounts on it keep
 *     their flags); then a shared or unbindable rootfsPropagation.
 * 12. chdir("/"): no working directory of the host's survives.
 * What is not done here: the cgroup namespace (child.c) comes before,
 * hostname and loopback (ns.c) after. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fault.h"
#include "mounts-internal.h"
#include "ringfence/cleanup.h"
#include "ringfence/isolation.h"
#include "ringfence/parse.h"

#define PROPAGATION (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

static int pivot(int rootfd, rf_error *err)
{
	if (fchdir(rootfd) < 0)
		return rf_error_set(err, errno, "enter the root");
	/* pivot_root(".", "."): the old root ends up mounted over the new one,
	 * at ".", where it can be detached without a directory for it. */
	if (RF_FAULT("rootfs.pivot") || syscall(SYS_pivot_root, ".", ".") < 0)
		return rf_error_set(err, errno, "pivot_root into the root");
	if (RF_FAULT("rootfs.detach") || umount2(".", MNT_DETACH) < 0)
		return rf_error_set(err, errno, "detach the old root");
	return 0;
}

/* Every mount outside the root is detached, deepest first, then the root
 * moved over `/` and entered. Without this, a chroot would leave the host's
 * mounts in the namespace, one escape away. */
static int move_root(const char *rootfs, int rootfd, rf_error *err)
{
	cleanup_strv char **mps = NULL;
	size_t n = 0, len = strlen(rootfs);

	if (rf_mounts_list("/", NULL, &mps, err) < 0)
		return -1;
	while (mps[n])
		n++;
	while (n--) {
		const char *mp = mps[n];

		if (!strcmp(mp, "/") || (!strncmp(mp, rootfs, len) && (!mp[len] || mp[len] == '/')))
			continue;
		if (umount2(mp, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
			return rf_error_set(err, errno, "detach the host's `%s`", mp);
	}
	if (fchdir(rootfd) < 0)
		return rf_error_set(err, errno, "enter the root");
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return rf_error_set(err, errno, "move the root over `/`");
	if (chroot(".") < 0)
		return rf_error_set(err, errno, "chroot into the root");
	return 0;
}

/* The root's own mount read-only, not the mounts on it (/dev, /proc...). */
static int root_read_only(rf_error *err)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };

	if (!RF_FAULT("rootfs.read-only") && mount_setattr(AT_FDCWD, "/", 0, &a, sizeof(a)) == 0)
		return 0;
	if (errno != ENOSYS)
		return rf_error_set(err, errno, "make the root read-only");
	return rf_mnt_remount_ro("/", err);
}

/* contain.c's view, in a container root: the bundle's own cgroup entries
 * were mounted fresh in the cgroup namespace (their root `/`), as the bundle
 * asked; a cgroup2 that came in with a bind of the host's shows a root
 * outside the namespace (the whole hierarchy) and gets a fresh read-only
 * one over it. */
static int cover_host_cgroupfs(const rf_isolation *iso, int ns_flags, rf_error *err)
{
	cleanup_fclose FILE *f = NULL;
	cleanup_free char *line = NULL;
	size_t len = 0;

	if (iso->host_cgroupfs || !(ns_flags & CLONE_NEWCGROUP))
		return 0;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return rf_error_set(err, errno, "open `/proc/self/mountinfo`");
	while (getline(&line, &len, f) > 0) {
		rf_mountinfo mi;

		if (rf_parse_mountinfo(line, &mi) < 0 || strcmp(mi.fstype, "cgroup2") ||
		    !strcmp(mi.root, "/"))
			continue;
		if (rf_oci_cgroup2(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				   MOUNT_ATTR_NOEXEC, 0, AT_FDCWD, mi.mount_point, err) < 0)
			return rf_error_prefix(err, "contain the cgroupfs view");
	}
	return 0;
}

static int finish_root(const rf_isolation *iso, int ns_flags, rf_error *err)
{
	unsigned long prop = iso->root_propagation;

	if (cover_host_cgroupfs(iso, ns_flags, err) < 0)
		return -1;
	if (iso->ro_root && root_read_only(err) < 0)
		return -1;
	if ((prop & (MS_SHARED | MS_UNBINDABLE)) &&
	    mount(NULL, "/", NULL, prop & (PROPAGATION | MS_REC), NULL) < 0)
		return rf_error_set(err, errno, "set the root's propagation");
	if (chdir("/") < 0)
		return rf_error_set(err, errno, "change directory to `/`");
	return 0;
}

int rf_rootfs_apply(const rf_isolation *iso, int ns_flags, const rf_mount_stop *stop,
		    rf_error *err)
{
	unsigned long first = (iso->root_propagation & MS_SLAVE) ? MS_SLAVE : MS_PRIVATE;
	cleanup_close int rootfd = -1, devnull = -1;
	cleanup_free int *src = NULL;
	int rc = -1;

	if (RF_FAULT("rootfs.private") || mount(NULL, "/", NULL, MS_REC | first, NULL) < 0)
		return rf_error_set(err, errno, "make the mounts under `/` %s",
				    first == MS_SLAVE ? "slaves" : "private");
	if (RF_FAULT("rootfs.bind") || mount(iso->rootfs, iso->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return rf_error_set(err, errno, "bind the root `%s` onto itself%s", iso->rootfs,
				    errno == EACCES && iso->n_uid_maps ? " (the container's root, "
				    "a mapped id, must be able to reach it)" : "");
	rootfd = open(iso->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return rf_error_set(err, errno, "open the root `%s`", iso->rootfs);
	devnull = open("/dev/null", O_PATH | O_CLOEXEC);
	if (devnull < 0)
		return rf_error_set(err, errno, "open `/dev/null`");
	src = malloc((iso->n_mounts + 1) * sizeof(*src));
	if (!src)
		return rf_error_set(err, ENOMEM, "allocate the mount list");
	for (size_t i = 0; i < iso->n_mounts; i++)
		src[i] = -1;

	if (rf_oci_clone_sources(iso, ns_flags, src, err) < 0)
		goto out;
	for (size_t i = 0; i < iso->n_mounts; i++)
		if (rf_oci_place(iso, i, src[i], rootfd, ns_flags, err) < 0)
			goto out;
	if (rf_dev_populate(iso, rootfd, (ns_flags & CLONE_NEWUSER) != 0, err) < 0 ||
	    rf_oci_sysctl(iso, rootfd, err) < 0 || rf_oci_guard_paths(iso, rootfd, devnull, err) < 0)
		goto out;
	if (stop && stop->fn(stop->arg, err) < 0)
		goto out;
	if (iso->no_pivot ? move_root(iso->rootfs, rootfd, err) : pivot(rootfd, err))
		goto out;
	rc = finish_root(iso, ns_flags, err);
out:
	for (size_t i = 0; i < iso->n_mounts; i++)
		if (src[i] >= 0)
			close(src[i]);
	return rc;
}
