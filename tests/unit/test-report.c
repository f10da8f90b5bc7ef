/* src/report-path.c: the --report pattern over a table of patterns, with a
 * fixed environment. */
#include "config.h"

#include <string.h>

#include "cases.h"
#include "ringfence/cleanup.h"
#include "ringfence/report.h"

static const char *const env[][2] = {
	{ "SLURM_JOB_ID", "4711" },
	{ "SLURM_STEP_ID", "0" },
	{ "SLURM_PROCID", "3" },
	{ "CI_JOB_ID", "99" },
	{ "EMPTY", "" },
	{ "SLASH", "a/b" },
	{ "DOTDOT", ".." },
	{ "DOT", "." },
};

static const char *lookup(const char *name, void *data)
{
	(void)data;
	for (size_t i = 0; i < RF_ARRAY_SIZE(env); i++)
		if (!strcmp(env[i][0], name))
			return env[i][1];
	return NULL;
}

struct case_report {
	const char *pattern;
	const char *want;       /* NULL: rejected */
	const char *err;        /* with a message containing this */
};

static const struct case_report rows[] = {
	{ "/var/log/rf/verdict.json", "/var/log/rf/verdict.json", NULL },
	{ "/var/log/rf/%j.json", "/var/log/rf/4711.json", NULL },
	{ "%j.%s.%t.json", "4711.0.3.json", NULL },
	{ "r-%n-%p", "r-node1-321", NULL },
	{ "%{CI_JOB_ID}/v.json", "99/v.json", NULL },
	{ "100%%.json", "100%.json", NULL },
	{ "%%j", "%j", NULL },
	{ "", "", NULL },
	{ "%{NOPE}.json", NULL, "`%{NOPE}` needs NOPE, which is not set" },
	{ "%{EMPTY}", NULL, "`%{EMPTY}` expands to ``, which is not a file-name part" },
	{ "/r/%{SLASH}", NULL, "`%{SLASH}` expands to `a/b`" },
	{ "/r/%{DOTDOT}/x", NULL, "`%{DOTDOT}` expands to `..`" },
	{ "/r/%{DOT}", NULL, "`%{DOT}` expands to `.`" },
	{ "%x", NULL, "`%x` is not a pattern sequence (expected %j (SLURM_JOB_ID)" },
	{ "a%", NULL, "ends in a lone `%`" },
	{ "%{", NULL, "`%{` is not %{NAME}" },
	{ "%{}", NULL, "`%{}` is not %{NAME}" },
	{ "%{A-B}", NULL, "`%{A-B}` is not %{NAME}" },
	{ "%{1A}", NULL, "`%{1A}` is not %{NAME}" },
	{ "%{A\x1b}", NULL, "`%{A?}` is not %{NAME}" },
	{ "%\x1b", NULL, "`%?` is not a pattern sequence" },
};

static void test_expand(void **state)
{
	const struct case_report *c = *state;
	rf_report_ctx ctx = { .getenv = lookup, .hostname = "node1", .pid = 321 };
	cleanup_free char *out = NULL;
	rf_error err = { 0 };
	int rc = rf_report_expand(c->pattern, &ctx, &out, &err);

	if (c->want) {
		if (rc != 0)
			fail_msg("`%s` rejected: %s", c->pattern, err.msg);
		assert_string_equal(out, c->want);
		return;
	}
	if (rc != -1)
		fail_msg("`%s` accepted as `%s`", c->pattern, out);
	assert_null(out);
	assert_int_equal(err.errnum, 0);
	if (!strstr(err.msg, c->err))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, c->err);
}

int main(void)
{
	struct rf_cases cases = { 0 };

	for (size_t i = 0; i < RF_ARRAY_SIZE(rows); i++)
		rf_case_add(&cases, test_expand, &rows[i], "report `%s`", rows[i].pattern);
	return rf_cases_run(&cases, "report");
}
