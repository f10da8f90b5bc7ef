/* cgroup v2: the mount, the file helpers, and the leaf: its creation, limits,
 * kill, drain and teardown. The parent a leaf goes under and the sweep of
 * leaves left behind are in cgroup-parent.c; the helpers both files use are
 * declared in cgroup-internal.h.
 *
 * Every cgroupfs access in ringfence goes through these two files. Paths are
 * built with truncation checks; files are opened O_CLOEXEC relative to a
 * directory fd; files that older kernels lack are read as optional.
 *
 * A leaf is created with the mark CG_MARK_XATTR and locked by its supervisor
 * for the orphan sweep (the protocol is described in cgroup-parent.c). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "ringfence/cgroup.h"
#include "ringfence/cleanup.h"
#include "ringfence/parse.h"
#include "cgroup-internal.h"
#include "fault.h"

const char *const cg_controller_names[CG_N_CONTROLLERS] = {
	"cpuset", "cpu", "io", "memory", "pids", "hugetlb",
};

const char *cg_controller_name(unsigned bit)
{
	for (size_t i = 0; i < RF_ARRAY_SIZE(cg_controller_names); i++)
		if (bit == 1u << i)
			return cg_controller_names[i];
	return "?";
}

unsigned cg_parse_controllers(const char *line)
{
	unsigned mask = 0;
	const char *p = line;

	while (*p) {
		size_t n;

		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		for (size_t i = 0; i < RF_ARRAY_SIZE(cg_controller_names); i++)
			if (n && strlen(cg_controller_names[i]) == n && !strncmp(p, cg_controller_names[i], n))
				mask |= 1u << i;
		p += n;
	}
	return mask;
}

const char *cg_controllers_text(unsigned mask, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < RF_ARRAY_SIZE(cg_controller_names); i++) {
		int n;

		if (!(mask & (1u << i)))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? " " : "", cg_controller_names[i]);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

int cg_join_path(char *buf, size_t len, const char *a, const char *b, rf_error *err)
{
	int n = snprintf(buf, len, "%s%s%s", a, (*b && b[0] != '/' && *a) ? "/" : "", b);

	if (n < 0 || (size_t)n >= len)
		return rf_error_set(err, ENAMETOOLONG, "path `%s/%s` is too long", a, b);
	return 0;
}

/* ---- the mount ------------------------------------------------------- */

/* One mountinfo line: is it the cgroup2 mount? */
static bool cgroup2_line(char *line, cg_mount *m)
{
	rf_mountinfo mi;

	if (rf_parse_mountinfo(line, &mi) < 0 || strcmp(mi.fstype, "cgroup2") ||
	    strlen(mi.mount_point) >= sizeof(m->path))
		return false;
	strcpy(m->path, mi.mount_point);
	m->nsdelegate = strstr(mi.super_opts, "nsdelegate") != NULL;
	return true;
}

static int no_cgroup2(rf_error *err)
{
	return rf_error_set(err, ENOENT,
			    "no cgroup2 filesystem is mounted (see /proc/self/mountinfo): "
			    "mount one with `mount -t cgroup2 none /sys/fs/cgroup` or boot with "
			    "systemd.unified_cgroup_hierarchy=1");
}

/* The first cgroup2 line of mountinfo, read no further than that line: the
 * kernel renders the table as it is read, a few lines per KiB asked for, and
 * on a host with many mounts the rest would cost every run. */
int cg_find_mount(cg_mount *m, rf_error *err)
{
	cleanup_close int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	char buf[8192];
	size_t used = 0;
	bool eof = false;

	if (fd < 0)
		return rf_error_set(err, errno, "open `/proc/self/mountinfo`");
	while (!eof || used) {
		char *nl = memchr(buf, '\n', used);
		size_t want;
		ssize_t n;

		if (nl || (eof && used)) {
			size_t len = nl ? (size_t)(nl - buf) : used;

			buf[len] = '\0';
			if (cgroup2_line(buf, m))
				return 0;
			used -= nl ? len + 1 : len;
			memmove(buf, buf + len + (nl != NULL), used);
			continue;
		}
		if (used == sizeof(buf) - 1)
			used = 0;   /* a line longer than any mount's: not ours */
		want = sizeof(buf) - 1 - used;
		n = read(fd, buf + used, want < 1024 ? want : 1024);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rf_error_set(err, errno, "read `/proc/self/mountinfo`");
		eof = n == 0;
		used += (size_t)n;
	}
	return no_cgroup2(err);
}

