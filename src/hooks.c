/* Running OCI hooks (include/ringfence/hooks.h). A hook is started with
 * posix_spawn: its path as given (never searched), its argv, its env (or,
 * when it has none, the state's env_default: the runtime's own, as runc
 * gives it, or the container's process.env from inside), every signal at its
 * default and none blocked, no descriptor of ours beyond 0-2. Its stdin is a
 * memfd holding the state, so a hook that never reads it cannot block us on
 * a full pipe; its stdout and stderr go to another memfd, read back only
 * when it fails, for the error. A timeout is waited for on a pidfd and ends
 * the hook with SIGKILL. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ringfence/cleanup.h"
#include "ringfence/hooks.h"
#include "ringfence/json.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

extern char **environ;

const char *const rf_hook_names[RF_HOOK_KINDS] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

bool rf_hooks_any(const rf_hooks *h, unsigned mask)
{
	for (int k = 0; k < RF_HOOK_KINDS; k++)
		if ((mask & (1u << k)) && h->n[k])
			return true;
	return false;
}

int rf_hook_state_json(const rf_hook_state *st, char **out, size_t *len, rf_error *err)
{
	rf_json_writer *w = rf_json_writer_new(false);
	const rf_hooks *h = st->hooks;
	int r;

	if (!w)
		return rf_error_set(err, ENOMEM, "the state for the hooks");
	rf_json_begin_object(w);
	rf_json_key(w, "ociVersion");
	rf_json_string(w, "1.0.2");
	rf_json_key(w, "id");
	rf_json_string(w, st->id);
	rf_json_key(w, "status");
	rf_json_string(w, st->status);
	if (st->pid > 0) {
		rf_json_key(w, "pid");
		rf_json_int(w, st->pid);
	}
	rf_json_key(w, "bundle");
	rf_json_string(w, st->bundle);
	if (h && h->n_annotations) {
		rf_json_key(w, "annotations");
		rf_json_begin_object(w);
		for (size_t i = 0; i < h->n_annotations; i++) {
			rf_json_key(w, h->annotations[2 * i]);
			rf_json_string(w, h->annotations[2 * i + 1]);
		}
		rf_json_end_object(w);
	}
	rf_json_end_object(w);
	r = rf_json_writer_finish(w, out, len, err);
	rf_json_writer_free(w);
	return r;
}

/* A memfd holding text, read from its start. */
static int memfd_with(const char *name, const char *text, size_t len, rf_error *err)
{
	cleanup_close int fd = memfd_create(name, MFD_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		return rf_error_set(err, errno, "create the hooks' %s", name);
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rf_error_set(err, errno, "write the hooks' %s", name);
		done += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		return rf_error_set(err, errno, "rewind the hooks' %s", name);
	return steal_fd(&fd);
}

static int spawn_hook(const rf_hook *h, const rf_hook_state *st, int in, int out, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int e;

	sigemptyset(&none);
	sigfillset(&all);
	if ((e = posix_spawn_file_actions_init(&fa)))
		return e;
	if ((e = posix_spawnattr_init(&attr))) {
		posix_spawn_file_actions_destroy(&fa);
		return e;
	}
	e = posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	if (!e)
		e = posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	if (!e)
		e = posix_spawn_file_actions_adddup2(&fa, out, STDERR_FILENO);
	/* A --preserve-fds descriptor is the container's, not the hook's. */
	if (!e)
		e = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (!e && st->cwd)
		e = posix_spawn_file_actions_addchdir_np(&fa, st->cwd);
	if (!e)
		e = posix_spawnattr_setsigmask(&attr, &none);
	if (!e)
		e = posix_spawnattr_setsigdefault(&attr, &all);
	if (!e)
		e = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	if (!e)
		e = posix_spawn(pid, h->path, &fa, &attr, h->argv,
				h->env ? h->env : st->env_default ? st->env_default : environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return e;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for the hook; past its timeout, kill it. 1 when it was killed so,
 * -1 when it could not be waited for (a SIGCHLD set to be ignored, which
 * cmd/main.c undoes, would have it reaped by the kernel: no status to
 * trust). */
static int wait_hook(pid_t pid, unsigned timeout_s, int *status)
{
	cleanup_close int pidfd = -1;
	int64_t deadline = now_ms() + (int64_t)timeout_s * 1000;
	bool late = false;

	if (timeout_s)
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	while (timeout_s && !late) {
		int64_t left = deadline - now_ms();

		if (pidfd >= 0) {
			struct pollfd p = { .fd = pidfd, .events = POLLIN };
			int n = left > 0 ? poll(&p, 1, (int)(left > 60000 ? 60000 : left)) : 0;

			if (n > 0)
				break;
			late = n == 0 && left <= 60000;
		} else {
			/* Before Linux 5.3: no pidfd, so look every 10 ms. */
			pid_t w = waitpid(pid, status, WNOHANG);

			if (w == pid)
				return 0;
			if (w < 0)
				return -1;
			late = left <= 0;
			if (!late)
				nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000000 }, NULL);
		}
	}
	if (late)
		kill(pid, SIGKILL);
	for (;;) {
		pid_t w = waitpid(pid, status, 0);

		if (w == pid)
			return late;
		if (w < 0 && errno != EINTR)
			return -1;
	}
}

/* The start of what the hook wrote, on one line, printable: it reaches the
 * caller's terminal, and a startContainer hook is the image's. */
static void hook_output(int out, char *buf, size_t len)
{
	ssize_t n = pread(out, buf, len - 1, 0);
	size_t end;

	buf[n > 0 ? n : 0] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	end = strlen(buf);
	while (end && buf[end - 1] == ' ')
		buf[--end] = '\0';
}

static int run_one(rf_hook_kind k, size_t i, const rf_hook *h, const rf_hook_state *st,
		   const char *state, size_t state_len, rf_error *err)
{
	cleanup_close int in = -1, out = -1;
	char said[384], name[96], why[64];
	pid_t pid;
	int e, status = 0, late;

	snprintf(name, sizeof(name), "hooks.%s[%zu]", rf_hook_names[k], i);
	if ((in = memfd_with("state", state, state_len, err)) < 0 ||
	    (out = memfd_with("output", "", 0, err)) < 0)
		return -1;
	e = spawn_hook(h, st, in, out, &pid);
	if (e)
		return rf_error_set(err, e, "%s: run `%s`", name, h->path);
	late = wait_hook(pid, h->timeout_s, &status);
	if (late < 0)
		return rf_error_set(err, errno, "%s `%s`: wait for it", name, h->path);
	if (!late && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	hook_output(out, said, sizeof(said));
	if (late)
		snprintf(why, sizeof(why), "killed after its timeout of %u s", h->timeout_s);
	else if (WIFEXITED(status))
		snprintf(why, sizeof(why), "exited with status %d", WEXITSTATUS(status));
	else
		snprintf(why, sizeof(why), "killed by signal %d", WTERMSIG(status));
	rf_error_set(err, 0, "%s `%s`: %s%s%s%s", name, h->path, why, said[0] ? " (it wrote: " : "",
		     said, said[0] ? ")" : "");
	return -1;
}

/* Every hook of kind k in order: up to the first failure, or (with warn)
 * all of them, each failure told to warn. */
static int run_kind(rf_hook_kind k, const rf_hook_state *st,
		    void (*warn)(void *arg, const rf_error *e), void *arg, rf_error *err)
{
	cleanup_free char *state = NULL;
	size_t len;
	int r = 0;

	if (!st->hooks || !st->hooks->n[k])
		return 0;
	if (rf_hook_state_json(st, &state, &len, err) < 0) {
		if (warn)
			warn(arg, err);
		return -1;
	}
	for (size_t i = 0; i < st->hooks->n[k]; i++) {
		if (run_one(k, i, &st->hooks->list[k][i], st, state, len, err) == 0)
			continue;
		r = -1;
		if (!warn)
			break;
		warn(arg, err);
	}
	return r;
}

int rf_hooks_run(rf_hook_kind k, const rf_hook_state *st, rf_error *err)
{
	return run_kind(k, st, NULL, NULL, err);
}

void rf_hooks_run_all(rf_hook_kind k, const rf_hook_state *st,
		      void (*warn)(void *arg, const rf_error *e), void *arg)
{
	rf_error err = { 0 };

	(void)run_kind(k, st, warn, arg, &err);
}

void rf_hooks_clear(rf_hooks *h, rf_hook_kind k)
{
	for (size_t i = 0; i < h->n[k]; i++) {
		free(h->list[k][i].path);
		rf_strv_free(h->list[k][i].argv);
		rf_strv_free(h->list[k][i].env);
	}
	free(h->list[k]);
	h->list[k] = NULL;
	h->n[k] = 0;
}

void rf_hooks_free(rf_hooks *h)
{
	for (int k = 0; k < RF_HOOK_KINDS; k++)
		rf_hooks_clear(h, (rf_hook_kind)k);
	for (size_t i = 0; i < 2 * h->n_annotations; i++)
		free(h->annotations[i]);
	free(h->annotations);
	memset(h, 0, sizeof(*h));
}
