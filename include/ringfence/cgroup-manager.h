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
#include <sys/types.h>

#include "ringfence/cgroup.h"
#include "ringfence/error.h"
#include "ringfence/plan.h"

/* What a caller asks for. Pointers are borrowed for the call. */
typedef struct cg_request {
	rf_cgroup_manager manager;   /* RF_CGROUP_MANAGER_AUTO: see cg_manager_choose */
	const char *parent;          /* cgroupfs: an explicit parent (NULL: the default) */
	const char *below;           /* a path below the parent place chose, made with
					the controllers, to put the leaf in (an OCI
					relative cgroupsPath: "a/b"); NULL: none */
	const char *slice;           /* systemd: Slice= (a valid NAME.slice; NULL: none) */
	bool scope;                  /* systemd wanted, with or without a slice */
	const char *unit;            /* systemd: the scope's name (NULL: a unique one,
					ringfence-PID-RANDOM.scope) */
	const char *description;     /* systemd: the scope's Description= (NULL: a default) */
	unsigned need;               /* CG_CTRL_* the leaf needs */
	const cg_mount *mount;       /* the cgroup2 mount, found already; NULL: find it */
	/* cgroupfs: asked about the parent it chose before anything is made or
	 * enabled there (a setuid user's policy); -1 refuses. NULL: none. */
	int (*approve)(const char *parent_rel, const void *data, rf_error *err);
	const void *approve_data;
} cg_request;

/* The caller's cgroup, and the deepest cgroup above or at it whose limits
 * bind it, systemd's own units left out (cgroup-chain.c explains). */
typedef struct cg_chain {
	char self[PATH_MAX];         /* relative to the cgroup2 root */
	char limited[PATH_MAX];      /* "" when no limit binds the caller */
	char limit[128];             /* the first limit found there: "memory.max 64.0M" */
	/* The highest cgroup of the chain the rule counts: the first level
	 * below systemd's own units (the first level when systemd does not
	 * run); "" when every level is systemd's. Where an engine's layout can
	 * begin. */
	char counted[PATH_MAX];
	/* The deepest of systemd's own units on the chain with a memory, cpu,
	 * cpuset or io limit (a service's MemoryMax=): skipped by the rule,
	 * so the sandbox is not under it; "" when none. pids.max is left out:
	 * every unit has systemd's DefaultTasksMax=. */
	char unit_limited[PATH_MAX];
	char unit_limit[128];
} cg_chain;

int cg_chain_read(const cg_mount *m, cg_chain *c, rf_error *err);

/* Is `path` the cgroup `ancestor` or below it? */
bool cg_path_within(const char *path, const char *ancestor);

/* Where a run's cgroups are once placed, and what release must undo. */
typedef struct cg_placement {
	const struct cg_manager *mgr;
	cg_mount mount;
	cg_chain chain;              /* read before the manager was chosen */
	char parent[PATH_MAX];       /* the leaf's parent, relative to the cgroup2 root */
	char unit[256];              /* systemd: the scope, "" otherwise */
	/* cgroupfs: the supervisor was moved from this cgroup into a sub-leaf
	 * of it ("" when it was not), and these controllers were enabled in
	 * its cgroup.subtree_control */
	char nested_in[PATH_MAX];
	unsigned enabled;
	pid_t keeper;                /* systemd: the process cg_manager_detach left */
} cg_placement;

typedef struct cg_manager {
	const char *name;            /* "cgroupfs", "systemd": for messages and check */
	/* Fill p->parent (p->mount and p->chain are filled): a cgroup under
	 * which a leaf with req->need can be made, with this process out of
	 * that leaf's way. On failure nothing is left changed. */
	int (*place)(const cg_request *req, cg_placement *p, const rf_diag *diag, rf_error *err);
	/* Undo what place changed, once the leaf is gone. Best effort. */
	void (*release)(cg_placement *p);
	/* Make the placement outlive this process (NULL: nothing to do). */
	int (*detach)(cg_placement *p, rf_error *err);
} cg_manager;

extern const cg_manager cg_manager_cgroupfs, cg_manager_systemd;

