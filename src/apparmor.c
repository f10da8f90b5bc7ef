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

/* The AppArmor module's own directory (5.8 and later, beside other
 * modules'), else the shared one; checked to be procfs, so a /proc that is
 * something else fails here instead of taking the write. */
int rf_apparmor_open_attr(rf_error *err)
{
	const char *path = ATTR_DIR "/apparmor";
	cleanup_close int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct statfs sfs;

	if (fd < 0 && errno == ENOENT)
		fd = open(path = ATTR_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return rf_error_set(err, errno, "open `%s`", path);
	if (fstatfs(fd, &sfs) < 0)
		return rf_error_set(err, errno, "statfs `%s`", path);
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return rf_error_set(err, 0, "`%s` is not on procfs", path);
	return steal_fd(&fd);
}

/* The attribute `current` of attr_dir into buf, NUL-terminated. */
static int read_current(int dir, char *buf, size_t size, rf_error *err)
{
	cleanup_close int fd = openat(dir, "current", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	if (n < 0)
		return rf_error_set(err, errno, "read the AppArmor attribute `current`");
	buf[n] = '\0';
	return 0;
}

int rf_apparmor_exec(int attr_dir, const char *name, bool no_new_privs, rf_error *err)
{
	char current[256], value[RF_APPARMOR_NAME_MAX + 16];
	cleanup_close int own = -1, fd = -1;
	ssize_t n;

	if (attr_dir < 0 && (attr_dir = own = rf_apparmor_open_attr(err)) < 0)
		goto fail;
	if (read_current(attr_dir, current, sizeof(current), err) < 0 ||
	    rf_apparmor_attr_value(name, no_new_privs, current, value, sizeof(value), err) < 0)
		goto fail;
	fd = openat(attr_dir, "exec", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	/* One write: the kernel reads the whole command from it. */
	n = fd < 0 ? -1 : write(fd, value, strlen(value));
	if (n == (ssize_t)strlen(value))
		return 0;
	if (n < 0 && errno == ENOENT && fd >= 0)
		rf_error_set(err, errno, "no such profile is loaded (apparmor_parser loads one); "
			     "write `%s` to the AppArmor attribute `exec`", value);
	else
		rf_error_set(err, n < 0 ? errno : EIO, "write `%s` to the AppArmor attribute `exec`",
			     value);
fail:
	return rf_error_prefix(err, "AppArmor profile `%.64s`", name);
}
