/* Isolation parsers and helpers over tables: --unshare, --tmpfs/--bind/
 * --ro-bind, --user/--groups, the environment, the plan cross-checks, the
 * namespaces containment adds, and
 * (in forked children) --chdir verification, fd closing and the identity
 * switch. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "ringfence/cleanup.h"
#include "ringfence/contain.h"
#include "ringfence/isolation.h"
#include "ringfence/plan.h"

#define ALL7 (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | \
	      CLONE_NEWCGROUP | CLONE_NEWUSER)
#define USE_ALL (-1)             /* want rf_ns_all_flags() */
#define BAD_NS "(expected a comma-separated list of pid, mount, ipc, uts, net, cgroup, user, or all)"

/* A rejection: -1, the message carries `frag`, and errno is as expected. */
static void check_rejected(const char *in, int rc, const rf_error *err, const char *frag,
			   int errnum)
{
	if (rc != -1)
		fail_msg("`%s` was accepted, expected an error containing \"%s\"", in, frag);
	if (!strstr(err->msg, frag))
		fail_msg("message \"%s\" lacks \"%s\"", err->msg, frag);
	if (err->errnum != errnum)
		fail_msg("`%s`: errnum %d, want %d (%s)", in, err->errnum, errnum, err->msg);
}

/* ---- --unshare ---- */

struct ns_case {
	const char *in;
	int want;
	const char *err;
};

static const struct ns_case ns_cases[] = {
	{ "pid", CLONE_NEWPID, NULL },
	{ "mount", CLONE_NEWNS, NULL },
	{ "ipc", CLONE_NEWIPC, NULL },
	{ "uts", CLONE_NEWUTS, NULL },
	{ "net", CLONE_NEWNET, NULL },
	{ "cgroup", CLONE_NEWCGROUP, NULL },
	{ "user", CLONE_NEWUSER, NULL },
	{ "pid,mount,ipc,uts,net,cgroup,user", ALL7, NULL },
	{ "net,pid,net", CLONE_NEWNET | CLONE_NEWPID, NULL },
	{ "all", USE_ALL, NULL },
	{ "all,all", USE_ALL, NULL },
	{ "", 0, "empty namespace list " BAD_NS },
	{ "pid,", 0, "unknown namespace `` in `pid,` " BAD_NS },
	{ ",pid", 0, "unknown namespace `` in `,pid`" },
	{ "pid,,net", 0, "unknown namespace `` in `pid,,net`" },
	{ "foo", 0, "unknown namespace `foo` in `foo` " BAD_NS },
	{ "pid,mnt", 0, "unknown namespace `mnt` in `pid,mnt`" },
	{ "PID", 0, "unknown namespace `PID`" },
	{ "pid net", 0, "unknown namespace `pid net`" },
	{ "alls", 0, "unknown namespace `alls`" },
};

static void test_ns(void **state)
{
	const struct ns_case *c = *state;
	rf_error err = { 0 };
	int flags = 12345, want = c->want == USE_ALL ? rf_ns_all_flags() : c->want;
	int rc = rf_ns_parse(c->in, &flags, &err);

	if (c->err) {
		check_rejected(c->in, rc, &err, c->err, 0);
		assert_int_equal(flags, 12345);
		return;
	}
	if (rc != 0)
		fail_msg("`%s` rejected: %s", c->in, err.msg);
	assert_int_equal(flags, want);
}

/* `all` is every namespace; `user` only for a caller without root. */
static void test_ns_all(void **state)
{
	int all = rf_ns_all_flags();
	char buf[128];

	assert_int_equal(all & ~CLONE_NEWUSER, ALL7 & ~CLONE_NEWUSER);
	assert_int_equal(!!(all & CLONE_NEWUSER), geteuid() != 0);
	assert_string_equal(rf_ns_format(ALL7, buf, sizeof(buf)),
			    "pid,mount,ipc,uts,net,cgroup,user");
	assert_string_equal(rf_ns_format(CLONE_NEWNET | CLONE_NEWPID, buf, sizeof(buf)),
			    "pid,net");
	assert_string_equal(rf_ns_format(0, buf, sizeof(buf)), "");
}

/* ---- --tmpfs / --bind / --ro-bind ---- */

