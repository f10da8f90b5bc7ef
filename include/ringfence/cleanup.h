/* Scope-based cleanup: a variable declared with one of these attributes is
 * released when it goes out of scope. Ownership leaves a scope only through
 * steal_pointer() / steal_fd(). File descriptors start at -1. */
#ifndef RINGFENCE_CLEANUP_H
#define RINGFENCE_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void rf_freep(void *p)
{
	free(*(void **)p);
}

/* Close and forget: the fd is -1 afterwards, so a later release of the same
 * variable cannot close a number the kernel has since given to another file. */
static inline void rf_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
		*fd = -1;
	}
}

static inline void rf_fclosep(FILE **f)
{
	if (*f) {
		int saved = errno;
		fclose(*f);
		errno = saved;
	}
}

static inline void rf_closedirp(DIR **d)
{
	if (*d) {
		int saved = errno;
		closedir(*d);
		errno = saved;
	}
}

/* Free a NULL-terminated vector of strings and the vector itself. */
static inline void rf_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static inline void rf_strv_freep(char ***v)
{
	rf_strv_free(*v);
}

#define cleanup_free __attribute__((cleanup(rf_freep)))
#define cleanup_close __attribute__((cleanup(rf_closep)))
#define cleanup_fclose __attribute__((cleanup(rf_fclosep)))
#define cleanup_closedir __attribute__((cleanup(rf_closedirp)))
#define cleanup_strv __attribute__((cleanup(rf_strv_freep)))

#define steal_pointer(pp) \
	({ __typeof__(*(pp)) _rf_p = *(pp); *(pp) = NULL; _rf_p; })

#define steal_fd(fdp) \
	({ int _rf_fd = *(fdp); *(fdp) = -1; _rf_fd; })

#define RF_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
