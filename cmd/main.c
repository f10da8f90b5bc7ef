/* ringfence: entry point and subcommand dispatch. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ringfence/json.h"
#include "ringfence/seccomp.h"
#include "ringfence/setuid.h"
#include "ringfence/verdict.h"

static void emit_diag(void *userdata, rf_level level, const char *msg)
{
	(void)userdata;
	if (level == RF_LOG_DEBUG && !getenv("RINGFENCE_DEBUG"))
		return;
	fprintf(stderr, "ringfence: %s%s\n",
		level == RF_LOG_WARNING ? "warning: " : level == RF_LOG_DEBUG ? "debug: " : "",
		msg);
}

const rf_diag cli_diag = { .emit = emit_diag, .userdata = NULL };

void cli_print_error(const rf_error *err)
{
	char buf[RF_ERROR_MSG_MAX + 128];

	fprintf(stderr, "ringfence: %s\n", rf_error_format(err, buf, sizeof(buf)));
}

int cli_usage_error(const char *subcommand, const char *fmt, ...)
{
	va_list ap;

	fputs("ringfence: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ringfence %s%s--help' for more information.\n",
		subcommand ? subcommand : "", subcommand ? " " : "");
	return RF_EXIT_FAILURE;
}

static void print_version(void)
{
	char seccomp[32], json[32];

	/* go-runc and podman read the first line as `NAME version X`. */
	printf("ringfence version %s\n", PACKAGE_VERSION);
	printf("spec: 1.0.2\n");
	printf("features: +cgroup2 +clone3 +seccomp (libseccomp %s) +caps "
	       "+numa +json (%s)%s%s%s\n",
	       rf_seccomp_library_version(seccomp, sizeof(seccomp)),
	       rf_json_library_version(json, sizeof(json)),
#ifdef RF_WITH_SANITIZERS
	       " +sanitizers",
#else
	       "",
#endif
#ifdef RF_FAULT_INJECTION
	       " +fault-injection (a test build, RINGFENCE_FAULT)",
#else
	       "",
#endif
	/* How the binary is linked: a PIE has its code at a random address. */
#if defined(RF_STATIC_PIE)
	       " +static-pie"
#elif defined(RF_STATIC_FIXED)
	       " +static -pie"
#elif defined(RF_DYNAMIC_PIE)
	       " +pie"
#else
	       ""
#endif
	);
}

static void print_help(FILE *out)
{
	fputs("Usage: ringfence [GLOBAL OPTIONS] COMMAND [OPTIONS]\n"
	      "\n"
	      "Run a command in a fresh cgroup v2 leaf with memory, pids and CPU limits,\n"
	      "and report why it ended.\n"
	      "\n"
	      "Commands:\n"
	      "  run [OPTIONS] [--] COMMAND [ARG...]  run COMMAND in a sandbox\n"
	      "  check [--json]                       can run work here? cgroups, OOM posture\n"
	      "  profile list                         the profiles found, with descriptions\n"
	      "  profile show [--strict] NAME|PATH    a profile's effective settings (JSON)\n"
	      "\n"
	      "OCI runtime commands (runc-compatible, see ringfence-oci(1)):\n"
	      "  create [-b BUNDLE] [--pid-file F] [--console-socket S] ID\n"
	      "  start ID | state ID | kill [-a] ID [SIGNAL] | delete [-f] ID\n"
	      "  run [-d] [-b BUNDLE] ID | exec [OPTIONS] ID [COMMAND...]\n"
	      "  ps [-f table|json] ID | list [-q] [-f table|json] | pause ID | resume ID\n"
	      "  update [-r FILE] ID | events [--stats] ID | features | spec [--rootless]\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help     show this help and exit\n"
	      "  -V, -v, --version  show the version and compiled-in features\n"
	      "\n"
	      "Global options of the runtime commands (before COMMAND):\n"
	      "  --root DIR  --log FILE  --log-format text|json  --systemd-cgroup\n"
	      "  --rootless true|false|auto  --debug\n"
	      "\n"
	      "See ringfence(1) and 'ringfence COMMAND --help'.\n",
	      out);
}

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ "check", cmd_check },
	{ "profile", cmd_profile },
	{ "create", cmd_create },
	{ "start", cmd_start },
	{ "state", cmd_state },
	{ "kill", cmd_kill },
	{ "delete", cmd_delete },
	{ "list", cmd_list },
	{ "ps", cmd_ps },
	{ "pause", cmd_pause },
	{ "resume", cmd_resume },
	{ "features", cmd_features },
	{ "events", cmd_events },
	{ "update", cmd_update },
	{ "exec", cmd_exec },
	{ "spec", cmd_spec },
	{ "checkpoint", cmd_checkpoint },
	{ "restore", cmd_checkpoint },
};

/* Installed setuid-root (src/setuid.c): from the first instruction, files
 * are opened with the caller's rights; only the sandbox `run` keeps root's
 * euid, every other command gives it up before it does anything. */
static bool setuid_failed(bool keep_root)
{
	rf_error err = { 0 };

	if (!rf_setuid_active())
		return false;
	if ((keep_root ? rf_setuid_begin(&err) : rf_setuid_drop_all(&err)) < 0) {
		cli_print_error(&err);
		return true;
	}
	return false;
}

int cli_bundle_drop_hooks(const char *bundle, rf_plan *plan, rf_error *err)
{
	if (!rf_hooks_any(&plan->hooks, ~0u))
		return 0;
	if (plan->sup.strict)
		return rf_error_set(err, 0, "bundle `%s`: hooks: not run by `ringfence run --bundle` "
				    "(refused under --strict); `ringfence run ID` runs them", bundle);
	rf_warn(&cli_diag, "bundle `%s`: its hooks are not run by `ringfence run --bundle`; "
		"`ringfence run ID` runs them", bundle);
	rf_hooks_free(&plan->hooks);
	return 0;
}

int main(int argc, char **argv)
{
	int i;

	/* A SIGCHLD a caller left ignored (it survives exec) would have the
	 * kernel reap our children: no status for a sandbox or an OCI hook. */
	signal(SIGCHLD, SIG_DFL);
	if (setuid_failed(true))
		return RF_EXIT_FAILURE;
	i = cli_runtime_globals(argc, argv);
	if (i < 0)
		return -i;
	if ((i >= argc || strcmp(argv[i], "run") || cli_is_oci_run(argc - i, argv + i)) &&
	    setuid_failed(false))
		return RF_EXIT_FAILURE;
	if (i >= argc) {
		print_help(stderr);
		return RF_EXIT_FAILURE;
	}
	if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") || !strcmp(argv[i], "help")) {
		print_help(stdout);
		return 0;
	}
	if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "-v") || !strcmp(argv[i], "--version")) {
		print_version();
		return 0;
	}
	/* `run` is ringfence's own sandbox or runc's run ID: cmd/oci-run.c. */
	if (!strcmp(argv[i], "run"))
		return cli_is_oci_run(argc - i, argv + i) ? cmd_oci_run(argc - i, argv + i)
							    : cmd_run(argc - i, argv + i);
	for (size_t k = 0; k < sizeof(subcommands) / sizeof(subcommands[0]); k++)
		if (!strcmp(argv[i], subcommands[k].name))
			return subcommands[k].fn(argc - i, argv + i);
	return cli_usage_error(NULL, "unknown command `%s`", argv[i]);
}