struct mount_case {
	rf_mount_kind kind;
	const char *in;
	const char *src;         /* expected canonical source, NULL for tmpfs */
	const char *dst;
	uint64_t size;
	unsigned mode;
	const char *err;
	int errnum;
};

#define T RF_MOUNT_TMPFS
#define B RF_MOUNT_BIND
#define R RF_MOUNT_RO_BIND
#define MiB (UINT64_C(1) << 20)

static const struct mount_case mount_cases[] = {
	{ T, "/tmp", NULL, "/tmp", 0, 0, NULL, 0 },
	{ T, "/tmp:size=64M", NULL, "/tmp", 64 * MiB, 0, NULL, 0 },
	{ T, "//var//tmp/:size=1G,mode=0700", NULL, "/var/tmp", 1024 * MiB, 0700, NULL, 0 },
	{ T, "/x:mode=1777,size=4K", NULL, "/x", 4096, 01777, NULL, 0 },
	{ T, "/x:mode=01777", NULL, "/x", 0, 01777, NULL, 0 },
	{ T, "/x:size=1M,size=2M", NULL, "/x", 2 * MiB, 0, NULL, 0 },
	{ T, "/a b", NULL, "/a b", 0, 0, NULL, 0 },
	{ T, "tmp", NULL, NULL, 0, 0, "`tmp`: destination `tmp` is not an absolute path", 0 },
	{ T, "", NULL, NULL, 0, 0, "destination `` is not an absolute path", 0 },
	{ T, "/", NULL, NULL, 0, 0, "`/`: cannot mount over `/`", 0 },
	{ T, "//", NULL, NULL, 0, 0, "cannot mount over `/`", 0 },
	{ T, "/a/../b", NULL, NULL, 0, 0, "destination `/a/../b` contains `.` or `..`", 0 },
	{ T, "/a/./b", NULL, NULL, 0, 0, "contains `.` or `..`", 0 },
	{ T, "/a/..", NULL, NULL, 0, 0, "contains `.` or `..`", 0 },
	{ T, "/tmp:", NULL, NULL, 0, 0, "empty option list after `:`", 0 },
	{ T, "/tmp:size=abc", NULL, NULL, 0, 0, "`/tmp:size=abc`: size: `abc` is not a size", 0 },
	{ T, "/tmp:size=max", NULL, NULL, 0, 0, "size `max` is not a tmpfs size", 0 },
	{ T, "/tmp:size=1", NULL, NULL, 0, 0, "size `1` is below one page", 0 },
	{ T, "/tmp:size=0", NULL, NULL, 0, 0, "size `0` is below one page", 0 },
	{ T, "/tmp:mode=8", NULL, NULL, 0, 0, "mode `8` is not a file mode", 0 },
	{ T, "/tmp:mode=0", NULL, NULL, 0, 0, "mode `0` is not a file mode", 0 },
	{ T, "/tmp:mode=17777", NULL, NULL, 0, 0, "mode `17777` is not a file mode", 0 },
	{ T, "/tmp:mode=", NULL, NULL, 0, 0, "mode `` is not a file mode", 0 },
	{ T, "/tmp:foo=1", NULL, NULL, 0, 0, "unknown tmpfs option `foo=1`", 0 },
	{ T, "/tmp:size=1M,", NULL, NULL, 0, 0, "unknown tmpfs option `` (expected size=SIZE or mode=MODE)", 0 },
	{ T, "/tmp:,size=1M", NULL, NULL, 0, 0, "unknown tmpfs option ``", 0 },
	{ T, "/tmp:size", NULL, NULL, 0, 0, "unknown tmpfs option `size`", 0 },
	{ B, "/etc:/mnt/etc", "/etc", "/mnt/etc", 0, 0, NULL, 0 },
	{ B, "/etc", "/etc", "/etc", 0, 0, NULL, 0 },
	{ B, "/etc/:/x//y/", "/etc", "/x/y", 0, 0, NULL, 0 },
	{ B, "/etc/passwd:/p", "/etc/passwd", "/p", 0, 0, NULL, 0 },
	{ R, "/usr/bin:/b", "/usr/bin", "/b", 0, 0, NULL, 0 },
	{ R, "/usr/../usr/bin", "/usr/bin", "/usr/bin", 0, 0, NULL, 0 },
	{ B, "/nonexistent-rf:/x", NULL, NULL, 0, 0, "source `/nonexistent-rf`", ENOENT },
	{ R, "/etc/passwd/x:/x", NULL, NULL, 0, 0, "source `/etc/passwd/x`", ENOTDIR },
	{ B, "/etc:rel", NULL, NULL, 0, 0, "destination `rel` is not an absolute path", 0 },
	{ B, "/etc:", NULL, NULL, 0, 0, "destination `` is not an absolute path", 0 },
	{ B, "/etc:/a:/b", NULL, NULL, 0, 0, "paths with `:` are not supported", 0 },
	{ B, ":/x", NULL, NULL, 0, 0, "`:/x`: empty source path", 0 },
	{ B, "/etc:/", NULL, NULL, 0, 0, "cannot mount over `/`", 0 },
	{ R, "/", NULL, NULL, 0, 0, "cannot mount over `/`", 0 },
	{ R, "/etc:/x/../y", NULL, NULL, 0, 0, "contains `.` or `..`", 0 },
};

