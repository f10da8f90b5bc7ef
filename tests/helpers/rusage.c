/* rusage CMD [ARG...]: run CMD, then print on stderr one line
 *   rusage: status=N maxrss_kb=N self_hwm_kb=N wall_us=N end_mono_us=N
 * maxrss_kb is the largest resident set among CMD and its waited-for
 * descendants; self_hwm_kb is CMD's own high-water mark (VmHWM) read at its
 * exit, without its descendants (for ringfence: the supervisor alone, not the
 * payload); wall_us the wall time; end_mono_us CLOCK_MONOTONIC at exit, the
 * clock /dev/kmsg stamps its records with. Exits with CMD's status.
 *
 * self_hwm_kb needs CMD stopped at its exit while its memory still exists:
 * CMD runs traced (PTRACE_O_TRACEEXIT), only CMD, not what it starts; signals
 * it receives are passed on. A benchmark helper. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* VmHWM of a live process in KiB, -1 if unreadable. */
static long vm_hwm_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6)) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/* Wait for the traced child to end; its VmHWM from the exit stop into *hwm. */
static int trace_until_exit(pid_t pid, long *hwm)
{
	int status;

	for (;;) {
		int sig = 0;

		if (waitpid(pid, &status, 0) < 0) {
			perror("rusage: waitpid");
			return -1;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return status;
		if (!WIFSTOPPED(status))
			continue;
		if (status >> 16 == PTRACE_EVENT_EXIT)
			*hwm = vm_hwm_kb(pid);
		else if (status >> 16 == 0 && WSTOPSIG(status) != SIGTRAP)
			sig = WSTOPSIG(status);
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
	}
}

int main(int argc, char **argv)
{
	struct rusage ru;
	long long start, end;
	long hwm = -1;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: rusage CMD [ARG...]\n");
		return 2;
	}
	start = mono_us();
	pid = fork();
	if (pid < 0) {
		perror("rusage: fork");
		return 2;
	}
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		execvp(argv[1], argv + 1);
		perror("rusage: exec");
		_exit(127);
	}
	if (waitpid(pid, &status, WUNTRACED) < 0 ||
	    ptrace(PTRACE_SETOPTIONS, pid, NULL,
		   (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)) < 0 ||
	    ptrace(PTRACE_CONT, pid, NULL, NULL) < 0) {
		perror("rusage: trace");
		return 2;
	}
	status = trace_until_exit(pid, &hwm);
	if (status < 0)
		return 2;
	end = mono_us();
	getrusage(RUSAGE_CHILDREN, &ru);
	fprintf(stderr, "rusage: status=%d maxrss_kb=%ld self_hwm_kb=%ld wall_us=%lld "
		"end_mono_us=%lld\n",
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), ru.ru_maxrss,
		hwm, end - start, end);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
