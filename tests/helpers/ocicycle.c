/* ocicycle RUNTIME ROOT BUNDLE ID: one container's whole life as an engine
 * drives it, for the benchmark: as a subreaper (what conmon and
 * containerd's shim are), run `RUNTIME --root ROOT create --bundle BUNDLE
 * ID`, then `start ID`, reap the container's process when it ends (it was
 * reparented to us when create exited), then `delete ID`. Exits with the
 * container's status, or 125 when a runtime command failed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int runtime(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static char root[] = "--root", bundle[] = "--bundle", c[] = "create", s[] = "start",
	d[] = "delete";

int main(int argc, char **argv)
{
	int status = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: ocicycle RUNTIME ROOT BUNDLE ID\n");
		return 2;
	}
	char *create[] = { argv[1], root, argv[2], c, bundle, argv[3], argv[4], NULL };
	char *start[] = { argv[1], root, argv[2], s, argv[4], NULL };
	char *del[] = { argv[1], root, argv[2], d, argv[4], NULL };
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 || runtime(create) < 0 || runtime(start) < 0)
		return 125;
	/* The only child left is the container's process. */
	while (wait(&status) < 0)
		if (errno != EINTR)
			return 125;
	if (runtime(del) < 0)
		return 125;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
