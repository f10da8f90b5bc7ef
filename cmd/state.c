/* ringfence state: the runtime-spec state of a container, plus its verdict
 * under "ringfence" once it has stopped. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "ringfence/container.h"

static const char usage[] =
	"Usage: ringfence [GLOBAL OPTIONS] state ID\n"
	"\n"
	"Print container ID's state as JSON: ociVersion, id, status (creating,\n"
	"created, running, paused, stopped), pid, bundle, rootfs, created, owner,\n"
	"and once it has stopped \"ringfence\": the verdict read from its cgroup.\n";

int cmd_state(int argc, char **argv)
{
	const char *id, *root;
	rf_error err = { 0 };
	rf_container c;
	char *json = NULL;
	size_t len;
	int r = cli_oci_id_only(argc, argv, usage, &id);

	if (r != 0)
		return r < 0 ? -r : 0;
	if (!(root = cli_oci_root()))
		return 125;
	if (rf_container_open(root, id, false, &c, &err) < 0)
		return cli_oci_fail(&err);
	r = rf_container_state_json(&c, true, &json, &len, &err);
	rf_container_close(&c);
	if (r < 0)
		return cli_oci_fail(&err);
	fwrite(json, 1, len, stdout);
	free(json);
	return 0;
}