int cg_find_mount_in(char *table, cg_mount *m, rf_error *err)
{
	for (char *line = table, *next; *line; line = next) {
		char *nl = strchr(line, '\n');

		next = nl ? nl + 1 : line + strlen(line);
		if (nl)
			*nl = '\0';
		if (cgroup2_line(line, m))
			return 0;
	}
	return no_cgroup2(err);
}

int cg_self(char *rel, size_t len, rf_error *err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	if (!f)
		return rf_error_set(err, errno, "open `/proc/self/cgroup`");
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line + 3) >= len)
			return rf_error_set(err, ENAMETOOLONG, "own cgroup path is too long");
		strcpy(rel, line + 3);
		return 0;
	}
	return rf_error_set(err, ENOENT, "no cgroup v2 entry in `/proc/self/cgroup`");
}

/* ---- files ----------------------------------------------------------- */

int cg_write(int dirfd, const char *file, const char *value, rf_error *err)
{
	cleanup_close int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(value);
	ssize_t n;

	if (fd < 0)
		return rf_error_set(err, errno, "open `%s`", file);
	n = RF_FAULT("cgroup.write", file) ? -1 : write(fd, value, len);
	if (n < 0)
		return rf_error_set(err, errno, "write `%s` to `%s`", value, file);
	if ((size_t)n != len)
		return rf_error_set(err, EIO, "short write of `%s` to `%s`", value, file);
	return 0;
}

int cg_read(int dirfd, const char *file, char *buf, size_t len, rf_error *err)
{
	cleanup_close int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	size_t used = 0;

	if (fd < 0)
		return rf_error_set(err, errno, "open `%s`", file);
	while (used + 1 < len) {
		ssize_t n = read(fd, buf + used, len - 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rf_error_set(err, errno, "read `%s`", file);
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	return (int)used;
}

static int parse_value(const char *file, const char *text, uint64_t *out, rf_error *err)
{
	if (!strcmp(text, "max")) {
		*out = RF_MAX;
		return 0;
	}
	if (rf_parse_u64(text, 0, UINT64_MAX, out, err) < 0)
		return rf_error_prefix(err, "parse `%s`", file);
	return 0;
}

int cg_read_u64(int dirfd, const char *file, uint64_t *out, bool *present, rf_error *err)
{
	char buf[64];

	if (present)
		*present = false;
	if (cg_read(dirfd, file, buf, sizeof(buf), err) < 0) {
		if (present && err && err->errnum == ENOENT)
			return 0;
		return -1;
	}
	buf[strcspn(buf, "\n")] = '\0';
	if (parse_value(file, buf, out, err) < 0)
		return -1;
	if (present)
		*present = true;
	return 0;
}

int cg_keyed_value(const char *text, const char *file, const char *key, uint64_t *out,
		   bool *present, rf_error *err)
{
	size_t klen = strlen(key);

	*present = false;
	for (const char *line = text; *line; ) {
		size_t n = strcspn(line, "\n");

		if (n > klen && !strncmp(line, key, klen) && line[klen] == ' ') {
			char value[32];

			if (n - klen - 1 >= sizeof(value))
				return rf_error_set(err, ERANGE, "`%s` in `%s` is too long", key, file);
			memcpy(value, line + klen + 1, n - klen - 1);
			value[n - klen - 1] = '\0';
			if (parse_value(file, value, out, err) < 0)
				return -1;
			*present = true;
			return 0;
		}
		line += n;
		if (*line)
			line++;
	}
	return 0;
}

int cg_read_keyed(int dirfd, const char *file, const char *key, uint64_t *out,
		  bool *present, rf_error *err)
{
	char buf[8192];
	bool found = false;

	if (present)
		*present = false;
	if (cg_read(dirfd, file, buf, sizeof(buf), err) < 0) {
		if (present && err && err->errnum == ENOENT)
			return 0;
		return -1;
	}
	if (cg_keyed_value(buf, file, key, out, &found, err) < 0)
		return -1;
	if (present)
		*present = found;
	else if (!found)
		return rf_error_set(err, ENOENT, "no `%s` in `%s`", key, file);
	return 0;
}

int cg_open_dir(const char *path, rf_error *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return rf_error_set(err, errno, "open cgroup `%s`", path);
	return fd;
}

/* ---- the leaf -------------------------------------------------------- */

int cg_wait_empty(int dirfd, int timeout_ms)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		uint64_t populated = 1;
		bool present;
		rf_error ignored;

		if (cg_read_keyed(dirfd, "cgroup.events", "populated", &populated, &present,
				  &ignored) < 0 || !present || !populated)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >
		    timeout_ms)
			return -1;
		poll(NULL, 0, 5);
	}
}

