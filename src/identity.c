/* Who the payload runs as, where, and with which environment: --user and
 * --groups (names resolved at plan time, never in the child, whose view of
 * /etc may differ), the identity switch and --chdir in the child, and the
 * environment vector.
 *
 * Names are looked up in the host's /etc/passwd and /etc/group (a container
 * root's with --rootfs or --bundle, read inside it), read directly
 * (src/passwd.c), not through getpwnam() and NSS: a static binary cannot load
 * NSS modules. A user or group that only a directory service (LDAP, sssd)
 * knows is given by number; the error for an unknown name says so.
 *
 * The environment is literal: --clearenv starts from nothing (not even PATH),
 * --setenv/--unsetenv apply in order, and --user does not set HOME, USER or
 * LOGNAME; a payload that needs them gets them with --setenv. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>                 /* setgroups() only */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "ringfence/cleanup.h"
#include "ringfence/isolation.h"
#include "ringfence/parse.h"
#include "ringfence/passwd.h"
#include "path-root.h"

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* Where names are looked up: the host's /etc/passwd or /etc/group, or a
 * container root's, opened inside it (a symlink there cannot make us read
 * the host's) and read through /proc/self/fd. */
struct id_file {
	char path[64];           /* what the reader opens */
	char shown[PATH_MAX];    /* what a message names */
	int fd, open_errno;
};

static void id_file_close(struct id_file *f)
{
	rf_closep(&f->fd);
}

#define cleanup_id_file __attribute__((cleanup(id_file_close)))

static int id_file_open(const char *root, const char *file, struct id_file *f,
			rf_error *err)
{
	cleanup_close int rootfd = -1;

	f->fd = -1;
	f->open_errno = 0;
	if (!root) {
		snprintf(f->path, sizeof(f->path), "%s", file);
		snprintf(f->shown, sizeof(f->shown), "%s", file);
		return 0;
	}
	snprintf(f->shown, sizeof(f->shown), "%s%s", root, file);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return rf_error_set(err, errno, "open the root `%s`", root);
	f->fd = rf_path_read_in_root(rootfd, file);
	if (f->fd < 0)
		f->open_errno = errno;
	snprintf(f->path, sizeof(f->path), "/proc/self/fd/%d", f->fd);
	return 0;
}

/* The path to read, or NULL with err saying why the file could not be
 * opened in the root (missing reads as ENOENT, as on the host; a FIFO or a
 * device is not read at all). */
static const char *id_file_path(const struct id_file *f, rf_error *err)
{
	if (f->open_errno == EINVAL)
		rf_error_set(err, 0, "`%s` is not a regular file", f->shown);
	else if (f->open_errno)
		rf_error_set(err, f->open_errno, "read `%s`", f->shown);
	if (f->open_errno)
		return NULL;
	return f->path;
}

static int resolve_user(const struct id_file *f, const char *s, uid_t *uid, gid_t *gid,
			rf_error *err)
{
	rf_passwd_user pw;
	rf_error lookup = { 0 };
	const char *path;
	uint64_t v;
	int rc;

	if (all_digits(s)) {
		if (rf_parse_u64(s, 0, RF_PASSWD_ID_MAX, &v, err) < 0)
			return rf_error_prefix(err, "uid");
		/* A uid without a passwd entry is allowed; its group is its own
		 * number. So is one on a host (or in a root) without /etc/passwd. */
		path = id_file_path(f, &lookup);
		rc = path ? rf_passwd_user_by_uid(path, (uid_t)v, &pw, &lookup) : -1;
		if (rc < 0 && lookup.errnum != ENOENT) {
			if (err)
				*err = lookup;
			return rf_error_prefix(err, "look up uid %s", s);
		}
		*uid = (uid_t)v;
		*gid = rc > 0 ? pw.gid : (gid_t)v;
		return 0;
	}
	path = id_file_path(f, err);
	rc = path ? rf_passwd_user_by_name(path, s, &pw, err) : -1;
	if (rc < 0)
		return rf_error_prefix(err, "look up user `%s`", s);
	if (!rc)
		return rf_error_set(err, 0, "unknown user `%s` (not in %s; "
				    "expected a user name or a uid; users from a directory "
				    "service such as LDAP or sssd are given by number, "
				    "e.g. --user \"$(id -u %s)\")", s, f->shown, s);
	*uid = pw.uid;
	*gid = pw.gid;
	return 0;
}

static int resolve_group(const struct id_file *f, const char *s, gid_t *gid, rf_error *err)
{
	const char *path;
	uint64_t v;
	int rc;

	if (all_digits(s)) {
		if (rf_parse_u64(s, 0, RF_PASSWD_ID_MAX, &v, err) < 0)
			return rf_error_prefix(err, "gid");
		*gid = (gid_t)v;
		return 0;
	}
	path = id_file_path(f, err);
	rc = path ? rf_passwd_group_by_name(path, s, gid, err) : -1;
	if (rc < 0)
		return rf_error_prefix(err, "look up group `%s`", s);
	if (!rc)
		return rf_error_set(err, 0, "unknown group `%s` (not in %s; "
				    "expected a group name or a gid; groups from a directory "
				    "service such as LDAP or sssd are given by number, "
				    "e.g. \"$(getent group %s | cut -d: -f3)\")", s, f->shown, s);
	return 0;
}

