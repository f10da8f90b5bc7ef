/* The OCI runtime-spec part of a profile: process, root, hostname, mounts and
 * linux (namespaces, memoryPolicy, seccomp; linux.resources is in
 * profile-resources.c), mapped onto the plan.
 *
 * Where OCI and ringfence differ:
 * - process.capabilities: ringfence gives the payload one set. It is taken
 *   from "bounding" (a capability outside the bounding set can never be
 *   gained); without "bounding", the union of the sets given. A capability in
 *   another set but not in the bounding set is warned about.
 * - process.env adds to (or replaces entries of) the inherited environment;
 *   ringfence.clearEnv gives OCI's "this is the whole environment".
 * - process.noNewPrivileges: always on in ringfence; false is warned about.
 * - process.terminal: ringfence hands its own terminal to the payload when
 *   stdin is one (it makes no pty); true is that, false is not implemented.
 * - root.readonly is --ro-root over the host's /; root.path is not
 *   implemented (ringfence does not change root).
 * - mounts: tmpfs and bind (type "bind", or options "bind"/"rbind"; "ro"
 *   makes it read-only). A relative source is an error (there is no bundle
 *   directory). The mounts every container gets (/proc, /dev, /dev/pts,
 *   /dev/shm, /dev/mqueue, /sys, /sys/fs/cgroup) are reported as not
 *   implemented: ringfence keeps the host's, and mounts its own /proc in a
 *   pid namespace.
 * - linux.namespaces: "path" (joining a namespace) is an error. */
#include "config.h"

#include <errno.h>
#include <linux/mempolicy.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/caps.h"
#include "ringfence/cleanup.h"
#include "ringfence/parse.h"
#include "ringfence/rlimit.h"
#include "ringfence/seccomp.h"
#include "profile-internal.h"

/* The kernel's HOST_NAME_MAX. */
#define HOSTNAME_MAX 64

/* ================================================================ process */

static int p_terminal(pf_ctx *c, const char *path, const rf_json *v)
{
	bool on;

	if (pf_bool(c, path, v, &on) < 0)
		return -1;
	if (!on)
		return pf_ignore(c, path, "false: the payload uses ringfence's own stdio and terminal");
	return 0;
}

static int p_id(pf_ctx *c, const char *path, const rf_json *v, uint32_t *out)
{
	uint64_t id;

	/* (uid_t)-1 means "unchanged" to the kernel, never an identity. */
	if (pf_u64(c, path, v, 0, UINT32_MAX - 1, &id) < 0)
		return -1;
	*out = (uint32_t)id;
	return 0;
}

static int p_groups(pf_ctx *c, const char *path, const rf_json *v)
{
	rf_process *p = &c->plan->proc;
	size_t n = rf_json_array_len(v);
	cleanup_free gid_t *groups = NULL;

	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	if (n > NGROUPS_MAX)
		return pf_fail(c, path, "more than %d groups", NGROUPS_MAX);
	groups = calloc(n ? n : 1, sizeof(*groups));
	if (!groups)
		return rf_error_set(c->err, ENOMEM, "%s", path);
	for (size_t i = 0; i < n; i++) {
		char sub[PF_PATH_MAX];
		uint32_t g;

		if (p_id(c, pf_index_path(sub, path, i), rf_json_array_at(v, i), &g) < 0)
			return -1;
		groups[i] = g;
	}
	free(p->groups);
	p->groups = steal_pointer(&groups);
	p->n_groups = n;
	p->groups_set = true;
	return 0;
}

static int p_user(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = {
		{ "uid", NULL }, { "gid", NULL }, { "additionalGids", p_groups },
	};
	rf_process *p = &c->plan->proc;
	const rf_json *uid = pf_get(v, "uid"), *gid = pf_get(v, "gid");
	char sub[PF_PATH_MAX];
	uint32_t u, g;

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	if (!uid && !gid)
		return 0;   /* only additionalGids */
	if (!uid || !gid)
		return pf_fail(c, path, "give both uid and gid");
	if (p_id(c, pf_key_path(sub, path, "uid"), uid, &u) < 0 ||
	    p_id(c, pf_key_path(sub, path, "gid"), gid, &g) < 0)
		return -1;
	p->user_set = true;
	p->uid = u;
	p->gid = g;
	return 0;
}

