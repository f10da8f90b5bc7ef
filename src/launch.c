/* Preparing a launch (src/launch.h): the signals blocked, the leaf made, the
 * child cloned into it and let go. What happens in the child is in
 * src/child.c; the order of it all, and why, is the theory of operation at
 * the top of src/run.c. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "clone-call.h"
#include "fault.h"
#include "launch.h"
#include "ringfence/caps.h"
#include "ringfence/cleanup.h"
#include "ringfence/fds.h"
#include "ringfence/contain.h"
#include "ringfence/policy.h"
#include "ringfence/devices.h"
#include "ringfence/isolation.h"
#include "ringfence/kmsg.h"

void rf_launch_init(rf_launch *rs, const rf_plan *plan, const rf_diag *diag)
{
	memset(rs, 0, sizeof(*rs));
	rs->plan = plan;
	rs->diag = diag;
	rs->leaf.dirfd = rs->leaf.parent_fd = -1;
	rs->nested_fd = -1;
	cg_placement_init(&rs->place);
	rs->sync_rd = rs->sync_wr = rs->msg_rd = rs->msg_wr = -1;
	rs->sigfd = rs->timerfd = rs->eventsfd = rs->kmsgfd = -1;
	rs->child = -1;
	rs->tty.fd = -1;
	rs->start_fd = rs->console_fd = rs->join_pidfd = -1;
	rs->mountinfo_fd = -1;
}

void rf_launch_release(rf_launch *rs)
{
	rf_error ignored;

	rf_closep(&rs->sync_rd);
	rf_closep(&rs->sync_wr);
	rf_closep(&rs->msg_rd);
	rf_closep(&rs->msg_wr);
	rf_closep(&rs->sigfd);
	rf_closep(&rs->timerfd);
	rf_closep(&rs->eventsfd);
	rf_closep(&rs->mountinfo_fd);
	rf_strv_free(rs->cgroup2_mps);
	rs->cgroup2_mps = NULL;
	rf_closep(&rs->kmsgfd);
	rf_closep(&rs->nested_fd);
	rf_ancestors_close(&rs->ancestors);
	if (rs->child > 0) {
		/* Failure after clone: the child must not outlive us. */
		kill(rs->child, SIGKILL);
		waitpid(rs->child, NULL, 0);
	}
	if (rs->leaf_borrowed)
		cg_leaf_keep(&rs->leaf);
	else
		cg_leaf_destroy(&rs->leaf, &ignored);
	cg_manager_release(&rs->place);
	rf_tty_restore(&rs->tty, &ignored);
	rf_tty_close(&rs->tty);
	if (rs->mask_saved)
		sigprocmask(SIG_SETMASK, &rs->old_mask, NULL);
}

/* "ringfence run: make" for a systemd scope's Description=, printable only. */
static void describe(const rf_plan *plan, char *buf, size_t len)
{
	const char *cmd = strrchr(plan->proc.argv[0], '/');

	snprintf(buf, len, "ringfence run: %.64s", cmd ? cmd + 1 : plan->proc.argv[0]);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
}

/* Whether the child covers the cgroup2 mount points of a copy of our mount
 * namespace with its view (contain.c), and so needs them. */
static bool wants_mounts(const rf_plan *plan)
{
	return (rf_contain_ns_flags(&plan->iso) & CLONE_NEWNS) && !plan->iso.host_cgroupfs &&
	       !plan->iso.rootfs;
}

/* One read of our mountinfo for both the cgroup2 mount (placement) and the
 * cgroup2 mount points the child's view covers: a read renders the table,
 * and the child's own first read of its /proc entries would cost more
 * (contain.c). The file stays open: whether the table changed since it was
 * opened is what the child asks it before it trusts the list. */
static int read_mounts(rf_launch *rs, cg_mount *m, rf_error *err)
{
	cleanup_free char *table = NULL;
	size_t len;

	rs->mountinfo_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (rs->mountinfo_fd < 0)
		return rf_error_set(err, errno, "open `/proc/self/mountinfo`");
	if (rf_mounts_read_fd(rs->mountinfo_fd, &table, &len, err) < 0 ||
	    rf_mounts_list_text(table, len, "/", "cgroup2", &rs->cgroup2_mps, err) < 0)
		return -1;
	return cg_find_mount_in(table, m, err);
}

static int approve_parent(const char *parent_rel, const void *data, rf_error *err)
{
	const rf_plan *plan = data;

	return rf_policy_check_parent(plan->policy, plan->caller, parent_rel, err);
}

