/* The container lifecycle: create, start, kill, delete, and a foreground
 * run, with the OCI hooks at their points (pause, resume, ps and update:
 * container-control.c).
 *
 * Theory of operation
 * ===================
 * Processes. `ringfence create` prepares the same launch as `ringfence run`
 * (src/launch.c): signals blocked, the leaf made at the bundle's cgroupsPath
 * with its limits, the child cloned into it. The child does all its setup
 * (namespaces, mounts, the pty, rlimits, identity, capabilities), looks its
 * command up, says READY on the message pipe and blocks reading the
 * exec.fifo. create then writes state.json and, last, the pid file, and
 * exits. The child, now an orphan, is reparented to the caller's subreaper
 * (conmon, containerd's shim): that process reaps it and owns its exit
 * status. No ringfence process stays its parent or in its cgroup. (With
 * --systemd-cgroup, a keeper stays beside the leaf in the scope, to keep the
 * scope and the counters until delete: src/cgroup-systemd-oci.c.)
 *
 * The fifo (crun's direction). create makes <root>/<ID>/exec.fifo and opens
 * it O_RDONLY|O_NONBLOCK (which needs no writer); the child inherits that fd
 * and polls it. `start` opens it O_WRONLY|O_NONBLOCK (ENXIO: no reader, the
 * process is gone), unlinks it and writes one byte: the child reads it,
 * loads its seccomp filter and execs. A present fifo is what makes the
 * status "created".
 *
 * Locks. Each command flocks <root>/<ID>/: exclusive to change the container,
 * shared to read it. The child closes create's copy of that fd first thing,
 * or `start` would wait for a lock the blocked child holds.
 *
 * The verdict. The cgroup counters outlive the process: `state` of a stopped
 * container and `delete` read memory.events (and .local), pids.events,
 * memory.peak and cpu.stat from the leaf, and the ancestors' local OOM
 * counters against the snapshot taken at create. delete writes the verdict to
 * <root>/<ID>.verdict.json and to the ringfence.verdict annotation's path,
 * then kills what is left (cgroup.kill), removes the leaf and the state.
 * The exit status is not ours (the subreaper reaped it): the verdict says
 * "stopped" unless the counters show an OOM kill.
 *
 * Hooks (a bundle's `hooks`; src/hooks.c runs one). prestart and
 * createRuntime run in create, by the launcher, while the child waits before
 * pivot_root with its namespaces made and the root mounted: it says
 * RF_MSG_HOOKS on the message pipe, and the launcher answers with the
 * child's pid, as the host sees it, on the sync pipe, kept open for that.
 * createContainer runs from the child right after, in the container's
 * namespaces with the host's paths still in view; startContainer from the
 * container's process once `start` let it go, before its seccomp filter and
 * the exec; poststart in `start` once the byte is written (in a foreground
 * run, once the exec closed the message pipe, unless the process failed to
 * or a signal to forward came first); poststop in delete once
 * everything is gone, and after a create that failed once the process
 * existed. A failure of the first four ends the container; of the last two,
 * a warning. start and delete read the hooks from the saved config.json,
 * only when state.json says it has poststart or poststop hooks.
 *
 * A foreground `run ID` is create and start in one process that stays, as
 * `ringfence run` does: it supervises, forwards signals, reaps the container
 * and exits with its status (128+N for a signal, as runc), then deletes it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "counters.h"
#include "fault.h"
#include "launch.h"
#include "ringfence/cleanup.h"
#include "ringfence/console.h"
#include "ringfence/fds.h"
#include "ringfence/isolation.h"
#include "ringfence/parse.h"
#include "ringfence/profile.h"
#include "container-internal.h"

/* RFC 3339 with nanoseconds, UTC, as runc writes `created`. */
static void now_rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char sec[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09ldZ", sec, ts.tv_nsec);
}

static int mkdir_p(const char *path, mode_t mode, rf_error *err)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return rf_error_set(err, ENAMETOOLONG, "`%s` is too long", path);
	if (mkdir(buf, mode) == 0 || errno == EEXIST)
		return 0;   /* the common case: only the last part, or nothing, was missing */
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return rf_error_set(err, errno, "create `%s`", buf);
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return rf_error_set(err, errno, "create `%s`", buf);
	return 0;
}