int cg_rmdir_retry(int parent_fd, const char *name)
{
	for (int i = 0; i < 200; i++) {
		if (unlinkat(parent_fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		poll(NULL, 0, 5);
	}
	return -1;
}

/* How deep below a leaf its sub-cgroups are removed; each level holds two fds. */
#define CG_TREE_DEPTH 64

static int rmdir_tree_at(int parent_fd, const char *name, int depth)
{
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;
	int fd;

	if (depth > CG_TREE_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	d = fdopendir(fd);
	if (!d) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.' &&
		    rmdir_tree_at(dirfd(d), de->d_name, depth + 1) < 0)
			return -1;
	return cg_rmdir_retry(parent_fd, name);
}

int cg_rmdir_tree(int parent_fd, const char *name)
{
	return rmdir_tree_at(parent_fd, name, 0);
}

static int write_u64(int fd, const char *file, uint64_t v, rf_error *err)
{
	char buf[32];

	if (v == RF_MAX)
		snprintf(buf, sizeof(buf), "max");
	else
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return cg_write(fd, file, buf, err);
}

/* A unified value a line at a time: io.max and rdma.max take one device
 * per write. */
static int write_lines(int fd, const char *file, const char *value, rf_error *err)
{
	cleanup_free char *copy = strdup(value);
	char *save = NULL;

	if (!copy)
		return rf_error_set(err, ENOMEM, "write `%s`", file);
	if (!strchr(value, '\n'))
		return cg_write(fd, file, value, err);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (cg_write(fd, file, line, err) < 0)
			return -1;
	return 0;
}

/* What lim sets, and nothing else. */
static int write_given(int fd, const rf_limits *lim, rf_error *err)
{
	if (lim->memory_max.set && write_u64(fd, "memory.max", lim->memory_max.v, err) < 0)
		return -1;
	if (lim->memory_high.set && write_u64(fd, "memory.high", lim->memory_high.v, err) < 0)
		return -1;
	if (lim->memory_low.set && write_u64(fd, "memory.low", lim->memory_low.v, err) < 0)
		return -1;
	if (lim->swap_max.set && write_u64(fd, "memory.swap.max", lim->swap_max.v, err) < 0)
		return -1;
	if (lim->pids_max.set && write_u64(fd, "pids.max", lim->pids_max.v, err) < 0)
		return -1;
	if (lim->cpu_quota_us.set) {
		char buf[64];

		if (lim->cpu_quota_us.v == RF_MAX)
			snprintf(buf, sizeof(buf), "max %llu", (unsigned long long)lim->cpu_period_us);
		else
			snprintf(buf, sizeof(buf), "%llu %llu",
				 (unsigned long long)lim->cpu_quota_us.v,
				 (unsigned long long)lim->cpu_period_us);
		if (cg_write(fd, "cpu.max", buf, err) < 0)
			return -1;
	}
	if (lim->cpu_weight.set && write_u64(fd, "cpu.weight", lim->cpu_weight.v, err) < 0)
		return -1;
	if (lim->cpuset_cpus && cg_write(fd, "cpuset.cpus", lim->cpuset_cpus, err) < 0)
		return -1;
	if (lim->cpuset_mems && cg_write(fd, "cpuset.mems", lim->cpuset_mems, err) < 0)
		return -1;
	for (size_t i = 0; i < lim->n_unified; i++)
		if (write_lines(fd, lim->unified[i].key, lim->unified[i].value, err) < 0)
			return -1;
	return 0;
}

/* A new leaf: what lim sets, no swap under a memory limit unless asked, and
 * memory.oom.group as planned. */
static int write_limits(int fd, const rf_limits *lim, rf_error *err)
{
	if (write_given(fd, lim, err) < 0)
		return -1;
	/* Without swap accounting there is no file and nothing to bound. */
	if (!lim->swap_max.set && lim->memory_max.set && lim->memory_max.v != RF_MAX &&
	    write_u64(fd, "memory.swap.max", 0, err) < 0 && err->errnum != ENOENT)
		return -1;
	return cg_write(fd, "memory.oom.group", lim->oom_group ? "1" : "0", err);
}

int cg_leaf_update(cg_leaf *leaf, const rf_limits *lim, rf_error *err)
{
	if (write_given(leaf->dirfd, lim, err) < 0)
		return rf_error_prefix(err, "update leaf `%s`", leaf->rel);
	return 0;
}

unsigned cg_needed_controllers(const rf_limits *lim)
{
	unsigned need = CG_CTRL_MEMORY | CG_CTRL_PIDS;

	if (lim->cpu_quota_us.set || lim->cpu_weight.set)
		need |= CG_CTRL_CPU;
	if (lim->cpuset_cpus || lim->cpuset_mems)
		need |= CG_CTRL_CPUSET;
	for (size_t i = 0; i < lim->n_unified; i++) {
		const char *k = lim->unified[i].key;
		size_t n = strcspn(k, ".");
		char name[32];

		if (n < sizeof(name)) {
			memcpy(name, k, n);
			name[n] = '\0';
			need |= cg_parse_controllers(name);
		}
	}
	return need;
}

static void unique_name(char *buf, size_t len)
{
	unsigned int r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	snprintf(buf, len, "run-%d-%08x", (int)getpid(), r);
}

static void leaf_reset(cg_leaf *leaf)
{
	memset(leaf, 0, sizeof(*leaf));
	leaf->dirfd = -1;
	leaf->parent_fd = -1;
}

int cg_leaf_create(const cg_mount *m, const char *parent_rel, int *parent_fd, const char *name,
		   const rf_limits *lim, cg_leaf *leaf, rf_error *err)
{
	char generated[64], parent[PATH_MAX];
	cleanup_close int pfd = steal_fd(parent_fd);
	cleanup_close int fd = -1;

	leaf_reset(leaf);
	if (!name) {
		unique_name(generated, sizeof(generated));
		name = generated;
	}
	if (cg_join_path(parent, sizeof(parent), m->path, parent_rel, err) < 0 ||
	    cg_join_path(leaf->path, sizeof(leaf->path), parent, name, err) < 0 ||
	    cg_join_path(leaf->rel, sizeof(leaf->rel), strcmp(parent_rel, "/") ? parent_rel : "", name,
		      err) < 0)
		return -1;
	/* Shared, until the leaf is gone (cg_leaf_destroy closes pfd): runs
	 * exclude only a sweep, not each other (cgroup-parent.c). A sweep's
	 * exclusive lock on the same open file becomes this one. */
	if (flock(pfd, LOCK_SH) < 0)
		return rf_error_set(err, errno, "lock cgroup `%s`", parent);
	if (RF_FAULT("leaf.mkdir") || mkdirat(pfd, name, 0755) < 0) {
		if (errno == EEXIST)
			return rf_error_set(err, EEXIST,
					    "leaf `%s` already exists (another run with this --name?)",
					    leaf->rel);
		return rf_error_set(err, errno, "create leaf `%s`", leaf->rel);
	}
	fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		int saved = errno;

		unlinkat(pfd, name, AT_REMOVEDIR);
		return rf_error_set(err, saved, "open leaf `%s`", leaf->rel);
	}
	/* The mark is what lets a later run sweep this leaf if we die; best effort. */
	(void)fsetxattr(fd, CG_MARK_XATTR, "1", 1, 0);
	if (write_limits(fd, lim, err) < 0) {
		unlinkat(pfd, name, AT_REMOVEDIR);
		return rf_error_prefix(err, "set limits on leaf `%s`", leaf->rel);
	}
	leaf->dirfd = steal_fd(&fd);
	leaf->parent_fd = steal_fd(&pfd);
	return 0;
}

#define CG_NESTED_NAME "payload"

int cg_leaf_nest(const cg_leaf *leaf, rf_error *err)
{
	int fd;

	if (RF_FAULT("leaf.nest") || mkdirat(leaf->dirfd, CG_NESTED_NAME, 0755) < 0)
		return rf_error_set(err, errno, "create `%s/" CG_NESTED_NAME "`", leaf->rel);
	fd = openat(leaf->dirfd, CG_NESTED_NAME, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return rf_error_set(err, errno, "open `%s/" CG_NESTED_NAME "`", leaf->rel);
	return fd;
}

int cg_leaf_kill(cg_leaf *leaf, rf_error *err)
{
	if (cg_write(leaf->dirfd, "cgroup.kill", "1", err) == 0)
		return 0;
	if (err->errnum != ENOENT)
		return rf_error_prefix(err, "kill leaf `%s`", leaf->rel);
	return cg_kill_by_procs(leaf->dirfd, leaf->rel, err);
}

int cg_leaf_populated(cg_leaf *leaf, bool *populated, rf_error *err)
{
	uint64_t v = 0;

	if (cg_read_keyed(leaf->dirfd, "cgroup.events", "populated", &v, NULL, err) < 0)
		return -1;
	*populated = v != 0;
	return 0;
}

int cg_leaf_drain(cg_leaf *leaf, rf_error *err)
{
	bool populated = false;

	if (cg_leaf_populated(leaf, &populated, err) < 0)
		return -1;
	if (!populated)
		return 0;
	if (cg_leaf_kill(leaf, err) < 0)
		return -1;
	if (cg_wait_empty(leaf->dirfd, 2000) < 0)
		return rf_error_set(err, EBUSY, "leaf `%s` did not empty after cgroup.kill", leaf->rel);
	return 0;
}

int cg_leaf_destroy(cg_leaf *leaf, rf_error *err)
{
	const char *name;
	bool populated = false;
	int r = 0;

	if (leaf->dirfd < 0)
		return 0;
	name = strrchr(leaf->rel, '/');
	name = name ? name + 1 : leaf->rel;
	/* Emptied, without sub-cgroups: as after every run that ends normally. */
	if (unlinkat(leaf->parent_fd, name, AT_REMOVEDIR) == 0)
		goto out;
	if (cg_leaf_populated(leaf, &populated, err) == 0 && populated) {
		if (cg_leaf_kill(leaf, err) < 0)
			r = -1;
		cg_wait_empty(leaf->dirfd, 2000);
	}
	if (r == 0 && cg_rmdir_tree(leaf->parent_fd, name) < 0)
		r = rf_error_set(err, errno, "remove leaf `%s`", leaf->rel);
out:
	rf_closep(&leaf->dirfd);
	rf_closep(&leaf->parent_fd);
	leaf_reset(leaf);
	return r;
}

void cg_leaf_close(cg_leaf *leaf)
{
	rf_closep(&leaf->dirfd);
	rf_closep(&leaf->parent_fd);
	leaf_reset(leaf);
}

void cg_leaf_keep(cg_leaf *leaf)
{
	if (leaf->dirfd >= 0)
		(void)fremovexattr(leaf->dirfd, CG_MARK_XATTR);
	cg_leaf_close(leaf);
}

int cg_leaf_open(const cg_mount *m, const char *rel, cg_leaf *leaf, rf_error *err)
{
	cleanup_close int pfd = -1;
	char parent[PATH_MAX];
	const char *name;

	leaf_reset(leaf);
	name = strrchr(rel, '/');
	if (!name || !name[1] || rel[0] != '/')
		return rf_error_set(err, EINVAL, "`%s` is not a cgroup path", rel);
	if (snprintf(leaf->rel, sizeof(leaf->rel), "%s", rel) >= (int)sizeof(leaf->rel) ||
	    cg_join_path(leaf->path, sizeof(leaf->path), m->path, rel, err) < 0 ||
	    cg_join_path(parent, sizeof(parent), m->path, "", err) < 0 ||
	    snprintf(parent + strlen(parent), sizeof(parent) - strlen(parent), "%.*s",
		     (int)(name - rel), rel) >= (int)(sizeof(parent) - strlen(parent)))
		return rf_error_set(err, ENAMETOOLONG, "cgroup path `%s` is too long", rel);
	pfd = cg_open_dir(parent, err);
	if (pfd < 0)
		return -1;
	leaf->dirfd = openat(pfd, name + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (leaf->dirfd < 0)
		return rf_error_set(err, errno, "open cgroup `%s`", leaf->path);
	leaf->parent_fd = steal_fd(&pfd);
	return 0;
}

int cg_leaf_freeze(cg_leaf *leaf, bool frozen, rf_error *err)
{
	struct pollfd pfd = { .events = POLLPRI };
	char buf[256];

	/* Armed before the write: kernfs flags a change to a file read since. */
	pfd.fd = openat(leaf->dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (pfd.fd >= 0 && read(pfd.fd, buf, sizeof(buf)) < 0)
		rf_closep(&pfd.fd);
	if (cg_write(leaf->dirfd, "cgroup.freeze", frozen ? "1" : "0", err) < 0) {
		rf_closep(&pfd.fd);
		return rf_error_prefix(err, "%s leaf `%s`", frozen ? "freeze" : "thaw", leaf->rel);
	}
	/* The write returns at once; `frozen` in cgroup.events says when every
	 * task is so. Each wait is bounded in case a change is missed. */
	for (int i = 0; i < 100; i++) {
		uint64_t v = 0;
		bool present = false;

		if (cg_read_keyed(leaf->dirfd, "cgroup.events", "frozen", &v, &present, err) < 0 ||
		    !present || (v != 0) == frozen) {
			rf_closep(&pfd.fd);
			return 0;
		}
		if (pfd.fd < 0 || poll(&pfd, 1, 100) <= 0 || lseek(pfd.fd, 0, SEEK_SET) < 0 ||
		    read(pfd.fd, buf, sizeof(buf)) < 0)
			poll(NULL, 0, 10);
	}
	rf_closep(&pfd.fd);
	return rf_error_set(err, ETIMEDOUT, "leaf `%s` did not %s", leaf->rel,
			    frozen ? "freeze" : "thaw");
}