static void test_mount(void **state)
{
	const struct mount_case *c = *state;
	rf_isolation iso = { 0 };
	rf_error err = { 0 };
	int rc = rf_mount_parse(c->kind, c->in, &iso, &err);

	if (c->err) {
		check_rejected(c->in, rc, &err, c->err, c->errnum);
		assert_int_equal(iso.n_mounts, 0);
		assert_null(iso.mounts);
		return;
	}
	if (rc != 0)
		fail_msg("`%s` rejected: %s", c->in, err.msg);
	assert_int_equal(iso.n_mounts, 1);
	assert_int_equal(iso.mounts[0].kind, c->kind);
	if (c->src)
		assert_string_equal(iso.mounts[0].src, c->src);
	else
		assert_null(iso.mounts[0].src);
	assert_string_equal(iso.mounts[0].dst, c->dst);
	assert_int_equal(iso.mounts[0].size, c->size);
	assert_int_equal(iso.mounts[0].mode, c->mode);
	free(iso.mounts[0].src);
	free(iso.mounts[0].dst);
	free(iso.mounts);
}

/* A relative or symlinked source is stored canonical; mounts append in order. */
static void test_mount_canonical(void **state)
{
	char dir[] = "/tmp/rf-iso-XXXXXX", link[64], real[PATH_MAX], cwd[PATH_MAX];
	rf_isolation iso = { 0 };
	rf_error err = { 0 };

	assert_non_null(mkdtemp(dir));
	assert_non_null(realpath(dir, real));
	snprintf(link, sizeof(link), "%s-link", dir);
	assert_int_equal(symlink(dir, link), 0);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);

	assert_int_equal(rf_mount_parse(RF_MOUNT_BIND, ".:/here", &iso, &err), 0);
	assert_int_equal(rf_mount_parse(RF_MOUNT_RO_BIND, link, &iso, &err), 0);
	assert_int_equal(rf_mount_parse(RF_MOUNT_TMPFS, "/t", &iso, &err), 0);
	assert_int_equal(iso.n_mounts, 3);
	assert_string_equal(iso.mounts[0].src, real);
	assert_string_equal(iso.mounts[0].dst, "/here");
	assert_string_equal(iso.mounts[1].src, real);
	assert_string_equal(iso.mounts[1].dst, real);   /* DST defaults to SRC */
	assert_int_equal(iso.mounts[2].kind, RF_MOUNT_TMPFS);
	/* A rejected one leaves the list as it was. */
	assert_int_equal(rf_mount_parse(RF_MOUNT_BIND, "/nonexistent-rf", &iso, &err), -1);
	assert_int_equal(iso.n_mounts, 3);

	assert_int_equal(chdir(cwd), 0);
	unlink(link);
	rmdir(dir);
	for (size_t i = 0; i < iso.n_mounts; i++) {
		free(iso.mounts[i].src);
		free(iso.mounts[i].dst);
	}
	free(iso.mounts);
}

/* ---- --user / --groups ---- */

#define NOPW ((uid_t)4000000)    /* assumed to have no passwd entry; checked */

struct user_case {
	const char *in;
	uid_t uid;
	gid_t gid;
	const char *err;
};