/* Remove <root>/<ID>/ and what create puts in it. */
static void remove_state(const char *root, const char *id, int dirfd)
{
	static const char *const files[] = {
		RF_STATE_FILE, RF_CONFIG_COPY, RF_EXEC_FIFO, "." RF_STATE_FILE ".tmp",
	};
	char dir[PATH_MAX];

	for (size_t i = 0; i < RF_ARRAY_SIZE(files); i++)
		unlinkat(dirfd, files[i], 0);
	if (snprintf(dir, sizeof(dir), "%s/%s", root, id) < (int)sizeof(dir))
		rmdir(dir);
}

static int copy_config(const char *bundle, int dirfd, rf_error *err)
{
	char path[PATH_MAX];
	cleanup_close int in = -1, out = -1;
	char buf[65536];
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path))
		return rf_error_set(err, ENAMETOOLONG, "bundle path `%s` is too long", bundle);
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return rf_error_set(err, errno, "open `%s`", path);
	out = openat(dirfd, RF_CONFIG_COPY, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0)
		return rf_error_set(err, errno, "copy `%s` into the state", path);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return rf_error_set(err, errno, "copy `%s` into the state", path);
	if (n < 0)
		return rf_error_set(err, errno, "read `%s`", path);
	return 0;
}

/* The root the container sees, as the bundle's plan has it. */
static const char *container_rootfs(const rf_plan *plan)
{
	return plan->iso.rootfs ? plan->iso.rootfs : "";
}

/* A container's process semantics over the plan the bundle gave (which has
 * process.terminal as proc.tty). A terminal is a pty made in the container
 * and sent to the console socket; a foreground run without a socket gets
 * it back and relays it (src/console.c), as runc does. */
static int container_plan(rf_plan *plan, const rf_create_opts *o, bool foreground, rf_error *err)
{
	bool terminal = plan->proc.tty || plan->proc.pty;

	if (terminal && !o->console_socket && !foreground)
		return rf_error_set(err, 0, "process.terminal is true: give --console-socket");
	if (!terminal && o->console_socket)
		return rf_error_set(err, 0, "--console-socket: process.terminal is false");
	plan->proc.payload_is_init = true;
	plan->proc.pty = terminal;
	plan->proc.tty = false;
	plan->proc.new_session = true;
	/* every CPU, not ours; execCPUAffinity is for execs alone (the spec) */
	plan->proc.reset_affinity = true;
	memset(&plan->proc.exec_affinity, 0, sizeof(plan->proc.exec_affinity));
	if (!plan->name && !(plan->name = strdup(o->id)))
		return rf_error_set(err, ENOMEM, "container \"%s\"", o->id);
	return 0;
}

/* ---- hooks (the rest run in the launch: launch.c, child.c) ------------ */

typedef struct hook_warn {
	const rf_diag *diag;
	const char *id;
} hook_warn;

static void warn_hook(void *arg, const rf_error *e)
{
	const hook_warn *w = arg;
	char msg[RF_ERROR_MSG_MAX + 64];

	rf_warn(w->diag, "container \"%s\": %s", w->id, rf_error_format(e, msg, sizeof(msg)));
}

/* poststart and poststop: every hook runs, a failure is a warning (the
 * spec's "log a warning", and crun's way; runc 1.1 kills the container on a
 * failed poststart). The hook starts in the bundle, as runc's do. */
static void run_hooks_warned(const rf_hooks *h, const char *id, const char *bundle,
			     rf_hook_kind k, const char *status, pid_t pid, const rf_diag *diag)
{
	rf_hook_state st = { .hooks = h, .id = id, .bundle = bundle, .status = status,
			     .pid = pid, .cwd = bundle };
	hook_warn w = { diag, id };

	rf_hooks_run_all(k, &st, warn_hook, &w);
}

/* A container known by its state alone (start, delete): its hooks as the
 * config.json create saved has them. */
