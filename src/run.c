/* The supervisor of `ringfence run`.
 *
 * Theory of operation
 * ===================
 * Processes. The supervisor (this process) never enters the leaf cgroup: with
 * memory.oom.group an OOM kill takes every process in the leaf, and the
 * supervisor must survive to report it. The child is born inside the leaf by
 * clone3(CLONE_INTO_CGROUP), so not one page it touches is charged elsewhere
 * and there is no window in which it runs outside its limits. With a pid
 * namespace the child is that namespace's pid 1: a minimal init (child.c) that
 * forks the payload, reaps orphans and passes the payload's status back.
 *
 * Pipes. `sync` (supervisor -> child): the child waits for one byte before it
 * does anything, so the supervisor can first write uid/gid maps, move a child
 * created by the clone() fallback into the leaf, and hand it the terminal; EOF
 * instead of the byte means the supervisor died before PR_SET_PDEATHSIG took
 * hold. `msg` (child -> supervisor, O_CLOEXEC): a setup or exec failure is sent
 * as one rf_child_msg (exit code 125/126/127 and the reason); a successful exec
 * closes the payload's end. The pid-namespace init also sends the payload's
 * wait status on it. Messages are read once the child has been reaped.
 *
 * Order of setup in the child (why):
 *   1. close the supervisor's pipe ends, PR_SET_PDEATHSIG, then wait for
 *      `sync`                                  (never outlive the supervisor)
 *   2. unshare(CLONE_NEWCGROUP)                (only now is it in the leaf, so the
 *                                               namespace is rooted at the leaf)
 *   3. mounts: private propagation, binds, read-only root, ipc, tmpfs and
 *      binds placed, /proc, cgroupfs           (order: mounts.c)
 *   4. hostname, loopback up                   (needs CAP_SYS_ADMIN / CAP_NET_ADMIN)
 *   5. pid namespace: become init, fork the payload, close all but the `msg`
 *      pipe; the rest runs in the payload
 *   6. rlimits, oom_score_adj, NUMA policy     (raising limits needs privilege)
 *   7. bounding set, then uid/gid/groups, chdir (dropping bounding caps needs
 *                                               CAP_SETPCAP, gone after setuid)
 *   8. capabilities, no_new_privs, PR_SET_PDEATHSIG again (the uid switch
 *                                               cleared it)
 *   9. seccomp                                 (last: setup syscalls stay allowed)
 *  10. unblock signals, close every fd but 0-2 (and --preserve-fds), exec
 *
 * The supervisor blocks SIGCHLD and the signals it forwards (INT, TERM, HUP,
 * QUIT; not a terminal's INT or QUIT when the child is in the supervisor's
 * process group and got them too) before it makes the leaf, so a signal
 * during setup waits for the payload instead of stranding an empty leaf,
 * and waits on a signalfd,
 * a timerfd for --timeout, and POLLPRI on memory.events (per-node usage is
 * sampled then and every 250 ms).
 * When the child is reaped: leftover processes of the leaf are killed with
 * cgroup.kill, counters are read from the emptied leaf, and the leaf is
 * removed. Every exit path, including a failed setup, removes the leaf. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "counters.h"
#include "ringfence/cgroup.h"
#include "ringfence/cleanup.h"
#include "ringfence/isolation.h"
#include "ringfence/kmsg.h"
#include "ringfence/numa.h"
#include "ringfence/run.h"
#include "ringfence/tty.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#define SAMPLE_MS 250

/* struct clone_args of Linux 5.7 (CLONE_INTO_CGROUP), spelled out to avoid
 * mixing <linux/sched.h> with glibc's <sched.h>. */
struct rf_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

typedef struct run_state {
	const rf_plan *plan;
	const rf_diag *diag;
	cg_mount mount;
	cg_leaf leaf;
	rf_ancestors ancestors;
	int sync_rd, sync_wr, msg_rd, msg_wr;
	int sigfd, timerfd, eventsfd, kmsgfd;
	sigset_t old_mask;
	bool mask_saved;
	sigset_t early;          /* forwarded signals that came before the child */
	rf_tty tty;
	pid_t child;
	struct timespec start;
} run_state;

static void state_init(run_state *rs, const rf_plan *plan, const rf_diag *diag)
{
	memset(rs, 0, sizeof(*rs));
	rs->plan = plan;
	rs->diag = diag;
	rs->leaf.dirfd = rs->leaf.parent_fd = -1;
	rs->sync_rd = rs->sync_wr = rs->msg_rd = rs->msg_wr = -1;
	rs->sigfd = rs->timerfd = rs->eventsfd = rs->kmsgfd = -1;
	rs->child = -1;
	rs->tty.fd = -1;
}