static const struct user_case user_cases[] = {
	{ "root", 0, 0, NULL },
	{ "0", 0, 0, NULL },
	{ "root:root", 0, 0, NULL },
	{ "0:0", 0, 0, NULL },
	{ "root:4242", 0, 4242, NULL },
	{ "1000:5", 1000, 5, NULL },
	{ "4000000", NOPW, NOPW, NULL },
	{ "4000000:0", NOPW, 0, NULL },
	{ "4294967294", 4294967294u, 4294967294u, NULL },
	{ "", 0, 0, "`` is not a user (expected USER or UID, optionally :GROUP or :GID)" },
	{ ":0", 0, 0, "`:0` is not a user" },
	{ "0:", 0, 0, "`0:` is not a user" },
	{ "no-such-user-rf", 0, 0, "unknown user `no-such-user-rf` (not in /etc/passwd; expected "
	  "a user name or a uid; users from a directory service such as LDAP or sssd are given "
	  "by number, e.g. --user \"$(id -u no-such-user-rf)\")" },
	{ "root:no-such-group-rf", 0, 0, "unknown group `no-such-group-rf` (not in /etc/group; "
	  "expected a group name or a gid; groups from a directory service such as LDAP or sssd "
	  "are given by number, e.g. \"$(getent group no-such-group-rf | cut -d: -f3)\")" },
	{ "4294967295", 0, 0, "uid: `4294967295` is out of range" },
	{ "0:4294967295", 0, 0, "gid: `4294967295` is out of range" },
	{ "-1", 0, 0, "unknown user `-1`" },
	{ "1x", 0, 0, "unknown user `1x`" },
	{ " 0", 0, 0, "unknown user ` 0`" },
};

/* The host's /etc/passwd entry, read the way ringfence reads it (the file,
 * not NSS); the result lives until the next call. */
static struct passwd *files_pw(const char *name, uid_t uid)
{
	FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw = NULL;

	while (f && (pw = fgetpwent(f)))
		if (name ? !strcmp(pw->pw_name, name) : pw->pw_uid == uid)
			break;
	if (f)
		fclose(f);
	return pw;
}

static void test_user(void **state)
{
	const struct user_case *c = *state;
	rf_process p = { 0 };
	rf_error err = { 0 };
	int rc;

	if (files_pw(NULL, NOPW))
		skip();
	rc = rf_identity_parse_user(c->in, &p, &err);
	if (c->err) {
		check_rejected(c->in, rc, &err, c->err, 0);
		assert_false(p.user_set);
		return;
	}
	if (rc != 0)
		fail_msg("`%s` rejected: %s", c->in, err.msg);
	assert_true(p.user_set);
	assert_int_equal(p.uid, c->uid);
	assert_int_equal(p.gid, c->gid);
}

/* A named user takes its passwd entry's primary group; so does a numeric one
 * that has an entry. */
static void test_user_names(void **state)
{
	struct passwd *pw = files_pw("nobody", 0);
	rf_process p = { 0 };
	rf_error err = { 0 };
	char num[32];
	uid_t uid;
	gid_t gid;

	if (!pw)
		skip();
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	assert_int_equal(rf_identity_parse_user("nobody", &p, &err), 0);
	assert_int_equal(p.uid, uid);
	assert_int_equal(p.gid, gid);
	snprintf(num, sizeof(num), "%u", (unsigned)uid);
	memset(&p, 0, sizeof(p));
	assert_int_equal(rf_identity_parse_user(num, &p, &err), 0);
	assert_int_equal(p.gid, gid);
}

struct groups_case {
	const char *in;
	gid_t want[4];
	size_t n;
	const char *err;
};

static const struct groups_case groups_cases[] = {
	{ "0", { 0 }, 1, NULL },
	{ "0,0", { 0 }, 1, NULL },
	{ "root,4242,7", { 0, 4242, 7 }, 3, NULL },
	{ "7,root,7,0", { 7, 0 }, 2, NULL },
	{ "", { 0 }, 0, "`` is not a group list (expected group names or gids separated by commas)" },
	{ ",", { 0 }, 0, "`,` is not a group list" },
	{ "0,", { 0 }, 0, "`0,` is not a group list" },
	{ ",0", { 0 }, 0, "`,0` is not a group list" },
	{ "0,,1", { 0 }, 0, "`0,,1` is not a group list" },
	{ "no-such-group-rf", { 0 }, 0, "unknown group `no-such-group-rf`" },
	{ "0,4294967295", { 0 }, 0, "gid: `4294967295` is out of range" },
};

