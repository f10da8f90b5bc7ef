/* Console sockets and container ptys (the OCI `terminal: true` protocol).
 *
 * The caller of `create --console-socket PATH` (conmon, containerd's shim,
 * runc's recvtty) listens on an AF_UNIX stream socket. The runtime connects,
 * and the container process, once its filesystem is in place, makes a pty in
 * its own devpts, sends the master over that connection (one sendmsg: the
 * pty's name as data, exactly one SCM_RIGHTS fd, nothing else: go-runc
 * checks the control length), makes the slave its controlling terminal and
 * its fds 0-2. Nothing comes back. */
#ifndef RINGFENCE_CONSOLE_H
#define RINGFENCE_CONSOLE_H

#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <termios.h>

#include "ringfence/error.h"

/* Launcher: connect to the caller's socket (O_CLOEXEC). Returns the fd. */
int rf_console_connect(const char *path, rf_error *err);

/* Container process, after its mounts and setsid(): the pty above, of
 * `size` when not NULL (process.consoleSize), set before the master leaves;
 * the slave is chowned to `uid` unless it is (uid_t)-1. */
int rf_console_setup(int sock, uid_t uid, const struct winsize *size, rf_error *err);

/* One fd with a short name in one message, and its counterpart (the fd
 * received, O_CLOEXEC). */
int rf_console_send_fd(int sock, int fd, const char *name, rf_error *err);
int rf_console_recv_fd(int sock, rf_error *err);

/* A foreground process with a terminal and no console socket (exec -t,
 * runc's own way): the pty made inside comes back to the launcher over a
 * socketpair, and a forked relay copies stdin to its master and its master
 * to stdout until the process's side closes (waitpid the relay after).
 * rf_console_raw puts the caller's terminal in raw mode (if it is one) so
 * that keys reach the pty as typed; restore *saved after. */
int rf_console_relay_start(int master, pid_t *pid, rf_error *err);
int rf_console_raw(int fd, struct termios *saved, bool *changed, rf_error *err);
/* The two above for a launcher: receive the master on `back`, make stdin
 * raw (*raw says whether it did), start the relay. */
int rf_console_relay_back(int back, pid_t *pid, struct termios *saved, bool *raw,
			  rf_error *err);

#endif
