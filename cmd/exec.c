/* ringfence exec: run another process in a running container. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ringfence/cleanup.h"
#include "ringfence/container.h"
#include "ringfence/fds.h"
#include "ringfence/isolation.h"
#include "ringfence/json.h"
#include "ringfence/apparmor.h"
#include "ringfence/caps.h"
#include "ringfence/parse.h"
#include "ringfence/profile.h"

static const char usage[] =
	"Usage: ringfence [GLOBAL OPTIONS] exec [OPTIONS] ID [COMMAND [ARG...]]\n"
	"\n"
	"Run COMMAND (or the process of --process) in container ID: its\n"
	"namespaces, its cgroup, its seccomp filter; the rest from the container's\n"
	"process unless given here.\n"
	"\n"
	"  -p, --process FILE        an OCI process (JSON) instead of COMMAND\n"
	"  -d, --detach              return once it runs (with --pid-file)\n"
	"      --pid-file FILE       write its pid to FILE\n"
	"      --console-socket SOCK send its pty master to this AF_UNIX socket\n"
	"  -t, --tty                 a pty made inside: sent to --console-socket, or in\n"
	"                            the foreground without one, relayed to the caller\n"
	"      --cwd DIR             its working directory\n"
	"  -e, --env KEY=VALUE       set a variable (repeatable)\n"
	"  -u, --user UID[:GID]      run as UID (and GID; else the container's)\n"
	"  -g, --additional-gids GID add a supplementary group (repeatable)\n"
	"  -c, --cap CAP             add a capability to its sets (repeatable)\n"
	"      --no-new-privs        set no_new_privs for it\n"
	"      --apparmor PROFILE    its AppArmor profile (else the process file's,\n"
	"                            else the container's)\n"
	"      --preserve-fds N      pass fds 3..3+N-1 to it\n"
	"      --ignore-paused       exec into a paused container (it runs at resume)\n"
	"  -h, --help                show this help\n";

enum { OPT_PID_FILE = 256, OPT_CONSOLE, OPT_CWD, OPT_PRESERVE, OPT_NNP, OPT_IGNORE_PAUSED,
       OPT_APPARMOR, OPT_IGNORED };

static const struct option options[] = {
	{ "process", required_argument, NULL, 'p' },
	{ "detach", no_argument, NULL, 'd' },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "console-socket", required_argument, NULL, OPT_CONSOLE },
	{ "tty", no_argument, NULL, 't' },
	{ "cwd", required_argument, NULL, OPT_CWD },
	{ "env", required_argument, NULL, 'e' },
	{ "user", required_argument, NULL, 'u' },
	{ "preserve-fds", required_argument, NULL, OPT_PRESERVE },
	{ "additional-gids", required_argument, NULL, 'g' },
	{ "cap", required_argument, NULL, 'c' },
	{ "no-new-privs", no_argument, NULL, OPT_NNP },
	{ "ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED },
	{ "apparmor", required_argument, NULL, OPT_APPARMOR },
	/* accepted as runc does; ringfence has no SELinux labels */
	{ "process-label", required_argument, NULL, OPT_IGNORED },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

typedef struct exec_args {
	rf_exec_opts o;
	const char *process;
	const char *cwd;
	bool user_set;           /* -u UID[:GID] */
	bool gid_set;            /* ... with its GID */
	uint32_t uid, gid;
	char **env;              /* argv pointers, NULL-terminated */
	size_t n_env;
	bool tty;
	int preserve_fds;
	char **argv;             /* COMMAND..., NULL-terminated, or NULL */
	gid_t *gids;             /* -g, in order */
	size_t n_gids;
	uint64_t caps;           /* -c: bit n = capability n */
	bool no_new_privs;
	const char *apparmor;    /* --apparmor, or NULL */
} exec_args;

/* -u UID[:GID]: numbers, as runc and crun take them. A name would have to be
 * looked up in the container's own files, not the host's; engines pass
 * numbers (podman resolves names itself). Without a GID the container's
 * process.user.gid stays, as runc keeps it. */