static int saved_hooks(const rf_container *c, rf_hooks *h, const rf_diag *diag)
{
	cleanup_free char *text = NULL;
	char msg[RF_ERROR_MSG_MAX + 64];
	rf_error e = { 0 };

	memset(h, 0, sizeof(*h));
	if (!c->hooks)
		return 0;
	if (rf_container_config(c, &text, &e) == 0 &&
	    rf_profile_load_hooks(text, strlen(text), h, &e) == 0)
		return 0;
	rf_warn(diag, "container \"%s\": its hooks are not run: %s", c->id,
		rf_error_format(&e, msg, sizeof(msg)));
	return -1;
}

/* What create and a foreground run share: the state dir, the launch up to
 * READY, state.json. On failure everything made is undone. */
typedef struct creation {
	rf_container c;
	rf_launch l;
	int fifo;
	int console;
	int back;                /* foreground terminal: the pty comes back here */
	int lock_fd[1];
	bool made_dir;
	bool spawned;            /* the container's process existed: poststop is due */
} creation;

static void creation_release(creation *cr, bool failed)
{
	if (failed && cr->made_dir) {
		rf_launch_release(&cr->l);
		remove_state(cr->c.root, cr->c.id, cr->c.dirfd);
	} else {
		rf_launch_release(&cr->l);
	}
	rf_closep(&cr->fifo);
	rf_closep(&cr->console);
	rf_closep(&cr->back);
	rf_container_close(&cr->c);
}

/* The end of a creation: release it, then the poststop hooks a container
 * whose process existed is due. The signals the launch held stay held until
 * those have run: a Ctrl-C that ended a failing create's hook must not end
 * ringfence before them (it is taken at the end). */
static void creation_end(creation *cr, bool failed, const rf_hooks *h, const rf_create_opts *o,
			 const rf_diag *diag)
{
	bool poststop = cr->spawned && h->n[RF_HOOK_POSTSTOP];
	sigset_t fwd, old;

	rf_forwarded_set(&fwd);
	if (poststop)
		sigprocmask(SIG_BLOCK, &fwd, &old);
	creation_release(cr, failed);
	if (poststop) {
		run_hooks_warned(h, o->id, o->bundle, RF_HOOK_POSTSTOP, "stopped", 0, diag);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
}

static int make_state_dir(creation *cr, const rf_create_opts *o, rf_error *err)
{
	char dir[PATH_MAX];

	if (mkdir_p(o->root, 0700, err) < 0)
		return rf_error_prefix(err, "--root");
	if (snprintf(dir, sizeof(dir), "%s/%s.verdict.json", o->root, o->id) >= (int)sizeof(dir))
		return rf_error_set(err, ENAMETOOLONG, "state directory of `%s` is too long", o->id);
	snprintf(dir, sizeof(dir), "%s/%s", o->root, o->id);
	if (mkdir(dir, 0700) < 0) {
		if (errno == EEXIST)
			return rf_error_set(err, 0, "container with id \"%s\" already exists", o->id);
		return rf_error_set(err, errno, "create `%s`", dir);
	}
	cr->made_dir = true;
	cr->c.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cr->c.dirfd < 0 || flock(cr->c.dirfd, LOCK_EX) < 0)
		return rf_error_set(err, errno, "open `%s`", dir);
	cr->lock_fd[0] = cr->c.dirfd;
	return 0;
}

/* The ancestors' local OOM counts the verdict compares against: the
 * snapshot the launch took before the clone, so an OOM during setup counts
 * (a creation's launch always takes it: only `run -q` skips it). */
static void record_ancestors(creation *cr)
{
	const rf_ancestors *a = &cr->l.ancestors;

	cr->c.n_ancestors = a->n < RF_ARRAY_SIZE(cr->c.ancestor_oom) ? a->n
		: RF_ARRAY_SIZE(cr->c.ancestor_oom);
	for (size_t i = 0; i < cr->c.n_ancestors; i++)
		cr->c.ancestor_oom[i] = a->oom[i];
}

/* An earlier container's verdict of the same id goes once this one exists;
 * a create that fails leaves it. */
static void drop_old_verdict(const rf_create_opts *o)
{
	char verdict[PATH_MAX];

	if (snprintf(verdict, sizeof(verdict), "%s/%s.verdict.json", o->root, o->id) <
	    (int)sizeof(verdict))
		unlink(verdict);
}

