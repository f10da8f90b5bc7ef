/* ringfence spec: write a starting config.json for a bundle. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
	"Usage: ringfence [GLOBAL OPTIONS] spec [-b DIR] [--rootless]\n"
	"\n"
	"Write a config.json for a bundle whose root filesystem is DIR/rootfs:\n"
	"`sh` on a terminal, every namespace but user and network's sharing,\n"
	"the usual /proc, /dev, /sys mounts, masked and read-only paths.\n"
	"\n"
	"  -b, --bundle DIR  where to write it (default: the current directory)\n"
	"      --rootless    for an unprivileged user: a user namespace mapping\n"
	"                    the caller to root, no cgroup namespace setting\n"
	"  -h, --help        show this help\n";

/* The parts both variants share; the namespaces and id maps come between. */
static const char head[] =
	"{\n"
	"  \"ociVersion\": \"1.0.2\",\n"
	"  \"process\": {\n"
	"    \"terminal\": true,\n"
	"    \"user\": { \"uid\": 0, \"gid\": 0 },\n"
	"    \"args\": [ \"sh\" ],\n"
	"    \"env\": [ \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", \"TERM=xterm\" ],\n"
	"    \"cwd\": \"/\",\n"
	"    \"capabilities\": {\n"
	"      \"bounding\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
	"      \"effective\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
	"      \"permitted\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ]\n"
	"    },\n"
	"    \"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n"
	"    \"noNewPrivileges\": true\n"
	"  },\n"
	"  \"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
	"  \"hostname\": \"ringfence\",\n"
	"  \"mounts\": [\n"
	"    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
	"    { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"
	"    { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"%s ] },\n"
	"    { \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n"
	"    { \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },\n"
	"    { \"destination\": \"/sys\", \"type\": \"%s\", \"source\": \"%s\", \"options\": [ %s ] },\n"
	"    { \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\", \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\" ] }\n"
	"  ],\n"
	"  \"linux\": {\n";

static const char tail[] =
	"    \"maskedPaths\": [ \"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\",\n"
	"      \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/proc/scsi\", \"/sys/firmware\" ],\n"
	"    \"readonlyPaths\": [ \"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\" ]\n"
	"  }\n"
	"}\n";

int cmd_spec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' }, { "rootless", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	const char *bundle = ".";
	char path[4096];
	bool rootless = false;
	FILE *f;
	int opt, fd;

	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "b:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(usage, stdout); return 0;
		case 'b': bundle = optarg; break;
		case 'r': rootless = true; break;
		default: return cli_oci_usage("spec", "`%s`: unknown option", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_oci_usage("spec", "takes no arguments");
	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path))
		return cli_oci_usage("spec", "--bundle: `%s` is too long", bundle);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST)
		return cli_oci_usage("spec", "`%s` exists: remove it first", path);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		return cli_oci_usage("spec", "create `%s`: %s", path, strerror(errno));
	/* Without its own net namespace (rootless) a new sysfs cannot be mounted:
	 * bind the host's read-only instead. */
	fprintf(f, head, rootless ? "" : ", \"gid=5\"", rootless ? "none" : "sysfs",
		rootless ? "/sys" : "sysfs",
		rootless ? "\"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\""
			 : "\"nosuid\", \"noexec\", \"nodev\", \"ro\"");
	if (rootless)
		fprintf(f,
			"    \"uidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n"
			"    \"gidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n"
			"    \"namespaces\": [ { \"type\": \"pid\" }, { \"type\": \"ipc\" }, { \"type\": \"uts\" },\n"
			"      { \"type\": \"mount\" }, { \"type\": \"cgroup\" }, { \"type\": \"user\" } ],\n",
			(unsigned)getuid(), (unsigned)getgid());
	else
		fputs("    \"namespaces\": [ { \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" },\n"
		      "      { \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"cgroup\" } ],\n", f);
	fputs(tail, f);
	if (fclose(f) != 0)
		return cli_oci_usage("spec", "write `%s`: %s", path, strerror(errno));
	return 0;
}
