/* `exec`: another process in a running container.
 *
 * Theory of operation. `ringfence exec` (P) reads the container's state and
 * opens a pidfd for its process, checked against the start time. It borrows
 * the container's leaf (rf_launch_prepare_in) and enters the container's
 * pid namespace for its children only (setns on the pidfd with
 * CLONE_NEWPID: P itself stays outside). clone3(CLONE_INTO_CGROUP) then
 * makes the child inside the container's cgroup and pid namespace from
 * birth. The child enters the other namespaces that differ from ours (user
 * first: one setns on the pidfd does them all, in the kernel's order), and
 * from there goes the way of any payload (src/child.c): a session of its
 * own, the pty, rlimits and the other attributes a process keeps (its CPUs:
 * execCPUAffinity, whose initial list P runs on while it starts the child),
 * identity, capabilities, seccomp, exec.
 *
 * A terminal without --console-socket (in the foreground) is a pty the
 * child makes in the container's devpts and sends back over a socketpair;
 * a forked relay copies the caller's stdin and stdout to and from it, the
 * caller's terminal raw meanwhile (src/console.c), as runc does.
 *
 * Detached (-d): P waits only until the child has exec'd (its end of the
 * message pipe is O_CLOEXEC: EOF means exec succeeded, a message means it
 * did not), writes the pid file and exits; the process is then the
 * caller's subreaper's, as the container's own is. In the foreground P
 * stays its parent, forwards signals, and exits with its status. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <termios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "launch.h"
#include "ringfence/cleanup.h"
#include "ringfence/console.h"
#include "ringfence/isolation.h"
#include "ringfence/profile.h"
#include "container-internal.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static bool any_rlimit(const rf_process *p)
{
	for (size_t i = 0; i < RF_ARRAY_SIZE(p->rlimits); i++)
		if (p->rlimits[i].set)
			return true;
	return false;
}

/* Into p (a process file's) from ct (the container's): see
 * rf_container_exec_process. noNewPrivileges is the file's own, false when
 * it says nothing (runc and crun). */
static void keep_container(rf_process *p, rf_process *ct)
{
	p->seccomp_mode = ct->seccomp_mode;
	p->seccomp_path = steal_pointer(&ct->seccomp_path);
	p->seccomp_json = steal_pointer(&ct->seccomp_json);
	p->seccomp = steal_pointer(&ct->seccomp);
	p->persona = ct->persona;
	p->mempolicy = ct->mempolicy;
	if (!p->oci_caps) {
		/* crun does the same; runc's exec too */
		p->oci_caps = ct->oci_caps;
		memcpy(p->cap_sets, ct->cap_sets, sizeof(p->cap_sets));
		p->caps_set = ct->caps_set;
		p->caps = ct->caps;
	}
	if (!any_rlimit(p))
		memcpy(p->rlimits, ct->rlimits, sizeof(p->rlimits));
	if (!p->apparmor_profile)
		p->apparmor_profile = steal_pointer(&ct->apparmor_profile);
	if (!p->ioprio.set)
		p->ioprio = ct->ioprio;
	if (!p->sched.set)
		p->sched = ct->sched;
	if (!p->exec_affinity.initial_set && !p->exec_affinity.final_set)
		p->exec_affinity = ct->exec_affinity;
	/* runc: the container's umask and OOM score for every exec */
	if (!p->umask.set)
		p->umask = ct->umask;
	if (!p->oom_score_adj.set)
		p->oom_score_adj = ct->oom_score_adj;
}

int rf_container_exec_process(rf_plan *plan, const char *text, size_t len, const char *name,
			      const rf_diag *diag, rf_error *err)
{
	rf_process swap;
	rf_plan file;
	int r;

	rf_plan_init(&file);
	r = rf_profile_load_process(text, len, name, &file, diag, err);
	if (r == 0) {
		keep_container(&file.proc, &plan->proc);
		swap = plan->proc;
		plan->proc = file.proc;
		file.proc = swap;   /* the container's, freed with `file` */
	}
	rf_plan_free(&file);
	return r;
}

/* Detached: EOF on the message pipe is a successful exec. */
static int wait_exec(rf_launch *l, int *code, rf_error *err)
{
	rf_child_msg m;
	ssize_t n;

	do
		n = read(l->msg_rd, &m, sizeof(m));
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n == sizeof(m) && m.kind == RF_MSG_ERROR) {
		m.msg[sizeof(m.msg) - 1] = '\0';
		*code = m.code;
		return rf_error_set(err, m.errnum, "%s", m.msg);
	}
	return rf_error_set(err, n < 0 ? errno : 0, "the exec'd process vanished");
}

