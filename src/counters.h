/* Reading the leaf's counters into an rf_counters snapshot (src/counters.c). */
#ifndef RINGFENCE_SRC_COUNTERS_H
#define RINGFENCE_SRC_COUNTERS_H

#include "ringfence/cgroup.h"
#include "ringfence/verdict.h"

#define RF_MAX_ANCESTORS 32

/* memory.events.local `oom` of each ancestor at the start of a run. */
typedef struct rf_ancestors {
	size_t n;
	char rel[RF_MAX_ANCESTORS][PATH_MAX];
	int64_t oom[RF_MAX_ANCESTORS];
} rf_ancestors;

/* Fill every counter the kernel offers; RF_NA for the rest. Never fails. */
void rf_counters_read(int leaf_dirfd, rf_counters *c);

void rf_ancestors_snapshot(const cg_mount *m, const char *leaf_rel, rf_ancestors *a);
/* Sum of the rise of ancestors' `oom` since the snapshot, RF_NA if unreadable. */
int64_t rf_ancestors_oom_delta(const cg_mount *m, const rf_ancestors *a);

#endif
