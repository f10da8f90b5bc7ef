/* Fault injection: compiled into the test build only (src/fault.h,
 * tests/helpers/ringfence-fault), never into ringfence.
 *
 * RINGFENCE_FAULT says what happens, for the supervisor and the child alike:
 *   list            each point reached prints `ringfence-fault: point NAME`
 *                   on stderr (how the walk learns the points of a plan)
 *   NAME            the point fails with EIO
 *   NAME=ERRNO      ... with that errno, a number (`exec=2`: not found)
 *   NAME=kill       the supervisor (whoever reached the first point) is
 *                   SIGKILLed there, after `ringfence-fault: kill at NAME`
 *                   on stderr; a child goes on until the kernel's
 *                   parent-death signal takes it. No process in a new pid
 *                   namespace can signal the supervisor, so a child asks a
 *                   killer, a process the supervisor forks for this, through
 *                   a pipe (kept when a container root's child closes what
 *                   it inherited: RF_FAULT_FD); the child closes its end with
 *                   its other descriptors before exec: no kill at `exec`.
 *   NAME=stop       the process that reaches the point stops itself there
 *                   (SIGSTOP) and goes on, the point passed, when a test
 *                   sends it SIGCONT: a test waits for state T in
 *                   /proc/PID/stat, changes the world under it, and lets
 *                   it go on (tests/vm/oci-oom.bats). Not for a pid
 *                   namespace's init, which ignores its own SIGSTOP.
 * NAME is the point, or `point:detail`. Only its first pass fires, in each
 * process. Unset or empty: nothing happens. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "fault.h"
#include "ringfence/parse.h"

static struct {
	bool ready;
	enum { FAULT_OFF, FAULT_LIST, FAULT_FAIL, FAULT_KILL, FAULT_STOP } mode;
	char name[128];
	int errnum;
	pid_t supervisor;
	int killer;              /* NAME=kill: a byte here has the supervisor killed */
	bool fired;
} fault = { .killer = -1 };

/* A process beside the child that SIGKILLs the supervisor once a byte comes;
 * it ends with the supervisor (parent-death signal) or at EOF. */
static void start_killer(void)
{
	int p[2];
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	if (fork() == 0) {
		close(p[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == fault.supervisor && read(p[0], &c, 1) == 1)
			kill(fault.supervisor, SIGKILL);
		_exit(0);
	}
	close(p[0]);
	fault.killer = p[1];
}

static void fault_init(void)
{
	const char *spec = getenv("RINGFENCE_FAULT");
	const char *eq;
	uint64_t n;

	fault.ready = true;
	fault.supervisor = getpid();
	if (!spec || !*spec)
		return;
	if (!strcmp(spec, "list")) {
		fault.mode = FAULT_LIST;
		return;
	}
	eq = strchr(spec, '=');
	snprintf(fault.name, sizeof(fault.name), "%.*s",
		 (int)(eq ? (size_t)(eq - spec) : strlen(spec)), spec);
	fault.mode = FAULT_FAIL;
	fault.errnum = EIO;
	if (eq && !strcmp(eq + 1, "kill")) {
		fault.mode = FAULT_KILL;
		start_killer();
	} else if (eq && !strcmp(eq + 1, "stop")) {
		fault.mode = FAULT_STOP;
	} else if (eq && rf_parse_u64(eq + 1, 1, 4095, &n, NULL) == 0)
		fault.errnum = (int)n;
}

int rf_fault_fd(void)
{
	return fault.killer;
}

bool rf_fault(const char *point, const char *detail)
{
	char name[192];
	int saved = errno;

	if (!fault.ready)
		fault_init();
	if (fault.mode == FAULT_OFF)
		return false;
	snprintf(name, sizeof(name), "%s%s%s", point, detail ? ":" : "", detail ? detail : "");
	if (fault.mode == FAULT_LIST) {
		char line[256];
		int len = snprintf(line, sizeof(line), "ringfence-fault: point %s\n", name);

		if (len > 0)
			(void)!write(STDERR_FILENO, line, (size_t)len);
		errno = saved;
		return false;
	}
	if (fault.fired || strcmp(name, fault.name))
		return false;
	fault.fired = true;
	if (fault.mode == FAULT_STOP) {
		raise(SIGSTOP);
		errno = saved;
		return false;
	}
	if (fault.mode == FAULT_KILL) {
		/* said first: a test tells a kill here from one by its timeout */
		char line[256];
		int len = snprintf(line, sizeof(line), "ringfence-fault: kill at %s\n", name);

		if (len > 0)
			(void)!write(STDERR_FILENO, line, (size_t)len);
		if (getpid() == fault.supervisor)
			kill(getpid(), SIGKILL);
		(void)!write(fault.killer, "k", 1);
		errno = saved;
		return false;
	}
	errno = fault.errnum;
	return true;
}
