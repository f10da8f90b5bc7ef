/* Reading the leaf's counters into an rf_counters snapshot (src/counters.c). */
#ifndef RINGFENCE_SRC_COUNTERS_H
#define RINGFENCE_SRC_COUNTERS_H

#include "ringfence/cgroup.h"
#include "ringfence/verdict.h"

#define RF_MAX_ANCESTORS 32

/* memory.events.local `oom` of each ancestor at the start of a run. The
 * ancestors are prefixes of one path: ancestor i is the first len[i] bytes of
 * rel (one PATH_MAX buffer, not one per ancestor: this lives on the stack);
 * fd[i] is its memory.events.local, -1 when it could not be opened. A zeroed
 * struct holds none. */
typedef struct rf_ancestors {
	size_t n;
	char rel[PATH_MAX];
	size_t len[RF_MAX_ANCESTORS];
	int fd[RF_MAX_ANCESTORS];
	int64_t oom[RF_MAX_ANCESTORS];
} rf_ancestors;

/* Fill every counter the kernel offers; RF_NA for the rest. Never fails.
 * events_fd: the leaf's memory.events kept open, or -1 to open it here. */
void rf_counters_read(int leaf_dirfd, int events_fd, rf_counters *c);
/* Only memory.events: all an exit status needs (an OOM kill, at the
 * sandbox's own limit or not). */
void rf_counters_read_events(int leaf_dirfd, int events_fd, rf_counters *c);

void rf_ancestors_snapshot(const cg_mount *m, const char *leaf_rel, rf_ancestors *a);
/* Sum of the rise of ancestors' `oom` since the snapshot, RF_NA if unreadable. */
int64_t rf_ancestors_oom_delta(const rf_ancestors *a);
/* Close what the snapshot opened. */
void rf_ancestors_close(rf_ancestors *a);

#endif
