/* A setuid-root ringfence and the admin's policy that bounds its users
 * (/etc/ringfence/policy). The threat model and every rule's reason are in
 * ringfence(1), PRIVILEGE; src/policy.c has each rule's one-line why.
 *
 * A user who runs a setuid-root ringfence gets ringfence's root only for
 * what needs it: making the leaf in a root-owned cgroup tree (a Slurm job's,
 * a scope's) and watching it. Everything the user names (profiles, seccomp
 * files, the report, paths) is opened with the user's own rights
 * (src/setuid.c), the plan is checked against the policy before anything
 * is created, and the command runs as the user with no capability and
 * no_new_privs. */
#ifndef RINGFENCE_POLICY_H
#define RINGFENCE_POLICY_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

#ifndef RF_POLICY_PATH
#define RF_POLICY_PATH "/etc/ringfence/policy"
#endif

/* The admin's bounds. A limit that is set is both the most a user may ask
 * for and what a user who asks for nothing gets. */
typedef struct rf_policy {
	char path[256];          /* for messages */
	rf_opt_u64 memory;       /* memory.max, bytes */
	rf_opt_u64 swap;         /* memory.swap.max */
	rf_opt_u64 pids;         /* pids.max */
	rf_opt_u64 cpus_millis;  /* cpu.max as thousandths of a CPU */
	rf_opt_u64 timeout_ms;
	int unshare;             /* CLONE_NEW* flags users may ask for */
	bool users_set, groups_set;
	uid_t *users;            /* who may run it: listed uids, or members of */
	size_t n_users;
	gid_t *groups;           /* the listed groups; nobody else */
	size_t n_groups;
	char **cgroup_parents;   /* explicit --cgroup-parent values allowed besides
				  * the caller's own subtree, "/a/b" form */
	size_t n_cgroup_parents;
} rf_policy;

/* Who runs a setuid ringfence, read before anything is planned. */
typedef struct rf_caller {
	uid_t uid;
	gid_t gid;
	gid_t *groups;           /* supplementary groups */
	size_t n_groups;
	char cgroup_mount[4096]; /* the cgroup2 mount, e.g. /sys/fs/cgroup */
	char cgroup[4096];       /* the caller's own cgroup, "/a/b" below it */
	struct rlimit rlimits[RLIM_NLIMITS];
	long oom_score_adj;
} rf_caller;

/* Parse policy text (`key = value` lines, `#` comments). Every key at most
 * once; an unknown key is an error, so that a policy written for a newer
 * ringfence is never half understood. User and group names are resolved
 * through `passwd`/`group` files (RF_PASSWD_FILE, RF_GROUP_FILE, or
 * fixtures). Messages are "PATH:LINE: ...". */
int rf_policy_parse(const char *text, const char *path, const char *passwd, const char *group,
		    rf_policy *pol, rf_error *err);

/* Read and parse RF_POLICY_PATH (or `path`): a regular file owned by root
 * and writable by nobody else, in a directory of which the same holds.
 * Missing: errnum ENOENT, and a message that says a setuid-root ringfence
 * needs one. */
int rf_policy_load(const char *path, rf_policy *pol, rf_error *err);
void rf_policy_free(rf_policy *pol);

/* May this caller use the setuid install at all (users =, groups =)? */
int rf_policy_admit(const rf_policy *pol, const rf_caller *who, rf_error *err);

/* Check the finished plan against the policy and the caller, before anything
 * is created, and fill in the admin's defaults. Each refusal names the flag
 * (or profile key) and says what is allowed; errnum EPERM. */
int rf_policy_apply(const rf_policy *pol, const rf_caller *who, rf_plan *plan, rf_error *err);

/* After the parent is chosen, before the leaf is made: the leaf must stay
 * under every limit the caller is under. A parent inside the caller's own
 * cgroup, or an admin-listed one, passes; one beside it (a scheduler's
 * sibling placement) passes only when the caller's cgroup sets no limit
 * of its own; anything else is refused. */
int rf_policy_check_parent(const rf_policy *pol, const rf_caller *who, const char *parent_rel,
			   rf_error *err);

#endif
