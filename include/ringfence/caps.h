/* Capabilities of the payload (libcap-ng is used only in caps.c). */
#ifndef RINGFENCE_CAPS_H
#define RINGFENCE_CAPS_H

#include <stdint.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

/* "CAP_SYS_ADMIN", "sys_admin" or "SYS_ADMIN" -> number; -1 unknown. */
int rf_cap_lookup(const char *name);
const char *rf_cap_name(int cap);            /* "CAP_SYS_ADMIN" */

/* The documented default set a root payload keeps. */
uint64_t rf_caps_default(void);

/* The set the payload ends with: default (or p->caps), + add, - drop. */
uint64_t rf_caps_effective_set(const rf_process *p);

/* Child side, after the identity switch: bounding, permitted, effective,
 * inheritable and ambient sets reduced to the plan's; a non-root payload gets
 * none. Also sets no_new_privs. */
int rf_caps_apply(const rf_process *p, rf_error *err);

#endif
