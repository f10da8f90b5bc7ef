/* Shared by the libFuzzer targets: the entry point, a check that traps (a
 * crash the fuzzer records), and a diag sink that insists every warning is
 * one printable line. */
#ifndef RINGFENCE_FUZZ_H
#define RINGFENCE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"

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

#endif
