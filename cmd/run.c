/* ringfence run: parse the command line into a plan, run it, report.
 *
 * Two passes over the options: the first only looks for --profile or
 * --bundle, --rootfs and --strict, and loads the profile or bundle into the
 * plan; the second applies every flag over it, so flags override the profile
 * or bundle field by field. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ringfence/bundle.h"
#include "ringfence/caps.h"
#include "ringfence/cgroup-manager.h"
#include "ringfence/cleanup.h"
#include "ringfence/isolation.h"
#include "ringfence/numa.h"
#include "ringfence/parse.h"
#include "ringfence/policy.h"
#include "ringfence/profile.h"
#include "ringfence/report.h"
#include "ringfence/rlimit.h"
#include "ringfence/run.h"
#include "ringfence/setuid.h"

enum {
	OPT_MEMORY_HIGH = 256, OPT_MEMORY_LOW, OPT_SWAP, OPT_PIDS, OPT_CPUS, OPT_CPU_WEIGHT,
	OPT_OOM_GROUP, OPT_NO_OOM_GROUP, OPT_CPUSET_CPUS, OPT_NUMA_BIND, OPT_NUMA_PREFERRED,
	OPT_NUMA_INTERLEAVE, OPT_MEMLOCK, OPT_RLIMIT, OPT_OOM_SCORE_ADJ, OPT_ALLOW_PANIC,
	OPT_TIMEOUT, OPT_KILL_AFTER, OPT_CGROUP_PARENT, OPT_NAME, OPT_REPORT, OPT_REPORT_FD,
	OPT_PLAIN_EXIT, OPT_UNSHARE, OPT_MAP_ROOT, OPT_TMPFS, OPT_RO_ROOT, OPT_BIND, OPT_RO_BIND,
	OPT_CHDIR, OPT_HOSTNAME, OPT_USER, OPT_GROUPS, OPT_CLEARENV, OPT_SETENV, OPT_UNSETENV,
	OPT_CAP_ADD, OPT_CAP_DROP, OPT_SECCOMP, OPT_PRESERVE_FDS, OPT_HOST_CGROUPFS, OPT_PROFILE,
	OPT_STRICT, OPT_CGROUP_MANAGER, OPT_SLICE, OPT_SCOPE, OPT_ROOTFS, OPT_BUNDLE,
};

static const struct option options[] = {
	{ "memory", required_argument, NULL, 'm' },
	{ "memory-high", required_argument, NULL, OPT_MEMORY_HIGH },
	{ "memory-low", required_argument, NULL, OPT_MEMORY_LOW },
	{ "swap", required_argument, NULL, OPT_SWAP },
	{ "pids", required_argument, NULL, OPT_PIDS },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "cpu-weight", required_argument, NULL, OPT_CPU_WEIGHT },
	{ "oom-group", no_argument, NULL, OPT_OOM_GROUP },
	{ "no-oom-group", no_argument, NULL, OPT_NO_OOM_GROUP },
	{ "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
	{ "numa-bind", required_argument, NULL, OPT_NUMA_BIND },
	{ "numa-preferred", required_argument, NULL, OPT_NUMA_PREFERRED },
	{ "numa-interleave", required_argument, NULL, OPT_NUMA_INTERLEAVE },
	{ "memlock", required_argument, NULL, OPT_MEMLOCK },
	{ "rlimit", required_argument, NULL, OPT_RLIMIT },
	{ "oom-score-adj", required_argument, NULL, OPT_OOM_SCORE_ADJ },
	{ "allow-panic-on-oom", no_argument, NULL, OPT_ALLOW_PANIC },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "kill-after", required_argument, NULL, OPT_KILL_AFTER },
	{ "cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT },
	{ "cgroup-manager", required_argument, NULL, OPT_CGROUP_MANAGER },
	{ "slice", required_argument, NULL, OPT_SLICE },
	{ "scope", no_argument, NULL, OPT_SCOPE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "quiet", no_argument, NULL, 'q' },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "report-fd", required_argument, NULL, OPT_REPORT_FD },
	{ "plain-exit", no_argument, NULL, OPT_PLAIN_EXIT },
	{ "unshare", required_argument, NULL, OPT_UNSHARE },
	{ "map-root", no_argument, NULL, OPT_MAP_ROOT },
	{ "tmpfs", required_argument, NULL, OPT_TMPFS },
	{ "ro-root", no_argument, NULL, OPT_RO_ROOT },
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "ro-bind", required_argument, NULL, OPT_RO_BIND },
	{ "chdir", required_argument, NULL, OPT_CHDIR },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "user", required_argument, NULL, OPT_USER },
	{ "groups", required_argument, NULL, OPT_GROUPS },
	{ "clearenv", no_argument, NULL, OPT_CLEARENV },
	{ "setenv", required_argument, NULL, OPT_SETENV },
	{ "unsetenv", required_argument, NULL, OPT_UNSETENV },
	{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
	{ "cap-drop", required_argument, NULL, OPT_CAP_DROP },
	{ "seccomp", required_argument, NULL, OPT_SECCOMP },
	{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
	{ "host-cgroupfs", no_argument, NULL, OPT_HOST_CGROUPFS },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "bundle", required_argument, NULL, OPT_BUNDLE },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static const char usage[] =
	"Usage: ringfence run [OPTIONS] [--] COMMAND [ARG...]\n"
	"       ringfence run --bundle DIR [OPTIONS] [-- COMMAND [ARG...]]\n"
	"\n"
	"Run COMMAND (or an OCI bundle) in a fresh cgroup v2 leaf and report why it ended.\n"
	"\n"
	"Limits (SIZE: bytes, or with K, M, G or T, or max):\n"
	"  -m, --memory SIZE          memory.max (and memory.swap.max 0 unless --swap)\n"
	"      --memory-high SIZE     memory.high: throttle and reclaim above this\n"
	"      --memory-low SIZE      memory.low: protect this much from reclaim\n"
	"      --swap SIZE            memory.swap.max\n"
	"      --pids N               pids.max: the most processes and threads at once\n"
	"      --cpus N               cpu.max: N CPUs' worth of time per 100ms (e.g. 0.5, 2)\n"
	"      --cpu-weight N         cpu.weight, 1-10000\n"
	"      --oom-group            an OOM kill takes the whole sandbox (default)\n"
	"      --no-oom-group         an OOM kill takes one process\n"
	"\n"
	"Placement and process limits:\n"
	"      --cpuset-cpus CPUS     cpuset.cpus, e.g. 0-3,8\n"
	"      --numa-bind NODES      allocate only on NODES (mempolicy and cpuset.mems)\n"
	"      --numa-preferred NODE  prefer NODE, spill elsewhere\n"
	"      --numa-interleave NODES  spread pages over NODES\n"
	"      --memlock SIZE         RLIMIT_MEMLOCK; also drops CAP_IPC_LOCK\n"
	"      --rlimit NAME=SOFT[:HARD]  any RLIMIT_* by lowercase name (nofile, core, ...)\n"
	"      --oom-score-adj N      the command's oom_score_adj, -1000..1000\n"
	"      --allow-panic-on-oom   run even though vm.panic_on_oom=2 would panic the host\n"
	"\n"
	"Supervision and report:\n"
	"      --timeout DURATION     SIGTERM after DURATION (500ms, 30s, 5m, 1h), then\n"
	"      --kill-after DURATION  cgroup.kill this long after SIGTERM, from --timeout\n"
	"                             or forwarded (default 2s)\n"
	"      --cgroup-parent PATH   create the leaf under PATH (below the cgroup2 root)\n"
	"      --cgroup-manager NAME  cgroupfs, systemd or auto (default): who makes the\n"
	"                             cgroups; auto asks a non-root user's systemd\n"
	"                             user manager for a scope\n"
	"      --slice NAME           run in a transient systemd scope in slice NAME\n"
	"      --scope                run in a transient systemd scope (its default slice)\n"
	"      --name NAME            leaf name (default: unique)\n"
	"  -q, --quiet                no summary line\n"
	"      --report FILE          write the JSON verdict to FILE; %j, %s, %t: Slurm's\n"
	"                             job, step, task; %{VAR}: any variable; %n, %p, %%\n"
	"      --report-fd N          write the JSON verdict to file descriptor N\n"
	"      --plain-exit           shell exit codes (137 for an OOM kill) instead of 121/122/124\n"
	"\n"
	"Isolation:\n"
	"      --unshare LIST         namespaces: pid,mount,ipc,uts,net,cgroup,user or all\n"
	"      --map-root             with a user namespace: appear as root inside\n"
	"      --tmpfs PATH[:size=SIZE,mode=OCTAL]  a private tmpfs at PATH (charged\n"
	"                             to the sandbox)\n"
	"      --ro-root              a read-only view of /\n"
	"      --bind SRC[:DST]       bind-mount SRC at DST (default: the same path)\n"
	"      --ro-bind SRC[:DST]    bind-mount SRC at DST read-only\n"
	"      --chdir DIR            working directory of the command\n"
	"      --hostname NAME        hostname in a new UTS namespace\n"
	"      --user USER[:GROUP]    run as USER (name or uid), groups cleared; names\n"
	"                             from the container's /etc/passwd with a root\n"
	"      --groups LIST          supplementary groups for --user\n"
	"      --clearenv             start from an empty environment\n"
	"      --setenv KEY=VALUE     set an environment variable\n"
	"      --unsetenv KEY         remove an environment variable\n"
	"      --cap-add CAP          keep capability CAP (root commands)\n"
	"      --cap-drop CAP         drop capability CAP\n"
	"      --seccomp FILE|default|none  OCI seccomp profile (default: none)\n"
	"      --preserve-fds N       pass file descriptors 3..3+N-1 to the command\n"
	"      --host-cgroupfs        no cgroup namespace or read-only cgroupfs: the command\n"
	"                             sees the caller's cgroupfs, and as root (or as the\n"
	"                             owner of a delegated leaf) can leave its leaf and\n"
	"                             raise its own limits\n"
	"      --rootfs DIR           DIR is the command's /, with a fresh /proc, /dev and a\n"
	"                             read-only /sys (implies a mount namespace)\n"
	"\n"
	"Profiles and bundles:\n"
	"      --profile NAME|PATH    start from a profile (OCI config.json subset)\n"
	"      --bundle DIR           run the OCI bundle DIR: DIR/config.json is the plan,\n"
	"                             its root.path the command's /\n"
	"      --strict               profile or bundle keys ringfence does not implement\n"
	"                             are errors\n"
	"  -h, --help                 show this help\n"
	"\n"
	"Exit status: the command's own; 121 OOM at the sandbox's memory limit; 122 OOM\n"
	"from outside it; 124 timeout; 125 ringfence failed; 126/127 cannot execute/not found.\n";

static int set_size(rf_opt_u64 *dst, const char *arg, rf_error *err)
{
	if (rf_parse_size(arg, &dst->v, err) < 0)
		return -1;
	dst->set = true;
	return 0;
}

static int set_u64(rf_opt_u64 *dst, const char *arg, uint64_t min, uint64_t max, rf_error *err)
{
	if (rf_parse_u64(arg, min, max, &dst->v, err) < 0)
		return -1;
	dst->set = true;
	return 0;
}

static int set_str(char **dst, const char *arg, rf_error *err)
{
	char *copy = strdup(arg);

	if (!copy)
		return rf_error_set(err, ENOMEM, "copy `%s`", arg);
	free(*dst);
	*dst = copy;
	return 0;
}

/* --cgroup-parent: a cgroup path, absolute in the filesystem or below the
 * cgroup2 root; its form checked here (placement resolves it against the
 * mount), so a bad one fails before anything, the report included. */
