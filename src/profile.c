/* Profiles: loading one into a plan (profile-lookup.c finds and lists them).
 *
 * A profile is a subset of an OCI runtime-spec config.json (profile-oci.c maps
 * it onto the plan) plus ringfence's own settings under one top-level object,
 * "ringfence" (read here). Nothing is applied: the profile fills the plan, the
 * CLI's flags go over it, and rf_plan_finalize() checks the result.
 *
 * The "ringfence" object (every key optional):
 *   description      string   what the profile is for (also allowed at the top)
 *   why              object   { "SETTING": "reason", ... }: the profile's comments;
 *                             read and type-checked, never applied
 *   timeout          DURATION string ("1h", "90s", "500ms") or integer ms; "none" or 0: none
 *   killAfter        same form: SIGTERM -> cgroup.kill grace on timeout
 *   oomGroup         bool     memory.oom.group (same as unified "memory.oom.group")
 *   memoryHigh       SIZE string or integer bytes (same as unified "memory.high")
 *   plainExit        bool     shell exit codes instead of 121/122
 *   allowPanicOnOom  bool     run even when vm.panic_on_oom=2 would panic on an OOM
 *   seccomp          "default" | "none" | FILE (relative to the profile's directory)
 *   mapRoot          bool     with a user namespace: appear as uid 0 inside
 *   clearEnv         bool     start from an empty environment (OCI's meaning of env)
 *   unsetEnv         [names]  variables removed from the inherited environment
 * They are applied after the OCI keys, so "oomGroup"/"memoryHigh" win over
 * linux.resources.unified. An unknown key here is an error, with or without
 * strict: this is ringfence's namespace, and a typo must not drop a setting.
 *
 * Everything the OCI part names but ringfence does not do is collected while
 * reading and reported once at the end (a warning, or an error when strict). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/cleanup.h"
#include "ringfence/parse.h"
#include "ringfence/profile.h"
#include "ringfence/seccomp.h"
#include "profile-internal.h"

/* Of the report of unimplemented keys; the message buffer is 1 KiB. */
#define IGNORED_LIST_MAX 640

/* ================================================================ paths and messages */

