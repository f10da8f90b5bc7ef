/* fd hygiene right before exec: only what the payload is meant to have (0-2,
 * plus --preserve-fds) crosses into it. Every fd ringfence opens is
 * O_CLOEXEC already; this also catches what the caller leaked to us.
 * And reading an fd whole (fds.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "ringfence/fds.h"
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

/* ---- reading an fd whole ----------------------------------------------- */

/* Free room before each read: a /proc seq file gives at most about a page
 * per read, and less room would only split that into more reads. */
#define READ_ROOM 4096
/* The first buffer: a profile or a mountinfo file in one or a few reads. */
#define READ_FIRST 16384

/* "read `NAME`: larger than BOUND", in MiB when it is whole MiB. */
static int too_big(const char *name, size_t bound, rf_error *err)
{
	if (bound && bound % (1u << 20) == 0)
		return rf_error_set(err, EFBIG, "read `%s`: larger than %zu MiB", name, bound >> 20);
	return rf_error_set(err, EFBIG, "read `%s`: larger than %zu bytes", name, bound);
}

int rf_read_all(int fd, const char *name, size_t max, char **out, size_t *out_len,
		rf_error *err)
{
	/* Room for one byte past the bound at most: that byte says "too big". */
	size_t limit = (max < SIZE_MAX / 2 ? max : SIZE_MAX / 2) + 1;
	cleanup_free char *buf = NULL;
	size_t len = 0, cap = 0;  /* cap: room for data; the buffer has cap + 1 */

	for (;;) {
		ssize_t n;

		if (cap - len < READ_ROOM && cap < limit) {
			size_t grown = !cap ? READ_FIRST : cap < limit / 2 ? cap * 2 : limit;
			char *nb;

			if (grown > limit)
				grown = limit;
			nb = realloc(buf, grown + 1);
			if (!nb)
				return rf_error_set(err, ENOMEM, "read `%s`", name);
			buf = nb;
			cap = grown;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rf_error_set(err, errno, "read `%s`", name);
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == limit)
			return too_big(name, limit - 1, err);
	}
	buf[len] = '\0';
	*out = steal_pointer(&buf);
	*out_len = len;
	return 0;
}

ssize_t rf_write_no_sigpipe(int fd, const void *buf, size_t len)
{
	sigset_t pipe_set, old;
	ssize_t n;
	int saved;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	n = write(fd, buf, len);
	saved = errno;
	if (n < 0 && saved == EPIPE && !sigismember(&old, SIGPIPE))
		(void)sigtimedwait(&pipe_set, NULL, &(struct timespec){ 0 });
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return n;
}
