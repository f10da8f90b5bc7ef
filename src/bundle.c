/* OCI bundles and container roots at plan time (include/ringfence/bundle.h).
 * The reading itself is the profile reader's, in bundle mode; this file
 * finds the bundle, fills in what a container gets without asking (the
 * standard mounts of --rootfs, HOME) and checks what only makes sense with
 * a root or a namespace of its own. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path-root.h"
#include "profile-internal.h"
#include "ringfence/bundle.h"
#include "ringfence/caps.h"
#include "ringfence/cleanup.h"
#include "ringfence/devices.h"
#include "ringfence/isolation.h"
#include "ringfence/json.h"
#include "ringfence/parse.h"
#include "ringfence/passwd.h"

/* What `crun spec` (and runc's) config.json mounts, read as a bundle's. */
static const char standard_mounts[] =
	"{\"mounts\": ["
	"{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
	"{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
	" \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
	"{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\","
	" \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\","
	" \"gid=5\"]},"
	"{\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\","
	" \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},"
	"{\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\","
	" \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},"
	"{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\","
	" \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},"
	"{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\","
	" \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}"
	"]}";

/* A canonical directory, or an error naming what was given. */
static int canonical_dir(const char *what, const char *dir, char **out, rf_error *err)
{
	struct stat st;

	*out = realpath(dir, NULL);
	if (!*out)
		return rf_error_set(err, errno, "%s `%s`", what, dir);
	if (stat(*out, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(*out);
		*out = NULL;
		return rf_error_set(err, ENOTDIR, "%s `%s`", what, dir);
	}
	return 0;
}

/* The parsed config.json of the bundle `real` (canonical) into plan. */
static int load_tree(const rf_json *root, const char *config, char *real, rf_plan *plan,
		     bool strict, const rf_diag *diag, rf_error *err)
{
	/* OCI: the environment is process.env alone, without a terminal the
	 * payload keeps the stdio it is given, and no_new_privs is set only when
	 * process.noNewPrivileges says true (Docker's containers leave it out,
	 * and their setuid programs work under runc and crun). */
	plan->proc.clearenv = true;
	plan->proc.tty = false;
	plan->proc.no_new_privs = false;
	if (pf_load(root, config, real, true, plan, strict, diag, err) < 0)
		return rf_error_prefix(err, "`%s`", config);
	if (!plan->iso.rootfs)
		return rf_error_set(err, 0, "`%s`: root.path: required (the container's root "
				    "filesystem, relative to the bundle)", config);
	free(plan->bundle);
	plan->bundle = real;
	return 0;
}

int rf_bundle_load(const char *dir, rf_plan *plan, bool strict, const rf_diag *diag,
		   rf_error *err)
{
	cleanup_free char *real = NULL, *config = NULL;
	rf_json *root;
	int r;

	if (canonical_dir("bundle", dir, &real, err) < 0)
		return -1;
	if (asprintf(&config, "%s/config.json", real) < 0)
		return rf_error_set(err, ENOMEM, "bundle `%s`", dir);
	root = rf_json_parse_file(config, err);
	if (!root)
		return -1;   /* the message names the file */
	r = load_tree(root, config, real, plan, strict, diag, err);
	rf_json_free(root);
	if (r == 0)
		real = NULL;   /* the plan's now */
	return r;
}

int rf_bundle_load_text(const char *text, size_t len, const char *dir, rf_plan *plan,
			bool strict, const rf_diag *diag, rf_error *err)
{
	cleanup_free char *real = NULL;
	rf_json *root;
	int r;

	if (canonical_dir("bundle", dir, &real, err) < 0)
		return -1;
	root = rf_json_parse(text, len, err);
	if (!root)
		return rf_error_prefix(err, "`config.json`");
	r = load_tree(root, "config.json", real, plan, strict, diag, err);
	rf_json_free(root);
	if (r == 0)
		real = NULL;
	return r;
}

int rf_rootfs_set(const char *dir, rf_plan *plan, rf_error *err)
{
	rf_isolation *iso = &plan->iso;
	size_t before = iso->n_mounts, added;
	cleanup_free char *real = NULL;
	cleanup_free rf_mount *moved = NULL;
	rf_json *root;
	int r;

	if (canonical_dir("--rootfs", dir, &real, err) < 0)
		return -1;
	if (plan->bundle) {
		free(iso->rootfs);
		iso->rootfs = steal_pointer(&real);
		return 0;
	}
	root = rf_json_parse(standard_mounts, sizeof(standard_mounts) - 1, err);
	if (!root)
		return rf_error_prefix(err, "the standard mounts");
	r = pf_load(root, "--rootfs", real, true, plan, true, NULL, err);
	rf_json_free(root);
	if (r < 0)
		return rf_error_prefix(err, "--rootfs: the standard mounts");
	/* They go first: a mount given earlier (a profile's /tmp) goes over them. */
	added = iso->n_mounts - before;
	moved = malloc((added ? added : 1) * sizeof(*moved));
	if (!moved)
		return rf_error_set(err, ENOMEM, "--rootfs");
	memcpy(moved, iso->mounts + before, added * sizeof(*moved));
	memmove(iso->mounts + added, iso->mounts, before * sizeof(*moved));
	memcpy(iso->mounts, moved, added * sizeof(*moved));
	free(iso->rootfs);
	iso->rootfs = steal_pointer(&real);
	return 0;
}

/* ================================================================ finalising */

/* Is the current root the initramfs's rootfs, where pivot_root(2) fails? */
static bool root_is_initramfs(void)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *line = NULL;
	size_t len = 0;
	bool found = false;

	while (f && getline(&line, &len, f) > 0) {
		rf_mountinfo mi;

		if (rf_parse_mountinfo(line, &mi) == 0 && !strcmp(mi.mount_point, "/"))
			found = !strcmp(mi.fstype, "rootfs");   /* the last mount on / counts */
	}
	return found;
}