static bool is_identifier(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

const char *pf_key_path(char buf[PF_PATH_MAX], const char *parent, const char *key)
{
	char shown[96];
	size_t o = 0;

	if (is_identifier(key)) {
		snprintf(buf, PF_PATH_MAX, "%s%s%s", parent, *parent ? "." : "", key);
		return buf;
	}
	/* Keys come from the input: keep them printable and short. */
	for (const char *k = key; *k && o < sizeof(shown) - 4; k++)
		shown[o++] = isprint((unsigned char)*k) && *k != '"' ? *k : '?';
	if (strlen(key) > o)
		o += (size_t)snprintf(shown + o, sizeof(shown) - o, "...");
	shown[o] = '\0';
	snprintf(buf, PF_PATH_MAX, "%s[\"%s\"]", parent, shown);
	return buf;
}

const char *pf_index_path(char buf[PF_PATH_MAX], const char *parent, size_t i)
{
	snprintf(buf, PF_PATH_MAX, "%s[%zu]", parent, i);
	return buf;
}

const rf_json *pf_get(const rf_json *obj, const char *key)
{
	const rf_json *v = rf_json_get(obj, key);

	return rf_json_typeof(v) == RF_JSON_NULL ? NULL : v;
}

/* Messages quote the input: keep them one printable line. */
static void make_printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

static int fail_v(pf_ctx *c, int errnum, const char *path, const char *fmt, va_list ap)
{
	char msg[RF_ERROR_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	make_printable(msg);
	return rf_error_set(c->err, errnum, "%s: %s", path, msg);
}

int pf_fail(pf_ctx *c, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_v(c, 0, path, fmt, ap);
	va_end(ap);
	return -1;
}

int pf_fail_errno(pf_ctx *c, int errnum, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_v(c, errnum, path, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *kind_of(const rf_json *n)
{
	if (rf_json_typeof(n) == RF_JSON_NUMBER)
		return rf_json_is_integer(n) ? "integer" : "number";
	return rf_json_type_name(rf_json_typeof(n));
}

int pf_type_error(pf_ctx *c, const char *path, const rf_json *n, const char *want)
{
	return pf_fail(c, path, "expected %s, got %s", want, kind_of(n));
}

int pf_expect(pf_ctx *c, const char *path, const rf_json *n, rf_json_type t)
{
	if (rf_json_typeof(n) == t)
		return 0;
	return pf_type_error(c, path, n, rf_json_type_name(t));
}

int pf_bool(pf_ctx *c, const char *path, const rf_json *n, bool *out)
{
	if (rf_json_bool_val(n, out) < 0)
		return pf_type_error(c, path, n, "boolean");
	return 0;
}

int pf_string(pf_ctx *c, const char *path, const rf_json *n, const char **out)
{
	*out = rf_json_str(n);
	if (!*out)
		return pf_type_error(c, path, n, "string");
	return 0;
}

int pf_i64(pf_ctx *c, const char *path, const rf_json *n, int64_t min, int64_t max,
	   int64_t *out)
{
	if (!rf_json_is_integer(n))
		return pf_type_error(c, path, n, "integer");
	if (rf_json_i64(n, out) < 0 || *out < min || *out > max)
		return pf_fail(c, path, "out of range (expected %" PRId64 " to %" PRId64 ")",
			       min, max);
	return 0;
}

int pf_u64(pf_ctx *c, const char *path, const rf_json *n, uint64_t min, uint64_t max,
	   uint64_t *out)
{
	if (!rf_json_is_integer(n))
		return pf_type_error(c, path, n, "integer");
	if (rf_json_u64(n, out) < 0 || *out < min || *out > max)
		return pf_fail(c, path, "out of range (expected %" PRIu64 " to %" PRIu64 ")",
			       min, max);
	return 0;
}

int pf_string_list(pf_ctx *c, const char *path, const rf_json *v, bool absolute, char ***out)
{
	size_t n = rf_json_array_len(v);
	cleanup_strv char **list = NULL;

	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	list = calloc(n + 1, sizeof(*list));
	if (!list)
		return rf_error_set(c->err, ENOMEM, "%s", path);
	for (size_t i = 0; i < n; i++) {
		const rf_json *item = rf_json_array_at(v, i);
		char sub[PF_PATH_MAX];
		const char *s;

		pf_index_path(sub, path, i);
		if ((absolute ? pf_abspath(c, sub, item, &s) : pf_string(c, sub, item, &s)) < 0)
			return -1;
		if (!(list[i] = strdup(s)))
			return rf_error_set(c->err, ENOMEM, "%s", sub);
	}
	*out = steal_pointer(&list);
	return 0;
}

int pf_abspath(pf_ctx *c, const char *path, const rf_json *n, const char **out)
{
	const char *s;

	if (pf_string(c, path, n, &s) < 0)
		return -1;
	if (s[0] != '/')
		return pf_fail(c, path, "`%.128s` is not an absolute path", s);
	for (const char *p = s; (p = strstr(p, "..")); p += 2)
		if (p[-1] == '/' && (p[2] == '/' || p[2] == '\0'))
			return pf_fail(c, path, "`%.128s` has a `..` component", s);
	if (strlen(s) >= PATH_MAX)
		return pf_fail(c, path, "path longer than %d bytes", PATH_MAX - 1);
	*out = s;
	return 0;
}

int pf_bundle_path(pf_ctx *c, const char *path, const rf_json *v, char **out)
{
	cleanup_free char *joined = NULL;
	const char *s;

	if (pf_string(c, path, v, &s) < 0)
		return -1;
	if (!*s)
		return pf_fail(c, path, "empty path");
	if (s[0] != '/' && asprintf(&joined, "%s/%s", c->dir ? c->dir : ".", s) < 0)
		return rf_error_set(c->err, ENOMEM, "%s", path);
	*out = realpath(joined ? joined : s, NULL);
	if (!*out)
		return pf_fail_errno(c, errno, path, "`%.200s`", joined ? joined : s);
	return 0;
}

int pf_set_str(pf_ctx *c, char **field, const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		return rf_error_set(c->err, ENOMEM, "copy `%.64s`", s);
	free(*field);
	*field = copy;
	return 0;
}

int pf_ignore(pf_ctx *c, const char *path, const char *fmt, ...)
{
	char note[256] = "";
	char *entry, **grown;
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(note, sizeof(note), fmt, ap);
		va_end(ap);
	}
	if (asprintf(&entry, "%s%s%s%s", path, *note ? " (" : "", note, *note ? ")" : "") < 0)
		return rf_error_set(c->err, ENOMEM, "report `%s`", path);
	make_printable(entry);
	grown = realloc(c->ignored, (c->n_ignored + 1) * sizeof(*grown));
	if (!grown) {
		free(entry);
		return rf_error_set(c->err, ENOMEM, "report `%s`", path);
	}
	c->ignored = grown;
	c->ignored[c->n_ignored++] = entry;
	return 0;
}

const pf_name *pf_name_find(const pf_name *tab, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, tab[i].name))
			return &tab[i];
	return NULL;
}

int pf_walk(pf_ctx *c, const char *path, const rf_json *obj, const pf_member *tab, size_t n)
{
	if (pf_expect(c, path, obj, RF_JSON_OBJECT) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_object_len(obj); i++) {
		const char *key = rf_json_object_key(obj, i);
		const rf_json *v = rf_json_object_value(obj, i);
		char sub[PF_PATH_MAX];
		size_t t;

		if (rf_json_typeof(v) == RF_JSON_NULL)
			continue;
		for (t = 0; t < n && strcmp(tab[t].key, key); t++)
			;
		pf_key_path(sub, path, key);
		if (t == n) {
			if (pf_ignore(c, sub, NULL) < 0)
				return -1;
		} else if (tab[t].fn && tab[t].fn(c, sub, v) < 0) {
			return -1;
		}
	}
	return 0;
}

/* ================================================================ the "ringfence" object */

static int rk_duration(pf_ctx *c, const char *path, const rf_json *v, uint64_t *ms)
{
	const char *s = rf_json_str(v);

	if (rf_json_is_integer(v))
		return pf_u64(c, path, v, 0, UINT64_MAX, ms);
	if (!s)
		return pf_type_error(c, path, v, "duration string or integer milliseconds");
	if (!strcmp(s, "none")) {
		*ms = 0;
		return 0;
	}
	if (rf_parse_duration_ms(s, ms, c->err) < 0)
		return rf_error_prefix(c->err, "%s", path);
	return 0;
}

static int rk_timeout(pf_ctx *c, const char *path, const rf_json *v)
{
	return rk_duration(c, path, v, &c->plan->sup.timeout_ms);
}

static int rk_kill_after(pf_ctx *c, const char *path, const rf_json *v)
{
	return rk_duration(c, path, v, &c->plan->sup.kill_after_ms);
}

static int rk_memory_high(pf_ctx *c, const char *path, const rf_json *v)
{
	rf_opt_u64 *high = &c->plan->limits.memory_high;
	const char *s = rf_json_str(v);

	if (rf_json_is_integer(v)) {
		if (pf_u64(c, path, v, 0, RF_MAX - 1, &high->v) < 0)
			return -1;
	} else if (!s) {
		return pf_type_error(c, path, v, "size string or integer bytes");
	} else if (rf_parse_size(s, &high->v, c->err) < 0) {
		return rf_error_prefix(c->err, "%s", path);
	}
	high->set = true;
	return 0;
}

#define RK_BOOL(fn, field)                                       \
	static int fn(pf_ctx *c, const char *path, const rf_json *v) \
	{                                                            \
		return pf_bool(c, path, v, &c->plan->field);         \
	}

RK_BOOL(rk_oom_group, limits.oom_group)
RK_BOOL(rk_plain_exit, sup.plain_exit)
RK_BOOL(rk_allow_panic, sup.allow_panic_on_oom)
RK_BOOL(rk_map_root, iso.map_root)
RK_BOOL(rk_clear_env, proc.clearenv)

static int rk_string(pf_ctx *c, const char *path, const rf_json *v)
{
	const char *s;

	return pf_string(c, path, v, &s);
}

static int rk_why(pf_ctx *c, const char *path, const rf_json *v)
{
	if (pf_expect(c, path, v, RF_JSON_OBJECT) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_object_len(v); i++) {
		char sub[PF_PATH_MAX];
		const char *s;

		pf_key_path(sub, path, rf_json_object_key(v, i));
		if (pf_string(c, sub, rf_json_object_value(v, i), &s) < 0)
			return -1;
	}
	return 0;
}

static int rk_seccomp(pf_ctx *c, const char *path, const rf_json *v)
{
	rf_process *p = &c->plan->proc;
	cleanup_free char *file = NULL;
	const char *s;

	if (pf_string(c, path, v, &s) < 0)
		return -1;
	if (!*s)
		return pf_fail(c, path, "expected default, none or a file name");
	if (p->seccomp) {
		/* a linux.seccomp object in the same profile: this key wins */
		rf_seccomp_free(p->seccomp);
		p->seccomp = NULL;
	}
	free(p->seccomp_json);
	p->seccomp_json = NULL;
	free(p->seccomp_path);
	p->seccomp_path = NULL;
	if (!strcmp(s, "default") || !strcmp(s, "none")) {
		p->seccomp_mode = s[0] == 'd' ? RF_SECCOMP_DEFAULT : RF_SECCOMP_NONE;
		return 0;
	}
	if (s[0] != '/' && c->dir) {
		if (asprintf(&file, "%s/%s", c->dir, s) < 0)
			return rf_error_set(c->err, ENOMEM, "%s", path);
	} else {
		file = strdup(s);
		if (!file)
			return rf_error_set(c->err, ENOMEM, "%s", path);
	}
	p->seccomp_mode = RF_SECCOMP_FILE;
	p->seccomp_path = steal_pointer(&file);
	return 0;
}

static int rk_unset_env(pf_ctx *c, const char *path, const rf_json *v)
{
	rf_process *p = &c->plan->proc;

	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		char sub[PF_PATH_MAX];
		rf_envop *grown;
		const char *name;
		char *key;

		pf_index_path(sub, path, i);
		if (pf_string(c, sub, rf_json_array_at(v, i), &name) < 0)
			return -1;
		if (!*name || strchr(name, '='))
			return pf_fail(c, sub, "`%.64s` is not a variable name", name);
		grown = realloc(p->env, (p->n_env + 1) * sizeof(*grown));
		if (!grown)
			return rf_error_set(c->err, ENOMEM, "%s", sub);
		p->env = grown;
		key = strdup(name);
		if (!key)
			return rf_error_set(c->err, ENOMEM, "%s", sub);
		p->env[p->n_env++] = (rf_envop){ .key = key, .value = NULL };
	}
	return 0;
}

