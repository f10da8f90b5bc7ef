/* src/fds.c: rf_read_all over a table of sources (files, pipes that deliver
 * in chunks, /dev/zero, a directory, a /proc seq file) and bounds. Every
 * read(2) of the engine goes through __wrap_read (linked with --wrap=read):
 * it counts the reads, keeps the smallest one asked for, and can interrupt
 * them with EINTR. Closing fds before exec is tested in test-isolation.c. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "ringfence/fds.h"
#include "ringfence/cleanup.h"

#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)

/* ---- read(2), watched ---- */

ssize_t __real_read(int fd, void *buf, size_t count);
ssize_t __wrap_read(int fd, void *buf, size_t count);

static struct {
	size_t calls;     /* reads that reached the kernel */
	size_t smallest;  /* the smallest count asked of the kernel */
	int eintr;        /* interrupt the next this many reads */
} reads;

ssize_t __wrap_read(int fd, void *buf, size_t count)
{
	if (reads.eintr > 0) {
		reads.eintr--;
		errno = EINTR;
		return -1;
	}
	reads.calls++;
	if (count < reads.smallest)
		reads.smallest = count;
	return __real_read(fd, buf, count);
}

/* ---- sources ---- */

enum source { FROM_FILE, FROM_PIPE, FROM_PATH };

struct case_read {
	const char *name;
	enum source from;
	const char *path;   /* FROM_PATH */
	size_t size;        /* FROM_FILE, FROM_PIPE: bytes of the pattern */
	size_t chunk;       /* FROM_PIPE: bytes per write, each drained before the next */
	size_t skip;        /* FROM_FILE: read from this offset */
	size_t max;
	int eintr;          /* reads interrupted before they reach the kernel */
	size_t min_calls;   /* at least this many reads (0: any) */
	size_t max_calls;   /* at most this many reads (0: any) */
	size_t min_read;    /* no read asked for fewer bytes (0: any) */
	int errnum;         /* the failure, 0 for none */
	const char *err;    /* its message */
};

static const struct case_read read_cases[] = {
	{ "empty file", FROM_FILE, NULL, 0, 0, 0, 100, 0, 1, 1, 0, 0, NULL },
	{ "small file", FROM_FILE, NULL, 10, 0, 0, MiB, 0, 2, 2, 4 * KiB, 0, NULL },
	{ "exactly at the bound", FROM_FILE, NULL, 100, 0, 0, 100, 0, 0, 0, 0, 0, NULL },
	{ "one byte over the bound", FROM_FILE, NULL, 101, 0, 0, 100, 0, 0, 0, 0, EFBIG,
	  "read `FILE`: larger than 100 bytes" },
	{ "far over the bound", FROM_FILE, NULL, 64 * KiB, 0, 0, 100, 0, 1, 1, 0, EFBIG,
	  "read `FILE`: larger than 100 bytes" },
	{ "bound 0, empty", FROM_FILE, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL },
	{ "bound 0, one byte", FROM_FILE, NULL, 1, 0, 0, 0, 0, 0, 0, 0, EFBIG,
	  "read `FILE`: larger than 0 bytes" },
	{ "exactly at a bound past the first buffer", FROM_FILE, NULL, 40000, 0, 0, 40000, 0, 0,
	  0, 0, 0, NULL },
	{ "one byte over a bound past the first buffer", FROM_FILE, NULL, 40001, 0, 0, 40000, 0,
	  0, 0, 0, EFBIG, "read `FILE`: larger than 40000 bytes" },
	{ "at a MiB bound", FROM_FILE, NULL, MiB, 0, 0, MiB, 0, 0, 0, 0, 0, NULL },
	{ "over a MiB bound", FROM_FILE, NULL, MiB + 1, 0, 0, MiB, 0, 0, 0, 0, EFBIG,
	  "read `FILE`: larger than 1 MiB" },
	/* 16K into the first buffer; 16K, 32K and 34464 as it doubles; the end */
	{ "a large file in few reads", FROM_FILE, NULL, 100000, 0, 0, MiB, 0, 5, 5, 4 * KiB, 0,
	  NULL },
	{ "from where the fd stands", FROM_FILE, NULL, 100, 0, 40, 60, 0, 0, 0, 0, 0, NULL },
	{ "interrupted reads are retried", FROM_FILE, NULL, 5000, 0, 0, MiB, 3, 2, 2, 4 * KiB, 0,
	  NULL },
	/* 3000 is no divisor of the buffer: a page of room is kept all the same */
	{ "a pipe in ten chunks", FROM_PIPE, NULL, 10 * 3000, 3000, 0, MiB, 0, 11, 11, 4 * KiB,
	  0, NULL },
	{ "a pipe in page-sized chunks", FROM_PIPE, NULL, 40 * 4096, 4096, 0, MiB, 0, 41, 41,
	  4 * KiB, 0, NULL },
	{ "a pipe in chunks past the bound", FROM_PIPE, NULL, 10 * 1000, 1000, 0, 4500, 0, 5, 5,
	  0, EFBIG, "read `FILE`: larger than 4500 bytes" },
	{ "a pipe written at once, past its capacity", FROM_PIPE, NULL, 300000, 300000, 0, MiB,
	  0, 0, 0, 4 * KiB, 0, NULL },
	{ "an endless source stops at the bound", FROM_PATH, "/dev/zero", 0, 0, 0, MiB, 0, 0, 0,
	  0, EFBIG, "read `FILE`: larger than 1 MiB" },
	{ "a read error", FROM_PATH, "/", 0, 0, 0, MiB, 0, 0, 0, 0, EISDIR, "read `FILE`" },
	{ "a /proc seq file", FROM_PATH, "/proc/self/mountinfo", 0, 0, 0, 16 * MiB, 0, 2, 0,
	  4 * KiB, 0, NULL },
};

