/* cgroup v2: the cgroupfs manager (cgroup-manager.h): the parent a leaf goes
 * under, and the sweep of leaves whose supervisor died. cgroup.c has the
 * mount, the file helpers and the leaf.
 *
 * The parent is the explicit --cgroup-parent, else `<root>/ringfence` as
 * root, else the caller's own delegated cgroup (the launcher moves into a
 * sibling leaf when its presence keeps the parent from enabling controllers).
 * The controllers a leaf needs are enabled down the path from the root; levels
 * above a delegated subtree are only checked. What cannot be done is explained
 * in one sentence with a fix (missing controllers, no delegation).
 *
 * Leaves that ringfence creates carry the xattr CG_MARK_XATTR and are held
 * with flock(LOCK_EX) by their supervisor for their whole life. A leaf with the
 * mark whose lock can be taken has lost its supervisor: the next run under the
 * same parent kills and removes it (cg_sweep_orphans). Creating a leaf holds a
 * shared lock on the parent so a sweep never sees a leaf between its mkdir and
 * its lock. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ringfence/cgroup-manager.h"
#include "ringfence/cleanup.h"
#include "cgroup-internal.h"

#define CG_SUPERVISOR_LEAF "ringfence-supervisor"

/* ---- the parent ------------------------------------------------------ */

static int read_controllers(int dirfd, const char *file, unsigned *mask, rf_error *err)
{
	char buf[512];

	if (cg_read(dirfd, file, buf, sizeof(buf), err) < 0)
		return -1;
	*mask = cg_parse_controllers(buf);
	return 0;
}

/* Say which controllers the cgroup2 root lacks and where they went. */
static int explain_missing(const cg_mount *m, unsigned missing, rf_error *err)
{
	char names[128], where[PATH_MAX] = "";
	struct stat st;

	cg_controllers_text(missing, names, sizeof(names));
	for (size_t i = 0; i < RF_ARRAY_SIZE(cg_controller_names); i++) {
		char v1[64];

		if (!(missing & (1u << i)))
			continue;
		snprintf(v1, sizeof(v1), "/sys/fs/cgroup/%s", cg_controller_names[i]);
		if (stat(v1, &st) == 0 && S_ISDIR(st.st_mode) && strcmp(v1, m->path)) {
			snprintf(where, sizeof(where), " (the host binds them to cgroup v1, e.g. `%s`)", v1);
			break;
		}
	}
	return rf_error_set(err, ENOTSUP,
			    "cgroup v2 at `%s` has no %s controller%s%s: boot with "
			    "systemd.unified_cgroup_hierarchy=1 or cgroup_no_v1=all",
			    m->path, names, strchr(names, ' ') ? "s" : "", where);
}

static int explain_not_delegated(const char *path, rf_error *err, int errnum)
{
	return rf_error_set(err, errnum,
			    "cgroup `%s` is not delegated to uid %u: run under "
			    "`systemd-run --user --scope -p Delegate=yes ringfence run ...`, "
			    "or pass --cgroup-parent with a subtree you own",
			    path, (unsigned)geteuid());
}

/* Move this process into a leaf `CG_SUPERVISOR_LEAF` under dirfd, so the
 * parent holds no process and may enable controllers for its children. */
static int move_self_aside(int dirfd, const char *path, rf_error *err)
{
	char pid[32];

	if (mkdirat(dirfd, CG_SUPERVISOR_LEAF, 0755) < 0 && errno != EEXIST)
		return rf_error_set(err, errno, "create `%s/%s`", path, CG_SUPERVISOR_LEAF);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (cg_write(dirfd, CG_SUPERVISOR_LEAF "/cgroup.procs", pid, err) < 0)
		return rf_error_prefix(err, "move ringfence out of `%s`", path);
	return 0;
}

/* Enable `need` in dirfd's cgroup.subtree_control, writing only what is missing. */
static int enable_controllers(int dirfd, const char *path, unsigned need, bool may_move_self,
			      rf_error *err)
{
	unsigned have, avail;
	char line[128] = "";
	size_t used = 0;

	if (read_controllers(dirfd, "cgroup.subtree_control", &have, err) < 0 ||
	    read_controllers(dirfd, "cgroup.controllers", &avail, err) < 0)
		return rf_error_prefix(err, "cgroup `%s`", path);
	if ((need & avail) != need) {
		char names[128];

		cg_controllers_text(need & ~avail, names, sizeof(names));
		return rf_error_set(err, ENOTSUP,
				    "cgroup `%s` does not offer the %s controller to its children: "
				    "enable it in the parent's cgroup.subtree_control (delegate it)",
				    path, names);
	}
	for (size_t i = 0; i < RF_ARRAY_SIZE(cg_controller_names); i++)
		if ((need & ~have) & (1u << i))
			used += (size_t)snprintf(line + used, sizeof(line) - used, "%s+%s",
						 used ? " " : "", cg_controller_names[i]);
	if (!used)
		return 0;
	if (cg_write(dirfd, "cgroup.subtree_control", line, err) == 0)
		return 0;
	if (err->errnum == EBUSY && may_move_self) {
		if (move_self_aside(dirfd, path, err) < 0)
			return -1;
		if (cg_write(dirfd, "cgroup.subtree_control", line, err) == 0)
			return 0;
	}
	if (err->errnum == EACCES || err->errnum == EPERM)
		return explain_not_delegated(path, err, err->errnum);
	if (err->errnum == EBUSY)
		return rf_error_set(err, EBUSY,
				    "cgroup `%s` holds processes, so it cannot give controllers to "
				    "children (cgroup v2's no-internal-processes rule): choose a "
				    "--cgroup-parent without processes of its own", path);
	return rf_error_prefix(err, "enable controllers in `%s`", path);
}

