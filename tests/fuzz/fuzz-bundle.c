/* libFuzzer target for the bundle reading of the profile reader (src/bundle.c,
 * src/profile-oci*.c in bundle mode): config.json text, for a bundle at `/`,
 * into a plan. Beyond "no crash": every message and warning is one printable
 * line; and a bundle that loads dumps (`profile show`) to a config.json that
 * loads again, strictly, and dumps to the very same text. */
#include "config.h"

#include <string.h>

#include "ringfence/bundle.h"

#include "fuzz.h"

static int load_bundle(const char *text, size_t len, rf_plan *plan, bool strict, rf_error *err)
{
	return rf_bundle_load_text(text, len, "/", plan, strict, fuzz_diag(), err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rf_error err = { 0 };
	rf_plan plan;

	rf_plan_init(&plan);
	if (load_bundle((const char *)data, size, &plan, false, &err) < 0) {
		fuzz_check_line(err.msg);
		rf_plan_free(&plan);
		return 0;
	}
	CHECK(plan.iso.rootfs && plan.bundle && !strcmp(plan.bundle, "/"));
	fuzz_dump_round_trip(&plan, load_bundle);
	rf_plan_free(&plan);
	return 0;
}
