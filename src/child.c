/* The child: from clone3 to exec. The order of steps and why is the theory of
 * operation at the top of src/run.c. Nothing here returns to the supervisor's
 * code: every path ends in exec or _exit, after any failure has been sent on
 * the message pipe. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/ioprio.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "clone-call.h"
#include "fault.h"
#include "ringfence/apparmor.h"
#include "ringfence/caps.h"
#include "ringfence/console.h"
#include "ringfence/cleanup.h"
#include "ringfence/isolation.h"
#include "ringfence/numa.h"
#include "ringfence/rlimit.h"
#include "ringfence/seccomp.h"
#include "ringfence/verdict.h"

static void send_msg(int fd, const rf_child_msg *m)
{
	ssize_t n;

	do
		n = write(fd, m, sizeof(*m));
	while (n < 0 && errno == EINTR);
}

__attribute__((noreturn)) static void fail(const rf_child_ctx *ctx, int code, const rf_error *err)
{
	rf_child_msg m = { .kind = RF_MSG_ERROR, .code = code, .errnum = err->errnum };

	snprintf(m.msg, sizeof(m.msg), "%s", err->msg);
	if (ctx->msg_fd >= 0) {
		send_msg(ctx->msg_fd, &m);
	} else {
		/* A started container's launcher is gone (a startContainer hook
		 * failed): its stderr is all that is left to tell, as runc's
		 * init logs there. */
		char line[RF_ERROR_MSG_MAX + 128];

		rf_error_format(err, line, sizeof(line));
		dprintf(STDERR_FILENO, "ringfence: %s\n", line);
	}
	_exit(code);
}

