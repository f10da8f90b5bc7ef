/* A container's state between commands: <root>/<ID>/ holds state.json (pid
 * and its start time, cgroup, bundle, rootfs, created, owner), a copy of
 * config.json, and while the container is created the exec.fifo. Every
 * command locks the directory (flock: exclusive to change, shared to read).
 *
 * The status is derived, never stored: no pid yet -> creating; the pid gone,
 * a zombie, or with another start time (reused) -> stopped; the exec.fifo
 * present -> created (asked first, as runc does: a created container is
 * never paused, and start then needs no cgroup read); the cgroup frozen ->
 * paused; else running. */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringfence/cleanup.h"
#include "ringfence/fds.h"
#include "ringfence/json.h"
#include "container-internal.h"
#include "path-root.h"

const char *rf_cstatus_name(rf_cstatus s)
{
	switch (s) {
	case RF_CSTATUS_CREATING: return "creating";
	case RF_CSTATUS_CREATED: return "created";
	case RF_CSTATUS_RUNNING: return "running";
	case RF_CSTATUS_PAUSED: return "paused";
	case RF_CSTATUS_STOPPED: return "stopped";
	}
	return "unknown";
}

int rf_container_check_id(const char *id, rf_error *err)
{
	size_t n = strlen(id);

	if (n == 0 || n > RF_CONTAINER_ID_MAX)
		return rf_error_set(err, 0, "container id must be 1-%d bytes", RF_CONTAINER_ID_MAX);
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		if (*p == '/' || iscntrl(*p))
			return rf_error_set(err, 0, "invalid container id `%s`: no `/` or control "
					    "characters allowed", id);
	if (id[0] == '.')
		return rf_error_set(err, 0, "invalid container id `%s`: must not start with `.`", id);
	return 0;
}

int rf_container_default_root(char *buf, size_t len, rf_error *err)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (geteuid() == 0)
		xdg = NULL;
	else if (!xdg || xdg[0] != '/')
		return rf_error_set(err, 0, "--root: not root and XDG_RUNTIME_DIR is unset: "
				    "give --root DIR");
	if (snprintf(buf, len, "%s/ringfence", xdg ? xdg : "/run") >= (int)len)
		return rf_error_set(err, ENAMETOOLONG, "--root: XDG_RUNTIME_DIR is too long");
	return 0;
}

int rf_proc_stat(pid_t pid, uint64_t *start, char *state)
{
	char path[64], buf[1024], *p;
	cleanup_close int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The name in parentheses may hold anything: fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
			 "%*d %*d %*d %" SCNu64, state, start) != 2)
		return -1;
	return 0;
}

int rf_container_leaf(const rf_container *c, cg_mount *m, cg_leaf *leaf, rf_error *err)
{
	if (cg_find_mount(m, err) < 0)
		return -1;
	return cg_leaf_open(m, c->cgroup, leaf, err);
}

static bool leaf_frozen(const rf_container *c)
{
	cg_mount m;
	cg_leaf leaf;
	uint64_t frozen = 0;
	bool present = false;
	rf_error ignored;

	if (!c->cgroup[0] || rf_container_leaf(c, &m, &leaf, &ignored) < 0)
		return false;
	cg_read_keyed(leaf.dirfd, "cgroup.events", "frozen", &frozen, &present, &ignored);
	cg_leaf_close(&leaf);
	return present && frozen;
}