static int set_cgroup_parent(rf_plan *plan, const char *arg, rf_error *err)
{
	if (!cg_parent_form_ok(arg))
		return rf_error_set(err, 0, "`%s` is not a cgroup path (expected one below the "
				    "cgroup2 root without `.`, `..` or `//`, e.g. ci/jobs)",
				    RF_SHOWN(arg));
	return set_str(&plan->cgroup_parent, arg, err);
}

static int set_mempolicy(rf_plan *plan, rf_mpol_mode mode, const char *arg, rf_error *err)
{
	rf_mempolicy *mp = &plan->proc.mempolicy;
	char list[256];

	/* The last policy flag wins, and with it goes the cpuset.mems an earlier
	 * --numa-bind wrote (not one a profile gave). */
	if (mp->mode == RF_MPOL_BIND && plan->limits.cpuset_mems &&
	    !strcmp(plan->limits.cpuset_mems, rf_idset_format(&mp->nodes, list, sizeof(list)))) {
		free(plan->limits.cpuset_mems);
		plan->limits.cpuset_mems = NULL;
	}
	memset(mp, 0, sizeof(*mp));
	if (rf_numa_parse_nodes(arg, &mp->nodes, err) < 0)
		return -1;
	mp->mode = mode;
	if (mode == RF_MPOL_PREFERRED) {
		uint64_t one;

		if (rf_parse_u64(arg, 0, RF_MAX_IDS - 1, &one, err) < 0)
			return rf_error_set(err, 0, "`%s` is not one node number", arg);
	}
	if (mode != RF_MPOL_BIND)
		return 0;
	/* Bind the leaf too, so a child that resets its mempolicy stays on NODES. */
	return set_str(&plan->limits.cpuset_mems, rf_idset_format(&mp->nodes, list, sizeof(list)), err);
}

