/* ringfence start: let a created container exec its process. */
#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "ringfence/container.h"

static const char usage[] =
	"Usage: ringfence [GLOBAL OPTIONS] start ID\n"
	"\n"
	"Start created container ID: its process execs the bundle's process.args.\n";

int cmd_start(int argc, char **argv)
{
	const char *id, *root;
	rf_error err = { 0 };
	int r = cli_oci_id_only(argc, argv, usage, &id);

	if (r != 0)
		return r < 0 ? -r : 0;
	if (!(root = cli_oci_root()))
		return 125;
	if (rf_container_start(root, id, &cli_oci_diag, &err) < 0)
		return cli_oci_fail(&err);
	return 0;
}
