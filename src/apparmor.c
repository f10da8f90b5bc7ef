/* AppArmor (include/ringfence/apparmor.h): a process asks the kernel for
 * its next exec's profile by writing one line to its own attribute file in
 * procfs; the exec then enters the profile, and the kernel refuses the
 * write when no such profile is loaded. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "ringfence/apparmor.h"
#include "ringfence/cleanup.h"

#define ENABLED_PATH "/sys/module/apparmor/parameters/enabled"
#define ATTR_DIR "/proc/thread-self/attr"

bool rf_apparmor_enabled(void)
{
	cleanup_close int fd = open(ENABLED_PATH, O_RDONLY | O_CLOEXEC);
	char c = 0;

	return fd >= 0 && read(fd, &c, 1) == 1 && c == 'Y';
}

int rf_apparmor_check_name(const char *name, rf_error *err)
{
	size_t n = strlen(name);

	if (n == 0 || n > RF_APPARMOR_NAME_MAX)
		return rf_error_set(err, 0, "expected a profile name of 1 to %d bytes",
				    RF_APPARMOR_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return rf_error_set(err, 0, "expected a profile name without control "
					    "characters");
	return 0;
}

int rf_apparmor_attr_value(const char *name, bool no_new_privs, const char *current, char *buf,
			   size_t size, rf_error *err)
{
	size_t len = strcspn(current, " \n");
	bool confined = !(len == strlen("unconfined") && !strncmp(current, "unconfined", len));
	int n = snprintf(buf, size, "%s %s", no_new_privs && confined ? "stack" : "exec", name);

	if (n < 0 || (size_t)n >= size)
		return rf_error_set(err, ENAMETOOLONG, "AppArmor profile `%.64s`", name);
	return 0;
}

/* ATTR_DIR's FILE for the AppArmor module: its own directory (5.8 and
 * later, beside other modules'), else the shared file. Only procfs is
 * trusted: a container's /proc could be anything its bundle mounted. */
static int open_attr(const char *file, int flags, char path[64], rf_error *err)
{
	cleanup_close int fd = -1;
	struct statfs sfs;

	snprintf(path, 64, ATTR_DIR "/apparmor/%s", file);
	fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		snprintf(path, 64, ATTR_DIR "/%s", file);
		fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return rf_error_set(err, errno, "open `%s`", path);
	if (fstatfs(fd, &sfs) < 0)
		return rf_error_set(err, errno, "statfs `%s`", path);
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return rf_error_set(err, 0, "`%s` is not on procfs", path);
	return steal_fd(&fd);
}

int rf_apparmor_exec(const char *name, bool no_new_privs, rf_error *err)
{
	char current[256] = "", value[RF_APPARMOR_NAME_MAX + 16], path[64];
	cleanup_close int cur = -1, fd = -1;
	ssize_t n;

	if ((cur = open_attr("current", O_RDONLY, path, err)) < 0)
		goto fail;
	n = read(cur, current, sizeof(current) - 1);
	if (n < 0) {
		rf_error_set(err, errno, "read `%s`", path);
		goto fail;
	}
	current[n] = '\0';
	if (rf_apparmor_attr_value(name, no_new_privs, current, value, sizeof(value), err) < 0 ||
	    (fd = open_attr("exec", O_WRONLY, path, err)) < 0)
		goto fail;
	/* One write: the kernel reads the whole command from it. */
	n = write(fd, value, strlen(value));
	if (n == (ssize_t)strlen(value))
		return 0;
	if (n < 0 && errno == ENOENT)
		rf_error_set(err, errno, "no such profile is loaded (apparmor_parser loads one); "
			     "write `%s` to `%s`", value, path);
	else
		rf_error_set(err, n < 0 ? errno : EIO, "write `%s` to `%s`", value, path);
fail:
	return rf_error_prefix(err, "AppArmor profile `%.64s`", name);
}