static char pattern(size_t i)
{
	return "0123456789abcdefghijklmnopqrstuvwxyz"[i % 36];
}

static void fill(char *buf, size_t from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = pattern(from + i);
}

/* A file of `size` bytes of the pattern, unlinked, at offset `skip`. */
static int pattern_file(size_t size, size_t skip)
{
	char path[] = "/tmp/rf-test-fds-XXXXXX", block[4096];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	for (size_t off = 0; off < size;) {
		size_t n = size - off < sizeof(block) ? size - off : sizeof(block);

		fill(block, off, n);
		assert_int_equal(write(fd, block, n), (ssize_t)n);
		off += n;
	}
	assert_int_equal(lseek(fd, (off_t)skip, SEEK_SET), (off_t)skip);
	return fd;
}

/* The read end of a pipe a child writes the pattern into, `chunk` bytes per
 * write; each chunk waits until the reader took the one before, so every
 * chunk is one read. *pid: the writer. */
static int pattern_pipe(size_t size, size_t chunk, pid_t *pid)
{
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0) {
		char *block = malloc(chunk);

		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		for (size_t off = 0; block && off < size; off += chunk) {
			size_t n = size - off < chunk ? size - off : chunk;
			int left;

			fill(block, off, n);
			if (write(p[1], block, n) != (ssize_t)n)
				_exit(1);
			while (ioctl(p[1], FIONREAD, &left) == 0 && left > 0)
				usleep(100);
		}
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

static void test_read(void **state)
{
	const struct case_read *c = *state;
	cleanup_free char *buf = NULL;
	rf_error err = { 0 };
	size_t len = 0;
	pid_t writer = -1;
	int fd, rc;

	if (c->from == FROM_FILE)
		fd = pattern_file(c->size, c->skip);
	else if (c->from == FROM_PIPE)
		fd = pattern_pipe(c->size, c->chunk, &writer);
	else
		fd = open(c->path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	reads.calls = 0;
	reads.smallest = (size_t)-1;
	reads.eintr = c->eintr;
	rc = rf_read_all(fd, "FILE", c->max, &buf, &len, &err);
	close(fd);
	if (writer > 0) {
		kill(writer, SIGKILL);  /* past the bound it waits for a drain */
		assert_int_equal(waitpid(writer, NULL, 0), writer);
	}
	assert_int_equal(reads.eintr, 0);
	if (c->min_calls && reads.calls < c->min_calls)
		fail_msg("%zu reads, expected at least %zu", reads.calls, c->min_calls);
	if (c->max_calls && reads.calls > c->max_calls)
		fail_msg("%zu reads, expected at most %zu", reads.calls, c->max_calls);
	if (c->min_read && reads.smallest < c->min_read)
		fail_msg("a read of %zu bytes, expected at least %zu", reads.smallest, c->min_read);
	if (c->errnum) {
		assert_int_equal(rc, -1);
		assert_int_equal(err.errnum, c->errnum);
		assert_string_equal(err.msg, c->err);
		assert_null(buf);
		return;
	}
	if (rc < 0)
		fail_msg("%s (%s)", err.msg, strerror(err.errnum));
	assert_non_null(buf);
	assert_int_equal(buf[len], '\0');
	if (c->from == FROM_PATH) {
		/* The same bytes as stdio reads: the seq file's pieces in order. */
		cleanup_fclose FILE *f = fopen(c->path, "re");
		cleanup_free char *want = malloc(c->max + 1);
		size_t n;

		assert_non_null(f);
		assert_non_null(want);
		n = fread(want, 1, c->max + 1, f);
		assert_true(n > 0);
		assert_int_equal(len, n);
		assert_memory_equal(buf, want, n);
		return;
	}
	assert_int_equal(len, c->size - c->skip);
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pattern(c->skip + i))
			fail_msg("byte %zu is `%c`, expected `%c`", i, buf[i], pattern(c->skip + i));
}

int main(void)
{
	struct rf_cases cases = { 0 };

	for (size_t i = 0; i < RF_ARRAY_SIZE(read_cases); i++)
		rf_case_add(&cases, test_read, &read_cases[i], "read all: %s", read_cases[i].name);
	return rf_cases_run(&cases, "fds");
}