void rf_container_refresh(rf_container *c)
{
	uint64_t start;
	char st;

	if (c->pid <= 0)
		c->status = RF_CSTATUS_CREATING;
	else if (rf_proc_stat(c->pid, &start, &st) < 0 || start != c->pid_start || st == 'Z' ||
		 st == 'X')
		c->status = RF_CSTATUS_STOPPED;
	else if (faccessat(c->dirfd, RF_EXEC_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		c->status = RF_CSTATUS_CREATED;   /* before the freezer, as runc: pause refuses it */
	else if (leaf_frozen(c))
		c->status = RF_CSTATUS_PAUSED;
	else
		c->status = RF_CSTATUS_RUNNING;
}

int rf_container_not_running(const rf_container *c, rf_error *err)
{
	(void)c;
	return rf_error_set(err, 0, "container not running");
}

static int copy_str(char *dst, size_t len, const rf_json *v, const char *key, rf_error *err)
{
	const char *s = rf_json_str(rf_json_get(v, key));

	if (!s)
		return rf_error_set(err, 0, "`%s`: no string `%s`", RF_STATE_FILE, key);
	if (snprintf(dst, len, "%s", s) >= (int)len)
		return rf_error_set(err, ENAMETOOLONG, "`%s`: `%s` is too long", RF_STATE_FILE, key);
	return 0;
}

static int parse_state(rf_container *c, const rf_json *doc, rf_error *err)
{
	const rf_json *anc = rf_json_get(doc, "ancestorOom");
	int64_t pid = 0;
	uint64_t start = 0;

	if (rf_json_i64(rf_json_get(doc, "pid"), &pid) < 0 || pid < 0 || pid > INT32_MAX ||
	    rf_json_u64(rf_json_get(doc, "pidStartTime"), &start) < 0)
		return rf_error_set(err, 0, "`%s`: no valid pid", RF_STATE_FILE);
	c->pid = (pid_t)pid;
	c->pid_start = start;
	if (copy_str(c->cgroup, sizeof(c->cgroup), doc, "cgroup", err) < 0 ||
	    copy_str(c->bundle, sizeof(c->bundle), doc, "bundle", err) < 0 ||
	    copy_str(c->rootfs, sizeof(c->rootfs), doc, "rootfs", err) < 0 ||
	    copy_str(c->created, sizeof(c->created), doc, "created", err) < 0 ||
	    copy_str(c->owner, sizeof(c->owner), doc, "owner", err) < 0 ||
	    copy_str(c->verdict_path, sizeof(c->verdict_path), doc, "verdictPath", err) < 0)
		return -1;
	if (rf_json_get(doc, "scope") &&
	    copy_str(c->scope, sizeof(c->scope), doc, "scope", err) < 0)
		return -1;
	if (rf_json_get(doc, "hooks") && rf_json_bool_val(rf_json_get(doc, "hooks"), &c->hooks) < 0)
		return rf_error_set(err, 0, "`%s`: bad hooks", RF_STATE_FILE);
	if (rf_json_get(doc, "nestedIn")) {
		int64_t en;

		if (copy_str(c->nested_in, sizeof(c->nested_in), doc, "nestedIn", err) < 0)
			return -1;
		if (!rf_json_get(doc, "nestedEnabled") ||
		    rf_json_i64(rf_json_get(doc, "nestedEnabled"), &en) < 0 || en < 0 ||
		    en > (int64_t)UINT32_MAX)
			return rf_error_set(err, 0, "`%s`: bad nestedEnabled", RF_STATE_FILE);
		c->nested_enabled = (unsigned)en;
	}
	c->n_ancestors = 0;
	for (size_t i = 0; i < rf_json_array_len(anc) && i < RF_ARRAY_SIZE(c->ancestor_oom); i++) {
		if (rf_json_i64(rf_json_array_at(anc, i), &c->ancestor_oom[i]) < 0)
			return rf_error_set(err, 0, "`%s`: bad ancestorOom", RF_STATE_FILE);
		c->n_ancestors++;
	}
	return 0;
}

static int load_state(rf_container *c, rf_error *err)
{
	cleanup_close int fd = openat(c->dirfd, RF_STATE_FILE, O_RDONLY | O_CLOEXEC);
	char path[sizeof(c->root) + sizeof(c->id) + sizeof(RF_STATE_FILE)];
	rf_json *doc;
	int r;

	if (fd < 0 && errno == ENOENT) {
		c->pid = 0;   /* create has not written it yet: creating */
		return 0;
	}
	if (fd < 0)
		return rf_error_set(err, errno, "open `%s/%s/%s`", c->root, c->id, RF_STATE_FILE);
	snprintf(path, sizeof(path), "%s/%s/%s", c->root, c->id, RF_STATE_FILE);
	doc = rf_json_parse_fd(fd, path, err);
	if (!doc)
		return rf_error_prefix(err, "container \"%s\"", c->id);
	r = parse_state(c, doc, err);
	rf_json_free(doc);
	return r < 0 ? rf_error_prefix(err, "container \"%s\"", c->id) : 0;
}

int rf_container_open(const char *root, const char *id, bool exclusive, rf_container *c,
		      rf_error *err)
{
	char dir[PATH_MAX];

	memset(c, 0, sizeof(*c));
	c->dirfd = -1;
	if (rf_container_check_id(id, err) < 0)
		return -1;
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->root, sizeof(c->root), "%s", root);
	if (snprintf(dir, sizeof(dir), "%s/%s", root, id) >= (int)sizeof(dir))
		return rf_error_set(err, ENAMETOOLONG, "state directory of `%s` is too long", id);
	c->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c->dirfd < 0 && (errno == ENOENT || errno == ENOTDIR)) {
		c->missing = true;
		return rf_error_set(err, 0, "container \"%s\" does not exist", id);
	}
	if (c->dirfd < 0)
		return rf_error_set(err, errno, "open `%s`", dir);
	if (flock(c->dirfd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		rf_error_set(err, errno, "lock `%s`", dir);
		rf_closep(&c->dirfd);
		return -1;
	}
	if (load_state(c, err) < 0) {
		rf_closep(&c->dirfd);
		return -1;
	}
	rf_container_refresh(c);
	return 0;
}

int rf_container_open_made(const char *root, const char *id, bool exclusive, rf_container *c,
			   rf_error *err)
{
	if (rf_container_open(root, id, exclusive, c, err) < 0)
		return -1;
	if (c->status != RF_CSTATUS_CREATING)
		return 0;
	rf_container_close(c);
	return rf_container_not_running(c, err);
}

int rf_container_open_live(const char *root, const char *id, bool exclusive, rf_container *c,
			   rf_error *err)
{
	if (rf_container_open_made(root, id, exclusive, c, err) < 0)
		return -1;
	if (c->status != RF_CSTATUS_STOPPED)
		return 0;
	rf_container_close(c);
	return rf_container_not_running(c, err);
}

void rf_container_close(rf_container *c)
{
	rf_closep(&c->dirfd);
	c->dirfd = -1;
}

int rf_write_file_atomic(int dirfd, const char *path, const char *text, rf_error *err)
{
	char tmp[PATH_MAX];
	cleanup_close int fd = -1;
	size_t len = strlen(text);
	const char *slash = strrchr(path, '/');

	if (snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp", slash ? (int)(slash - path + 1) : 0, path,
		     slash ? slash + 1 : path) >= (int)sizeof(tmp))
		return rf_error_set(err, ENAMETOOLONG, "`%s` is too long", path);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return rf_error_set(err, errno, "create `%s`", tmp);
	if (write(fd, text, len) != (ssize_t)len) {
		rf_error_set(err, errno ? errno : EIO, "write `%s`", tmp);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (renameat(dirfd, tmp, dirfd, path) < 0) {
		rf_error_set(err, errno, "rename `%s` to `%s`", tmp, path);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

int rf_container_write_pid_file(const char *path, pid_t pid, rf_error *err)
{
	char text[32];

	if (!path)
		return 0;
	snprintf(text, sizeof(text), "%d", (int)pid);
	if (rf_write_file_atomic(AT_FDCWD, path, text, err) < 0)
		return rf_error_prefix(err, "--pid-file");
	return 0;
}

int rf_container_write_annotated(const rf_container *c, const char *text, rf_error *err)
{
	size_t n = strlen(c->bundle);
	const char *rel = c->verdict_path + n + 1, *slash;
	cleanup_close int bundle = -1, dir = -1;
	char parent[PATH_MAX];

	/* create checked it; a state file edited since is refused the same */
	if (strncmp(c->verdict_path, c->bundle, n) || c->verdict_path[n] != '/' || !*rel)
		return rf_error_set(err, 0, "`%s` is not inside the bundle `%s`", c->verdict_path,
				    c->bundle);
	slash = strrchr(rel, '/');
	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - rel) : 1, slash ? rel : ".");
	bundle = open(c->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (bundle < 0)
		return rf_error_set(err, errno, "open the bundle `%s`", c->bundle);
	dir = rf_path_open_in_root(bundle, parent, O_PATH | O_DIRECTORY);
	if (dir < 0)
		return rf_error_set(err, errno, "open `%s` in the bundle", parent);
	return rf_write_file_atomic(dir, slash ? slash + 1 : rel, text, err);
}

static void kv(rf_json_writer *w, const char *key, const char *value)
{
	rf_json_key(w, key);
	rf_json_string(w, value);
}

int rf_container_config(const rf_container *c, char **text, rf_error *err)
{
	cleanup_close int fd = openat(c->dirfd, RF_CONFIG_COPY, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t len;

	*text = NULL;
	if (fd < 0)
		return rf_error_set(err, errno, "open the config.json create saved for \"%s\"", c->id);
	return rf_read_all(fd, RF_CONFIG_COPY, RF_JSON_MAX_FILE, text, &len, err);
}

int rf_container_save(const rf_container *c, rf_error *err)
{
	rf_json_writer *w = rf_json_writer_new(true);
	cleanup_free char *text = NULL;
	size_t len;

	if (!w)
		return rf_error_set(err, ENOMEM, "write `%s`", RF_STATE_FILE);
	rf_json_begin_object(w);
	kv(w, "id", c->id);
	rf_json_key(w, "pid");
	rf_json_int(w, c->pid);
	rf_json_key(w, "pidStartTime");
	rf_json_uint(w, c->pid_start);
	kv(w, "cgroup", c->cgroup);
	kv(w, "bundle", c->bundle);
	kv(w, "rootfs", c->rootfs);
	kv(w, "created", c->created);
	kv(w, "owner", c->owner);
	kv(w, "verdictPath", c->verdict_path);
	if (c->scope[0])
		kv(w, "scope", c->scope);
	if (c->hooks) {
		rf_json_key(w, "hooks");
		rf_json_bool(w, true);
	}
	if (c->nested_in[0]) {
		kv(w, "nestedIn", c->nested_in);
		rf_json_key(w, "nestedEnabled");
		rf_json_uint(w, c->nested_enabled);
	}
	rf_json_key(w, "ancestorOom");
	rf_json_begin_array(w);
	for (size_t i = 0; i < c->n_ancestors; i++)
		rf_json_int(w, c->ancestor_oom[i]);
	rf_json_end_array(w);
	rf_json_end_object(w);
	if (rf_json_writer_finish(w, &text, &len, err) < 0) {
		rf_json_writer_free(w);
		return -1;
	}
	rf_json_writer_free(w);
	return rf_write_file_atomic(c->dirfd, RF_STATE_FILE, text, err);
}

int rf_container_state_json(const rf_container *c, bool pretty, char **out, size_t *len,
			    rf_error *err)
{
	rf_json_writer *w = rf_json_writer_new(pretty);
	rf_verdict v;
	int r;

	if (!w)
		return rf_error_set(err, ENOMEM, "write the state");
	rf_json_begin_object(w);
	kv(w, "ociVersion", "1.0.2");
	kv(w, "id", c->id);
	rf_json_key(w, "pid");
	rf_json_int(w, c->status == RF_CSTATUS_STOPPED ? 0 : c->pid);
	kv(w, "status", rf_cstatus_name(c->status));
	kv(w, "bundle", c->bundle);
	kv(w, "rootfs", c->rootfs);
	kv(w, "created", c->created);
	kv(w, "owner", c->owner);
	/* Our one addition, namespaced: CRI-O decodes exitCode, oomKilled, ...
	 * with meanings of its own, so no other top-level key. */
	if (c->status == RF_CSTATUS_STOPPED && rf_container_verdict(c, &v, NULL) == 0) {
		rf_json_key(w, "ringfence");
		rf_verdict_json_write(w, &v);
	}
	rf_json_end_object(w);
	r = rf_json_writer_finish(w, out, len, err);
	rf_json_writer_free(w);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rf_container_list(const char *root, char ***out, rf_error *err)
{
	cleanup_closedir DIR *d = opendir(root);
	char **ids = calloc(1, sizeof(*ids));
	size_t n = 0;
	struct dirent *de;

	if (!ids)
		return rf_error_set(err, ENOMEM, "list containers");
	if (!d && errno != ENOENT) {
		free(ids);
		return rf_error_set(err, errno, "open `%s`", root);
	}
	while (d && (de = readdir(d))) {
		char **grown;

		if (de->d_type != DT_DIR || de->d_name[0] == '.' ||
		    rf_container_check_id(de->d_name, NULL) < 0)
			continue;
		grown = realloc(ids, (n + 2) * sizeof(*ids));
		if (!grown || !(grown[n] = strdup(de->d_name))) {
			rf_strv_free(grown ? grown : ids);
			return rf_error_set(err, ENOMEM, "list containers");
		}
		ids = grown;
		ids[++n] = NULL;
	}
	qsort(ids, n, sizeof(*ids), cmp_str);
	*out = ids;
	return 0;
}
