/* Profiles: a subset of an OCI runtime-spec config.json, plus ringfence's own
 * keys under "ringfence". */
#ifndef RINGFENCE_PROFILE_H
#define RINGFENCE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

/* Search path: $RINGFENCE_PROFILE_PATH (colon-separated) if set, else
 * /etc/ringfence/profiles then $(datadir)/ringfence/profiles. A value with a
 * '/' or ending in ".json" is a path. */
int rf_profile_resolve(const char *name_or_path, char *path, size_t len, rf_error *err);

/* Fill `plan` from the profile (CLI flags are applied over it afterwards).
 * Unimplemented keys are reported through diag, or are an error when strict. */
int rf_profile_load(const char *name_or_path, rf_plan *plan, bool strict,
		    const rf_diag *diag, rf_error *err);

/* The same from profile text in memory; `name` is used in messages. */
int rf_profile_load_text(const char *text, size_t len, const char *name, rf_plan *plan,
			 bool strict, const rf_diag *diag, rf_error *err);

/* An OCI linux.resources object alone, as `update` is given one: errors name
 * its keys from the object ("memory.swap") after `name`; what ringfence does
 * not implement is named in one warning and not applied, as runc ignores it. */
int rf_profile_load_resources(const char *text, size_t len, const char *name, rf_plan *plan,
			      const rf_diag *diag, rf_error *err);

/* An OCI process object alone (what `exec --process` is given), read with a
 * bundle's semantics into plan->proc: the five capability sets, OCI's
 * defaults (no_new_privs off, no terminal, its env the whole environment).
 * Errors name its keys from the object ("capabilities.bounding[0]") after
 * `name`; what ringfence does not implement is named in one warning. */
int rf_profile_load_process(const char *text, size_t len, const char *name, rf_plan *plan,
			    const rf_diag *diag, rf_error *err);

/* A bundle's config.json read for its hooks and annotations alone (what
 * `start` and `delete` need of the copy create saved): into *out. */
int rf_profile_load_hooks(const char *text, size_t len, rf_hooks *out, rf_error *err);

/* The profile's "description" (top-level, else ringfence.description), or
 * *description = NULL when it has none. */
int rf_profile_describe(const char *name_or_path, char **description, rf_error *err);

/* Names of the profiles found on the search path (malloc'd, NULL-terminated). */
int rf_profile_list(char ***names, rf_error *err);

/* The effective settings of a plan as profile JSON (what `profile show` prints). */
int rf_profile_dump(const rf_plan *plan, char **out, size_t *len, rf_error *err);

#endif
