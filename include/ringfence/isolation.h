/* Namespaces, the filesystem view and identity of the payload (child side),
 * and the parsers for their options. */
#ifndef RINGFENCE_ISOLATION_H
#define RINGFENCE_ISOLATION_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

/* Parsers. Their messages quote the value but do not name the flag; the caller
 * prefixes that (rf_error_prefix(err, "--bind")). */

/* "pid,mount,net" / "all" -> CLONE_NEW* flags (*flags is set, not OR'ed).
 * Duplicates are fine. `all` is every namespace but `user` for root, and all
 * of them otherwise: rf_ns_all_flags(). */
int rf_ns_parse(const char *list, int *flags, rf_error *err);
int rf_ns_all_flags(void);
/* "pid,mount" for the report. Returns buf. */
const char *rf_ns_format(int flags, char *buf, size_t len);
/* --tmpfs PATH[:size=SIZE][,mode=OCTAL] (mode defaults to 1777),
 * --bind SRC[:DST], --ro-bind SRC[:DST] (DST defaults to SRC) -> appended to
 * iso. SRC must exist now and is stored canonical; it is the caller's path
 * even where an earlier --tmpfs covers it inside. DST must be absolute. */
int rf_mount_parse(rf_mount_kind kind, const char *spec, rf_isolation *iso, rf_error *err);
/* A mount destination: absolute, "/a//b/" -> "/a/b", no "." or "..", not
 * "/" itself (malloc'd into *out). */
int rf_mount_normalize_dst(const char *in, char **out, rf_error *err);
/* --user USER|UID[:GROUP|GID], --groups LIST (names resolved now, not in the
 * child). A uid without a passwd entry is allowed; the gid is then the uid's
 * number. --groups replaces any earlier list. */
int rf_identity_parse_user(const char *spec, rf_process *p, rf_error *err);
int rf_identity_parse_groups(const char *list, rf_process *p, rf_error *err);
/* The same with names looked up in the container root `root`'s /etc/passwd
 * and /etc/group (read inside it), or the host's when root is NULL. */
int rf_identity_parse_user_in(const char *spec, const char *root, rf_process *p,
			      rf_error *err);
int rf_identity_parse_groups_in(const char *list, const char *root, rf_process *p,
				rf_error *err);

/* Planning (call from rf_plan_finalize): namespaces the options imply and
 * cross-checks. Adds `mount` for --tmpfs/--bind/--ro-bind/--ro-root and for
 * `pid` (its own /proc), `uts` for --hostname, and `user` when a caller
 * without root asks for any namespace (a note); refuses --map-root without
 * `user`, --user or --groups whose ids do not exist in the user namespace, a
 * hostname the kernel would refuse, a relative --chdir, and a mount that
 * would hide an earlier one. */
int rf_isolation_finalize(rf_plan *plan, const rf_diag *diag, rf_error *err);

/* Joining existing namespaces (linux.namespaces[].path). The pid namespace
 * (pid = true) is joined by the supervisor right before clone: setns() into
 * one only places the children made afterwards, and the child must be born
 * there to mount its /proc. The others (pid = false) by the child, first
 * thing after the go from the supervisor. */
int rf_ns_join(const rf_isolation *iso, bool pid, rf_error *err);
/* The CLONE_NEW* flags of the namespaces the plan joins. */
int rf_ns_joined_flags(const rf_isolation *iso);

/* Child side, first thing after the go: with a bundle's id maps, become
 * uid and gid 0 of the new user namespace (the maps map 0). */
int rf_ns_become_root(const rf_isolation *iso, int ns_flags, rf_error *err);

/* Parent side, after clone with CLONE_NEWUSER: write the child's uid/gid maps
 * (linux.uidMappings/gidMappings, or the one id of --map-root / the caller). */
int rf_ns_write_idmaps(pid_t child, const rf_plan *plan, uid_t outer_uid, gid_t outer_gid,
		       rf_error *err);

/* exec (src/ns-enter.c): the CLONE_NEW* flags of pid's namespaces that are
 * not ours, and entering them (pidfd, else /proc/pid/ns/...). */
int rf_ns_differing(pid_t pid);
int rf_ns_enter(int pidfd, pid_t pid, int flags, rf_error *err);

/* Child side, as root of its namespaces, in this order (both need the
 * privilege the identity switch gives up): the mounts (order and reasons at
 * the top of src/mounts.c; `ns_flags` are every namespace the child is in,
 * rf_contain_ns_flags(); a no-op without CLONE_NEWNS, only containment's
 * cgroupfs view when iso->ns_flags lacks it; with CLONE_NEWPID it
 * must run in a process inside the new pid namespace, for /proc; with
 * CLONE_NEWCGROUP after that namespace exists; it ends by re-entering the
 * inherited cwd by path, or `/` when the path is gone from the new view;
 * `root` is what containment's view may be cloned from, NULL for never),
 * then the hostname (--hostname; without it a new uts namespace keeps the
 * caller's name) and `lo` up in a new net namespace. */
struct rf_contain_src;
/* A call made inside a container root's mount sequence, once everything is
 * mounted and before pivot_root (the OCI hooks' stop, src/child.c). */
typedef struct rf_mount_stop {
	int (*fn)(void *arg, rf_error *err);
	void *arg;
} rf_mount_stop;
int rf_mounts_apply(const rf_isolation *iso, int ns_flags, const struct rf_contain_src *root,
		    const rf_mount_stop *stop, rf_error *err);
/* Mount points at or under `top` (with filesystem type `fstype`, if given),
 * in /proc/self/mountinfo order, as a NULL-terminated vector. */
int rf_mounts_list(const char *top, const char *fstype, char ***out, rf_error *err);
/* The same, read from an open mountinfo file (from where it stands). */
int rf_mounts_list_fd(int fd, const char *top, const char *fstype, char ***out, rf_error *err);
/* The rest of an open mountinfo file, whole and NUL-terminated (rf_read_all). */
int rf_mounts_read_fd(int fd, char **text, size_t *len, rf_error *err);
/* The same list, from mountinfo text read already (not modified). */
int rf_mounts_list_text(const char *text, size_t len, const char *top, const char *fstype,
			char ***out, rf_error *err);
int rf_ns_finish(const rf_isolation *iso, int ns_flags, rf_error *err);

/* Child side: groups (the --groups list, or none when --user is given
 * without it), gid, uid; all three of real/effective/saved, read back. Does
 * nothing without --user/--groups. */
int rf_identity_apply(const rf_process *p, rf_error *err);
/* Child side, after the identity switch (permission checks are the
 * payload's): chdir, then verify that getcwd() names the directory we are in.
 * `in_root`: in a container root, where no magic link may be followed. */
int rf_identity_chdir(const char *dir, bool in_root, rf_error *err);
/* The payload's environment (malloc'd vector, free with rf_strv_free): the
 * base (nothing with --clearenv), then p->env applied in order. */
char **rf_env_build(const rf_process *p, char **base_environ, rf_error *err);

/* Child side, right before exec: close every fd >= lowfd (close_range, or
 * /proc/self/fd on kernels before 5.9), except `keep` (-1: none) in the
 * second form. lowfd is 3 + --preserve-fds. */
int rf_fds_close_from(int lowfd, rf_error *err);
int rf_fds_close_except(int lowfd, int keep, rf_error *err);
/* The same keeping every fd in keep[0..n) (n at most RF_FDS_KEEP_MAX). */
#define RF_FDS_KEEP_MAX 8
int rf_fds_close_keeping(int lowfd, const int *keep, size_t n, rf_error *err);

#endif
