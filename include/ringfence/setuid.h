/* A setuid-root ringfence's credentials (theory of operation: src/setuid.c). */
#ifndef RINGFENCE_SETUID_H
#define RINGFENCE_SETUID_H

#include <stdbool.h>

#include "ringfence/error.h"
#include "ringfence/policy.h"

/* Started setuid-root by someone else: real uid not 0, effective uid 0. */
bool rf_setuid_active(void);

/* For `run`: undumpable, ringfence's own RINGFENCE_* switches dropped from
 * the environment (RINGFENCE_PROFILE_PATH stays), the filesystem uid and gid
 * the caller's; euid stays 0. */
int rf_setuid_begin(rf_error *err);

/* Filesystem access as root (the admin's policy file, then the cgroup tree
 * at launch) or, with false, as the caller again. */
int rf_setuid_files_as_root(bool root, rf_error *err);

/* For every other subcommand: all three uids and gids the caller's, for good. */
int rf_setuid_drop_all(rf_error *err);

/* Who the caller is: ids, groups, rlimits, oom_score_adj, own cgroup. */
int rf_setuid_caller(rf_caller *who, rf_error *err);
void rf_setuid_caller_free(rf_caller *who);

#endif
