/* ringfence create: set a container up from a bundle, blocked before exec. */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "create-opts.h"
#include "ringfence/container.h"

static const char usage[] =
	"Usage: ringfence [GLOBAL OPTIONS] create [OPTIONS] ID\n"
	"\n"
	"Create container ID from an OCI bundle: its process is set up and waits\n"
	"for `ringfence start ID`. Options may also follow ID.\n"
	"\n"
	"  -b, --bundle DIR          the bundle (default: the current directory)\n"
	"      --pid-file FILE       write the container's pid to FILE (last)\n"
	"      --console-socket SOCK send the pty master to this AF_UNIX socket\n"
	"      --preserve-fds N      pass fds 3..3+N-1 (beyond LISTEN_FDS) to it\n"
	"      --no-pivot            accepted; the bundle's root is entered with pivot_root\n"
	"      --no-new-keyring      accepted; no session keyring is created\n"
	"  -h, --help                show this help\n";

int cmd_create(int argc, char **argv)
{
	cli_create_args a;
	rf_error err = { 0 };
	rf_plan plan;
	int r;

	r = cli_parse_create(argc, argv, usage, false, &a);
	if (r != 0)
		return r < 0 ? -r : 0;
	if ((r = cli_sealed_exe()) != 0)
		return r;
	rf_plan_init(&plan);
	plan.proc.preserve_fds = a.preserve_fds;
	if (cli_oci_load_bundle(a.opts.bundle, NULL, a.opts.id, &plan, &cli_oci_diag, &err) < 0 ||
	    rf_plan_finalize(&plan, &cli_oci_diag, &err) < 0 ||
	    rf_container_create(&a.opts, &plan, &cli_oci_diag, &err) < 0)
		r = cli_oci_fail(&err);
	rf_plan_free(&plan);
	return r;
}
