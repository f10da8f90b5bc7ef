/* memhog: allocate and touch memory in 1 MiB steps (a test helper).
 *
 *   memhog [--fork N] [--sleep-after] SIZE
 *
 * SIZE is bytes, or a number with a K, M or G suffix (powers of 1024).
 * Without --fork the process itself allocates SIZE. With --fork N it starts
 * N children that each allocate SIZE while the parent allocates nothing and
 * only waits, so an OOM kill picks a child and the parent can report it.
 * --sleep-after keeps the allocating processes alive (paused) once done.
 *
 * Exit status: 0 when every allocation completed; 1 when an allocation
 * failed or (with --fork) a child did not exit 0; 2 on bad usage.
 * This is a test helper: it deliberately does not link libringfence. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "size.h"

#define STEP (1024 * 1024)
#define MAX_CHILDREN 1024

static void usage(FILE *out)
{
	fputs("Usage: memhog [--fork N] [--sleep-after] SIZE\n"
	      "Allocate and touch SIZE bytes (K, M, G suffixes) in 1 MiB steps.\n",
	      out);
}

static int parse_count(const char *s, unsigned *out)
{
	char *end = NULL;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > MAX_CHILDREN)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Separate 1 MiB mappings: a single huge mapping could be refused by the
 * overcommit heuristic, while the tests want the OOM killer to act. */
static int hog(uint64_t bytes)
{
	long page = sysconf(_SC_PAGESIZE);

	for (uint64_t done = 0; done < bytes; done += STEP) {
		size_t len = bytes - done < STEP ? (size_t)(bytes - done) : STEP;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			fprintf(stderr, "memhog: mmap after %llu bytes: %s\n",
				(unsigned long long)done, strerror(errno));
			return 1;
		}
		for (size_t off = 0; off < len; off += (size_t)page)
			p[off] = 1;
	}
	return 0;
}

static int hog_and_maybe_sleep(uint64_t bytes, bool sleep_after)
{
	int rc = hog(bytes);

	while (rc == 0 && sleep_after)
		pause();
	return rc;
}

static int run_children(unsigned n, uint64_t bytes, bool sleep_after)
{
	int failed = 0;

	for (unsigned i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "memhog: fork: %s\n", strerror(errno));
			failed = 1;
			break;
		}
		if (pid == 0)
			_exit(hog_and_maybe_sleep(bytes, sleep_after));
	}
	for (;;) {
		int status;
		pid_t pid = wait(&status);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFSIGNALED(status)) {
			fprintf(stderr, "memhog: child %d killed by signal %d (%s)\n",
				(int)pid, WTERMSIG(status), strsignal(WTERMSIG(status)));
			failed = 1;
		} else if (WEXITSTATUS(status) != 0) {
			fprintf(stderr, "memhog: child %d exited with status %d\n",
				(int)pid, WEXITSTATUS(status));
			failed = 1;
		}
	}
	return failed;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fork", required_argument, NULL, 'f' },
		{ "sleep-after", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned children = 0;
	bool sleep_after = false;
	uint64_t bytes;
	int c;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (parse_count(optarg, &children) < 0) {
				fprintf(stderr, "memhog: --fork: expected a count from 1 to %d, got `%s`\n",
					MAX_CHILDREN, optarg);
				return 2;
			}
			break;
		case 's':
			sleep_after = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return 2;
	}
	if (helper_parse_size(argv[optind], &bytes) < 0) {
		fprintf(stderr, "memhog: SIZE: expected bytes or a number with K, M or G, got `%s`\n",
			argv[optind]);
		return 2;
	}
	if (children)
		return run_children(children, bytes, sleep_after);
	return hog_and_maybe_sleep(bytes, sleep_after);
}
