/* Resource limits and OOM score of the payload. */
#ifndef RINGFENCE_RLIMIT_H
#define RINGFENCE_RLIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

/* "nofile" -> RLIMIT_NOFILE; -1 when unknown. Accepts "RLIMIT_NOFILE" too. */
int rf_rlimit_lookup(const char *name);
const char *rf_rlimit_name(int resource);   /* "nofile" */
bool rf_rlimit_is_bytes(int resource);      /* values take SIZE units */

/* "NAME=SOFT[:HARD]" (values: integer, SIZE where bytes, or "unlimited") into p.
 * Messages do not name the flag; the caller prefixes "--rlimit". */
int rf_rlimit_parse(const char *spec, rf_process *p, rf_error *err);

/* Set one limit directly (--memlock SIZE is rf_rlimit_set(p, RLIMIT_MEMLOCK, v, v)).
 * Fails when soft > hard or the resource is unknown. */
int rf_rlimit_set(rf_process *p, int resource, uint64_t soft, uint64_t hard, rf_error *err);

/* Planning: a hard limit above the caller's own, without CAP_SYS_RESOURCE, is
 * clamped with a warning naming both values (the soft limit follows). An
 * oom_score_adj below the caller's current value without CAP_SYS_RESOURCE is
 * refused: the kernel would reject the child's write. */
int rf_rlimit_plan(rf_process *p, const rf_diag *diag, rf_error *err);

/* Child side: setrlimit() every limit that is set, then oom_score_adj. */
int rf_rlimit_apply(const rf_process *p, rf_error *err);

#endif
