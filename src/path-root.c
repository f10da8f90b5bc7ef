/* Paths inside a container root; the contract is in path-root.h.
 *
 * The walk for kernels without openat2 keeps a stack of O_PATH fds, one per
 * directory from the root down: ".." pops one (never the root's), a symlink
 * is read with readlinkat and its target put in front of what is left of the
 * path (an absolute target pops back to the root). Every component is opened
 * O_NOFOLLOW relative to the fd above it, so nothing is looked up by a path
 * that a concurrent rename could redirect. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "path-root.h"
#include "ringfence/cleanup.h"

/* The kernel's own limit on symlinks in one lookup. */
#define MAX_LINKS 40
#define MAX_DEPTH 256

static int open_with_openat2(int root, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
}

struct walk {
	int fds[MAX_DEPTH];
	int depth;               /* fds[0] is the root's dup */
	char rest[PATH_MAX];     /* what is left to resolve */
	int links;
};

static void walk_free(struct walk *w)
{
	for (int i = 0; i <= w->depth; i++)
		if (w->fds[i] >= 0)
			close(w->fds[i]);
	w->depth = -1;
}

/* Put `target` in front of w->rest; an absolute target starts from the root. */
static int follow(struct walk *w, int fd)
{
	char target[PATH_MAX], joined[PATH_MAX];
	ssize_t n;

	if (++w->links > MAX_LINKS)
		return errno = ELOOP, -1;
	n = readlinkat(fd, "", target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	if (snprintf(joined, sizeof(joined), "%s/%s", target, w->rest) >= (int)sizeof(joined))
		return errno = ENAMETOOLONG, -1;
	memcpy(w->rest, joined, sizeof(joined));
	if (target[0] == '/')
		while (w->depth > 0)
			close(w->fds[w->depth--]);
	return 0;
}

/* Next component of w->rest into name ("" when none is left); -1 with
 * ENAMETOOLONG for one longer than a name can be, which openat2 refuses too
 * (cut short, it would name another file). */
static int next_component(struct walk *w, char name[NAME_MAX + 1], bool *last)
{
	char *p = w->rest;
	size_t len;

	while (*p == '/')
		p++;
	len = strcspn(p, "/");
	if (len > NAME_MAX)
		return errno = ENAMETOOLONG, -1;
	memcpy(name, p, len);
	name[len] = '\0';
	p += len;
	while (*p == '/')
		p++;
	*last = *p == '\0';
	memmove(w->rest, p, strlen(p) + 1);
	return 0;
}

static int open_by_walk(int root, const char *path, int flags)
{
	struct walk w = { .depth = 0 };
	char name[NAME_MAX + 1];
	int fd, r;

	if (snprintf(w.rest, sizeof(w.rest), "%s", path) >= (int)sizeof(w.rest))
		return errno = ENAMETOOLONG, -1;
	w.fds[0] = fcntl(root, F_DUPFD_CLOEXEC, 3);
	if (w.fds[0] < 0)
		return -1;
	for (;;) {
		struct stat st;
		bool last;

		if (next_component(&w, name, &last) < 0)
			goto fail;
		if (!name[0] || !strcmp(name, "."))
			goto next;
		if (!strcmp(name, "..")) {
			if (w.depth > 0)
				close(w.fds[w.depth--]);
			goto next;
		}
		fd = openat(w.fds[w.depth], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0)
			goto fail;
		if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
			r = follow(&w, fd);
			close(fd);
			if (r < 0)
				goto fail;
			continue;
		}
		if (w.depth + 1 >= MAX_DEPTH) {
			close(fd);
			errno = ENAMETOOLONG;
			goto fail;
		}
		w.fds[++w.depth] = fd;
		if (!last && !S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			goto fail;
		}
next:
		if (!w.rest[0])
			break;
	}
	fd = w.fds[w.depth];
	w.fds[w.depth] = -1;
	walk_free(&w);
	return fd;
fail:
	r = errno;
	walk_free(&w);
	errno = r;
	return -1;
}

/* The walk's O_PATH result reopened with the caller's flags. */
static int reopen(int fd, int flags)
{
	char proc[64];
	struct stat st;
	int r, saved;

	if ((flags & O_DIRECTORY) && (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))) {
		saved = errno ? errno : ENOTDIR;
		close(fd);
		return errno = saved, -1;
	}
	if (flags & O_PATH)
		return fd;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	r = open(proc, (flags & ~O_NOFOLLOW) | O_CLOEXEC);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int rf_path_open_in_root(int root, const char *path, int flags)
{
	int fd;

	if (!getenv("RINGFENCE_NO_OPENAT2")) {
		fd = open_with_openat2(root, path, flags);
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return fd;
		/* EPERM: a seccomp filter that predates openat2 */
	}
	fd = open_by_walk(root, path, flags);
	return fd < 0 ? -1 : reopen(fd, flags);
}

int rf_path_read_in_root(int root, const char *path)
{
	int fd = rf_path_open_in_root(root, path, O_PATH), saved = 0;
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		saved = errno;
	else if (!S_ISREG(st.st_mode))
		saved = EINVAL;
	if (saved) {
		close(fd);
		return errno = saved, -1;
	}
	return reopen(fd, O_RDONLY);
}

/* Open the prefix path[0..len) as a directory in root. */
static int open_prefix(int root, const char *path, size_t len)
{
	char prefix[PATH_MAX];

	snprintf(prefix, sizeof(prefix), "%.*s", (int)len, path);
	return rf_path_open_in_root(root, len ? prefix : "/", O_PATH | O_DIRECTORY);
}

int rf_path_make_in_root(int root, const char *path, bool file, rf_error *err)
{
	size_t len = strlen(path);
	const char *p = path;

	if (len >= PATH_MAX)
		return rf_error_set(err, ENAMETOOLONG, "`%.64s...`", path);
	for (;;) {
		cleanup_close int parent = -1;
		const char *start, *end;
		char name[NAME_MAX + 1];
		bool last;
		int fd;

		while (*p == '/')
			p++;
		start = p;
		end = start + strcspn(start, "/");
		p = end;
		while (*p == '/')
			p++;
		last = *p == '\0';
		if (end == start)
			break;   /* the root itself */
		if ((size_t)(end - start) > NAME_MAX)
			return rf_error_set(err, ENAMETOOLONG, "a component of `%s`", path);
		snprintf(name, sizeof(name), "%.*s", (int)(end - start), start);
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			return rf_error_set(err, EINVAL, "`%s` has a `.` or `..` component", path);
		parent = open_prefix(root, path, (size_t)(start - path));
		if (parent < 0)
			return rf_error_set(err, errno, "open `%.*s`", (int)(start - path), path);
		if (last && file) {
			fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				    0644);
			if (fd >= 0)
				close(fd);
			else if (errno != EEXIST)
				return rf_error_set(err, errno, "create `%s`", path);
		} else if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) {
			return rf_error_set(err, errno, "create the directory `%.*s`",
					    (int)(end - path), path);
		}
		if (last)
			break;
	}
	/* Existing or made: open it the safe way (a symlink made meanwhile, or a
	 * dangling one already there, cannot lead out). */
	{
		int fd = rf_path_open_in_root(root, path, O_PATH);
		struct stat st;

		if (fd < 0)
			return rf_error_set(err, errno, "open `%s`", path);
		if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) != file) {
			close(fd);
			return rf_error_set(err, 0, "`%s` is %s, the mount needs %s", path,
					    file ? "a directory" : "not a directory",
					    file ? "a file" : "a directory");
		}
		return fd;
	}
}
