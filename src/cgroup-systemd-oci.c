/* The systemd manager's side for the OCI runtime (--systemd-cgroup): the
 * scope's name from linux.cgroupsPath, and the keeper.
 *
 * Theory of operation
 * ===================
 * runc and crun put the container's process itself in the scope, so their
 * scope lives exactly as long as the container, and its counters go with it.
 * ringfence's verdict is read at `delete` from the leaf's counters
 * (container-lifecycle.c), which must outlive the container's process as
 * they do under cgroupfs. So `create` (in SCOPE/supervisor, where the scope
 * started with it) forks the keeper there before it exits: a process that
 * holds nothing of create's (no fd, no directory, no signal mask, its own
 * session) and sleeps until `delete` stops the scope, whose SIGTERM ends it.
 * It is not the container's parent (it is create's child, created after the
 * container's process) and not in the container's cgroup. Until create has
 * recorded the container, a failure ends it (cg_systemd_release). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ringfence/cgroup-manager.h"
#include "ringfence/isolation.h"
#include "cgroup-internal.h"

/* ---- linux.cgroupsPath ---------------------------------------------------- */

static bool unit_name_ok(const char *name)
{
	static const char ok[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.\\-";

	return name[0] && strspn(name, ok) == strlen(name);
}

int cg_systemd_cgroups_path(const char *path, const char *id, char *slice, size_t slice_len,
			    char *unit, size_t unit_len, rf_error *err)
{
	char part[3][256];
	const char *p = path, *colon;
	int n = 0;

	if (!path[0]) {
		snprintf(part[0], sizeof(part[0]), "%s", "");
		snprintf(part[1], sizeof(part[1]), "%s", "ringfence");
		if (snprintf(part[2], sizeof(part[2]), "%s", id) >= (int)sizeof(part[2]))
			return rf_error_set(err, ENAMETOOLONG, "the container ID is too long for "
					    "a scope's name");
	} else {
		for (n = 0; n < 3; n++) {
			colon = strchr(p, ':');
			size_t len = colon ? (size_t)(colon - p) : strlen(p);

			if (len >= sizeof(part[n]))
				return rf_error_set(err, ENAMETOOLONG, "`%.128s`: too long", path);
			memcpy(part[n], p, len);
			part[n][len] = '\0';
			if (!colon)
				break;
			p = colon + 1;
		}
		if (n != 2)
			return rf_error_set(err, 0, "`%.200s`: expected `slice:prefix:name` "
					    "with --systemd-cgroup, as `system.slice:ringfence:ID`",
					    path);
	}
	if (!part[0][0])
		snprintf(part[0], sizeof(part[0]), "%s", geteuid() == 0 ? "system.slice" :
			 "user.slice");
	if (cg_systemd_slice_name(part[0], slice, slice_len, err) < 0)
		return -1;
	if (strlen(part[2]) > 6 && !strcmp(part[2] + strlen(part[2]) - 6, ".slice"))
		return rf_error_set(err, ENOTSUP, "`%.200s`: a slice as the container's own unit is "
				    "not supported; name a scope (`slice:prefix:name`, "
				    "name without .slice)", path);
	/* PREFIX-NAME.scope, as runc names it (crun too), a dash even when
	 * PREFIX is empty. */
	if (snprintf(unit, unit_len, "%s-%s.scope", part[1], part[2]) >= (int)unit_len ||
	    strlen(unit) > 255)
		return rf_error_set(err, ENAMETOOLONG, "`%.128s`: the scope's name is too long",
				    path);
	if ((part[1][0] && !unit_name_ok(part[1])) || !unit_name_ok(part[2]))
		return rf_error_set(err, 0, "`%s` is not a unit name systemd accepts "
				    "(letters, digits, `:`, `_`, `.`, `-` and `\\`)", unit);
	return 0;
}

/* ---- the keeper ------------------------------------------------------------ */

static void keep(void) __attribute__((noreturn));
static void keep(void)
{
	static const int reset[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGPIPE };
	sigset_t none;
	int fd = open("/dev/null", O_RDWR);

	/* Nothing of create's: its lock on the state, the exec fifo, and the
	 * caller's pipes (conmon and the shim read create's output to EOF). */
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	rf_fds_close_from(3, NULL);
	/* A terminal's signals and a mount being unmounted are not ours. */
	setsid();
	(void)!chdir("/");
	prctl(PR_SET_NAME, "ringfence-keep");
	for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
		signal(reset[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (;;)
		pause();
}

int cg_systemd_detach(cg_placement *p, rf_error *err)
{
	pid_t pid = fork();

	if (pid < 0)
		return rf_error_set(err, errno, "fork the process that keeps scope `%s`", p->unit);
	if (pid == 0)
		keep();
	p->keeper = pid;
	return 0;
}

void cg_systemd_release(cg_placement *p)
{
	if (p->keeper > 0) {
		kill(p->keeper, SIGKILL);
		waitpid(p->keeper, NULL, 0);
		p->keeper = 0;
	}
}
