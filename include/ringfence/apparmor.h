/* AppArmor: the profile a process enters at its exec (an OCI bundle's
 * process.apparmorProfile, `exec --apparmor`), applied as runc and crun
 * apply it. */
#ifndef RINGFENCE_APPARMOR_H
#define RINGFENCE_APPARMOR_H

#include <stdbool.h>
#include <stddef.h>

#include "ringfence/error.h"

/* The longest profile name accepted (the kernel's own limit is a page). */
#define RF_APPARMOR_NAME_MAX 1024

/* Is AppArmor enabled on this host (/sys/module/apparmor/parameters/enabled
 * says Y)? Without it no profile can be entered. */
bool rf_apparmor_enabled(void);

/* A profile name as a bundle may give it: 1 to RF_APPARMOR_NAME_MAX bytes,
 * no control character (it goes into one line of a /proc attribute).
 * Messages do not name the JSON path; the caller prefixes it. */
int rf_apparmor_check_name(const char *name, rf_error *err);

/* The attribute's value: "exec NAME", or "stack NAME" when no_new_privs
 * will be set and the caller is itself confined (current is not
 * "unconfined"): with no_new_privs the kernel lets a confined task only
 * add a profile to its own at exec, never trade it for another. */
int rf_apparmor_attr_value(const char *name, bool no_new_privs, const char *current, char *buf,
			   size_t size, rf_error *err);

/* Child side, while /proc is still the host's or ringfence's own (before
 * entering a container's mount namespace, before a bundle's mounts): the
 * calling thread's AppArmor attribute directory, /proc/thread-self/attr/
 * apparmor (or attr/ on kernels before 5.8), as an O_PATH fd. A process in
 * a container can mount over its /proc; through this fd the write below
 * still reaches the kernel's file, not one it put there. */
int rf_apparmor_open_attr(rf_error *err);

/* Child side, before capabilities are dropped, in the thread that opened
 * attr_dir (-1: open it now): NAME becomes the thread's profile at its
 * next exec. Fails when the profile is not loaded. */
int rf_apparmor_exec(int attr_dir, const char *name, bool no_new_privs, rf_error *err);

#endif
