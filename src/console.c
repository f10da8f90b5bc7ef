/* Console sockets and the container's pty: the protocol is described in
 * include/ringfence/console.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "ringfence/cleanup.h"
#include "ringfence/console.h"

int rf_console_connect(const char *path, rf_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	cleanup_close int fd = -1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return rf_error_set(err, ENAMETOOLONG, "--console-socket: `%s` is longer than %zu bytes",
				    path, sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return rf_error_set(err, errno, "create a socket for the console");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return rf_error_set(err, errno, "--console-socket: connect to `%s`", path);
	return steal_fd(&fd);
}

int rf_console_send_fd(int sock, int fd, const char *name, rf_error *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	memset(&u, 0, sizeof(u));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return rf_error_set(err, errno, "send the pty to the console socket");
	return 0;
}

int rf_console_recv_fd(int sock, rf_error *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char name[PATH_MAX];
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;
	int fd;

	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return rf_error_set(err, errno, "receive the pty");
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return rf_error_set(err, EBADMSG, "no pty came from the container");
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* The slave of `master`, opened through the master (TIOCGPTPEER, Linux 4.13),
 * so it is the one of the same devpts whatever /dev/pts names now. */
static int open_slave(int master, char *name, size_t len, rf_error *err)
{
	int fd;

	if (ptsname_r(master, name, len) != 0)
		return rf_error_set(err, errno, "name the pty");
	fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == EINVAL)
		fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return rf_error_set(err, errno, "open the pty `%s`", name);
	return fd;
}

int rf_console_setup(int sock, uid_t uid, const struct winsize *size, rf_error *err)
{
	cleanup_close int master = -1, slave = -1;
	char name[PATH_MAX];

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return rf_error_set(err, errno, "open `/dev/ptmx` for the container's terminal");
	if (unlockpt(master) < 0)
		return rf_error_set(err, errno, "unlock the pty");
	slave = open_slave(master, name, sizeof(name), err);
	if (slave < 0)
		return -1;
	/* The payload's user owns its terminal, as after a login. */
	if (uid != (uid_t)-1 && fchown(slave, uid, (gid_t)-1) < 0)
		return rf_error_set(err, errno, "chown the pty `%s`", name);
	if (size && ioctl(master, TIOCSWINSZ, size) < 0)
		return rf_error_set(err, errno, "set the size of the pty `%s` (process.consoleSize)",
				    name);
	if (rf_console_send_fd(sock, master, name, err) < 0)
		return -1;
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return rf_error_set(err, errno, "make `%s` the controlling terminal", name);
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return rf_error_set(err, errno, "put the pty on fd %d", fd);
	return 0;
}

/* The caller's window size onto the pty: the kernel tells the container's
 * foreground process group (SIGWINCH) when it changes. */
static void copy_window_size(int master)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(master, TIOCSWINSZ, &ws);
}

/* The relay: a forked process copying the caller's stdin to the pty master
 * and the master to the caller's stdout, until the container's side of the
 * pty is closed (EIO), and the caller's window size whenever its terminal
 * is resized (SIGWINCH, blocked and read from a signalfd; taken first, so a
 * resize is in place before the input typed after it). A process of its own
 * keeps the launcher's one loop (signals, reaping) as it is. SIGWINCH is
 * blocked on entry (rf_console_relay_start): none is lost before the
 * signalfd exists, and the size is copied once more after that. */
static void relay(int master)
{
	sigset_t winch;
	struct pollfd fds[3] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = master, .events = POLLIN },
		{ .fd = -1, .events = POLLIN },
	};
	char buf[4096];

	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	fds[2].fd = signalfd(-1, &winch, SFD_CLOEXEC);   /* none: no resizes, still a relay */
	copy_window_size(master);
	for (;;) {
		ssize_t n;

		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (fds[2].revents) {
			struct signalfd_siginfo si;

			if (read(fds[2].fd, &si, sizeof(si)) != sizeof(si))
				fds[2].fd = -1;
			copy_window_size(master);
		}
		if (fds[1].revents) {
			n = read(master, buf, sizeof(buf));
			if (n <= 0)
				_exit(0);   /* EIO: the last slave fd is closed */
			if (write(STDOUT_FILENO, buf, (size_t)n) != n)
				_exit(1);
		}
		if (fds[0].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0)
				fds[0].fd = -1;   /* stdin ended: keep copying the output */
			else if (write(master, buf, (size_t)n) != n)
				_exit(1);
		}
	}
}

int rf_console_relay_start(int master, pid_t *pid, rf_error *err)
{
	/* The pty starts the size of the caller's terminal. */
	copy_window_size(master);
	*pid = fork();
	if (*pid < 0)
		return rf_error_set(err, errno, "fork the terminal relay");
	if (*pid == 0) {
		sigset_t winch;

		sigemptyset(&winch);
		sigaddset(&winch, SIGWINCH);
		sigprocmask(SIG_SETMASK, &winch, NULL);
		signal(SIGPIPE, SIG_DFL);
		relay(master);
	}
	return 0;
}

int rf_console_raw(int fd, struct termios *saved, bool *changed, rf_error *err)
{
	struct termios raw;

	*changed = false;
	if (!isatty(fd))
		return 0;
	if (tcgetattr(fd, saved) < 0)
		return rf_error_set(err, errno, "read the terminal's settings");
	raw = *saved;
	cfmakeraw(&raw);
	if (tcsetattr(fd, TCSANOW, &raw) < 0)
		return rf_error_set(err, errno, "make the terminal raw");
	*changed = true;
	return 0;
}

int rf_console_relay_back(int back, pid_t *pid, struct termios *saved, bool *raw,
			  rf_error *err)
{
	cleanup_close int master = rf_console_recv_fd(back, err);

	if (master < 0)
		return -1;
	if (rf_console_raw(STDIN_FILENO, saved, raw, err) < 0)
		return -1;
	return rf_console_relay_start(master, pid, err);
}