static int add_env(rf_process *p, const char *key, size_t keylen, const char *value, rf_error *err)
{
	rf_envop *grown = realloc(p->env, (p->n_env + 1) * sizeof(*grown));

	if (!grown)
		return rf_error_set(err, ENOMEM, "environment");
	p->env = grown;
	grown[p->n_env].key = strndup(key, keylen);
	grown[p->n_env].value = value ? strdup(value) : NULL;
	/* counted either way, so that rf_plan_free frees what was made */
	p->n_env++;
	if (!grown[p->n_env - 1].key || (value && !grown[p->n_env - 1].value))
		return rf_error_set(err, ENOMEM, "environment");
	return 0;
}

static int set_env(rf_process *p, const char *arg, bool unset, rf_error *err)
{
	const char *eq = strchr(arg, '=');

	if (unset) {
		if (!*arg || eq)
			return rf_error_set(err, 0, "`%s` is not a variable name (expected KEY)", arg);
		return add_env(p, arg, strlen(arg), NULL, err);
	}
	if (!eq || eq == arg)
		return rf_error_set(err, 0, "`%s` is not an assignment (expected KEY=VALUE)", arg);
	return add_env(p, arg, (size_t)(eq - arg), eq + 1, err);
}

static int set_cap(uint64_t *mask, const char *arg, rf_error *err)
{
	int cap = rf_cap_lookup(arg);

	if (cap < 0)
		return rf_error_set(err, 0,
				    "`%s` is not a capability (expected a name like CAP_NET_RAW or net_raw)",
				    arg);
	*mask |= 1ULL << cap;
	return 0;
}

