/* src/passwd.c: users and groups from passwd- and group-format fixture files,
 * written to a fresh directory before the tests run: lookups by name and by
 * uid, first match wins, malformed, comment, blank and NIS lines skipped,
 * lines of any length, and an unreadable file reported with its errno. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cases.h"
#include "ringfence/cleanup.h"
#include "ringfence/passwd.h"

static char dir[] = "/tmp/rf-passwd-XXXXXX";

/* ---- fixtures ---- */

#define LONG_GECOS 200000        /* far beyond any stdio buffer */

struct fixture {
	const char *name;
	const char *text;
	size_t len;              /* 0: strlen(text) */
};

#define BINARY(s) s, sizeof(s) - 1

static const struct fixture fixtures[] = {
	{ "passwd",
	  "root:x:0:0:root:/root:/bin/bash\n"
	  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	  "alice:x:1001:1002:Alice Liddell,,,:/home/alice:/bin/sh\n"
	  "bob:x:1003:1003::/home/bob:/bin/sh\n"
	  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
	  "top:x:4294967294:4294967294:largest id:/:/bin/sh\n", 0 },
	/* First match wins, by name and by uid. */
	{ "passwd-dup",
	  "carol:x:2001:2001:first:/:/bin/sh\n"
	  "carol:x:2002:2002:second:/:/bin/sh\n"
	  "dave:x:2001:2099:same uid as carol:/:/bin/sh\n"
	  "erin:x:2003:2003:::\n"
	  "erin2:x:2003:2004:::\n", 0 },
	{ "passwd-malformed",
	  "short:x:3001:3001\n"
	  "toomany:x:3002:3002:g:/h:/s:extra\n"
	  "badnum:x:30x3:3003:::\n"
	  "neg:x:-1:3004:::\n"
	  "plus:x:+5:3005:::\n"
	  "space:x: 5:3006:::\n"
	  "hex:x:0x10:3007:::\n"
	  "emptyuid:x::3008:::\n"
	  "emptygid:x:3009::::\n"
	  ":x:3010:3010:::\n"
	  "ovf:x:4294967296:1:::\n"
	  "minus1:x:4294967295:1:::\n"
	  "huge:x:99999999999999999999999:1:::\n"
	  "gidovf:x:3011:4294967296:::\n"
	  "trail:x:3015 :3015:::\n"
	  /* A malformed line does not hide a good one after it. */
	  "dupe:x:bad:1:::\n"
	  "dupe:x:3013:3013:::\n"
	  "bare:x:3014:3014:::\n"
	  /* All optional fields empty, and no newline at the end. */
	  "last::3016:3017:::", 0 },
	{ "passwd-nul",
	  BINARY("nul\0x:x:3012:3012:::\n"
		 "gecosnul:x:3018:3018:a\0b:/:/bin/sh\n"
		 "fine:x:3019:3019:::\n") },
	{ "passwd-comments",
	  "# comment:x:1:1:::\n"
	  "#alice:x:4000:4000:::\n"
	  "\n"
	  "   \n"
	  "\t# indented:x:4005:4005:::\n"
	  "+nis:x:4001:4001:::\n"
	  "-nis2:x:4002:4002:::\n"
	  "+\n"
	  "+@netgroup::::::\n"
	  "+alice::::::\n"
	  "  spaced:x:4003:4003:::\n"
	  "alice:x:4004:4004:::\n", 0 },
	{ "passwd-empty", "", 0 },
	{ "group",
	  "root:x:0:\n"
	  "# staff:x:1:\n"
	  "+staff:x:2:\n"
	  "wheel:x:10:alice,bob\n"
	  "staff:*:50:\n"
	  "staff:x:51:\n"
	  "bad:x:nope:\n"
	  "bad:x:70:\n"
	  "short:x:60\n"
	  "tiny:x\n"
	  "long:x:61:a:b\n"
	  ":x:62:\n"
	  "ovf:x:4294967296:\n"
	  "nomembers:x:63:\n"
	  "nl::64:", 0 },
};

static char *at(const char *name)
{
	static char path[4][256];
	static unsigned next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	return p;
}

static int write_file(const char *name, const char *text, size_t len)
{
	cleanup_close int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	return fd < 0 || write(fd, text, len) != (ssize_t)len ? -1 : 0;
}

