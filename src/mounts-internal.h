/* Shared by the filesystem-view files: mounts.c (the host's view and the
 * read-only and hiding steps), mounts-rootfs.c (a container root: order and
 * pivot_root), mounts-oci.c (one bundle mount, masked and read-only paths)
 * and mounts-dev.c (the container's /dev). */
#ifndef RINGFENCE_SRC_MOUNTS_INTERNAL_H
#define RINGFENCE_SRC_MOUNTS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"
#include "ringfence/isolation.h"
#include "ringfence/plan.h"

/* runc's default read-only and masked paths, with ringfence's reasons
 * (mounts.c): what guards the host's /proc and /sys in any mount namespace,
 * and a container's when its bundle lists none of its own. */
extern const char *const *const rf_mnt_default_readonly;
extern const size_t rf_mnt_n_default_readonly;
extern const char *const *const rf_mnt_default_masked;
extern const size_t rf_mnt_n_default_masked;

/* Read-only plus MOUNT_ATTR_* `attrs` for the tree at `path`, or the
 * detached tree `fd` (fd >= 0). 1 when the kernel has no mount_setattr
 * (before 5.12): then rf_mnt_tree_ro_legacy, once the tree is placed. */
int rf_mnt_tree_ro(int fd, const char *path, uint64_t attrs, rf_error *err);
int rf_mnt_tree_ro_legacy(const char *top, unsigned long extra, rf_error *err);
/* The one mount at `mp` read-only with mount(2), keeping its other flags. */
int rf_mnt_remount_ro(const char *mp, rf_error *err);


/* ---- a container root ------------------------------------------------- */

/* Everything rf_mounts_apply() does when iso->rootfs is set
 * (mounts-rootfs.c: the order and why). */
int rf_rootfs_apply(const rf_isolation *iso, int ns_flags, const rf_mount_stop *stop,
		    rf_error *err);

/* mounts-oci.c. Before the first mount is placed, while the host's view is
 * ours: detached copies of what mounts[i] takes from the host, in fds[i]
 * (-1 where none: filesystems made fresh). */
int rf_oci_clone_sources(const rf_isolation *iso, int ns_flags, int *fds, rf_error *err);
/* mounts[i] inside the root `rootfd` (an O_PATH fd of the root's top). */
int rf_oci_place(const rf_isolation *iso, size_t i, int src_fd, int rootfd, int ns_flags,
		 rf_error *err);
/* A fresh cgroup2 (MOUNT_ATTR_* attrs) onto `path`, or onto the O_PATH fd
 * `dfd` itself when that is not AT_FDCWD. */
int rf_oci_cgroup2(uint64_t attrs, unsigned long propagation, int dfd, const char *path,
		   rf_error *err);
/* Once every mount is in place, before pivot_root (which leaves the host's
 * /dev/null out of reach): linux.sysctl in the container's /proc/sys, then
 * the read-only and masked paths (the bundle's, or the defaults), all
 * resolved inside the root. */
int rf_oci_sysctl(const rf_isolation *iso, int rootfd, rf_error *err);
int rf_oci_guard_paths(const rf_isolation *iso, int rootfd, int devnull, rf_error *err);

/* mounts-dev.c, before pivot_root (the host's nodes are still in view): the
 * default devices, the /dev symlinks and linux.devices in the root's /dev.
 * In a user namespace, where mknod is refused, the host's nodes are bound. */
int rf_dev_populate(const rf_isolation *iso, int rootfd, bool userns, rf_error *err);

#endif
