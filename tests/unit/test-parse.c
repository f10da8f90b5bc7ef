/* src/parse.c: every parser over a table of good and bad input, plus the
 * id-set round trip through rf_idset_format(). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "cases.h"
#include "ringfence/cleanup.h"
#include "ringfence/parse.h"
#include "ringfence/plan.h"

/* Which message a rejected value must produce (besides quoting the value). */
#define BAD_SIZE "expected " RF_SIZE_FORM
#define BAD_DURATION "expected " RF_DURATION_FORM
#define BAD_NUMBER "is not a number (expected an integer from"
#define OUT_OF_RANGE "is out of range (expected"
#define BAD_CPUS "is not a cpu count (expected a positive number with at most 6 decimals"
#define BAD_IDS "is not an id list (expected ids and ranges like 0, 0-3 or 0,2,4-5)"

struct case_u64 {
	const char *in;
	uint64_t want;
	const char *err;        /* NULL: must parse to want; else a message fragment */
};

/* A rejected value: -1, the message quotes it and carries `frag`. */
static void check_rejected(const char *in, int rc, const rf_error *err, const char *frag)
{
	char quoted[128];

	if (rc != -1)
		fail_msg("`%s` was accepted, expected an error containing \"%s\"", in, frag);
	snprintf(quoted, sizeof(quoted), "`%s`", in);
	if (!strstr(err->msg, quoted))
		fail_msg("message \"%s\" does not quote %s", err->msg, quoted);
	if (!strstr(err->msg, frag))
		fail_msg("message \"%s\" lacks \"%s\"", err->msg, frag);
	assert_int_equal(err->errnum, 0);
}

static void check_u64(const struct case_u64 *c, int rc, uint64_t got, const rf_error *err)
{
	if (c->err) {
		check_rejected(c->in, rc, err, c->err);
		return;
	}
	if (rc != 0)
		fail_msg("`%s` rejected: %s", c->in, err->msg);
	if (got != c->want)
		fail_msg("`%s` gave %" PRIu64 ", want %" PRIu64, c->in, got, c->want);
}

/* ---- SIZE ---- */

#define KiB UINT64_C(1024)
#define MiB (KiB * 1024)
#define GiB (MiB * 1024)
#define TiB (GiB * 1024)
#define TOO_LARGE "is too large (at most 18446744073709551614 bytes, or max)"

static const struct case_u64 size_cases[] = {
	{ "0", 0, NULL },
	{ "4096", 4096, NULL },
	{ "007", 7, NULL },
	{ "10B", 10, NULL },
	{ "10b", 10, NULL },
	{ "1K", KiB, NULL },
	{ "1k", KiB, NULL },
	{ "1KB", KiB, NULL },
	{ "1Ki", KiB, NULL },
	{ "64KiB", 64 * KiB, NULL },
	{ "1kib", KiB, NULL },
	{ "512M", 512 * MiB, NULL },
	{ "2gb", 2 * GiB, NULL },
	{ "1.5G", GiB + GiB / 2, NULL },
	{ "0.5K", 512, NULL },
	{ "0.3K", 307, NULL },            /* 307.2 rounds down */
	{ "0.0000001K", 0, NULL },
	{ "1T", TiB, NULL },
	{ "16777215T", 16777215 * TiB, NULL },
	{ "18446744073709551614", UINT64_MAX - 1, NULL },
	{ "max", RF_MAX, NULL },
	{ "MAX", RF_MAX, NULL },
	{ "", 0, BAD_SIZE },
	{ "-1", 0, BAD_SIZE },
	{ "+1", 0, BAD_SIZE },
	{ "0x10", 0, BAD_SIZE },
	{ "12Q", 0, BAD_SIZE },
	{ "1.5.5", 0, BAD_SIZE },
	{ " 1", 0, BAD_SIZE },
	{ "1 ", 0, BAD_SIZE },
	{ "1M ", 0, BAD_SIZE },
	{ "1.5", 0, BAD_SIZE },           /* a fraction of a byte */
	{ "1.5B", 0, BAD_SIZE },
	{ ".5G", 0, BAD_SIZE },
	{ "5.G", 0, BAD_SIZE },
	{ "1iB", 0, BAD_SIZE },
	{ "1KiBB", 0, BAD_SIZE },
	{ "1MK", 0, BAD_SIZE },
	{ "K", 0, BAD_SIZE },
	{ "1e3", 0, BAD_SIZE },
	{ "1,5G", 0, BAD_SIZE },
	{ "maximum", 0, BAD_SIZE },
	{ "17179869184G", 0, TOO_LARGE },
	{ "16777216T", 0, TOO_LARGE },
	{ "18446744073709551615", 0, TOO_LARGE },  /* would read as max */
	{ "99999999999999999999", 0, TOO_LARGE },
	{ "99999999999999999999K", 0, TOO_LARGE },
	{ "99999999999999999999Q", 0, BAD_SIZE },
};

