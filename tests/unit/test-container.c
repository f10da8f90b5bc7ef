/* src/container-state.c: ids, the state file round trip and the derived
 * status, in a temporary --root (no cgroup needed: the leaf is never read). */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cases.h"
#include "ringfence/cleanup.h"
#include "ringfence/container.h"
#include "container-internal.h"

struct case_id {
	const char *id;
	bool ok;
};

static const struct case_id ids[] = {
	{ "c1", true }, { "0123456789abcdef", true }, { "libpod-x_y.z", true },
	{ "", false }, { ".", false }, { "..", false }, { ".hidden", false }, { "a/b", false },
	{ "/abs", false }, { "a\nb", false }, { "a\tb", false }, { "a\x7f", false },
};

static void test_id(void **state)
{
	const struct case_id *c = *state;
	rf_error err = { 0 };

	assert_int_equal(rf_container_check_id(c->id, &err) == 0, c->ok);
	if (!c->ok)
		assert_non_null(strstr(err.msg, "container id"));
}

/* A container whose process is `pid` (with its real start time unless
 * `stale`), saved and opened again. */
static void round_trip(pid_t pid, bool stale, bool fifo, rf_cstatus want)
{
	char root[] = "/tmp/rf-test-container.XXXXXX", dir[PATH_MAX];
	rf_container c = { .dirfd = -1 }, back;
	rf_error err = { 0 };
	char st;

	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/c1", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	c.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(c.id, sizeof(c.id), "c1");
	c.pid = pid;
	assert_int_equal(rf_proc_stat(pid, &c.pid_start, &st), 0);
	if (stale)
		c.pid_start++;
	snprintf(c.bundle, sizeof(c.bundle), "/b");
	snprintf(c.rootfs, sizeof(c.rootfs), "/b/rootfs");
	snprintf(c.created, sizeof(c.created), "2026-12-06T00:00:00.000000001Z");
	c.n_ancestors = 2;
	c.ancestor_oom[0] = 3;
	c.ancestor_oom[1] = 4;
	assert_int_equal(rf_container_save(&c, &err), 0);
	if (fifo)
		assert_int_equal(mkfifoat(c.dirfd, RF_EXEC_FIFO, 0600), 0);
	if (rf_container_open(root, "c1", false, &back, &err) < 0)
		fail_msg("open: %s", err.msg);
	assert_int_equal(back.pid, pid);
	assert_int_equal(back.pid_start, c.pid_start);
	assert_string_equal(back.bundle, "/b");
	assert_string_equal(back.rootfs, "/b/rootfs");
	assert_string_equal(back.created, c.created);
	assert_int_equal(back.n_ancestors, 2);
	assert_int_equal(back.ancestor_oom[1], 4);
	assert_string_equal(rf_cstatus_name(back.status), rf_cstatus_name(want));
	rf_container_close(&back);
	unlinkat(c.dirfd, RF_STATE_FILE, 0);
	unlinkat(c.dirfd, RF_EXEC_FIFO, 0);
	close(c.dirfd);
	rmdir(dir);
	rmdir(root);
}

static void test_status_running(void **state)
{
	(void)state;
	round_trip(getpid(), false, false, RF_CSTATUS_RUNNING);
}

static void test_status_created(void **state)
{
	(void)state;
	round_trip(getpid(), false, true, RF_CSTATUS_CREATED);
}

/* The pid is alive, but it is not the process create started: reused. */
static void test_status_reused(void **state)
{
	(void)state;
	round_trip(getpid(), true, false, RF_CSTATUS_STOPPED);
}

static void test_missing(void **state)
{
	rf_container c;
	rf_error err = { 0 };

	(void)state;
	assert_int_equal(rf_container_open("/nonexistent-root", "c9", false, &c, &err), -1);
	assert_true(c.missing);
	assert_string_equal(err.msg, "container \"c9\" does not exist");
	assert_int_equal(err.errnum, 0);
}

int main(void)
{
	static struct rf_cases cases;

	for (size_t i = 0; i < RF_ARRAY_SIZE(ids); i++)
		rf_case_add(&cases, test_id, &ids[i], "id #%zu", i);
	rf_case_add(&cases, test_status_running, NULL, "status: running");
	rf_case_add(&cases, test_status_created, NULL, "status: created (exec.fifo present)");
	rf_case_add(&cases, test_status_reused, NULL, "status: stopped (pid reused)");
	rf_case_add(&cases, test_missing, NULL, "a missing container, as callers match it");
	return rf_cases_run(&cases, "container");
}
