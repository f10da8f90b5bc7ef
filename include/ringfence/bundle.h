/* OCI bundles and container roots at plan time: what `run --bundle`,
 * `run --rootfs` and the runtime commands (create, run) start from. The
 * bundle's config.json is read by the profile reader with OCI's semantics
 * (src/profile-oci.c says where they differ from a profile's), into the one
 * rf_plan that rf_plan_finalize() checks and rf_run() carries out. */
#ifndef RINGFENCE_BUNDLE_H
#define RINGFENCE_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

/* Fill `plan` from DIR/config.json (runtime-spec 1.0 to 1.3): root.path
 * (relative to DIR) becomes iso.rootfs, process.env the whole environment,
 * process.terminal false (the default) leaves the terminal alone, mounts[]
 * are mounted as given. Call it on a fresh plan, before the command line's
 * flags, which override it. DIR is kept canonical in plan->bundle. What
 * ringfence does not implement is one warning listing the JSON paths (an
 * error when `strict`). Errors name the file and the JSON path; nothing is
 * created. */
int rf_bundle_load(const char *dir, rf_plan *plan, bool strict, const rf_diag *diag,
		   rf_error *err);

/* The same from config.json's text in memory, for the bundle directory
 * `dir` (for the fuzzer and tests); messages name "config.json". */
int rf_bundle_load_text(const char *text, size_t len, const char *dir, rf_plan *plan,
			bool strict, const rf_diag *diag, rf_error *err);

/* `run --rootfs DIR`: DIR (canonical) as the root, and in front of the
 * plan's mounts those every container gets, as `crun spec` writes them: a
 * fresh /proc; /dev a tmpfs (mode 755, 64M) with the default devices;
 * /dev/pts a new devpts instance; /dev/shm (1777, 64M) and /dev/mqueue;
 * /sys and a cgroup2 view at /sys/fs/cgroup, both read-only. A bundle's
 * root.path does the same without the mounts (its mounts[] are its own).
 * With a bundle loaded (plan->bundle), DIR only replaces its root. */
int rf_rootfs_set(const char *dir, rf_plan *plan, rf_error *err);

/* Plan-time checks and defaults of a container root (from rf_plan_finalize):
 * a mount namespace; the pivot_root fallback where `/` is an initramfs (a
 * debug note); HOME from the container's /etc/passwd when the environment
 * is the bundle's and lacks one, as runc sets it; linux.sysctl only for the
 * namespaces the payload has of its own; linux.devices only with a root. */
int rf_container_finalize(rf_plan *plan, const rf_diag *diag, rf_error *err);

#endif
