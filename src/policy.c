/* The admin's policy for a setuid-root ringfence (include/ringfence/policy.h):
 * parsing /etc/ringfence/policy, and checking a finished plan against it.
 *
 * The file, as isolate's configuration: `key = value` lines, `#` comments.
 *
 *   memory = 4G              most --memory a user may ask; the default too
 *   swap = 0                 the same for --swap
 *   pids = 512               ... --pids
 *   cpus = 2                 ... --cpus
 *   timeout = 1h             ... --timeout
 *   unshare = pid,ipc,uts,net,cgroup,mount   namespaces users may ask for
 *   users = alice,1001       only these may run it ...
 *   groups = hpc             ... or members of these
 *   cgroup-parents = /jobs   parents a user may name besides their own cgroup
 *
 * The plan check is a list of rules, each with its reason. It runs on the
 * finished plan, so a profile or a bundle cannot ask for what a flag may
 * not: whatever the source, the plan is what runs. The isolation and process
 * parts are compared against a fresh plan with the allowed fields reset, so a
 * field added to them later is refused here until someone decides it is
 * safe for a setuid user. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringfence/cleanup.h"
#include "ringfence/isolation.h"
#include "ringfence/parse.h"
#include "ringfence/passwd.h"
#include "ringfence/policy.h"

#define POLICY_MAX_BYTES 65536

/* ---- parsing ---------------------------------------------------------- */

typedef struct pctx {
	rf_policy *pol;
	const char *path, *passwd, *group;
	unsigned line;
	rf_error *err;
} pctx;

