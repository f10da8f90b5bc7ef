/* ringfence update: change a running container's cgroup limits. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ringfence/cleanup.h"
#include "ringfence/container.h"
#include "ringfence/fds.h"
#include "ringfence/json.h"
#include "ringfence/numa.h"
#include "ringfence/parse.h"
#include "ringfence/profile.h"

static const char usage[] =
	"Usage: ringfence [GLOBAL OPTIONS] update [OPTIONS] ID\n"
	"\n"
	"Write new limits into container ID's cgroup; only what is given changes.\n"
	"\n"
	"  -r, --resources FILE|-    OCI linux.resources JSON (from stdin with -)\n"
	"      --memory SIZE         memory.max\n"
	"      --memory-reservation SIZE  memory.low\n"
	"      --memory-swap SIZE    memory plus swap, as OCI counts it\n"
	"      --pids-limit N        pids.max (-1 or 0: max)\n"
	"      --cpu-quota N, --cpu-period N  cpu.max, in microseconds\n"
	"      --cpuset-cpus LIST, --cpuset-mems LIST\n"
	"  -h, --help                show this help\n";

enum { OPT_MEMORY = 256, OPT_RESERVATION, OPT_SWAP, OPT_PIDS, OPT_QUOTA, OPT_PERIOD, OPT_CPUS,
       OPT_MEMS };

static const struct option options[] = {
	{ "resources", required_argument, NULL, 'r' },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "memory-reservation", required_argument, NULL, OPT_RESERVATION },
	{ "memory-swap", required_argument, NULL, OPT_SWAP },
	{ "pids-limit", required_argument, NULL, OPT_PIDS },
	{ "cpu-quota", required_argument, NULL, OPT_QUOTA },
	{ "cpu-period", required_argument, NULL, OPT_PERIOD },
	{ "cpuset-cpus", required_argument, NULL, OPT_CPUS },
	{ "cpuset-mems", required_argument, NULL, OPT_MEMS },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

/* The flags, kept until they are written as one OCI linux.resources object,
 * so one reader (the bundle's, src/profile-resources.c) turns both forms
 * into limits. */
typedef struct flag_values {
	const char *v[OPT_MEMS - OPT_MEMORY + 1];
} flag_values;

static const struct { const char *group, *key; bool size; } flag_keys[] = {
	[OPT_MEMORY - OPT_MEMORY] = { "memory", "limit", true },
	[OPT_RESERVATION - OPT_MEMORY] = { "memory", "reservation", true },
	[OPT_SWAP - OPT_MEMORY] = { "memory", "swap", true },
	[OPT_PIDS - OPT_MEMORY] = { "pids", "limit", false },
	[OPT_QUOTA - OPT_MEMORY] = { "cpu", "quota", false },
	[OPT_PERIOD - OPT_MEMORY] = { "cpu", "period", false },
	[OPT_CPUS - OPT_MEMORY] = { "cpu", "cpus", false },
	[OPT_MEMS - OPT_MEMORY] = { "cpu", "mems", false },
};

static int flags_json(const flag_values *f, char **out, rf_error *err)
{
	static const char *const groups[] = { "memory", "pids", "cpu" };
	rf_json_writer *w = rf_json_writer_new(false);
	size_t len;
	int r;

	if (!w)
		return rf_error_set(err, ENOMEM, "update");
	rf_json_begin_object(w);
	for (size_t g = 0; g < 3; g++) {
		bool open = false;

		for (size_t i = 0; i < RF_ARRAY_SIZE(flag_keys); i++) {
			uint64_t size;
			int64_t n;

			if (!f->v[i] || strcmp(flag_keys[i].group, groups[g]))
				continue;
			if (!open) {
				rf_json_key(w, groups[g]);
				rf_json_begin_object(w);
				open = true;
			}
			rf_json_key(w, flag_keys[i].key);
			if (i == OPT_CPUS - OPT_MEMORY || i == OPT_MEMS - OPT_MEMORY)
				rf_json_string(w, f->v[i]);
			else if (flag_keys[i].size && rf_parse_size(f->v[i], &size, err) == 0)
				rf_json_uint(w, size);
			else if (!flag_keys[i].size && rf_parse_i64(f->v[i], -1, INT64_MAX, &n, err) == 0)
				rf_json_int(w, n);
			else {
				rf_json_writer_free(w);
				return rf_error_prefix(err, "--%s", options[i + 1].name);
			}
		}
		if (open)
			rf_json_end_object(w);
	}
	rf_json_end_object(w);
	r = rf_json_writer_finish(w, out, &len, err);
	rf_json_writer_free(w);
	return r;
}

