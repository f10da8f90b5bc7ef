/* Entering another process's namespaces (exec into a container): which of
 * them differ from ours, and setns() into those, all at once through a pidfd
 * (Linux 5.8), else one /proc/PID/ns file at a time, the user namespace
 * first (it grants the rights the others need). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringfence/cleanup.h"
#include "ringfence/isolation.h"

static const struct {
	int flag;
	const char *name;
} kinds[] = {
	{ CLONE_NEWUSER, "user" }, { CLONE_NEWNS, "mnt" }, { CLONE_NEWPID, "pid" },
	{ CLONE_NEWIPC, "ipc" }, { CLONE_NEWUTS, "uts" }, { CLONE_NEWNET, "net" },
	{ CLONE_NEWCGROUP, "cgroup" },
};

int rf_ns_differing(pid_t pid)
{
	int flags = 0;

	for (size_t i = 0; i < RF_ARRAY_SIZE(kinds); i++) {
		char theirs[64], ours[64];
		struct stat a, b;

		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, kinds[i].name);
		snprintf(ours, sizeof(ours), "/proc/self/ns/%s", kinds[i].name);
		if (stat(theirs, &a) == 0 && stat(ours, &b) == 0 &&
		    (a.st_ino != b.st_ino || a.st_dev != b.st_dev))
			flags |= kinds[i].flag;
	}
	return flags;
}

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int rf_ns_enter(int pidfd, pid_t pid, int flags, rf_error *err)
{
	int fds[RF_ARRAY_SIZE(kinds)];
	char path[64];
	size_t i;

	if (!flags)
		return 0;
	/* RINGFENCE_NO_SETNS_PIDFD: the path of kernels before 5.8, for tests */
	if (pidfd >= 0 && !getenv("RINGFENCE_NO_SETNS_PIDFD")) {
		if (setns(pidfd, flags) == 0)
			return 0;
		if (errno != EINVAL)
			return rf_error_set(err, errno, "enter the namespaces of pid %d", (int)pid);
	}
	/* Every file opened before the first is entered: inside the mount
	 * namespace, /proc is the container's, where `pid` is another process
	 * or none. */
	for (i = 0; i < RF_ARRAY_SIZE(kinds); i++) {
		fds[i] = -1;
		if (!(flags & kinds[i].flag))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kinds[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			rf_error_set(err, errno, "open `%s`", path);
			close_all(fds, i);
			return -1;
		}
	}
	for (i = 0; i < RF_ARRAY_SIZE(kinds); i++)
		if (fds[i] >= 0 && setns(fds[i], kinds[i].flag) < 0) {
			rf_error_set(err, errno, "enter the %s namespace of pid %d", kinds[i].name,
				     (int)pid);
			break;
		}
	close_all(fds, RF_ARRAY_SIZE(kinds));
	return i < RF_ARRAY_SIZE(kinds) ? -1 : 0;
}