static int parse_user(const char *spec, exec_args *a)
{
	const char *colon = strchr(spec, ':');
	char uid_text[16];
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
	uint64_t uid, gid = 0;

	if (n == 0 || n >= sizeof(uid_text))
		return -1;
	memcpy(uid_text, spec, n);
	uid_text[n] = '\0';
	if (rf_parse_u64(uid_text, 0, UINT32_MAX - 1, &uid, NULL) < 0 ||
	    (colon && rf_parse_u64(colon + 1, 0, UINT32_MAX - 1, &gid, NULL) < 0))
		return -1;
	a->user_set = true;
	a->gid_set = colon != NULL;
	a->uid = (uint32_t)uid;
	a->gid = (uint32_t)gid;
	return 0;
}

static void args_free(exec_args *a)
{
	free(a->env);
	free(a->gids);
}

static int parse(int argc, char **argv, exec_args *a)
{
	uint64_t n;
	int opt;

	opterr = 0;
	optind = 0;
	a->env = calloc((size_t)argc + 1, sizeof(*a->env));
	a->gids = calloc((size_t)argc + 1, sizeof(*a->gids));
	if (!a->env || !a->gids) {
		rf_error err = { 0 };

		rf_error_set(&err, ENOMEM, "exec: the --env and --additional-gids lists");
		return -cli_oci_fail(&err);
	}
	while ((opt = getopt_long(argc, argv, "+p:de:u:tg:c:h", options, NULL)) != -1) {
		int cap;

		switch (opt) {
		case 'h': fputs(usage, stdout); return 1;
		case 'p': a->process = optarg; break;
		case 'd': a->o.detach = true; break;
		case OPT_PID_FILE: a->o.pid_file = optarg; break;
		case OPT_CONSOLE: a->o.console_socket = optarg; break;
		case 't': a->tty = true; break;
		case OPT_CWD:
			if (optarg[0] != '/')
				return -cli_oci_usage("exec", "--cwd: expected an absolute path, got `%s`",
						      RF_SHOWN(optarg));
			a->cwd = optarg;
			break;
		case 'e': a->env[a->n_env++] = optarg; break;
		case 'u':
			if (parse_user(optarg, a) < 0)
				return -cli_oci_usage("exec", "--user: expected UID[:GID] (numbers), got `%s`",
						      RF_SHOWN(optarg));
			break;
		case OPT_PRESERVE:
			if (rf_parse_u64(optarg, 0, 1024, &n, NULL) < 0)
				return -cli_oci_usage("exec", "--preserve-fds: expected 0-1024, got `%s`", optarg);
			a->preserve_fds = (int)n;
			break;
		case 'g':
			if (rf_parse_u64(optarg, 0, UINT32_MAX - 1, &n, NULL) < 0)
				return -cli_oci_usage("exec", "--additional-gids: expected a GID "
						      "(a number), got `%s`", RF_SHOWN(optarg));
			a->gids[a->n_gids++] = (gid_t)n;
			break;
		case 'c':
			if ((cap = rf_cap_lookup(optarg)) < 0)
				return -cli_oci_usage("exec", "--cap: `%s` is not a capability "
						      "(expected a name like CAP_NET_ADMIN)",
						      RF_SHOWN(optarg));
			a->caps |= UINT64_C(1) << cap;
			break;
		case OPT_NNP: a->no_new_privs = true; break;
		case OPT_IGNORE_PAUSED: a->o.ignore_paused = true; break;
		case OPT_APPARMOR: {
			rf_error err = { 0 };

			/* empty: the container's, as runc reads it */
			if (*optarg && rf_apparmor_check_name(optarg, &err) < 0)
				return -cli_oci_usage("exec", "--apparmor: %s, got `%s`", err.msg,
						      RF_SHOWN(optarg));
			a->apparmor = *optarg ? optarg : NULL;
			break;
		}
		case OPT_IGNORED: break;
		default:
			return -cli_oci_usage("exec", "`%s`: unknown option or missing value",
					      argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return -cli_oci_usage("exec", "expected a container ID");
	a->o.id = argv[optind++];
	if (!a->process && optind >= argc)
		return -cli_oci_usage("exec", "expected a COMMAND or --process FILE");
	if (a->process && optind < argc)
		return -cli_oci_usage("exec", "give either a COMMAND or --process, not both");
	a->argv = optind < argc ? argv + optind : NULL;
	return 0;
}

/* process.json in place of the container's process (what it keeps of the
 * container's: rf_container_exec_process). */
static int load_process(rf_plan *plan, const char *path, rf_error *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	cleanup_free char *text = NULL, *name = NULL;
	size_t len;

	if (fd < 0)
		return rf_error_set(err, errno, "--process: open `%s`", path);
	if (rf_read_all(fd, path, RF_JSON_MAX_FILE, &text, &len, err) < 0)
		return rf_error_prefix(err, "--process");
	if (asprintf(&name, "--process `%s`", path) < 0)
		return rf_error_set(err, ENOMEM, "--process");
	return rf_container_exec_process(plan, text, len, name, &cli_oci_diag, err);
}

/* The container's filesystem and namespaces are already there: the new
 * process only enters them. */
static void drop_isolation(rf_plan *plan)
{
	rf_isolation *iso = &plan->iso;

	rf_isolation_free(iso);
	/* Its containment is the container's, whose cgroup and mount namespaces
	 * it enters: none of its own, and no mount in the container's. */
	iso->host_cgroupfs = true;
}

static int set_args(rf_plan *plan, char **argv, rf_error *err)
{
	size_t n = 0;
	char **copy;

	while (argv[n])
		n++;
	copy = calloc(n + 1, sizeof(*copy));
	if (!copy)
		return rf_error_set(err, ENOMEM, "the command");
	for (size_t i = 0; i < n; i++)
		if (!(copy[i] = strdup(argv[i]))) {
			rf_strv_free(copy);
			return rf_error_set(err, ENOMEM, "the command");
		}
	rf_strv_free(plan->proc.argv);
	plan->proc.argv = copy;
	return 0;
}

static int add_env(rf_process *p, const char *kv, rf_error *err)
{
	const char *eq = strchr(kv, '=');
	rf_envop *grown;

	if (!eq || eq == kv)
		return rf_error_set(err, 0, "--env: `%s` is not KEY=VALUE", kv);
	grown = realloc(p->env, (p->n_env + 1) * sizeof(*grown));
	if (!grown)
		return rf_error_set(err, ENOMEM, "--env");
	p->env = grown;
	grown[p->n_env].key = strndup(kv, (size_t)(eq - kv));
	grown[p->n_env].value = strdup(eq + 1);
	p->n_env++;
	if (!grown[p->n_env - 1].key || !grown[p->n_env - 1].value)
		return rf_error_set(err, ENOMEM, "--env");
	return 0;
}

/* -g: added to the process's supplementary groups, as runc's. */
static int add_groups(rf_process *p, const gid_t *gids, size_t n, rf_error *err)
{
	gid_t *grown = realloc(p->groups, (p->n_groups + n) * sizeof(*grown));

	if (!grown)
		return rf_error_set(err, ENOMEM, "--additional-gids");
	memcpy(grown + p->n_groups, gids, n * sizeof(*grown));
	p->groups = grown;
	p->n_groups += n;
	p->groups_set = true;
	return 0;
}

/* -c: into the bounding, effective and permitted sets, and the ambient one
 * when the process (the container's, or a --process file's) has inheritable
 * capabilities (an ambient capability needs its inheritable bit), as runc's
 * exec --cap. A process with one set (a bundle without
 * process.capabilities) gets them added to it, as --cap-add does. */
static void add_caps(rf_process *p, uint64_t caps)
{
	if (!p->oci_caps) {
		p->cap_add |= caps;
		p->cap_drop &= ~caps;
		return;
	}
	p->cap_sets[RF_CAPSET_BOUNDING] |= caps;
	p->cap_sets[RF_CAPSET_EFFECTIVE] |= caps;
	p->cap_sets[RF_CAPSET_PERMITTED] |= caps;
	if (p->cap_sets[RF_CAPSET_INHERITABLE])
		p->cap_sets[RF_CAPSET_AMBIENT] |= caps;
}

/* --apparmor: as process.apparmorProfile, warned without AppArmor. */
static int set_apparmor(rf_process *p, const char *name, rf_error *err)
{
	if (!rf_apparmor_enabled()) {
		rf_warn(&cli_oci_diag, "--apparmor: AppArmor is not enabled on this host; the "
			"process runs without profile `%s`", RF_SHOWN(name));
		return 0;
	}
	free(p->apparmor_profile);
	if (!(p->apparmor_profile = strdup(name)))
		return rf_error_set(err, ENOMEM, "--apparmor");
	return 0;
}

static int build_plan(const exec_args *a, const char *bundle, const char *config, rf_plan *plan,
		      rf_error *err)
{
	/* What it does not implement was said at create: not again per exec. */
	if (cli_oci_load_bundle(bundle, config, a->o.id, plan, NULL, err) < 0)
		return -1;
	if (a->process && load_process(plan, a->process, err) < 0)
		return -1;
	if (a->argv && set_args(plan, a->argv, err) < 0)
		return -1;
	for (size_t i = 0; i < a->n_env; i++)
		if (add_env(&plan->proc, a->env[i], err) < 0)
			return -1;
	if (a->cwd) {
		free(plan->proc.cwd);
		if (!(plan->proc.cwd = strdup(a->cwd)))
			return rf_error_set(err, ENOMEM, "--cwd");
	}
	if (a->user_set) {
		if (a->gid_set || !plan->proc.user_set)
			plan->proc.gid = a->gid;
		plan->proc.user_set = true;
		plan->proc.uid = a->uid;
	}
	if (a->n_gids && add_groups(&plan->proc, a->gids, a->n_gids, err) < 0)
		return -1;
	if (a->caps)
		add_caps(&plan->proc, a->caps);
	if (a->no_new_privs)
		plan->proc.no_new_privs = true;
	if (a->apparmor && set_apparmor(&plan->proc, a->apparmor, err) < 0)
		return -1;
	/* A terminal: -t, or the process file's own "terminal" (read into
	 * proc.tty), never the container's. */
	plan->proc.pty = a->tty || (a->process && plan->proc.tty);
	plan->proc.tty = false;
	plan->proc.preserve_fds = a->preserve_fds;
	drop_isolation(plan);
	return rf_plan_finalize(plan, &cli_oci_diag, err);
}

int cmd_exec(int argc, char **argv)
{
	exec_args a = { 0 };
	rf_error err = { 0 };
	rf_container c;
	rf_plan plan;
	int r, code = 125;

	r = parse(argc, argv, &a);
	if (r != 0) {
		args_free(&a);
		return r < 0 ? -r : 0;
	}
	if (!(a.o.root = cli_oci_root())) {
		args_free(&a);
		return 125;
	}
	if ((r = cli_sealed_exe()) != 0) {
		args_free(&a);
		return r;
	}
	rf_plan_init(&plan);
	if (rf_container_open(a.o.root, a.o.id, false, &c, &err) == 0) {
		/* The config create saved, not the bundle's file now: what the
		 * container was made from, as runc's exec reads its state. */
		cleanup_free char *config = NULL;
		char bundle[PATH_MAX];

		snprintf(bundle, sizeof(bundle), "%s", c.bundle);
		r = rf_container_config(&c, &config, &err);
		rf_container_close(&c);
		if (r == 0)
			r = build_plan(&a, bundle, config, &plan, &err);
	} else {
		r = -1;
	}
	if (r == 0)
		r = rf_container_exec(&a.o, &plan, &cli_oci_diag, &code, &err);
	rf_plan_free(&plan);
	args_free(&a);
	if (r < 0) {
		cli_oci_fail(&err);
		return code ? code : 125;
	}
	return code;
}