static int create_common(creation *cr, const rf_create_opts *o, rf_plan *plan, bool fifo,
			 const rf_diag *diag, rf_error *err)
{
	cleanup_strv char **envp = NULL;
	char st;
	int r;

	memset(cr, 0, sizeof(*cr));
	cr->fifo = cr->console = cr->back = cr->c.dirfd = -1;
	snprintf(cr->c.id, sizeof(cr->c.id), "%s", o->id);
	snprintf(cr->c.root, sizeof(cr->c.root), "%s", o->root);
	rf_launch_init(&cr->l, plan, diag);
	if (rf_container_check_id(o->id, err) < 0)
		return -1;
	if (container_plan(plan, o, !fifo, err) < 0)
		return -1;
	envp = rf_env_build(&plan->proc, NULL, err);
	if (!envp)
		return -1;
	/* The engine's console socket before anything is made for the id. */
	if (o->console_socket && (cr->console = rf_console_connect(o->console_socket, err)) < 0)
		return -1;
	if (make_state_dir(cr, o, err) < 0 || copy_config(o->bundle, cr->c.dirfd, err) < 0)
		return -1;
	if (fifo) {
		if (mkfifoat(cr->c.dirfd, RF_EXEC_FIFO, 0600) < 0)
			return rf_error_set(err, errno, "create `%s`", RF_EXEC_FIFO);
		cr->fifo = openat(cr->c.dirfd, RF_EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (cr->fifo < 0)
			return rf_error_set(err, errno, "open `%s`", RF_EXEC_FIFO);
	}
	if (plan->proc.pty && !o->console_socket) {
		int sp[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
			return rf_error_set(err, errno, "create the terminal's socket pair");
		cr->back = sp[0];
		cr->console = sp[1];
	}
	cr->l.start_fd = cr->fifo;
	cr->l.console_fd = cr->console;
	cr->l.detach = fifo;
	cr->l.close_fds = cr->lock_fd;
	cr->l.n_close_fds = 1;
	if (rf_hooks_any(&plan->hooks, RF_HOOKS_IN_CREATE))
		cr->l.hooks = (rf_hook_state){ .hooks = &plan->hooks, .id = o->id,
					       .bundle = o->bundle, .cwd = o->bundle };
	cr->c.hooks = rf_hooks_any(&plan->hooks, 1u << RF_HOOK_POSTSTART | 1u << RF_HOOK_POSTSTOP);
	if (rf_launch_prepare(&cr->l, err) < 0)
		return -1;
	r = rf_launch_spawn(&cr->l, envp, err);
	cr->spawned = cr->l.child > 0;
	/* A hook may look at the container (`state`, `list`) while create
	 * runs it: shared from here, which still keeps start and delete out
	 * (flock's downgrade lets no exclusive waiter in between). */
	if (r == 0 && cr->l.hooks.hooks && flock(cr->c.dirfd, LOCK_SH) < 0)
		return rf_error_set(err, errno, "lock the state of \"%s\"", o->id);
	if (r < 0 || rf_launch_hooks(&cr->l, err) < 0)
		return -1;
	if (fifo && rf_launch_wait_ready(&cr->l, err) < 0)
		return -1;
	rf_closep(&cr->console);
	/* A systemd scope (--systemd-cgroup) must outlive create, as the
	 * container does, and keep the leaf's counters until delete. */
	if (fifo && cg_manager_detach(&cr->l.place, err) < 0)
		return -1;
	if (fifo) {
		snprintf(cr->c.scope, sizeof(cr->c.scope), "%s", cr->l.place.unit);
		/* create moved aside to make the leaf, and exits there: delete
		 * puts the caller's cgroup back. */
		snprintf(cr->c.nested_in, sizeof(cr->c.nested_in), "%s", cr->l.place.nested_in);
		cr->c.nested_enabled = cr->l.place.enabled;
	}
	cr->c.pid = cr->l.child;
	/* A point after READY, before the ancestors' baseline is kept: a test
	 * stops create here (pid.stat=stop) to OOM the container meanwhile. */
	if (RF_FAULT("pid.stat") || rf_proc_stat(cr->c.pid, &cr->c.pid_start, &st) < 0)
		return rf_error_set(err, errno, "read the start time of pid %d", (int)cr->c.pid);
	snprintf(cr->c.cgroup, sizeof(cr->c.cgroup), "%s", cr->l.leaf.rel);
	snprintf(cr->c.bundle, sizeof(cr->c.bundle), "%s", o->bundle);
	snprintf(cr->c.verdict_path, sizeof(cr->c.verdict_path), "%s",
		 plan->verdict_path ? plan->verdict_path : "");
	snprintf(cr->c.rootfs, sizeof(cr->c.rootfs), "%s", container_rootfs(plan));
	now_rfc3339(cr->c.created, sizeof(cr->c.created));
	record_ancestors(cr);
	if (rf_container_save(&cr->c, err) < 0)
		return -1;
	if (rf_container_write_pid_file(o->pid_file, cr->c.pid, err) < 0)
		return -1;
	drop_old_verdict(o);
	return 0;
}

int rf_container_create(const rf_create_opts *o, rf_plan *plan, const rf_diag *diag,
			rf_error *err)
{
	creation cr;
	int r = create_common(&cr, o, plan, true, diag, err);

	/* Created: delete runs poststop. Failed once the process existed: on
	 * to delete's last step now, as runc's does. */
	if (r == 0) {
		rf_launch_detach(&cr.l);
		cr.spawned = false;
	}
	creation_end(&cr, r < 0, &plan->hooks, o, diag);
	return r;
}

int rf_container_start(const char *root, const char *id, const rf_diag *diag, rf_error *err)
{
	rf_container c;
	cleanup_close int fd = -1;
	int r = -1;

	if (rf_container_open(root, id, true, &c, err) < 0)
		return -1;
	switch (c.status) {
	case RF_CSTATUS_CREATED:
		break;
	case RF_CSTATUS_STOPPED:
		rf_error_set(err, 0, "cannot start a container that has stopped");
		goto out;
	case RF_CSTATUS_CREATING:
		rf_error_set(err, 0, "container \"%s\" is still being created", id);
		goto out;
	default:
		rf_error_set(err, 0, "cannot start an already running container");
		goto out;
	}
	fd = openat(c.dirfd, RF_EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENXIO)
			rf_container_not_running(&c, err);
		else
			rf_error_set(err, errno, "open `%s`", RF_EXEC_FIFO);
		goto out;
	}
	/* The byte first: the fifo goes only once the container has it, so a
	 * failed write leaves it created, to be started again or deleted. */
	if (rf_write_no_sigpipe(fd, "s", 1) != 1) {
		if (errno == EPIPE)   /* it died between the open and the write */
			rf_container_not_running(&c, err);
		else
			rf_error_set(err, errno, "start container \"%s\"", id);
		goto out;
	}
	if (unlinkat(c.dirfd, RF_EXEC_FIFO, 0) < 0) {
		rf_error_set(err, errno, "container \"%s\" started, but remove `%s`", id,
			     RF_EXEC_FIFO);
		goto out;
	}
	r = 0;
	if (c.hooks) {
		rf_hooks h;
		int loaded;

		/* Read while locked; run unlocked: a hook may look at the
		 * container (`state`). */
		loaded = saved_hooks(&c, &h, diag);
		flock(c.dirfd, LOCK_UN);
		if (loaded == 0)
			run_hooks_warned(&h, c.id, c.bundle, RF_HOOK_POSTSTART, "running", c.pid,
					 diag);
		rf_hooks_free(&h);
	}
out:
	rf_container_close(&c);
	return r;
}

/* ---- signals ---------------------------------------------------------- */

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* Signal the container's process through a pidfd checked against the start
 * time, so a reused pid is never hit; plain kill() before Linux 5.3. */
static int signal_init(const rf_container *c, int sig, rf_error *err)
{
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	uint64_t start;
	char st;

	if (rf_proc_stat(c->pid, &start, &st) < 0 || start != c->pid_start)
		return rf_container_not_running(c, err);
	if (pidfd >= 0) {
		if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0)
			return 0;
	} else if (kill(c->pid, sig) == 0) {
		return 0;
	}
	if (errno == ESRCH)
		return rf_container_not_running(c, err);
	return rf_error_set(err, errno, "send signal %d to container \"%s\"", sig, c->id);
}

