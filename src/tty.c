/* Handing the terminal to the payload and back; the protocol is described in
 * include/ringfence/tty.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "ringfence/tty.h"

bool rf_tty_foreground(int fd)
{
	return isatty(fd) && tcgetpgrp(fd) == getpgrp();
}

int rf_tty_open(rf_tty *t, int fd, rf_error *err)
{
	t->active = false;
	t->fd = -1;
	if (!rf_tty_foreground(fd))
		return 0;
	if (tcgetattr(fd, &t->saved) < 0)
		return rf_error_set(err, errno, "read the terminal's settings");
	t->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (t->fd < 0)
		return rf_error_set(err, errno, "duplicate the terminal's fd");
	t->pgrp = getpgrp();
	t->active = true;
	return 0;
}

/* tcsetpgrp() from a background group, with SIGTTOU blocked: otherwise the
 * kernel stops the caller instead of changing the foreground. */
static int set_foreground(int fd, pid_t pgrp)
{
	sigset_t ttou, old;
	int rc, saved;

	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	rc = tcsetpgrp(fd, pgrp);
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return rc;
}

int rf_tty_give(rf_tty *t, pid_t child, rf_error *err)
{
	if (!t->active)
		return 0;
	if (setpgid(child, child) < 0)
		return rf_error_set(err, errno, "make a process group for the command");
	if (set_foreground(t->fd, child) < 0)
		return rf_error_set(err, errno, "give the terminal to the command");
	return 0;
}

int rf_tty_restore(rf_tty *t, rf_error *err)
{
	if (!t->active)
		return 0;
	if (set_foreground(t->fd, t->pgrp) < 0)
		return rf_error_set(err, errno, "take the terminal back");
	/* TCSADRAIN: what the payload wrote last still reaches the screen. */
	if (tcsetattr(t->fd, TCSADRAIN, &t->saved) < 0)
		return rf_error_set(err, errno, "restore the terminal's settings");
	return 0;
}

void rf_tty_close(rf_tty *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->active = false;
}
