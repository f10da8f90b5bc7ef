/* Shared by the profile reader's files (profile.c, profile-oci.c,
 * profile-dump.c): the load context and the JSON-path helpers that make every
 * message name the offending key. */
#ifndef RINGFENCE_PROFILE_INTERNAL_H
#define RINGFENCE_PROFILE_INTERNAL_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"
#include "ringfence/json.h"
#include "ringfence/plan.h"

/* Long enough for any path a real profile has; longer ones are truncated in
 * messages only. */
#define PF_PATH_MAX 256

typedef struct pf_ctx {
	rf_plan *plan;
	const rf_diag *diag;
	rf_error *err;
	const char *dir;        /* directory of the profile file (the bundle), NULL for text */
	bool bundle;            /* an OCI bundle's config.json: OCI semantics (profile-oci.c) */
	char **ignored;         /* what ringfence does not implement, for one report */
	size_t n_ignored;
} pf_ctx;

/* A member handler: `v` is never NULL nor JSON null. */
typedef int (*pf_handler)(pf_ctx *c, const char *path, const rf_json *v);

typedef struct pf_member {
	const char *key;
	pf_handler fn;          /* NULL: read by the caller (or accepted silently) */
} pf_member;

/* "PARENT.KEY", "KEY" at the top, or PARENT["KEY"] for keys that are not
 * identifiers ("memory.max"); "PARENT[I]" for array elements. */
const char *pf_key_path(char buf[PF_PATH_MAX], const char *parent, const char *key);
const char *pf_index_path(char buf[PF_PATH_MAX], const char *parent, size_t i);

/* Member `key` of `obj`, or NULL when absent or JSON null (null means "not
 * set", as the Go runtimes read it). */
const rf_json *pf_get(const rf_json *obj, const char *key);