static void test_groups(void **state)
{
	const struct groups_case *c = *state;
	rf_process p = { 0 };
	rf_error err = { 0 };
	int rc = rf_identity_parse_groups(c->in, &p, &err);

	if (c->err) {
		check_rejected(c->in, rc, &err, c->err, 0);
		assert_false(p.groups_set);
		assert_null(p.groups);
		return;
	}
	if (rc != 0)
		fail_msg("`%s` rejected: %s", c->in, err.msg);
	assert_true(p.groups_set);
	assert_int_equal(p.n_groups, c->n);
	assert_memory_equal(p.groups, c->want, c->n * sizeof(gid_t));
	/* A second list replaces the first. */
	assert_int_equal(rf_identity_parse_groups("99", &p, &err), 0);
	assert_int_equal(p.n_groups, 1);
	assert_int_equal(p.groups[0], 99);
	free(p.groups);
}

/* ---- environment ---- */

#define MAX_OPS 4

struct env_case {
	const char *name;
	bool clearenv;
	struct {
		const char *key, *value;
	} ops[MAX_OPS];
	const char *want[8];     /* NULL-terminated; { "ERR", fragment } for an error */
};

static const char *const env_base[] = { "A=1", "B=2", "PATH=/bin", "A=dup", NULL };

static const struct env_case env_cases[] = {
	{ "no ops keeps the base", false, { { 0 } }, { "A=1", "B=2", "PATH=/bin", "A=dup" } },
	{ "set appends", false, { { "C", "3" } }, { "A=1", "B=2", "PATH=/bin", "A=dup", "C=3" } },
	{ "set replaces in place, once", false, { { "A", "9" } }, { "A=9", "B=2", "PATH=/bin" } },
	{ "unset removes every copy", false, { { "A", NULL } }, { "B=2", "PATH=/bin" } },
	{ "unset of a missing name", false, { { "ZZ", NULL } },
	  { "A=1", "B=2", "PATH=/bin", "A=dup" } },
	{ "prefix is not the name", false, { { "PAT", NULL }, { "P", "x" } },
	  { "A=1", "B=2", "PATH=/bin", "A=dup", "P=x" } },
	{ "in order: set then unset", false, { { "C", "3" }, { "C", NULL } },
	  { "A=1", "B=2", "PATH=/bin", "A=dup" } },
	{ "in order: unset then set", false, { { "B", NULL }, { "B", "new" } },
	  { "A=1", "PATH=/bin", "A=dup", "B=new" } },
	{ "values may hold = and be empty", false, { { "K", "a=b" }, { "E", "" } },
	  { "A=1", "B=2", "PATH=/bin", "A=dup", "K=a=b", "E=" } },
	{ "clearenv keeps nothing", true, { { 0 } }, { NULL } },
	{ "clearenv then set", true, { { "X", "1" }, { "PATH", "/usr/bin" } },
	  { "X=1", "PATH=/usr/bin" } },
	{ "empty name", false, { { "", "1" } }, { "ERR", "environment variable name `` is empty" } },
	{ "name with =", false, { { "A=B", "1" } }, { "ERR", "name `A=B` is empty or contains `=`" } },
};

static void test_env(void **state)
{
	const struct env_case *c = *state;
	rf_envop ops[MAX_OPS];
	rf_process p = { .clearenv = c->clearenv, .env = ops };
	rf_error err = { 0 };
	char **env;
	size_t n = 0;

	for (; p.n_env < MAX_OPS && c->ops[p.n_env].key; p.n_env++)
		ops[p.n_env] = (rf_envop){ (char *)c->ops[p.n_env].key,
					   (char *)c->ops[p.n_env].value };
	env = rf_env_build(&p, (char **)env_base, &err);
	if (c->want[0] && !strcmp(c->want[0], "ERR")) {
		assert_null(env);
		assert_non_null(strstr(err.msg, c->want[1]));
		return;
	}
	if (!env)
		fail_msg("%s: %s", c->name, err.msg);
	for (; env[n]; n++) {
		if (!c->want[n])
			fail_msg("extra entry `%s`", env[n]);
		assert_string_equal(env[n], c->want[n]);
	}
	if (c->want[n])
		fail_msg("missing entry `%s`", c->want[n]);
	rf_strv_free(env);
}

