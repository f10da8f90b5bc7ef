/* The host's memory posture: /proc/sys/vm and /proc/meminfo, and the guards
 * `run` applies from it; and this process's entries in /proc/self/status. */
#ifndef RINGFENCE_HOST_H
#define RINGFENCE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

typedef struct rf_host {
	int overcommit_memory;   /* vm.overcommit_memory, -1 unknown */
	int overcommit_ratio;
	int panic_on_oom;        /* vm.panic_on_oom, -1 unknown */
	int oom_kill_allocating_task;
	uint64_t mem_total, mem_available, swap_total, swap_free;  /* bytes */
	uint64_t commit_limit, committed_as;                       /* bytes */
} rf_host;

/* Read what exists; missing files leave fields at -1 / 0. */
int rf_host_read(rf_host *h, rf_error *err);
/* The same below another /proc (fixture trees in the unit tests). */
int rf_host_read_at(const char *procroot, rf_host *h, rf_error *err);

/* One integer sysctl, `rel` below /proc/sys ("kernel/pid_max"); *out is -1
 * when the file does not exist. */
int rf_host_sysctl(const char *rel, int *out, rf_error *err);

/* Only what rf_host_guard() consults for this plan: vm.panic_on_oom when the
 * plan has a memory limit or a NUMA bind, vm.overcommit_memory when it has no
 * memory limit; every other field stays -1 / 0. `run` starts often and each
 * /proc file it opens costs a path walk and a page-sized buffer. */
int rf_host_read_guard(const rf_plan *plan, rf_host *h, rf_error *err);
int rf_host_read_guard_at(const char *procroot, const rf_plan *plan, rf_host *h,
			  rf_error *err);

/* A meminfo-format file: "KEY:   N kB" lines (a NUMA node's meminfo puts
 * "Node N " before each key). Each listed key's value, in bytes, goes to its
 * `out` and sets its `seen`; other lines are skipped. -1 with errno in err
 * when the file cannot be read (ENOENT when it does not exist). */
typedef struct rf_meminfo_key {
	const char *key;
	uint64_t *out;
	bool seen;
} rf_meminfo_key;
int rf_host_read_meminfo(const char *path, rf_meminfo_key *keys, size_t n, rf_error *err);

/* The value of `key` ("CapBnd", "Mems_allowed_list") in /proc/self/status
 * into out, without the blanks before it or the newline: 1 found, 0 absent
 * or longer than `len`, -1 when the file cannot be read. */
int rf_host_self_status(const char *key, char *out, size_t len);

/* Refuse a memory-limited run under panic_on_oom=2 (unless allowed); warn when
 * nothing bounds the sandbox under overcommit=1, and on --numa-bind without
 * --memory. "Memory-limited" is memory.max or a NUMA bind (mempolicy or
 * cpuset.mems): both can end in an OOM kill, which panic_on_oom=2 turns into a
 * panic. memory.high alone never invokes the OOM killer. */
int rf_host_guard(const rf_plan *plan, const rf_host *h, const rf_diag *diag, rf_error *err);

#endif