static const pf_member ringfence_keys[] = {
	{ "description", rk_string },
	{ "why", rk_why },
	{ "timeout", rk_timeout },
	{ "killAfter", rk_kill_after },
	{ "oomGroup", rk_oom_group },
	{ "memoryHigh", rk_memory_high },
	{ "plainExit", rk_plain_exit },
	{ "allowPanicOnOom", rk_allow_panic },
	{ "seccomp", rk_seccomp },
	{ "mapRoot", rk_map_root },
	{ "clearEnv", rk_clear_env },
	{ "unsetEnv", rk_unset_env },
};

static int pf_ringfence(pf_ctx *c, const char *path, const rf_json *obj)
{
	if (pf_expect(c, path, obj, RF_JSON_OBJECT) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_object_len(obj); i++) {
		const char *key = rf_json_object_key(obj, i);
		const rf_json *v = rf_json_object_value(obj, i);
		char sub[PF_PATH_MAX];
		size_t t;

		for (t = 0; t < RF_ARRAY_SIZE(ringfence_keys) && strcmp(ringfence_keys[t].key, key); t++)
			;
		pf_key_path(sub, path, key);
		if (t == RF_ARRAY_SIZE(ringfence_keys))
			return pf_fail(c, sub, "unknown key (known: description, why, timeout, "
				       "killAfter, oomGroup, memoryHigh, plainExit, allowPanicOnOom, "
				       "seccomp, mapRoot, clearEnv, unsetEnv)");
		if (rf_json_typeof(v) != RF_JSON_NULL && ringfence_keys[t].fn(c, sub, v) < 0)
			return -1;
	}
	return 0;
}

