/* Resource limits and OOM score of the payload. */
#ifndef RINGFENCE_RLIMIT_H
#define RINGFENCE_RLIMIT_H

#include <stdbool.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

/* "nofile" -> RLIMIT_NOFILE; -1 when unknown. Accepts "RLIMIT_NOFILE" too. */
int rf_rlimit_lookup(const char *name);
const char *rf_rlimit_name(int resource);   /* "nofile" */
bool rf_rlimit_is_bytes(int resource);      /* values take SIZE units */

/* "NAME=SOFT[:HARD]" (values: integer, SIZE where bytes, or "unlimited") into p. */
int rf_rlimit_parse(const char *spec, rf_process *p, rf_error *err);

/* Planning: a hard limit above the caller's own, without CAP_SYS_RESOURCE, is
 * clamped with a warning naming both values. */
int rf_rlimit_plan(rf_process *p, const rf_diag *diag, rf_error *err);

/* Child side: setrlimit() every limit that is set, then oom_score_adj. */
int rf_rlimit_apply(const rf_process *p, rf_error *err);

#endif
