/* The kernel's OOM report, read from /dev/kmsg, to say where an OOM kill of
 * the sandbox came from (its `constraint=` and `oom_memcg=` fields). */
#ifndef RINGFENCE_KMSG_H
#define RINGFENCE_KMSG_H

#include "ringfence/verdict.h"

/* Open /dev/kmsg positioned after the last record, so a later scan sees only
 * what the kernel logs from now on. -1 when it cannot be read (no privilege,
 * or kernel.dmesg_restrict): the scope then stays unknown. */
int rf_kmsg_open(void);

/* Read the records logged since the last call (non-blocking) and return the
 * scope of the first OOM kill report whose victim is in leaf_rel (the leaf
 * path relative to the cgroup2 root, e.g. "/ringfence/run-1-ab"), or
 * RF_SCOPE_NONE when none was logged. */
rf_oom_scope rf_kmsg_scan(int fd, const char *leaf_rel);

/* Pure: one record (with or without its "PRI,SEQ,TS,FLAGS;" prefix). For an
 * `oom-kill:constraint=...,task_memcg=...` line whose task is in leaf_rel:
 * CONSTRAINT_NONE -> RF_SCOPE_HOST, CONSTRAINT_CPUSET / _MEMORY_POLICY ->
 * RF_SCOPE_NODE, CONSTRAINT_MEMCG -> RF_SCOPE_LIMIT when oom_memcg is the
 * leaf (or below it), else RF_SCOPE_ANCESTOR; anything else RF_SCOPE_NONE. */
rf_oom_scope rf_kmsg_parse_line(const char *line, const char *leaf_rel);

#endif