/* An empty placement (release on it does nothing). */
void cg_placement_init(cg_placement *p);

/* The manager `req` gets, given the caller's chain, and why in a few words
 * (for check and messages): cgroupfs when asked for, or given
 * --cgroup-parent; systemd when asked for, or given a slice or a scope; for
 * root, cgroupfs (no dependency on systemd); for others, cgroupfs when a
 * limit binds them (a scope of their user manager would leave it) or when
 * their own cgroup is delegated to them and holds no other process (someone
 * made it for this run), else systemd when their user manager's socket
 * exists, else cgroupfs. */
const cg_manager *cg_manager_choose(const cg_request *req, const cg_chain *chain, char *why,
				    size_t len);

int cg_manager_place(const cg_request *req, cg_placement *p, const rf_diag *diag, rf_error *err);

/* Sweep leaves whose supervisor died, then create the leaf `name` (NULL:
 * unique) under p->parent with the limits. */
int cg_manager_make_leaf(const cg_placement *p, const char *name, const rf_limits *lim,
			 cg_leaf *leaf, const rf_diag *diag, rf_error *err);

void cg_manager_release(cg_placement *p);

/* `create`: the placement must outlive this process, as the container's
 * process does, and the leaf's counters must last until `delete` reads
 * them. systemd: a scope whose last process leaves is stopped and its
 * subtree removed, counters and all, so a small process of ours (the
 * keeper) stays in SCOPE/supervisor until cg_systemd_stop(). cgroupfs:
 * nothing to do. Once the container is recorded, cg_placement_init()
 * forgets the placement; until then, release ends the keeper. */
int cg_manager_detach(cg_placement *p, rf_error *err);

/* cgroupfs: --cgroup-parent's form, whatever the mount: not empty, no `..`,
 * `//` or `.` component. Placement checks it; the CLI, before anything. */
bool cg_parent_form_ok(const char *path);
/* cgroupfs: what release does for a placement whose process has gone
 * (`create`, which moved aside into NESTED_IN/ringfence-supervisor and
 * exited): at `delete`, once the leaf is gone, the enabled controllers are
 * turned off and the empty sub-leaf removed, when nothing else depends on
 * them. */
void cg_cgroupfs_unnest(const cg_mount *m, const char *nested_in, unsigned enabled);

/* ---- systemd (cgroup-systemd.c) ---------------------------------------- */

/* "NAME" or "NAME.slice" into "NAME.slice", checked as systemd checks a
 * slice's name (letters, digits, `:_.\-`; a dash nests the slice, so none
 * leading, trailing or doubled). */
int cg_systemd_slice_name(const char *in, char *out, size_t len, rf_error *err);

/* linux.cgroupsPath under the OCI runtime's --systemd-cgroup, read as runc
 * reads it: "SLICE:PREFIX:NAME" is the scope PREFIX-NAME.scope in SLICE
 * (empty: system.slice for root, user.slice for others); "" is
 * ":ringfence:ID". Names are checked as systemd checks them. */
int cg_systemd_cgroups_path(const char *path, const char *id, char *slice, size_t slice_len,
			    char *unit, size_t unit_len, rf_error *err);

/* Stop the scope `unit` (`delete`) and wait until systemd has: the keeper
 * and anything else in it are killed, its cgroup removed. A scope already
 * gone is not an error. */
int cg_systemd_stop(const char *unit, rf_error *err);

/* What systemd would give a run here, for `ringfence check`. */
typedef struct cg_systemd_probe {
	bool found;                  /* a socket to ask is there */
	bool answered;               /* it answered, with the manager's cgroup */
	bool user;                   /* the user manager (else the system manager) */
	char socket[PATH_MAX];       /* the socket that answered, or the first tried */
	char cgroup[PATH_MAX];       /* the manager's ControlGroup */
	unsigned controllers;        /* what its scopes can get (its cgroup.controllers) */
	char why[512];               /* !found or !answered: why */
} cg_systemd_probe;

void cg_systemd_probe_host(cg_systemd_probe *p);

#endif
