/* A container's /dev (mounts-internal.h): exactly the OCI default devices,
 * the usual symlinks and the bundle's linux.devices, made inside the root.
 * No host device node gets in unless a bundle asks for it by name: a node is
 * a key to the host's hardware, whatever the mount view.
 *
 * Nodes are made with mknodat (as root of the init user namespace) or, in a
 * user namespace, where the kernel refuses mknod, by binding the host's node
 * of the same path onto an empty file, as runc does. Every path is resolved
 * inside the root (path-root.c). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fault.h"
#include "mounts-internal.h"
#include "path-root.h"
#include "ringfence/cleanup.h"

/* What is made: an rf_device, or one of the defaults. */
struct node {
	const char *path;
	char type;
	uint32_t major, minor;
	unsigned mode;
	uint32_t uid, gid;
};

/* The runtime-spec's default devices (config-linux.md), mode 0666, root's. */
static const struct node default_devices[] = {
	{ "/dev/null", 'c', 1, 3, 0666, 0, 0 },
	{ "/dev/zero", 'c', 1, 5, 0666, 0, 0 },
	{ "/dev/full", 'c', 1, 7, 0666, 0, 0 },
	{ "/dev/random", 'c', 1, 8, 0666, 0, 0 },
	{ "/dev/urandom", 'c', 1, 9, 0666, 0, 0 },
	{ "/dev/tty", 'c', 5, 0, 0666, 0, 0 },
};

/* The spec's symlinks: stdio through /proc, and the pts instance's ptmx;
 * and /dev/core, as runc and crun make it (/proc/kcore itself is masked). */
static const struct {
	const char *name;
	const char *target;
} dev_links[] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
	{ "core", "/proc/kcore" },
};

static mode_t node_type(char t)
{
	return t == 'b' ? S_IFBLK : t == 'p' ? S_IFIFO : S_IFCHR;
}

/* The host's node of the same path onto an empty file at name in dir. */
static int bind_host_node(const struct node *d, int dir, const char *name, rf_error *err)
{
	cleanup_close int clone = -1, fd = -1;

	clone = open_tree(AT_FDCWD, d->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (clone < 0)
		return rf_error_set(err, errno, "bind the host's `%s` (a user namespace cannot "
				    "make device nodes)", d->path);
	fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : rf_error_set(err, errno, "create `%s`", d->path);
	if (move_mount(clone, "", dir, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return rf_error_set(err, errno, "bind the host's `%s`", d->path);
	return 0;
}

static int make_node(const struct node *d, int rootfd, bool userns, rf_error *err)
{
	const char *slash = strrchr(d->path, '/');
	char parent[4096];
	cleanup_close int dir = -1;
	mode_t mode = d->mode ? d->mode : 0666, old_mask;
	int made, saved;

	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - d->path), d->path);
	dir = rf_path_make_in_root(rootfd, parent, false, err);
	if (dir < 0)
		return -1;
	if (userns && d->type != 'p')
		return bind_host_node(d, dir, slash + 1, err);
	/* The bundle's mode is exact: no umask, and no chmod by name after the
	 * mknod, which would follow a symlink put in the node's place. */
	old_mask = umask(0);
	made = RF_FAULT("dev.node") ? -1 : mknodat(dir, slash + 1, node_type(d->type) | mode,
						  makedev(d->major, d->minor));
	saved = errno;
	umask(old_mask);
	if (made < 0) {
		/* Already there: a bundle's bind of the host's node, or the
		 * rootfs's own. */
		if (saved == EEXIST)
			return 0;
		return rf_error_set(err, saved, "make the device `%s`", d->path);
	}
	if (fchownat(dir, slash + 1, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return rf_error_set(err, errno, "set the owner of `%s`", d->path);
	return 0;
}

/* A bind of a whole /dev brings the bundle's own: nothing is added to it. */
static bool dev_is_bound(const rf_isolation *iso)
{
	for (size_t i = 0; i < iso->n_mounts; i++)
		if (!strcmp(iso->mounts[i].dst, "/dev") &&
		    (iso->mounts[i].kind == RF_MOUNT_BIND || iso->mounts[i].kind == RF_MOUNT_RO_BIND))
			return true;
	return false;
}

int rf_dev_populate(const rf_isolation *iso, int rootfd, bool userns, rf_error *err)
{
	cleanup_close int dev = -1;

	if (!dev_is_bound(iso)) {
		for (size_t i = 0; i < RF_ARRAY_SIZE(default_devices); i++)
			if (make_node(&default_devices[i], rootfd, userns, err) < 0)
				return -1;
		dev = rf_path_make_in_root(rootfd, "/dev", false, err);
		if (dev < 0)
			return -1;
		for (size_t i = 0; i < RF_ARRAY_SIZE(dev_links); i++)
			if ((RF_FAULT("dev.link") ||
			     symlinkat(dev_links[i].target, dev, dev_links[i].name) < 0) && errno != EEXIST)
				return rf_error_set(err, errno, "link `/dev/%s`", dev_links[i].name);
	}
	for (size_t i = 0; i < iso->n_devices; i++) {
		const rf_device *d = &iso->devices[i];
		struct node n = { d->path, d->type, d->major, d->minor, d->mode, d->uid, d->gid };

		if (make_node(&n, rootfd, userns, err) < 0)
			return -1;
	}
	return 0;
}
