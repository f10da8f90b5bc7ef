/* Plan lifetime and cross-field finalisation (parse, then plan, then act). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <unistd.h>

#include "ringfence/bundle.h"
#include "ringfence/caps.h"
#include "ringfence/cleanup.h"
#include "ringfence/contain.h"
#include "ringfence/host.h"
#include "ringfence/isolation.h"
#include "ringfence/json.h"
#include "ringfence/numa.h"
#include "ringfence/plan.h"
#include "ringfence/rlimit.h"
#include "ringfence/seccomp.h"

void rf_plan_init(rf_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->limits.cpu_period_us = 100000;
	plan->limits.oom_group = true;
	plan->sup.kill_after_ms = 2000;
	plan->sup.report_fd = -1;
	plan->proc.no_new_privs = true;
}

static void free_kvs(rf_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void rf_plan_free(rf_plan *plan)
{
	rf_process *p = &plan->proc;

	free(plan->cgroup_parent);
	free(plan->cgroup_below);
	free(plan->slice);
	free(plan->unit);
	free(plan->name);
	free(plan->profile);
	free(plan->limits.cpuset_cpus);
	free(plan->limits.cpuset_mems);
	free_kvs(plan->limits.unified, plan->limits.n_unified);
	free(plan->limits.dev_rules);
	rf_strv_free(p->argv);
	free(p->cwd);
	for (size_t i = 0; i < p->n_env; i++) {
		free(p->env[i].key);
		free(p->env[i].value);
	}
	free(p->env);
	free(p->groups);
	free(p->seccomp_path);
	free(p->seccomp_json);
	rf_seccomp_free(p->seccomp);
	free(p->apparmor_profile);
	free(plan->bundle);
	free(plan->verdict_path);
	rf_hooks_free(&plan->hooks);
	rf_isolation_free(&plan->iso);
	free(plan->sup.report_path);
	memset(plan, 0, sizeof(*plan));
	plan->sup.report_fd = -1;
	plan->proc.no_new_privs = true;
}

void rf_isolation_free(rf_isolation *iso)
{
	for (size_t i = 0; i < iso->n_mounts; i++)
		rf_mount_clear(&iso->mounts[i]);
	free(iso->mounts);
	free(iso->hostname);
	free(iso->domainname);
	free(iso->rootfs);
	rf_strv_free(iso->masked_paths);
	rf_strv_free(iso->readonly_paths);
	for (size_t i = 0; i < iso->n_devices; i++)
		free(iso->devices[i].path);
	free(iso->devices);
	free_kvs(iso->sysctl, iso->n_sysctl);
	for (size_t i = 0; i < iso->n_joins; i++)
		free(iso->joins[i].path);
	free(iso->joins);
	free(iso->uid_maps);
	free(iso->gid_maps);
	memset(iso, 0, sizeof(*iso));
}

void rf_mount_clear(rf_mount *m)
{
	free(m->src);
	free(m->dst);
	free(m->fstype);
	free(m->data);
	memset(m, 0, sizeof(*m));
}

bool rf_idset_empty(const rf_idset *s)
{
	for (size_t i = 0; i < RF_ID_WORDS; i++)
		if (s->bits[i])
			return false;
	return true;
}

const char *rf_idset_format(const rf_idset *s, char *buf, size_t len)
{
	size_t used = 0;
	unsigned id = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	while (id < RF_MAX_IDS) {
		unsigned end;
		int n;

		if (!rf_idset_has(s, id)) {
			id++;
			continue;
		}
		for (end = id; end + 1 < RF_MAX_IDS && rf_idset_has(s, end + 1); end++)
			;
		if (end == id)
			n = snprintf(buf + used, len - used, "%s%u", used ? "," : "", id);
		else
			n = snprintf(buf + used, len - used, "%s%u-%u", used ? "," : "", id, end);
		if (n < 0 || (size_t)n >= len - used) {
			buf[used] = '\0';   /* never end on a cut-off entry */
			break;
		}
		used += (size_t)n;
		id = end + 1;
	}
	return buf;
}

/* What no namespace can change: switching users takes root outside one. A
 * user that is already the caller's (process.user of a `crun spec` run by
 * root's own uid, say) is no switch at all. */
static int plan_identity(rf_plan *plan, rf_error *err)
{
	rf_process *p = &plan->proc;

	if (!p->user_set || geteuid() == 0 || (plan->iso.ns_flags & CLONE_NEWUSER))
		return 0;
	if (p->uid == geteuid() && p->gid == getegid() && !p->n_groups) {
		p->user_set = false;
		return 0;
	}
	return rf_error_set(err, EPERM, "--user (or a profile's process.user) needs ringfence "
			    "to run as root");
}

