/* ptyrun: run a command on a new pseudo-terminal and drive it from a script
 * (a test helper for interactive shells).
 *
 *   ptyrun [-t SECONDS] [-s SCRIPT] -- CMD [ARG...]
 *
 * CMD runs in a new session with the pty as its controlling terminal, in the
 * foreground process group, as if started from a terminal emulator. Script
 * lines (from SCRIPT, `-` or no -s: stdin) are acted on in order:
 *
 *   TEXT            typed, followed by Enter
 *   @expect TEXT    wait until the terminal output since the previous match
 *                   contains TEXT (the terminal echoes what is typed, so
 *                   expect text that the typed line does not contain)
 *   @wait-file PATH wait until PATH exists (made by the test once the state
 *                   it waits for, outside the terminal, is there)
 *   @ctrl C         type Ctrl-C (C is a letter, or \ for Ctrl-\)
 *   @resize R C     give the terminal R rows and C columns, as a terminal
 *                   emulator's window resized (the kernel sends SIGWINCH
 *                   to CMD's foreground process group)
 *
 * There is no pause of a fixed time: a script waits for what it needs.
 *
 * Everything the terminal shows is copied to stdout. When the script is done,
 * ptyrun waits for CMD to exit. Exit status: CMD's status (128+N when killed
 * by signal N); 99 when an @expect or the whole run (-t, default 30 s) timed
 * out, after killing CMD's session; 2 on bad usage.
 * This is a test helper: it deliberately does not link libringfence. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int master = -1;
static pid_t child;
static int child_status = -1;
static char *seen;               /* all output so far */
static size_t seen_len, seen_cap, match_from;
static double deadline;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die_timeout(const char *what)
{
	fflush(stdout);
	fprintf(stderr, "\nptyrun: gave up %s\n", what);
	kill(-child, SIGKILL);
	exit(99);
}

/* Copy what the terminal shows, waiting up to `ms` for it. Returns 1 after
 * output, 0 when there was none, -1 on a hang-up (EIO: no slave fd is open). */
static int pump(int ms)
{
	struct pollfd pfd = { .fd = master, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	n = read(master, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 && errno == EINTR ? 0 : -1;
	fwrite(buf, 1, (size_t)n, stdout);
	fflush(stdout);
	if (seen_len + (size_t)n + 1 > seen_cap) {
		seen_cap = 2 * (seen_len + (size_t)n + 1);
		seen = realloc(seen, seen_cap);
		if (!seen)
			abort();
	}
	memcpy(seen + seen_len, buf, (size_t)n);
	seen_len += (size_t)n;
	seen[seen_len] = '\0';
	return 1;
}

static void reap(void)
{
	int status;

	if (child_status < 0 && waitpid(child, &status, WNOHANG) == child)
		child_status = status;
}

static void expect(const char *text)
{
	for (;;) {
		char *hit = seen ? strstr(seen + match_from, text) : NULL;

		if (hit) {
			match_from = (size_t)(hit - seen) + strlen(text);
			return;
		}
		if (now() > deadline || pump(100) < 0) {
			char what[512];

			snprintf(what, sizeof(what), "waiting for `%s`%s", text,
				 now() > deadline ? "" : " (the terminal hung up)");
			die_timeout(what);
		}
	}
}

static void type(const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(master, s, len);

		if (n < 0 && errno != EINTR) {
			perror("ptyrun: write to the terminal");
			exit(2);
		}
		if (n > 0) {
			s += n;
			len -= (size_t)n;
		}
	}
}

static void script_line(char *line)
{
	line[strcspn(line, "\n")] = '\0';
	if (!strncmp(line, "@expect ", 8)) {
		expect(line + 8);
	} else if (!strncmp(line, "@wait-file ", 11)) {
		while (access(line + 11, F_OK) < 0) {
			if (now() > deadline) {
				char what[512];

				snprintf(what, sizeof(what), "waiting for the file `%s`", line + 11);
				die_timeout(what);
			}
			pump(20);
		}
	} else if (!strncmp(line, "@resize ", 8)) {
		struct winsize ws = { 0 };
		char *end;
		unsigned long r = strtoul(line + 8, &end, 10), c = strtoul(end, &end, 10);

		if (*end || !r || !c || r > 9999 || c > 9999) {
			fprintf(stderr, "ptyrun: @resize: expected ROWS COLS, got `%s`\n", line + 8);
			exit(2);
		}
		ws.ws_row = (unsigned short)r;
		ws.ws_col = (unsigned short)c;
		if (ioctl(master, TIOCSWINSZ, &ws) < 0) {
			perror("ptyrun: TIOCSWINSZ");
			exit(2);
		}
	} else if (!strncmp(line, "@ctrl ", 6) && line[6] && !line[7]) {
		char c = (char)(line[6] == '\\' ? 0x1c : (line[6] & 0x1f));

		type(&c, 1);
	} else {
		type(line, strlen(line));
		type("\r", 1);
		pump(50);
	}
}

static void start(char **argv)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	int slave;

	if (openpty(&master, &slave, NULL, NULL, &ws) < 0) {
		perror("ptyrun: openpty");
		exit(2);
	}
	child = fork();
	if (child < 0) {
		perror("ptyrun: fork");
		exit(2);
	}
	if (child == 0) {
		/* A new session whose controlling terminal is the pty; we are its
		 * session leader, so our group is the foreground group. */
		if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0 || dup2(slave, 0) < 0 ||
		    dup2(slave, 1) < 0 || dup2(slave, 2) < 0) {
			perror("ptyrun: set up the terminal");
			_exit(2);
		}
		if (slave > 2)
			close(slave);
		close(master);
		execvp(argv[0], argv);
		fprintf(stderr, "ptyrun: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(slave);
}

int main(int argc, char **argv)
{
	const char *script = "-";
	double timeout = 30;
	FILE *in = stdin;
	char *line = NULL;
	size_t cap = 0;
	int opt;

	while ((opt = getopt(argc, argv, "+t:s:")) != -1) {
		if (opt == 't')
			timeout = strtod(optarg, NULL);
		else if (opt == 's')
			script = optarg;
		else
			goto usage;
	}
	if (optind >= argc || timeout <= 0)
		goto usage;
	if (strcmp(script, "-") && !(in = fopen(script, "re"))) {
		perror(script);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	deadline = now() + timeout;
	start(argv + optind);
	while (getline(&line, &cap, in) > 0)
		script_line(line);
	free(line);

	/* Script done: show the rest until the command has exited and has
	 * nothing more to show (processes it left may keep the pty open). */
	for (;;) {
		int r = pump(100);

		reap();
		if (child_status >= 0 && r <= 0)
			break;
		if (now() > deadline)
			die_timeout("waiting for the command to exit");
		if (r < 0)
			usleep(10000);
	}
	return WIFEXITED(child_status) ? WEXITSTATUS(child_status)
				       : 128 + WTERMSIG(child_status);
usage:
	fputs("Usage: ptyrun [-t SECONDS] [-s SCRIPT] -- CMD [ARG...]\n", stderr);
	return 2;
}
