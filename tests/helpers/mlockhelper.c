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

#include "size.h"

int main(int argc, char **argv)
{
	uint64_t n = 0;
	size_t len;
	void *p;

	if (argc != 2 || helper_parse_size(argv[1], &n) < 0 || n == 0 || n > SIZE_MAX) {
		fputs("Usage: mlockhelper BYTES (a number with an optional K, M or G suffix)\n",
		      stderr);
		return 2;
	}
	len = (size_t)n;
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