/* Compiled now, with the capabilities the payload will hold: a docker-style
 * profile lifts a rule for a payload holding the capability it names. */
static int plan_seccomp(rf_plan *plan, const rf_diag *diag, rf_error *err)
{
	rf_process *p = &plan->proc;
	bool root = p->user_set ? p->uid == 0 : geteuid() == 0 || plan->iso.map_root;
	rf_seccomp_env env = { .caps = root ? rf_caps_effective_set(p) : 0 };
	const char *what;
	rf_json *spec;
	int r;

	rf_seccomp_free(p->seccomp);
	p->seccomp = NULL;
	switch (p->seccomp_mode) {
	case RF_SECCOMP_NONE:
		return 0;
	case RF_SECCOMP_INLINE:
		spec = rf_json_parse(p->seccomp_json, strlen(p->seccomp_json), err);
		if (!spec)
			return rf_error_prefix(err, "linux.seccomp");
		r = rf_seccomp_compile_env(spec, "linux.seccomp", &env, diag, &p->seccomp, err);
		rf_json_free(spec);
		return r;
	case RF_SECCOMP_DEFAULT:
	case RF_SECCOMP_FILE:
		break;
	}
	what = p->seccomp_mode == RF_SECCOMP_FILE ? p->seccomp_path : NULL;
	if (rf_seccomp_compile_file_env(what, &env, diag, &p->seccomp, err) < 0)
		return rf_error_prefix(err, "--seccomp `%s`", what ? what : "default");
	return 0;
}

/* The placement flags that exclude each other. */
static int plan_placement(const rf_plan *plan, rf_error *err)
{
	bool systemd = plan->slice || plan->scope;

	if (plan->cgroup_parent && (systemd || plan->cgroup_manager == RF_CGROUP_MANAGER_SYSTEMD))
		return rf_error_set(err, 0, "--cgroup-parent places the leaf with the cgroupfs "
				    "manager; it cannot go with --slice, --scope or "
				    "--cgroup-manager=systemd");
	if (systemd && plan->cgroup_manager == RF_CGROUP_MANAGER_CGROUPFS)
		return rf_error_set(err, 0, "--%s asks systemd for a scope; it cannot go with "
				    "--cgroup-manager=cgroupfs", plan->slice ? "slice" : "scope");
	return 0;
}

/* The cpuset's CPUs and nodes exist here, whichever of --cpuset-cpus, a
 * profile's or a bundle's linux.resources.cpu.cpus/mems set them: checked
 * now rather than by the kernel when the leaf's cpuset files are written. */
static int plan_cpuset(const rf_plan *plan, rf_error *err)
{
	if (rf_numa_ids_exist(plan->limits.cpuset_cpus, NULL, err) < 0)
		return rf_error_prefix(err, "cpuset.cpus (--cpuset-cpus, linux.resources.cpu.cpus)");
	if (rf_numa_ids_exist(NULL, plan->limits.cpuset_mems, err) < 0)
		return rf_error_prefix(err, "cpuset.mems (--numa-bind, linux.resources.cpu.mems)");
	return 0;
}

int rf_plan_finalize(rf_plan *plan, const rf_diag *diag, rf_error *err)
{
	rf_process *p = &plan->proc;
	rf_host host;

	if (!p->argv || !p->argv[0])
		return rf_error_set(err, 0, "missing COMMAND");
	/* root ignores RLIMIT_MEMLOCK while it holds CAP_IPC_LOCK: drop it so the
	 * limit binds the payload whoever it runs as. */
	if (p->rlimits[RLIMIT_MEMLOCK].set)
		p->cap_drop |= 1ULL << CAP_IPC_LOCK;
	if (plan_placement(plan, err) < 0 || plan_cpuset(plan, err) < 0 ||
	    rf_container_finalize(plan, diag, err) < 0 ||
	    rf_isolation_finalize(plan, diag, err) < 0)
		return -1;
	rf_contain_plan(&plan->iso, diag);
	if (plan_identity(plan, err) < 0 ||
	    rf_rlimit_plan(p, diag, err) < 0 ||
	    plan_seccomp(plan, diag, err) < 0)
		return -1;
	if (rf_host_read_guard(plan, &host, err) < 0)
		return -1;
	return rf_host_guard(plan, &host, diag, err);
}
