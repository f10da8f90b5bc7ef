/* Shared by the cgroup files: cgroup.c (the mount, the file helpers, the
 * leaf) and cgroup-parent.c (preparing the parent, delegation, the orphan
 * sweep). The definitions are in cgroup.c. */
#ifndef RINGFENCE_CGROUP_INTERNAL_H
#define RINGFENCE_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "ringfence/cgroup.h"
#include "ringfence/cgroup-manager.h"
#include "ringfence/error.h"

/* The xattr on every leaf ringfence creates: what lets a later run sweep the
 * leaf if its supervisor dies (see the top of cgroup-parent.c). */
#define CG_MARK_XATTR "user.ringfence"

/* The controllers' names, indexed by bit number in the CG_CTRL_* mask. */
#define CG_N_CONTROLLERS 6
_Static_assert(CG_CTRL_HUGETLB == 1 << (CG_N_CONTROLLERS - 1),
	       "CG_N_CONTROLLERS must cover every CG_CTRL_* bit");
extern const char *const cg_controller_names[CG_N_CONTROLLERS];

/* The names in `mask` as "memory pids", for messages; returns buf. */
const char *cg_controllers_text(unsigned mask, char *buf, size_t len);

/* "A/B" into buf (no '/' added when b is empty or starts with one, or a is
 * empty); ENAMETOOLONG when it does not fit. */
int cg_join_path(char *buf, size_t len, const char *a, const char *b, rf_error *err);

/* Open a cgroup directory O_RDONLY|O_DIRECTORY|O_CLOEXEC; the fd or -1. */
int cg_open_dir(const char *path, rf_error *err);

/* Poll cgroup.events until `populated` is 0 (or unreadable): 0, or -1 after
 * timeout_ms. */
int cg_wait_empty(int dirfd, int timeout_ms);

/* Before cgroup.kill (Linux 5.14): SIGKILL every pid of the cgroup at dirfd
 * (`rel` for messages) until none is left (cgroup-procs.c). */
int cg_kill_by_procs(int dirfd, const char *rel, rf_error *err);

/* rmdir `name` under parent_fd, retrying EBUSY for up to about a second
 * (a cgroup stays busy briefly after its last process exits); a missing
 * directory counts as removed. -1 with errno set on failure. */
int cg_rmdir_retry(int parent_fd, const char *name);

/* cg_rmdir_retry for `name` and every cgroup below it, deepest first: the
 * payload may have made sub-cgroups in its leaf, and rmdir refuses a cgroup
 * with children. A tree deeper than 64 levels fails with ELOOP. */
int cg_rmdir_tree(int parent_fd, const char *name);

/* Enable `need` in the cgroup.subtree_control of dirfd (the cgroup `path`,
 * for messages), writing only those not yet on; *enabled (if not NULL) gets
 * those it turned on. ENOTSUP with an explanation when the cgroup is not
 * offered one of them; otherwise the write's errno (EBUSY: the cgroup holds
 * processes). */
int cg_subtree_enable(int dirfd, const char *path, unsigned need, unsigned *enabled,
		      rf_error *err);

/* The placement rule (src/README.md, "Placement"): the cgroupfs manager's
 * parent for the leaf into p->parent, from p->mount and p->chain; *nested
 * when it is the caller's own cgroup (the caller must move aside). Changes
 * nothing; refuses a --cgroup-parent that leaves a binding limit unless
 * root (then a note), and one naming the caller's own cgroup when the leaf
 * could go beside it (an engine's layout: the caller stays put). */
int cg_cgroupfs_parent(const cg_request *req, cg_placement *p, const rf_diag *diag,
		       bool *nested, rf_error *err);

/* Is there a systemd to ask for a scope (cgroup-systemd.c)? Either way, why
 * in a few words: "your user manager at `PATH`", or what is missing and
 * how to get it. */
bool cg_systemd_found(char *why, size_t len);

/* Is this process's cgroup delegated to it (writable) and holding no other
 * process: a cgroup someone made for this run (cgroup-parent.c)? */
bool cg_self_is_own(void);

/* Kill and remove leaves under parent (open as pfd) whose supervisor is
 * gone. Best effort; pfd is left locked exclusively when it was swept. */
void cg_sweep_orphans(const cg_mount *m, const char *parent_rel, int pfd, const rf_diag *diag);

/* The systemd manager's OCI side (cgroup-systemd-oci.c): the keeper that
 * cg_manager_detach() leaves in the scope, and its end on failure. */
int cg_systemd_detach(cg_placement *p, rf_error *err);
void cg_systemd_release(cg_placement *p);

#endif
