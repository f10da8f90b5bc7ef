/* libFuzzer target for the bundle reading of the profile reader (src/bundle.c,
 * src/profile-oci*.c in bundle mode): config.json text, for a bundle at `/`,
 * into a plan. Beyond "no crash": every message and warning is one printable
 * line; and a bundle that loads dumps (`profile show`) to a config.json that
 * loads again, strictly, and dumps to the very same text. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/bundle.h"
#include "ringfence/plan.h"
#include "ringfence/profile.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *first = NULL, *second = NULL;
	size_t len1 = 0, len2 = 0;
	rf_error err = { 0 };
	rf_plan plan, again;

	rf_plan_init(&plan);
	if (rf_bundle_load_text((const char *)data, size, "/", &plan, false, fuzz_diag(),
				&err) < 0) {
		fuzz_check_line(err.msg);
		rf_plan_free(&plan);
		return 0;
	}
	CHECK(plan.iso.rootfs && plan.bundle && !strcmp(plan.bundle, "/"));
	CHECK(rf_profile_dump(&plan, &first, &len1, &err) == 0);
	CHECK(strlen(first) == len1);
	rf_plan_init(&again);
	if (rf_bundle_load_text(first, len1, "/", &again, true, fuzz_diag(), &err) < 0) {
		fprintf(stderr, "dump does not load: %s\n%s\n", err.msg, first);
		__builtin_trap();
	}
	CHECK(rf_profile_dump(&again, &second, &len2, &err) == 0);
	if (len1 != len2 || memcmp(first, second, len1) != 0) {
		fprintf(stderr, "dump changed:\n%s\n---\n%s\n", first, second);
		__builtin_trap();
	}
	free(first);
	free(second);
	rf_plan_free(&again);
	rf_plan_free(&plan);
	return 0;
}