/* The payload's PATH, or the usual default when it has none. */
static const char *payload_path(char **envp)
{
	for (char **e = envp; *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			return *e + 5;
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* Whether execve() could find `path`: false when it surely would not (missing,
 * or a directory on the way that cannot be searched, which *saved records as
 * execvp does). Anything else, a seccomp filter refusing faccessat included,
 * leaves the answer to execve(). The identity switch set real and effective
 * ids alike, so faccessat() checks what execve() will. */
static bool exists(const char *path, int *saved)
{
	if (faccessat(AT_FDCWD, path, F_OK, 0) == 0)
		return true;
	if (errno == EACCES)
		*saved = EACCES;
	return errno != ENOENT && errno != ENOTDIR && errno != EACCES;
}

/* execvpe(), but searching the payload's PATH rather than ours, and asking
 * faccessat() which entries exist before calling execve() on them: an execve
 * that fails still sets up and tears down a new address space, several times
 * the cost of the lookup (glibc's execvp pays it for every miss). Entries are
 * tried in order and a refused exec moves on to the next, as execvp does.
 * Returns the errno of the most telling failure. With `found`, nothing is
 * exec'd: the first executable regular file is copied there (0), as runc
 * looks the command up before it reports the container created. */
static int find_or_exec(char **argv, char **envp, char found[PATH_MAX])
{
	const char *path;
	int saved = ENOENT;

	if (strchr(argv[0], '/')) {
		if (!found) {
			execve(argv[0], argv, envp);
			return errno;
		}
		if (access(argv[0], X_OK) < 0)
			return errno;
		snprintf(found, PATH_MAX, "%s", argv[0]);
		return 0;
	}
	path = payload_path(envp);
	while (*path) {
		size_t n = strcspn(path, ":");
		char full[PATH_MAX];
		struct stat st;

		if (snprintf(full, sizeof(full), "%.*s%s%s", (int)n, path, n ? "/" : "",
			     argv[0]) < (int)sizeof(full) && exists(full, &saved)) {
			if (!found)
				execve(full, argv, envp);
			else if (access(full, X_OK) == 0 && stat(full, &st) == 0 && S_ISREG(st.st_mode))
				return snprintf(found, PATH_MAX, "%s", full), 0;
			/* Keep looking past missing entries; remember a real refusal. */
			if (errno != ENOENT && errno != ENOTDIR)
				saved = errno;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return saved;
}

__attribute__((noreturn)) static void fail_exec(const rf_child_ctx *ctx, const char *cmd, int e)
{
	rf_error err;

	/* Words the engines match to tell 127 from 126 (Docker's command line
	 * reads "executable file not found", "no such file or directory" and
	 * "permission denied", lower case, as runc writes them). */
	rf_error_set(&err, e, "%s", cmd);
	if (e == EACCES)
		rf_error_set(&err, 0, "%s: permission denied", cmd);
	else if (e == ENOENT && strchr(cmd, '/'))
		rf_error_set(&err, 0, "%s: no such file or directory", cmd);
	else if (e == ENOENT)
		rf_error_set(&err, 0, "%s: command not found (executable file not found in $PATH)",
			     cmd);
	fail(ctx, e == ENOENT ? RF_EXIT_NOTFOUND : RF_EXIT_NOEXEC, &err);
}

/* A signal that came while waiting for `start`: its default action, as if
 * it had not been blocked. One whose default is to be ignored is; one that
 * would end the process does, by the signal, else (a pid namespace's init,
 * which its own default signals do not end) with 128 + N. */
static void die_of_signal(int sigs)
{
	struct signalfd_siginfo si;
	sigset_t one;
	int sig;

	if (read(sigs, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	sig = (int)si.ssi_signo;
	if (sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH)
		return;
	sigemptyset(&one);
	sigaddset(&one, sig);
	signal(sig, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	raise(sig);
	if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {   /* SIGSTOP is never blocked */
		sigprocmask(SIG_BLOCK, &one, NULL);   /* stopped, then continued */
		return;
	}
	_exit(128 + sig);
}

/* The container layer's start: the command is looked up now, READY tells the
 * launcher that setup is done, and then the process waits until `start`
 * writes a byte to the exec.fifo whose read end is start_fd. A launcher that
 * will not stay (create) gets no more messages: its end of the pipe is gone. */
static void wait_for_start(rf_child_ctx *ctx, char found[PATH_MAX])
{
	rf_child_msg m = { .kind = RF_MSG_READY };
	struct pollfd pfd[2] = { { .fd = ctx->start_fd, .events = POLLIN },
				 { .fd = -1, .events = POLLIN } };
	cleanup_close int sigs = -1;
	sigset_t blocked;
	char go;
	int e;

	e = find_or_exec(ctx->plan->proc.argv, ctx->envp, found);
	if (e)
		fail_exec(ctx, ctx->plan->proc.argv[0], e);
	/* Its signals stay blocked until the exec; a `kill` before `start`
	 * still ends it (CRI-O stops a created container so), as it ends
	 * runc's waiting init. */
	sigprocmask(SIG_BLOCK, NULL, &blocked);
	sigs = pfd[1].fd = signalfd(-1, &blocked, SFD_CLOEXEC | SFD_NONBLOCK);
	send_msg(ctx->msg_fd, &m);
	if (ctx->detach)
		rf_closep(&ctx->msg_fd);
	for (;;) {
		int ready = poll(pfd, 2, -1);
		ssize_t n;

		if (ready < 0 && errno != EINTR)
			_exit(RF_EXIT_FAILURE);
		if (ready <= 0)
			continue;
		if (pfd[1].revents & POLLIN)
			die_of_signal(sigs);
		/* Only the fifo's own news: without a writer yet, a read says EOF. */
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(ctx->start_fd, &go, 1);
		if (n == 1)
			break;
		/* EOF: a `start` opened the fifo and died before writing. */
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			_exit(RF_EXIT_FAILURE);
	}
	rf_closep(&ctx->start_fd);
}

/* sched_setattr(2)'s argument as the kernel first published it (48 bytes);
 * <linux/sched/types.h>, which has it, clashes with <sched.h>. */
struct sched_attr_v0 {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
};
_Static_assert(sizeof(struct sched_attr_v0) == 48, "sched_attr's first version is 48 bytes");

static int sched_apply(const rf_sched *s, rf_error *err)
{
	struct sched_attr_v0 a = {
		.size = sizeof(a), .policy = s->policy, .flags = s->flags, .nice = s->nice,
		.priority = s->priority, .runtime = s->runtime, .deadline = s->deadline,
		.period = s->period,
	};

	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
		return rf_error_set(err, errno, "set the scheduling policy (process.scheduler)");
	return 0;
}

/* The CPUs the process runs on: execCPUAffinity's final list, or for a
 * container's process without one every CPU (its cpuset still bounds it),
 * so that it does not inherit the runtime's own pinning (runc 1.2's reset). */
static int affinity_apply(const rf_process *p, rf_error *err)
{
	const rf_affinity *a = &p->exec_affinity;
	unsigned long all[65536 / (8 * sizeof(unsigned long))];

	if (!p->reset_affinity)
		return 0;   /* ringfence run: the caller's pinning holds */
	if (a->final_set) {
		if (sched_setaffinity(0, sizeof(a->final.bits), (const cpu_set_t *)a->final.bits) < 0)
			return rf_error_set(err, errno, "set the CPU affinity "
					    "(process.execCPUAffinity.final)");
		return 0;
	}
	if (a->initial_set)
		return 0;
	/* the kernel takes what it has CPUs for */
	memset(all, 0xff, sizeof(all));
	if (sched_setaffinity(0, sizeof(all), (const cpu_set_t *)all) < 0)
		return rf_error_set(err, errno, "reset the CPU affinity");
	return 0;
}

/* What the process keeps across its exec, set while it still holds every
 * capability: the real-time I/O class takes CAP_SYS_ADMIN, a real-time
 * policy CAP_SYS_NICE, a raised hard limit CAP_SYS_RESOURCE. The CPUs come
 * before the policy: SCHED_DEADLINE is refused to a task pinned narrower
 * than its root domain. */
static int process_attrs_apply(const rf_process *p, rf_error *err)
{
	if (rf_rlimit_apply(p, err) < 0 || rf_numa_apply(&p->mempolicy, err) < 0 ||
	    affinity_apply(p, err) < 0)
		return -1;
	if (p->ioprio.set && syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, (int)p->ioprio.v) < 0)
		return rf_error_set(err, errno, "set the I/O priority (process.ioPriority)");
	if (p->sched.set && sched_apply(&p->sched, err) < 0)
		return -1;
	if (p->persona.set && personality((unsigned long)p->persona.v) < 0)
		return rf_error_set(err, errno, "set the personality (linux.personality)");
	return 0;
}

/* Per-process setup of the payload, then exec. */
__attribute__((noreturn)) static void become_payload(rf_child_ctx *ctx)
{
	const rf_process *p = &ctx->plan->proc;
	char found[PATH_MAX];
	pid_t parent = getppid();
	sigset_t none;
	rf_error err = { 0 };

	found[0] = '\0';
	if (process_attrs_apply(p, &err) < 0)
		fail(ctx, RF_EXIT_FAILURE, &err);
	/* Asked for while the process may still change its profile: before its
	 * capabilities go and before any seccomp filter (runc's order). */
	if (p->apparmor_profile &&
	    rf_apparmor_exec(ctx->aa_dir, p->apparmor_profile,
			     p->no_new_privs || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1, &err) < 0)
		fail(ctx, RF_EXIT_FAILURE, &err);
	rf_closep(&ctx->aa_dir);
	if (rf_caps_drop_bounding(p, &ctx->bounding, &err) < 0)
		fail(ctx, RF_EXIT_FAILURE, &err);
	/* Without no_new_privs (a bundle's noNewPrivileges: false) loading a
	 * filter takes CAP_SYS_ADMIN, which the identity switch gives up: load
	 * it now, as runc does; what follows must then pass the filter. */
	if (p->seccomp && !p->no_new_privs && rf_seccomp_apply(p->seccomp, &err) < 0)
		fail(ctx, RF_EXIT_FAILURE, &err);
	if (rf_identity_apply(p, &err) < 0)
		fail(ctx, RF_EXIT_FAILURE, &err);
	if (p->umask.set)
		umask((mode_t)p->umask.v);
	/* A container's (a root of its own, or an exec into one): no magic link. */
	if (p->cwd && rf_identity_chdir(p->cwd, ctx->plan->iso.rootfs || ctx->plan->bundle,
					&err) < 0)
		fail(ctx, RF_EXIT_FAILURE, &err);
	if (rf_caps_apply(p, ctx->bounding, &err) < 0)
		fail(ctx, RF_EXIT_FAILURE, &err);
	/* A uid or gid switch cleared PR_SET_PDEATHSIG: arm it again, then make
	 * sure the parent did not die before it took hold. A container that
	 * outlives its launcher must not have it at all. */
	if (RF_FAULT("child.pdeathsig") || prctl(PR_SET_PDEATHSIG, ctx->detach ? 0 : SIGKILL) < 0) {
		rf_error_set(&err, errno, "set the parent-death signal");
		fail(ctx, RF_EXIT_FAILURE, &err);
	}
	if (!ctx->detach && getppid() != parent)
		_exit(RF_EXIT_FAILURE);
	if (ctx->start_fd >= 0)
		wait_for_start(ctx, found);
	if (ctx->hooks && ctx->hooks->hooks->n[RF_HOOK_START_CONTAINER]) {
		rf_hook_state st = *ctx->hooks;

		/* As the container's user, with its capabilities, in its root;
		 * before the seccomp filter, which is the command's (loaded
		 * before the user switch without no_new_privs, as runc's). */
		st.status = "created";
		st.pid = ctx->host_pid;
		st.cwd = NULL;
		st.env_default = ctx->envp;
		if (rf_hooks_run(RF_HOOK_START_CONTAINER, &st, &err) < 0)
			fail(ctx, RF_EXIT_FAILURE, &err);
	}
	if (p->seccomp && p->no_new_privs && rf_seccomp_apply(p->seccomp, &err) < 0)
		fail(ctx, RF_EXIT_FAILURE, &err);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (rf_fds_close_except(3 + p->preserve_fds, ctx->msg_fd, &err) < 0)
		fail(ctx, RF_EXIT_FAILURE, &err);

	if (RF_FAULT("exec"))
		fail_exec(ctx, p->argv[0], errno);
	if (!found[0])
		fail_exec(ctx, p->argv[0], find_or_exec(p->argv, ctx->envp, NULL));
	execve(found, p->argv, ctx->envp);
	fail_exec(ctx, p->argv[0], errno);
}

static int payload_entry(void *ctx)
{
	become_payload(ctx);
}

/* The payload of run_init. It shares the init's memory until its exec, as
 * the supervisor's child shares the supervisor's (launch.c, may_share_vm):
 * the init has nothing to do until then, and so no page of it is copied. A
 * fork where clone3 is missing. */
static pid_t spawn_payload(rf_child_ctx *ctx)
{
	struct rf_clone_args args = { .exit_signal = SIGCHLD };
	pid_t pid;

	if (RF_FAULT("pidns.fork"))
		return -1;
	pid = rf_clone3_vfork(&args, payload_entry, ctx);
	if (pid >= 0 || (errno != ENOSYS && errno != E2BIG))
		return pid;
	return fork();
}

/* pid 1 of a new pid namespace: a payload that is pid 1 would get no default
 * signal actions (SIGTERM and Ctrl-C would be ignored) and nobody would reap
 * its orphans. So this minimal init starts the payload, forwards the signals the
 * supervisor sends, reaps everything, and reports the payload's wait status on
 * the message pipe before it exits (its own exit kills the namespace). */
__attribute__((noreturn)) static void run_init(rf_child_ctx *ctx)
{
	rf_child_msg m = { .kind = RF_MSG_STATUS };
	rf_error ignored;
	sigset_t set;
	pid_t payload;

	/* Every signal waits for sigwaitinfo(); the payload unblocks before exec. */
	sigfillset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	/* The init's own AppArmor attributes are not the payload's to write: it
	 * opens its own, in the /proc ringfence mounted for this namespace. */
	rf_closep(&ctx->aa_dir);
	payload = spawn_payload(ctx);
	if (payload < 0) {
		rf_error err;

		rf_error_set(&err, errno, "fork the payload in the pid namespace");
		fail(ctx, RF_EXIT_FAILURE, &err);
	}
	if (payload == 0)
		become_payload(ctx);
	/* The init runs ringfence's binary inside the container's pid
	 * namespace and never execs: not dumpable, so no payload can open its
	 * /proc/1/exe (a host file) or its other /proc/1 links. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* What clone copied from the supervisor (the leaf's directory and its
	 * lock, /dev/kmsg, the signalfd, a dup of the terminal) is no business of
	 * the init, which never execs: keep only the message pipe. Best effort:
	 * every one of those fds is the supervisor's and O_CLOEXEC. */
	(void)rf_fds_close_except(3, ctx->msg_fd, &ignored);

	for (;;) {
		siginfo_t si;
		int status;
		pid_t pid;

		if (sigwaitinfo(&set, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD) {
			/* Signals from the terminal already reached the payload's
			 * process group; forward only those the supervisor sent. */
			if (si.si_code == SI_USER || si.si_code == SI_QUEUE)
				kill(payload, si.si_signo);
			continue;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid != payload)
				continue;
			m.status = status;
			send_msg(ctx->msg_fd, &m);
			_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		}
	}
}

/* Every fd but 0-2, --preserve-fds and what the child still needs: the
 * message pipe, and the container layer's start fd and console socket. */
static int close_inherited(const rf_child_ctx *ctx, rf_error *err)
{
	const int keep[] = { ctx->msg_fd, ctx->start_fd, ctx->console_fd, ctx->sync_fd,
			     ctx->aa_dir, RF_FAULT_FD };

	return rf_fds_close_keeping(3 + ctx->plan->proc.preserve_fds, keep, RF_ARRAY_SIZE(keep),
				    err);
}

/* The container's pty (process.terminal), of process.consoleSize when both
 * are given (runc applies it so), owned by the process's user. */
static int console_setup(rf_child_ctx *ctx, rf_error *err)
{
	const rf_process *p = &ctx->plan->proc;
	struct winsize ws = { .ws_row = p->console_rows, .ws_col = p->console_cols };

	return rf_console_setup(ctx->console_fd, p->user_set ? p->uid : (uid_t)-1,
				ws.ws_row && ws.ws_col ? &ws : NULL, err);
}

/* The stop before pivot_root (mounts-rootfs.c), for create's OCI hooks:
 * with the namespaces made and the root mounted, tell the launcher, which
 * runs prestart and createRuntime and then sends our pid as the host sees
 * it; then run createContainer from here, in the container's namespaces
 * with the host's paths still in view, in the root's directory. Without a
 * pid (a hook failed, or the launcher died) the launcher has the error:
 * just end. Also called after the mounts when there was no pivot_root. */
static int hooks_stop(void *arg, rf_error *err)
{
	rf_child_ctx *ctx = arg;
	rf_child_msg m = { .kind = RF_MSG_HOOKS };
	rf_hook_state st = *ctx->hooks;
	int32_t pid;
	ssize_t n;

	if (ctx->host_pid)
		return 0;
	send_msg(ctx->msg_fd, &m);
	do
		n = read(ctx->sync_fd, &pid, sizeof(pid));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(pid) || pid <= 0)
		_exit(RF_EXIT_FAILURE);
	rf_closep(&ctx->sync_fd);
	ctx->host_pid = (pid_t)pid;
	st.status = "creating";
	st.pid = ctx->host_pid;
	st.cwd = ctx->plan->iso.rootfs;
	st.env_default = ctx->envp;   /* the container's, not the launcher's (runc's too) */
	return rf_hooks_run(RF_HOOK_CREATE_CONTAINER, &st, err);
}

/* Without waiting: is the sync pipe's write end closed (the supervisor died)? */
static bool supervisor_gone(int sync_fd)
{
	struct pollfd p = { .fd = sync_fd, .events = POLLIN };

	return poll(&p, 1, 0) != 0;
}

__attribute__((noreturn)) void rf_child_main(const rf_child_ctx *launcher)
{
	rf_child_ctx self = *launcher, *ctx = &self;
	const rf_plan *plan = ctx->plan;
	bool rootful = geteuid() == 0;   /* before any user namespace */
	rf_error err = { 0 };
	char go;

	/* The supervisor's ends of the pipes: while we held the sync pipe's write
	 * end, the EOF below could never come. The launcher's locks go too: the
	 * container must not hold its state directory's lock while it waits. */
	close(ctx->sync_wr);
	close(ctx->msg_rd);
	for (size_t i = 0; i < ctx->n_close_fds; i++)
		close(ctx->close_fds[i]);
	/* Die with the supervisor. The sync pipe closes the race where it died
	 * before this prctl: its write end, the supervisor's alone now, is
	 * closed then, so the read sees EOF instead of the go byte, or without
	 * a byte to wait for, poll sees POLLHUP at once. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(RF_EXIT_FAILURE);
	if (ctx->wait_sync ? read(ctx->sync_fd, &go, 1) != 1 : supervisor_gone(ctx->sync_fd))
		_exit(RF_EXIT_FAILURE);
	if (!ctx->hooks)   /* else kept for the hooks' stop */
		rf_closep(&ctx->sync_fd);
	/* While /proc is the host's: see rf_apparmor_open_attr. */
	self.aa_dir = -1;
	if (plan->proc.apparmor_profile && (self.aa_dir = rf_apparmor_open_attr(&err)) < 0)
		fail(ctx, RF_EXIT_FAILURE, &err);

	/* exec: into the container's namespaces (its pid namespace was entered
	 * for us by the launcher). */
	if (ctx->join_flags & ~CLONE_NEWPID &&
	    rf_ns_enter(ctx->join_pidfd, ctx->join_pid, ctx->join_flags & ~CLONE_NEWPID, &err) < 0)
		fail(ctx, RF_EXIT_FAILURE, &err);
	rf_closep(&ctx->join_pidfd);
	/* A container leads its own session (the pty below becomes its
	 * controlling terminal); `ringfence run` keeps the caller's. */
	if (plan->proc.new_session && setsid() < 0) {
		rf_error_set(&err, errno, "start a new session");
		fail(ctx, RF_EXIT_FAILURE, &err);
	}
	/* A container root, or a container entered (exec): no fd of the
	 * launcher's (its leaf and the leaf's parent on the host's cgroup2
	 * mount, its log) is kept around while the root is built or the
	 * container's credentials are taken; none can be reached through
	 * /proc/self/fd from a working directory or a mount source. */
	if ((plan->iso.rootfs || ctx->join_flags) && close_inherited(ctx, &err) < 0)
		fail(ctx, RF_EXIT_FAILURE, &err);
	if (rf_ns_become_root(&plan->iso, ctx->ns_flags, &err) < 0 ||
	    rf_ns_join(&plan->iso, false, &err) < 0)
		fail(ctx, RF_EXIT_FAILURE, &err);
	/* Run by root, not dumpable from here to the exec (which makes the
	 * payload dumpable again): this process runs ringfence's binary while
	 * it builds a root and takes a container's credentials, which would let
	 * a process in there open its /proc/PID/exe (the host's binary) and
	 * /proc/PID/fd. After the id maps, which an unprivileged supervisor
	 * writes into this process's /proc; without root the binary is not the
	 * payload's to write. With a shared mm (vfork) the supervisor is not
	 * dumpable either, as runc's is not. */
	if (rootful)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* Only now are we inside the leaf, so a new cgroup namespace is rooted there. */
	if ((ctx->ns_flags & CLONE_NEWCGROUP) &&
	    (RF_FAULT("child.cgroupns") || unshare(CLONE_NEWCGROUP) < 0)) {
		rf_error_set(&err, errno, "unshare the cgroup namespace");
		fail(ctx, RF_EXIT_FAILURE, &err);
	}
	if (rf_mounts_apply(&plan->iso, ctx->ns_flags, &ctx->birth,
			    ctx->hooks ? &(rf_mount_stop){ hooks_stop, ctx } : NULL, &err) < 0 ||
	    (ctx->hooks && hooks_stop(ctx, &err) < 0) ||
	    rf_ns_finish(&plan->iso, ctx->ns_flags, &err) < 0)
		fail(ctx, RF_EXIT_FAILURE, &err);
	/* The pty is made in the sandbox's own devpts, so after the mounts. */
	if (ctx->console_fd >= 0 && console_setup(ctx, &err) < 0)
		fail(ctx, RF_EXIT_FAILURE, &err);
	rf_closep(&ctx->console_fd);
	if ((ctx->ns_flags & CLONE_NEWPID) && !plan->proc.payload_is_init)
		run_init(ctx);
	become_payload(ctx);
}
