/* The supervisor of `ringfence run`. Preparing the launch (signals, leaf,
 * pipes, clone) is src/launch.c; the child's side is src/child.c; this file
 * watches the child and reads the verdict.
 *
 * Theory of operation
 * ===================
 * Processes. The supervisor (this process) never enters the leaf cgroup: with
 * memory.oom.group an OOM kill takes every process in the leaf, and the
 * supervisor must survive to report it. The child is born inside the leaf by
 * clone3(CLONE_INTO_CGROUP), so not one page it touches is charged elsewhere
 * and there is no window in which it runs outside its limits. With a pid
 * namespace the child is that namespace's pid 1: a minimal init (child.c) that
 * starts the payload, reaps orphans and passes the payload's status back.
 * Whoever starts the payload shares its memory with it until the exec, as a
 * vfork (rf_clone3_vfork): the supervisor, unless the child has more to do
 * than exec (launch.c, may_share_vm), and the init always. Nothing is copied.
 *
 * Pipes. `sync` (supervisor -> child): when the supervisor has work to do on
 * the child first (write uid/gid maps, move a child created by the clone()
 * fallback into the leaf, hand it the terminal), the child waits for one byte
 * before it does anything. Otherwise it goes on at once: a hand-over costs
 * both processes a sleep and a wake-up, and most runs need none. Either way
 * the supervisor's write end stays open until it is done, so the child, once
 * PR_SET_PDEATHSIG holds, can tell whether the supervisor died before that:
 * EOF instead of the byte, or POLLHUP. `msg` (child -> supervisor,
 * O_CLOEXEC): a setup or exec failure is sent as one rf_child_msg (exit code
 * 125/126/127 and the reason); a successful exec closes the payload's end.
 * The pid-namespace init also sends the payload's wait status on it.
 * Messages are read once the child has been reaped.
 *
 * Order of setup in the child (why):
 *   1. close the supervisor's pipe ends, PR_SET_PDEATHSIG, then check (or
 *      wait for) `sync`                        (never outlive the supervisor)
 *   2. unshare(CLONE_NEWCGROUP)                (only now is it in the leaf, so the
 *                                               namespace is rooted at the leaf;
 *                                               every run has one: contain.c)
 *   3. mounts: private propagation, binds, read-only root, ipc, tmpfs and
 *      binds placed, /proc, the read-only cgroupfs view (order: mounts.c);
 *      a container's root stops before pivot_root for create's OCI hooks
 *      (container-lifecycle.c)
 *   4. hostname, loopback up                   (needs CAP_SYS_ADMIN / CAP_NET_ADMIN)
 *   5. pid namespace: become init, start the payload, close all but the `msg`
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
 * a timerfd for --timeout, and POLLPRI on memory.events. It sleeps until one
 * of them has something: per-node usage (memory.numa_stat) is sampled when
 * memory.events changes (the sandbox reached a limit), and only while a NUMA
 * option (--numa-*, cpuset.mems) places the memory also every 250 ms and at
 * the end: no kernel event reports on it. A payload that sleeps with no such
 * option costs the supervisor no wake-up at all.
 * A SIGTERM, whether --timeout sends it or a caller's is forwarded (a
 * scheduler cancelling the job: Slurm's scancel, systemctl stop, docker
 * stop), starts the --kill-after grace; when it runs out, cgroup.kill ends
 * everything in the leaf. A caller who sends SIGTERM SIGKILLs after a grace
 * of its own (Slurm's KillWait, 30 s by default), and that would reach only
 * the supervisor: the payload's processes in the leaf, which such a caller
 * may not even see, would outlive the job.
 * When the child is reaped: leftover processes of the leaf are killed with
 * cgroup.kill, counters are read from the emptied leaf, and the leaf is
 * removed. Every exit path, including a failed setup, removes the leaf. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "fault.h"
#include "launch.h"
#include "ringfence/cleanup.h"
#include "ringfence/isolation.h"
#include "ringfence/kmsg.h"
#include "ringfence/numa.h"
#include "ringfence/run.h"

#define SAMPLE_MS 250

static uint64_t elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - start->tv_sec) * 1000 +
	       (uint64_t)((now.tv_nsec - start->tv_nsec) / 1000000);
}

static void arm_timer(rf_launch *rs, uint64_t ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000 },
	};

	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	timerfd_settime(rs->timerfd, 0, &its, NULL);
}

/* What the supervisor's loop keeps between events. */
typedef struct watch {
	rf_launch *l;
	rf_outcome *o;
	bool stopping;           /* SIGTERM sent (--timeout or forwarded): the
				  * timer runs the --kill-after grace */
} watch;

/* SIGTERM to the command, then cgroup.kill --kill-after later. */
static void begin_stop(watch *w)
{
	w->stopping = true;
	arm_timer(w->l, w->l->plan->sup.kill_after_ms);
}

/* Pass a signal on to the command; a SIGTERM starts the grace. */
static void forward(watch *w, int sig)
{
	kill(w->l->child, sig);
	w->o->forwarded_signal = sig;
	if (sig == SIGTERM && !w->stopping)
		begin_stop(w);
}

static void send_early_signals(watch *w)
{
	for (size_t i = 0; i < RF_ARRAY_SIZE(rf_forwarded_signals); i++)
		if (sigismember(&w->l->early, rf_forwarded_signals[i]))
			forward(w, rf_forwarded_signals[i]);
}