static int p_args(pf_ctx *c, const char *path, const rf_json *v)
{
	size_t n = rf_json_array_len(v);
	cleanup_strv char **argv = NULL;

	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	if (n == 0)
		return pf_fail(c, path, "expected at least the command");
	argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		return rf_error_set(c->err, ENOMEM, "%s", path);
	for (size_t i = 0; i < n; i++) {
		char sub[PF_PATH_MAX];
		const char *s;

		if (pf_string(c, pf_index_path(sub, path, i), rf_json_array_at(v, i), &s) < 0)
			return -1;
		if (i == 0 && !*s)
			return pf_fail(c, sub, "the command is empty");
		argv[i] = strdup(s);
		if (!argv[i])
			return rf_error_set(c->err, ENOMEM, "%s", sub);
	}
	rf_strv_free(c->plan->proc.argv);
	c->plan->proc.argv = steal_pointer(&argv);
	return 0;
}

static int p_env(pf_ctx *c, const char *path, const rf_json *v)
{
	rf_process *p = &c->plan->proc;
	size_t n = rf_json_array_len(v);
	rf_envop *grown;

	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	grown = realloc(p->env, (p->n_env + n + 1) * sizeof(*grown));
	if (!grown)
		return rf_error_set(c->err, ENOMEM, "%s", path);
	p->env = grown;
	for (size_t i = 0; i < n; i++) {
		char sub[PF_PATH_MAX];
		const char *s, *eq;
		char *key, *value;

		if (pf_string(c, pf_index_path(sub, path, i), rf_json_array_at(v, i), &s) < 0)
			return -1;
		eq = strchr(s, '=');
		if (!eq || eq == s)
			return pf_fail(c, sub, "`%.64s` is not KEY=VALUE", s);
		key = strndup(s, (size_t)(eq - s));
		value = strdup(eq + 1);
		if (!key || !value) {
			free(key);
			free(value);
			return rf_error_set(c->err, ENOMEM, "%s", sub);
		}
		p->env[p->n_env++] = (rf_envop){ .key = key, .value = value };
	}
	return 0;
}

static int p_cwd(pf_ctx *c, const char *path, const rf_json *v)
{
	const char *s;

	if (pf_abspath(c, path, v, &s) < 0)
		return -1;
	return pf_set_str(c, &c->plan->proc.cwd, s);
}

static int cap_set(pf_ctx *c, const char *path, const rf_json *v, uint64_t *set)
{
	*set = 0;
	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		char sub[PF_PATH_MAX];
		const char *name;
		int cap;

		if (pf_string(c, pf_index_path(sub, path, i), rf_json_array_at(v, i), &name) < 0)
			return -1;
		cap = rf_cap_lookup(name);
		/* Like runc: a capability ringfence does not know cannot
		 * be granted; dropping it from the set only ever removes privilege. */
		if (cap < 0 || cap >= 64) {
			if (pf_ignore(c, sub, "unknown capability %.64s", name) < 0)
				return -1;
			continue;
		}
		*set |= UINT64_C(1) << cap;
	}
	return 0;
}

