/* The child side of `ringfence run` (src/child.c); theory of operation in src/run.c. */
#ifndef RINGFENCE_SRC_CHILD_H
#define RINGFENCE_SRC_CHILD_H

#include <stdbool.h>

#include "ringfence/contain.h"
#include "ringfence/hooks.h"
#include "ringfence/plan.h"

/* Messages the child (or the pid-namespace init) sends on the CLOEXEC message
 * pipe. Each fits in PIPE_BUF, so a write is atomic. */
enum {
	RF_MSG_ERROR = 1,        /* setup or exec failed: code is 125/126/127 */
	RF_MSG_STATUS = 2,       /* pid-namespace init: the payload's wait status */
	RF_MSG_READY = 3,        /* set up, the command found: waiting on start_fd */
	RF_MSG_HOOKS = 4,        /* stopped before pivot_root for the launcher's
				  * OCI hooks: waiting for our pid on sync_fd */
};

typedef struct rf_child_msg {
	int kind;
	int code;                /* exit code for RF_MSG_ERROR */
	int errnum;
	int status;              /* wait status for RF_MSG_STATUS */
	char msg[RF_ERROR_MSG_MAX];
} rf_child_msg;

typedef struct rf_child_ctx {
	const rf_plan *plan;
	char **envp;             /* the payload's environment, built before clone */
	int sync_fd;             /* read end: one byte from the supervisor means go
				  * (when wait_sync), EOF that it died */
	uint64_t bounding;       /* the capability bounding set, or RF_CAPS_UNKNOWN */
	bool wait_sync;          /* the supervisor has work to do on the child
				  * (id maps, terminal, a move into the leaf)
				  * before it may go on */
	int msg_fd;              /* write end of the message pipe */
	int sync_wr, msg_rd;     /* the supervisor's ends, closed first thing */
	int ns_flags;            /* every namespace of the child, rf_contain_ns_flags(): those
				  * clone3 created, and CLONE_NEWCGROUP, unshared here */
	/* The container layer's launch (src/launch.h); -1 and false for `run`. */
	int start_fd;            /* after setup: send READY, then wait for one byte here */
	int console_fd;          /* a connected console socket: send it the pty master */
	bool detach;             /* we outlive the launcher: no parent-death signal */
	const int *close_fds;    /* the launcher's fds (locks) closed first thing */
	size_t n_close_fds;
	int join_pidfd;          /* exec: join join_flags namespaces of this process */
	pid_t join_pid;          /* (its pid, for kernels without setns on a pidfd) */
	int join_flags;
	/* create's OCI hooks: the child stops before pivot_root for the
	 * launcher's (RF_MSG_HOOKS; the launcher sends back the child's pid as
	 * the host sees it, host_pid), then runs createContainer and, before
	 * the exec, startContainer itself. NULL: none, and sync_fd is closed
	 * after the first go. */
	const rf_hook_state *hooks;
	pid_t host_pid;
	int aa_dir;              /* set by rf_child_main: the AppArmor attribute
				  * directory of the thread that will exec, or -1 */
	rf_contain_src birth;   /* the cgroup the child is born in (fd -1: not known,
				  * as for exec), for containment's view */
} rf_child_ctx;

/* Runs in the process clone3 created; never returns. */
__attribute__((noreturn)) void rf_child_main(const rf_child_ctx *ctx);

#endif
