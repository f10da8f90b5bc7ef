/* cgroup v2: the cgroupfs manager (cgroup-manager.h): the parent a leaf goes
 * under, and the sweep of leaves whose supervisor died. cgroup.c has the
 * mount, the file helpers and the leaf.
 *
 * The parent is the explicit --cgroup-parent, else `<root>/ringfence` as
 * root, else the caller's own delegated cgroup (the launcher moves into a
 * sibling leaf when its presence keeps the parent from enabling controllers),
 * all within the placement rule (src/README.md, "Placement"), which also
 * keeps the launcher where an engine put it when it can.
 * The controllers a leaf needs are enabled down the path from the root; levels
 * above a delegated subtree are only checked. What cannot be done is explained
 * in one sentence with a fix (missing controllers, no delegation).
 *
 * Leaves that ringfence creates carry the xattr CG_MARK_XATTR and are held
 * with flock(LOCK_EX) by their supervisor for their whole life; the supervisor
 * also holds the parent with flock(LOCK_SH), from before the mkdir until after
 * the rmdir. A sweep (cg_sweep_orphans, before each run makes its leaf) needs
 * the parent exclusively and does not wait for it: it runs only when no run
 * under that parent is alive, and then every marked leaf whose own lock it can
 * take has lost its supervisor and is killed and removed. The cost per run is
 * one flock while others run, and a look at the parent's link count otherwise;
 * never a scan of the leaves of the runs alive. */
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
#include "ringfence/parse.h"
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
			    "cgroup `%s` is not delegated to uid %u: pass --cgroup-parent with a "
			    "subtree you own, or start ringfence in one "
			    "(`systemd-run --user --scope -p Delegate=yes ringfence run ...`)",
			    path, (unsigned)geteuid());
}

/* Move this process into a leaf `CG_SUPERVISOR_LEAF` under dirfd, so the
 * parent holds no process and may enable controllers for its children. */
static int move_self_aside(int dirfd, const char *path, rf_error *err)
{
	char pid[32];
	bool made;

	made = mkdirat(dirfd, CG_SUPERVISOR_LEAF, 0755) == 0;
	if (!made && errno != EEXIST)
		return rf_error_set(err, errno, "create `%s/%s`", path, CG_SUPERVISOR_LEAF);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (cg_write(dirfd, CG_SUPERVISOR_LEAF "/cgroup.procs", pid, err) < 0) {
		if (made)   /* not left behind: nothing was moved into it */
			(void)unlinkat(dirfd, CG_SUPERVISOR_LEAF, AT_REMOVEDIR);
		return rf_error_prefix(err, "move ringfence out of `%s`", path);
	}
	return 0;
}

int cg_subtree_enable(int dirfd, const char *path, unsigned need, unsigned *enabled,
		      rf_error *err)
{
	unsigned have, avail;
	char line[128] = "";
	size_t used = 0;

	if (enabled)
		*enabled = 0;
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
	if (cg_write(dirfd, "cgroup.subtree_control", line, err) < 0)
		return -1;
	if (enabled)
		*enabled = need & ~have;
	return 0;
}

/* What preparing the leaf's parent changed in it, for release to undo. */
typedef struct cg_changes {
	bool moved;              /* this process went into CG_SUPERVISOR_LEAF */
	unsigned enabled;        /* controllers turned on in its subtree_control */
} cg_changes;

/* cg_subtree_enable, moving this process aside when its presence is what
 * forbids it (ch not NULL), and saying what to do when it cannot. */
static int enable_controllers(int dirfd, const char *path, unsigned need, cg_changes *ch,
			      rf_error *err)
{
	unsigned *enabled = ch ? &ch->enabled : NULL;

	if (cg_subtree_enable(dirfd, path, need, enabled, err) == 0)
		return 0;
	if (err->errnum == EBUSY && ch) {
		if (move_self_aside(dirfd, path, err) < 0)
			return -1;
		ch->moved = true;
		if (cg_subtree_enable(dirfd, path, need, enabled, err) == 0)
			return 0;
	}
	if (err->errnum == EACCES || err->errnum == EPERM)
		return explain_not_delegated(path, err, err->errnum);
	if (err->errnum == EBUSY)
		return rf_error_set(err, EBUSY,
				    "cgroup `%s` holds processes, so it cannot give controllers to "
				    "children (cgroup v2's no-internal-processes rule): choose a "
				    "--cgroup-parent without processes of its own", path);
	if (err->errnum == ENOTSUP)
		return -1;
	return rf_error_prefix(err, "enable controllers in `%s`", path);
}

