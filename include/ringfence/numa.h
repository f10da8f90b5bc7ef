/* NUMA placement: node/CPU sets checked against the machine, the payload's
 * memory policy, and per-node usage sampling. Only numa.c knows libnuma. */
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

/* Number of configured nodes (>= 1) and one node's size in bytes. */
int rf_numa_node_count(void);
int rf_numa_node_size(unsigned node, uint64_t *bytes, rf_error *err);

/* Child side: set_mempolicy() for the payload. No-op for RF_MPOL_NONE. */
int rf_numa_apply(const rf_mempolicy *mp, rf_error *err);

/* Read the leaf's memory.numa_stat and raise c->numa_peak[] (anon + file). */
int rf_numa_sample(int leaf_dirfd, rf_counters *c, rf_error *err);

#endif
