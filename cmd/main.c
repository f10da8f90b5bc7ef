/* ringfence: entry point and subcommand dispatch. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ringfence/json.h"
#include "ringfence/seccomp.h"
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

	printf("ringfence %s\n", PACKAGE_VERSION);
	printf("features: +cgroup2 +clone3 +seccomp (libseccomp %s) +caps "
	       "+numa +json (%s)%s%s\n",
	       rf_seccomp_library_version(seccomp, sizeof(seccomp)),
	       rf_json_library_version(json, sizeof(json)),
#ifdef RF_WITH_SANITIZERS
	       " +sanitizers",
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
	fputs("Usage: ringfence COMMAND [OPTIONS]\n"
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
	      "Options:\n"
	      "  -h, --help     show this help and exit\n"
	      "  -V, --version  show the version and compiled-in features\n"
	      "\n"
	      "See ringfence(1) and 'ringfence COMMAND --help'.\n",
	      out);
}

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ "run", cmd_run },
	{ "check", cmd_check },
	{ "profile", cmd_profile },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_help(stderr);
		return RF_EXIT_FAILURE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		print_help(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		print_version();
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	return cli_usage_error(NULL, "unknown command `%s`", argv[1]);
}
