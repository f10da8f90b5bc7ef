/* The cgroup manager: where a run's leaf goes, and who makes the cgroups
 * around it. One small struct of functions with one implementation per way
 * of doing it (as crun has): `cgroupfs`, where ringfence writes cgroupfs
 * itself (cgroup-parent.c), and `systemd`, a transient scope asked of
 * systemd over D-Bus (cgroup-systemd.c). Callers (run, the OCI runtime) see
 * only this header:
 *
 *	cg_placement p;
 *	cg_manager_place(&req, &p, diag, err);      choose the manager, prepare
 *	                                            the parent, place ourselves
 *	cg_manager_make_leaf(&p, name, lim, &leaf, diag, err);
 *	...                                         run in the leaf
 *	cg_leaf_destroy(&leaf, err);
 *	cg_manager_release(&p);                     undo what place changed
 *
 * All of it runs in the supervisor, before the child exists: place may move
 * the calling process into another cgroup. Limits go on the leaf, never on
 * the cgroups the manager prepares. */
#ifndef RINGFENCE_CGROUP_MANAGER_H
#define RINGFENCE_CGROUP_MANAGER_H

#include <limits.h>
#include <stdbool.h>

#include "ringfence/cgroup.h"
#include "ringfence/error.h"
#include "ringfence/plan.h"

/* What a caller asks for. Pointers are borrowed for the call. */
typedef struct cg_request {
	rf_cgroup_manager manager;   /* RF_CGROUP_MANAGER_AUTO: see cg_manager_choose */
	const char *parent;          /* cgroupfs: an explicit parent (NULL: the default) */
	unsigned need;               /* CG_CTRL_* the leaf needs */
} cg_request;

/* Where a run's cgroups are once placed, and what release must undo. */
typedef struct cg_placement {
	const struct cg_manager *mgr;
	cg_mount mount;
	char parent[PATH_MAX];       /* the leaf's parent, relative to the cgroup2 root */
	/* cgroupfs: the supervisor was moved from this cgroup into a sub-leaf
	 * of it ("" when it was not), and these controllers were enabled in
	 * its cgroup.subtree_control */
	char nested_in[PATH_MAX];
	unsigned enabled;
} cg_placement;

typedef struct cg_manager {
	const char *name;            /* "cgroupfs", "systemd": for messages and check */
	/* Fill p->mount and p->parent: a cgroup under which a leaf with
	 * req->need can be made, with this process outside that leaf's way.
	 * On failure nothing is left changed. */
	int (*place)(const cg_request *req, cg_placement *p, const rf_diag *diag, rf_error *err);
	/* Undo what place changed, once the leaf is gone. Best effort. */
	void (*release)(cg_placement *p);
} cg_manager;

extern const cg_manager cg_manager_cgroupfs;

/* An empty placement (release on it does nothing). */
void cg_placement_init(cg_placement *p);

/* The manager `req` gets. */
const cg_manager *cg_manager_choose(const cg_request *req);

int cg_manager_place(const cg_request *req, cg_placement *p, const rf_diag *diag, rf_error *err);

/* Sweep leaves whose supervisor died, then create the leaf `name` (NULL:
 * unique) under p->parent with the limits. */
int cg_manager_make_leaf(const cg_placement *p, const char *name, const rf_limits *lim,
			 cg_leaf *leaf, const rf_diag *diag, rf_error *err);

void cg_manager_release(cg_placement *p);

#endif
