/* Interactive terminals: the payload gets the caller's terminal as its
 * controlling tty, with job control, and the terminal's signals.
 *
 * Protocol (what a shell does for each job it runs in the foreground):
 *
 *  1. Supervisor, before clone: rf_tty_open(&t, STDIN_FILENO). If fd 0 is a
 *     terminal and our process group is its foreground group, t.active is set
 *     and the terminal's fd, our group and its termios are kept. Otherwise
 *     (not a terminal, or we run in the background) nothing is handed over.
 *  2. Supervisor, after clone and before the child is let go (it has not
 *     exec'd, so its group may still be changed): rf_tty_give(&t, child). The
 *     child leads a new process group, made the terminal's foreground group.
 *     It stays in the caller's session, so the terminal remains its
 *     controlling tty (setsid() would lose it). With a pid namespace the child
 *     is the namespace's init, whose group is group 1 inside: a shell there
 *     finds its group in the foreground (tcgetpgrp() == getpgrp()) and runs
 *     job control normally, moving jobs into groups of its own.
 *  3. From then on Ctrl-C, Ctrl-\ and Ctrl-Z signal the child's group only.
 *     The supervisor stays in the caller's group, now a background group, and
 *     gets none of them: no signal needs to be ignored for that. An init in
 *     the group must ignore what the terminal sends it (si_code SI_KERNEL);
 *     the payload gets its own copy. While in the background the supervisor
 *     should ignore SIGTTOU (a terminal with `tostop` would stop it on a
 *     write) and must not read the terminal.
 *  4. Supervisor, once the child has been reaped: rf_tty_restore(&t) gives the
 *     foreground back to its own group (SIGTTOU blocked around the call: a
 *     background group may not do it otherwise) and restores the termios a
 *     killed full-screen program or shell left raw. Then rf_tty_close(&t).
 *
 * Not handled: a payload that is not a shell and stops on Ctrl-Z stays
 * stopped with the terminal (the supervisor does not relay the stop to its
 * own caller the way su and sudo do); `kill -CONT` from elsewhere resumes it. */
#ifndef RINGFENCE_TTY_H
#define RINGFENCE_TTY_H

#include <stdbool.h>
#include <sys/types.h>
#include <termios.h>

#include "ringfence/error.h"

typedef struct rf_tty {
	bool active;             /* the terminal was ours and will be handed over */
	int fd;                  /* our dup of it (O_CLOEXEC), -1 when inactive */
	pid_t pgrp;              /* our process group, to take the foreground back */
	struct termios saved;
} rf_tty;

/* Is fd a terminal whose foreground process group is ours? */
bool rf_tty_foreground(int fd);

/* Supervisor, before clone. Not a terminal or not ours: 0 with t->active false. */
int rf_tty_open(rf_tty *t, int fd, rf_error *err);

/* Supervisor, before releasing the child: its own process group, made the
 * terminal's foreground. Inactive t: nothing. */
int rf_tty_give(rf_tty *t, pid_t child, rf_error *err);

/* Supervisor, after the child was reaped: foreground and termios back. */
int rf_tty_restore(rf_tty *t, rf_error *err);
void rf_tty_close(rf_tty *t);

#endif
