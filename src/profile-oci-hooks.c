/* A bundle's `hooks` and the annotations its hooks are shown, onto
 * plan->hooks (include/ringfence/hooks.h). A profile's hooks are not run
 * (only the OCI runtime's commands run them): they are reported as not
 * implemented, as any key ringfence does not do. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/cleanup.h"
#include "ringfence/hooks.h"
#include "profile-internal.h"

static const pf_member hook_keys[] = {
	{ "path", NULL }, { "args", NULL }, { "env", NULL }, { "timeout", NULL },
};

static int one_hook(pf_ctx *c, const char *path, const rf_json *v, rf_hook *h)
{
	const rf_json *args = pf_get(v, "args"), *env = pf_get(v, "env");
	const rf_json *timeout = pf_get(v, "timeout");
	char sub[PF_PATH_MAX];
	const char *p;

	if (pf_walk(c, path, v, hook_keys, RF_ARRAY_SIZE(hook_keys)) < 0)
		return -1;
	if (!pf_get(v, "path"))
		return pf_fail(c, pf_key_path(sub, path, "path"), "required");
	if (pf_abspath(c, pf_key_path(sub, path, "path"), pf_get(v, "path"), &p) < 0)
		return -1;
	if (!(h->path = strdup(p)))
		return rf_error_set(c->err, ENOMEM, "%s", sub);
	if (args && pf_string_list(c, pf_key_path(sub, path, "args"), args, false, &h->argv) < 0)
		return -1;
	/* No args, or none at all: argv[0] is the path, as an exec of it. */
	if (!h->argv || !h->argv[0]) {
		rf_strv_free(h->argv);
		h->argv = calloc(2, sizeof(*h->argv));
		if (!h->argv || !(h->argv[0] = strdup(p)))
			return rf_error_set(c->err, ENOMEM, "%s", path);
	}
	if (env && pf_string_list(c, pf_key_path(sub, path, "env"), env, false, &h->env) < 0)
		return -1;
	if (timeout) {
		uint64_t t;

		/* The spec: if set, greater than zero. */
		if (pf_u64(c, pf_key_path(sub, path, "timeout"), timeout, 1, UINT32_MAX, &t) < 0)
			return -1;
		h->timeout_s = (unsigned)t;
	}
	return 0;
}

static int hook_list(pf_ctx *c, const char *path, const rf_json *v, rf_hook_kind k)
{
	rf_hooks *hs = &c->plan->hooks;
	size_t n = rf_json_array_len(v);

	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	rf_hooks_clear(hs, k);   /* a second list replaces the first */
	hs->list[k] = calloc(n ? n : 1, sizeof(*hs->list[k]));
	if (!hs->list[k])
		return rf_error_set(c->err, ENOMEM, "%s", path);
	for (size_t i = 0; i < n; i++) {
		char sub[PF_PATH_MAX];

		hs->n[k]++;   /* counted first: a failure frees what it half made */
		if (one_hook(c, pf_index_path(sub, path, i), rf_json_array_at(v, i),
			     &hs->list[k][i]) < 0)
			return -1;
	}
	return 0;
}

static const pf_member hook_kinds[RF_HOOK_KINDS] = {
	{ "prestart", NULL }, { "createRuntime", NULL }, { "createContainer", NULL },
	{ "startContainer", NULL }, { "poststart", NULL }, { "poststop", NULL },
};

int pf_oci_hooks(pf_ctx *c, const char *path, const rf_json *v)
{
	if (!c->bundle)
		return pf_ignore(c, path, "run only for an OCI bundle's container");
	if (pf_walk(c, path, v, hook_kinds, RF_ARRAY_SIZE(hook_kinds)) < 0)
		return -1;
	for (int k = 0; k < RF_HOOK_KINDS; k++) {
		const rf_json *list = pf_get(v, rf_hook_names[k]);
		char sub[PF_PATH_MAX];

		if (list && hook_list(c, pf_key_path(sub, path, rf_hook_names[k]), list,
				      (rf_hook_kind)k) < 0)
			return -1;
	}
	return 0;
}

int pf_oci_hook_annotations(pf_ctx *c, const rf_json *v)
{
	rf_hooks *hs = &c->plan->hooks;
	size_t n = rf_json_object_len(v);

	for (size_t i = 0; i < 2 * hs->n_annotations; i++)
		free(hs->annotations[i]);
	free(hs->annotations);
	hs->n_annotations = 0;
	hs->annotations = calloc(2 * n + 1, sizeof(*hs->annotations));
	if (!hs->annotations)
		return rf_error_set(c->err, ENOMEM, "annotations");
	for (size_t i = 0; i < n; i++) {
		hs->annotations[2 * i] = strdup(rf_json_object_key(v, i));
		hs->annotations[2 * i + 1] = strdup(rf_json_str(rf_json_object_value(v, i)));
		hs->n_annotations++;
		if (!hs->annotations[2 * i] || !hs->annotations[2 * i + 1])
			return rf_error_set(c->err, ENOMEM, "annotations");
	}
	return 0;
}