static void on_timer(watch *w)
{
	uint64_t ticks;
	rf_error err;

	if (read(w->l->timerfd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	if (!w->stopping) {
		w->o->timed_out = true;
		kill(w->l->child, SIGTERM);
		begin_stop(w);
		return;
	}
	if (cg_leaf_kill(&w->l->leaf, &err) == 0)
		w->o->killed_by_us = true;
}

/* Returns true once the child has been reaped. */
static bool on_signal(watch *w)
{
	rf_launch *rs = w->l;
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
			forward(w, (int)si.ssi_signo);
			continue;
		}
		if (waitpid(rs->child, &status, WNOHANG) == rs->child) {
			w->o->wait_status = status;
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

/* Per-node usage has no kernel event of its own: sample it on a timer only
 * when the plan places memory on nodes, and someone reads the report. */
static int sample_interval_ms(const rf_launch *rs)
{
	const rf_plan *plan = rs->plan;

	if (rs->exit_status_only)
		return -1;
	return plan->proc.mempolicy.mode != RF_MPOL_NONE || plan->limits.cpuset_mems ? SAMPLE_MS
										      : -1;
}

static void supervise(rf_launch *rs, rf_outcome *o, rf_counters *c)
{
	struct pollfd fds[3] = {
		{ .fd = rs->sigfd, .events = POLLIN },
		{ .fd = rs->timerfd, .events = POLLIN },
		{ .fd = rs->eventsfd, .events = POLLPRI },
	};
	watch w = { .l = rs, .o = o };
	bool reaped = false;
	int interval = sample_interval_ms(rs);
	rf_error ignored;

	if (rs->plan->sup.timeout_ms)
		arm_timer(rs, rs->plan->sup.timeout_ms);
	send_early_signals(&w);
	while (!reaped) {
		int n = poll(fds, 3, interval);

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
		if ((fds[2].revents & (POLLPRI | POLLERR) || n == 0) && !rs->exit_status_only)
			rf_numa_sample(rs->leaf.dirfd, c, &ignored);
		if (fds[1].revents & POLLIN)
			on_timer(&w);
		if (fds[0].revents & POLLIN)
			reaped = on_signal(&w);
	}
	o->wall_ms = elapsed_ms(&rs->start);
	rs->child = -1;
}

/* After the child is reaped: what the child (or the pid-namespace init) said. */
static void read_messages(rf_launch *rs, rf_outcome *o)
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
static int collect(rf_launch *rs, rf_outcome *o, rf_counters *c, rf_error *err)
{
	rf_error ignored;

	/* memory.events before any leftover is killed: cgroup.kill is no OOM.
	 * Then one rmdir, unless something is left (cg_leaf_destroy). */
	if (rs->exit_status_only) {
		rf_counters_read_events(rs->leaf.dirfd, rs->eventsfd, c);
		return cg_leaf_destroy(&rs->leaf, err);
	}
	if (cg_leaf_drain(&rs->leaf, err) < 0)
		return -1;
	if (sample_interval_ms(rs) > 0)
		rf_numa_sample(rs->leaf.dirfd, c, &ignored);
	rf_counters_read(rs->leaf.dirfd, rs->eventsfd, c);
	c->ancestor_oom = rf_ancestors_oom_delta(&rs->ancestors);
	if (rs->kmsgfd >= 0)
		o->kmsg_scope = rf_kmsg_scan(rs->kmsgfd, rs->leaf.rel);
	return cg_leaf_destroy(&rs->leaf, err);
}

void rf_run_wait(rf_launch *rs, rf_outcome *o)
{
	rf_counters ignored;

	rf_counters_init(&ignored);
	memset(o, 0, sizeof(*o));
	supervise(rs, o, &ignored);
	read_messages(rs, o);
}

int rf_run_supervise(rf_launch *rs, rf_verdict *v, rf_error *err)
{
	rs->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (rs->timerfd < 0)
		return rf_error_set(err, errno, "create timerfd");
	(void)RF_FAULT("supervise");       /* points for a supervisor killed mid-run */
	supervise(rs, &v->o, &v->c);
	read_messages(rs, &v->o);
	(void)RF_FAULT("collect");
	if (collect(rs, &v->o, &v->c, err) < 0)
		return -1;
	rf_verdict_classify(v, rs->plan->sup.plain_exit);
	return 0;
}

int rf_run(const rf_plan *plan, const rf_diag *diag, rf_verdict *v, rf_error *err)
{
	cleanup_strv char **envp = NULL;
	rf_launch rs;
	int r = -1;

	memset(v, 0, sizeof(*v));
	rf_counters_init(&v->c);
	rf_launch_init(&rs, plan, diag);
	/* The exit status needs only to know whether an OOM kill came at the
	 * sandbox's own limit: with -q and no report, that is all that is read. */
	rs.exit_status_only = plan->sup.quiet && !plan->sup.report_path && plan->sup.report_fd < 0;
	envp = rf_env_build(&plan->proc, environ, err);
	if (!envp || rf_launch_prepare(&rs, err) < 0)
		goto out;
	snprintf(v->cgroup, sizeof(v->cgroup), "%s", rs.leaf.rel);
	if (rf_launch_spawn(&rs, envp, err) < 0 || rf_run_supervise(&rs, v, err) < 0)
		goto out;
	r = 0;
out:
	rf_launch_release(&rs);
	return r;
}