static int p_caps(pf_ctx *c, const char *path, const rf_json *v)
{
	static const char *const sets[] = {
		"bounding", "effective", "permitted", "inheritable", "ambient",
	};
	static const pf_member keys[] = {
		{ "bounding", NULL },
		{ "effective", NULL },
		{ "permitted", NULL },
		{ "inheritable", NULL },
		{ "ambient", NULL },
	};
	rf_process *p = &c->plan->proc;
	uint64_t got[RF_ARRAY_SIZE(sets)] = { 0 }, chosen = 0;
	bool have[RF_ARRAY_SIZE(sets)] = { false };
	char sub[PF_PATH_MAX];

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	for (size_t i = 0; i < RF_ARRAY_SIZE(sets); i++) {
		const rf_json *s = pf_get(v, sets[i]);

		if (!s)
			continue;
		if (cap_set(c, pf_key_path(sub, path, sets[i]), s, &got[i]) < 0)
			return -1;
		have[i] = true;
		chosen |= got[i];
	}
	if (have[0])
		chosen = got[0];
	for (size_t i = 1; i < RF_ARRAY_SIZE(sets); i++) {
		uint64_t extra = got[i] & ~chosen;

		if (extra)
			rf_warn(c->diag, "%s: %s is not in the bounding set and cannot be granted "
				"(ringfence applies one set, process.capabilities.bounding)",
				pf_key_path(sub, path, sets[i]),
				rf_cap_name(__builtin_ctzll(extra)));
	}
	p->caps_set = true;
	p->caps = chosen;
	return 0;
}

static int p_rlimit(pf_ctx *c, const char *path, const rf_json *v, bool seen[RLIM_NLIMITS])
{
	static const pf_member keys[] = { { "type", NULL }, { "soft", NULL }, { "hard", NULL } };
	const rf_json *type = pf_get(v, "type"), *soft = pf_get(v, "soft"), *hard = pf_get(v, "hard");
	char sub[PF_PATH_MAX];
	uint64_t s, h;
	const char *name;
	int res;

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	pf_key_path(sub, path, "type");
	if (!type)
		return pf_fail(c, sub, "required (e.g. \"RLIMIT_NOFILE\")");
	if (pf_string(c, sub, type, &name) < 0)
		return -1;
	res = rf_rlimit_lookup(name);
	if (res < 0 || strncmp(name, "RLIMIT_", 7))
		return pf_fail(c, sub, "unknown limit `%.64s` (expected RLIMIT_NOFILE, "
			       "RLIMIT_MEMLOCK, ...)", name);
	if (seen[res])
		return pf_fail(c, sub, "%s given twice", name);
	seen[res] = true;
	if (!soft || !hard)
		return pf_fail(c, pf_key_path(sub, path, soft ? "hard" : "soft"), "required");
	/* OCI's uint64: RLIM_INFINITY is 18446744073709551615. */
	if (pf_u64(c, pf_key_path(sub, path, "soft"), soft, 0, UINT64_MAX, &s) < 0 ||
	    pf_u64(c, pf_key_path(sub, path, "hard"), hard, 0, UINT64_MAX, &h) < 0)
		return -1;
	if (rf_rlimit_set(&c->plan->proc, res, s, h, c->err) < 0)
		return rf_error_prefix(c->err, "%s", path);
	return 0;
}

static int p_rlimits(pf_ctx *c, const char *path, const rf_json *v)
{
	bool seen[RLIM_NLIMITS] = { false };

	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		char sub[PF_PATH_MAX];

		if (p_rlimit(c, pf_index_path(sub, path, i), rf_json_array_at(v, i), seen) < 0)
			return -1;
	}
	return 0;
}

static int p_nnp(pf_ctx *c, const char *path, const rf_json *v)
{
	bool on;

	if (pf_bool(c, path, v, &on) < 0)
		return -1;
	if (!on)
		rf_warn(c->diag, "%s is false, but ringfence always sets no_new_privs: a sandboxed "
			"command never gains privilege through setuid or file capabilities", path);
	return 0;
}

static int p_oom_score_adj(pf_ctx *c, const char *path, const rf_json *v)
{
	rf_opt_i64 *adj = &c->plan->proc.oom_score_adj;

	if (pf_i64(c, path, v, -1000, 1000, &adj->v) < 0)
		return -1;
	adj->set = true;
	return 0;
}

