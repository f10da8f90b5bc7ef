/* cgroup v2 access. Every cgroupfs read and write goes through these helpers:
 * paths are built with truncation checks, files opened O_CLOEXEC relative to a
 * directory fd, optional files marked as such. */
#ifndef RINGFENCE_CGROUP_H
#define RINGFENCE_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

/* Controllers ringfence knows, as a bitmask. */
enum {
	CG_CTRL_CPUSET = 1 << 0,
	CG_CTRL_CPU = 1 << 1,
	CG_CTRL_IO = 1 << 2,
	CG_CTRL_MEMORY = 1 << 3,
	CG_CTRL_PIDS = 1 << 4,
	CG_CTRL_HUGETLB = 1 << 5,
};

typedef struct cg_mount {
	char path[PATH_MAX];     /* where cgroup2 is mounted, e.g. /sys/fs/cgroup */
	bool nsdelegate;         /* mounted with nsdelegate (contain.c, rule 6) */
} cg_mount;

/* A leaf this process created and owns. */
typedef struct cg_leaf {
	char path[PATH_MAX];     /* absolute filesystem path */
	char rel[PATH_MAX];      /* path relative to the cgroup2 root, starting with '/' */
	int dirfd;               /* O_PATH|O_DIRECTORY... opened O_RDONLY, flocked */
	int parent_fd;           /* the parent directory */
} cg_leaf;

/* Find the cgroup2 mount: the first in /proc/self/mountinfo. */
int cg_find_mount(cg_mount *m, rf_error *err);
/* The same, in mountinfo text read already (its lines are cut up). */
int cg_find_mount_in(char *table, cg_mount *m, rf_error *err);

/* Parse a "cpuset cpu io memory pids" line into a mask; unknown names ignored. */
unsigned cg_parse_controllers(const char *line);
const char *cg_controller_name(unsigned bit);

/* This process's own cgroup (the "0::" line of /proc/self/cgroup), relative to the root. */
int cg_self(char *rel, size_t len, rf_error *err);

/* File helpers relative to a cgroup directory fd. `optional`: a missing file
 * is not an error; the read returns 0 with *present = false. */
int cg_write(int dirfd, const char *file, const char *value, rf_error *err);
int cg_read(int dirfd, const char *file, char *buf, size_t len, rf_error *err);
int cg_read_u64(int dirfd, const char *file, uint64_t *out, bool *present, rf_error *err);
/* The pids in the cgroup's cgroup.procs, read whole (malloc'd array). */
int cg_read_pids(int dirfd, pid_t **pids, size_t *n, rf_error *err);
/* "key value" files (memory.events, cpu.stat): value of `key`, or *present=false.
 * cg_keyed_value looks `key` up in text already read from `file`. */
int cg_keyed_value(const char *text, const char *file, const char *key, uint64_t *out,
		   bool *present, rf_error *err);
int cg_read_keyed(int dirfd, const char *file, const char *key, uint64_t *out,
		  bool *present, rf_error *err);

/* Controllers a leaf with these limits needs: memory and pids always (the
 * verdict is read from them), cpu, cpuset and those `unified` files name. */
unsigned cg_needed_controllers(const rf_limits *lim);

/* Create the leaf `name` (NULL: unique) under parent_rel, open as
 * *parent_fd (O_DIRECTORY; taken, -1 after), and write the limits. */
int cg_leaf_create(const cg_mount *m, const char *parent_rel, int *parent_fd, const char *name,
		   const rf_limits *lim, cg_leaf *leaf, rf_error *err);

/* Make `payload`, a child of the leaf with no controllers, for the command to
 * be born in (contain.c, rule 6): everything it does is charged to the leaf
 * and held by its limits. Returns its directory fd (the caller's to close),
 * or -1. cg_leaf_destroy removes it with the leaf. */
int cg_leaf_nest(const cg_leaf *leaf, rf_error *err);

/* SIGKILL every process in the leaf (cgroup.kill, or a procs loop on old kernels). */
int cg_leaf_kill(cg_leaf *leaf, rf_error *err);

/* Is anything still running in the leaf? (cgroup.events populated) */
int cg_leaf_populated(cg_leaf *leaf, bool *populated, rf_error *err);

/* Kill what is left and wait until the leaf is empty (its counters final). */
int cg_leaf_drain(cg_leaf *leaf, rf_error *err);

/* Kill what is left, wait for the leaf to empty, rmdir it (retrying EBUSY). */
int cg_leaf_destroy(cg_leaf *leaf, rf_error *err);

/* Close a leaf opened or created here, leaving the cgroup as it is. */
void cg_leaf_close(cg_leaf *leaf);

/* A leaf that outlives its creator (a container's): drop the orphan-sweep
 * mark and close it, leaving the cgroup in place. */
void cg_leaf_keep(cg_leaf *leaf);

/* Write what lim sets into an existing leaf, no defaults (update). */
int cg_leaf_update(cg_leaf *leaf, const rf_limits *lim, rf_error *err);

/* cgroup.freeze, then wait (POLLPRI on cgroup.events) until it holds. */
int cg_leaf_freeze(cg_leaf *leaf, bool frozen, rf_error *err);

/* Open an existing leaf by its path below the cgroup2 root ("/a/b"), to read,
 * write, kill or destroy it later (a container's, from its state). */
int cg_leaf_open(const cg_mount *m, const char *rel, cg_leaf *leaf, rf_error *err);

#endif
