/* mlockhelper: lock BYTES of fresh memory with mlock(2) (a test helper).
 *
 *   mlockhelper BYTES
 *
 * BYTES is a plain number or one with a K, M or G suffix (powers of 1024).
 * Prints `ok` and exits 0 when the lock succeeds; otherwise prints the errno
 * name (ENOMEM, EPERM, ...) and exits 1. Exit 2 on bad usage.
 * This is a test helper: it deliberately does not link libringfence. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static int parse_size(const char *s, size_t *out)
{
	char *end = NULL;
	unsigned long long v;
	unsigned shift = 0;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		const char *units = "KMG", *u = strchr(units, *end);

		if (!u || end[1])
			return -1;
		shift = 10 * (unsigned)(u - units + 1);
	}
	if (v == 0 || v > (SIZE_MAX >> shift))
		return -1;
	*out = (size_t)v << shift;
	return 0;
}

int main(int argc, char **argv)
{
	size_t len;
	void *p;

	if (argc != 2 || parse_size(argv[1], &len) < 0) {
		fputs("Usage: mlockhelper BYTES (a number with an optional K, M or G suffix)\n",
		      stderr);
		return 2;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("mmap: %s\n", strerrorname_np(errno));
		return 1;
	}
	if (mlock(p, len) < 0) {
		printf("%s\n", strerrorname_np(errno));
		return 1;
	}
	puts("ok");
	return 0;
}