static int set_seccomp(rf_process *p, const char *arg, rf_error *err)
{
	if (!strcmp(arg, "none")) {
		p->seccomp_mode = RF_SECCOMP_NONE;
		return 0;
	}
	if (!strcmp(arg, "default")) {
		p->seccomp_mode = RF_SECCOMP_DEFAULT;
		return 0;
	}
	if (!*arg)
		return rf_error_set(err, 0, "expected FILE, `default` or `none`");
	p->seccomp_mode = RF_SECCOMP_FILE;
	return set_str(&p->seccomp_path, arg, err);
}

/* Leaf names become directory names next to the parent's interface files. */
static int set_name(rf_plan *plan, const char *arg, rf_error *err)
{
	size_t n = strlen(arg);

	if (!n || n > 200 || strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789_-.") != n || arg[0] == '.')
		return rf_error_set(err, 0,
				    "`%s` is not a leaf name (expected 1-200 of A-Z a-z 0-9 _ - ., "
				    "not starting with .)", arg);
	return set_str(&plan->name, arg, err);
}

static int set_cgroup_manager(rf_plan *plan, const char *arg, rf_error *err)
{
	if (!strcmp(arg, "auto"))
		plan->cgroup_manager = RF_CGROUP_MANAGER_AUTO;
	else if (!strcmp(arg, "cgroupfs"))
		plan->cgroup_manager = RF_CGROUP_MANAGER_CGROUPFS;
	else if (!strcmp(arg, "systemd"))
		plan->cgroup_manager = RF_CGROUP_MANAGER_SYSTEMD;
	else
		return rf_error_set(err, 0, "`%s` is not a cgroup manager (expected cgroupfs, "
				    "systemd or auto)", arg);
	return 0;
}

static int set_slice(rf_plan *plan, const char *arg, rf_error *err)
{
	char name[256];

	if (cg_systemd_slice_name(arg, name, sizeof(name), err) < 0)
		return -1;
	return set_str(&plan->slice, name, err);
}

static int set_report_fd(rf_plan *plan, const char *arg, rf_error *err)
{
	uint64_t fd;

	if (rf_parse_u64(arg, 0, INT32_MAX, &fd, err) < 0)
		return -1;
	if (fcntl((int)fd, F_GETFD) < 0)
		return rf_error_set(err, EBADF, "file descriptor %llu is not open",
				    (unsigned long long)fd);
	plan->sup.report_fd = (int)fd;
	return 0;
}

static int apply_option(rf_plan *plan, int opt, const char *arg, rf_error *err)
{
	rf_limits *lim = &plan->limits;
	rf_process *p = &plan->proc;
	rf_isolation *iso = &plan->iso;
	int64_t adj;
	uint64_t n;

	switch (opt) {
	case 'm': return set_size(&lim->memory_max, arg, err);
	case OPT_MEMORY_HIGH: return set_size(&lim->memory_high, arg, err);
	case OPT_MEMORY_LOW: return set_size(&lim->memory_low, arg, err);
	case OPT_SWAP: return set_size(&lim->swap_max, arg, err);
	case OPT_PIDS:
		if (!strcmp(arg, "max")) {
			lim->pids_max = (rf_opt_u64){ .set = true, .v = RF_MAX };
			return 0;
		}
		return set_u64(&lim->pids_max, arg, 1, INT32_MAX, err);
	case OPT_CPUS:
		lim->cpu_quota_us.set = true;
		return rf_parse_cpus(arg, lim->cpu_period_us, &lim->cpu_quota_us.v, err);
	case OPT_CPU_WEIGHT: return set_u64(&lim->cpu_weight, arg, 1, 10000, err);
	case OPT_OOM_GROUP: lim->oom_group = true; return 0;
	case OPT_NO_OOM_GROUP: lim->oom_group = false; return 0;
	case OPT_CPUSET_CPUS: {
		rf_idset cpus;
		char list[256];

		if (rf_numa_parse_cpus(arg, &cpus, err) < 0)
			return -1;
		return set_str(&lim->cpuset_cpus, rf_idset_format(&cpus, list, sizeof(list)), err);
	}
	case OPT_NUMA_BIND: return set_mempolicy(plan, RF_MPOL_BIND, arg, err);
	case OPT_NUMA_PREFERRED: return set_mempolicy(plan, RF_MPOL_PREFERRED, arg, err);
	case OPT_NUMA_INTERLEAVE: return set_mempolicy(plan, RF_MPOL_INTERLEAVE, arg, err);
	case OPT_MEMLOCK:
		if (rf_parse_size(arg, &n, err) < 0)
			return -1;
		return rf_rlimit_set(p, RLIMIT_MEMLOCK, n, n, err);
	case OPT_RLIMIT: return rf_rlimit_parse(arg, p, err);
	case OPT_OOM_SCORE_ADJ:
		if (rf_parse_i64(arg, -1000, 1000, &adj, err) < 0)
			return -1;
		p->oom_score_adj = (rf_opt_i64){ .set = true, .v = adj };
		return 0;
	case OPT_ALLOW_PANIC: plan->sup.allow_panic_on_oom = true; return 0;
	case OPT_TIMEOUT: return rf_parse_duration_ms(arg, &plan->sup.timeout_ms, err);
	case OPT_KILL_AFTER: return rf_parse_duration_ms(arg, &plan->sup.kill_after_ms, err);
	case OPT_CGROUP_PARENT: return set_cgroup_parent(plan, arg, err);
	case OPT_CGROUP_MANAGER: return set_cgroup_manager(plan, arg, err);
	case OPT_SLICE: return set_slice(plan, arg, err);
	case OPT_SCOPE: plan->scope = true; return 0;
	case OPT_NAME: return set_name(plan, arg, err);
	case 'q': plan->sup.quiet = true; return 0;
	case OPT_REPORT: return set_str(&plan->sup.report_path, arg, err);
	case OPT_REPORT_FD: return set_report_fd(plan, arg, err);
	case OPT_PLAIN_EXIT: plan->sup.plain_exit = true; return 0;
	case OPT_UNSHARE: {
		int flags = 0;

		if (rf_ns_parse(arg, &flags, err) < 0)
			return -1;
		iso->ns_flags |= flags;
		return 0;
	}
	case OPT_MAP_ROOT: iso->map_root = true; return 0;
	case OPT_TMPFS: return rf_mount_parse(RF_MOUNT_TMPFS, arg, iso, err);
	case OPT_RO_ROOT: iso->ro_root = true; return 0;
	case OPT_BIND: return rf_mount_parse(RF_MOUNT_BIND, arg, iso, err);
	case OPT_RO_BIND: return rf_mount_parse(RF_MOUNT_RO_BIND, arg, iso, err);
	case OPT_CHDIR: return set_str(&p->cwd, arg, err);
	case OPT_HOSTNAME: return set_str(&iso->hostname, arg, err);
	/* names are the root's: --rootfs and --bundle were read in the first pass */
	case OPT_USER: return rf_identity_parse_user_in(arg, iso->rootfs, p, err);
	case OPT_GROUPS: return rf_identity_parse_groups_in(arg, iso->rootfs, p, err);
	case OPT_CLEARENV: p->clearenv = true; return 0;
	case OPT_SETENV: return set_env(p, arg, false, err);
	case OPT_UNSETENV: return set_env(p, arg, true, err);
	case OPT_CAP_ADD: return set_cap(&p->cap_add, arg, err);
	case OPT_CAP_DROP: return set_cap(&p->cap_drop, arg, err);
	case OPT_SECCOMP: return set_seccomp(p, arg, err);
	case OPT_PRESERVE_FDS:
		if (rf_parse_u64(arg, 0, 1024, &n, err) < 0)
			return -1;
		p->preserve_fds = (int)n;
		return 0;
	case OPT_HOST_CGROUPFS: iso->host_cgroupfs = true; return 0;
	case OPT_PROFILE:
	case OPT_STRICT:
	case OPT_BUNDLE:
	case OPT_ROOTFS:
		return 0;   /* handled in the first pass */
	}
	return rf_error_set(err, 0, "unhandled option");
}

static const char *option_name(int opt)
{
	for (const struct option *o = options; o->name; o++)
		if (o->val == opt)
			return o->name;
	return "?";
}

/* First pass: --profile or --bundle, --rootfs and --strict, loaded before any
 * other flag applies. */
static int load_base(int argc, char **argv, rf_plan *plan, rf_error *err)
{
	const char *profile = NULL, *bundle = NULL, *rootfs = NULL;
	int opt;

	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+m:qh", options, NULL)) != -1) {
		if (opt == OPT_PROFILE)
			profile = optarg;
		else if (opt == OPT_BUNDLE)
			bundle = optarg;
		else if (opt == OPT_ROOTFS)
			rootfs = optarg;
		else if (opt == OPT_STRICT)
			plan->sup.strict = true;
	}
	if (profile && bundle)
		return rf_error_set(err, 0, "--profile and --bundle: give one (a bundle's "
				    "config.json is its whole plan)");
	/* The loaders' messages name the profile or config.json already. */
	if (profile && (rf_profile_load(profile, plan, plan->sup.strict, &cli_diag, err) < 0 ||
			set_str(&plan->profile, profile, err) < 0))
		return -1;
	if (bundle && rf_bundle_load(bundle, plan, plan->sup.strict, &cli_diag, err) < 0)
		return -1;
	if (bundle && cli_bundle_drop_hooks(bundle, plan, err) < 0)
		return -1;
	/* a root for a plain run (with the standard mounts), or another root
	 * for the bundle (whose mounts are its own) */
	if (rootfs && rf_rootfs_set(rootfs, plan, err) < 0)
		return -1;   /* the message names --rootfs */
	return 0;
}