bool cg_parent_form_ok(const char *path)
{
	const char *p = path;

	if (!*p || strstr(p, "..") || strstr(p, "//"))
		return false;
	while (*p) {   /* no `.` component: no `..` or empty one is left */
		p += *p == '/';
		if (p[0] == '.' && (p[1] == '/' || !p[1]))
			return false;
		p += strcspn(p, "/");
	}
	return true;
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
	if (!cg_parent_form_ok(in))
		return rf_error_set(err, 0,
				    "--cgroup-parent: `%s` must be a path below the cgroup2 root "
				    "without `..` (e.g. `ci/jobs`)", in);
	if (snprintf(rel, len, "/%s", p) >= (int)len)
		return rf_error_set(err, ENAMETOOLONG, "--cgroup-parent: `%s` is too long", in);
	if (strlen(rel) > 1 && rel[strlen(rel) - 1] == '/')
		rel[strlen(rel) - 1] = '\0';
	return 0;
}

/* Walk from the root to `rel`, creating missing directories, and enable `need`
 * at every level so the leaf below `rel` gets the controllers. Above the last
 * level a caller without root only needs them on offer (it cannot write
 * there). With `ch`, this process may move aside from `rel` itself, and ch
 * records what changed there. */
static int prepare_path(const cg_mount *m, const char *rel, unsigned need, cg_changes *ch,
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
		if (!last && geteuid() != 0) {
			unsigned have;

			if (read_controllers(fd, "cgroup.subtree_control", &have, err) < 0)
				return rf_error_prefix(err, "cgroup `%s`", path);
			if ((have & need) != need && enable_controllers(fd, path, need, NULL, err) < 0)
				return -1;
		} else if (enable_controllers(fd, path, need, last ? ch : NULL, err) < 0) {
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

/* Does the cgroup `rel` hold no process of its own? */
static bool holds_no_process(const cg_mount *m, const char *rel)
{
	char path[PATH_MAX], procs[16];
	cleanup_close int fd = -1;

	if (cg_join_path(path, sizeof(path), m->path, rel, NULL) < 0)
		return false;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 && cg_read(fd, "cgroup.procs", procs, sizeof(procs), NULL) == 0;
}

/* The place beside the caller's cgroup S into out: S's parent, when a leaf
 * there keeps all that a leaf inside S would and ringfence need not leave S.
 * The parent is an engine's (counted by the chain: not the root, not one of
 * systemd's own units), inside the limit that binds S when one does (so S is
 * not the limited one itself), and holds no process (so it can take
 * controllers). That is the engines' layout: Slurm's step_N/user, beside
 * task_N. */
static bool beside_self(const cg_mount *m, const cg_chain *c, char *out, size_t len)
{
	char *slash;

	if (snprintf(out, len, "%s", c->self) >= (int)len)
		return false;
	slash = strrchr(out, '/');
	if (!slash || slash == out)
		return false;
	*slash = '\0';
	return c->counted[0] && cg_path_within(out, c->counted) &&
	       (!c->limited[0] || cg_path_within(out, c->limited)) && holds_no_process(m, out);
}

/* Can this process make a cgroup in `rel` (root, or delegated to it)? */
static bool may_create_in(const cg_mount *m, const char *rel)
{
	char path[PATH_MAX];

	if (geteuid() == 0)
		return true;
	return cg_join_path(path, sizeof(path), m->path, rel, NULL) == 0 &&
	       faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
}

/* --cgroup-parent naming the caller's own cgroup, where a place beside it
 * exists that the caller may use: refused. The supervisor would have to
 * leave the cgroup its engine put it in, and an engine may signal only the
 * processes directly in its cgroups (Slurm 22.05's cgroup/v2 does): a cancel
 * would then reach neither ringfence nor the sandbox, and the job could not
 * end. Nothing is changed yet. */
static int refuse_own(const cg_chain *c, const char *beside, rf_error *err)
{
	char fix[768];

	if (c->limited[0])
		snprintf(fix, sizeof(fix), "leave --cgroup-parent out: the sandbox then goes beside "
			 "it, in `%.200s`, still inside the limit of `%.200s` (%s)", beside,
			 c->limited, c->limit);
	else
		snprintf(fix, sizeof(fix), "pass --cgroup-parent `%.200s` instead: the sandbox then "
			 "goes beside it, and ringfence stays where its engine put it", beside);
	return rf_error_set(err, 0, "--cgroup-parent `%.200s` is ringfence's own cgroup, and "
			    "its parent can take the sandbox: ringfence does not leave the cgroup "
			    "its engine put it in for `%.200s/%s` (no internal processes), where an "
			    "engine that signals only the processes directly in its cgroups (Slurm) "
			    "no longer reaches it and a cancelled job leaves the sandbox running; %s",
			    c->self, c->self, CG_SUPERVISOR_LEAF, fix);
}

int cg_cgroupfs_parent(const cg_request *req, cg_placement *p, const rf_diag *diag,
		       bool *nested, rf_error *err)
{
	const cg_chain *c = &p->chain;

	*nested = false;
	if (req->parent) {
		char beside[PATH_MAX];

		if (normalize_parent(&p->mount, req->parent, p->parent, sizeof(p->parent), err) < 0)
			return -1;
		*nested = !strcmp(p->parent, c->self);
		if (*nested && beside_self(&p->mount, c, beside, sizeof(beside)) &&
		    may_create_in(&p->mount, beside))
			return refuse_own(c, beside, err);
		if (!c->limited[0] || cg_path_within(p->parent, c->limited))
			return 0;
		if (geteuid() != 0)
			return rf_error_set(err, EPERM, "--cgroup-parent `%s` is outside cgroup `%s`, "
					    "whose limit (%s) binds this process: only root may leave "
					    "it; without --cgroup-parent the sandbox goes inside it",
					    p->parent, c->limited, c->limit);
		rf_note(diag, "--cgroup-parent `%s` is outside cgroup `%s`: the sandbox leaves its "
			"limit (%s), which binds this process", p->parent, c->limited, c->limit);
		return 0;
	}
	if (!c->limited[0]) {
		/* Nothing binds us: root's own subtree, or our delegated cgroup. */
		*nested = geteuid() != 0;
		snprintf(p->parent, sizeof(p->parent), "%s", *nested ? c->self : "/ringfence");
		return 0;
	}
	/* Beside our cgroup when that is still inside the limited one and can
	 * take children with controllers; else inside our cgroup. */
	if (beside_self(&p->mount, c, p->parent, sizeof(p->parent)))
		return 0;
	snprintf(p->parent, sizeof(p->parent), "%s", c->self);
	*nested = true;
	return 0;
}

static void cgroupfs_release(cg_placement *p);

/* Prepared already (by the first run under it): it gives its children every
 * controller in `need`, so every cgroup above it does too, and there is
 * nothing to enable or move. */
static bool parent_ready(const cg_mount *m, const char *rel, unsigned need)
{
	char path[PATH_MAX];
	cleanup_close int fd = -1;
	unsigned have;

	if (cg_join_path(path, sizeof(path), m->path, rel, NULL) < 0)
		return false;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 && read_controllers(fd, "cgroup.subtree_control", &have, NULL) == 0 &&
	       (have & need) == need;
}

static int cgroupfs_place(const cg_request *req, cg_placement *p, const rf_diag *diag,
			  rf_error *err)
{
	cleanup_close int root = -1;
	cg_changes ch = { 0 };
	unsigned avail;
	bool nested;

	if (cg_cgroupfs_parent(req, p, diag, &nested, err) < 0)
		return -1;
	rf_debug(diag, "cgroupfs: the leaf goes %s `%s`%s%s", nested ? "inside our cgroup" : "under",
		 p->parent, p->chain.limited[0] ? ", bound by " : "", p->chain.limited);
	if (req->approve && req->approve(p->parent, req->approve_data, err) < 0)
		return -1;
	/* Every run but the first under a parent ends here. */
	if (parent_ready(&p->mount, p->parent, req->need))
		return 0;
	root = cg_open_dir(p->mount.path, err);
	if (root < 0)
		return -1;
	if (read_controllers(root, "cgroup.controllers", &avail, err) < 0)
		return rf_error_prefix(err, "cgroup2 root `%s`", p->mount.path);
	if ((avail & req->need) != req->need && geteuid() == 0)
		return explain_missing(&p->mount, req->need & ~avail, err);
	if (prepare_path(&p->mount, p->parent, req->need, nested ? &ch : NULL, err) == 0) {
		if (ch.moved) {
			snprintf(p->nested_in, sizeof(p->nested_in), "%s", p->parent);
			p->enabled = ch.enabled;
		}
		return 0;
	}
	if (ch.moved) {
		rf_error saved = *err;

		snprintf(p->nested_in, sizeof(p->nested_in), "%s", p->parent);
		p->enabled = ch.enabled;
		cgroupfs_release(p);
		*err = saved;
	}
	if (err->errnum == EBUSY && nested && p->chain.limited[0] && !req->parent)
		return rf_error_set(err, EBUSY, "cgroup `%s` holds other processes, and the limit "
				    "of `%s` (%s) binds this process, so the sandbox must go inside "
				    "it, which cgroup v2 forbids (no internal processes): start "
				    "ringfence in a cgroup of its own there; root may pass "
				    "--cgroup-parent to leave the limit", p->parent, p->chain.limited,
				    p->chain.limit);
	return -1;
}

/* Put back what place changed in cgroup `nested_in`, once the leaf is gone
 * and only when nothing else has come to depend on it: no other child
 * cgroup, and in CG_SUPERVISOR_LEAF only `self` (moved back first), or no
 * process at all when self is 0 (create's, which has exited). */
static void unnest(const cg_mount *m, const char *nested_in, unsigned enabled, pid_t self)
{
	char path[PATH_MAX], buf[64], line[128] = "", pid[32] = "";
	cleanup_close int fd = -1;
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;
	size_t used = 0;

	if (!nested_in[0] || cg_join_path(path, sizeof(path), m->path, nested_in, NULL) < 0)
		return;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? opendir(path) : NULL;
	while (d && (de = readdir(d)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.' && strcmp(de->d_name, CG_SUPERVISOR_LEAF))
			return;
	if (self)
		snprintf(pid, sizeof(pid), "%d\n", (int)self);
	if (!d || cg_read(fd, CG_SUPERVISOR_LEAF "/cgroup.procs", buf, sizeof(buf), NULL) < 0 ||
	    strcmp(buf, pid))
		return;
	for (size_t i = 0; i < RF_ARRAY_SIZE(cg_controller_names); i++)
		if (enabled & (1u << i))
			used += (size_t)snprintf(line + used, sizeof(line) - used, "%s-%s",
						 used ? " " : "", cg_controller_names[i]);
	if (used && cg_write(fd, "cgroup.subtree_control", line, NULL) < 0)
		return;
	pid[strcspn(pid, "\n")] = '\0';
	if (self && cg_write(fd, "cgroup.procs", pid, NULL) < 0)
		return;
	unlinkat(fd, CG_SUPERVISOR_LEAF, AT_REMOVEDIR);
}

static void cgroupfs_release(cg_placement *p)
{
	unnest(&p->mount, p->nested_in, p->enabled, getpid());
}

void cg_cgroupfs_unnest(const cg_mount *m, const char *nested_in, unsigned enabled)
{
	unnest(m, nested_in, enabled, 0);
}

bool cg_self_is_own(void)
{
	char rel[PATH_MAX], path[PATH_MAX], procs[256];
	cleanup_close int fd = -1;
	cg_mount m;
	uint64_t pid;
	char *nl;

	if (cg_find_mount(&m, NULL) < 0 || cg_self(rel, sizeof(rel), NULL) < 0 || !strcmp(rel, "/") ||
	    cg_join_path(path, sizeof(path), m.path, rel, NULL) < 0)
		return false;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || faccessat(fd, "cgroup.procs", W_OK, AT_EACCESS) < 0 ||
	    faccessat(fd, "cgroup.subtree_control", W_OK, AT_EACCESS) < 0 ||
	    faccessat(fd, ".", W_OK, AT_EACCESS) < 0 ||
	    cg_read(fd, "cgroup.procs", procs, sizeof(procs), NULL) < 0)
		return false;
	nl = strchr(procs, '\n');
	if (nl && nl[1])
		return false;   /* another process */
	if (nl)
		*nl = '\0';
	return rf_parse_u64(procs, 1, INT32_MAX, &pid, NULL) == 0 && pid == (uint64_t)getpid();
}

const cg_manager cg_manager_cgroupfs = {
	.name = "cgroupfs",
	.place = cgroupfs_place,
	.release = cgroupfs_release,
};

/* ---- orphans --------------------------------------------------------- */

static bool has_mark(int fd)
{
	char v[8];

	return fgetxattr(fd, CG_MARK_XATTR, v, sizeof(v)) >= 0;
}

void cg_sweep_orphans(const cg_mount *m, const char *parent_rel, int pfd, const rf_diag *diag)
{
	char path[PATH_MAX];
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;
	struct stat st;

	/* A live run under this parent holds it shared: its supervisor is there
	 * to clean up, and orphans wait for a moment when none is. So a run among
	 * many costs one flock, however many leaves the parent holds. The lock
	 * stays on pfd, for the caller to make shared (cg_leaf_create). */
	if (flock(pfd, LOCK_EX | LOCK_NB) < 0)
		return;
	/* kernfs counts a directory's subdirectories in its link count (2 + n):
	 * no child cgroup, nothing to read. */
	if (fstat(pfd, &st) == 0 && st.st_nlink <= 2)
		return;
	if (cg_join_path(path, sizeof(path), m->path, parent_rel, NULL) < 0)
		return;
	d = opendir(path);
	while (d && (de = readdir(d))) {
		cleanup_close int fd = -1;
		rf_error e;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		fd = openat(pfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		/* The leaf's own lock too: a supervisor that does not hold the
		 * parent (an older ringfence) still holds its leaf. */
		if (fd < 0 || !has_mark(fd) || flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue;
		if (cg_write(fd, "cgroup.kill", "1", &e) < 0 && e.errnum != ENOENT)
			continue;
		cg_wait_empty(fd, 1000);
		if (cg_rmdir_tree(pfd, de->d_name) == 0)
			rf_note(diag, "removed leaf `%s/%s` left behind by a ringfence that died",
				parent_rel, de->d_name);
	}
}