/* A NULL base is an empty one. */
static void test_env_null_base(void **state)
{
	rf_envop op = { (char *)"A", (char *)"1" };
	rf_process p = { .env = &op, .n_env = 1 };
	rf_error err = { 0 };
	char **env = rf_env_build(&p, NULL, &err);

	assert_non_null(env);
	assert_string_equal(env[0], "A=1");
	assert_null(env[1]);
	rf_strv_free(env);
}

/* ---- plan cross-checks ---- */

struct fin_case {
	const char *name;
	int ns;
	bool map_root, ro_root, user_set, groups_set;
	uid_t uid;
	const char *hostname, *cwd, *mounts[3];  /* "t:/dst" tmpfs, "b:/dst" bind of /etc */
	int want_ns;             /* expected flags after, when accepted */
	const char *err;
};

#define NS_ROOT_ALL (ALL7 & ~CLONE_NEWUSER)

static const struct fin_case fin_cases[] = {
	{ "nothing", 0, .want_ns = 0 },
	{ "pid adds mount", CLONE_NEWPID, .want_ns = CLONE_NEWPID | CLONE_NEWNS },
	{ "all as root", NS_ROOT_ALL, .want_ns = NS_ROOT_ALL },
	{ "tmpfs brings mount", CLONE_NEWNET, .mounts = { "t:/tmp" },
	  .want_ns = CLONE_NEWNET | CLONE_NEWNS },
	{ "bind brings mount", 0, .mounts = { "b:/x" }, .want_ns = CLONE_NEWNS },
	{ "ro-root brings mount", 0, .ro_root = true, .want_ns = CLONE_NEWNS },
	{ "ro-root with pid", CLONE_NEWPID, .ro_root = true,
	  .want_ns = CLONE_NEWPID | CLONE_NEWNS },
	{ "hostname brings uts", CLONE_NEWNS, .hostname = "box",
	  .want_ns = CLONE_NEWNS | CLONE_NEWUTS },
	{ "hostname too long", CLONE_NEWUTS,
	  .hostname = "a123456789b123456789c123456789d123456789e123456789f123456789g1234",
	  .err = "expected 1 to 64 characters" },
	{ "hostname empty", CLONE_NEWUTS, .hostname = "", .err = "expected 1 to 64" },
	{ "hostname ok", CLONE_NEWUTS, .hostname = "box", .want_ns = CLONE_NEWUTS },
	{ "map-root without user", CLONE_NEWNS, .map_root = true,
	  .err = "--map-root needs a user namespace (--unshare user)" },
	{ "map-root with user", CLONE_NEWUSER, .map_root = true, .want_ns = CLONE_NEWUSER },
	{ "groups with user", CLONE_NEWUSER, .groups_set = true,
	  .err = "--groups cannot be used with a user namespace" },
	{ "unmapped user (root caller)", CLONE_NEWUSER, .user_set = true, .uid = 1000,
	  .err = "--user 1000:1000 is not mapped in the user namespace (only uid 0 and gid 0 are)" },
	{ "mapped user (root caller)", CLONE_NEWUSER, .user_set = true, .uid = 0,
	  .want_ns = CLONE_NEWUSER },
	{ "user without userns", NS_ROOT_ALL, .user_set = true, .uid = 1000, .want_ns = NS_ROOT_ALL },
	{ "relative chdir", 0, .cwd = "work", .err = "--chdir `work`: expected an absolute path" },
	{ "absolute chdir", 0, .cwd = "/work", .want_ns = 0 },
	{ "nested in order", CLONE_NEWNS, .mounts = { "t:/tmp", "b:/tmp/etc", "t:/tmp/etc/x" },
	  .want_ns = CLONE_NEWNS },
	{ "parent after child", CLONE_NEWNS, .mounts = { "b:/tmp/etc", "t:/tmp" },
	  .err = "the mount on `/tmp` would hide the earlier one on `/tmp/etc`; give it first" },
	{ "same destination twice", CLONE_NEWNS, .mounts = { "t:/tmp", "t:/tmp" },
	  .err = "would hide the earlier one on `/tmp`" },
	{ "siblings with a common prefix", CLONE_NEWNS, .mounts = { "t:/tmp2", "t:/tmp" },
	  .want_ns = CLONE_NEWNS },
};