static int signal_all(const rf_container *c, int sig, rf_error *err)
{
	cleanup_free pid_t *pids = NULL;
	cg_mount m;
	cg_leaf leaf;
	size_t n = 0;
	int r;

	if (rf_container_leaf(c, &m, &leaf, err) < 0)
		return -1;
	if (sig == SIGKILL)
		r = cg_leaf_kill(&leaf, err);
	else if ((r = cg_read_pids(leaf.dirfd, &pids, &n, err)) == 0)
		for (size_t i = 0; i < n; i++)
			kill(pids[i], sig);
	cg_leaf_close(&leaf);
	return r;
}

int rf_container_kill(const char *root, const char *id, int sig, bool all, rf_error *err)
{
	rf_container c;
	int r;

	r = all ? rf_container_open_made(root, id, false, &c, err)
		: rf_container_open_live(root, id, false, &c, err);
	if (r < 0)
		return -1;
	/* --all reaches what is left in the cgroup after the container's
	 * process ended too (containerd kills a shared pid namespace's
	 * processes so), as runc's does; a cgroup already gone is no error. */
	if (all)
		r = signal_all(&c, sig, err);
	else
		r = signal_init(&c, sig, err);
	if (r < 0 && all && c.status == RF_CSTATUS_STOPPED && err->errnum == ENOENT)
		r = 0;
	rf_container_close(&c);
	return r;
}

