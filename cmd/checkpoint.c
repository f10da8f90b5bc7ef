/* ringfence checkpoint / restore: not offered. Podman takes a zero exit of
 * `RUNTIME checkpoint --help` as "CRIU works here", so even --help fails. */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int cmd_checkpoint(int argc, char **argv)
{
	(void)argc;
	return cli_oci_usage(argv[0], "%s is not supported by ringfence (no CRIU)", argv[0]);
}
