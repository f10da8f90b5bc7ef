/* src/profile.c rf_profile_load_resources(): an OCI linux.resources object
 * alone, as `update --resources` reads it. Errors name the key as the
 * object has it; what ringfence does not implement is named in one warning
 * and not applied, as runc's update ignores it. */
#include "config.h"

#include <string.h>

#include "cases.h"
#include "profile-helpers.h"
#include "ringfence/cleanup.h"
#include "ringfence/plan.h"
#include "ringfence/profile.h"

struct res_case {
	const char *json;
	const char *error;       /* the whole message, or NULL: loads */
	const char *warning;     /* the one warning, or NULL: none */
	int64_t pids, memory;    /* pids.max, memory.max when loaded (-1: not set) */
};

static const struct res_case res_cases[] = {
	{ "{\"pids\":{\"limit\":10}}", NULL, NULL, 10, -1 },
	{ "{\"memory\":{\"limit\":1048576,\"kernel\":0,\"swappiness\":0},"
	  "\"cpu\":{\"realtimeRuntime\":0}}", NULL,
	  "r: ignoring what ringfence does not implement: memory.kernel, memory.swappiness, "
	  "cpu.realtimeRuntime", -1, 1048576 },
	{ "{\"memroy\":{\"limit\":1}}", NULL,
	  "r: ignoring what ringfence does not implement: memroy", -1, -1 },
	{ "{\"memory\":{\"swap\":5}}", "r: memory.swap: needs a memory limit given with it: "
	  "OCI's swap is the memory+swap total (or use unified \"memory.swap.max\")", NULL, 0, 0 },
	{ "{\"pids\":{\"limit\":\"x\"}}", "r: pids.limit: expected integer, got string", NULL, 0, 0 },
	{ "{\"cpu\":{\"cpus\":\"a-b\"}}", "r: cpu.cpus: `a-b` is not an id list (expected ids and "
	  "ranges like 0, 0-3 or 0,2,4-5)", NULL, 0, 0 },
	{ "[1]", "r: expected a JSON object, got array", NULL, 0, 0 },
	{ "{\"pids\":", "r: line 1, column 9: unexpected end of input", NULL, 0, 0 },
};

static void test_resources(void **state)
{
	const struct res_case *t = *state;
	struct capture cap = { 0 };
	rf_diag diag = { .emit = capture_emit, .userdata = &cap };
	rf_error err = { 0 };
	rf_plan plan;
	int r;

	rf_plan_init(&plan);
	r = rf_profile_load_resources(t->json, strlen(t->json), "r", &plan, &diag, &err);
	if (t->error) {
		assert_int_equal(r, -1);
		assert_string_equal(err.msg, t->error);
		assert_int_equal(err.errnum, 0);
	} else {
		assert_int_equal(r, 0);
		assert_int_equal(plan.limits.pids_max.set, t->pids >= 0);
		if (t->pids >= 0)
			assert_int_equal(plan.limits.pids_max.v, t->pids);
		assert_int_equal(plan.limits.memory_max.set, t->memory >= 0);
		if (t->memory >= 0)
			assert_int_equal(plan.limits.memory_max.v, t->memory);
	}
	expect_warning(&cap, t->warning);
	rf_plan_free(&plan);
}

int main(void)
{
	struct rf_cases cases = { 0 };

	for (size_t i = 0; i < RF_ARRAY_SIZE(res_cases); i++)
		rf_case_add(&cases, test_resources, &res_cases[i], "resources %s", res_cases[i].json);
	return rf_cases_run(&cases, "resources");
}