static void state_release(run_state *rs)
{
	rf_error ignored;

	rf_closep(&rs->sync_rd);
	rf_closep(&rs->sync_wr);
	rf_closep(&rs->msg_rd);
	rf_closep(&rs->msg_wr);
	rf_closep(&rs->sigfd);
	rf_closep(&rs->timerfd);
	rf_closep(&rs->eventsfd);
	rf_closep(&rs->kmsgfd);
	if (rs->child > 0) {
		/* Failure after clone: the child must not outlive us. */
		kill(rs->child, SIGKILL);
		waitpid(rs->child, NULL, 0);
	}
	cg_leaf_destroy(&rs->leaf, &ignored);
	rf_tty_restore(&rs->tty, &ignored);
	rf_tty_close(&rs->tty);
	if (rs->mask_saved)
		sigprocmask(SIG_SETMASK, &rs->old_mask, NULL);
}

static uint64_t elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - start->tv_sec) * 1000 +
	       (uint64_t)((now.tv_nsec - start->tv_nsec) / 1000000);
}

/* Controllers the plan needs in the leaf; memory and pids always, for the verdict. */
static unsigned needed_controllers(const rf_limits *lim)
{
	unsigned need = CG_CTRL_MEMORY | CG_CTRL_PIDS;

	if (lim->cpu_quota_us.set || lim->cpu_weight.set)
		need |= CG_CTRL_CPU;
	if (lim->cpuset_cpus || lim->cpuset_mems)
		need |= CG_CTRL_CPUSET;
	for (size_t i = 0; i < lim->n_unified; i++) {
		const char *k = lim->unified[i].key;
		size_t n = strcspn(k, ".");
		char name[32];

		if (n < sizeof(name)) {
			memcpy(name, k, n);
			name[n] = '\0';
			need |= cg_parse_controllers(name);
		}
	}
	return need;
}

static int make_leaf(run_state *rs, rf_error *err)
{
	const rf_plan *plan = rs->plan;
	char parent[PATH_MAX];

	if (cg_find_mount(&rs->mount, err) < 0 ||
	    cg_prepare_parent(&rs->mount, plan->cgroup_parent, needed_controllers(&plan->limits),
			      parent, sizeof(parent), err) < 0)
		return -1;
	cg_sweep_orphans(&rs->mount, parent, rs->diag);
	if (cg_leaf_create(&rs->mount, parent, plan->name, &plan->limits, &rs->leaf, err) < 0)
		return -1;
	rf_ancestors_snapshot(&rs->mount, rs->leaf.rel, &rs->ancestors);
	/* memory.events changes are how the kernel tells us an OOM is happening. */
	rs->eventsfd = openat(rs->leaf.dirfd, "memory.events", O_RDONLY | O_CLOEXEC);
	return 0;
}

/* What the supervisor passes on to the command. */
static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static int block_signals(run_state *rs, rf_error *err)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < RF_ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(&set, forwarded_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, &rs->old_mask) < 0)
		return rf_error_set(err, errno, "block signals");
	rs->mask_saved = true;
	rs->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (rs->sigfd < 0)
		return rf_error_set(err, errno, "create signalfd");
	return 0;
}

static int make_pipes(run_state *rs, rf_error *err)
{
	int s[2], m[2];

	if (pipe2(s, O_CLOEXEC) < 0)
		return rf_error_set(err, errno, "create sync pipe");
	rs->sync_rd = s[0];
	rs->sync_wr = s[1];
	if (pipe2(m, O_CLOEXEC) < 0)
		return rf_error_set(err, errno, "create message pipe");
	rs->msg_rd = m[0];
	rs->msg_wr = m[1];
	return 0;
}

/* Born in the leaf with clone3; clone() plus a move into cgroup.procs where
 * clone3 is missing (before Linux 5.7) or RINGFENCE_NO_CLONE3 asks for it. */