static int read_resources(const char *path, char **text, rf_error *err)
{
	cleanup_close int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC)
						 : fcntl(0, F_DUPFD_CLOEXEC, 3);
	size_t len;

	if (fd < 0)
		return rf_error_set(err, errno, "--resources: open `%s`", path);
	if (rf_read_all(fd, path, RF_JSON_MAX_FILE, text, &len, err) < 0)
		return rf_error_prefix(err, "--resources");
	return cli_json_object(*text, "--resources", err);
}

/* The flags' document is ringfence's, not the caller's: an error in it names
 * the flag ("--memory-swap: ...") instead of the key it was written as. */
static int name_the_flag(rf_error *err)
{
	char key[64], flag[32];
	const char *at;

	for (size_t i = 0; i < RF_ARRAY_SIZE(flag_keys); i++) {
		size_t skip, n;

		snprintf(key, sizeof(key), "%s.%s: ", flag_keys[i].group, flag_keys[i].key);
		if (!(at = strstr(err->msg, key)))
			continue;
		skip = (size_t)(at - err->msg) + strlen(key);
		n = (size_t)snprintf(flag, sizeof(flag), "--%s: ", options[i + 1].name);
		if (n <= skip) {   /* always: "update flags: " and the key are longer */
			memmove(err->msg + n, err->msg + skip, strlen(err->msg + skip) + 1);
			memcpy(err->msg, flag, n);
		}
		break;
	}
	return -1;
}

int cmd_update(int argc, char **argv)
{
	cleanup_free char *file = NULL, *flags = NULL;
	flag_values f = { 0 };
	const char *root, *resources = NULL;
	char shown[PATH_MAX + 16];
	rf_error err = { 0 };
	rf_plan plan;
	int opt, r = 0;

	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "r:h", options, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (opt == 'r')
			resources = optarg;
		else if (opt >= OPT_MEMORY && opt <= OPT_MEMS)
			f.v[opt - OPT_MEMORY] = optarg;
		else
			return cli_oci_usage("update", "`%s`: unknown option or missing value",
					     argv[optind - 1]);
	}
	if (argc - optind != 1)
		return cli_oci_usage("update", "expected one container ID");
	if (!(root = cli_oci_root()))
		return 125;
	if ((resources && read_resources(resources, &file, &err) < 0) ||
	    flags_json(&f, &flags, &err) < 0)
		return cli_oci_fail(&err);
	if (resources)
		snprintf(shown, sizeof(shown), "--resources `%s`", resources);
	rf_plan_init(&plan);
	plan.limits.cpu_period_us = 0;   /* not given: the container's stays */
	/* The file first, the flags over it. */
	if ((file && rf_profile_load_resources(file, strlen(file), shown, &plan, &cli_oci_diag,
					       &err) < 0) ||
	    (rf_profile_load_resources(flags, strlen(flags), "update flags", &plan, &cli_oci_diag,
				       &err) < 0 && name_the_flag(&err) < 0) ||
	    /* before anything is written: a CPU or node this host lacks */
	    (rf_numa_ids_exist(plan.limits.cpuset_cpus, plan.limits.cpuset_mems, &err) < 0 &&
	     rf_error_prefix(&err, "--cpuset-cpus, --cpuset-mems (linux.resources.cpu)") < 0) ||
	    rf_container_update(root, argv[optind], &plan.limits, &err) < 0)
		r = cli_oci_fail(&err);
	rf_plan_free(&plan);
	return r;
}
