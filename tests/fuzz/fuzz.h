/* Shared by the libFuzzer targets: the entry point, a check that traps (a
 * crash the fuzzer records), and a diag sink that insists every warning is
 * one printable line. */
#ifndef RINGFENCE_FUZZ_H
#define RINGFENCE_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"
#include "ringfence/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* Messages reach a terminal: non-empty, printable ASCII, no newline. */
static inline void fuzz_check_line(const char *msg)
{
	CHECK(msg[0] != '\0');
	for (const char *p = msg; *p; p++)
		CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
}

static inline void fuzz_on_diag(void *userdata, rf_level level, const char *msg)
{
	(void)userdata;
	(void)level;
	fuzz_check_line(msg);
}

static inline const rf_diag *fuzz_diag(void)
{
	static const rf_diag diag = { .emit = fuzz_on_diag, .userdata = NULL };

	return &diag;
}

/* A reader of plan text (a profile's, a bundle's config.json), strict or not. */
typedef int (*fuzz_load_fn)(const char *text, size_t len, rf_plan *plan, bool strict,
			    rf_error *err);

/* What `profile show` relies on: a loaded plan dumps to text that `load`
 * reads again, strictly (the dump holds nothing ringfence does not
 * implement), and that dumps to the very same text. */
static inline void fuzz_dump_round_trip(const rf_plan *plan, fuzz_load_fn load)
{
	char *first = NULL, *second = NULL;
	size_t len1 = 0, len2 = 0;
	rf_error err = { 0 };
	rf_plan again;

	CHECK(rf_profile_dump(plan, &first, &len1, &err) == 0);
	CHECK(strlen(first) == len1);
	rf_plan_init(&again);
	if (load(first, len1, &again, true, &err) < 0) {
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
}

#endif