static void test_finalize(void **state)
{
	const struct fin_case *c = *state;
	rf_plan plan;
	rf_error err = { 0 };
	int rc;

	/* The table describes a root caller; without root `user` gets added. */
	if (geteuid() != 0)
		skip();
	rf_plan_init(&plan);
	plan.iso.ns_flags = c->ns;
	plan.iso.map_root = c->map_root;
	plan.iso.ro_root = c->ro_root;
	plan.proc.user_set = c->user_set;
	plan.proc.uid = c->uid;
	plan.proc.gid = c->uid;
	plan.proc.groups_set = c->groups_set;
	plan.iso.hostname = c->hostname ? strdup(c->hostname) : NULL;
	plan.proc.cwd = c->cwd ? strdup(c->cwd) : NULL;
	for (size_t i = 0; i < 3 && c->mounts[i]; i++) {
		char spec[64];
		bool tmpfs = c->mounts[i][0] == 't';

		snprintf(spec, sizeof(spec), "%s%s", tmpfs ? "" : "/etc:", c->mounts[i] + 2);
		assert_int_equal(rf_mount_parse(tmpfs ? RF_MOUNT_TMPFS : RF_MOUNT_BIND, spec,
						&plan.iso, &err), 0);
	}
	rc = rf_isolation_finalize(&plan, NULL, &err);
	if (c->err) {
		check_rejected(c->name, rc, &err, c->err, 0);
	} else {
		if (rc != 0)
			fail_msg("%s: rejected: %s", c->name, err.msg);
		assert_int_equal(plan.iso.ns_flags, c->want_ns);
	}
	rf_plan_free(&plan);
}

/* ---- containment: the namespaces it adds ---- */

struct contain_case {
	const char *name;
	int ns;
	bool host_cgroupfs;
	int want_root;           /* contain_flags for a root caller; others also get user */
};

static const struct contain_case contain_cases[] = {
	{ "nothing asked", 0, false, CLONE_NEWCGROUP | CLONE_NEWNS },
	{ "mount asked", CLONE_NEWNS, false, CLONE_NEWCGROUP },
	{ "cgroup asked", CLONE_NEWCGROUP, false, CLONE_NEWNS },
	{ "both asked", CLONE_NEWCGROUP | CLONE_NEWNS, false, 0 },
	{ "all asked", ALL7, false, 0 },
	{ "--host-cgroupfs", 0, true, 0 },
	{ "--host-cgroupfs, cgroup asked", CLONE_NEWCGROUP, true, 0 },
};

static void test_contain(void **state)
{
	const struct contain_case *c = *state;
	rf_isolation iso = { .ns_flags = c->ns, .host_cgroupfs = c->host_cgroupfs };
	int want = c->want_root;

	/* Without root, containment needs a user namespace too (rule 5). */
	if (geteuid() != 0 && !c->host_cgroupfs && !(c->ns & CLONE_NEWUSER))
		want |= CLONE_NEWUSER;
	rf_contain_plan(&iso, NULL);
	assert_int_equal(iso.contain_flags, want);
	assert_int_equal(rf_contain_ns_flags(&iso), c->ns | want);
	/* Only a contained run on a cgroup2 without nsdelegate is nested (rule 6). */
	assert_false(rf_contain_nested(&iso, true));
	assert_int_equal(rf_contain_nested(&iso, false), !c->host_cgroupfs);
}

/* ---- child-side helpers, in a forked child ---- */

/* Run fn in a child; its exit status is the test's verdict (0 = pass). */
static void in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child check failed at step %d (status %#x)",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1, status);
}

static int chdir_checks(void)
{
	rf_error err = { 0 };
	char cwd[PATH_MAX];

	if (rf_identity_chdir("/", false, &err) < 0 || !getcwd(cwd, sizeof(cwd)) || strcmp(cwd, "/"))
		return 1;
	if (rf_identity_chdir("/usr/../etc", false, &err) < 0 || !getcwd(cwd, sizeof(cwd)) ||
	    strcmp(cwd, "/etc"))
		return 2;
	if (rf_identity_chdir("/nonexistent-rf", false, &err) != -1 || err.errnum != ENOENT ||
	    !strstr(err.msg, "change directory to `/nonexistent-rf`"))
		return 3;
	if (rf_identity_chdir("/etc/passwd", false, &err) != -1 || err.errnum != ENOTDIR)
		return 4;
	return 0;
}