int rf_identity_parse_user(const char *spec, rf_process *p, rf_error *err)
{
	return rf_identity_parse_user_in(spec, NULL, p, err);
}

int rf_identity_parse_user_in(const char *spec, const char *root, rf_process *p, rf_error *err)
{
	cleanup_free char *copy = strdup(spec);
	cleanup_id_file struct id_file pw = { .fd = -1 }, gr = { .fd = -1 };
	char *group;
	uid_t uid = 0;
	gid_t gid = 0;

	if (!copy)
		return rf_error_set(err, ENOMEM, "allocate the user");
	group = strchr(copy, ':');
	if (group)
		*group++ = '\0';
	if (!*copy || (group && !*group))
		return rf_error_set(err, 0, "`%s` is not a user (expected USER or UID, "
				    "optionally :GROUP or :GID)", spec);
	if (id_file_open(root, RF_PASSWD_FILE, &pw, err) < 0 ||
	    resolve_user(&pw, copy, &uid, &gid, err) < 0)
		return -1;
	if (group && (id_file_open(root, RF_GROUP_FILE, &gr, err) < 0 ||
		      resolve_group(&gr, group, &gid, err) < 0))
		return -1;
	p->user_set = true;
	p->uid = uid;
	p->gid = gid;
	return 0;
}

int rf_identity_parse_groups(const char *list, rf_process *p, rf_error *err)
{
	return rf_identity_parse_groups_in(list, NULL, p, err);
}

