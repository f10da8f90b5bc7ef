/* Link-time shims for the statically linked binary (configure
 * --enable-static-binary, the default where the archives exist).
 *
 * libcap-ng's capng_change_id() calls getpwuid() and initgroups(), and those
 * two references would link glibc's NSS machinery into the static binary
 * (150 KB, and a warning that the shared NSS modules of the same glibc are
 * needed at run time). ringfence never calls capng_change_id(): it switches
 * identity itself (src/identity.c), from names it resolves in /etc/passwd and
 * /etc/group (src/passwd.c). So the static binary gets these two, which
 * refuse; nothing reaches them. */
#include "config.h"

#ifdef RF_STATIC_BINARY
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>

struct passwd *getpwuid(uid_t uid)
{
	(void)uid;
	errno = ENOSYS;
	return NULL;
}

int initgroups(const char *user, gid_t group)
{
	(void)user;
	(void)group;
	errno = ENOSYS;
	return -1;
}
#endif
