/* ringfence delete: read the verdict, then remove a container's cgroup and state. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "ringfence/container.h"

static const char usage[] =
	"Usage: ringfence [GLOBAL OPTIONS] delete [-f] ID\n"
	"\n"
	"Delete container ID: its verdict is written to ROOT/ID.verdict.json (and\n"
	"to the path in its ringfence.verdict annotation), then what is left of it\n"
	"is killed and its cgroup and state are removed. A created container is\n"
	"deleted as is; a running or paused one needs --force.\n"
	"\n"
	"  -f, --force  kill a running container first; a missing ID is no error\n"
	"  -h, --help   show this help\n";

int cmd_delete(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	const char *root;
	rf_error err = { 0 };
	bool force = false;
	int opt;

	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (opt != 'f')
			return cli_oci_usage("delete", "`%s`: unknown option", argv[optind - 1]);
		force = true;
	}
	if (argc - optind != 1)
		return cli_oci_usage("delete", "expected one container ID");
	if (!(root = cli_oci_root()))
		return 125;
	if (rf_container_delete(root, argv[optind], force, &cli_oci_diag, &err) < 0)
		return cli_oci_fail(&err);
	return 0;
}