/* A first line, a comment, and a user's gecos each LONG_GECOS long. */
static int write_long(void)
{
	size_t cap = 3 * LONG_GECOS + 256;
	cleanup_free char *text = malloc(cap);
	char *p = text;

	if (!text)
		return -1;
	*p++ = '#';
	memset(p, 'c', LONG_GECOS);
	p += LONG_GECOS;
	p += sprintf(p, "\nlong:x:5001:5002:");
	memset(p, 'g', LONG_GECOS);
	p += LONG_GECOS;
	p += sprintf(p, ":/home/long:/bin/sh\nverylongname");
	memset(p, 'n', LONG_GECOS);
	p += LONG_GECOS;
	p += sprintf(p, ":x:5003:5003:::\nafter:x:5004:5005:::\n");
	return write_file("passwd-long", text, (size_t)(p - text));
}

static void make_fixtures(void)
{
	if (!mkdtemp(dir))
		abort();
	for (size_t i = 0; i < RF_ARRAY_SIZE(fixtures); i++) {
		const struct fixture *f = &fixtures[i];

		if (write_file(f->name, f->text, f->len ? f->len : strlen(f->text)) < 0)
			abort();
	}
	if (write_long() < 0)
		abort();
}

static void remove_fixtures(void)
{
	for (size_t i = 0; i < RF_ARRAY_SIZE(fixtures); i++)
		unlink(at(fixtures[i].name));
	unlink(at("passwd-long"));
	rmdir(dir);
}

/* ---- lookups ---- */

enum how { BY_NAME, BY_UID, GROUP };

#define UNSET 77777u             /* what *out holds unless a lookup fills it */
#define ERR (-1)
#define NONE 0
#define FOUND 1

struct lookup_case {
	const char *file;        /* in the fixture directory */
	enum how how;
	const char *name;        /* BY_NAME, GROUP */
	uid_t uid;               /* BY_UID */
	int rc;
	uid_t want_uid;          /* FOUND: the entry (GROUP: gid in want_gid) */
	gid_t want_gid;
	int errnum;              /* ERR */
};

