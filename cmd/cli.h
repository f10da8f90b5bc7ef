/* The command-line layer: one file per subcommand, option parsing only. */
#ifndef RINGFENCE_CLI_H
#define RINGFENCE_CLI_H

#include <limits.h>
#include <stdbool.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

/* Each subcommand takes argv after the subcommand name (argv[0] is the name). */
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_profile(int argc, char **argv);

/* The runtime (runc-compatible) commands, cmd/<name>.c. */
int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_spec(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_oci_run(int argc, char **argv);
/* Is this `run` command line runc's `run [-d] [-b B] ... ID`? (cmd/oci-run.c) */
bool cli_is_oci_run(int argc, char **argv);

/* The runtime's global options (cmd/oci.c), given before the command. */
typedef struct cli_runtime {
	char root[PATH_MAX];     /* --root, "" = the default */
	const char *log_path;    /* --log */
	int log_fd;
	bool log_json;           /* --log-format json */
	bool systemd_cgroup;
	bool debug;
	bool given;              /* any of them was given */
	char **argv;             /* the whole command line, for cli_sealed_exe */
} cli_runtime;
extern cli_runtime cli_rt;

/* Parse the global options from argv[1]; the index of the command, or the
 * negated exit status of a usage error. */
int cli_runtime_globals(int argc, char **argv);
/* The state root (--root or the default); NULL after printing why not. */
const char *cli_oci_root(void);
/* Print (and log) an error once; returns 125. */
int cli_oci_fail(const rf_error *err);
int cli_oci_usage(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The diag sink of the runtime commands: stderr and the --log. */
extern const rf_diag cli_oci_diag;
/* `COMMAND [-h] ID`: 0 with *id, 1 after --help, or the negated exit status. */
int cli_oci_id_only(int argc, char **argv, const char *usage, const char **id);
/* A command about to put a process into a container root: go on from a
 * view of the binary no one can write (src/sealed-exe.c), re-exec'ing into
 * one unless setuid or already there. 0 to go on, or the exit status after
 * an error. */
int cli_sealed_exe(void);
/* text is one JSON object, or an error prefixed with what: a file's object
 * (an OCI process, a resources object) is checked so before it is set into
 * a document, where text after it could otherwise add keys of its own. */
int cli_json_object(const char *text, const char *what, rf_error *err);
/* The bundle's config.json (or text, its saved copy, when not NULL) into
 * plan (not yet finalised); what ringfence does not implement is said
 * through diag. */
int cli_oci_load_bundle(const char *bundle, const char *text, const char *id, rf_plan *plan,
			const rf_diag *diag, rf_error *err);

/* Print "ringfence: MESSAGE[: STRERROR]" once. */
void cli_print_error(const rf_error *err);
/* The diag sink that prints warnings/notes to stderr ("ringfence: warning: ..."). */
extern const rf_diag cli_diag;

/* A bundle read for ringfence's own `run --bundle` (or `profile show`, which
 * shows what that applies): its hooks are the OCI runtime's commands' to run
 * (ringfence-oci(1)), so they are dropped with a warning, or refused under
 * plan->sup.strict. */
int cli_bundle_drop_hooks(const char *bundle, rf_plan *plan, rf_error *err);
/* Usage error: print "ringfence: MSG" and a hint to --help; returns 125. */
int cli_usage_error(const char *subcommand, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