/* Record PATH (and an optional note) as something ringfence does not do. */
int pf_ignore(pf_ctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Check `obj` is an object, report members not in `tab`, and call the
 * handler of each member that has one, in document order. */
int pf_walk(pf_ctx *c, const char *path, const rf_json *obj, const pf_member *tab, size_t n);

/* "PATH: MESSAGE", errnum 0; the message made one printable line (it
 * quotes the input). */
int pf_fail(pf_ctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same with an errno, for a system call on a path the input named. */
int pf_fail_errno(pf_ctx *c, int errnum, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "PATH: expected WANT, got TYPE". */
int pf_type_error(pf_ctx *c, const char *path, const rf_json *n, const char *want);

int pf_expect(pf_ctx *c, const char *path, const rf_json *n, rf_json_type t);
int pf_bool(pf_ctx *c, const char *path, const rf_json *n, bool *out);
int pf_string(pf_ctx *c, const char *path, const rf_json *n, const char **out);
int pf_i64(pf_ctx *c, const char *path, const rf_json *n, int64_t min, int64_t max,
	   int64_t *out);
int pf_u64(pf_ctx *c, const char *path, const rf_json *n, uint64_t min, uint64_t max,
	   uint64_t *out);
/* An absolute path without ".." components. */
int pf_abspath(pf_ctx *c, const char *path, const rf_json *n, const char **out);
/* An array of strings (of absolute paths, with `absolute`) as a new
 * NULL-terminated vector in *out. */
int pf_string_list(pf_ctx *c, const char *path, const rf_json *v, bool absolute, char ***out);

/* A path relative to the bundle (c->dir), which must exist: canonical, malloc'd. */
int pf_bundle_path(pf_ctx *c, const char *path, const rf_json *v, char **out);

/* Replace *field with a copy of s. */
int pf_set_str(pf_ctx *c, char **field, const char *s);

/* Add (or replace) a unified cgroup file of the plan's limits; `path` names
 * the key in messages. A value of several lines is written a line at a time. */
int pf_unified_add(pf_ctx *c, const char *path, const char *file, const char *value);
/* linux.resources.cpu.idle and burst, blockIO, hugepageLimits, rdma
 * (profile-resources-files.c). */
int pf_oci_cpu_files(pf_ctx *c, const char *path, const rf_json *cpu);
int pf_oci_blockio(pf_ctx *c, const char *path, const rf_json *v);
int pf_oci_hugepages(pf_ctx *c, const char *path, const rf_json *v);
int pf_oci_rdma(pf_ctx *c, const char *path, const rf_json *v);

/* The OCI part (profile-oci.c): top-level members other than "ringfence". */
int pf_oci_process(pf_ctx *c, const char *path, const rf_json *v);
int pf_oci_root(pf_ctx *c, const char *path, const rf_json *v);
int pf_oci_hostname(pf_ctx *c, const char *path, const rf_json *v);
int pf_oci_domainname(pf_ctx *c, const char *path, const rf_json *v);
int pf_oci_mounts(pf_ctx *c, const char *path, const rf_json *v);
int pf_oci_linux(pf_ctx *c, const char *path, const rf_json *v);
/* profile-oci-hooks.c: a bundle's hooks; its annotations as the hooks' state shows them. */
int pf_oci_hooks(pf_ctx *c, const char *path, const rf_json *v);
int pf_oci_hook_annotations(pf_ctx *c, const rf_json *v);
/* process.scheduler and process.execCPUAffinity (profile-oci-sched.c). */
int pf_oci_scheduler(pf_ctx *c, const char *path, const rf_json *v);
int pf_oci_exec_affinity(pf_ctx *c, const char *path, const rf_json *v);

/* linux.resources (profile-resources.c). */
int pf_oci_resources(pf_ctx *c, const char *path, const rf_json *v);

/* Names for the enums the dump and the reader share. */
typedef struct pf_name {
	const char *name;
	int value;
} pf_name;

/* The entry of tab named `name`, or NULL (profile.c). */
const pf_name *pf_name_find(const pf_name *tab, size_t n, const char *name);

extern const pf_name pf_namespaces[];   /* "pid" -> CLONE_NEWPID ... */
extern const size_t pf_n_namespaces;
extern const pf_name pf_mpol_modes[];   /* "MPOL_BIND" -> RF_MPOL_BIND ... */
extern const size_t pf_n_mpol_modes;
extern const pf_name pf_mpol_flags[];   /* "MPOL_F_STATIC_NODES" -> flag */
extern const size_t pf_n_mpol_flags;
extern const pf_name pf_io_classes[];   /* "IOPRIO_CLASS_BE" -> IOPRIO_CLASS_BE ... */
extern const size_t pf_n_io_classes;
extern const pf_name pf_sched_policies[]; /* "SCHED_BATCH" -> SCHED_BATCH ... */
extern const size_t pf_n_sched_policies;
extern const pf_name pf_sched_flags[];  /* "SCHED_FLAG_RESET_ON_FORK" -> flag ... */
extern const size_t pf_n_sched_flags;
extern const pf_name pf_propagations[]; /* "rprivate" -> MS_PRIVATE | MS_REC ... */
extern const size_t pf_n_propagations;

/* A mount's options back to OCI's list (profile-oci-mounts.c), for the dump:
 * calls emit(opt) for each, in a fixed order. */
void pf_mount_options(const rf_mount *m, void (*emit)(void *arg, const char *opt), void *arg);

/* Read a parsed profile or bundle into plan (profile.c). `shown` names it in
 * the report of what is not implemented; `dir` is where relative paths start. */
int pf_load(const rf_json *root, const char *shown, const char *dir, bool bundle,
	    rf_plan *plan, bool strict, const rf_diag *diag, rf_error *err);

/* Parts of the dump (profile-dump.c, profile-dump-oci.c). */
void pf_kv_string(rf_json_writer *w, const char *key, const char *value);
void pf_dump_cap_list(rf_json_writer *w, const char *key, uint64_t caps);
void pf_dump_cap_sets(rf_json_writer *w, const rf_process *p);
void pf_dump_root(rf_json_writer *w, const rf_isolation *iso);
void pf_dump_mounts(rf_json_writer *w, const rf_isolation *iso);
void pf_dump_namespaces(rf_json_writer *w, const rf_isolation *iso);
void pf_dump_container(rf_json_writer *w, const rf_plan *plan);
void pf_dump_devrules(rf_json_writer *w, const rf_limits *l);

/* A parsed subtree back to compact JSON text (profile-dump.c). */
int pf_json_text(const rf_json *v, char **out, size_t *len, rf_error *err);

/* The one runc/crun use for cgroup v2: shares 2..262144 onto weight 1..10000. */
uint64_t pf_shares_to_weight(uint64_t shares);

#endif
