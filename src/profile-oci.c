/* The OCI runtime-spec part of a profile or bundle: process, root,
 * hostname and domainname mapped onto the plan; mounts are in
 * profile-oci-mounts.c, linux in profile-oci-linux.c, linux.resources in
 * profile-resources.c.
 *
 * A bundle (rf_bundle_load) and exec's process file (rf_profile_load_process)
 * are read with OCI's semantics. A profile (which runs on the host's `/`)
 * differs where noted:
 * - process.capabilities: a bundle's five sets are applied as given. A
 *   profile gives the payload one set, taken from "bounding" (a capability
 *   outside the bounding set can never be gained); without "bounding", the
 *   union of the sets given. A capability in another set but not in the
 *   bounding set is warned about.
 * - process.env: a bundle's is the whole environment. A profile's adds to
 *   (or replaces entries of) the inherited environment; ringfence.clearEnv
 *   gives OCI's meaning.
 * - process.noNewPrivileges: a bundle's is as given, false when left out
 *   (OCI's default: setuid programs work, as under runc and crun). For a
 *   profile it is always on; false is warned about.
 * - process.terminal: ringfence hands its own terminal to the payload when
 *   stdin is one (it makes no pty). A bundle's false (the default) keeps the
 *   payload in ringfence's process group with the stdio as given; for a
 *   profile false is not implemented.
 * - root.path: a bundle's root (relative to the bundle). A profile runs on
 *   the host's `/` and ignores it. root.readonly is --ro-root either way. */
#include "config.h"

#include <errno.h>
#include <linux/ioprio.h>
#include <linux/mempolicy.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ringfence/apparmor.h"
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
	if (c->bundle) {
		c->plan->proc.tty = on;
		return 0;
	}
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

static int p_umask(pf_ctx *c, const char *path, const rf_json *v)
{
	return pf_u64(c, path, v, 0, 0777, &c->plan->proc.umask.v) < 0
		       ? -1 : (c->plan->proc.umask.set = true, 0);
}

