/* Link-time shims for the statically linked binary (configure
 * --enable-static-binary, the default where the archives exist).
 *
 * libcap-ng's capng_change_id() can call initgroups(), and that one reference
 * would link glibc's NSS machinery into the static binary (with its warning
 * that the shared NSS modules of the same glibc are needed at run time).
 * ringfence never calls capng_change_id(): it sets the payload's groups itself
 * (src/identity.c), from names it resolves in /etc/group. So the static binary
 * gets this initgroups(), which refuses; nothing reaches it. */
#include "config.h"

#ifdef RF_STATIC_BINARY
#include <errno.h>
#include <grp.h>

int initgroups(const char *user, gid_t group)
{
	(void)user;
	(void)group;
	errno = ENOSYS;
	return -1;
}
#endif
