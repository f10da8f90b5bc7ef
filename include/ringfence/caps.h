/* Capabilities of the payload. */
#ifndef RINGFENCE_CAPS_H
#define RINGFENCE_CAPS_H

#include <stdint.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

/* "CAP_SYS_ADMIN", "sys_admin" or "SYS_ADMIN" -> number; -1 unknown. */
int rf_cap_lookup(const char *name);
const char *rf_cap_name(int cap);            /* "CAP_SYS_ADMIN" */

/* The documented default set a root payload keeps (src/caps.c says why each
 * capability is in it or left out). */
uint64_t rf_caps_default(void);

/* The set a root payload ends with: the default (or p->caps when the profile
 * gave one), + cap_add, - cap_drop (a drop wins over an add). A non-root
 * payload gets none whatever this says. */
uint64_t rf_caps_effective_set(const rf_process *p);

/* This process's capability bounding set, from /proc/self/status. */
uint64_t rf_caps_bounding(void);

/* A bounding set not read: every capability is dropped that is not kept, up
 * to the last this kernel has (PR_CAPBSET_DROP says EINVAL past it). The
 * same drops as after a read, since root's bounding set is full, without
 * the read: /proc/self/status is a long file to render. */
#define RF_CAPS_UNKNOWN UINT64_MAX

/* Child side, in this order (src/child.c), `bounding` starting as
 * rf_caps_bounding() said, or RF_CAPS_UNKNOWN:
 *
 *   rf_caps_drop_bounding(p, &bounding)
 *                              before the identity switch, while CAP_SETPCAP
 *                              is still held: the bounding set becomes the
 *                              payload's set (empty for a non-root payload),
 *                              `bounding` what is left of it, and the
 *                              ambient set is cleared;
 *   rf_identity_apply(p)       setgroups/setgid/setuid;
 *   rf_caps_apply(p, bounding) after it: a root payload (euid 0 in its user
 *                              namespace) keeps the set in effective and
 *                              permitted, any other payload keeps nothing;
 *                              inheritable and ambient end empty; then
 *                              no_new_privs is set;
 *   rf_seccomp_apply()         last, just before exec.
 *
 * "Root payload" is decided from the uid it will run as: p->uid when
 * p->user_set, else the euid the child has when rf_caps_drop_bounding runs.
 * A process that holds no capability at all (an unprivileged caller without a
 * user namespace) cannot shrink its bounding set and has nothing to lose:
 * rf_caps_drop_bounding leaves it alone, and no_new_privs keeps exec from
 * granting anything. */
int rf_caps_drop_bounding(const rf_process *p, uint64_t *bounding, rf_error *err);
int rf_caps_apply(const rf_process *p, uint64_t bounding, rf_error *err);

#endif
