/* benchtime [-n RUNS] [-j JOBS] [--] CMD [ARG...]: run CMD RUNS times in a
 * row (in each of JOBS concurrent workers, default 1) with stdin, stdout and
 * stderr on /dev/null, and print one line on stdout:
 *   runs=N failed=N min_us=N median_us=N max_us=N wall_us=N per_run_us=N
 * min/median/max are over the single runs' wall times; wall_us is the whole
 * batch, per_run_us that divided by the number of runs (with JOBS > 1: the
 * cost per sandbox when JOBS of them start at once); first_us and last_us are
 * the best runs of each worker's first and last quarter of runs (does a run
 * cost more after many? The best, since load from elsewhere only adds). A run that does not exit
 * 0 counts as failed and its time in none of them (a command that fails
 * fast must not look fast; -1 where no run succeeded); the exit status is 1
 * if any failed.
 *
 * posix_spawn (a vfork in glibc) keeps the launcher's own cost small and the
 * same for every command measured. A benchmark helper (tests/bench). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static long parse_count(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 100000) {
		fprintf(stderr, "benchtime: %s: expected 1-100000, got `%s`\n", what, s);
		exit(2);
	}
	return v;
}

/* The best run in each worker's first and last quarter of runs (the first and
 * last run when there are fewer than four). */
static void quarter_best(const long long *times, long runs, long jobs, long long *first,
			 long long *last)
{
	long q = runs >= 4 ? runs / 4 : 1;

	*first = *last = -1;
	for (long j = 0; j < jobs; j++)
		for (long i = 0; i < q; i++) {
			long long a = times[j * runs + i], b = times[j * runs + runs - q + i];

			if (a >= 0 && (*first < 0 || a < *first))
				*first = a;
			if (b >= 0 && (*last < 0 || b < *last))
				*last = b;
		}
}

/* One worker: RUNS runs in a row; each run's time into times[] (-1 for a
 * failed run), failures counted. */
static int worker(char **argv, long runs, long long *times)
{
	posix_spawn_file_actions_t fa;
	int failed = 0;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	for (long i = 0; i < runs; i++) {
		long long t0 = mono_us();
		int status;
		pid_t pid;

		if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0 ||
		    waitpid(pid, &status, 0) != pid) {
			failed++;
			times[i] = -1;
			continue;
		}
		times[i] = mono_us() - t0;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			failed++;
			times[i] = -1;
		}
	}
	posix_spawn_file_actions_destroy(&fa);
	return failed;
}

int main(int argc, char **argv)
{
	long runs = 1, jobs = 1, total;
	long long *times, *ok, wall, first, last;
	long n_ok;
	int opt, failed = 0;

	while ((opt = getopt(argc, argv, "+n:j:")) != -1) {
		switch (opt) {
		case 'n': runs = parse_count(optarg, "-n"); break;
		case 'j': jobs = parse_count(optarg, "-j"); break;
		default:
			fprintf(stderr, "usage: benchtime [-n RUNS] [-j JOBS] [--] CMD [ARG...]\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: benchtime [-n RUNS] [-j JOBS] [--] CMD [ARG...]\n");
		return 2;
	}
	total = runs * jobs;
	/* Shared with the workers, which each fill their own slice. */
	times = mmap(NULL, (size_t)total * sizeof(*times) + sizeof(int) * (size_t)jobs,
		     PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (times == MAP_FAILED) {
		perror("benchtime: mmap");
		return 2;
	}
	wall = mono_us();
	if (jobs == 1) {
		failed = worker(argv + optind, runs, times);
	} else {
		int *fails = (int *)(times + total);

		for (long j = 0; j < jobs; j++) {
			pid_t pid = fork();

			if (pid < 0) {
				perror("benchtime: fork");
				return 2;
			}
			if (pid == 0) {
				fails[j] = worker(argv + optind, runs, times + j * runs);
				_exit(0);
			}
		}
		while (wait(NULL) > 0 || errno == EINTR)
			;
		for (long j = 0; j < jobs; j++)
			failed += fails[j];
	}
	wall = mono_us() - wall;
	quarter_best(times, runs, jobs, &first, &last);
	/* The failed runs (-1) sort first: the successful ones follow. */
	qsort(times, (size_t)total, sizeof(*times), cmp_ll);
	n_ok = total - failed;
	ok = times + failed;
	printf("runs=%ld failed=%d min_us=%lld median_us=%lld max_us=%lld wall_us=%lld per_run_us=%lld"
	       " first_us=%lld last_us=%lld\n", total, failed, n_ok ? ok[0] : -1,
	       n_ok ? ok[n_ok / 2] : -1, n_ok ? ok[n_ok - 1] : -1, wall, wall / total, first, last);
	return failed ? 1 : 0;
}