/* ================================================================ loading */

static const pf_member top_keys[] = {
	{ "ociVersion", NULL },
	{ "description", NULL },
	{ "process", NULL },
	{ "root", NULL },
	{ "hostname", NULL },
	{ "domainname", NULL },
	{ "mounts", NULL },
	{ "linux", NULL },
	{ "annotations", NULL },
	{ "hooks", NULL },
	{ "ringfence", NULL },
};

/* Annotations are for whoever made the bundle: a runtime checks them and
 * reads its own, ringfence.verdict (where the runtime's delete copies the
 * verdict; an absolute path, as the caller's files are named). It must lie
 * inside the bundle: annotations can come from whoever wrote the pod or
 * the container's labels, and delete runs as root. */
static int pf_annotations(pf_ctx *c, const char *path, const rf_json *v)
{
	const rf_json *verdict = pf_get(v, "ringfence.verdict");
	char sub[PF_PATH_MAX];
	const char *s;

	if (rk_why(c, path, v) < 0)
		return -1;
	if (c->bundle && pf_oci_hook_annotations(c, v) < 0)
		return -1;
	if (!c->bundle || !verdict)
		return 0;
	pf_key_path(sub, path, "ringfence.verdict");
	if (pf_abspath(c, sub, verdict, &s) < 0)
		return -1;
	if (strlen(s) >= PATH_MAX)
		return pf_fail(c, sub, "longer than PATH_MAX");
	if (strncmp(s, c->dir, strlen(c->dir)) || s[strlen(c->dir)] != '/' || !s[strlen(c->dir) + 1])
		return pf_fail(c, sub, "`%.128s` is not inside the bundle `%.128s` (the verdict is "
			       "written into the bundle only)", s, c->dir);
	return pf_set_str(c, &c->plan->verdict_path, s);
}

