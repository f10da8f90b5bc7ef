/* The test helpers' SIZE argument: digits, one optional K/M/G suffix (either
 * case, powers of 1024), no sign, no overflow. The helpers do not link the
 * engine, so they share this instead of rf_parse_size. */
#ifndef RINGFENCE_TEST_HELPER_SIZE_H
#define RINGFENCE_TEST_HELPER_SIZE_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline int helper_parse_size(const char *s, uint64_t *out)
{
	const char *units = "KMG", *u;
	unsigned long long v;
	unsigned shift = 0;
	char *end = NULL;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		u = strchr(units, *end >= 'a' ? *end - 'a' + 'A' : *end);
		if (!u || end[1])
			return -1;
		shift = 10 * (unsigned)(u - units + 1);
	}
	if (v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

#endif
