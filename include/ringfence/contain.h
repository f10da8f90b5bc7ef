/* Containment: what keeps every payload in its leaf, with the limits it was
 * given, whatever its uid and capabilities (src/contain.c says how and why).
 * On by default; --host-cgroupfs (iso->host_cgroupfs) turns it off. */
#ifndef RINGFENCE_CONTAIN_H
#define RINGFENCE_CONTAIN_H

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

/* Child side, in its cgroup namespace and a mount namespace whose mounts are
 * private: a fresh read-only cgroup2 over every cgroup2 mount point. A no-op
 * for --host-cgroupfs; an error when `ns_flags` (the child's namespaces) lack
 * CLONE_NEWCGROUP, so that it never mounts in the caller's. */
int rf_contain_view(const rf_isolation *iso, int ns_flags, rf_error *err);

#endif