/* The members in a fixed order, whatever the document's: later ones may
 * refine earlier ones (ringfence's keys come last). */
static const struct {
	const char *key;
	pf_handler fn;
} top_order[] = {
	{ "ociVersion", rk_string },         /* a string; any 1.x is read the same */
	{ "description", rk_string },
	{ "process", pf_oci_process },
	{ "root", pf_oci_root },
	{ "hostname", pf_oci_hostname },
	{ "domainname", pf_oci_domainname },
	{ "mounts", pf_oci_mounts },
	{ "linux", pf_oci_linux },
	{ "annotations", pf_annotations },
	{ "hooks", pf_oci_hooks },
	{ "ringfence", pf_ringfence },
};

static void ignored_free(pf_ctx *c)
{
	for (size_t i = 0; i < c->n_ignored; i++)
		free(c->ignored[i]);
	free(c->ignored);
}

/* "a, b, c" into buf, or "a, b ... and N more" when it does not fit. */
static const char *join_ignored(const pf_ctx *c, char *buf, size_t len)
{
	size_t used = 0, i;

	buf[0] = '\0';
	for (i = 0; i < c->n_ignored; i++) {
		size_t need = strlen(c->ignored[i]) + (i ? 2 : 0);

		if (used + need >= len - 32)
			break;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", c->ignored[i]);
	}
	if (i < c->n_ignored)
		snprintf(buf + used, len - used, " ... and %zu more", c->n_ignored - i);
	return buf;
}

int pf_load(const rf_json *root, const char *shown, const char *dir, bool bundle,
	    rf_plan *plan, bool strict, const rf_diag *diag, rf_error *err)
{
	pf_ctx c = { .plan = plan, .diag = diag, .err = err, .dir = dir, .bundle = bundle };
	char list[IGNORED_LIST_MAX];
	int r = -1;

	if (pf_walk(&c, "", root, top_keys, RF_ARRAY_SIZE(top_keys)) < 0) {
		if (rf_json_typeof(root) != RF_JSON_OBJECT)
			rf_error_set(err, 0, "expected a JSON object at the top, got %s",
				     kind_of(root));
		goto out;
	}
	for (size_t i = 0; i < RF_ARRAY_SIZE(top_order); i++) {
		const rf_json *v = pf_get(root, top_order[i].key);

		if (v && top_order[i].fn(&c, top_order[i].key, v) < 0)
			goto out;
	}
	if (c.n_ignored && strict) {
		rf_error_set(err, 0, "not implemented by ringfence (refused under --strict): %s",
			     join_ignored(&c, list, sizeof(list)));
		goto out;
	}
	if (c.n_ignored)
		rf_warn(diag, "%s `%s`: ignoring what ringfence does not implement: %s",
			bundle ? "bundle" : "profile", shown, join_ignored(&c, list, sizeof(list)));
	r = bundle ? 0 : pf_set_str(&c, &plan->profile, shown);
out:
	ignored_free(&c);
	return r;
}

