/* Helpers shared by the profile unit tests (test-profile.c,
 * test-profile-dump.c, test-resources.c, test-exec-process.c): a diag sink
 * that captures warnings, paths into the source tree, and loading profile
 * text into a fresh plan. */
#ifndef RINGFENCE_TEST_PROFILE_HELPERS_H
#define RINGFENCE_TEST_PROFILE_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "ringfence/plan.h"
#include "ringfence/profile.h"

struct capture {
	int warnings;
	char last[RF_ERROR_MSG_MAX + 256];
};

static inline void capture_emit(void *userdata, rf_level level, const char *msg)
{
	struct capture *cap = userdata;

	if (level != RF_LOG_WARNING)
		return;
	cap->warnings++;
	snprintf(cap->last, sizeof(cap->last), "%s", msg);
}

/* Exactly the one warning `want`, or none when want is NULL. */
static inline void expect_warning(const struct capture *cap, const char *want)
{
	assert_int_equal(cap->warnings, want ? 1 : 0);
	if (want)
		assert_string_equal(cap->last, want);
}

static inline const char *srcdir(void)
{
	const char *s = getenv("RF_SRCDIR");

	return s && *s ? s : RF_TEST_SRCDIR;
}

static inline char *source_path(const char *rel)
{
	char *p;

	if (asprintf(&p, "%s/%s", srcdir(), rel) < 0)
		abort();
	return p;
}

/* Load `text`; the warnings land in *cap. */
static inline int load(const char *text, bool strict, rf_plan *plan, rf_error *err, struct capture *cap)
{
	rf_diag diag = { .emit = capture_emit, .userdata = cap };

	memset(cap, 0, sizeof(*cap));
	memset(err, 0, sizeof(*err));
	rf_plan_init(plan);
	return rf_profile_load_text(text, strlen(text), "t", plan, strict, &diag, err);
}

static inline void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

#endif
