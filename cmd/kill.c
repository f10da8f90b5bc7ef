/* ringfence kill: send a signal to a container's process (or all of them). */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "ringfence/container.h"
#include "ringfence/parse.h"

static const char usage[] =
	"Usage: ringfence [GLOBAL OPTIONS] kill [-a] ID [SIGNAL]\n"
	"\n"
	"Send SIGNAL (a number, TERM or SIGTERM; default TERM) to container ID's\n"
	"process.\n"
	"\n"
	"  -a, --all   to every process in the container's cgroup (KILL: cgroup.kill)\n"
	"  -h, --help  show this help\n";

/* "9", "KILL", "SIGKILL", "sigkill" -> 9. */
static int parse_signal(const char *s)
{
	uint64_t n;

	if (rf_parse_u64(s, 1, SIGRTMAX, &n, NULL) == 0)
		return (int)n;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *name = sigabbrev_np(sig);

		if (name && !strcasecmp(s, name))
			return sig;
	}
	return -1;
}

int cmd_kill(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	const char *root;
	rf_error err = { 0 };
	bool all = false;
	int opt, sig = SIGTERM;

	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "ah", opts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (opt != 'a')
			return cli_oci_usage("kill", "`%s`: unknown option", argv[optind - 1]);
		all = true;
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_oci_usage("kill", "expected ID [SIGNAL]");
	if (argc - optind == 2 && (sig = parse_signal(argv[optind + 1])) < 0)
		return cli_oci_usage("kill", "`%s` is not a signal (a number, TERM or SIGTERM)",
				     argv[optind + 1]);
	if (!(root = cli_oci_root()))
		return 125;
	if (rf_container_kill(root, argv[optind], sig, all, &err) < 0)
		return cli_oci_fail(&err);
	return 0;
}
