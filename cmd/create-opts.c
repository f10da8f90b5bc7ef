/* The options of create and of runc's `run ID`, parsed once for both. glibc
 * getopt permutes, so flags may follow the ID (`create ID -b B`, as Slurm
 * writes it). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "create-opts.h"
#include "ringfence/parse.h"

enum { OPT_PID_FILE = 256, OPT_CONSOLE, OPT_PRESERVE, OPT_NO_PIVOT, OPT_NO_KEYRING, OPT_KEEP,
       OPT_NO_SUBREAPER };

static const struct option options[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "console-socket", required_argument, NULL, OPT_CONSOLE },
	{ "preserve-fds", required_argument, NULL, OPT_PRESERVE },
	{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
	{ "no-new-keyring", no_argument, NULL, OPT_NO_KEYRING },
	{ "detach", no_argument, NULL, 'd' },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{ "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

/* sd_listen_fds(): fds the service manager passed, counted in LISTEN_FDS
 * when LISTEN_PID is us (runc passes them on too). */
static int listen_fds(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	uint64_t p, n;

	if (!pid || !fds || rf_parse_u64(pid, 1, INT32_MAX, &p, NULL) < 0 ||
	    (pid_t)p != getpid() || rf_parse_u64(fds, 0, 1024, &n, NULL) < 0)
		return 0;
	return (int)n;
}

static int take(cli_create_args *a, bool run, int opt, const char *cmd, const char *arg)
{
	uint64_t n;

	switch (opt) {
	case 'b':
		if (!realpath(optarg, a->bundle))
			return -cli_oci_usage(cmd, "--bundle: `%s`: %s", optarg, strerror(errno));
		return 0;
	case OPT_PID_FILE: a->opts.pid_file = optarg; return 0;
	case OPT_CONSOLE: a->opts.console_socket = optarg; return 0;
	case OPT_PRESERVE:
		if (rf_parse_u64(optarg, 0, 1024, &n, NULL) < 0)
			return -cli_oci_usage(cmd, "--preserve-fds: expected a number 0-1024, got `%s`",
					      optarg);
		a->preserve_fds += (int)n;
		return 0;
	case OPT_NO_PIVOT: a->opts.no_pivot = true; return 0;
	case OPT_NO_KEYRING: a->opts.no_new_keyring = true; return 0;
	case 'd': if (run) { a->detach = true; return 0; } break;
	case OPT_KEEP: if (run) { a->keep = true; return 0; } break;
	case OPT_NO_SUBREAPER: if (run) return 0; break;
	}
	return -cli_oci_usage(cmd, "`%s`: not an option of %s", arg, cmd);
}

int cli_parse_create(int argc, char **argv, const char *usage, bool run, cli_create_args *a)
{
	int opt, r;

	memset(a, 0, sizeof(*a));
	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, run ? "b:dh" : "b:h", options, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage, stdout);
			return 1;
		}
		if (opt == '?')
			return -cli_oci_usage(argv[0], "`%s`: unknown option or missing value",
					      argv[optind - 1]);
		if ((r = take(a, run, opt, argv[0], argv[optind - 1])) < 0)
			return r;
	}
	if (argc - optind != 1)
		return -cli_oci_usage(argv[0], "expected one container ID, got %d arguments",
				      argc - optind);
	if (!a->bundle[0] && !realpath(".", a->bundle))
		return -cli_oci_usage(argv[0], "the current directory: %s", strerror(errno));
	{
		rf_error err = { 0 };

		/* Before the bundle is read: nothing is made for a bad id. */
		if (rf_container_check_id(argv[optind], &err) < 0)
			return -cli_oci_fail(&err);
	}
	a->opts.root = cli_oci_root();
	if (!a->opts.root)
		return -125;
	a->opts.id = argv[optind];
	a->opts.bundle = a->bundle;
	a->preserve_fds += listen_fds();
	return 0;
}