static void test_chdir(void **state)
{
	in_child(chdir_checks);
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static int fds_checks(void)
{
	rf_error err = { 0 };

	/* fds 3..12 open (dup2 makes them inheritable, like a caller's leak). */
	for (int fd = 3; fd <= 12; fd++)
		if (dup2(0, fd) != fd)
			return 1;
	if (rf_fds_close_except(5, 8, &err) < 0)
		return 2;
	for (int fd = 0; fd <= 12; fd++)
		if (fd_open(fd) != (fd < 5 || fd == 8))
			return 10 + fd;
	if (rf_fds_close_from(3, &err) < 0)
		return 3;
	for (int fd = 3; fd <= 12; fd++)
		if (fd_open(fd))
			return 30 + fd;
	/* keep below lowfd: nothing special. */
	if (dup2(0, 3) != 3 || dup2(0, 9) != 9 || rf_fds_close_except(4, 3, &err) < 0 ||
	    !fd_open(3) || fd_open(9))
		return 4;
	/* keep == lowfd */
	if (dup2(0, 4) != 4 || dup2(0, 5) != 5 || rf_fds_close_except(4, 4, &err) < 0 ||
	    !fd_open(4) || fd_open(5))
		return 5;
	if (rf_fds_close_from(-1, &err) != -1)
		return 6;
	return fd_open(0) && fd_open(1) && fd_open(2) ? 0 : 7;
}

static void test_fds(void **state)
{
	in_child(fds_checks);
}

static int identity_checks(void)
{
	gid_t groups[] = { 4242, 7 };
	rf_process p = { .user_set = true, .uid = 65534, .gid = 65533 };
	rf_process q = { .groups_set = true, .groups = groups, .n_groups = 2 };
	rf_error err = { 0 };
	uid_t r, e, s;
	gid_t list[8];

	/* --groups alone: set, ids untouched. */
	if (rf_identity_apply(&q, &err) < 0 || getgroups(8, list) != 2 || getuid() != 0)
		return 1;
	/* --user: groups cleared, all three ids switched. */
	if (rf_identity_apply(&p, &err) < 0)
		return 2;
	if (getresuid(&r, &e, &s) < 0 || r != 65534 || e != 65534 || s != 65534)
		return 3;
	if (getgid() != 65533 || getegid() != 65533 || getgroups(8, list) != 0)
		return 4;
	/* No way back. */
	if (setuid(0) == 0)
		return 5;
	/* And without privilege the switch fails with a message. */
	p.uid = 0;
	if (rf_identity_apply(&p, &err) != -1 || err.errnum != EPERM ||
	    !strstr(err.msg, "supplementary groups"))
		return 6;
	return 0;
}

static void test_identity_apply(void **state)
{
	if (geteuid() != 0)
		skip();
	in_child(identity_checks);
}

#define ADD_TABLE(cases, table, fn, label, field)                                   \
	for (size_t i = 0; i < RF_ARRAY_SIZE(table); i++)                           \
		rf_case_add(cases, fn, &(table)[i], label " `%s`", (table)[i].field)

int main(void)
{
	struct rf_cases cases = { 0 };

	ADD_TABLE(&cases, ns_cases, test_ns, "unshare", in);
	rf_case_add(&cases, test_ns_all, NULL, "unshare: all, and formatting");
	ADD_TABLE(&cases, mount_cases, test_mount, "mount", in);
	rf_case_add(&cases, test_mount_canonical, NULL, "mount: canonical sources, order");
	ADD_TABLE(&cases, user_cases, test_user, "user", in);
	rf_case_add(&cases, test_user_names, NULL, "user: primary group from passwd");
	ADD_TABLE(&cases, groups_cases, test_groups, "groups", in);
	ADD_TABLE(&cases, env_cases, test_env, "env", name);
	rf_case_add(&cases, test_env_null_base, NULL, "env: NULL base");
	ADD_TABLE(&cases, fin_cases, test_finalize, "finalize", name);
	ADD_TABLE(&cases, contain_cases, test_contain, "contain", name);
	rf_case_add(&cases, test_chdir, NULL, "chdir: verified, errors name the path");
	rf_case_add(&cases, test_fds, NULL, "fds: close from / except");
	rf_case_add(&cases, test_identity_apply, NULL, "identity: groups, gid, uid switched");
	return rf_cases_run(&cases, "isolation");
}