int rf_identity_parse_groups_in(const char *list, const char *root, rf_process *p,
				rf_error *err)
{
	cleanup_free char *copy = strdup(list);
	cleanup_free gid_t *v = NULL;
	cleanup_id_file struct id_file gr = { .fd = -1 };
	long max = sysconf(_SC_NGROUPS_MAX);
	size_t n = 0, cap = 1;
	char *save = NULL;

	if (!copy)
		return rf_error_set(err, ENOMEM, "allocate the group list");
	if (!*list || *list == ',' || list[strlen(list) - 1] == ',' || strstr(list, ",,"))
		return rf_error_set(err, 0, "`%s` is not a group list (expected group names "
				    "or gids separated by commas)", list);
	for (const char *c = list; *c; c++)
		cap += *c == ',';
	v = calloc(cap, sizeof(*v));
	if (!v)
		return rf_error_set(err, ENOMEM, "allocate the group list");
	if (id_file_open(root, RF_GROUP_FILE, &gr, err) < 0)
		return -1;
	for (char *g = strtok_r(copy, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
		gid_t gid;
		bool dup = false;

		if (resolve_group(&gr, g, &gid, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			dup |= v[i] == gid;
		if (!dup)
			v[n++] = gid;
	}
	if (max > 0 && n > (size_t)max)
		return rf_error_set(err, 0, "`%s` has %zu groups, more than the kernel's "
				    "limit of %ld", list, n, max);
	free(p->groups);
	p->groups = steal_pointer(&v);
	p->n_groups = n;
	p->groups_set = true;
	return 0;
}

/* getgroups() holds exactly the planned set (in any order). */
static int verify_groups(const gid_t *want, size_t n, rf_error *err)
{
	cleanup_free gid_t *got = calloc(n + 1, sizeof(*got));
	int k;

	if (!got)
		return rf_error_set(err, ENOMEM, "allocate the group list");
	k = getgroups((int)n + 1, got);
	if (k < 0)
		return rf_error_set(err, errno, "read back the supplementary groups");
	if ((size_t)k != n)
		return rf_error_set(err, 0, "%d supplementary groups after setgroups(), "
				    "expected %zu", k, n);
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		for (int j = 0; j < k; j++)
			found |= got[j] == want[i];
		if (!found)
			return rf_error_set(err, 0, "group %u missing after setgroups()",
					    (unsigned)want[i]);
	}
	return 0;
}

int rf_identity_apply(const rf_process *p, rf_error *err)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	/* Groups first and gid before uid: both need privilege the uid switch
	 * gives up. Without --groups a --user payload gets none: the caller's
	 * groups (root's may include disk or adm) must not reach it. */
	if (p->groups_set) {
		if (RF_FAULT("identity.groups") || setgroups(p->n_groups, p->groups) < 0)
			return rf_error_set(err, errno, "set the supplementary groups");
		if (verify_groups(p->groups, p->n_groups, err) < 0)
			return -1;
	} else if (p->user_set) {
		if (RF_FAULT("identity.groups") || setgroups(0, NULL) < 0)
			return rf_error_set(err, errno, "clear the supplementary groups");
		if (verify_groups(NULL, 0, err) < 0)
			return -1;
	}
	if (!p->user_set)
		return 0;
	if (RF_FAULT("identity.gid") || setresgid(p->gid, p->gid, p->gid) < 0)
		return rf_error_set(err, errno, "set the group id to %u", (unsigned)p->gid);
	if (RF_FAULT("identity.uid") || setresuid(p->uid, p->uid, p->uid) < 0)
		return rf_error_set(err, errno, "set the user id to %u", (unsigned)p->uid);
	/* Real, effective and saved ids all switched: none is left to return to. */
	if (getresgid(&rg, &eg, &sg) < 0 || getresuid(&r, &e, &s) < 0)
		return rf_error_set(err, errno, "read back the user and group ids");
	if (r != p->uid || e != p->uid || s != p->uid || rg != p->gid || eg != p->gid ||
	    sg != p->gid)
		return rf_error_set(err, 0, "ids are %u/%u/%u:%u/%u/%u after the switch to "
				    "%u:%u", (unsigned)r, (unsigned)e, (unsigned)s, (unsigned)rg,
				    (unsigned)eg, (unsigned)sg, (unsigned)p->uid,
				    (unsigned)p->gid);
	return 0;
}

/* In a container root, no magic link (/proc/self/fd/N, /proc/PID/cwd) may
 * lead the working directory out of it (CVE-2024-21626). */
static int chdir_in_root(const char *dir, rf_error *err)
{
	cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int fd = -1;

	if (root < 0)
		return rf_error_set(err, errno, "open `/`");
	fd = rf_path_open_in_root(root, dir, O_PATH | O_DIRECTORY);
	if (fd < 0 || RF_FAULT("identity.chdir") || fchdir(fd) < 0)
		return rf_error_set(err, errno, "change directory to `%s`", dir);
	return 0;
}

int rf_identity_chdir(const char *dir, bool in_root, rf_error *err)
{
	char cwd[PATH_MAX];
	struct stat here, named;

	if (in_root ? chdir_in_root(dir, err) < 0 : (RF_FAULT("identity.chdir") || chdir(dir) < 0))
		return in_root ? -1 : rf_error_set(err, errno, "change directory to `%s`", dir);
	/* The payload's cwd must be reachable from its root under the name
	 * getcwd() reports, and that name must lead back to where we are. */
	if (!getcwd(cwd, sizeof(cwd)))
		return rf_error_set(err, errno, "working directory after entering `%s`", dir);
	if (stat(".", &here) < 0 || stat(cwd, &named) < 0)
		return rf_error_set(err, errno, "stat the working directory `%s`", cwd);
	if (here.st_dev != named.st_dev || here.st_ino != named.st_ino)
		return rf_error_set(err, 0, "working directory `%s` (entered as `%s`) is not "
				    "the directory that path names", cwd, dir);
	return 0;
}

/* ---- environment ----------------------------------------------------- */

static bool env_has_key(const char *entry, const char *key, size_t klen)
{
	return !strncmp(entry, key, klen) && entry[klen] == '=';
}

/* Drop every entry for key from index `from` on. */
static void env_remove(char **env, size_t *n, const char *key, size_t klen, size_t from)
{
	size_t o = from;

	for (size_t i = from; i < *n; i++) {
		if (env_has_key(env[i], key, klen))
			free(env[i]);
		else
			env[o++] = env[i];
	}
	*n = o;
	env[o] = NULL;
}

static int env_apply(char **env, size_t *n, const rf_envop *op, rf_error *err)
{
	size_t klen = strlen(op->key);
	char *entry;
	size_t i;

	if (!klen || strchr(op->key, '='))
		return rf_error_set(err, 0, "environment variable name `%s` is empty or "
				    "contains `=`", op->key);
	if (!op->value) {
		env_remove(env, n, op->key, klen, 0);
		return 0;
	}
	if (asprintf(&entry, "%s=%s", op->key, op->value) < 0)
		return rf_error_set(err, ENOMEM, "allocate the environment");
	for (i = 0; i < *n && !env_has_key(env[i], op->key, klen); i++)
		;
	if (i == *n) {
		env[(*n)++] = entry;
		env[*n] = NULL;
		return 0;
	}
	/* Replace in place, keeping the order, and drop any duplicates. */
	free(env[i]);
	env[i] = entry;
	env_remove(env, n, op->key, klen, i + 1);
	return 0;
}

char **rf_env_build(const rf_process *p, char **base_environ, rf_error *err)
{
	cleanup_strv char **env = NULL;
	size_t nbase = 0, n = 0;

	if (!p->clearenv && base_environ)
		while (base_environ[nbase])
			nbase++;
	env = calloc(nbase + p->n_env + 1, sizeof(*env));
	if (!env) {
		rf_error_set(err, ENOMEM, "allocate the environment");
		return NULL;
	}
	for (size_t i = 0; i < nbase; i++) {
		env[n] = strdup(base_environ[i]);
		if (!env[n]) {
			rf_error_set(err, ENOMEM, "allocate the environment");
			return NULL;
		}
		n++;
	}
	for (size_t i = 0; i < p->n_env; i++)
		if (env_apply(env, &n, &p->env[i], err) < 0)
			return NULL;
	return steal_pointer(&env);
}
