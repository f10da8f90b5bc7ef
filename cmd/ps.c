/* ringfence ps: the processes in a container's cgroup. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli.h"
#include "ringfence/cleanup.h"
#include "ringfence/container.h"

static const char usage[] =
	"Usage: ringfence [GLOBAL OPTIONS] ps [-f table|json] ID [PS ARGS...]\n"
	"\n"
	"  -f, --format FORMAT json: an array of host pids; table (default): the\n"
	"                      lines of `ps PS ARGS` (default -ef) for those pids\n"
	"  -h, --help          show this help\n";

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* As runc: run ps, keep its header and the lines whose PID column is ours. */
static int table(char **args, int nargs, const pid_t *pids, size_t n)
{
	char cmd[4096] = "ps";
	cleanup_free char *line = NULL;
	size_t cap = 0, used = 2;
	int pidcol = -1, status;
	FILE *p;

	for (int i = 0; i < nargs; i++) {
		const char *a = args[i];

		if (strchr(a, '\''))
			return cli_oci_usage("ps", "ps arguments must not contain quotes");
		used += (size_t)snprintf(cmd + used, sizeof(cmd) - used, " '%s'", a);
		if (used >= sizeof(cmd))
			return cli_oci_usage("ps", "ps arguments are too long");
	}
	if (!nargs)
		snprintf(cmd + used, sizeof(cmd) - used, " -ef");
	p = popen(cmd, "re");
	if (!p)
		return cli_oci_usage("ps", "run `%s`: %s", cmd, strerror(errno));
	for (bool header = true; getline(&line, &cap, p) > 0; header = false) {
		char copy[4096], *save, *tok;
		int col = 0;

		snprintf(copy, sizeof(copy), "%s", line);
		for (tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save), col++) {
			if (header && !strcmp(tok, "PID"))
				pidcol = col;
			if (!header && col == pidcol)
				break;
		}
		if (header || (tok && has_pid(pids, n, strtol(tok, NULL, 10))))
			fputs(line, stdout);
	}
	status = pclose(p);
	if (pidcol < 0)
		return cli_oci_usage("ps", "`%s` printed no PID column", cmd);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 125;
}

int cmd_ps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	cleanup_free pid_t *pids = NULL;
	const char *root, *format = "table";
	rf_error err = { 0 };
	size_t n = 0;
	int opt;

	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(usage, stdout); return 0;
		case 'f': format = optarg; break;
		default: return cli_oci_usage("ps", "`%s`: unknown option", argv[optind - 1]);
		}
	}
	if (strcmp(format, "table") && strcmp(format, "json"))
		return cli_oci_usage("ps", "--format: expected table or json, got `%s`", format);
	if (optind >= argc)
		return cli_oci_usage("ps", "expected a container ID");
	if (!(root = cli_oci_root()))
		return 125;
	if (rf_container_pids(root, argv[optind], &pids, &n, &err) < 0)
		return cli_oci_fail(&err);
	if (!strcmp(format, "table"))
		return table(argv + optind + 1, argc - optind - 1, pids, n);
	fputc('[', stdout);
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", (int)pids[i]);
	fputs("]\n", stdout);
	return 0;
}
