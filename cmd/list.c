/* ringfence list: the containers under --root. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ringfence/cleanup.h"
#include "ringfence/container.h"
#include "ringfence/json.h"

static const char usage[] =
	"Usage: ringfence [GLOBAL OPTIONS] list [-q] [-f table|json]\n"
	"\n"
	"  -q, --quiet         only the IDs\n"
	"  -f, --format FORMAT table (default) or json: an array of states\n"
	"  -h, --help          show this help\n";

static void print_json(const char *root, char **ids)
{
	fputc('[', stdout);
	for (size_t i = 0, n = 0; ids[i]; i++) {
		cleanup_free char *json = NULL;
		rf_container c;
		size_t len;
		rf_error err = { 0 };

		if (rf_container_open(root, ids[i], false, &c, &err) < 0)
			continue;
		if (rf_container_state_json(&c, false, &json, &len, &err) == 0)
			printf("%s%s", n++ ? "," : "", json);
		rf_container_close(&c);
	}
	fputs("]\n", stdout);
}

static void print_table(const char *root, char **ids)
{
	printf("%-12s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
	       "OWNER");
	for (size_t i = 0; ids[i]; i++) {
		rf_container c;
		rf_error err = { 0 };

		if (rf_container_open(root, ids[i], false, &c, &err) < 0)
			continue;
		printf("%-12s %-8d %-10s %-40s %-30s %s\n", c.id,
		       c.status == RF_CSTATUS_STOPPED ? 0 : (int)c.pid, rf_cstatus_name(c.status),
		       c.bundle, c.created, c.owner);
		rf_container_close(&c);
	}
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' }, { "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	cleanup_strv char **ids = NULL;
	const char *root, *format = "table";
	rf_error err = { 0 };
	bool quiet = false;
	int opt;

	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "qf:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(usage, stdout); return 0;
		case 'q': quiet = true; break;
		case 'f': format = optarg; break;
		default: return cli_oci_usage("list", "`%s`: unknown option", argv[optind - 1]);
		}
	}
	if (strcmp(format, "table") && strcmp(format, "json"))
		return cli_oci_usage("list", "--format: expected table or json, got `%s`", format);
	if (optind != argc)
		return cli_oci_usage("list", "takes no arguments");
	if (!(root = cli_oci_root()))
		return 125;
	if (rf_container_list(root, &ids, &err) < 0)
		return cli_oci_fail(&err);
	if (quiet)
		for (size_t i = 0; ids[i]; i++)
			puts(ids[i]);
	else if (!strcmp(format, "json"))
		print_json(root, ids);
	else
		print_table(root, ids);
	return 0;
}