int pf_oci_process(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = {
		{ "terminal", p_terminal },
		{ "user", p_user },
		{ "args", p_args },
		{ "env", p_env },
		{ "cwd", p_cwd },
		{ "capabilities", p_caps },
		{ "rlimits", p_rlimits },
		{ "noNewPrivileges", p_nnp },
		{ "oomScoreAdj", p_oom_score_adj },
	};

	return pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys));
}

/* ================================================================ root, hostname */

static int r_path(pf_ctx *c, const char *path, const rf_json *v)
{
	return pf_ignore(c, path, "ringfence runs on the host's /");
}

static int r_readonly(pf_ctx *c, const char *path, const rf_json *v)
{
	return pf_bool(c, path, v, &c->plan->iso.ro_root);
}

int pf_oci_root(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = { { "path", r_path }, { "readonly", r_readonly } };

	return pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys));
}

int pf_oci_hostname(pf_ctx *c, const char *path, const rf_json *v)
{
	const char *s;

	if (pf_string(c, path, v, &s) < 0)
		return -1;
	if (!*s || strlen(s) > HOSTNAME_MAX)
		return pf_fail(c, path, "expected 1 to %d characters", HOSTNAME_MAX);
	return pf_set_str(c, &c->plan->iso.hostname, s);
}

/* ================================================================ mounts */

/* What every container runtime mounts; ringfence keeps the host's instead. */
static const char *const standard_mounts[] = {
	"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup",
};

static bool is_standard_mount(const char *dst)
{
	for (size_t i = 0; i < RF_ARRAY_SIZE(standard_mounts); i++)
		if (!strcmp(dst, standard_mounts[i]))
			return true;
	return false;
}

struct mount_opts {
	bool bind, ro;
	uint64_t size;
	unsigned mode;
	char ignored[256];
};

/* The kernel's smallest tmpfs, one page; "size=0" would mean unlimited. */
#define TMPFS_MIN_SIZE 4096

/* tmpfs "mode=": octal 1 to 7777. */
static int tmpfs_mode(pf_ctx *c, const char *path, const char *s, unsigned *out)
{
	rf_error e;

	if (rf_parse_mode(s, out, &e) < 0)
		return pf_fail(c, path, "mode %s", e.msg);
	return 0;
}

/* Options ringfence applies anyway: rw; private propagation (nothing mounted
 * inside leaks out); nosuid and nodev on tmpfs and read-only binds. */
static bool harmless_option(const char *o, bool bind, bool ro)
{
	if (!strcmp(o, "rw") || !strcmp(o, "private") || !strcmp(o, "rprivate"))
		return true;
	return (!bind || ro) && (!strcmp(o, "nosuid") || !strcmp(o, "nodev"));
}

static int mount_options(pf_ctx *c, const char *path, const rf_json *v, bool bind_type,
			 struct mount_opts *mo)
{
	size_t used = 0;

	if (!v)
		return 0;
	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		char sub[PF_PATH_MAX];
		const char *o;

		if (pf_string(c, pf_index_path(sub, path, i), rf_json_array_at(v, i), &o) < 0)
			return -1;
		if (!strcmp(o, "bind") || !strcmp(o, "rbind")) {
			mo->bind = true;
		} else if (!strcmp(o, "ro")) {
			mo->ro = true;
		} else if (!strncmp(o, "size=", 5)) {
			if (rf_parse_size(o + 5, &mo->size, c->err) < 0)
				return rf_error_prefix(c->err, "%s", sub);
			if (mo->size < TMPFS_MIN_SIZE || mo->size == RF_MAX)
				return pf_fail(c, sub, "expected a size from 4K (leave size out for "
					       "the kernel default, half of RAM)");
		} else if (!strncmp(o, "mode=", 5)) {
			if (tmpfs_mode(c, sub, o + 5, &mo->mode) < 0)
				return -1;
		}
	}
	/* the rest, now that bind and ro are known */
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		const char *o = rf_json_str(rf_json_array_at(v, i));

		if (strcmp(o, "bind") && strcmp(o, "rbind") && strcmp(o, "ro") &&
		    strncmp(o, "size=", 5) && strncmp(o, "mode=", 5) &&
		    !harmless_option(o, bind_type || mo->bind, mo->ro) && used < sizeof(mo->ignored))
			used += (size_t)snprintf(mo->ignored + used, sizeof(mo->ignored) - used,
						 "%s%s", used ? " " : "", o);
	}
	return 0;
}