static int take_command(rf_plan *plan, int argc, char **argv, rf_error *err)
{
	char **copy;

	if (optind >= argc) {
		if (plan->proc.argv && plan->proc.argv[0])
			return 0;   /* process.args from the profile */
		return rf_error_set(err, 0, "missing COMMAND (ringfence run [OPTIONS] -- COMMAND [ARG...])");
	}
	copy = calloc((size_t)(argc - optind + 1), sizeof(*copy));
	if (!copy)
		return rf_error_set(err, ENOMEM, "copy the command");
	for (int i = optind; i < argc; i++)
		if (!(copy[i - optind] = strdup(argv[i]))) {
			rf_strv_free(copy);
			return rf_error_set(err, ENOMEM, "copy the command");
		}
	rf_strv_free(plan->proc.argv);
	plan->proc.argv = copy;
	return 0;
}

/* Parse argv into plan. Returns 0, 1 for --help, or -1 with err (exit 125). */
static int parse_args(int argc, char **argv, rf_plan *plan, rf_error *err)
{
	int opt;

	if (load_base(argc, argv, plan, err) < 0)
		return -1;
	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+m:qh", options, NULL)) != -1) {
		if (opt == 'h')
			return 1;
		if (opt == '?') {
			/* "--scope=x": a value given to a flag that takes none */
			if (optopt && strchr(argv[optind - 1], '=') && !strncmp(argv[optind - 1], "--", 2))
				return rf_error_set(err, 0, "--%s: takes no value", option_name(optopt));
			if (optopt && strcmp(option_name(optopt), "?"))
				return rf_error_set(err, 0, "--%s: missing value", option_name(optopt));
			if (optopt)
				return rf_error_set(err, 0, "-%c: unknown option", optopt);
			return rf_error_set(err, 0, "`%s`: unknown option", argv[optind - 1]);
		}
		if (apply_option(plan, opt, optarg, err) < 0)
			return rf_error_prefix(err, "--%s", option_name(opt));
	}
	return take_command(plan, argc, argv, err);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void write_report(const rf_plan *plan, int fd, const rf_verdict *v)
{
	cleanup_free char *json = NULL;
	size_t len = 0;
	rf_error err;

	if (fd < 0)
		return;
	if (rf_verdict_json(v, &json, &len, &err) < 0) {
		cli_print_error(&err);
		return;
	}
	if (write_all(fd, json, len) < 0 || write_all(fd, "\n", 1) < 0)
		fprintf(stderr, "ringfence: write the report%s%s: %s\n",
			plan->sup.report_path ? " to " : "",
			plan->sup.report_path ? plan->sup.report_path : "", strerror(errno));
}

