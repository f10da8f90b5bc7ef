/* ringfence pause / resume: freeze or thaw a container's cgroup. */
#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "ringfence/container.h"

static int freeze(int argc, char **argv, bool frozen, const char *usage)
{
	const char *id, *root;
	rf_error err = { 0 };
	int r = cli_oci_id_only(argc, argv, usage, &id);

	if (r != 0)
		return r < 0 ? -r : 0;
	if (!(root = cli_oci_root()))
		return 125;
	if (rf_container_freeze(root, id, frozen, &err) < 0)
		return cli_oci_fail(&err);
	return 0;
}

int cmd_pause(int argc, char **argv)
{
	return freeze(argc, argv, true,
		      "Usage: ringfence [GLOBAL OPTIONS] pause ID\n\n"
		      "Freeze every process of running container ID (cgroup.freeze).\n");
}

int cmd_resume(int argc, char **argv)
{
	return freeze(argc, argv, false,
		      "Usage: ringfence [GLOBAL OPTIONS] resume ID\n\n"
		      "Thaw paused container ID.\n");
}
