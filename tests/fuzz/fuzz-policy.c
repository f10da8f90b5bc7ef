/* libFuzzer target for the text a setuid-root ringfence reads from others:
 * the admin's policy file (src/policy.c) and the --report pattern
 * (src/report-path.c). The first byte picks one, the rest is the text.
 * Beyond "no crash": a failure fills a printable message; a parsed policy
 * holds only what its keys allow (never a user namespace); an expanded
 * report path has exactly the pattern's own slashes, so no variable can
 * move it to another directory. */
#include "config.h"

#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/policy.h"
#include "ringfence/report.h"

#include "fuzz.h"

#define FIXTURES RF_DATADIR "/tests/fixtures/policy"

static void check_message(const rf_error *err)
{
	fuzz_check_line(err->msg);
}

static void fuzz_policy(const char *text)
{
	rf_policy pol;
	rf_error err = { 0 };

	if (rf_policy_parse(text, "policy", FIXTURES "/passwd", FIXTURES "/group", &pol, &err) < 0) {
		check_message(&err);
		rf_policy_free(&pol);
		return;
	}
	CHECK(!(pol.unshare & CLONE_NEWUSER));
	for (size_t i = 0; i < pol.n_cgroup_parents; i++)
		CHECK(pol.cgroup_parents[i][0] == '/' && !strstr(pol.cgroup_parents[i], ".."));
	rf_policy_free(&pol);
}

/* A fixed environment with values a hostile caller might set. */
static const char *lookup(const char *name, void *data)
{
	(void)data;
	if (!strcmp(name, "SLURM_JOB_ID"))
		return "42";
	if (!strcmp(name, "SLASH"))
		return "../../etc";
	if (!strcmp(name, "EMPTY"))
		return "";
	if (!strcmp(name, "DOT"))
		return ".";
	return name[0] == 'A' ? "value" : NULL;
}

static size_t count(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

static void fuzz_report(const char *pattern)
{
	rf_report_ctx ctx = { .getenv = lookup, .hostname = "node1", .pid = 7 };
	rf_error err = { 0 };
	char *out;
	size_t slashes = 0;

	if (rf_report_expand(pattern, &ctx, &out, &err) < 0) {
		check_message(&err);
		CHECK(out == NULL);
		return;
	}
	/* The pattern's own slashes: those outside %{...} and not after a %. */
	for (const char *p = pattern; *p; p++) {
		if (*p == '%' && p[1] == '{') {
			p = strchr(p, '}');
			continue;
		}
		if (*p == '%') {
			p++;
			continue;
		}
		slashes += *p == '/';
	}
	CHECK(count(out, '/') == slashes);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = strndup((const char *)data + 1, size - 1);
	if (!s)
		return 0;
	if (data[0] % 2)
		fuzz_report(s);
	else
		fuzz_policy(s);
	free(s);
	return 0;
}