/* ---- the verdict and delete -------------------------------------------- */

/* The verdict from the container's open leaf. */
static void verdict_of_leaf(const rf_container *c, const cg_mount *m, const cg_leaf *leaf,
			    rf_verdict *v)
{
	rf_ancestors a;
	int64_t sum = 0;
	bool any = false;

	memset(v, 0, sizeof(*v));
	rf_counters_init(&v->c);
	rf_counters_read(leaf->dirfd, -1, &v->c);
	/* The ancestors' local OOM counts since create: an OOM at a parent's limit. */
	rf_ancestors_snapshot(m, c->cgroup, &a);
	for (size_t i = 0; i < a.n && i < c->n_ancestors; i++) {
		if (a.oom[i] == RF_NA || c->ancestor_oom[i] == RF_NA)
			continue;
		sum += a.oom[i] - c->ancestor_oom[i];
		any = true;
	}
	rf_ancestors_close(&a);
	v->c.ancestor_oom = any ? sum : RF_NA;
	v->o.launched = true;
	v->o.status_unknown = true;
	snprintf(v->cgroup, sizeof(v->cgroup), "%s", c->cgroup);
	rf_verdict_classify(v, false);
}

int rf_container_verdict(const rf_container *c, rf_verdict *v, rf_error *err)
{
	cg_mount m;
	cg_leaf leaf;

	if (rf_container_leaf(c, &m, &leaf, err) < 0)
		return -1;
	verdict_of_leaf(c, &m, &leaf, v);
	cg_leaf_close(&leaf);
	return 0;
}

/* The verdict as JSON to <root>/<ID>.verdict.json and to the path of the
 * bundle's ringfence.verdict annotation, if any. */
static void store_verdict(const rf_container *c, const rf_verdict *v, const rf_diag *diag)
{
	cleanup_free char *json = NULL;
	char path[PATH_MAX], msg[RF_ERROR_MSG_MAX + 64];
	size_t len;
	rf_error e = { 0 };

	if (snprintf(path, sizeof(path), "%s/%s.verdict.json", c->root, c->id) >= (int)sizeof(path))
		rf_error_set(&e, ENAMETOOLONG, "`%s/%s.verdict.json` is too long", c->root, c->id);
	else
		rf_verdict_json(v, &json, &len, &e);
	if (!json) {
		rf_warn(diag, "container \"%s\": no verdict: %s", c->id,
			rf_error_format(&e, msg, sizeof(msg)));
		return;
	}
	if (rf_write_file_atomic(AT_FDCWD, path, json, &e) < 0)
		rf_warn(diag, "container \"%s\": %s", c->id, rf_error_format(&e, msg, sizeof(msg)));
	if (c->verdict_path[0] && rf_container_write_annotated(c, json, &e) < 0)
		rf_warn(diag, "container \"%s\": annotation ringfence.verdict: %s", c->id,
			rf_error_format(&e, msg, sizeof(msg)));
}

