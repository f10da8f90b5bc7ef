/* trysys: make one system call by name and say how it went (a test helper).
 *
 *   trysys NAME [ARG...]
 *
 * NAME is a syscall from the table below; ARGs (decimal or 0x hex) replace
 * its harmless default arguments from the left. A few names are shorthands:
 *   clone-newuser   clone(CLONE_NEWUSER | SIGCHLD)  (a child that exits at once)
 *   tiocsti         ioctl(0, TIOCSTI, "x")
 * Prints `ok` and exits 0 when the call succeeds; otherwise prints the errno
 * name (EPERM, ENOSYS, ...) and exits 1. Exit 2 on bad usage.
 * This is a test helper: it deliberately does not link libringfence. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct call {
	const char *name;
	long nr;
	unsigned long args[3];
} calls[] = {
	{ "getpid", SYS_getpid, { 0 } },
	{ "keyctl", SYS_keyctl, { 0 } },            /* KEYCTL_GET_KEYRING_ID */
	{ "add_key", SYS_add_key, { 0 } },
	{ "request_key", SYS_request_key, { 0 } },
	{ "bpf", SYS_bpf, { 0 } },
	{ "perf_event_open", SYS_perf_event_open, { 0 } },
	{ "userfaultfd", SYS_userfaultfd, { 0 } },
	{ "unshare", SYS_unshare, { CLONE_NEWUSER } },
	{ "setns", SYS_setns, { (unsigned long)-1 } },
	{ "mount", SYS_mount, { 0 } },
	{ "umount2", SYS_umount2, { 0 } },
	{ "pivot_root", SYS_pivot_root, { 0 } },
	{ "ptrace", SYS_ptrace, { 2, 1 } },         /* PTRACE_PEEKDATA of pid 1 */
	{ "kexec_load", SYS_kexec_load, { 0 } },
	{ "init_module", SYS_init_module, { 0 } },
	{ "clone3", SYS_clone3, { 0 } },
	{ "personality", SYS_personality, { 0 } },
	{ "io_uring_setup", SYS_io_uring_setup, { 0 } },
	{ "syslog", SYS_syslog, { 10 } },           /* SYSLOG_ACTION_SIZE_BUFFER */
	{ "socket", SYS_socket, { 17, 3, 0 } },     /* AF_PACKET, SOCK_RAW: needs NET_RAW */
};

static int parse_arg(const char *s, unsigned long *out)
{
	char *end = NULL;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 0);
	return errno || *end ? -1 : 0;
}

static int report(long r)
{
	if (r >= 0) {
		puts("ok");
		return 0;
	}
	puts(strerrorname_np(errno) ? strerrorname_np(errno) : strerror(errno));
	return 1;
}

static long clone_newuser(void)
{
	long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);

	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return r;
}

int main(int argc, char **argv)
{
	const struct call *c = NULL;
	unsigned long a[3];
	char x = 'x';

	if (argc < 2) {
		fprintf(stderr, "usage: trysys NAME [ARG...]\n");
		return 2;
	}
	if (!strcmp(argv[1], "clone-newuser"))
		return report(clone_newuser());
	if (!strcmp(argv[1], "tiocsti"))
		return report(ioctl(0, TIOCSTI, &x));
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!strcmp(calls[i].name, argv[1]))
			c = &calls[i];
	if (!c || argc > 5) {
		fprintf(stderr, "trysys: unknown syscall `%s` or too many arguments\n", argv[1]);
		return 2;
	}
	memcpy(a, c->args, sizeof(a));
	for (int i = 2; i < argc; i++)
		if (parse_arg(argv[i], &a[i - 2]) < 0) {
			fprintf(stderr, "trysys: `%s` is not a number\n", argv[i]);
			return 2;
		}
	return report(syscall(c->nr, a[0], a[1], a[2], 0, 0, 0));
}
