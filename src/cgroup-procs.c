/* A cgroup's processes: cgroup.procs read whole, and the SIGKILL loop over
 * them that stands in for cgroup.kill before Linux 5.14.
 *
 * cgroup.procs is read to its end, however long: a pid is never cut where a
 * fixed buffer ends (the head of 4194303 is the unrelated pid 4194). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "ringfence/cgroup.h"
#include "ringfence/cleanup.h"
#include "ringfence/fds.h"
#include "ringfence/parse.h"

/* Four million pids (the kernel's most) of up to seven digits and a newline. */
#define PROCS_MAX (32u << 20)

int cg_read_pids(int dirfd, pid_t **pids, size_t *n, rf_error *err)
{
	cleanup_close int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	cleanup_free char *text = NULL;
	cleanup_free pid_t *out = NULL;
	size_t len, count = 0;
	char *save = NULL;

	*pids = NULL;
	*n = 0;
	if (fd < 0)
		return rf_error_set(err, errno, "open `cgroup.procs`");
	if (rf_read_all(fd, "cgroup.procs", PROCS_MAX, &text, &len, err) < 0)
		return -1;
	out = calloc(len / 2 + 1, sizeof(*out));   /* a pid takes two bytes at least */
	if (!out)
		return rf_error_set(err, ENOMEM, "read `cgroup.procs`");
	for (char *tok = strtok_r(text, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
		uint64_t pid;

		if (rf_parse_u64(tok, 1, INT32_MAX, &pid, NULL) < 0)
			return rf_error_set(err, EIO, "`cgroup.procs` holds `%.32s`, not a pid", tok);
		out[count++] = (pid_t)pid;
	}
	*pids = steal_pointer(&out);
	*n = count;
	return 0;
}

int cg_kill_by_procs(int dirfd, const char *rel, rf_error *err)
{
	for (int round = 0; round < 100; round++) {
		cleanup_free pid_t *pids = NULL;
		size_t n;

		if (cg_read_pids(dirfd, &pids, &n, err) < 0)
			return -1;
		if (!n)
			return 0;
		for (size_t i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		poll(NULL, 0, 2);
	}
	return rf_error_set(err, EBUSY, "processes keep appearing in `%s`", rel);
}
