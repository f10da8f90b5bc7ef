/* Shared by the seccomp compiler's files: seccomp.c (the profile, its rules,
 * the BPF program) and seccomp-arch.c (architectures and docker's
 * includes/excludes conditions). */
#ifndef RINGFENCE_SECCOMP_INTERNAL_H
#define RINGFENCE_SECCOMP_INTERNAL_H

#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"
#include "ringfence/json.h"

/* Longer JSON paths are cut in messages ("..."). */
#define SC_PATH_MAX 192
#define SC_MAX_ARCHES 8

typedef struct sc_ctx {
	scmp_filter_ctx ctx;
	uint32_t native;
	uint32_t arches[SC_MAX_ARCHES]; /* the filter's, native first */
	size_t n_arches;
	uint32_t default_action;
	unsigned int flags;             /* SECCOMP_FILTER_FLAG_* */
	uint64_t caps;                  /* the payload's, for includes/excludes */
	unsigned kernel[3];             /* this kernel's version, for minKernel */
	const rf_diag *diag;
	rf_error *err;
} sc_ctx;

/* "PARENT.KEY" ("KEY" at the top) and "PARENT[I]". */
const char *sc_key_path(char buf[SC_PATH_MAX], const char *parent, const char *key);
const char *sc_index_path(char buf[SC_PATH_MAX], const char *parent, size_t i);
/* Input text for a message: printable, at most 64 characters. */
const char *sc_shown(char buf[72], const char *s);

/* "`PATH`: MESSAGE" into c->err, errnum 0; returns -1. */
int sc_fail(sc_ctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "`PATH`: expected TYPE, got TYPE" unless n has type t. */
int sc_expect(sc_ctx *c, const char *path, const rf_json *n, rf_json_type t);
/* Member `key`, or NULL when absent or null (null means unset, as in Go). */
const rf_json *sc_member(const rf_json *obj, const char *key);
/* n must be an object; members not in `known` (NULL-terminated) are warned
 * about, "comment" is free text. */
int sc_check_keys(sc_ctx *c, const char *path, const rf_json *obj, const char *const *known);
/* n must be an array of strings; fn is called on each with its path. */
int sc_each_string(sc_ctx *c, const char *path, const rf_json *n,
		   int (*fn)(sc_ctx *c, const char *path, const char *s, void *data), void *data);

/* seccomp-arch.c */

/* `architectures` and docker's `archMap` of the profile object: the ones this
 * machine runs go into the filter (native first, x32 with a permissive
 * default on x86_64); call after seccomp_init, before any rule. */
int sc_parse_arches(sc_ctx *c, const char *path, const rf_json *spec);
/* Whether an entry's `includes` (includes = true) or `excludes` object holds. */
int sc_condition(sc_ctx *c, const char *path, const rf_json *o, bool includes, bool *holds);
/* "MAJOR.MINOR[.PATCH]" -> v; suffix_ok admits a kernel release's tail. */
int sc_parse_version(const char *s, bool suffix_ok, unsigned v[3]);

#endif
