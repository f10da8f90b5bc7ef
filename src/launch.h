/* Preparing a launch: the leaf, the pipes and the child blocked before exec
 * (src/launch.c). Shared by the supervisor of `ringfence run` (src/run.c) and
 * the container layer, which starts the same child from the same plan but
 * does not stay to supervise it. The theory of operation is at the top of
 * src/run.c. */
#ifndef RINGFENCE_SRC_LAUNCH_H
#define RINGFENCE_SRC_LAUNCH_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "counters.h"
#include "ringfence/cgroup-manager.h"
#include "ringfence/hooks.h"
#include "ringfence/plan.h"
#include "ringfence/tty.h"

typedef struct rf_launch {
	const rf_plan *plan;
	const rf_diag *diag;
	cg_placement place;      /* where the cgroup manager put us (cgroup-manager.h) */
	cg_leaf leaf;
	int nested_fd;           /* the leaf's `payload` child, when the child is born there */
	rf_ancestors ancestors;
	int sync_rd, sync_wr, msg_rd, msg_wr;
	int sigfd, timerfd, eventsfd, kmsgfd;
	sigset_t old_mask;
	bool mask_saved;
	sigset_t early;          /* forwarded signals that came before the child */
	rf_tty tty;
	pid_t child;
	struct timespec start;
	/* Nobody reads the verdict beyond the exit status (`run -q` without a
	 * report): the leaf's memory.events is all that is read, and neither the
	 * ancestors' counters nor the kernel log are opened. */
	bool exit_status_only;
	/* The container layer's options, set between init and spawn (see
	 * rf_child_ctx): -1, false and none for `ringfence run`. */
	int start_fd;
	int console_fd;
	bool detach;
	const int *close_fds;
	size_t n_close_fds;
	/* exec: join the namespaces of the process behind join_pidfd (join_pid
	 * for the /proc fallback), those in join_flags; the leaf is borrowed. */
	int join_pidfd;
	pid_t join_pid;
	int join_flags;
	bool leaf_borrowed;
	/* Our mountinfo, opened and read before placement, and the cgroup2
	 * mount points read from it, for the child (rf_contain_src); -1 and
	 * NULL when the child needs none or reads its own. */
	int mountinfo_fd;
	char **cgroup2_mps;
	/* create's OCI hooks (hooks.hooks NULL: none in the launch): the child
	 * stops before pivot_root for rf_launch_hooks(). */
	rf_hook_state hooks;
} rf_launch;

/* What the supervisor passes on to the command (and so blocks from the start). */
extern const int rf_forwarded_signals[4];

/* Those signals as a set. */
void rf_forwarded_set(sigset_t *set);

void rf_launch_init(rf_launch *l, const rf_plan *plan, const rf_diag *diag);

/* Block SIGCHLD and the forwarded signals (into l->sigfd), then create the
 * leaf with the plan's limits and open its memory.events (and /dev/kmsg,
 * unless detached). */
int rf_launch_prepare(rf_launch *l, rf_error *err);

/* exec: block the signals, as above, and use the existing leaf `rel` (a
 * container's) instead of making one; it is left in place. */
int rf_launch_prepare_in(rf_launch *l, const char *rel, rf_error *err);

/* Make the pipes and clone the child into the leaf; write its id maps, hand
 * it the terminal, and let it go. The child runs rf_child_main(). */
int rf_launch_spawn(rf_launch *l, char **envp, rf_error *err);

/* With l->hooks: wait for the child's stop before pivot_root, run the
 * prestart and createRuntime hooks (status "creating", the child's pid) and
 * let it go on, or report why it stopped or which hook failed. */
int rf_launch_hooks(rf_launch *l, rf_error *err);

/* Without start_fd: wait until the child has exec'd its command (true: its
 * end of the message pipe closed with nothing sent) or has failed (false:
 * its message is left for the supervisor), or a signal to forward came
 * (false: left pending for the supervisor). The container process itself
 * is the child: nothing else holds that end (its hooks get none of its
 * descriptors). */
bool rf_launch_wait_exec(rf_launch *l);

/* With start_fd: wait until the child has set up and found its command
 * (READY), or report why it could not (its message, or that it died). */
int rf_launch_wait_ready(rf_launch *l, rf_error *err);

/* The child, the leaf and the placement outlive us (create): forget them,
 * keeping the leaf out of the orphan sweep, so rf_launch_release() leaves
 * them alone (cg_manager_detach() first, for what must stay). */
void rf_launch_detach(rf_launch *l);

/* The supervisor (src/run.c): wait for the child, forwarding signals and
 * enforcing the timeout, then drain and remove the leaf and classify. */
struct rf_verdict;
int rf_run_supervise(rf_launch *l, struct rf_verdict *v, rf_error *err);

/* exec in the foreground: wait for the child as rf_run_supervise does
 * (signals forwarded), without touching the leaf; o says how it ended. */
struct rf_outcome;
void rf_run_wait(rf_launch *l, struct rf_outcome *o);

/* Close everything; a child still recorded is killed and reaped, the leaf is
 * destroyed and the placement released, the terminal and the signal mask are
 * restored. */
void rf_launch_release(rf_launch *l);

#endif