/* The verdict first (the counters as the container left them), then kill
 * what is left, wait until the leaf is empty and remove it, then the
 * systemd scope around it (--systemd-cgroup), and the state. */
static int destroy(rf_container *c, const rf_diag *diag, rf_error *err)
{
	cg_mount m;
	cg_leaf leaf;

	if (rf_container_leaf(c, &m, &leaf, err) < 0) {
		if (c->cgroup[0] && err->errnum != ENOENT)
			return -1;
	} else {
		rf_verdict v;

		verdict_of_leaf(c, &m, &leaf, &v);
		store_verdict(c, &v, diag);
		if (cg_leaf_destroy(&leaf, err) < 0)
			return rf_error_prefix(err, "delete container \"%s\"", c->id);
	}
	if (c->scope[0] && cg_systemd_stop(c->scope, err) < 0)
		return rf_error_prefix(err, "delete container \"%s\"", c->id);
	if (c->nested_in[0] && cg_find_mount(&m, NULL) == 0)
		cg_cgroupfs_unnest(&m, c->nested_in, c->nested_enabled);
	remove_state(c->root, c->id, c->dirfd);
	return 0;
}

int rf_container_delete(const char *root, const char *id, bool force, const rf_diag *diag,
			rf_error *err)
{
	rf_container c;
	rf_hooks h;
	int r;

	if (rf_container_open(root, id, true, &c, err) < 0)
		return force && c.missing ? 0 : -1;
	(void)saved_hooks(&c, &h, diag);   /* before the state, and the copy, go */
	switch (c.status) {
	case RF_CSTATUS_RUNNING:
	case RF_CSTATUS_PAUSED:
		if (!force) {
			r = rf_error_set(err, 0, "cannot delete container %s that is not stopped: %s",
					 id, rf_cstatus_name(c.status));
			break;
		}
		/* fallthrough */
	default:
		/* created and creating go without --force, as with runc */
		r = destroy(&c, diag, err);
	}
	if (r == 0)
		run_hooks_warned(&h, c.id, c.bundle, RF_HOOK_POSTSTOP, "stopped", 0, diag);
	rf_hooks_free(&h);
	rf_container_close(&c);
	return r;
}

/* ---- foreground run ------------------------------------------------------ */

int rf_container_run(const rf_create_opts *o, rf_plan *plan, const rf_diag *diag,
		     int *exit_code, rf_error *err)
{
	struct termios saved;
	pid_t relay = -1;
	bool raw = false;
	creation cr;
	rf_verdict v;
	int r;

	/* runc's exit codes (128+N for a signal, 137 for an OOM kill): the
	 * verdict is in the files delete writes. */
	plan->sup.plain_exit = true;
	plan->sup.quiet = true;
	memset(&v, 0, sizeof(v));
	rf_counters_init(&v.c);
	r = create_common(&cr, o, plan, false, diag, err);
	if (r == 0) {
		/* Others may look at it (state, kill) while it runs; it is ours
		 * again to delete. */
		flock(cr.c.dirfd, LOCK_UN);
		snprintf(v.cgroup, sizeof(v.cgroup), "%s", cr.l.leaf.rel);
		/* poststart once the command runs: after the exec. */
		if (plan->hooks.n[RF_HOOK_POSTSTART] && rf_launch_wait_exec(&cr.l))
			run_hooks_warned(&plan->hooks, o->id, o->bundle, RF_HOOK_POSTSTART,
					 "running", cr.c.pid, diag);
		if (cr.back >= 0)
			r = rf_console_relay_back(cr.back, &relay, &saved, &raw, err);
		if (r == 0)
			r = rf_run_supervise(&cr.l, &v, err);
		if (relay > 0)
			waitpid(relay, NULL, 0);
		if (raw)
			tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
		flock(cr.c.dirfd, LOCK_EX);
	}
	if (r == 0) {
		*exit_code = v.exit_code;
		if (v.kind == RF_VERDICT_LAUNCH_FAILED)
			r = rf_error_set(err, 0, "%s", v.o.launch_msg);
		else
			store_verdict(&cr.c, &v, diag);
		remove_state(cr.c.root, cr.c.id, cr.c.dirfd);
	}
	creation_end(&cr, r < 0, &plan->hooks, o, diag);
	return r;
}