int rf_profile_load_text(const char *text, size_t len, const char *name, rf_plan *plan,
			 bool strict, const rf_diag *diag, rf_error *err)
{
	rf_json *root = rf_json_parse(text, len, err);
	int r;

	if (!root)
		return rf_error_prefix(err, "profile `%s`", name);
	r = pf_load(root, name, NULL, false, plan, strict, diag, err);
	rf_json_free(root);
	if (r < 0)
		return rf_error_prefix(err, "profile `%s`", name);
	return 0;
}

/* One part of a config alone (update's resources, exec's process): errors
 * name its keys from the object after `name`; what ringfence does not
 * implement is named in one warning and not applied. */
static int load_part(const char *text, size_t len, const char *name, bool bundle, pf_handler fn,
		     rf_plan *plan, const rf_diag *diag, rf_error *err)
{
	pf_ctx c = { .plan = plan, .diag = diag, .err = err, .bundle = bundle };
	char list[IGNORED_LIST_MAX];
	rf_json *root = rf_json_parse(text, len, err);
	int r = -1;

	if (root && rf_json_typeof(root) != RF_JSON_OBJECT)
		rf_error_set(err, 0, "expected a JSON object, got %s", kind_of(root));
	else if (root && fn(&c, "", root) == 0) {
		r = 0;
		if (c.n_ignored)
			rf_warn(diag, "%s: ignoring what ringfence does not implement: %s", name,
				join_ignored(&c, list, sizeof(list)));
	}
	ignored_free(&c);
	rf_json_free(root);
	return r < 0 ? rf_error_prefix(err, "%s", name) : 0;
}

int rf_profile_load_resources(const char *text, size_t len, const char *name, rf_plan *plan,
			      const rf_diag *diag, rf_error *err)
{
	/* as runc's update: what is not implemented is not applied, but said */
	return load_part(text, len, name, false, pf_oci_resources, plan, diag, err);
}

int rf_profile_load_process(const char *text, size_t len, const char *name, rf_plan *plan,
			    const rf_diag *diag, rf_error *err)
{
	/* OCI's defaults for a process: its env the whole environment, no
	 * terminal, no_new_privs only when asked for. */
	plan->proc.clearenv = true;
	plan->proc.tty = false;
	plan->proc.no_new_privs = false;
	return load_part(text, len, name, true, pf_oci_process, plan, diag, err);
}

int rf_profile_load_hooks(const char *text, size_t len, rf_hooks *out, rf_error *err)
{
	rf_plan plan;
	pf_ctx c = { .plan = &plan, .err = err, .bundle = true };
	rf_json *root = rf_json_parse(text, len, err);
	const rf_json *hooks = root ? pf_get(root, "hooks") : NULL;
	const rf_json *notes = root ? pf_get(root, "annotations") : NULL;
	int r = -1;

	memset(out, 0, sizeof(*out));
	rf_plan_init(&plan);
	if (root && (!hooks || pf_oci_hooks(&c, "hooks", hooks) == 0) &&
	    (!notes || (rk_why(&c, "annotations", notes) == 0 &&
			pf_oci_hook_annotations(&c, notes) == 0))) {
		*out = plan.hooks;
		memset(&plan.hooks, 0, sizeof(plan.hooks));
		r = 0;
	}
	ignored_free(&c);
	rf_plan_free(&plan);
	rf_json_free(root);
	return r;
}

int rf_profile_load(const char *name_or_path, rf_plan *plan, bool strict,
		    const rf_diag *diag, rf_error *err)
{
	char path[PATH_MAX], dir[PATH_MAX];
	const char *slash;
	rf_json *root;
	int r;

	if (rf_profile_resolve(name_or_path, path, sizeof(path), err) < 0)
		return -1;
	root = rf_json_parse_file(path, err);
	if (!root)   /* the message names the file already */
		return strcmp(path, name_or_path) ? rf_error_prefix(err, "profile `%s`", name_or_path)
						  : -1;
	slash = strrchr(path, '/');
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash == path ? 1 : slash - path), path);
	r = pf_load(root, name_or_path, slash ? dir : ".", false, plan, strict, diag, err);
	rf_json_free(root);
	if (r < 0)
		return rf_error_prefix(err, "profile `%s`", path);
	return 0;
}
