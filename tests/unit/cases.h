/* Table-driven cmocka tests: every row of a case table becomes its own named
 * test, so a failure (and the TAP output) names the exact input. All rows of
 * a program run as one group, which keeps the TAP stream to a single plan.
 *
 *	static struct rf_cases cases;
 *	rf_case_add(&cases, test_size, &size_rows[i], "size `%s`", size_rows[i].in);
 *	return rf_cases_run(&cases, "parse");
 *
 * The test function gets its row as *state. */
#ifndef RINGFENCE_TEST_CASES_H
#define RINGFENCE_TEST_CASES_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "ringfence/error.h"

struct rf_cases {
	struct CMUnitTest *t;
	size_t n, cap;
};

static inline void rf_case_add(struct rf_cases *c, CMUnitTestFunction f, const void *row,
			       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static inline void rf_case_add(struct rf_cases *c, CMUnitTestFunction f, const void *row,
			       const char *fmt, ...)
{
	char *name = NULL;
	va_list ap;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->t = realloc(c->t, c->cap * sizeof(*c->t));
		if (!c->t)
			abort();
	}
	va_start(ap, fmt);
	if (vasprintf(&name, fmt, ap) < 0)
		abort();
	va_end(ap);
	c->t[c->n++] = (struct CMUnitTest){
		.name = name, .test_func = f, .initial_state = (void *)row,
	};
}

static inline int rf_cases_run(struct rf_cases *c, const char *group)
{
	int failed = _cmocka_run_group_tests(group, c->t, c->n, NULL, NULL);

	for (size_t i = 0; i < c->n; i++)
		free((char *)c->t[i].name);
	free(c->t);
	c->t = NULL;
	c->n = c->cap = 0;
	return failed;
}

/* A diag sink for tests: every message on its own line, warnings counted.
 *	struct rf_diag_log log = { 0 };
 *	rf_diag diag = { rf_diag_log_collect, &log }; */
struct rf_diag_log {
	char text[4096];
	int warnings;
};

static inline void rf_diag_log_collect(void *userdata, rf_level level, const char *msg)
{
	struct rf_diag_log *log = userdata;
	size_t used = strlen(log->text);

	if (level == RF_LOG_WARNING)
		log->warnings++;
	snprintf(log->text + used, sizeof(log->text) - used, "%s\n", msg);
}

#endif