/* runc and crun set HOME, when the bundle's environment has none, from the
 * container's /etc/passwd (read inside the root: a symlink there cannot make
 * us read the host's), else `/`. */
static int default_home(rf_plan *plan, rf_error *err)
{
	rf_process *p = &plan->proc;
	cleanup_close int root = -1, fd = -1;
	rf_passwd_user pw = { 0 };
	char file[64], *kv;
	uid_t uid = p->user_set ? p->uid : plan->iso.map_root ? 0 : geteuid();
	rf_error ignored;
	rf_envop *grown;

	for (size_t i = 0; i < p->n_env; i++)
		if (!strcmp(p->env[i].key, "HOME"))
			return 0;
	root = open(plan->iso.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return rf_error_set(err, errno, "open the root `%s`", plan->iso.rootfs);
	fd = rf_path_read_in_root(root, RF_PASSWD_FILE);
	snprintf(file, sizeof(file), "/proc/self/fd/%d", fd);
	if (fd < 0 || rf_passwd_user_by_uid(file, uid, &pw, &ignored) <= 0 || !pw.home[0])
		snprintf(pw.home, sizeof(pw.home), "/");
	grown = realloc(p->env, (p->n_env + 1) * sizeof(*grown));
	if (!grown)
		return rf_error_set(err, ENOMEM, "set HOME");
	p->env = grown;
	kv = strdup("HOME");
	grown[p->n_env].value = strdup(pw.home);
	if (!kv || !grown[p->n_env].value) {
		free(kv);
		free(grown[p->n_env].value);
		return rf_error_set(err, ENOMEM, "set HOME");
	}
	grown[p->n_env++].key = kv;
	return 0;
}

static bool has_ns(const rf_isolation *iso, int flag)
{
	return ((iso->ns_flags | rf_ns_joined_flags(iso)) & flag) != 0;
}

/* As runc validates them: a sysctl is written only where it stays inside a
 * namespace of the payload's own; the rest are the host's. */
static int check_sysctl(const rf_isolation *iso, rf_error *err)
{
	static const char *const ipc[] = {
		"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
		"kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
	};

	for (size_t i = 0; i < iso->n_sysctl; i++) {
		char name[256];
		int need = 0;

		/* checked whole or refused: a name cut short would be judged
		 * for another file than the one written */
		if (snprintf(name, sizeof(name), "%s", iso->sysctl[i].key) >= (int)sizeof(name))
			return rf_error_set(err, 0, "linux.sysctl[\"%.64s...\"]: longer than %zu bytes",
					    iso->sysctl[i].key, sizeof(name) - 1);
		for (char *c = name; *c; c++)
			if (*c == '/')
				*c = '.';
		for (size_t j = 0; j < RF_ARRAY_SIZE(ipc); j++)
			if (!strcmp(name, ipc[j]))
				need = CLONE_NEWIPC;
		if (!strncmp(name, "fs.mqueue.", 10))
			need = CLONE_NEWIPC;
		else if (!strncmp(name, "net.", 4))
			need = CLONE_NEWNET;
		else if (!strcmp(name, "kernel.hostname") || !strcmp(name, "kernel.domainname"))
			need = CLONE_NEWUTS;
		if (!need)
			return rf_error_set(err, 0, "linux.sysctl[\"%s\"]: not a namespaced sysctl; "
					    "writing it would change the host (allowed: kernel.msg*, "
					    "kernel.sem, kernel.shm*, fs.mqueue.* with ipc, net.* with "
					    "network, kernel.hostname and kernel.domainname with uts)",
					    iso->sysctl[i].key);
		if (!has_ns(iso, need))
			return rf_error_set(err, 0, "linux.sysctl[\"%s\"]: needs a %s namespace of "
					    "the container's own", iso->sysctl[i].key,
					    need == CLONE_NEWIPC ? "ipc" : need == CLONE_NEWNET ?
					    "network" : "uts");
	}
	return 0;
}

/* The kernel raises an ambient capability only when it is permitted and
 * inheritable too; runc and crun skip the others. `crun spec` writes
 * ambient capabilities without inheritable ones, so a root payload (which
 * does not need them: exec gives root its bounding set) hears of it only in
 * a debug note. */
static void check_ambient(rf_process *p, const rf_diag *diag)
{
	uint64_t ok = p->cap_sets[RF_CAPSET_PERMITTED] & p->cap_sets[RF_CAPSET_INHERITABLE];
	uint64_t bad = p->cap_sets[RF_CAPSET_AMBIENT] & ~ok;
	bool root = p->user_set ? p->uid == 0 : geteuid() == 0;

	if (!bad)
		return;
	rf_diag_emit(diag, root ? RF_LOG_DEBUG : RF_LOG_WARNING,
		     "process.capabilities.ambient: %s%s not also permitted and inheritable, "
		     "so the kernel cannot raise it; left out, as runc and crun do",
		     rf_cap_name(__builtin_ctzll(bad)), (bad & (bad - 1)) ? " (and more) is" : " is");
	p->cap_sets[RF_CAPSET_AMBIENT] &= ok;
}

int rf_container_finalize(rf_plan *plan, const rf_diag *diag, rf_error *err)
{
	rf_isolation *iso = &plan->iso;

	if (plan->proc.oci_caps)
		check_ambient(&plan->proc, diag);

	if (check_sysctl(iso, err) < 0)
		return -1;
	if (!iso->rootfs) {
		if (iso->n_devices)
			return rf_error_set(err, 0, "linux.devices: device nodes need a container "
					    "root (root.path, --rootfs); the host's /dev is used");
		if (iso->root_propagation)
			return rf_error_set(err, 0, "linux.rootfsPropagation needs a container root "
					    "(root.path, --rootfs); the host's mounts are made private");
		/* A profile's rules filter the host's /dev: the defaults stay open. */
		return plan->limits.dev_rules_set ? rf_devices_plan(plan, err) : 0;
	}
	if (rf_devices_plan(plan, err) < 0)
		return -1;
	for (size_t i = 0; i < iso->n_joins; i++)
		if (iso->joins[i].flag == CLONE_NEWNS)
			return rf_error_set(err, 0, "linux.namespaces: joining a mount namespace "
					    "leaves no room for a root of its own (root.path, --rootfs)");
	/* The root is placed in a mount namespace of its own, never the caller's. */
	iso->ns_flags |= CLONE_NEWNS;
	if (!iso->no_pivot && (root_is_initramfs() || getenv("RINGFENCE_NO_PIVOT"))) {
		iso->no_pivot = true;
		rf_debug(diag, "`/` is an initramfs (rootfs), where pivot_root(2) cannot work: the "
			 "container's root is moved over `/` and entered with chroot(2)");
	}
	if (plan->proc.clearenv && default_home(plan, err) < 0)
		return -1;
	return 0;
}
