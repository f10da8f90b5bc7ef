/* ringfence features: what this runtime implements (runtime-spec
 * features.md). Callers switch features on from it, so it lists only what
 * works; a field left out means "unknown". */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ringfence/hooks.h"
#include "ringfence/json.h"

/* The namespaces src/profile-oci-linux.c creates, or joins by path. */
static const char *const namespaces[] = { "cgroup", "ipc", "mount", "network", "pid", "user", "uts" };
/* src/seccomp.c's tables. */
static const char *const actions[] = {
	"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
	"SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",
};
static const char *const operators[] = {
	"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
	"SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
};
static const char *const mpol_modes[] = {
	"MPOL_BIND", "MPOL_DEFAULT", "MPOL_INTERLEAVE", "MPOL_LOCAL", "MPOL_PREFERRED",
};
static const char *const mpol_flags[] = { "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES" };

static const char usage[] =
	"Usage: ringfence [GLOBAL OPTIONS] features\n"
	"\n"
	"What this runtime implements, as the runtime-spec's features JSON:\n"
	"namespaces, cgroup drivers, seccomp, memory policy, annotations.\n"
	"\n"
	"  -h, --help  show this help\n";

static void strings(rf_json_writer *w, const char *key, const char *const *v, size_t n)
{
	rf_json_key(w, key);
	rf_json_begin_array(w);
	for (size_t i = 0; i < n; i++)
		rf_json_string(w, v[i]);
	rf_json_end_array(w);
}

#define STRINGS(w, key, v) strings(w, key, v, sizeof(v) / sizeof((v)[0]))

static void linux_features(rf_json_writer *w)
{
	rf_json_key(w, "linux");
	rf_json_begin_object(w);
	STRINGS(w, "namespaces", namespaces);
	rf_json_key(w, "cgroup");
	rf_json_begin_object(w);
	rf_json_key(w, "v1");
	rf_json_bool(w, false);
	rf_json_key(w, "v2");
	rf_json_bool(w, true);
	rf_json_key(w, "systemd");       /* --systemd-cgroup, as root */
	rf_json_bool(w, true);
	rf_json_key(w, "systemdUser");
	rf_json_bool(w, false);
	rf_json_end_object(w);
	rf_json_key(w, "seccomp");
	rf_json_begin_object(w);
	rf_json_key(w, "enabled");
	rf_json_bool(w, true);
	STRINGS(w, "actions", actions);
	STRINGS(w, "operators", operators);
	rf_json_end_object(w);
	rf_json_key(w, "apparmor");
	rf_json_begin_object(w);
	rf_json_key(w, "enabled");       /* applied when the host has it */
	rf_json_bool(w, true);
	rf_json_end_object(w);
	rf_json_key(w, "selinux");
	rf_json_begin_object(w);
	rf_json_key(w, "enabled");
	rf_json_bool(w, false);
	rf_json_end_object(w);
	rf_json_key(w, "memoryPolicy");
	rf_json_begin_object(w);
	STRINGS(w, "modes", mpol_modes);
	STRINGS(w, "flags", mpol_flags);
	rf_json_end_object(w);
	rf_json_end_object(w);
}

int cmd_features(int argc, char **argv)
{
	rf_json_writer *w;
	char *out = NULL;
	size_t len;
	rf_error err = { 0 };

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 1)
		return cli_oci_usage(argv[0], "takes no arguments");
	w = rf_json_writer_new(true);
	if (!w)
		return 125;
	rf_json_begin_object(w);
	rf_json_key(w, "ociVersionMin");
	rf_json_string(w, "1.0.0");
	rf_json_key(w, "ociVersionMax");   /* linux.memoryPolicy is 1.3's */
	rf_json_string(w, "1.3.0");
	rf_json_key(w, "hooks");
	rf_json_begin_array(w);
	for (int k = 0; k < RF_HOOK_KINDS; k++)
		rf_json_string(w, rf_hook_names[k]);
	rf_json_end_array(w);
	linux_features(w);
	rf_json_key(w, "annotations");
	rf_json_begin_object(w);
	rf_json_key(w, "org.opencontainers.runc.checkpoint.enabled");
	rf_json_string(w, "false");
	rf_json_key(w, "io.github.ringfence.version");
	rf_json_string(w, PACKAGE_VERSION);
	rf_json_end_object(w);
	rf_json_end_object(w);
	if (rf_json_writer_finish(w, &out, &len, &err) < 0) {
		rf_json_writer_free(w);
		return cli_oci_fail(&err);
	}
	rf_json_writer_free(w);
	fwrite(out, 1, len, stdout);
	free(out);
	return 0;
}
