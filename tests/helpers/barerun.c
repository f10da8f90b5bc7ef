/* barerun [-c] [-n] [-k CAPS] PARENT -- PATH [ARG...]: the system calls a
 * contained `ringfence run -q --memory 64M --pids 64 -- PATH` makes, in their
 * order, and nothing else: no parsing, no plan, no verdict, no error text.
 * The benchmark's floor (tests/bench): what the kernel charges for the work
 * the contract asks for, so that ringfence's time can be split into the
 * kernel's part and its own.
 *
 *   -c  a cgroup leaf under PARENT (a cgroup2 directory): mkdir, the four
 *       limit files, memory.events read; born in it by CLONE_INTO_CGROUP;
 *       memory.events read again after the exit, the leaf removed.
 *   -n  containment (src/contain.c): a mount namespace whose mounts are made
 *       private, a cgroup namespace, and the leaf's directory cloned read-only
 *       over /sys/fs/cgroup (needs -c).
 *   -k CAPS  the capability set CAPS, a hexadecimal mask as CapBnd in
 *       /proc/PID/status shows it (the bench passes what a ringfence
 *       payload has): the bounding set dropped to it, capset, no_new_privs.
 * Without options it is a vfork (rf_clone3_vfork, as ringfence's) and an
 * exec: a launcher's least.
 * PATH is executed as given (no PATH search). The exit status is the
 * payload's, or 125 when a step fails. A benchmark helper, not a runtime:
 * it checks each call but explains nothing. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "clone-call.h"

struct job {
	char **argv;
	const char *leaf_path;	/* the leaf's path, for the view */
	int leaf_fd;
	int contain, caps;
	uint64_t keep;		/* -k: the capabilities kept */
};

static int write_at(int dirfd, const char *file, const char *value)
{
	int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

static int view(const struct job *j)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
	int mnt;

	if (unshare(CLONE_NEWCGROUP) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	mnt = (int)syscall(SYS_open_tree, AT_FDCWD, j->leaf_path,
			   OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (mnt < 0 || syscall(SYS_mount_setattr, mnt, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0 ||
	    syscall(SYS_move_mount, mnt, "", AT_FDCWD, "/sys/fs/cgroup",
		    MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -1;
	return close(mnt);
}

static int drop_caps(uint64_t mask)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (!(mask & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c) < 0)
			return -1;
	d[0].effective = d[0].permitted = (unsigned)mask;
	d[1].effective = d[1].permitted = (unsigned)(mask >> 32);
	if (syscall(SYS_capset, &h, d) < 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

static int child(void *arg)
{
	const struct job *j = arg;

	if (j->contain && view(j) < 0)
		return 125;
	if (j->caps && drop_caps(j->keep) < 0)
		return 125;
	execv(j->argv[0], j->argv);
	return 127;
}

static int make_leaf(int parent, const char *name)
{
	char buf[512];
	int fd, ev;

	if (mkdirat(parent, name, 0755) < 0)
		return -1;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || write_at(fd, "memory.max", "67108864") < 0 ||
	    write_at(fd, "pids.max", "64") < 0 || write_at(fd, "memory.swap.max", "0") < 0 ||
	    write_at(fd, "memory.oom.group", "1") < 0)
		return -1;
	ev = openat(fd, "memory.events", O_RDONLY | O_CLOEXEC);
	if (ev < 0 || read(ev, buf, sizeof(buf)) < 0)
		return -1;
	close(ev);
	return fd;
}

static int usage(void)
{
	fprintf(stderr, "usage: barerun [-c [-n]] [-k HEXMASK] PARENT -- PATH [ARG...]\n");
	return 125;
}

/* A capability mask in hexadecimal, as /proc/PID/status prints it. */
static int parse_mask(const char *s, uint64_t *mask)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 16);
	if (errno || end == s || *end || *s == '-' || (CAP_LAST_CAP < 63 && v >> (CAP_LAST_CAP + 1)))
		return -1;
	*mask = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct job j = { .leaf_fd = -1 };
	struct rf_clone_args ca = { .exit_signal = SIGCHLD };
	int opt, cgroup = 0, parent = -1, status;
	char name[64], leaf[4096];
	pid_t pid;

	while ((opt = getopt(argc, argv, "+cnk:")) != -1) {
		if (opt == 'c')
			cgroup = 1;
		else if (opt == 'n')
			j.contain = 1;
		else if (opt == 'k' && parse_mask(optarg, &j.keep) == 0)
			j.caps = 1;
		else
			return usage();
	}
	if (argc - optind < 2 || (j.contain && !cgroup))
		return usage();
	j.argv = argv + optind + 1;
	if (!strcmp(j.argv[0], "--"))
		j.argv++;
	if (!j.argv[0])
		return 125;
	if (cgroup) {
		snprintf(name, sizeof(name), "bare-%d", (int)getpid());
		snprintf(leaf, sizeof(leaf), "%s/%s", argv[optind], name);
		parent = open(argv[optind], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		j.leaf_fd = parent < 0 ? -1 : make_leaf(parent, name);
		if (j.leaf_fd < 0)
			return perror("barerun: leaf"), 125;
		j.leaf_path = leaf;
		ca.flags |= CLONE_INTO_CGROUP | (j.contain ? CLONE_NEWNS : 0);
		ca.cgroup = (uint64_t)j.leaf_fd;
	}
	pid = rf_clone3_vfork(&ca, child, &j);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return perror("barerun: clone3"), 125;
	if (cgroup) {
		char buf[512];
		int ev = openat(j.leaf_fd, "memory.events", O_RDONLY | O_CLOEXEC);

		if (ev < 0 || read(ev, buf, sizeof(buf)) < 0 || unlinkat(parent, name, AT_REMOVEDIR) < 0)
			return perror("barerun: leaf"), 125;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