static int open_target(const rf_container *c, rf_error *err)
{
	int pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	uint64_t start;
	char st;

	/* Opened first, checked second: the pidfd then names the process whose
	 * start time matched, not a later owner of the pid. */
	if (rf_proc_stat(c->pid, &start, &st) < 0 || start != c->pid_start || st == 'Z') {
		rf_closep(&pidfd);
		return rf_container_not_running(c, err);
	}
	if (pidfd < 0 && errno != ENOSYS)
		return rf_error_set(err, errno, "open a pidfd for pid %d", (int)c->pid);
	return pidfd < 0 ? -2 : pidfd;
}

int rf_container_exec(const rf_exec_opts *o, rf_plan *plan, const rf_diag *diag, int *exit_code,
		      rf_error *err)
{
	cleanup_strv char **envp = NULL;
	cleanup_close int pidfd = -1, console = -1, back = -1;
	const rf_affinity *aff = &plan->proc.exec_affinity;
	cpu_set_t own;
	struct termios saved;
	bool relay, raw = false;
	pid_t relay_pid = -1;
	rf_container c;
	rf_launch l;
	int r = -1;

	*exit_code = RF_EXIT_FAILURE;
	rf_launch_init(&l, plan, diag);
	if (rf_container_open_live(o->root, o->id, false, &c, err) < 0)
		return -1;
	if (c.status == RF_CSTATUS_PAUSED && !o->ignore_paused) {
		rf_error_set(err, 0, "cannot exec in a paused container (use --ignore-paused to "
			     "override)");
		goto out;
	}
	if (plan->proc.pty && !o->console_socket && o->detach) {
		rf_error_set(err, 0, "a terminal for a detached exec needs --console-socket");
		goto out;
	}
	pidfd = open_target(&c, err);
	if (pidfd == -1)
		goto out;
	/* A terminal is a pty made inside (in the container's devpts, so that
	 * its name means something there): its master goes to the socket, or in
	 * the foreground back to us, and we relay it (runc's way). */
	relay = plan->proc.pty && !o->console_socket;
	plan->proc.tty = false;
	plan->proc.new_session = true;
	plan->proc.reset_affinity = true;
	/* execCPUAffinity.initial: ours while we start the child, and the
	 * child's until its final one (child.c) */
	if (aff->initial_set && (sched_getaffinity(0, sizeof(own), &own) < 0 ||
	    sched_setaffinity(0, sizeof(aff->initial.bits), (const cpu_set_t *)aff->initial.bits) < 0)) {
		rf_error_set(err, errno, "set the CPU affinity (process.execCPUAffinity.initial)");
		goto out;
	}
	envp = rf_env_build(&plan->proc, NULL, err);
	if (!envp)
		goto out;
	if (o->console_socket && (console = rf_console_connect(o->console_socket, err)) < 0)
		goto out;
	if (relay) {
		int sp[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
			rf_error_set(err, errno, "create the terminal's socket pair");
			goto out;
		}
		back = sp[0];
		console = sp[1];
	}
	l.join_pidfd = pidfd;
	l.join_pid = c.pid;
	l.join_flags = rf_ns_differing(c.pid);
	l.console_fd = console;
	l.detach = o->detach;
	l.close_fds = &c.dirfd;
	l.n_close_fds = 1;
	if (rf_launch_prepare_in(&l, c.cgroup, err) < 0)
		goto out;
	/* Into a paused container (--ignore-paused) the process is frozen as it
	 * is born, and its launch with it until `resume`, which takes the
	 * state's lock: let go of it first. */
	if (c.status == RF_CSTATUS_PAUSED)
		rf_container_close(&c);
	if (rf_launch_spawn(&l, envp, err) < 0)
		goto out;
	/* execCPUAffinity.initial was for the start alone */
	if (aff->initial_set)
		sched_setaffinity(0, sizeof(own), &own);
	rf_container_close(&c);
	rf_closep(&console);
	if (o->detach) {
		if (wait_exec(&l, exit_code, err) < 0 ||
		    rf_container_write_pid_file(o->pid_file, l.child, err) < 0)
			goto out;
		rf_launch_detach(&l);
		*exit_code = 0;
	} else {
		rf_outcome oc;

		/* in the foreground too, as runc: once started, before the wait */
		if (rf_container_write_pid_file(o->pid_file, l.child, err) < 0) {
			kill(l.child, SIGKILL);
			rf_run_wait(&l, &oc);
			goto out;
		}

		if (relay && rf_console_relay_back(back, &relay_pid, &saved, &raw, err) < 0)
			goto out;
		rf_run_wait(&l, &oc);
		if (relay_pid > 0)
			waitpid(relay_pid, NULL, 0);
		if (!oc.launched) {
			*exit_code = oc.launch_code;
			rf_error_set(err, 0, "%s", oc.launch_msg);
			goto out;
		}
		*exit_code = WIFSIGNALED(oc.wait_status) ? 128 + WTERMSIG(oc.wait_status)
							  : WEXITSTATUS(oc.wait_status);
	}
	r = 0;
out:
	if (raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	rf_container_close(&c);
	rf_launch_release(&l);
	return r;
}