static int add_mount(pf_ctx *c, const char *path, rf_mount_kind kind, const char *src,
		     const char *dst, const struct mount_opts *mo)
{
	rf_isolation *iso = &c->plan->iso;
	rf_mount *grown = realloc(iso->mounts, (iso->n_mounts + 1) * sizeof(*grown));
	rf_mount m = { .kind = kind, .size = mo->size, .mode = mo->mode };

	if (!grown)
		return rf_error_set(c->err, ENOMEM, "%s", path);
	iso->mounts = grown;
	m.dst = strdup(dst);
	m.src = src ? strdup(src) : NULL;
	if (!m.dst || (src && !m.src)) {
		free(m.dst);
		free(m.src);
		return rf_error_set(c->err, ENOMEM, "%s", path);
	}
	iso->mounts[iso->n_mounts++] = m;
	return 0;
}

static int one_mount(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = {
		{ "destination", NULL }, { "type", NULL }, { "source", NULL }, { "options", NULL },
	};
	const rf_json *dst_j = pf_get(v, "destination"), *type_j = pf_get(v, "type");
	const rf_json *src_j = pf_get(v, "source");
	struct mount_opts mo = { 0 };
	const char *dst, *type = NULL, *src = NULL;
	char sub[PF_PATH_MAX];
	bool bind;

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	pf_key_path(sub, path, "destination");
	if (!dst_j)
		return pf_fail(c, sub, "required");
	if (pf_abspath(c, sub, dst_j, &dst) < 0)
		return -1;
	if (type_j && pf_string(c, pf_key_path(sub, path, "type"), type_j, &type) < 0)
		return -1;
	if (is_standard_mount(dst))
		return 0;   /* reported together by pf_oci_mounts */
	if (mount_options(c, pf_key_path(sub, path, "options"), pf_get(v, "options"),
			  type && !strcmp(type, "bind"), &mo) < 0)
		return -1;
	bind = mo.bind || (type && !strcmp(type, "bind"));
	if (!bind && (!type || strcmp(type, "tmpfs")))
		return pf_ignore(c, path, "%s of type %.32s: only tmpfs and bind mounts", dst,
				 type ? type : "(none)");
	if (mo.ignored[0] && pf_ignore(c, pf_key_path(sub, path, "options"), "%s", mo.ignored) < 0)
		return -1;
	if (!bind) {
		if (mo.ro)
			return pf_ignore(c, path, "%s: a read-only tmpfs", dst);
		if (src_j && pf_string(c, pf_key_path(sub, path, "source"), src_j, &src) < 0)
			return -1;   /* any name: the kernel shows it in mountinfo only */
		return add_mount(c, path, RF_MOUNT_TMPFS, NULL, dst, &mo);
	}
	pf_key_path(sub, path, "source");
	if (!src_j)
		return pf_fail(c, sub, "required for a bind mount");
	if (pf_string(c, sub, src_j, &src) < 0)
		return -1;
	if (src[0] != '/')
		return pf_fail(c, sub, "`%.128s` is not an absolute path (ringfence has no bundle "
			       "directory to resolve it against)", src);
	if (pf_abspath(c, sub, src_j, &src) < 0)
		return -1;
	if (mo.size || mo.mode)
		return pf_fail(c, pf_key_path(sub, path, "options"), "size= and mode= are tmpfs "
			       "options, not bind options");
	return add_mount(c, path, mo.ro ? RF_MOUNT_RO_BIND : RF_MOUNT_BIND, src, dst, &mo);
}