static int bad(pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A message about the current line: "PATH:LINE: ...", errnum 0. */
static int bad(pctx *c, const char *fmt, ...)
{
	char msg[RF_ERROR_MSG_MAX - 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A message reaches a terminal: the file's bytes, also those quoted by
	 * the parsers called here, as printable text. */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return rf_error_set(c->err, 0, "%s:%u: %s", c->path, c->line, msg);
}

/* Split "a, b,c" in place; calls fn for each non-empty item. */
static int each_item(pctx *c, char *list, int (*fn)(pctx *, const char *))
{
	char *save = NULL;

	for (char *it = strtok_r(list, ", \t", &save); it; it = strtok_r(NULL, ", \t", &save))
		if (fn(c, it) < 0)
			return -1;
	return 0;
}

static int add_user(pctx *c, const char *s)
{
	rf_policy *p = c->pol;
	rf_passwd_user pw;
	uint64_t v;
	uid_t *grown;

	if (rf_parse_u64(s, 0, RF_PASSWD_ID_MAX, &v, NULL) == 0) {
		pw.uid = (uid_t)v;
	} else {
		int rc = rf_passwd_user_by_name(c->passwd, s, &pw, c->err);

		if (rc < 0)
			return -1;
		if (rc == 0)
			return bad(c, "users: no user `%s` in %s (give a uid for a directory-service user)",
				   RF_SHOWN(s), c->passwd);
	}
	if (!(grown = realloc(p->users, (p->n_users + 1) * sizeof(*grown))))
		return rf_error_set(c->err, ENOMEM, "policy users");
	p->users = grown;
	p->users[p->n_users++] = pw.uid;
	return 0;
}

static int add_group(pctx *c, const char *s)
{
	rf_policy *p = c->pol;
	uint64_t v;
	gid_t gid, *grown;

	if (rf_parse_u64(s, 0, RF_PASSWD_ID_MAX, &v, NULL) == 0) {
		gid = (gid_t)v;
	} else {
		int rc = rf_passwd_group_by_name(c->group, s, &gid, c->err);

		if (rc < 0)
			return -1;
		if (rc == 0)
			return bad(c, "groups: no group `%s` in %s (give a gid for a directory-service group)",
				   RF_SHOWN(s), c->group);
	}
	if (!(grown = realloc(p->groups, (p->n_groups + 1) * sizeof(*grown))))
		return rf_error_set(c->err, ENOMEM, "policy groups");
	p->groups = grown;
	p->groups[p->n_groups++] = gid;
	return 0;
}

/* "/a/b" form: one leading slash, no trailing one, no `..`, no `//`. */
static int add_parent(pctx *c, const char *s)
{
	rf_policy *p = c->pol;
	char **grown, *copy;
	size_t n;

	if (s[0] != '/' || strstr(s, "..") || strstr(s, "//") || (n = strlen(s)) < 2 ||
	    s[n - 1] == '/')
		return bad(c, "cgroup-parents: `%s` is not a cgroup path like /jobs/shared", RF_SHOWN(s));
	if (!(grown = realloc(p->cgroup_parents, (p->n_cgroup_parents + 1) * sizeof(*grown))))
		return rf_error_set(c->err, ENOMEM, "policy cgroup-parents");
	p->cgroup_parents = grown;
	if (!(copy = strdup(s)))
		return rf_error_set(c->err, ENOMEM, "policy cgroup-parents");
	p->cgroup_parents[p->n_cgroup_parents++] = copy;
	return 0;
}

static int set_value(pctx *c, const char *key, char *val)
{
	rf_policy *p = c->pol;
	rf_error e = { 0 };
	int r = 0;

	if (!strcmp(key, "memory")) {
		r = rf_parse_size(val, &p->memory.v, &e);
		p->memory.set = true;
	} else if (!strcmp(key, "swap")) {
		r = rf_parse_size(val, &p->swap.v, &e);
		p->swap.set = true;
	} else if (!strcmp(key, "pids")) {
		r = rf_parse_u64(val, 1, INT32_MAX, &p->pids.v, &e);
		p->pids.set = true;
	} else if (!strcmp(key, "cpus")) {
		uint64_t quota;

		/* Thousandths of a CPU, read as a quota of the default 100 ms
		 * period: a run without --cpus gets the bound as its cpu.max, so
		 * it is one the kernel takes there (0.01 at least). */
		r = rf_parse_cpus(val, 100000, &quota, &e);
		p->cpus_millis.v = quota / 100;
		p->cpus_millis.set = true;
	} else if (!strcmp(key, "timeout")) {
		r = rf_parse_duration_ms(val, &p->timeout_ms.v, &e);
		p->timeout_ms.set = true;
	} else if (!strcmp(key, "unshare")) {
		if (strcmp(val, "none"))
			r = rf_ns_parse(val, &p->unshare, &e);
		/* A user namespace is a user's own to make, without setuid. */
		if (r == 0 && (p->unshare & CLONE_NEWUSER))
			return bad(c, "unshare: `user` is not offered to setuid users (they can "
				   "create user namespaces without ringfence's root)");
	} else if (!strcmp(key, "users")) {
		p->users_set = true;
		return each_item(c, val, add_user);
	} else if (!strcmp(key, "groups")) {
		p->groups_set = true;
		return each_item(c, val, add_group);
	} else if (!strcmp(key, "cgroup-parents")) {
		return each_item(c, val, add_parent);
	} else {
		return bad(c, "unknown key `%s` (expected memory, swap, pids, cpus, timeout, "
			   "unshare, users, groups or cgroup-parents)", RF_SHOWN(key));
	}
	if (r < 0)
		return bad(c, "%s: %s", key, e.msg);
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

int rf_policy_parse(const char *text, const char *path, const char *passwd, const char *group,
		    rf_policy *pol, rf_error *err)
{
	cleanup_free char *copy = strdup(text);
	char seen[16][32] = { { 0 } };
	size_t n_seen = 0;
	pctx c = { .pol = pol, .path = path, .passwd = passwd, .group = group, .err = err };
	char *save = NULL, *line;

	memset(pol, 0, sizeof(*pol));
	snprintf(pol->path, sizeof(pol->path), "%s", path);
	if (!copy)
		return rf_error_set(err, ENOMEM, "read the policy");
	for (line = copy; line; line = save) {
		char *eq, *key, *val;

		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		c.line++;
		if (strchr(line, '#'))
			*strchr(line, '#') = '\0';
		line = trim(line);
		if (!*line)
			continue;
		if (!(eq = strchr(line, '=')))
			return bad(&c, "`%s` is not `key = value`", RF_SHOWN(line));
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
		for (size_t i = 0; i < n_seen; i++)
			if (!strcmp(seen[i], key))
				return bad(&c, "`%s` is given twice", RF_SHOWN(key));
		if (n_seen < RF_ARRAY_SIZE(seen))
			snprintf(seen[n_seen++], sizeof(seen[0]), "%s", key);
		if (!*val)
			return bad(&c, "`%s` has no value", RF_SHOWN(key));
		if (set_value(&c, key, val) < 0)
			return -1;
	}
	return 0;
}

void rf_policy_free(rf_policy *pol)
{
	free(pol->users);
	free(pol->groups);
	for (size_t i = 0; i < pol->n_cgroup_parents; i++)
		free(pol->cgroup_parents[i]);
	free(pol->cgroup_parents);
	memset(pol, 0, sizeof(*pol));
}

/* Root's and nobody else's to change: a user who could write the file or
 * replace it in its directory would write their own bounds. */
static int check_owner(const struct stat *st, const char *what, const char *path, rf_error *err)
{
	if (st->st_uid != 0 || (st->st_mode & 022))
		return rf_error_set(err, EPERM,
				    "%s `%s` must be owned by root and writable by nobody else "
				    "(it is uid %u, mode %04o)", what, path, (unsigned)st->st_uid,
				    (unsigned)(st->st_mode & 07777));
	return 0;
}

int rf_policy_load(const char *path, rf_policy *pol, rf_error *err)
{
	cleanup_close int fd = -1;
	cleanup_free char *text = NULL;
	char dir[PATH_MAX];
	struct stat st;
	ssize_t n;
	size_t used = 0;

	memset(pol, 0, sizeof(*pol));
	if (!path)
		path = RF_POLICY_PATH;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return rf_error_set(err, ENOENT,
				    "a setuid-root ringfence runs only under an admin policy, and "
				    "`%s` is missing (see PRIVILEGE in ringfence(1))", path);
	if (fd < 0)
		return rf_error_set(err, errno, "open the policy `%s`", path);
	if (fstat(fd, &st) < 0)
		return rf_error_set(err, errno, "stat `%s`", path);
	if (!S_ISREG(st.st_mode))
		return rf_error_set(err, EPERM, "the policy `%s` is not a regular file", path);
	if (check_owner(&st, "the policy", path, err) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s", path);
	if (stat(dirname(dir), &st) < 0)
		return rf_error_set(err, errno, "stat `%s`", dir);
	if (check_owner(&st, "the policy's directory", dir, err) < 0)
		return -1;
	if (!(text = malloc(POLICY_MAX_BYTES + 1)))
		return rf_error_set(err, ENOMEM, "read `%s`", path);
	while ((n = read(fd, text + used, POLICY_MAX_BYTES - used)) > 0)
		used += (size_t)n;
	if (n < 0)
		return rf_error_set(err, errno, "read `%s`", path);
	if (used == POLICY_MAX_BYTES)
		return rf_error_set(err, EFBIG, "the policy `%s` is larger than %d bytes", path,
				    POLICY_MAX_BYTES);
	text[used] = '\0';
	if (memchr(text, '\0', used))
		return rf_error_set(err, EINVAL, "the policy `%s` holds a NUL byte", path);
	if (rf_policy_parse(text, path, RF_PASSWD_FILE, RF_GROUP_FILE, pol, err) < 0) {
		rf_policy_free(pol);
		return -1;
	}
	return 0;
}