static pid_t do_clone(run_state *rs, bool *in_leaf)
{
	int ns = rs->plan->iso.ns_flags & ~CLONE_NEWCGROUP;
	struct rf_clone_args args = {
		.flags = CLONE_INTO_CGROUP | (uint64_t)ns,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)rs->leaf.dirfd,
	};
	pid_t pid = -1;

	*in_leaf = true;
	if (!getenv("RINGFENCE_NO_CLONE3")) {
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0 || (errno != ENOSYS && errno != E2BIG))
			return pid;
	}
	*in_leaf = false;
	return (pid_t)syscall(SYS_clone, (unsigned long)ns | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* The signals to forward are blocked from before the leaf is made. Those that
 * came since (a Ctrl-C during setup) reached only us: the child does not exist
 * yet to have its own copy. They are held here and sent on once it does. */
static void hold_early_signals(run_state *rs)
{
	struct signalfd_siginfo si;

	sigemptyset(&rs->early);
	while (read(rs->sigfd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo != SIGCHLD)
			sigaddset(&rs->early, (int)si.ssi_signo);
}

static void send_early_signals(run_state *rs, rf_outcome *o)
{
	for (size_t i = 0; i < RF_ARRAY_SIZE(forwarded_signals); i++)
		if (sigismember(&rs->early, forwarded_signals[i])) {
			kill(rs->child, forwarded_signals[i]);
			o->forwarded_signal = forwarded_signals[i];
		}
}

static int spawn(run_state *rs, char **envp, rf_error *err)
{
	rf_child_ctx ctx = {
		.plan = rs->plan, .envp = envp,
		.sync_fd = rs->sync_rd, .msg_fd = rs->msg_wr,
		.sync_wr = rs->sync_wr, .msg_rd = rs->msg_rd,
		.ns_flags = rs->plan->iso.ns_flags,
	};
	bool in_leaf;
	char pid[32];

	if (rs->plan->proc.tty && rf_tty_open(&rs->tty, STDIN_FILENO, err) < 0)
		return -1;
	hold_early_signals(rs);
	clock_gettime(CLOCK_MONOTONIC, &rs->start);
	rs->child = do_clone(rs, &in_leaf);
	if (rs->child < 0)
		return rf_error_set(err, errno, "clone3 into leaf `%s`", rs->leaf.rel);
	if (rs->child == 0)
		rf_child_main(&ctx);
	rf_closep(&rs->sync_rd);
	rf_closep(&rs->msg_wr);

	snprintf(pid, sizeof(pid), "%d", (int)rs->child);
	if (!in_leaf && cg_write(rs->leaf.dirfd, "cgroup.procs", pid, err) < 0)
		return rf_error_prefix(err, "move the command into leaf `%s`", rs->leaf.rel);
	if ((rs->plan->iso.ns_flags & CLONE_NEWUSER) &&
	    rf_ns_write_idmaps(rs->child, rs->plan, getuid(), getgid(), err) < 0)
		return -1;
	if (rf_tty_give(&rs->tty, rs->child, err) < 0)
		return -1;
	if (write(rs->sync_wr, "g", 1) != 1)
		return rf_error_set(err, errno, "start the command");
	rf_closep(&rs->sync_wr);
	return 0;
}

static void arm_timer(run_state *rs, uint64_t ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000 },
	};

	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	timerfd_settime(rs->timerfd, 0, &its, NULL);
}