int pf_oci_mounts(pf_ctx *c, const char *path, const rf_json *v)
{
	char standard[128] = "";
	size_t used = 0;

	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		const char *dst = rf_json_str(pf_get(rf_json_array_at(v, i), "destination"));
		char sub[PF_PATH_MAX];

		if (one_mount(c, pf_index_path(sub, path, i), rf_json_array_at(v, i)) < 0)
			return -1;
		if (dst && is_standard_mount(dst) && used < sizeof(standard))
			used += (size_t)snprintf(standard + used, sizeof(standard) - used, " %s", dst);
	}
	/* One entry for the mounts every `crun spec` has, not seven. */
	if (used)
		return pf_ignore(c, "mounts", "%s: ringfence keeps the host's; with a pid "
				 "namespace it mounts a fresh /proc", standard + 1);
	return 0;
}

/* ================================================================ linux */

const pf_name pf_namespaces[] = {
	{ "pid", CLONE_NEWPID },
	{ "network", CLONE_NEWNET },
	{ "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },
	{ "cgroup", CLONE_NEWCGROUP },
	{ "user", CLONE_NEWUSER },
};
const size_t pf_n_namespaces = RF_ARRAY_SIZE(pf_namespaces);

static int one_namespace(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = { { "type", NULL }, { "path", NULL } };
	int *flags = &c->plan->iso.ns_flags;
	char sub[PF_PATH_MAX];
	const char *type;

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	if (pf_get(v, "path"))
		return pf_fail(c, pf_key_path(sub, path, "path"),
			       "joining an existing namespace is not supported");
	pf_key_path(sub, path, "type");
	if (!pf_get(v, "type"))
		return pf_fail(c, sub, "required");
	if (pf_string(c, sub, pf_get(v, "type"), &type) < 0)
		return -1;
	if (!strcmp(type, "time"))
		return pf_ignore(c, path, "time namespace");
	for (size_t i = 0; i < pf_n_namespaces; i++) {
		if (strcmp(type, pf_namespaces[i].name))
			continue;
		if (*flags & pf_namespaces[i].value)
			return pf_fail(c, sub, "%s given twice", type);
		*flags |= pf_namespaces[i].value;
		return 0;
	}
	return pf_fail(c, sub, "unknown namespace `%.32s` (expected pid, network, mount, ipc, uts, "
		       "cgroup, user or time)", type);
}

static int l_namespaces(pf_ctx *c, const char *path, const rf_json *v)
{
	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		char sub[PF_PATH_MAX];

		if (one_namespace(c, pf_index_path(sub, path, i), rf_json_array_at(v, i)) < 0)
			return -1;
	}
	return 0;
}

const pf_name pf_mpol_modes[] = {
	{ "MPOL_DEFAULT", RF_MPOL_NONE },
	{ "MPOL_BIND", RF_MPOL_BIND },
	{ "MPOL_PREFERRED", RF_MPOL_PREFERRED },
	{ "MPOL_INTERLEAVE", RF_MPOL_INTERLEAVE },
	{ "MPOL_LOCAL", RF_MPOL_LOCAL },
};
const size_t pf_n_mpol_modes = RF_ARRAY_SIZE(pf_mpol_modes);

const pf_name pf_mpol_flags[] = {
	{ "MPOL_F_STATIC_NODES", MPOL_F_STATIC_NODES },
	{ "MPOL_F_RELATIVE_NODES", MPOL_F_RELATIVE_NODES },
};
const size_t pf_n_mpol_flags = RF_ARRAY_SIZE(pf_mpol_flags);