static const struct lookup_case lookup_cases[] = {
	/* found by name and by uid */
	{ "passwd", BY_NAME, "root", 0, FOUND, 0, 0, 0 },
	{ "passwd", BY_NAME, "alice", 0, FOUND, 1001, 1002, 0 },
	{ "passwd", BY_NAME, "bob", 0, FOUND, 1003, 1003, 0 },
	{ "passwd", BY_NAME, "nobody", 0, FOUND, 65534, 65534, 0 },
	{ "passwd", BY_NAME, "top", 0, FOUND, 4294967294u, 4294967294u, 0 },
	{ "passwd", BY_UID, NULL, 0, FOUND, 0, 0, 0 },
	{ "passwd", BY_UID, NULL, 1001, FOUND, 1001, 1002, 0 },
	{ "passwd", BY_UID, NULL, 65534, FOUND, 65534, 65534, 0 },
	{ "passwd", BY_UID, NULL, 4294967294u, FOUND, 4294967294u, 4294967294u, 0 },
	/* not found: names match whole and exactly */
	{ "passwd", BY_NAME, "mallory", 0, NONE, 0, 0, 0 },
	{ "passwd", BY_NAME, "", 0, NONE, 0, 0, 0 },
	{ "passwd", BY_NAME, "ali", 0, NONE, 0, 0, 0 },
	{ "passwd", BY_NAME, "alicex", 0, NONE, 0, 0, 0 },
	{ "passwd", BY_NAME, "Alice", 0, NONE, 0, 0, 0 },
	{ "passwd", BY_NAME, "x", 0, NONE, 0, 0, 0 },
	{ "passwd", BY_NAME, "alice:x", 0, NONE, 0, 0, 0 },
	{ "passwd", BY_UID, NULL, 1002, NONE, 0, 0, 0 },
	{ "passwd", BY_UID, NULL, 4294967295u, NONE, 0, 0, 0 },
	{ "passwd-empty", BY_NAME, "root", 0, NONE, 0, 0, 0 },
	{ "passwd-empty", BY_UID, NULL, 0, NONE, 0, 0, 0 },
	/* duplicates: the first line wins */
	{ "passwd-dup", BY_NAME, "carol", 0, FOUND, 2001, 2001, 0 },
	{ "passwd-dup", BY_UID, NULL, 2001, FOUND, 2001, 2001, 0 },
	{ "passwd-dup", BY_NAME, "dave", 0, FOUND, 2001, 2099, 0 },
	{ "passwd-dup", BY_UID, NULL, 2002, FOUND, 2002, 2002, 0 },
	{ "passwd-dup", BY_UID, NULL, 2003, FOUND, 2003, 2003, 0 },
	{ "passwd-dup", BY_NAME, "erin2", 0, FOUND, 2003, 2004, 0 },
	/* malformed lines are skipped */
	{ "passwd-malformed", BY_NAME, "short", 0, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_UID, NULL, 3001, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_NAME, "toomany", 0, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_UID, NULL, 3002, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_NAME, "badnum", 0, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_UID, NULL, 30, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_NAME, "neg", 0, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_NAME, "plus", 0, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_UID, NULL, 5, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_NAME, "space", 0, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_NAME, "hex", 0, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_UID, NULL, 16, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_NAME, "emptyuid", 0, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_NAME, "emptygid", 0, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_UID, NULL, 3009, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_UID, NULL, 3010, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_NAME, "trail", 0, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_NAME, "dupe", 0, FOUND, 3013, 3013, 0 },
	{ "passwd-malformed", BY_NAME, "bare", 0, FOUND, 3014, 3014, 0 },
	{ "passwd-malformed", BY_NAME, "last", 0, FOUND, 3016, 3017, 0 },
	{ "passwd-malformed", BY_UID, NULL, 3016, FOUND, 3016, 3017, 0 },
	/* ids that overflow uid_t, or are (uid_t)-1, are never truncated */
	{ "passwd-malformed", BY_NAME, "ovf", 0, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_UID, NULL, 0, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_NAME, "minus1", 0, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_UID, NULL, 4294967295u, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_NAME, "huge", 0, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_NAME, "gidovf", 0, NONE, 0, 0, 0 },
	{ "passwd-malformed", BY_UID, NULL, 3011, NONE, 0, 0, 0 },
	/* a NUL byte spoils its line only */
	{ "passwd-nul", BY_NAME, "nul", 0, NONE, 0, 0, 0 },
	{ "passwd-nul", BY_UID, NULL, 3012, NONE, 0, 0, 0 },
	{ "passwd-nul", BY_NAME, "gecosnul", 0, NONE, 0, 0, 0 },
	{ "passwd-nul", BY_NAME, "fine", 0, FOUND, 3019, 3019, 0 },
	/* comments, blank lines and NIS lines are skipped; leading blanks are not
	 * part of the name (as with glibc) */
	{ "passwd-comments", BY_NAME, "# comment", 0, NONE, 0, 0, 0 },
	{ "passwd-comments", BY_NAME, "#alice", 0, NONE, 0, 0, 0 },
	{ "passwd-comments", BY_UID, NULL, 4000, NONE, 0, 0, 0 },
	{ "passwd-comments", BY_UID, NULL, 4005, NONE, 0, 0, 0 },
	{ "passwd-comments", BY_NAME, "+nis", 0, NONE, 0, 0, 0 },
	{ "passwd-comments", BY_NAME, "nis", 0, NONE, 0, 0, 0 },
	{ "passwd-comments", BY_UID, NULL, 4001, NONE, 0, 0, 0 },
	{ "passwd-comments", BY_NAME, "-nis2", 0, NONE, 0, 0, 0 },
	{ "passwd-comments", BY_UID, NULL, 4002, NONE, 0, 0, 0 },
	{ "passwd-comments", BY_NAME, "+", 0, NONE, 0, 0, 0 },
	{ "passwd-comments", BY_NAME, "spaced", 0, FOUND, 4003, 4003, 0 },
	{ "passwd-comments", BY_NAME, "alice", 0, FOUND, 4004, 4004, 0 },
	/* lines of any length */
	{ "passwd-long", BY_NAME, "long", 0, FOUND, 5001, 5002, 0 },
	{ "passwd-long", BY_UID, NULL, 5003, FOUND, 5003, 5003, 0 },
	{ "passwd-long", BY_NAME, "after", 0, FOUND, 5004, 5005, 0 },
	{ "passwd-long", BY_UID, NULL, 5004, FOUND, 5004, 5005, 0 },
	/* groups */
	{ "group", GROUP, "root", 0, FOUND, 0, 0, 0 },
	{ "group", GROUP, "wheel", 0, FOUND, 0, 10, 0 },
	{ "group", GROUP, "staff", 0, FOUND, 0, 50, 0 },
	{ "group", GROUP, "+staff", 0, NONE, 0, 0, 0 },
	{ "group", GROUP, "# staff", 0, NONE, 0, 0, 0 },
	{ "group", GROUP, "bad", 0, FOUND, 0, 70, 0 },
	{ "group", GROUP, "short", 0, FOUND, 0, 60, 0 },
	{ "group", GROUP, "tiny", 0, NONE, 0, 0, 0 },
	{ "group", GROUP, "long", 0, NONE, 0, 0, 0 },
	{ "group", GROUP, "ovf", 0, NONE, 0, 0, 0 },
	{ "group", GROUP, "nomembers", 0, FOUND, 0, 63, 0 },
	{ "group", GROUP, "nl", 0, FOUND, 0, 64, 0 },
	{ "group", GROUP, "alice", 0, NONE, 0, 0, 0 },
	{ "group", GROUP, "", 0, NONE, 0, 0, 0 },
	/* a passwd file is no group file: it has too many fields */
	{ "passwd", GROUP, "root", 0, NONE, 0, 0, 0 },
	{ "group", BY_NAME, "root", 0, NONE, 0, 0, 0 },
	/* the file cannot be read */
	{ "missing", BY_NAME, "root", 0, ERR, 0, 0, ENOENT },
	{ "missing", BY_UID, NULL, 0, ERR, 0, 0, ENOENT },
	{ "missing", GROUP, "root", 0, ERR, 0, 0, ENOENT },
	{ ".", BY_NAME, "root", 0, ERR, 0, 0, EISDIR },
	{ "passwd/x", BY_NAME, "root", 0, ERR, 0, 0, ENOTDIR },
};

