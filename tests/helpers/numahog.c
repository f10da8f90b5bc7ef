/* numahog: allocate and touch SIZE bytes, then say on which NUMA node each
 * page landed (a test helper).
 *
 *   numahog SIZE
 *
 * SIZE is a plain number or one with a K, M or G suffix (powers of 1024).
 * The memory is touched under the process's memory policy (set by the
 * launcher), then asked for its placement with move_pages(2) in query mode;
 * prints one line `node0=BYTES node1=BYTES ...` for the nodes that hold any
 * page, and exits 0. Exit 1 when an allocation or the query fails, 2 on bad
 * usage. This is a test helper: it deliberately does not link libringfence. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "size.h"

#define MAX_NODES 64
#define BATCH 4096

int main(int argc, char **argv)
{
	static void *pages[BATCH];
	static int status[BATCH];
	uint64_t bytes, per_node[MAX_NODES] = { 0 };
	long page = sysconf(_SC_PAGESIZE);
	size_t npages;
	char *p;

	if (argc != 2 || helper_parse_size(argv[1], &bytes) < 0 || bytes == 0 || bytes > SIZE_MAX) {
		fputs("Usage: numahog SIZE (a number with an optional K, M or G suffix)\n", stderr);
		return 2;
	}
	p = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "numahog: mmap: %s\n", strerror(errno));
		return 1;
	}
	npages = (size_t)((bytes + (uint64_t)page - 1) / (uint64_t)page);
	for (size_t i = 0; i < npages; i++)
		p[i * (size_t)page] = 1;
	for (size_t done = 0; done < npages; done += BATCH) {
		size_t n = npages - done < BATCH ? npages - done : BATCH;

		for (size_t i = 0; i < n; i++)
			pages[i] = p + (done + i) * (size_t)page;
		/* nodes == NULL: only report where each page is. */
		if (syscall(SYS_move_pages, 0, n, pages, NULL, status, 0) < 0) {
			fprintf(stderr, "numahog: move_pages: %s\n", strerror(errno));
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			if (status[i] >= 0 && status[i] < MAX_NODES)
				per_node[status[i]] += (uint64_t)page;
	}
	for (int n = 0, first = 1; n < MAX_NODES; n++) {
		if (!per_node[n])
			continue;
		printf("%snode%d=%llu", first ? "" : " ", n, (unsigned long long)per_node[n]);
		first = 0;
	}
	putchar('\n');
	return 0;
}
