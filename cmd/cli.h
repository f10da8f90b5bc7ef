/* The command-line layer: one file per subcommand, option parsing only. */
#ifndef RINGFENCE_CLI_H
#define RINGFENCE_CLI_H

#include "ringfence/error.h"

/* Each subcommand takes argv after the subcommand name (argv[0] is the name). */
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_profile(int argc, char **argv);

/* Print "ringfence: MESSAGE[: STRERROR]" once. */
void cli_print_error(const rf_error *err);
/* The diag sink that prints warnings/notes to stderr ("ringfence: warning: ..."). */
extern const rf_diag cli_diag;
/* Usage error: print "ringfence: MSG" and a hint to --help; returns 125. */
int cli_usage_error(const char *subcommand, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