static int make_leaf(rf_launch *rs, rf_error *err)
{
	const rf_plan *plan = rs->plan;
	char description[128];
	cg_mount mount;
	cg_request req = {
		.manager = plan->cgroup_manager,
		.parent = plan->cgroup_parent,
		.below = plan->cgroup_below,
		.slice = plan->slice,
		.scope = plan->scope,
		.unit = plan->unit,
		.description = description,
		.need = cg_needed_controllers(&plan->limits),
	};

	describe(plan, description, sizeof(description));
	if (wants_mounts(plan)) {
		if (read_mounts(rs, &mount, err) < 0)
			return -1;
		req.mount = &mount;
	}
	/* A setuid user's leaf stays under every limit the user is under:
	 * asked before the parent is made (systemd's scopes are refused them). */
	if (plan->policy) {
		req.approve = approve_parent;
		req.approve_data = plan;
	}
	if (cg_manager_place(&req, &rs->place, rs->diag, err) < 0)
		return -1;
	if (cg_manager_make_leaf(&rs->place, plan->name, &plan->limits, &rs->leaf, rs->diag,
				 err) < 0 ||
	    rf_devices_attach(rs->leaf.dirfd, &plan->limits, rs->diag, err) < 0)
		return -1;
	if (rf_contain_nested(&plan->iso, rs->place.mount.nsdelegate)) {
		rs->nested_fd = cg_leaf_nest(&rs->leaf, err);
		if (rs->nested_fd < 0)
			return -1;
	}
	if (!rs->exit_status_only)
		rf_ancestors_snapshot(&rs->place.mount, rs->leaf.rel, &rs->ancestors);
	/* memory.events changes are how the kernel tells us an OOM is happening.
	 * kernfs flags a file as changed until it is read once: read it now, so
	 * the first POLLPRI is a real event. */
	rs->eventsfd = openat(rs->leaf.dirfd, "memory.events", O_RDONLY | O_CLOEXEC);
	if (rs->eventsfd >= 0) {
		char buf[512];

		(void)!read(rs->eventsfd, buf, sizeof(buf));
	}
	return 0;
}

const int rf_forwarded_signals[4] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

void rf_forwarded_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < RF_ARRAY_SIZE(rf_forwarded_signals); i++)
		sigaddset(set, rf_forwarded_signals[i]);
}

static int block_signals(rf_launch *rs, rf_error *err)
{
	sigset_t set;

	rf_forwarded_set(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &rs->old_mask) < 0)
		return rf_error_set(err, errno, "block signals");
	rs->mask_saved = true;
	rs->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (rs->sigfd < 0)
		return rf_error_set(err, errno, "create signalfd");
	return 0;
}

static int make_pipes(rf_launch *rs, rf_error *err)
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

/* The cgroup the child is born in: the leaf, or its child without
 * controllers on a host without nsdelegate (contain.c, rule 6). */
static int birth_cgroup(const rf_launch *rs)
{
	return rs->nested_fd >= 0 ? rs->nested_fd : rs->leaf.dirfd;
}

/* The child may share our address space until it execs (CLONE_VM |
 * CLONE_VFORK, as posix_spawn does) when we have nothing to do while it sets
 * up, and nothing it does reaches our process through the shared memory:
 *  - a pid namespace: the child is its init, which never execs;
 *  - wait_sync: we must work on the child after clone, and vfork stops us;
 *  - a container's child (create's start_fd, detach, exec's namespace join,
 *    a console): it waits for `start`, outlives us, or joins namespaces.
 * (An oom_score_adj the child sets stays its own: the kernel gives it to
 * every process sharing the mm, but not from a vfork child, since 4.8.)
 * Then no page is copied or write-protected, for either process: the fork's
 * copy-on-write (and, under an emulator, the TLB flushes it causes) is most
 * of what a short run costs beyond its exec (rf_clone3_vfork). */

static bool may_share_vm(const rf_child_ctx *ctx)
{
	return !(ctx->ns_flags & CLONE_NEWPID) && !ctx->wait_sync && ctx->start_fd < 0 &&
	       !ctx->detach && !ctx->join_flags && ctx->console_fd < 0 && !ctx->hooks;
}

static int child_entry(void *ctx)
{
	rf_child_main(ctx);
}

/* Born in the leaf with clone3; clone() plus a move into cgroup.procs where
 * clone3 is missing (before Linux 5.7) or RINGFENCE_NO_CLONE3 asks for it.
 * The cgroup namespace is the child's to make, once it is in the leaf. The
 * child runs rf_child_main(): here, when it does not share our memory, on
 * return from this function with 0. */
