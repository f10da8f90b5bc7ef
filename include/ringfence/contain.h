/* Containment: what keeps every payload in its leaf, with the limits it was
 * given, whatever its uid and capabilities (src/contain.c says how and why).
 * On by default; --host-cgroupfs (iso->host_cgroupfs) turns it off. */
#ifndef RINGFENCE_CONTAIN_H
#define RINGFENCE_CONTAIN_H

#include <limits.h>
#include <stdbool.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

/* Plan time, from rf_plan_finalize after rf_isolation_finalize: set
 * iso->contain_flags, the namespaces containment adds to those asked for. */
void rf_contain_plan(rf_isolation *iso, const rf_diag *diag);

/* The namespaces the payload is created in: asked for, implied, and added
 * by containment. */
static inline int rf_contain_ns_flags(const rf_isolation *iso)
{
	return iso->ns_flags | iso->contain_flags;
}

/* Supervisor, once the leaf exists: is the command to be born in a
 * controller-less child of the leaf rather than in the leaf itself?
 * (Contained runs on a cgroup2 mounted without nsdelegate.) */
bool rf_contain_nested(const rf_isolation *iso, bool nsdelegate);

/* What the supervisor hands the child for the view (contain.c). */
typedef struct rf_contain_src {
	/* The cgroup the child was born in, which its cgroup namespace is
	 * rooted at: a directory fd and its path in the caller's view. The
	 * view may be a clone of it; fd -1: never. */
	int fd;
	char path[PATH_MAX];
	/* The supervisor's /proc/self/mountinfo, opened before clone; -1:
	 * none, the child reads its own. */
	int mounts_fd;
	/* The cgroup2 mount points the supervisor read from mounts_fd, if it
	 * did (NULL: the child reads mounts_fd). */
	char *const *cgroup2_mps;
} rf_contain_src;

/* Child side, in its cgroup namespace and a mount namespace whose mounts are
 * private: a read-only cgroup2 of the namespace's root over every cgroup2
 * mount point. A no-op for --host-cgroupfs; an error when `ns_flags` (the
 * child's namespaces) lack CLONE_NEWCGROUP, so that it never mounts in the
 * caller's. `root` may be NULL. */
int rf_contain_view(const rf_isolation *iso, int ns_flags, const rf_contain_src *root,
		    rf_error *err);

#endif
