/* Users and groups from /etc/passwd and /etc/group, read by hand (see
 * include/ringfence/passwd.h). glibc's getpwnam() and friends go through NSS,
 * which a static binary can only reach by dlopen()ing the shared libraries of
 * the glibc it was built with; like runc and crun, ringfence reads the files
 * itself and leaves directory-service users to be given by number. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ringfence/cleanup.h"
#include "ringfence/parse.h"
#include "ringfence/passwd.h"

#define PASSWD_FIELDS 7          /* name:pw:uid:gid:gecos:home:shell */
#define GROUP_FIELDS 4           /* name:pw:gid:members */

/* One well-formed line. `name` points into the line being read. */
struct entry {
	const char *name;
	uid_t uid;               /* passwd only */
	gid_t gid;
	const char *home;        /* passwd only, into the line */
};

typedef bool (*match_fn)(const struct entry *e, const void *key);

/* Split `line` in place at every ':' into at most n fields; returns how many,
 * or 0 when there are more. */
static size_t split(char *line, char **field, size_t n)
{
	size_t i = 0;

	field[i++] = line;
	for (char *p = line; *p; p++) {
		if (*p != ':')
			continue;
		if (i == n)
			return 0;
		*p = '\0';
		field[i++] = p + 1;
	}
	return i;
}

/* An id field: a plain decimal number, never (uid_t)-1, never truncated. */
static bool parse_id(const char *s, uint32_t *out)
{
	uint64_t v;

	if (rf_parse_u64(s, 0, RF_PASSWD_ID_MAX, &v, NULL) < 0)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* False for the lines that are skipped: blank, comment, NIS, malformed. */
static bool parse_line(char *line, size_t len, bool group, struct entry *e)
{
	char *field[PASSWD_FIELDS];
	uint32_t uid = 0, gid;
	size_t n;

	if (memchr(line, '\0', len))
		return false;
	if (len && line[len - 1] == '\n')
		line[len - 1] = '\0';
	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#' || *line == '+' || *line == '-')
		return false;
	n = split(line, field, group ? GROUP_FIELDS : PASSWD_FIELDS);
	/* A group line may end before its member list (`wheel:x:10`), as glibc
	 * and runc read it. */
	if (!(group ? n == GROUP_FIELDS || n == GROUP_FIELDS - 1 : n == PASSWD_FIELDS) ||
	    !*field[0])
		return false;
	if (group ? !parse_id(field[2], &gid)
		  : (!parse_id(field[2], &uid) || !parse_id(field[3], &gid)))
		return false;
	e->name = field[0];
	e->uid = uid;
	e->gid = gid;
	e->home = group ? "" : field[5];
	return true;
}

/* The first well-formed line `match` accepts: 1 and *found filled, 0 for
 * none, -1 when the file cannot be read. */
static int scan(const char *path, bool group, match_fn match, const void *key,
		struct entry *found, char found_home[RF_PASSWD_HOME_MAX], rf_error *err)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!f)
		return rf_error_set(err, errno, "read `%s`", path);
	for (;;) {
		struct entry e;

		errno = 0;
		len = getline(&line, &cap, f);
		if (len < 0)
			break;
		if (parse_line(line, (size_t)len, group, &e) && match(&e, key)) {
			*found = e;
			/* the line is freed on return: keep what the caller reads */
			found->name = NULL;
			if (strlen(e.home) < RF_PASSWD_HOME_MAX)
				memcpy(found_home, e.home, strlen(e.home) + 1);
			found->home = NULL;
			return 1;
		}
	}
	/* getline() fails without setting the error flag when out of memory. */
	if (ferror(f) || !feof(f))
		return rf_error_set(err, errno ? errno : EIO, "read `%s`", path);
	return 0;
}

static bool same_name(const struct entry *e, const void *key)
{
	return !strcmp(e->name, key);
}

static bool same_uid(const struct entry *e, const void *key)
{
	return e->uid == *(const uid_t *)key;
}

int rf_passwd_user_by_name(const char *path, const char *name, rf_passwd_user *out,
			   rf_error *err)
{
	char home[RF_PASSWD_HOME_MAX] = "";
	struct entry e;
	int rc = scan(path, false, same_name, name, &e, home, err);

	if (rc > 0) {
		out->uid = e.uid;
		out->gid = e.gid;
		memcpy(out->home, home, sizeof(home));
	}
	return rc;
}

int rf_passwd_user_by_uid(const char *path, uid_t uid, rf_passwd_user *out, rf_error *err)
{
	char home[RF_PASSWD_HOME_MAX] = "";
	struct entry e;
	int rc = scan(path, false, same_uid, &uid, &e, home, err);

	if (rc > 0) {
		out->uid = e.uid;
		out->gid = e.gid;
		memcpy(out->home, home, sizeof(home));
	}
	return rc;
}

int rf_passwd_group_by_name(const char *path, const char *name, gid_t *out, rf_error *err)
{
	char home[RF_PASSWD_HOME_MAX];
	struct entry e;
	int rc = scan(path, true, same_name, name, &e, home, err);

	if (rc > 0)
		*out = e.gid;
	return rc;
}
