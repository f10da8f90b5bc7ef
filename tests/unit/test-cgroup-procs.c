/* src/cgroup-procs.c: cg_read_pids() reads cgroup.procs whole, in a
 * temporary directory standing in for a cgroup. A list longer than any
 * fixed buffer comes back complete: its last pid is never cut short. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases.h"
#include "ringfence/cgroup.h"
#include "ringfence/cleanup.h"

struct procs_case {
	const char *what;
	const char *text;        /* NULL: `count` pids from 4194303 down */
	size_t count;            /* pids expected */
	pid_t first, last;
	int errnum;              /* 0: reads */
};

static const struct procs_case procs_cases[] = {
	{ "three pids", "1\n22\n333\n", 3, 1, 333, 0 },
	{ "no process", "", 0, 0, 0, 0 },
	{ "no final newline", "7\n8", 2, 7, 8, 0 },
	{ "30000 seven-digit pids (240 KB)", NULL, 30000, 4194303, 4194303 - 29999, 0 },
	{ "a line that is not a pid", "12\nabc\n", 0, 0, 0, EIO },
	{ "pid 0", "0\n", 0, 0, 0, EIO },
};

static void write_procs(const char *dir, const struct procs_case *t)
{
	cleanup_free char *path = NULL;
	FILE *f;

	assert_true(asprintf(&path, "%s/cgroup.procs", dir) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	if (t->text)
		fputs(t->text, f);
	else
		for (size_t i = 0; i < t->count; i++)
			fprintf(f, "%ld\n", (long)(4194303 - i));
	assert_int_equal(fclose(f), 0);
}

static void test_procs(void **state)
{
	const struct procs_case *t = *state;
	char dir[] = "/tmp/rf-procs-XXXXXX";
	cleanup_free pid_t *pids = NULL;
	rf_error err = { 0 };
	size_t n = 99;
	int fd;

	assert_non_null(mkdtemp(dir));
	write_procs(dir, t);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	if (t->errnum) {
		assert_int_equal(cg_read_pids(fd, &pids, &n, &err), -1);
		assert_int_equal(err.errnum, t->errnum);
		assert_non_null(strstr(err.msg, "not a pid"));
		assert_null(pids);
	} else {
		assert_int_equal(cg_read_pids(fd, &pids, &n, &err), 0);
		assert_int_equal(n, t->count);
		if (n) {
			assert_int_equal(pids[0], t->first);
			assert_int_equal(pids[n - 1], t->last);
		}
	}
	assert_int_equal(unlinkat(fd, "cgroup.procs", 0), 0);
	close(fd);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	struct rf_cases cases = { 0 };

	for (size_t i = 0; i < RF_ARRAY_SIZE(procs_cases); i++)
		rf_case_add(&cases, test_procs, &procs_cases[i], "cgroup.procs: %s", procs_cases[i].what);
	return rf_cases_run(&cases, "cgroup-procs");
}
