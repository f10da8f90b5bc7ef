/* Why the command ended. Counters are read from the leaf before teardown;
 * classification is a pure function of those counters and the wait status, so
 * it is unit-tested from snapshots. */
#ifndef RINGFENCE_VERDICT_H
#define RINGFENCE_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

/* A counter the kernel did not provide. Never invent a value: report null. */
#define RF_NA (-1)
/* memory.max / pids.max of "max". */
#define RF_UNLIMITED INT64_MAX

/* Exit codes (the contract in ringfence(1)). */
enum {
	RF_EXIT_OOM_LIMIT = 121,
	RF_EXIT_OOM_EXTERNAL = 122,
	RF_EXIT_TIMEOUT = 124,
	RF_EXIT_FAILURE = 125,
	RF_EXIT_NOEXEC = 126,
	RF_EXIT_NOTFOUND = 127,
};

typedef enum rf_verdict_kind {
	RF_VERDICT_EXITED,
	RF_VERDICT_SIGNALED,
	RF_VERDICT_OOM_LIMIT,
	RF_VERDICT_OOM_EXTERNAL,
	RF_VERDICT_TIMEOUT,
	RF_VERDICT_LAUNCH_FAILED,
	RF_VERDICT_STOPPED,      /* a container's process ended; its parent has the status */
} rf_verdict_kind;

typedef enum rf_oom_scope {
	RF_SCOPE_NONE,           /* no OOM kill: null in JSON */
	RF_SCOPE_LIMIT,          /* the leaf's own memory.max */
	RF_SCOPE_ANCESTOR,       /* a parent cgroup's limit */
	RF_SCOPE_NODE,           /* cpuset / mempolicy constrained (NUMA node) */
	RF_SCOPE_HOST,           /* global shortage */
	RF_SCOPE_EXTERNAL,       /* outside the sandbox, origin unknown */
} rf_oom_scope;

/* Snapshot of the leaf's counters; RF_NA where the kernel lacks a file or key. */
typedef struct rf_counters {
	/* memory.events (the leaf has no children, so hierarchical == local) */
	int64_t mem_low, mem_high, mem_max, mem_oom, mem_oom_kill, mem_oom_group_kill;
	int64_t memory_max;      /* bytes or RF_UNLIMITED */
	int64_t memory_peak;
	int64_t swap_max;
	/* sum over ancestors (up to the parent we created under) of the rise in
	 * memory.events.local `oom` during the run */
	int64_t ancestor_oom;
	/* pids */
	int64_t pids_max;        /* or RF_UNLIMITED */
	int64_t pids_max_events; /* pids.events max */
	int64_t pids_peak;
	/* cpu.stat */
	int64_t cpu_usage_usec, cpu_user_usec, cpu_system_usec;
	int64_t cpu_nr_periods, cpu_nr_throttled, cpu_throttled_usec;
	/* memory.numa_stat anon+file, peak seen per node while running */
	size_t n_numa;
	int64_t numa_peak[64];
} rf_counters;

void rf_counters_init(rf_counters *c);

/* What happened to the process, as the supervisor saw it. */
typedef struct rf_outcome {
	bool launched;           /* exec succeeded */
	int launch_code;         /* 125/126/127 when !launched */
	char launch_msg[RF_ERROR_MSG_MAX + 128]; /* "COMMAND: reason" */
	int wait_status;         /* raw status from waitid/waitpid, when launched */
	bool timed_out;
	bool killed_by_us;       /* we sent cgroup.kill after the grace period */
	int forwarded_signal;    /* last signal forwarded to the command, 0 none */
	/* scope hint from the kernel's OOM report (/dev/kmsg), RF_SCOPE_NONE if unknown */
	rf_oom_scope kmsg_scope;
	uint64_t wall_ms;
	bool status_unknown;     /* a container's: someone else reaped it (no wait_status) */
} rf_outcome;

typedef struct rf_verdict {
	rf_verdict_kind kind;
	int exit_code;           /* what ringfence exits with; -1 (null) when status_unknown */
	int status_code;         /* the command's exit code, or -1 (null) */
	int signal;              /* the signal that killed it, or 0 (null) */
	rf_oom_scope scope;
	rf_counters c;
	rf_outcome o;
	char cgroup[4096];       /* leaf path relative to the cgroup2 root */
} rf_verdict;

/* Processes the OOM killer took (oom_kill corrected for group kills). */
int64_t rf_oom_processes_killed(const rf_counters *c);

/* Pure: fill kind, exit_code, status_code, signal, scope from o and c. */
void rf_verdict_classify(rf_verdict *v, bool plain_exit);

const char *rf_verdict_kind_name(rf_verdict_kind k);   /* "oom-limit", ... */
const char *rf_oom_scope_name(rf_oom_scope s);         /* "limit", ... or NULL */

/* One human line without the "ringfence: " prefix, e.g.
 * "killed by OOM at memory limit 64.0M (peak 64.0M, 1 process killed by OOM, 0.41s); exit 121" */
void rf_verdict_summary(const rf_verdict *v, char *buf, size_t len);

/* "64.0M" style size for messages. */
void rf_format_size(uint64_t bytes, char *buf, size_t len);

/* The JSON verdict (schema in ringfence-run(1)); *out is malloc'd. The
 * second form writes the same object into a document being written. */
struct rf_json_writer;
void rf_verdict_json_write(struct rf_json_writer *w, const rf_verdict *v);
int rf_verdict_json(const rf_verdict *v, char **out, size_t *out_len, rf_error *err);

#endif
