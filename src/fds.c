/* fd hygiene right before exec: only what the payload is meant to have (0-2,
 * plus --preserve-fds) crosses into it. Every fd ringfence opens is
 * O_CLOEXEC already; this also catches what the caller leaked to us. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fault.h"
#include "ringfence/cleanup.h"
#include "ringfence/isolation.h"

static bool kept(long fd, const int *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

/* Kernels before 5.9 lack close_range(): close what /proc/self/fd lists, or,
 * without /proc, every number up to the fd limit. */
static int close_slow(int lowfd, const int *keep, size_t n, rf_error *err)
{
	cleanup_closedir DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	struct rlimit rl;

	if (!d) {
		if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
			return rf_error_set(err, errno, "read the fd limit");
		for (rlim_t fd = (rlim_t)lowfd; fd < rl.rlim_max && fd <= INT_MAX; fd++)
			if (!kept((long)fd, keep, n))
				close((int)fd);
		return 0;
	}
	while ((errno = 0, de = readdir(d))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (*end || end == de->d_name || fd < lowfd || kept(fd, keep, n) || fd == dirfd(d))
			continue;
		close((int)fd);
	}
	if (errno)
		return rf_error_set(err, errno, "read `/proc/self/fd`");
	return 0;
}

/* close_range(first, last), or 1 when the kernel has none. */
static int close_span(unsigned first, unsigned last, rf_error *err)
{
	if (first > last || (!RF_FAULT("fds.close") && close_range(first, last, 0) == 0))
		return 0;
	/* ENOSYS before Linux 5.9; EPERM under a seccomp profile that predates
	 * close_range (older docker profiles): close them one by one. */
	if (errno == ENOSYS || errno == EPERM)
		return 1;
	return rf_error_set(err, errno, "close fds %u and up", first);
}

static int cmp_fd(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int rf_fds_close_keeping(int lowfd, const int *keep, size_t n, rf_error *err)
{
	int sorted[RF_FDS_KEEP_MAX];
	unsigned from = (unsigned)lowfd;
	int r = 0;

	if (lowfd < 0 || n > RF_FDS_KEEP_MAX)
		return rf_error_set(err, EINVAL, "close fds from %d, keeping %zu", lowfd, n);
	memcpy(sorted, keep, n * sizeof(*keep));
	qsort(sorted, n, sizeof(*sorted), cmp_fd);
	/* close_range over the gaps between the kept ones */
	for (size_t i = 0; i < n && r == 0; i++) {
		if (sorted[i] < (int)from)
			continue;
		r = close_span(from, (unsigned)sorted[i] - 1, err);
		from = (unsigned)sorted[i] + 1;
	}
	if (r == 0)
		r = close_span(from, ~0U, err);
	if (r < 0)
		return -1;
	return r == 1 ? close_slow(lowfd, keep, n, err) : 0;
}

int rf_fds_close_except(int lowfd, int keep, rf_error *err)
{
	return rf_fds_close_keeping(lowfd, &keep, 1, err);
}

int rf_fds_close_from(int lowfd, rf_error *err)
{
	return rf_fds_close_except(lowfd, -1, err);
}