/* The verdict for a run that failed before the command started. */
static void failed_verdict(rf_verdict *v, const rf_error *err)
{
	memset(v, 0, sizeof(*v));
	rf_counters_init(&v->c);
	v->o.launch_code = RF_EXIT_FAILURE;
	rf_error_format(err, v->o.launch_msg, sizeof(v->o.launch_msg));
	rf_verdict_classify(v, false);
}

static const char *env_lookup(const char *name, void *data)
{
	(void)data;
	return getenv(name);
}

/* --report PATTERN: the job's identity from the environment into the path,
 * once all input is checked and before anything is created. */
static int expand_report(rf_plan *plan, rf_error *err)
{
	char host[256] = "";
	rf_report_ctx ctx = { .getenv = env_lookup, .pid = getpid() };
	char *path;

	if (!plan->sup.report_path)
		return 0;
	if (gethostname(host, sizeof(host) - 1) == 0)
		ctx.hostname = host;
	if (rf_report_expand(plan->sup.report_path, &ctx, &path, err) < 0)
		return -1;
	free(plan->sup.report_path);
	plan->sup.report_path = path;
	return 0;
}

static int open_report(rf_plan *plan, rf_error *err)
{
	int fd;

	if (!plan->sup.report_path) {
		fd = plan->sup.report_fd;
		if (fd < 0)
			return -1;
		/* 0 to 2 stay the command's: the report goes through a copy. */
		if (fd <= STDERR_FILENO) {
			fd = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
			return fd >= 0 ? fd : rf_error_set(err, errno, "--report-fd %d: duplicate",
							   plan->sup.report_fd);
		}
		/* The report fd is ours: keep it out of the command. */
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		return fd;
	}
	fd = open(plan->sup.report_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return rf_error_set(err, errno, "--report: open `%s`", plan->sup.report_path);
	return fd;
}

/* A setuid-root run: the admin's policy (read as root) and who the caller is. */
static int setuid_prepare(rf_policy *pol, rf_caller *who, rf_error *err)
{
	int r;

	if (rf_setuid_files_as_root(true, err) < 0)
		return -1;
	r = rf_policy_load(NULL, pol, err);
	if (rf_setuid_files_as_root(false, err) < 0 || r < 0)
		return -1;
	if (rf_setuid_caller(who, err) < 0 || rf_policy_admit(pol, who, err) < 0)
		return -1;
	return 0;
}

/* Parse, check against the policy when setuid (before finalize: the forced
 * identity and the admin's defaults feed it; after: what it implies),
 * finalize, expand the report pattern. */
static int plan_run(int argc, char **argv, rf_plan *plan, const rf_policy *pol,
		    const rf_caller *who, rf_error *err)
{
	int r = parse_args(argc, argv, plan, err);

	if (r != 0)
		return r;
	if (pol && rf_policy_apply(pol, who, plan, err) < 0)
		return -1;
	if (rf_plan_finalize(plan, &cli_diag, err) < 0)
		return -1;
	if (pol) {
		if (rf_policy_apply(pol, who, plan, err) < 0)
			return -1;
		plan->policy = pol;
		plan->caller = who;
	}
	return expand_report(plan, err);
}

int cmd_run(int argc, char **argv)
{
	cleanup_close int report = -1;
	rf_error err = { 0 };
	bool suid = rf_setuid_active();
	rf_policy pol = { 0 };
	rf_caller who = { 0 };
	rf_verdict v;
	rf_plan plan;
	int r;

	rf_plan_init(&plan);
	plan.proc.tty = true;
	if (suid && setuid_prepare(&pol, &who, &err) < 0) {
		cli_print_error(&err);
		r = RF_EXIT_FAILURE;
		goto out;
	}
	r = plan_run(argc, argv, &plan, suid ? &pol : NULL, &who, &err);
	if (r == 1) {
		fputs(usage, stdout);
		r = 0;
		goto out;
	}
	if (r < 0) {
		char msg[RF_ERROR_MSG_MAX + 64];

		r = cli_usage_error("run", "%s", rf_error_format(&err, msg, sizeof(msg)));
		goto out;
	}
	/* A root of its own: its payload must not reach this binary (cmd/oci.c). */
	if (plan.iso.rootfs && (r = cli_sealed_exe()) != 0)
		goto out;
	/* The report is opened with the caller's rights even when setuid. */
	report = open_report(&plan, &err);
	if ((report < 0 && (plan.sup.report_path || plan.sup.report_fd >= 0)) ||
	    (suid && rf_setuid_files_as_root(true, &err) < 0)) {
		cli_print_error(&err);
		r = RF_EXIT_FAILURE;
		goto out;
	}
	if (rf_run(&plan, &cli_diag, &v, &err) < 0)
		failed_verdict(&v, &err);
	write_report(&plan, report, &v);
	if (plan.sup.report_fd >= 0 && report == plan.sup.report_fd)
		report = -1;   /* the caller's fd: not ours to close */
	if (v.kind == RF_VERDICT_LAUNCH_FAILED) {
		fprintf(stderr, "ringfence: %s\n", v.o.launch_msg);
	} else if (!plan.sup.quiet) {
		char line[1024];

		rf_verdict_summary(&v, line, sizeof(line));
		fprintf(stderr, "ringfence: %s\n", line);
	}
	r = v.exit_code;
out:
	rf_plan_free(&plan);
	rf_policy_free(&pol);
	rf_setuid_caller_free(&who);
	return r;
}