static pid_t do_clone(rf_launch *rs, rf_child_ctx *ctx, bool *in_leaf)
{
	int ns = rf_contain_ns_flags(&rs->plan->iso) & ~CLONE_NEWCGROUP;
	struct rf_clone_args args = {
		.flags = CLONE_INTO_CGROUP | (uint64_t)ns,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)birth_cgroup(rs),
	};
	pid_t pid = -1;

	*in_leaf = true;
	if (!getenv("RINGFENCE_NO_CLONE3")) {
		bool fault = RF_FAULT("clone3");

		if (!fault && may_share_vm(ctx)) {
			pid = rf_clone3_vfork(&args, child_entry, ctx);
			if (pid >= 0 || (errno != ENOSYS && errno != E2BIG))
				return pid;
		}
		pid = fault ? -1 : (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0 || (errno != ENOSYS && errno != E2BIG))
			return pid;
	}
	*in_leaf = false;
	ctx->wait_sync = true;   /* until it is moved into the leaf */
	return (pid_t)syscall(SYS_clone, (unsigned long)ns | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* The signals to forward are blocked from before the leaf is made. Those that
 * came since (a Ctrl-C during setup) reached only us: the child does not exist
 * yet to have its own copy. They are held here and sent on once it does. */
static void hold_early_signals(rf_launch *rs)
{
	struct signalfd_siginfo si;

	sigemptyset(&rs->early);
	while (read(rs->sigfd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo != SIGCHLD)
			sigaddset(&rs->early, (int)si.ssi_signo);
}

int rf_launch_spawn(rf_launch *rs, char **envp, rf_error *err)
{
	rf_child_ctx ctx = {
		.plan = rs->plan, .envp = envp, .ns_flags = rf_contain_ns_flags(&rs->plan->iso),
		.start_fd = rs->start_fd, .console_fd = rs->console_fd, .detach = rs->detach,
		.close_fds = rs->close_fds, .n_close_fds = rs->n_close_fds,
		.join_pidfd = rs->join_pidfd, .join_pid = rs->join_pid,
		.join_flags = rs->join_flags, .hooks = rs->hooks.hooks ? &rs->hooks : NULL,
	};
	cleanup_close int mountinfo = -1;   /* when make_leaf did not read ours */
	bool in_leaf;
	char pid[32];

	if (make_pipes(rs, err) < 0)
		return -1;
	ctx.sync_fd = rs->sync_rd;
	ctx.msg_fd = rs->msg_wr;
	ctx.sync_wr = rs->sync_wr;
	ctx.msg_rd = rs->msg_rd;
	if (rs->plan->proc.tty && rf_tty_open(&rs->tty, STDIN_FILENO, err) < 0)
		return -1;
	hold_early_signals(rs);
	if (rf_ns_join(&rs->plan->iso, true, err) < 0)
		return -1;
	/* A pid namespace is entered for our children only: this process stays
	 * where it is and the child is born inside. */
	if ((rs->join_flags & CLONE_NEWPID) && rf_ns_enter(rs->join_pidfd, rs->join_pid,
							     CLONE_NEWPID, err) < 0)
		return -1;
	ctx.bounding = RF_CAPS_UNKNOWN;
	/* Born in the leaf itself: containment's view may be a clone of it.
	 * Its mount points are those make_leaf read, or read through our
	 * mountinfo (contain.c). */
	ctx.birth.fd = rs->nested_fd >= 0 ? -1 : rs->leaf.dirfd;
	snprintf(ctx.birth.path, sizeof(ctx.birth.path), "%s", rs->leaf.path);
	if (rs->mountinfo_fd < 0 && wants_mounts(rs->plan))
		mountinfo = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	ctx.birth.mounts_fd = rs->mountinfo_fd >= 0 ? rs->mountinfo_fd : mountinfo;
	ctx.birth.cgroup2_mps = rs->cgroup2_mps;
	/* Whether the child must wait for us after clone; most runs need not,
	 * which spares both processes a hand-over (theory of operation). */
	ctx.wait_sync = (ctx.ns_flags & CLONE_NEWUSER) || rs->tty.active;
	clock_gettime(CLOCK_MONOTONIC, &rs->start);
	rs->child = do_clone(rs, &ctx, &in_leaf);
	if (rs->child < 0 && rs->plan->iso.contain_flags) {
		char ns[64];

		/* Typically a user namespace a caller without root may not make. */
		return rf_error_set(err, errno, "clone3 into leaf `%s` with the %s namespaces that "
				    "keep the command in it (--host-cgroupfs runs without them, "
				    "see ringfence-run(1) for the risk)", rs->leaf.rel,
				    rf_ns_format(rs->plan->iso.contain_flags, ns, sizeof(ns)));
	}
	if (rs->child < 0)
		return rf_error_set(err, errno, "clone3 into leaf `%s`", rs->leaf.rel);
	if (rs->child == 0)
		rf_child_main(&ctx);
	rf_closep(&rs->sync_rd);
	rf_closep(&rs->msg_wr);
	/* Not waited for: sync_wr stays open, closed only when we are done (or
	 * die), which is what the child checks for. */
	if (!ctx.wait_sync)
		return 0;

	snprintf(pid, sizeof(pid), "%d", (int)rs->child);
	if (!in_leaf && cg_write(birth_cgroup(rs), "cgroup.procs", pid, err) < 0)
		return rf_error_prefix(err, "move the command into leaf `%s`", rs->leaf.rel);
	if ((rf_contain_ns_flags(&rs->plan->iso) & CLONE_NEWUSER) &&
	    rf_ns_write_idmaps(rs->child, rs->plan, getuid(), getgid(), err) < 0)
		return -1;
	if (rf_tty_give(&rs->tty, rs->child, err) < 0)
		return -1;
	if (RF_FAULT("start") || rf_write_no_sigpipe(rs->sync_wr, "g", 1) != 1)
		return rf_error_set(err, errno, "start the command");
	if (!rs->hooks.hooks)   /* else the hooks' stop still needs it */
		rf_closep(&rs->sync_wr);
	return 0;
}


int rf_launch_prepare(rf_launch *rs, rf_error *err)
{
	/* Signals first: a Ctrl-C while the leaf is being made waits in the
	 * signalfd and is sent on to the child (hold_early_signals), instead of
	 * killing the supervisor half-way and leaving an empty leaf for the next
	 * run's sweep. */
	if (block_signals(rs, err) < 0 || make_leaf(rs, err) < 0)
		return -1;
	/* Where an OOM came from is in the kernel's report, read from now on by
	 * whoever supervises; a detached container has no one. */
	if (!rs->detach && !rs->exit_status_only)
		rs->kmsgfd = rf_kmsg_open();
	return 0;
}

/* The child's next message, which must be `kind`: else its error, or that
 * it died. */
static int expect_msg(rf_launch *rs, int kind, rf_error *err)
{
	rf_child_msg m;
	ssize_t n;

	do
		n = read(rs->msg_rd, &m, sizeof(m));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(m) && m.kind == kind)
		return 0;
	if (n == sizeof(m) && m.kind == RF_MSG_ERROR) {
		m.msg[sizeof(m.msg) - 1] = '\0';
		return rf_error_set(err, m.errnum, "%s", m.msg);
	}
	return rf_error_set(err, n < 0 ? errno : 0,
			    "the container process died while it was being set up");
}

int rf_launch_hooks(rf_launch *rs, rf_error *err)
{
	rf_hook_state st = rs->hooks;
	int32_t pid = rs->child;

	if (!st.hooks)
		return 0;
	if (expect_msg(rs, RF_MSG_HOOKS, err) < 0)
		return -1;
	st.status = "creating";
	st.pid = rs->child;
	if (rf_hooks_run(RF_HOOK_PRESTART, &st, err) < 0 ||
	    rf_hooks_run(RF_HOOK_CREATE_RUNTIME, &st, err) < 0)
		return -1;
	if (rf_write_no_sigpipe(rs->sync_wr, &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
		return rf_error_set(err, errno, "resume the container process after its hooks");
	rf_closep(&rs->sync_wr);
	return 0;
}

bool rf_launch_wait_exec(rf_launch *rs)
{
	cleanup_close int sigs = -1;
	struct pollfd p[2] = { { .fd = rs->msg_rd, .events = POLLIN },
			       { .fd = -1, .events = POLLIN } };
	sigset_t fwd;

	/* The signals to forward, seen through a signalfd of their own: one
	 * pending (a Ctrl-C while a hook runs in the child) is left for the
	 * supervisor, and no SIGCHLD is read from under it. */
	rf_forwarded_set(&fwd);
	sigs = p[1].fd = signalfd(-1, &fwd, SFD_CLOEXEC | SFD_NONBLOCK);
	while (poll(p, 2, -1) < 0)
		if (errno != EINTR)
			return false;
	if (p[1].revents)
		return false;
	/* The end closed with nothing sent: the exec (or a death without a
	 * word, which a poststart hook, only warned about, may then meet). */
	return !(p[0].revents & POLLIN);
}

int rf_launch_wait_ready(rf_launch *rs, rf_error *err)
{
	return expect_msg(rs, RF_MSG_READY, err);
}

void rf_launch_detach(rf_launch *rs)
{
	rs->child = -1;
	cg_leaf_keep(&rs->leaf);
	cg_placement_init(&rs->place);   /* cg_manager_detach kept what must stay */
}

int rf_launch_prepare_in(rf_launch *rs, const char *rel, rf_error *err)
{
	if (block_signals(rs, err) < 0 || cg_find_mount(&rs->place.mount, err) < 0 ||
	    cg_leaf_open(&rs->place.mount, rel, &rs->leaf, err) < 0)
		return -1;
	rs->leaf_borrowed = true;
	return 0;
}
