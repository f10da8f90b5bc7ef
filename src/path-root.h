/* Paths inside a container root (src/path-root.c). A container's files are
 * the container's: a symlink in them must never lead a mount, a device node
 * or a read of /etc/passwd onto the host (the CVE-2019-5736 and
 * CVE-2024-21626 class). */
#ifndef RINGFENCE_SRC_PATH_ROOT_H
#define RINGFENCE_SRC_PATH_ROOT_H

#include <stdbool.h>

#include "ringfence/error.h"

/* Open `path` below the directory fd `root` as if `root` were `/`: symlinks,
 * absolute or relative, and ".." never leave it; magic links
 * (/proc/PID/fd/N, /proc/PID/root...) are refused (ELOOP). `flags` are
 * openat's (O_CLOEXEC is added); O_NOFOLLOW leaves a final symlink
 * unfollowed. openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) on Linux 5.6
 * and later (RINGFENCE_NO_OPENAT2 in the environment forces the other way),
 * else a walk one component at a time that does the same; the walk opens
 * anything but O_PATH through /proc/self/fd. Returns the fd, or -1 with
 * errno set. */
int rf_path_open_in_root(int root, const char *path, int flags);

/* The regular file `path` below `root` opened for reading, by the rules
 * above. Anything else fails with EINVAL before it is opened: a FIFO there
 * would block the reader, a device could be the host's. */
int rf_path_read_in_root(int root, const char *path);

/* The same, creating what is missing on the way (directories of mode 0755,
 * as the caller's umask allows), and the last component as a directory, or
 * as an empty file (0644) when `file`. A dangling symlink on the way is an
 * error, never followed out. Returns an O_PATH fd, or -1 with err naming
 * `path`. */
int rf_path_make_in_root(int root, const char *path, bool file, rf_error *err);

#endif
