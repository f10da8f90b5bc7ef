/* rusage CMD [ARG...]: run CMD, then print on stderr one line
 *   rusage: status=N maxrss_kb=N wall_us=N end_mono_us=N
 * (the largest resident set among CMD and its waited-for descendants, the wall
 * time, and CLOCK_MONOTONIC at exit, which is the clock /dev/kmsg stamps its
 * records with). Exits with CMD's status. A benchmark helper. */
#include <stdio.h>
#include <stdlib.h>
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

int main(int argc, char **argv)
{
	struct rusage ru;
	long long start, end;
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
		execvp(argv[1], argv + 1);
		perror("rusage: exec");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("rusage: waitpid");
		return 2;
	}
	end = mono_us();
	getrusage(RUSAGE_CHILDREN, &ru);
	fprintf(stderr, "rusage: status=%d maxrss_kb=%ld wall_us=%lld end_mono_us=%lld\n",
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), ru.ru_maxrss,
		end - start, end);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
