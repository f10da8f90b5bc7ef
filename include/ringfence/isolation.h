/* Namespaces, the filesystem view and identity of the payload (child side),
 * and the parsers for their options. */
#ifndef RINGFENCE_ISOLATION_H
#define RINGFENCE_ISOLATION_H

#include <sys/types.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

/* "pid,mount,net" / "all" -> CLONE_NEW* flags. */
int rf_ns_parse(const char *list, int *flags, rf_error *err);
/* --tmpfs PATH[:size=SIZE], --bind SRC:DST, --ro-bind SRC:DST -> appended to iso. */
int rf_mount_parse(rf_mount_kind kind, const char *spec, rf_isolation *iso, rf_error *err);
/* --user USER|UID[:GROUP|GID], --groups LIST (names resolved now, not in the child). */
int rf_identity_parse_user(const char *spec, rf_process *p, rf_error *err);
int rf_identity_parse_groups(const char *list, rf_process *p, rf_error *err);

/* Parent side, after clone with CLONE_NEWUSER: write the child's uid/gid maps. */
int rf_ns_write_idmaps(pid_t child, const rf_plan *plan, uid_t outer_uid, gid_t outer_gid,
		       rf_error *err);

/* Child side, in order (see the theory of operation in src/child.c):
 * mounts (private propagation, tmpfs, binds, ro root, fresh /proc), then uts,
 * then loopback up when in a new net namespace. */
int rf_mounts_apply(const rf_isolation *iso, int ns_flags, rf_error *err);
int rf_ns_finish(const rf_isolation *iso, int ns_flags, rf_error *err);

/* Child side: groups, gid, uid. */
int rf_identity_apply(const rf_process *p, rf_error *err);
/* The payload's environment (malloc'd vector). */
char **rf_env_build(const rf_process *p, char **base_environ, rf_error *err);

#endif
