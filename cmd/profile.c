/* ringfence profile list | show: the profiles on the search path, and one
 * profile's effective settings as profile JSON. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "ringfence/bundle.h"
#include "ringfence/cleanup.h"
#include "ringfence/plan.h"
#include "ringfence/profile.h"
#include "ringfence/verdict.h"

static void print_help(FILE *out)
{
	fputs("Usage: ringfence profile list\n"
	      "       ringfence profile show [--strict] NAME|PATH\n"
	      "       ringfence profile show [--strict] --bundle DIR\n"
	      "\n"
	      "Profiles are OCI runtime-spec config.json files (a subset, plus ringfence's\n"
	      "own \"ringfence\" object); see ringfence-profile(5).\n"
	      "\n"
	      "Commands:\n"
	      "  list             the profiles found on the search path, with descriptions\n"
	      "  show NAME|PATH   the profile's effective settings, as profile JSON that\n"
	      "                   can be saved, edited and used with --profile\n"
	      "  show --bundle DIR  what `ringfence run --bundle DIR` will apply, as a\n"
	      "                   config.json (a DIR that is a directory needs no --bundle)\n"
	      "\n"
	      "Options:\n"
	      "      --strict     keys ringfence does not implement are errors\n"
	      "  -h, --help       show this help and exit\n"
	      "\n"
	      "A NAME is looked up as NAME.json in $RINGFENCE_PROFILE_PATH (colon-separated)\n"
	      "when set, else in /etc/ringfence/profiles, then " RF_DATADIR "/profiles.\n"
	      "A value containing '/' or ending in .json is a path.\n",
	      out);
}

static int profile_list(int argc, char **argv)
{
	cleanup_strv char **names = NULL;
	size_t width = 0;
	rf_error err;

	if (argc > 1)
		return cli_usage_error("profile", "list takes no arguments");
	if (rf_profile_list(&names, &err) < 0) {
		cli_print_error(&err);
		return RF_EXIT_FAILURE;
	}
	for (char **n = names; *n; n++)
		if (strlen(*n) > width)
			width = strlen(*n);
	for (char **n = names; *n; n++) {
		cleanup_free char *desc = NULL;

		/* One unreadable profile does not hide the others. */
		if (rf_profile_describe(*n, &desc, &err) < 0) {
			char buf[RF_ERROR_MSG_MAX + 128];

			rf_warn(&cli_diag, "%s", rf_error_format(&err, buf, sizeof(buf)));
		}
		if (desc)
			printf("%-*s  %s\n", (int)width, *n, desc);
		else
			printf("%s\n", *n);
	}
	return 0;
}

static int profile_show(int argc, char **argv)
{
	enum { OPT_STRICT = 256, OPT_BUNDLE };
	static const struct option options[] = {
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "bundle", no_argument, NULL, OPT_BUNDLE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cleanup_free char *out = NULL;
	bool strict = false, bundle = false;
	struct stat st;
	rf_plan plan;
	rf_error err;
	size_t len;
	int opt, r;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (opt) {
		case OPT_STRICT:
			strict = true;
			break;
		case OPT_BUNDLE:
			bundle = true;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			return cli_usage_error("profile", "show: unknown option `%s`",
					       argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("profile", "show takes one NAME or PATH");
	rf_plan_init(&plan);
	plan.sup.strict = strict;
	/* A bundle as `run --bundle` would take it, with the container's
	 * defaults (HOME, the capabilities the kernel can raise) filled in. */
	if (bundle || (stat(argv[optind], &st) == 0 && S_ISDIR(st.st_mode)))
		r = rf_bundle_load(argv[optind], &plan, strict, &cli_diag, &err) < 0 ||
		    cli_bundle_drop_hooks(argv[optind], &plan, &err) < 0 ||
		    rf_container_finalize(&plan, &cli_diag, &err) < 0 ? -1 : 0;
	else
		r = rf_profile_load(argv[optind], &plan, strict, &cli_diag, &err);
	if (r == 0)
		r = rf_profile_dump(&plan, &out, &len, &err);
	rf_plan_free(&plan);
	if (r < 0) {
		cli_print_error(&err);
		return RF_EXIT_FAILURE;
	}
	fwrite(out, 1, len, stdout);
	if (len && out[len - 1] != '\n')
		putchar('\n');
	return fflush(stdout) == 0 ? 0 : RF_EXIT_FAILURE;
}

int cmd_profile(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("profile", "expected list or show");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		print_help(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "list"))
		return profile_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return profile_show(argc - 1, argv + 1);
	return cli_usage_error("profile", "unknown profile command `%s` (expected list or show)",
			       argv[1]);
}