static int p_user(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = {
		{ "uid", NULL }, { "gid", NULL }, { "additionalGids", p_groups },
		{ "umask", p_umask },
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

/* The size of the pty a container's process gets (process.terminal), set
 * before it starts (runc, crun); a caller's console socket or terminal may
 * resize it after. A profile's command has the caller's terminal. */
static int p_console_size(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = { { "height", NULL }, { "width", NULL } };
	const rf_json *h = pf_get(v, "height"), *w = pf_get(v, "width");
	char sub[PF_PATH_MAX];
	uint64_t rows, cols;

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	if (!h || !w)
		return pf_fail(c, path, "give both height and width");
	if (pf_u64(c, pf_key_path(sub, path, "height"), h, 0, USHRT_MAX, &rows) < 0 ||
	    pf_u64(c, pf_key_path(sub, path, "width"), w, 0, USHRT_MAX, &cols) < 0)
		return -1;
	if (!c->bundle)
		return pf_ignore(c, path, "a profile's command has the caller's terminal");
	c->plan->proc.console_rows = (unsigned short)rows;
	c->plan->proc.console_cols = (unsigned short)cols;
	return 0;
}

static int p_args(pf_ctx *c, const char *path, const rf_json *v)
{
	cleanup_strv char **argv = NULL;
	char sub[PF_PATH_MAX];

	if (pf_string_list(c, path, v, false, &argv) < 0)
		return -1;
	if (!argv[0])
		return pf_fail(c, path, "expected at least the command");
	if (!argv[0][0])
		return pf_fail(c, pf_index_path(sub, path, 0), "the command is empty");
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
	if (c->bundle) {
		/* The order of sets[] is RF_CAPSET_*'s; a set not given is empty. */
		p->oci_caps = true;
		memcpy(p->cap_sets, got, sizeof(p->cap_sets));
		return 0;
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
	if (c->bundle)
		c->plan->proc.no_new_privs = on;
	else if (!on)
		rf_warn(c->diag, "%s is false, but ringfence always sets no_new_privs: a sandboxed "
			"command never gains privilege through setuid or file capabilities", path);
	return 0;
}

/* An empty name is none (runc's reading). Without AppArmor on the host no
 * profile can be entered: the process runs without it, warned (crun says
 * nothing; runc fails, as ringfence does under --strict). */
static int p_apparmor(pf_ctx *c, const char *path, const rf_json *v)
{
	const char *s;

	if (pf_string(c, path, v, &s) < 0)
		return -1;
	if (!*s)
		return 0;
	if (rf_apparmor_check_name(s, c->err) < 0)
		return rf_error_prefix(c->err, "%s", path);
	if (!rf_apparmor_enabled())
		return pf_ignore(c, path, "AppArmor is not enabled on this host");
	return pf_set_str(c, &c->plan->proc.apparmor_profile, s);
}

const pf_name pf_io_classes[] = {
	{ "IOPRIO_CLASS_RT", IOPRIO_CLASS_RT },
	{ "IOPRIO_CLASS_BE", IOPRIO_CLASS_BE },
	{ "IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE },
};
const size_t pf_n_io_classes = RF_ARRAY_SIZE(pf_io_classes);

/* The command's I/O scheduling class and level, as `ionice -c -n` sets
 * them; the idle class has no levels (the kernel ignores the one given). */
static int p_io_priority(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = { { "class", NULL }, { "priority", NULL } };
	const rf_json *cls = pf_get(v, "class"), *prio = pf_get(v, "priority");
	char sub[PF_PATH_MAX];
	const pf_name *found;
	const char *name;
	uint64_t level;

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	if (!cls || !prio)
		return pf_fail(c, path, "give both class and priority");
	pf_key_path(sub, path, "class");
	if (pf_string(c, sub, cls, &name) < 0)
		return -1;
	if (!(found = pf_name_find(pf_io_classes, pf_n_io_classes, name)))
		return pf_fail(c, sub, "`%.32s` is not a class (expected IOPRIO_CLASS_RT, "
			       "IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)", name);
	if (pf_u64(c, pf_key_path(sub, path, "priority"), prio, 0, 7, &level) < 0)
		return -1;
	c->plan->proc.ioprio.set = true;
	c->plan->proc.ioprio.v = IOPRIO_PRIO_VALUE((unsigned)found->value, level);
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
		{ "consoleSize", p_console_size },
		{ "user", p_user },
		{ "args", p_args },
		{ "env", p_env },
		{ "cwd", p_cwd },
		{ "capabilities", p_caps },
		{ "rlimits", p_rlimits },
		{ "noNewPrivileges", p_nnp },
		{ "oomScoreAdj", p_oom_score_adj },
		{ "apparmorProfile", p_apparmor },
		{ "ioPriority", p_io_priority },
		{ "scheduler", pf_oci_scheduler },
		{ "execCPUAffinity", pf_oci_exec_affinity },
	};

	return pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys));
}

/* ================================================================ root, hostname */

/* A directory, relative to the bundle; kept canonical. */
static int r_path(pf_ctx *c, const char *path, const rf_json *v)
{
	char *real;
	struct stat st;

	if (!c->bundle)
		return pf_ignore(c, path, "a profile runs on the host's /");
	if (pf_bundle_path(c, path, v, &real) < 0)
		return -1;
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		pf_fail(c, path, "`%.200s` is not a directory", real);
		free(real);
		return -1;
	}
	free(c->plan->iso.rootfs);
	c->plan->iso.rootfs = real;
	return 0;
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

static int uts_name(pf_ctx *c, const char *path, const rf_json *v, char **field)
{
	const char *s;

	if (pf_string(c, path, v, &s) < 0)
		return -1;
	if (!*s || strlen(s) > HOSTNAME_MAX)
		return pf_fail(c, path, "expected 1 to %d characters", HOSTNAME_MAX);
	return pf_set_str(c, field, s);
}

int pf_oci_hostname(pf_ctx *c, const char *path, const rf_json *v)
{
	return uts_name(c, path, v, &c->plan->iso.hostname);
}

int pf_oci_domainname(pf_ctx *c, const char *path, const rf_json *v)
{
	return uts_name(c, path, v, &c->plan->iso.domainname);
}
