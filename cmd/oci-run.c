/* runc's `run [-d] [-b B] ... ID`, and the rule that tells it from
 * ringfence's own `run [OPTIONS] [--] COMMAND`.
 *
 * The rule (also in ringfence-oci(1)): a `run` command line is the runtime's
 * when a runtime global option (--root, --log, --log-format,
 * --systemd-cgroup, --rootless, --debug) comes before `run`; or when it has
 * no `--`, consists only of runc's `run` options and exactly one other
 * argument (the ID), and holds -b/--bundle or an option only runc's `run`
 * has (-d/--detach, --pid-file, --console-socket, --keep, --no-subreaper,
 * --no-pivot, --no-new-keyring). Everything else is ringfence's own `run`,
 * unchanged: `run --bundle DIR [-- CMD]` runs a bundle in the foreground
 * with ringfence's verdict and exit codes, and `run --bundle DIR ID` is the
 * container ID. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "create-opts.h"
#include "ringfence/container.h"

static const struct {
	const char *name;
	bool value;
	bool oci_only;
} run_options[] = {
	{ "-b", true, false }, { "--bundle", true, false },
	{ "-d", false, true }, { "--detach", false, true },
	{ "--pid-file", true, true }, { "--console-socket", true, true },
	{ "--keep", false, true }, { "--no-subreaper", false, true },
	{ "--no-pivot", false, true }, { "--no-new-keyring", false, true },
	{ "--preserve-fds", true, false },
};

bool cli_is_oci_run(int argc, char **argv)
{
	bool marked = false;
	int ids = 0;

	if (cli_rt.given)
		return true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		size_t k;

		if (!strcmp(a, "--"))
			return false;
		if (a[0] != '-' || !a[1]) {
			ids++;
			continue;
		}
		for (k = 0; k < sizeof(run_options) / sizeof(run_options[0]); k++) {
			size_t n = strlen(run_options[k].name);

			if (!strncmp(a, run_options[k].name, n) && (a[n] == '\0' || a[n] == '='))
				break;
		}
		if (k == sizeof(run_options) / sizeof(run_options[0]))
			return false;   /* an option of ringfence's own run */
		if (run_options[k].value && !strchr(a, '='))
			i++;
		if (run_options[k].oci_only || run_options[k].name[1] == 'b' ||
		    !strcmp(run_options[k].name, "--bundle"))
			marked = true;
	}
	return marked && ids == 1;
}

static const char usage[] =
	"Usage: ringfence [GLOBAL OPTIONS] run [OPTIONS] ID\n"
	"\n"
	"Create and start container ID from an OCI bundle. In the foreground\n"
	"(without -d) ringfence stays its parent, forwards signals, waits, deletes\n"
	"it, and exits with its status (128+N when signal N killed it).\n"
	"(`ringfence run [OPTIONS] -- COMMAND` is ringfence's own sandbox: see\n"
	"ringfence-run(1); ringfence-oci(1) says how the two are told apart.)\n"
	"\n"
	"  -b, --bundle DIR          the bundle (default: the current directory)\n"
	"  -d, --detach              return once it runs, as create + start\n"
	"      --pid-file FILE       write the container's pid to FILE\n"
	"      --console-socket SOCK send the pty master to this AF_UNIX socket\n"
	"      --preserve-fds N      pass fds 3..3+N-1 (beyond LISTEN_FDS) to it\n"
	"      --no-subreaper, --no-pivot, --no-new-keyring   accepted\n"
	"  -h, --help                show this help\n";

int cmd_oci_run(int argc, char **argv)
{
	cli_create_args a;
	rf_error err = { 0 };
	rf_plan plan;
	int r, code = 0;

	r = cli_parse_create(argc, argv, usage, true, &a);
	if (r != 0)
		return r < 0 ? -r : 0;
	if (a.keep)
		return cli_oci_usage("run", "--keep is not supported: the cgroup goes with the run");
	if ((r = cli_sealed_exe()) != 0)
		return r;
	rf_plan_init(&plan);
	plan.proc.preserve_fds = a.preserve_fds;
	if (cli_oci_load_bundle(a.opts.bundle, NULL, a.opts.id, &plan, &cli_oci_diag, &err) < 0 ||
	    rf_plan_finalize(&plan, &cli_oci_diag, &err) < 0)
		r = -1;
	else if (a.detach) {
		r = rf_container_create(&a.opts, &plan, &cli_oci_diag, &err);
		/* Created but not started: take it away again, as runc does. */
		if (r == 0 && rf_container_start(a.opts.root, a.opts.id, &cli_oci_diag, &err) < 0) {
			(void)rf_container_delete(a.opts.root, a.opts.id, true, &cli_oci_diag, &(rf_error){ 0 });
			r = -1;
		}
	} else
		r = rf_container_run(&a.opts, &plan, &cli_oci_diag, &code, &err);
	rf_plan_free(&plan);
	if (r < 0) {
		cli_oci_fail(&err);
		return code ? code : 125;   /* 126/127: the command could not be run */
	}
	return code;
}
