/* libFuzzer target for the seccomp compiler (src/seccomp*.c): JSON text into
 * a BPF program, never loaded. Beyond "no crash": every message and warning is
 * one printable line, a failure leaves no filter behind, and a profile that
 * compiles is compiled again as for a payload holding every capability on an
 * older kernel, which takes docker's includes/excludes the other way. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/json.h"
#include "ringfence/seccomp.h"

#include "fuzz.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rf_seccomp_env all = { .caps = UINT64_MAX, .kernel_release = "5.10.0-26-amd64" };
	struct rf_seccomp *sc = NULL, *sc2 = NULL;
	rf_error err = { 0 };
	rf_json *root;
	int r;

	root = rf_json_parse((const char *)data, size, &err);
	if (!root)
		return 0;
	r = rf_seccomp_compile(root, "fuzz", fuzz_diag(), &sc, &err);
	if (r < 0) {
		fuzz_check_line(err.msg);
		CHECK(sc == NULL);
	} else {
		CHECK(sc != NULL && rf_seccomp_instructions(sc) > 0);
		/* Other entries are in now, and libseccomp may refuse a pair of
		 * them (conflicting rules): still an error with a message. */
		if (rf_seccomp_compile_env(root, "", &all, fuzz_diag(), &sc2, &err) < 0) {
			fuzz_check_line(err.msg);
			CHECK(sc2 == NULL);
		}
	}
	rf_seccomp_free(sc);
	rf_seccomp_free(sc2);
	rf_json_free(root);
	return 0;
}
