/* The rules a setuid-root ringfence holds a plan to (policy.h), each with its
 * reason. rf_policy_apply() runs on the plan twice: before rf_plan_finalize()
 * (the forced identity and the admin's defaults feed its seccomp and swap
 * planning) and after it (the namespaces it implies); every rule gives the
 * same answer the second time. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringfence/cgroup.h"
#include "ringfence/cleanup.h"
#include "ringfence/isolation.h"
#include "ringfence/policy.h"
#include "ringfence/verdict.h"

static int refuse(const rf_policy *pol, rf_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* EPERM, and where the bound comes from. */
static int refuse(const rf_policy *pol, rf_error *err, const char *fmt, ...)
{
	char msg[RF_ERROR_MSG_MAX - 128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rf_error_set(err, EPERM, "%s (setuid-root ringfence; admin policy `%s`)", msg,
			    pol->path);
}

int rf_policy_admit(const rf_policy *pol, const rf_caller *who, rf_error *err)
{
	if (!pol->users_set && !pol->groups_set)
		return 0;
	for (size_t i = 0; i < pol->n_users; i++)
		if (pol->users[i] == who->uid)
			return 0;
	for (size_t i = 0; i < pol->n_groups; i++) {
		if (pol->groups[i] == who->gid)
			return 0;
		for (size_t j = 0; j < who->n_groups; j++)
			if (pol->groups[i] == who->groups[j])
				return 0;
	}
	return refuse(pol, err, "uid %u is not among the users and groups allowed to run it",
		      (unsigned)who->uid);
}

/* ---- limits: the admin's bound is the most, and the default ------------ */

static int bound_size(const rf_policy *pol, const char *flag, rf_opt_u64 *want,
		      const rf_opt_u64 *bound, rf_error *err)
{
	char have[32], most[32];

	if (!bound->set)
		return 0;
	if (!want->set) {
		*want = *bound;
		return 0;
	}
	if (want->v <= bound->v)
		return 0;
	rf_format_size(bound->v, most, sizeof(most));
	if (want->v == RF_MAX)
		snprintf(have, sizeof(have), "max");
	else
		rf_format_size(want->v, have, sizeof(have));
	return refuse(pol, err, "%s %s: the admin allows at most %s", flag, have, most);
}

static int bound_count(const rf_policy *pol, const char *flag, rf_opt_u64 *want,
		       const rf_opt_u64 *bound, rf_error *err)
{
	if (!bound->set)
		return 0;
	if (!want->set) {
		*want = *bound;
		return 0;
	}
	if (want->v <= bound->v)
		return 0;
	if (want->v == RF_MAX)
		return refuse(pol, err, "%s max: the admin allows at most %llu", flag,
			      (unsigned long long)bound->v);
	return refuse(pol, err, "%s %llu: the admin allows at most %llu", flag,
		      (unsigned long long)want->v, (unsigned long long)bound->v);
}

/* cpu.max as thousandths of a CPU, whatever the period. */
static int bound_cpus(const rf_policy *pol, rf_limits *lim, rf_error *err)
{
	uint64_t want;

	if (!pol->cpus_millis.set)
		return 0;
	if (!lim->cpu_quota_us.set) {
		lim->cpu_quota_us = (rf_opt_u64){ .set = true,
			.v = pol->cpus_millis.v * lim->cpu_period_us / 1000 };
		return 0;
	}
	want = lim->cpu_quota_us.v == RF_MAX ? RF_MAX :
	       lim->cpu_quota_us.v * 1000 / lim->cpu_period_us;
	if (want <= pol->cpus_millis.v)
		return 0;
	return refuse(pol, err, "--cpus: the admin allows at most %llu.%03llu CPUs",
		      (unsigned long long)(pol->cpus_millis.v / 1000),
		      (unsigned long long)(pol->cpus_millis.v % 1000));
}

static int apply_limits(const rf_policy *pol, rf_plan *plan, rf_error *err)
{
	rf_limits *lim = &plan->limits;
	bool memory_defaulted = pol->memory.set && !lim->memory_max.set;

	/* Raw cgroup files could undo every bound below (memory.max verbatim);
	 * memory.oom.group only says how the sandbox dies (profiles set it). */
	for (size_t i = 0; i < lim->n_unified; i++)
		if (strcmp(lim->unified[i].key, "memory.oom.group"))
			return refuse(pol, err, "linux.resources.unified (`%s`) is not offered to "
				      "setuid users", lim->unified[i].key);
	if (bound_size(pol, "--memory", &lim->memory_max, &pol->memory, err) < 0 ||
	    bound_size(pol, "--swap", &lim->swap_max, &pol->swap, err) < 0 ||
	    bound_count(pol, "--pids", &lim->pids_max, &pol->pids, err) < 0 ||
	    bound_cpus(pol, lim, err) < 0)
		return -1;
	/* As rf_plan_finalize does for --memory: no swap beyond the limit. */
	if (memory_defaulted && !lim->swap_max.set)
		lim->swap_max = (rf_opt_u64){ .set = true, .v = 0 };
	if (pol->timeout_ms.set) {
		uint64_t *t = &plan->sup.timeout_ms;

		if (!*t)
			*t = pol->timeout_ms.v;
		else if (*t > pol->timeout_ms.v)
			return refuse(pol, err, "--timeout: the admin allows at most %llu ms",
				      (unsigned long long)pol->timeout_ms.v);
	}
	/* An OOM in the sandbox would panic the whole host. */
	if (plan->sup.allow_panic_on_oom)
		return refuse(pol, err, "--allow-panic-on-oom is the admin's to give");
	return 0;
}

/* ---- the process: the caller's own identity, and nothing to raise ------- */

static bool in_groups(const rf_caller *who, gid_t g)
{
	if (g == who->gid)
		return true;
	for (size_t i = 0; i < who->n_groups; i++)
		if (who->groups[i] == g)
			return true;
	return false;
}

static int apply_identity(const rf_policy *pol, const rf_caller *who, rf_process *p,
			  rf_error *err)
{
	gid_t *groups;

	/* The command never holds more than the user who asked for it. */
	if (p->user_set && (p->uid != who->uid || p->gid != who->gid))
		return refuse(pol, err, "--user %u:%u: the command runs as you (%u:%u)",
			      (unsigned)p->uid, (unsigned)p->gid, (unsigned)who->uid,
			      (unsigned)who->gid);
	for (size_t i = 0; p->groups_set && i < p->n_groups; i++)
		if (!in_groups(who, p->groups[i]))
			return refuse(pol, err, "--groups: %u is not one of your groups",
				      (unsigned)p->groups[i]);
	/* Capabilities are root's: the command is an ordinary process of yours. */
	if (p->cap_add)
		return refuse(pol, err, "--cap-add: the command keeps no capability");
	if (p->user_set && p->groups_set)
		return 0;   /* applied before */
	groups = calloc(who->n_groups ? who->n_groups : 1, sizeof(*groups));
	if (!groups)
		return rf_error_set(err, ENOMEM, "the caller's groups");
	memcpy(groups, who->groups, who->n_groups * sizeof(*groups));
	free(p->groups);
	p->groups = groups;
	p->n_groups = who->n_groups;
	p->groups_set = p->user_set = true;
	p->uid = who->uid;
	p->gid = who->gid;
	return 0;
}

static int apply_rlimits(const rf_policy *pol, const rf_caller *who, rf_process *p,
			 rf_error *err)
{
	/* Raising a hard limit takes CAP_SYS_RESOURCE, which the user lacks; the
	 * child sets them while it is still root. */
	for (int r = 0; r < RLIM_NLIMITS; r++) {
		uint64_t have = who->rlimits[r].rlim_max == RLIM_INFINITY ? RF_MAX :
				(uint64_t)who->rlimits[r].rlim_max;

		if (p->rlimits[r].set && p->rlimits[r].hard > have)
			return refuse(pol, err, "--rlimit (resource %d): above your hard limit", r);
	}
	/* Lowering it (a process the OOM killer spares) takes CAP_SYS_RESOURCE. */
	if (p->oom_score_adj.set && p->oom_score_adj.v < who->oom_score_adj)
		return refuse(pol, err, "--oom-score-adj %lld: below your own %ld",
			      (long long)p->oom_score_adj.v, who->oom_score_adj);
	return 0;
}

/* Process settings a profile can carry that are not offered, refused by
 * name (only_known_fields refuses any other without one). The command can
 * set each itself, within what the user may, with the tool named. */
static int apply_process_keys(const rf_policy *pol, const rf_process *p, rf_error *err)
{
	/* The real-time class outranks everyone's disk I/O. */
	if (p->ioprio.set)
		return refuse(pol, err, "process.ioPriority is not offered to setuid users "
			      "(ionice(1) in the command sets what you may)");
	/* A real-time or deadline policy, or a negative nice, takes CPU from everyone. */
	if (p->sched.set)
		return refuse(pol, err, "process.scheduler is not offered to setuid users "
			      "(chrt(1) and nice(1) in the command set what you may)");
	/* A profile is entered with root's rights: changing one is the admin's. */
	if (p->apparmor_profile)
		return refuse(pol, err, "process.apparmorProfile is not offered to setuid users "
			      "(aa-exec(1) in the command enters one you may)");
	/* Set by root before the exec, it would not be cleared as for a setuid program. */
	if (p->persona.set)
		return refuse(pol, err, "linux.personality is not offered to setuid users "
			      "(setarch(8) in the command sets it)");
	return 0;
}

/* ---- isolation: namespaces the admin offers; no path the user names ---- */

static int apply_isolation(const rf_policy *pol, const rf_plan *plan, rf_error *err)
{
	const rf_isolation *iso = &plan->iso;
	char names[128], offered[128];
	/* The namespaces containment adds are ringfence's, not the user's ask. */
	int extra = iso->ns_flags & ~(pol->unshare | (iso->contain_flags & ~CLONE_NEWUSER));

	/* A bind or tmpfs would be placed with root's rights: a path the user
	 * could not reach, or one over what a program trusts (/etc/passwd). */
	if (iso->n_mounts)
		return refuse(pol, err, "--bind, --ro-bind and --tmpfs (`%s`) are not offered to "
			      "setuid users", iso->mounts[0].dst);
	/* Made by root, a user namespace would be root's. */
	if (extra & CLONE_NEWUSER || iso->map_root)
		return refuse(pol, err, "a user namespace is not offered to setuid users (make "
			      "one without ringfence's root: run ringfence without the setuid bit)");
	if (extra)
		return refuse(pol, err, "--unshare %s: the admin offers %s",
			      rf_ns_format(extra, names, sizeof(names)),
			      pol->unshare ? rf_ns_format(pol->unshare, offered, sizeof(offered)) : "none");
	return 0;
}

/* Every field of the isolation and process parts that no rule above covers
 * must be as a fresh plan has it: a field added to the plan later is refused
 * to setuid users until someone decides it is safe (rf_plan_init zeroes the
 * plan, padding too, and fields are only ever assigned, so memcmp works). */
static int only_known_fields(const rf_policy *pol, const rf_plan *plan, rf_error *err)
{
	rf_plan fresh;
	rf_isolation iso;
	rf_process proc;

	rf_plan_init(&fresh);
	iso = fresh.iso;
	iso.ns_flags = plan->iso.ns_flags;
	iso.ro_root = plan->iso.ro_root;
	iso.hostname = plan->iso.hostname;
	/* Containment's own namespaces and mounts (src/contain.c), and its
	 * opt-out: the payload holds no privilege to write cgroupfs either way. */
	iso.host_cgroupfs = plan->iso.host_cgroupfs;
	iso.contain_flags = plan->iso.contain_flags;
	if (memcmp(&iso, &plan->iso, sizeof(iso)))
		return refuse(pol, err, "the plan asks for an isolation setting that is not "
			      "offered to setuid users");
	/* The process runs as the user: what it may set is the user's anyway,
	 * or checked above (identity, capabilities, rlimits, oom_score_adj). */
	proc = fresh.proc;
	proc.argv = plan->proc.argv;
	proc.cwd = plan->proc.cwd;
	proc.clearenv = plan->proc.clearenv;
	proc.env = plan->proc.env;
	proc.n_env = plan->proc.n_env;
	proc.user_set = plan->proc.user_set;
	proc.uid = plan->proc.uid;
	proc.gid = plan->proc.gid;
	proc.groups_set = plan->proc.groups_set;
	proc.groups = plan->proc.groups;
	proc.n_groups = plan->proc.n_groups;
	proc.oom_score_adj = plan->proc.oom_score_adj;
	memcpy(proc.rlimits, plan->proc.rlimits, sizeof(proc.rlimits));
	proc.mempolicy = plan->proc.mempolicy;
	proc.cap_add = plan->proc.cap_add;
	proc.cap_drop = plan->proc.cap_drop;
	proc.caps_set = plan->proc.caps_set;
	proc.caps = plan->proc.caps;
	proc.seccomp_mode = plan->proc.seccomp_mode;
	proc.seccomp_path = plan->proc.seccomp_path;
	proc.seccomp_json = plan->proc.seccomp_json;
	proc.seccomp = plan->proc.seccomp;
	proc.preserve_fds = plan->proc.preserve_fds;
	proc.tty = plan->proc.tty;
	if (memcmp(&proc, &plan->proc, sizeof(proc)))
		return refuse(pol, err, "the plan asks for a process setting that is not "
			      "offered to setuid users");
	return 0;
}

static int apply_parent(const rf_policy *pol, const rf_caller *who, const rf_plan *plan,
			rf_error *err)
{
	const char *p = plan->cgroup_parent;
	size_t mlen = strlen(who->cgroup_mount), clen = strlen(who->cgroup);
	char rel[4096];

	/* root's systemd would put a scope where root asks: outside your limits. */
	if (plan->slice || plan->scope || plan->cgroup_manager == RF_CGROUP_MANAGER_SYSTEMD)
		return refuse(pol, err, "a systemd scope (--slice, --scope, --cgroup-manager=systemd) "
			      "is not offered to setuid users");
	if (!p)
		return 0;
	if (!strncmp(p, who->cgroup_mount, mlen) && p[mlen] == '/')
		p += mlen;
	while (*p == '/')
		p++;
	snprintf(rel, sizeof(rel), "/%s", p);
	if (strlen(rel) > 1 && rel[strlen(rel) - 1] == '/')
		rel[strlen(rel) - 1] = '\0';
	if (strstr(rel, "..") || strstr(rel, "//"))
		return refuse(pol, err, "--cgroup-parent `%s`: not a plain path", plan->cgroup_parent);
	/* Inside your own cgroup: every limit you are under binds the leaf. */
	if (!strncmp(rel, who->cgroup, clen) && (rel[clen] == '/' || rel[clen] == '\0') &&
	    strcmp(who->cgroup, "/"))
		return 0;
	for (size_t i = 0; i < pol->n_cgroup_parents; i++)
		if (!strcmp(rel, pol->cgroup_parents[i]))
			return 0;
	/* Anywhere else the sandbox would leave your limits, or charge someone else's. */
	return refuse(pol, err, "--cgroup-parent `%s` is outside your own cgroup `%s`",
		      plan->cgroup_parent, who->cgroup);
}

int rf_policy_apply(const rf_policy *pol, const rf_caller *who, rf_plan *plan, rf_error *err)
{
	if (apply_identity(pol, who, &plan->proc, err) < 0 ||
	    apply_rlimits(pol, who, &plan->proc, err) < 0 ||
	    apply_limits(pol, plan, err) < 0 ||
	    apply_isolation(pol, plan, err) < 0 ||
	    apply_process_keys(pol, &plan->proc, err) < 0 ||
	    only_known_fields(pol, plan, err) < 0 ||
	    apply_parent(pol, who, plan, err) < 0)
		return -1;
	return 0;
}

/* ---- after placement ----------------------------------------------------- */

/* Does this cgroup set a limit of its own (anything but "max")? */
static bool sets_limits(const char *mount, const char *rel)
{
	static const char *const files[] = { "memory.max", "memory.high", "memory.swap.max",
					     "pids.max", "cpu.max" };
	char path[8192], buf[64];

	for (size_t i = 0; i < RF_ARRAY_SIZE(files); i++) {
		cleanup_close int fd = -1;
		ssize_t n;

		snprintf(path, sizeof(path), "%s%s/%s", mount, rel, files[i]);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (strncmp(buf, "max", 3))
			return true;
	}
	return false;
}

int rf_policy_check_parent(const rf_policy *pol, const rf_caller *who, const char *parent_rel,
			   rf_error *err)
{
	size_t clen = strlen(who->cgroup);
	const char *slash = strrchr(who->cgroup, '/');
	size_t dlen = slash ? (size_t)(slash - who->cgroup) : 0;

	for (size_t i = 0; i < pol->n_cgroup_parents; i++)
		if (!strcmp(parent_rel, pol->cgroup_parents[i]))
			return 0;
	if (strcmp(who->cgroup, "/") && !strncmp(parent_rel, who->cgroup, clen) &&
	    (parent_rel[clen] == '/' || parent_rel[clen] == '\0'))
		return 0;
	/* Beside the caller (Slurm's step_N/user next to task_N): the ancestors'
	 * limits bind the leaf, the caller's own would not. */
	if (dlen && strlen(parent_rel) == dlen && !strncmp(parent_rel, who->cgroup, dlen)) {
		if (!sets_limits(who->cgroup_mount, who->cgroup))
			return 0;
		return refuse(pol, err, "a leaf in `%s` would escape the limits of your cgroup `%s`",
			      parent_rel, who->cgroup);
	}
	return refuse(pol, err, "the leaf's parent `%s` is outside your cgroup `%s`: it would "
		      "leave the limits you are under", parent_rel, who->cgroup);
}
