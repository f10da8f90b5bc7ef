/* fd helpers of the engine (src/fds.c), for cmd/ too, other than the child's closing of
 * fds before exec, which is declared with the rest of the child's steps in
 * ringfence/isolation.h. */
#ifndef RINGFENCE_FDS_H
#define RINGFENCE_FDS_H

#include <stddef.h>
#include <sys/types.h>

#include "ringfence/error.h"

/* Read fd from where it stands to its end into a malloc'd buffer with a NUL
 * after the data (*out; *out_len bytes before the NUL; an empty file gives
 * ""). More than `max` bytes (taken as at most SIZE_MAX / 2) fail with EFBIG,
 * and nothing past the first byte too many is read. EINTR is retried.
 * `name` is the file in messages: "read `NAME`" (errno), "read `NAME`:
 * larger than 16 MiB". Each read has at least a page of room below the
 * bound: a /proc seq file (mountinfo) gives about a page per read. */
int rf_read_all(int fd, const char *name, size_t max, char **out, size_t *out_len,
		rf_error *err);

/* write(2), but a reader gone fails with EPIPE instead of raising SIGPIPE,
 * which would end the caller without a word; signal dispositions untouched. */
ssize_t rf_write_no_sigpipe(int fd, const void *buf, size_t len);

#endif
