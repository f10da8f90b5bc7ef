/* ringfence events: OOM kills and stats of a container, one JSON per line. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "ringfence/container.h"
#include "ringfence/parse.h"

static const char usage[] =
	"Usage: ringfence [GLOBAL OPTIONS] events [--stats] [--interval D] ID\n"
	"\n"
	"Print container ID's events until it stops, one JSON object per line:\n"
	"{\"type\":\"oom\",\"id\":ID,\"scope\":\"limit\"|\"external\"} as each OOM kill\n"
	"happens (scope: at the container's own memory limit, or from outside it),\n"
	"and {\"type\":\"stats\",\"id\":ID,\"data\":{cpu,memory,pids}} every interval.\n"
	"\n"
	"      --interval D  stats every D (500ms, 5s, 1m; default 5s)\n"
	"      --stats       print the stats once and exit\n"
	"  -h, --help        show this help\n";

static void print_line(void *userdata, const char *json)
{
	(void)userdata;
	puts(json);
	fflush(stdout);
}

int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' }, { "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	const char *root;
	rf_error err = { 0 };
	uint64_t interval = 5000;
	bool once = false;
	int opt;

	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(usage, stdout); return 0;
		case 's': once = true; break;
		case 'i':
			if (rf_parse_duration_ms(optarg, &interval, &err) < 0 || !interval)
				return cli_oci_usage("events", "--interval: expected a duration like 5s, got `%s`",
						     optarg);
			break;
		default: return cli_oci_usage("events", "`%s`: unknown option", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_oci_usage("events", "expected one container ID");
	if (!(root = cli_oci_root()))
		return 125;
	if (rf_container_events(root, argv[optind], interval, once, print_line, NULL, &err) < 0)
		return cli_oci_fail(&err);
	return 0;
}