static void test_size(void **state)
{
	const struct case_u64 *c = *state;
	rf_error err = { 0 };
	uint64_t got = 0;

	int rc = rf_parse_size(c->in, &got, &err);

	check_u64(c, rc, got, &err);
}

/* ---- DURATION ---- */

static const struct case_u64 duration_cases[] = {
	{ "500ms", 500, NULL },
	{ "30s", 30000, NULL },
	{ "5m", 300000, NULL },
	{ "1h", 3600000, NULL },
	{ "10", 10000, NULL },
	{ "2.5", 2500, NULL },
	{ "0", 0, NULL },
	{ "1.5s", 1500, NULL },
	{ "1.5m", 90000, NULL },
	{ "0.0015s", 1, NULL },           /* 1.5 ms rounds down */
	{ "0.000s", 0, NULL },
	{ "0.5ms", 0, "is shorter than 1 ms" },    /* not 0, which means none */
	{ "0.0004", 0, "is shorter than 1 ms" },
	{ "", 0, BAD_DURATION },
	{ "-1s", 0, BAD_DURATION },
	{ "+1s", 0, BAD_DURATION },
	{ "1d", 0, BAD_DURATION },
	{ "1 s", 0, BAD_DURATION },
	{ "1S", 0, BAD_DURATION },
	{ "s", 0, BAD_DURATION },
	{ "ms", 0, BAD_DURATION },
	{ "1.5.5s", 0, BAD_DURATION },
	{ "5sm", 0, BAD_DURATION },
	{ "1h30m", 0, BAD_DURATION },
	{ "1e3", 0, BAD_DURATION },
	{ "18446744073709552s", 0, "is too long a duration" },
	{ "99999999999999999999", 0, "is too long a duration" },
	{ "99999999999999999999d", 0, BAD_DURATION },
};

static void test_duration(void **state)
{
	const struct case_u64 *c = *state;
	rf_error err = { 0 };
	uint64_t got = 0;

	int rc = rf_parse_duration_ms(c->in, &got, &err);

	check_u64(c, rc, got, &err);
}

/* ---- integers ---- */

struct case_range_u64 {
	struct case_u64 c;
	uint64_t min, max;
};

static const struct case_range_u64 u64_cases[] = {
	{ { "42", 42, NULL }, 0, 100 },
	{ { "0", 0, NULL }, 0, 0 },
	{ { "010", 10, NULL }, 0, 100 },  /* decimal, never octal */
	{ { "18446744073709551615", UINT64_MAX, NULL }, 0, UINT64_MAX },
	{ { "", 0, BAD_NUMBER }, 0, 100 },
	{ { "+1", 0, BAD_NUMBER }, 0, 100 },
	{ { "-1", 0, BAD_NUMBER }, 0, UINT64_MAX },
	{ { " 1", 0, BAD_NUMBER }, 0, 100 },
	{ { "1 ", 0, BAD_NUMBER }, 0, 100 },
	{ { "0x10", 0, BAD_NUMBER }, 0, 100 },
	{ { "1.0", 0, BAD_NUMBER }, 0, 100 },
	{ { "1e2", 0, BAD_NUMBER }, 0, 1000 },
	{ { "101", 0, OUT_OF_RANGE " 0 to 100)" }, 0, 100 },
	{ { "0", 0, OUT_OF_RANGE " 1 to 10000)" }, 1, 10000 },
	{ { "18446744073709551616", 0, OUT_OF_RANGE }, 0, UINT64_MAX },
};

static void test_u64(void **state)
{
	const struct case_range_u64 *c = *state;
	rf_error err = { 0 };
	uint64_t got = 0;

	int rc = rf_parse_u64(c->c.in, c->min, c->max, &got, &err);

	check_u64(&c->c, rc, got, &err);
}

struct case_i64 {
	const char *in;
	int64_t min, max, want;
	const char *err;
};

