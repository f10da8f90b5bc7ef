/* NUMA placement: node/CPU sets checked against the machine, the payload's
 * memory policy, and per-node usage sampling. */
#ifndef RINGFENCE_NUMA_H
#define RINGFENCE_NUMA_H

#include <stdint.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"
#include "ringfence/verdict.h"

/* Parse a node list ("0", "0-1", "0,2") and check every node is online; the
 * error lists the nodes that exist. */
int rf_numa_parse_nodes(const char *s, rf_idset *out, rf_error *err);
/* Same for CPUs against the online CPUs. */
int rf_numa_parse_cpus(const char *s, rf_idset *out, rf_error *err);

/* Every CPU of cpus and node of mems (either NULL) exists on this host;
 * not that this process may use them: a container's cpuset may name CPUs
 * its runtime does not run on. */
int rf_numa_ids_exist(const char *cpus, const char *mems, rf_error *err);

/* Number of configured nodes (>= 1) and one node's size in bytes. */
int rf_numa_node_count(void);
int rf_numa_node_size(unsigned node, uint64_t *bytes, rf_error *err);

/* The nodes the kernel exposes, and those this process may allocate on (nodes
 * with memory within its cpuset.mems). Returns the highest node + 1 (>= 1). */
int rf_numa_nodes(rf_idset *configured, rf_idset *usable);
/* One node's total and free bytes (free_bytes may be NULL). */
int rf_numa_node_meminfo(unsigned node, uint64_t *total, uint64_t *free_bytes, rf_error *err);

/* Child side: set_mempolicy() for the payload. No-op for RF_MPOL_NONE. */
int rf_numa_apply(const rf_mempolicy *mp, rf_error *err);

/* Read the leaf's memory.numa_stat and raise c->numa_peak[] (anon + file). */
int rf_numa_sample(int leaf_dirfd, rf_counters *c, rf_error *err);

/* Pure part of rf_numa_sample: memory.numa_stat text into c. Sets c->n_numa to
 * the highest node seen + 1 (never lowers it); nodes >= 64 are not kept. */
int rf_numa_parse_stat(const char *text, rf_counters *c, rf_error *err);

#endif