static void on_timer(run_state *rs, rf_outcome *o)
{
	uint64_t ticks;
	rf_error err;

	if (read(rs->timerfd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	if (!o->timed_out) {
		o->timed_out = true;
		kill(rs->child, SIGTERM);
		arm_timer(rs, rs->plan->sup.kill_after_ms);
		return;
	}
	if (cg_leaf_kill(&rs->leaf, &err) == 0)
		o->killed_by_us = true;
}

/* Returns true once the child has been reaped. */
static bool on_signal(run_state *rs, rf_outcome *o)
{
	struct signalfd_siginfo si;
	bool reaped = false;

	while (read(rs->sigfd, &si, sizeof(si)) == sizeof(si)) {
		int status;

		if (si.ssi_signo != SIGCHLD) {
			/* Ctrl-C and Ctrl-\ signal the terminal's whole foreground
			 * group: a child that shares ours has its own copy already. */
			if ((si.ssi_signo == SIGINT || si.ssi_signo == SIGQUIT) &&
			    si.ssi_code == SI_KERNEL && getpgid(rs->child) == getpgrp())
				continue;
			kill(rs->child, (int)si.ssi_signo);
			o->forwarded_signal = (int)si.ssi_signo;
			continue;
		}
		if (waitpid(rs->child, &status, WNOHANG) == rs->child) {
			o->wait_status = status;
			reaped = true;
		}
	}
	return reaped;
}

/* kernfs reports a changed file until it is read again: read it to re-arm. */
static void rearm_events(int fd)
{
	char buf[512];

	if (lseek(fd, 0, SEEK_SET) == 0)
		while (read(fd, buf, sizeof(buf)) > 0)
			;
}

static void supervise(run_state *rs, rf_outcome *o, rf_counters *c)
{
	struct pollfd fds[3] = {
		{ .fd = rs->sigfd, .events = POLLIN },
		{ .fd = rs->timerfd, .events = POLLIN },
		{ .fd = rs->eventsfd, .events = POLLPRI },
	};
	bool reaped = false;
	rf_error ignored;

	if (rs->plan->sup.timeout_ms)
		arm_timer(rs, rs->plan->sup.timeout_ms);
	send_early_signals(rs, o);
	while (!reaped) {
		int n = poll(fds, 3, SAMPLE_MS);

		if (n < 0 && errno != EINTR) {
			/* Cannot watch any more: end the run rather than guess. */
			cg_leaf_kill(&rs->leaf, &ignored);
			o->killed_by_us = true;
			while (waitpid(rs->child, &o->wait_status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		if (n < 0)
			continue;
		if (fds[2].revents & (POLLPRI | POLLERR))
			rearm_events(rs->eventsfd);
		if (fds[2].revents & (POLLPRI | POLLERR) || n == 0)
			rf_numa_sample(rs->leaf.dirfd, c, &ignored);
		if (fds[1].revents & POLLIN)
			on_timer(rs, o);
		if (fds[0].revents & POLLIN)
			reaped = on_signal(rs, o);
	}
	o->wall_ms = elapsed_ms(&rs->start);
	rs->child = -1;
}

/* After the child is reaped: what the child (or the pid-namespace init) said. */
static void read_messages(run_state *rs, rf_outcome *o)
{
	rf_child_msg m;

	o->launched = true;
	fcntl(rs->msg_rd, F_SETFL, O_NONBLOCK);
	while (read(rs->msg_rd, &m, sizeof(m)) == sizeof(m)) {
		m.msg[sizeof(m.msg) - 1] = '\0';
		if (m.kind == RF_MSG_STATUS) {
			o->wait_status = m.status;
		} else if (m.kind == RF_MSG_ERROR && o->launched) {
			rf_error e = { .errnum = m.errnum };

			o->launched = false;
			o->launch_code = m.code;
			snprintf(e.msg, sizeof(e.msg), "%s", m.msg);
			rf_error_format(&e, o->launch_msg, sizeof(o->launch_msg));
		}
	}
}

/* Kill leftovers, read the counters from the emptied leaf, remove it. */
static int collect(run_state *rs, rf_outcome *o, rf_counters *c, rf_error *err)
{
	rf_error ignored;

	if (cg_leaf_drain(&rs->leaf, err) < 0)
		return -1;
	rf_numa_sample(rs->leaf.dirfd, c, &ignored);
	rf_counters_read(rs->leaf.dirfd, c);
	c->ancestor_oom = rf_ancestors_oom_delta(&rs->mount, &rs->ancestors);
	if (rs->kmsgfd >= 0)
		o->kmsg_scope = rf_kmsg_scan(rs->kmsgfd, rs->leaf.rel);
	return cg_leaf_destroy(&rs->leaf, err);
}

int rf_run(const rf_plan *plan, const rf_diag *diag, rf_verdict *v, rf_error *err)
{
	cleanup_strv char **envp = NULL;
	run_state rs;
	int r = -1;

	memset(v, 0, sizeof(*v));
	rf_counters_init(&v->c);
	state_init(&rs, plan, diag);
	envp = rf_env_build(&plan->proc, environ, err);
	if (!envp)
		goto out;
	/* Signals first: a Ctrl-C while the leaf is being made waits in the
	 * signalfd and is sent on to the child (hold_early_signals), instead of
	 * killing the supervisor half-way and leaving an empty leaf for the next
	 * run's sweep. */
	if (block_signals(&rs, err) < 0 || make_leaf(&rs, err) < 0)
		goto out;
	snprintf(v->cgroup, sizeof(v->cgroup), "%s", rs.leaf.rel);
	rs.timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (rs.timerfd < 0) {
		rf_error_set(err, errno, "create timerfd");
		goto out;
	}
	rs.kmsgfd = rf_kmsg_open();
	if (make_pipes(&rs, err) < 0 || spawn(&rs, envp, err) < 0)
		goto out;
	supervise(&rs, &v->o, &v->c);
	read_messages(&rs, &v->o);
	if (collect(&rs, &v->o, &v->c, err) < 0)
		goto out;
	rf_verdict_classify(v, plan->sup.plain_exit);
	r = 0;
out:
	state_release(&rs);
	return r;
}