static const struct case_i64 i64_cases[] = {
	{ "-1000", -1000, 1000, -1000, NULL },
	{ "1000", -1000, 1000, 1000, NULL },
	{ "-0", -1, 1, 0, NULL },
	{ "-9223372036854775808", INT64_MIN, INT64_MAX, INT64_MIN, NULL },
	{ "9223372036854775807", INT64_MIN, INT64_MAX, INT64_MAX, NULL },
	{ "-1001", -1000, 1000, 0, OUT_OF_RANGE " -1000 to 1000)" },
	{ "9223372036854775808", INT64_MIN, INT64_MAX, 0, OUT_OF_RANGE },
	{ "-9223372036854775809", INT64_MIN, INT64_MAX, 0, OUT_OF_RANGE },
	{ "+5", -10, 10, 0, BAD_NUMBER },
	{ "--1", -10, 10, 0, BAD_NUMBER },
	{ "-", -10, 10, 0, BAD_NUMBER },
	{ "", -10, 10, 0, BAD_NUMBER },
	{ " -1", -10, 10, 0, BAD_NUMBER },
	{ "- 1", -10, 10, 0, BAD_NUMBER },
};

static void test_i64(void **state)
{
	const struct case_i64 *c = *state;
	rf_error err = { 0 };
	int64_t got = 0;
	int rc = rf_parse_i64(c->in, c->min, c->max, &got, &err);

	if (c->err) {
		check_rejected(c->in, rc, &err, c->err);
		return;
	}
	if (rc != 0)
		fail_msg("`%s` rejected: %s", c->in, err.msg);
	if (got != c->want)
		fail_msg("`%s` gave %" PRId64 ", want %" PRId64, c->in, got, c->want);
}

/* ---- CPUS, over the 100 ms period `--cpus` uses ---- */

#define TOO_SMALL "is too small: the kernel needs at least 0.01 cpus (a 1000us quota per 100000us period)"

static const struct case_u64 cpus_cases[] = {
	{ "0.5", 50000, NULL },
	{ "2", 200000, NULL },
	{ "0.25", 25000, NULL },
	{ "0.01", 1000, NULL },
	{ "1.000001", 100000, NULL },     /* 100000.1 us rounds down */
	{ "64", 6400000, NULL },
	{ "0", 0, TOO_SMALL },
	{ "0.009", 0, TOO_SMALL },
	{ "0.000001", 0, TOO_SMALL },
	{ "-1", 0, BAD_CPUS },
	{ "", 0, BAD_CPUS },
	{ "0.5.5", 0, BAD_CPUS },
	{ "1.0000001", 0, BAD_CPUS },     /* 7 decimals */
	{ "abc", 0, BAD_CPUS },
	{ "1/2", 0, BAD_CPUS },
	{ ".5", 0, BAD_CPUS },
	{ "1e2", 0, BAD_CPUS },
	{ "2 ", 0, BAD_CPUS },
	{ "184467440737095516", 0, "is too many cpus for cpu.max" },
	{ "99999999999999999999", 0, "is too many cpus for cpu.max" },
};

static void test_cpus(void **state)
{
	const struct case_u64 *c = *state;
	rf_error err = { 0 };
	uint64_t got = 0;

	int rc = rf_parse_cpus(c->in, 100000, &got, &err);

	check_u64(c, rc, got, &err);
}

/* The minimum follows the period; a zero period is the caller's bug. */
static void test_cpus_period(void **state)
{
	rf_error err = { 0 };
	uint64_t q = 0;

	assert_int_equal(rf_parse_cpus("0.5", 1000000, &q, &err), 0);
	assert_true(q == 500000);
	assert_int_equal(rf_parse_cpus("0.0005", 1000000, &q, &err), -1);
	assert_string_equal(err.msg, "`0.0005` is too small: the kernel needs at least 0.001 cpus "
			    "(a 1000us quota per 1000000us period)");
	assert_int_equal(rf_parse_cpus("1", 0, &q, &err), -1);
	assert_int_equal(err.errnum, EINVAL);
}

/* ---- id lists, and their canonical form ---- */

struct case_ids {
	const char *in;
	const char *canonical;  /* rf_idset_format of the result */
	const char *err;
};

