/* libFuzzer target for the profile reader (src/profile*.c): JSON text into a
 * plan. Beyond "no crash", it checks what the CLI and `profile show` rely on:
 * every message and warning is one printable line; and a profile that loads
 * dumps to JSON that loads again, strictly (the dump holds nothing ringfence
 * does not implement), and dumps to the very same text. */
#include "config.h"

#include "fuzz.h"

static int load_profile(const char *text, size_t len, rf_plan *plan, bool strict,
			rf_error *err)
{
	return rf_profile_load_text(text, len, "fuzz", plan, strict, fuzz_diag(), err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rf_error err = { 0 };
	rf_plan plan;

	/* RINGFENCE_PROFILE_PATH is not consulted: text is loaded directly. */
	rf_plan_init(&plan);
	if (load_profile((const char *)data, size, &plan, false, &err) < 0) {
		fuzz_check_line(err.msg);
		rf_plan_free(&plan);
		return 0;
	}
	fuzz_dump_round_trip(&plan, load_profile);
	rf_plan_free(&plan);
	return 0;
}
