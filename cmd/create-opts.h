/* The options create and runc's `run ID` share (cmd/create-opts.c). */
#ifndef RINGFENCE_CMD_CREATE_OPTS_H
#define RINGFENCE_CMD_CREATE_OPTS_H

#include <limits.h>
#include <stdbool.h>

#include "ringfence/container.h"

typedef struct cli_create_args {
	rf_create_opts opts;
	char bundle[PATH_MAX];   /* absolute */
	int preserve_fds;        /* --preserve-fds plus LISTEN_FDS */
	bool detach, keep;       /* run only: -d, --keep */
} cli_create_args;

/* Parse argv (argv[0] is the command) into a; `run` adds -d, --keep,
 * --no-subreaper. 0, 1 after --help, or the negated exit status. */
int cli_parse_create(int argc, char **argv, const char *usage, bool run, cli_create_args *a);

#endif