static const struct case_ids id_cases[] = {
	{ "0", "0", NULL },
	{ "0-3", "0-3", NULL },
	{ "0,2,4-5", "0,2,4-5", NULL },
	{ "3,1", "1,3", NULL },
	{ "1,1", "1", NULL },
	{ "0-2,3", "0-3", NULL },
	{ "5-5", "5", NULL },
	{ "1023", "1023", NULL },
	{ "0-1023", "0-1023", NULL },
	{ "0,63-65,1000", "0,63-65,1000", NULL },
	{ "", NULL, BAD_IDS },
	{ ",", NULL, BAD_IDS },
	{ "1,,2", NULL, BAD_IDS },
	{ "-1", NULL, BAD_IDS },
	{ "1,", NULL, BAD_IDS },
	{ ",1", NULL, BAD_IDS },
	{ "1-", NULL, BAD_IDS },
	{ "1-2-3", NULL, BAD_IDS },
	{ " 1", NULL, BAD_IDS },
	{ "1 ,2", NULL, BAD_IDS },
	{ "a", NULL, BAD_IDS },
	{ "0x1", NULL, BAD_IDS },
	{ "3-1", NULL, "has a reversed range 3-1" },
	{ "1024", NULL, "has an id above 1023" },
	{ "0-1024", NULL, "has an id above 1023" },
	{ "99999999999", NULL, "has an id above 1023" },
};

static void test_ids(void **state)
{
	const struct case_ids *c = *state;
	rf_error err = { 0 };
	rf_idset set, again;
	char buf[4096], buf2[4096];
	int rc;

	memset(&set, 0xa5, sizeof(set));
	rc = rf_parse_idlist(c->in, &set, &err);
	if (c->err) {
		check_rejected(c->in, rc, &err, c->err);
		return;
	}
	if (rc != 0)
		fail_msg("`%s` rejected: %s", c->in, err.msg);
	assert_string_equal(rf_idset_format(&set, buf, sizeof(buf)), c->canonical);
	/* The canonical form parses back to the same set. */
	assert_int_equal(rf_parse_idlist(buf, &again, &err), 0);
	assert_memory_equal(&set, &again, sizeof(set));
	assert_string_equal(rf_idset_format(&again, buf2, sizeof(buf2)), buf);
}

/* A rejected list leaves the output untouched. */
static void test_ids_untouched(void **state)
{
	rf_idset set, before;
	rf_error err = { 0 };

	memset(&set, 0x5a, sizeof(set));
	before = set;
	assert_int_equal(rf_parse_idlist("0,2,x", &set, &err), -1);
	assert_memory_equal(&set, &before, sizeof(set));
}

/* Values are echoed safely: control bytes and backticks do not reach the
 * terminal, and a huge value is cut short. */
static void test_shown_value(void **state)
{
	rf_error err = { 0 };
	uint64_t v;
	char big[300];

	assert_int_equal(rf_parse_size("1\n2`\x1b[31m", &v, &err), -1);
	assert_non_null(strstr(err.msg, "`1?2??[31m` is not a size"));
	memset(big, '9', sizeof(big) - 2);
	big[sizeof(big) - 2] = 'Q';
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(rf_parse_size(big, &v, &err), -1);
	assert_non_null(strstr(err.msg, "9...` is "));
	assert_true(strlen(err.msg) < 200);
}

/* ---- file modes ---- */

static const struct case_u64 mode_cases[] = {
	{ "1777", 01777, NULL },
	{ "0700", 0700, NULL },
	{ "755", 0755, NULL },
	{ "7777", 07777, NULL },
	{ "1", 1, NULL },
	{ "0", 0, "is not a file mode" },      /* 0 means "default" to callers */
	{ "8", 0, "is not a file mode" },
	{ "17777", 0, "is not a file mode" },
	{ "", 0, "is not a file mode" },
	{ "-1", 0, "is not a file mode" },
	{ "0x1ff", 0, "is not a file mode" },
	{ "777 ", 0, "is not a file mode" },
};

static void test_mode(void **state)
{
	const struct case_u64 *c = *state;
	rf_error err = { 0 };
	unsigned got = 0;
	int rc = rf_parse_mode(c->in, &got, &err);

	check_u64(c, rc, got, &err);
}

/* ---- exact size text: what rf_parse_size reads back to the same value ---- */

struct case_text {
	uint64_t v;
	const char *want;
};