static int normalize_parent(const cg_mount *m, const char *in, char *rel, size_t len,
			    rf_error *err)
{
	size_t mlen = strlen(m->path);
	const char *p = in;

	if (!strncmp(p, m->path, mlen) && (p[mlen] == '/' || p[mlen] == '\0'))
		p += mlen;
	while (*p == '/')
		p++;
	if (strstr(p, "..") || strstr(p, "//"))
		return rf_error_set(err, EINVAL,
				    "--cgroup-parent: `%s` must be a path below the cgroup2 root "
				    "without `..` (e.g. `ci/jobs`)", in);
	if (snprintf(rel, len, "/%s", p) >= (int)len)
		return rf_error_set(err, ENAMETOOLONG, "--cgroup-parent: `%s` is too long", in);
	if (strlen(rel) > 1 && rel[strlen(rel) - 1] == '/')
		rel[strlen(rel) - 1] = '\0';
	return 0;
}

/* Walk from the root to `rel`, creating missing directories, and enable `need`
 * at every level so the leaf below `rel` gets the controllers. Levels above
 * `first_writable` are only checked (a delegated user cannot write there). */
static int prepare_path(const cg_mount *m, const char *rel, unsigned need, bool own_cgroup,
			rf_error *err)
{
	char path[PATH_MAX], child[PATH_MAX], sub[PATH_MAX];
	const char *p = rel;

	if (cg_join_path(path, sizeof(path), m->path, "", err) < 0)
		return -1;
	for (;;) {
		cleanup_close int fd = cg_open_dir(path, err);
		const char *next;
		bool last;

		if (fd < 0)
			return -1;
		while (*p == '/')
			p++;
		last = *p == '\0';
		/* Above a delegated subtree we only need the controllers to be on offer. */
		if (!last && geteuid() != 0) {
			unsigned have;

			if (read_controllers(fd, "cgroup.subtree_control", &have, err) < 0)
				return rf_error_prefix(err, "cgroup `%s`", path);
			if ((have & need) != need && enable_controllers(fd, path, need, false, err) < 0)
				return -1;
		} else if (enable_controllers(fd, path, need, last && own_cgroup, err) < 0) {
			return -1;
		}
		if (last)
			return 0;
		next = p + strcspn(p, "/");
		if ((size_t)(next - p) >= sizeof(sub))
			return rf_error_set(err, ENAMETOOLONG, "cgroup path `%s` is too long", rel);
		memcpy(sub, p, (size_t)(next - p));
		sub[next - p] = '\0';
		if (mkdirat(fd, sub, 0755) < 0 && errno != EEXIST)
			return rf_error_set(err, errno, "create cgroup `%s/%s`", path, sub);
		if (cg_join_path(child, sizeof(child), path, sub, err) < 0)
			return -1;
		memcpy(path, child, sizeof(path));
		p = next;
	}
}

int cg_prepare_parent(const cg_mount *m, const char *explicit_parent, unsigned need,
		      char *parent_rel, size_t len, rf_error *err)
{
	cleanup_close int root = cg_open_dir(m->path, err);
	unsigned avail;
	bool own = false;

	if (root < 0)
		return -1;
	if (read_controllers(root, "cgroup.controllers", &avail, err) < 0)
		return rf_error_prefix(err, "cgroup2 root `%s`", m->path);
	if ((avail & need) != need && geteuid() == 0)
		return explain_missing(m, need & ~avail, err);

	if (explicit_parent) {
		if (normalize_parent(m, explicit_parent, parent_rel, len, err) < 0)
			return -1;
	} else if (geteuid() == 0) {
		if (snprintf(parent_rel, len, "/ringfence") >= (int)len)
			return rf_error_set(err, ENAMETOOLONG, "parent path too long");
	} else {
		if (cg_self(parent_rel, len, err) < 0)
			return -1;
		own = true;
	}
	if (!own && explicit_parent) {
		char self[PATH_MAX];

		own = cg_self(self, sizeof(self), NULL) == 0 && !strcmp(self, parent_rel);
	}
	return prepare_path(m, parent_rel, need, own, err);
}

static int cgroupfs_place(const cg_request *req, cg_placement *p, const rf_diag *diag,
			  rf_error *err)
{
	(void)diag;
	if (cg_find_mount(&p->mount, err) < 0)
		return -1;
	return cg_prepare_parent(&p->mount, req->parent, req->need, p->parent, sizeof(p->parent),
				 err);
}

const cg_manager cg_manager_cgroupfs = {
	.name = "cgroupfs",
	.place = cgroupfs_place,
};

/* ---- orphans --------------------------------------------------------- */

static bool has_mark(int fd)
{
	char v[8];

	return fgetxattr(fd, CG_MARK_XATTR, v, sizeof(v)) >= 0;
}

void cg_sweep_orphans(const cg_mount *m, const char *parent_rel, const rf_diag *diag)
{
	char path[PATH_MAX];
	cleanup_close int pfd = -1;
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;

	if (cg_join_path(path, sizeof(path), m->path, parent_rel, NULL) < 0)
		return;
	pfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0 || flock(pfd, LOCK_EX) < 0)
		return;
	d = opendir(path);
	while (d && (de = readdir(d))) {
		cleanup_close int fd = -1;
		rf_error e;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		fd = openat(pfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || !has_mark(fd) || flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue;
		if (cg_write(fd, "cgroup.kill", "1", &e) < 0 && e.errnum != ENOENT)
			continue;
		cg_wait_empty(fd, 1000);
		if (cg_rmdir_tree(pfd, de->d_name) == 0)
			rf_note(diag, "removed leaf `%s/%s` left behind by a ringfence that died",
				parent_rel, de->d_name);
	}
	flock(pfd, LOCK_UN);
}
