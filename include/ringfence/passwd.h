/* Users and groups from passwd- and group-format files, read directly: no
 * getpw*() or getgr*(), so no NSS (which a static binary cannot carry) and no
 * directory services. Callers pass RF_PASSWD_FILE / RF_GROUP_FILE; tests pass
 * fixtures.
 *
 * A line is `name:pw:uid:gid:gecos:home:shell` (passwd) or `name:pw:gid:members`
 * (group), exactly that many fields. Blank lines, comments (`#`) and NIS
 * `+`/`-` lines are skipped, as is any malformed line: the wrong number of
 * fields, an empty name, a NUL byte, or an id that is not a plain decimal
 * number from 0 to RF_PASSWD_ID_MAX. Leading blanks are ignored, as glibc
 * does. Lines may be of any length. The first matching line wins.
 *
 * Each lookup returns 1 when found (and fills *out), 0 when not found, and -1
 * with `err` set (errno, "read `PATH`") when the file could not be read. */
#ifndef RINGFENCE_PASSWD_H
#define RINGFENCE_PASSWD_H

#include <stdint.h>
#include <sys/types.h>

#include "ringfence/error.h"

#define RF_PASSWD_FILE "/etc/passwd"
#define RF_GROUP_FILE "/etc/group"

/* (uid_t)-1 means "unchanged" to the set*id calls, so it is no id. */
#define RF_PASSWD_ID_MAX ((uint64_t)UINT32_MAX - 1)

#define RF_PASSWD_HOME_MAX 256

typedef struct rf_passwd_user {
	uid_t uid;
	gid_t gid;               /* the primary group */
	char home[RF_PASSWD_HOME_MAX]; /* empty when longer (or empty in the file) */
} rf_passwd_user;

int rf_passwd_user_by_name(const char *path, const char *name, rf_passwd_user *out,
			   rf_error *err);
int rf_passwd_user_by_uid(const char *path, uid_t uid, rf_passwd_user *out, rf_error *err);
int rf_passwd_group_by_name(const char *path, const char *name, gid_t *out, rf_error *err);

#endif