static void test_lookup(void **state)
{
	const struct lookup_case *c = *state;
	rf_passwd_user u = { .uid = UNSET, .gid = UNSET };
	gid_t g = UNSET;
	rf_error err = { 0 };
	char want[512];
	const char *path = at(c->file);
	int rc;

	switch (c->how) {
	case BY_NAME: rc = rf_passwd_user_by_name(path, c->name, &u, &err); break;
	case BY_UID: rc = rf_passwd_user_by_uid(path, c->uid, &u, &err); break;
	default: rc = rf_passwd_group_by_name(path, c->name, &g, &err); break;
	}
	if (rc != c->rc)
		fail_msg("rc %d, want %d (%s)", rc, c->rc, err.msg);
	if (c->rc == ERR) {
		snprintf(want, sizeof(want), "read `%s`", path);
		assert_string_equal(err.msg, want);
		assert_int_equal(err.errnum, c->errnum);
	}
	if (c->rc != FOUND) {
		/* Nothing is filled in unless found. */
		assert_int_equal(u.uid, UNSET);
		assert_int_equal(u.gid, UNSET);
		assert_int_equal(g, UNSET);
		return;
	}
	if (c->how == GROUP) {
		assert_int_equal(g, c->want_gid);
		return;
	}
	assert_int_equal(u.uid, c->want_uid);
	assert_int_equal(u.gid, c->want_gid);
}

/* The host's own files parse, and agree on root where they have it. */
static void test_host_files(void **state)
{
	rf_passwd_user u;
	rf_error err = { 0 };
	gid_t g;
	int rc;

	(void)state;
	if (access(RF_PASSWD_FILE, R_OK) != 0 || access(RF_GROUP_FILE, R_OK) != 0)
		skip();
	rc = rf_passwd_user_by_name(RF_PASSWD_FILE, "root", &u, &err);
	assert_int_not_equal(rc, ERR);
	if (rc == FOUND)
		assert_int_equal(u.uid, 0);
	rc = rf_passwd_user_by_uid(RF_PASSWD_FILE, 0, &u, &err);
	assert_int_not_equal(rc, ERR);
	rc = rf_passwd_group_by_name(RF_GROUP_FILE, "root", &g, &err);
	assert_int_not_equal(rc, ERR);
	if (rc == FOUND)
		assert_int_equal(g, 0);
}

static const char *how_name(enum how how)
{
	return how == BY_NAME ? "user" : how == BY_UID ? "uid" : "group";
}

int main(void)
{
	struct rf_cases cases = { 0 };
	int failed;

	make_fixtures();
	for (size_t i = 0; i < RF_ARRAY_SIZE(lookup_cases); i++) {
		const struct lookup_case *c = &lookup_cases[i];

		if (c->how == BY_UID)
			rf_case_add(&cases, test_lookup, c, "%s: uid %u", c->file,
				    (unsigned)c->uid);
		else
			rf_case_add(&cases, test_lookup, c, "%s: %s `%s`", c->file,
				    how_name(c->how), c->name);
	}
	rf_case_add(&cases, test_host_files, NULL, "the host's " RF_PASSWD_FILE " and "
		    RF_GROUP_FILE);
	failed = rf_cases_run(&cases, "passwd");
	remove_fixtures();
	return failed;
}
