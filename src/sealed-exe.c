/* Running from a view of ringfence's own binary that no one can write (the
 * CVE-2019-5736 class), as runc does.
 *
 * A process of ringfence's binary enters each container: the child that
 * becomes the container's process, the init of its pid namespace, exec's
 * child. While it runs, /proc/PID/exe names ringfence's binary on the host,
 * and a container can make the kernel run that binary as one of its own
 * processes: a file whose interpreter line is `#!/proc/self/exe` is exec'd
 * with the exec'ing process's binary, ringfence's, as its interpreter. A
 * process in the container that opens that link holds the host's file; once
 * no ringfence runs from it, it can write it, and the next ringfence root
 * starts runs the container's code.
 *
 * So the commands that put a process into a container root exec again first
 * from a view of the binary no one can write: with root, the binary on a
 * mount of its own, read-only and attached nowhere (open_tree, as runc 1.1
 * binds it read-only), which is the same file and costs no copy; otherwise a
 * copy in a memfd sealed against any change. Every /proc/PID/exe of theirs
 * then names that view. Not for a setuid-root ringfence (the view would not
 * be setuid; the binary is root's and its callers' payloads run as
 * themselves), nor for runs without a root of their own, whose payload sees
 * the host's files anyway. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ringfence/cleanup.h"
#include "ringfence/sealed-exe.h"

/* No write, no resize, and no change to that. */
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U   /* Linux 6.3: say so where vm.memfd_noexec asks */
#endif

extern char **environ;

bool rf_sealed_exe_active(void)
{
	cleanup_close int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct statvfs sv;
	int seals;

	if (fd < 0)
		return false;
	seals = fcntl(fd, F_GET_SEALS);
	if (seals >= 0 && (seals & SEALS) == SEALS)
		return true;
	/* a read-only mount: the view below, or a binary installed on one */
	return fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

/* With root: the binary on a read-only mount of its own, attached nowhere. */
static int readonly_view(void)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID };
	int fd = open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (fd < 0)
		return -1;
	if (mount_setattr(fd, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int sealed_copy(rf_error *err)
{
	cleanup_close int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	cleanup_close int fd = -1;
	struct stat st;
	off_t off = 0;

	if (exe < 0 || fstat(exe, &st) < 0)
		return rf_error_set(err, errno, "open ringfence's own binary (/proc/self/exe)");
	fd = memfd_create("ringfence", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)   /* before Linux 6.3 */
		fd = memfd_create("ringfence", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return rf_error_set(err, errno, "create a memfd for a sealed copy of ringfence");
	while (off < st.st_size) {
		ssize_t n = sendfile(fd, exe, &off, (size_t)(st.st_size - off));

		if (n <= 0)
			return rf_error_set(err, n < 0 ? errno : EIO,
					    "copy ringfence's binary into a memfd");
	}
	if (fcntl(fd, F_ADD_SEALS, SEALS) < 0)
		return rf_error_set(err, errno, "seal the copy of ringfence's binary");
	return steal_fd(&fd);
}

int rf_sealed_exe_reexec(char **argv, rf_error *err)
{
	cleanup_close int fd = -1;

	if (rf_sealed_exe_active())
		return 0;
	fd = readonly_view();
	if (fd < 0)
		fd = sealed_copy(err);
	if (fd < 0)
		return -1;
	/* An ELF runs from a close-on-exec descriptor (an O_PATH one too): the
	 * kernel has opened it before the descriptors go. */
	fexecve(fd, argv, environ);
	return rf_error_set(err, errno, "run ringfence's sealed copy");
}