static const struct case_text text_cases[] = {
	{ 0, "0" }, { 1, "1" }, { 1023, "1023" }, { 1024, "1K" }, { 1536ULL << 10, "1536K" },
	{ 64ULL << 20, "64M" }, { 4097, "4097" }, { 3ULL << 30, "3G" }, { 5ULL << 40, "5T" },
	{ 2048ULL << 40, "2048T" }, { RF_MAX, "max" },
};

static void test_size_text(void **state)
{
	const struct case_text *c = *state;
	rf_error err = { 0 };
	uint64_t back = 0;
	char buf[32];

	assert_string_equal(rf_size_text(c->v, "max", buf, sizeof(buf)), c->want);
	assert_int_equal(rf_parse_size(buf, &back, &err), 0);
	assert_true(back == c->v);
}

/* ---- /proc/self/mountinfo lines ---- */

struct case_mountinfo {
	const char *name;
	const char *line;
	const char *mount_point, *fstype, *super_opts;   /* NULL: rejected */
};

static const struct case_mountinfo mountinfo_cases[] = {
	{ "cgroup2", "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n",
	  "/sys/fs/cgroup", "cgroup2", "rw,nsdelegate" },
	{ "optional fields", "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:2 - ext3 "
	  "/dev/root rw,errors=continue\n", "/mnt2", "ext3", "rw,errors=continue" },
	{ "v1 controllers", "35 26 0:30 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup "
	  "rw,cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct", "cgroup", "rw,cpu,cpuacct" },
	{ "escaped mount point", "40 1 0:5 / /mnt/a\\040b\\011c\\134d rw - tmpfs none rw\n",
	  "/mnt/a b\tc\\d", "tmpfs", "rw" },
	{ "escape is three octal digits", "40 1 0:5 / /x\\08\\400 rw - tmpfs t rw\n",
	  "/x\\08\\400", "tmpfs", "rw" },
	{ "empty source", "41 1 0:6 / /run rw - tmpfs  rw,mode=755\n", "/run", "tmpfs",
	  "rw,mode=755" },
	{ "no separator", "41 1 0:6 / /run rw tmpfs tmpfs rw\n", NULL, NULL, NULL },
	{ "too few fields", "41 1 0:6 / - tmpfs tmpfs rw\n", NULL, NULL, NULL },
	{ "nothing after the separator", "41 1 0:6 / /run rw - \n", NULL, NULL, NULL },
	{ "type only", "41 1 0:6 / /run rw - tmpfs\n", NULL, NULL, NULL },
	{ "empty", "", NULL, NULL, NULL },
};

static void test_mountinfo(void **state)
{
	const struct case_mountinfo *c = *state;
	char line[256];
	rf_mountinfo mi;

	snprintf(line, sizeof(line), "%s", c->line);
	if (!c->mount_point) {
		assert_int_equal(rf_parse_mountinfo(line, &mi), -1);
		return;
	}
	assert_int_equal(rf_parse_mountinfo(line, &mi), 0);
	assert_string_equal(mi.mount_point, c->mount_point);
	assert_string_equal(mi.fstype, c->fstype);
	assert_string_equal(mi.super_opts, c->super_opts);
}

#define ADD_TABLE(cases, table, fn, label, field)                                   \
	for (size_t i = 0; i < RF_ARRAY_SIZE(table); i++)                           \
		rf_case_add(cases, fn, &(table)[i], label " `%s`", (table)[i].field)

int main(void)
{
	struct rf_cases cases = { 0 };

	ADD_TABLE(&cases, size_cases, test_size, "size", in);
	ADD_TABLE(&cases, duration_cases, test_duration, "duration", in);
	ADD_TABLE(&cases, u64_cases, test_u64, "u64", c.in);
	ADD_TABLE(&cases, i64_cases, test_i64, "i64", in);
	ADD_TABLE(&cases, cpus_cases, test_cpus, "cpus", in);
	ADD_TABLE(&cases, id_cases, test_ids, "idlist", in);
	ADD_TABLE(&cases, mode_cases, test_mode, "mode", in);
	ADD_TABLE(&cases, text_cases, test_size_text, "size text", want);
	ADD_TABLE(&cases, mountinfo_cases, test_mountinfo, "mountinfo", name);
	rf_case_add(&cases, test_cpus_period, NULL, "cpus: minimum follows the period");
	rf_case_add(&cases, test_ids_untouched, NULL, "idlist: rejected list leaves output untouched");
	rf_case_add(&cases, test_shown_value, NULL, "messages echo values safely");
	return rf_cases_run(&cases, "parse");
}