static int mpol_flags(pf_ctx *c, const char *path, const rf_json *v, unsigned *flags)
{
	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		char sub[PF_PATH_MAX];
		const char *s;
		size_t f;

		if (pf_string(c, pf_index_path(sub, path, i), rf_json_array_at(v, i), &s) < 0)
			return -1;
		for (f = 0; f < pf_n_mpol_flags && strcmp(s, pf_mpol_flags[f].name); f++)
			;
		if (f == pf_n_mpol_flags)
			return pf_fail(c, sub, "unknown flag `%.32s` (expected MPOL_F_STATIC_NODES or "
				       "MPOL_F_RELATIVE_NODES)", s);
		*flags |= (unsigned)pf_mpol_flags[f].value;
	}
	/* The kernel takes one or the other: they are two readings of the mask. */
	if ((*flags & MPOL_F_STATIC_NODES) && (*flags & MPOL_F_RELATIVE_NODES))
		return pf_fail(c, path, "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude "
			       "each other");
	return 0;
}

static int l_memory_policy(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = { { "mode", NULL }, { "nodes", NULL }, { "flags", NULL } };
	const rf_json *nodes_j = pf_get(v, "nodes"), *flags_j = pf_get(v, "flags");
	rf_mempolicy mp = { 0 };
	char sub[PF_PATH_MAX];
	const char *mode, *nodes;
	size_t m;

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	pf_key_path(sub, path, "mode");
	if (!pf_get(v, "mode"))
		return pf_fail(c, sub, "required (e.g. \"MPOL_BIND\")");
	if (pf_string(c, sub, pf_get(v, "mode"), &mode) < 0)
		return -1;
	for (m = 0; m < pf_n_mpol_modes && strcmp(mode, pf_mpol_modes[m].name); m++)
		;
	if (m == pf_n_mpol_modes)
		return pf_fail(c, sub, "`%.32s` is not supported (expected MPOL_DEFAULT, MPOL_BIND, "
			       "MPOL_PREFERRED, MPOL_INTERLEAVE or MPOL_LOCAL)", mode);
	mp.mode = (rf_mpol_mode)pf_mpol_modes[m].value;
	pf_key_path(sub, path, "nodes");
	if (nodes_j) {
		if (pf_string(c, sub, nodes_j, &nodes) < 0)
			return -1;
		if (*nodes && rf_parse_idlist(nodes, &mp.nodes, c->err) < 0)
			return rf_error_prefix(c->err, "%s", sub);
	}
	if (flags_j && mpol_flags(c, pf_key_path(sub, path, "flags"), flags_j, &mp.flags) < 0)
		return -1;
	pf_key_path(sub, path, "nodes");
	switch (mp.mode) {
	case RF_MPOL_NONE:
	case RF_MPOL_LOCAL:
		if (!rf_idset_empty(&mp.nodes) || mp.flags)
			return pf_fail(c, sub, "%s takes no nodes or flags", mode);
		break;
	case RF_MPOL_PREFERRED:
	case RF_MPOL_BIND:
	case RF_MPOL_INTERLEAVE:
		if (rf_idset_empty(&mp.nodes))
			return pf_fail(c, sub, "%s needs nodes (e.g. \"0\" or \"0-1\")", mode);
		break;
	}
	c->plan->proc.mempolicy = mp;
	return 0;
}

static int l_seccomp(pf_ctx *c, const char *path, const rf_json *v)
{
	rf_process *p = &c->plan->proc;
	struct rf_seccomp *sc = NULL;
	char *text = NULL;
	size_t len;

	if (pf_expect(c, path, v, RF_JSON_OBJECT) < 0)
		return -1;
	if (rf_seccomp_compile(v, path, c->diag, &sc, c->err) < 0)
		return -1;
	if (pf_json_text(v, &text, &len, c->err) < 0) {
		rf_seccomp_free(sc);
		return -1;
	}
	rf_seccomp_free(p->seccomp);
	free(p->seccomp_path);
	free(p->seccomp_json);
	p->seccomp_path = NULL;
	p->seccomp = sc;
	p->seccomp_json = text;
	p->seccomp_mode = RF_SECCOMP_INLINE;
	return 0;
}

int pf_oci_linux(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = {
		{ "namespaces", l_namespaces },
		{ "resources", pf_oci_resources },
		{ "memoryPolicy", l_memory_policy },
		{ "seccomp", l_seccomp },
	};

	return pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys));
}
