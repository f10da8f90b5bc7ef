/* The --report path pattern: where the verdict of a run under a scheduler
 * goes, named by the job it belongs to. */
#ifndef RINGFENCE_REPORT_H
#define RINGFENCE_REPORT_H

#include <sys/types.h>

#include "ringfence/error.h"

/* What a pattern may draw on. Pure: the caller passes the environment
 * lookup (getenv, or a table in the tests), the host name and the pid. */
typedef struct rf_report_ctx {
	const char *(*getenv)(const char *name, void *data);
	void *data;
	const char *hostname;
	pid_t pid;
} rf_report_ctx;

/* The sequences, as the man page and the errors list them. */
#define RF_REPORT_FORMS \
	"%j (SLURM_JOB_ID), %s (SLURM_STEP_ID), %t (SLURM_PROCID), %n (host name), " \
	"%p (ringfence's pid), %{NAME} (environment variable NAME), %%"

/* Expand `pattern` into a newly allocated *out. Each expansion must be a
 * non-empty file-name part: an unset variable, or a value that is empty,
 * `.`, `..` or holds a `/`, is an error naming the sequence (errnum 0), as
 * is an unknown sequence. */
int rf_report_expand(const char *pattern, const rf_report_ctx *ctx, char **out, rf_error *err);

#endif
