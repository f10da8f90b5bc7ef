/* libFuzzer target for src/parse.c. The first byte picks the parser, the
 * rest is the text. Beyond "no crash", it checks what every caller relies
 * on: a failure fills a printable message, a success is in range, and an id
 * list survives the round trip through rf_idset_format(). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/parse.h"
#include "ringfence/plan.h"

#include "fuzz.h"



/* A message the CLI may print as is: non-empty, one line, printable. */
static void check_message(const rf_error *err)
{
	CHECK(err->msg[0] != '\0');
	for (const char *p = err->msg; *p; p++)
		CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
}

static void fuzz_idlist(const char *s)
{
	rf_idset set, again;
	rf_error err = { 0 };
	char buf[8192];

	if (rf_parse_idlist(s, &set, &err) < 0) {
		check_message(&err);
		return;
	}
	CHECK(!rf_idset_empty(&set));
	rf_idset_format(&set, buf, sizeof(buf));
	CHECK(rf_parse_idlist(buf, &again, &err) == 0);
	CHECK(memcmp(&set, &again, sizeof(set)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rf_error err = { 0 };
	uint64_t u = 0;
	int64_t i = 0;
	char *s;
	int rc = 0;

	if (size < 1)
		return 0;
	s = strndup((const char *)data + 1, size - 1);
	if (!s)
		return 0;
	switch (data[0] % 6) {
	case 0:
		rc = rf_parse_size(s, &u, &err);
		break;
	case 1:
		rc = rf_parse_duration_ms(s, &u, &err);
		break;
	case 2:
		rc = rf_parse_cpus(s, 100000, &u, &err);
		CHECK(rc < 0 || u >= 1000);
		break;
	case 3:
		rc = rf_parse_u64(s, 1, 10000, &u, &err);
		CHECK(rc < 0 || (u >= 1 && u <= 10000));
		break;
	case 4:
		rc = rf_parse_i64(s, -1000, 1000, &i, &err);
		CHECK(rc < 0 || (i >= -1000 && i <= 1000));
		break;
	default:
		fuzz_idlist(s);
		break;
	}
	if (rc < 0)
		check_message(&err);
	free(s);
	return 0;
}
