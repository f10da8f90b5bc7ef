/* A plan's effective settings as profile JSON (what `ringfence profile show`
 * prints): the same format the reader takes, so the output can be saved,
 * edited and loaded again, and loading it gives the same settings.
 *
 * Values go where OCI can say them exactly; what it cannot (a memory.swap.max
 * without a memory limit, memory.max "max" without swap "max", a zero OCI
 * would read as "not set") goes into linux.resources.unified instead. Only
 * what a profile can set is shown: the report destination and preserved fds
 * are per-run flags; the leaf's name and parent show as linux.cgroupsPath. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <linux/ioprio.h>

#include "ringfence/caps.h"
#include "ringfence/cleanup.h"
#include "ringfence/parse.h"
#include "ringfence/profile.h"
#include "ringfence/rlimit.h"
#include "profile-internal.h"

#define DUMP_OCI_VERSION "1.3.0"
#define DEFAULT_PERIOD_US 100000
#define MAX_EXTRA 4

/* ================================================================ a tree back to text */

static void emit_tree(rf_json_writer *w, const rf_json *v)
{
	bool b = false;
	int64_t i;
	uint64_t u;
	double d;

	switch (rf_json_typeof(v)) {
	case RF_JSON_NULL:
		rf_json_null(w);
		break;
	case RF_JSON_BOOL:
		rf_json_bool_val(v, &b);
		rf_json_bool(w, b);
		break;
	case RF_JSON_NUMBER:
		if (rf_json_i64(v, &i) == 0)
			rf_json_int(w, i);
		else if (rf_json_u64(v, &u) == 0)
			rf_json_uint(w, u);
		else if (rf_json_double_val(v, &d) == 0)
			rf_json_double(w, d);
		else
			rf_json_null(w);
		break;
	case RF_JSON_STRING:
		rf_json_string(w, rf_json_str(v));
		break;
	case RF_JSON_OBJECT:
		rf_json_begin_object(w);
		for (size_t k = 0; k < rf_json_object_len(v); k++) {
			rf_json_key(w, rf_json_object_key(v, k));
			emit_tree(w, rf_json_object_value(v, k));
		}
		rf_json_end_object(w);
		break;
	case RF_JSON_ARRAY:
		rf_json_begin_array(w);
		for (size_t k = 0; k < rf_json_array_len(v); k++)
			emit_tree(w, rf_json_array_at(v, k));
		rf_json_end_array(w);
		break;
	}
}

int pf_json_text(const rf_json *v, char **out, size_t *len, rf_error *err)
{
	rf_json_writer *w = rf_json_writer_new(false);
	int r;

	if (!w)
		return rf_error_set(err, ENOMEM, "serialise json");
	emit_tree(w, v);
	r = rf_json_writer_finish(w, out, len, err);
	rf_json_writer_free(w);
	return r;
}

/* ================================================================ value forms */

/* The largest unit that is exact: "64M", "1536K", "4097". */
static const char *size_text(uint64_t v, char *buf, size_t len)
{
	return rf_size_text(v, "max", buf, len);
}

static const char *duration_text(uint64_t ms, char *buf, size_t len)
{
	if (ms && ms % 3600000 == 0)
		snprintf(buf, len, "%" PRIu64 "h", ms / 3600000);
	else if (ms && ms % 60000 == 0)
		snprintf(buf, len, "%" PRIu64 "m", ms / 60000);
	else if (ms && ms % 1000 == 0)
		snprintf(buf, len, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	return buf;
}

/* A cgroup file value: "max" or bytes/count in decimal. */
static const char *cg_text(uint64_t v, char *buf, size_t len)
{
	if (v == RF_MAX)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

/* OCI's signed form of a limit: -1 for max. */
static int64_t oci_value(uint64_t v)
{
	return v == RF_MAX ? -1 : (int64_t)v;
}

/* Does v have an OCI form? OCI limits are signed: a larger value (which a
 * unified file may give) goes back out through `unified`, as text. */
static bool oci_fits(uint64_t v)
{
	return v == RF_MAX || v <= (uint64_t)INT64_MAX;
}

void pf_kv_string(rf_json_writer *w, const char *key, const char *value)
{
	rf_json_key(w, key);
	rf_json_string(w, value);
}

/* ================================================================ process */

/* Environment ops collapse to the last op per variable. */
static bool env_superseded(const rf_process *p, size_t i)
{
	for (size_t j = i + 1; j < p->n_env; j++)
		if (!strcmp(p->env[i].key, p->env[j].key))
			return true;
	return false;
}

static int dump_env(rf_json_writer *w, const rf_process *p, rf_error *err)
{
	bool any = false;

	for (size_t i = 0; i < p->n_env; i++) {
		cleanup_free char *kv = NULL;

		if (!p->env[i].value || env_superseded(p, i))
			continue;
		if (!any) {
			rf_json_key(w, "env");
			rf_json_begin_array(w);
			any = true;
		}
		if (asprintf(&kv, "%s=%s", p->env[i].key, p->env[i].value) < 0)
			return rf_error_set(err, ENOMEM, "process.env");
		rf_json_string(w, kv);
	}
	if (any)
		rf_json_end_array(w);
	return 0;
}

static void dump_caps(rf_json_writer *w, const rf_process *p)
{
	static const char *const sets[] = { "bounding", "effective", "permitted" };
	uint64_t caps;

	if (p->oci_caps) {
		pf_dump_cap_sets(w, p);
		return;
	}
	if (!p->caps_set && !p->cap_add && !p->cap_drop)
		return;
	caps = rf_caps_effective_set(p);
	rf_json_key(w, "capabilities");
	rf_json_begin_object(w);
	for (size_t s = 0; s < RF_ARRAY_SIZE(sets); s++)
		pf_dump_cap_list(w, sets[s], caps);
	rf_json_end_object(w);
}

static int dump_rlimits(rf_json_writer *w, const rf_process *p, rf_error *err)
{
	bool any = false;

	for (int r = 0; r < RLIM_NLIMITS; r++) {
		const char *name = rf_rlimit_name(r);
		char upper[32];
		size_t i;

		if (!p->rlimits[r].set)
			continue;
		if (!name)
			return rf_error_set(err, 0, "resource limit %d has no name", r);
		for (i = 0; name[i] && i < sizeof(upper) - 1; i++)
			upper[i] = (char)toupper((unsigned char)name[i]);
		upper[i] = '\0';
		if (!any) {
			rf_json_key(w, "rlimits");
			rf_json_begin_array(w);
			any = true;
		}
		rf_json_begin_object(w);
		rf_json_key(w, "type");
		{
			char type[48];

			snprintf(type, sizeof(type), "RLIMIT_%s", upper);
			rf_json_string(w, type);
		}
		rf_json_key(w, "soft");
		rf_json_uint(w, p->rlimits[r].soft);
		rf_json_key(w, "hard");
		rf_json_uint(w, p->rlimits[r].hard);
		rf_json_end_object(w);
	}
	if (any)
		rf_json_end_array(w);
	return 0;
}

static const char *name_of(const pf_name *tab, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].value == value)
			return tab[i].name;
	return NULL;
}

static void dump_sched(rf_json_writer *w, const rf_sched *s)
{
	const struct { const char *key; uint64_t v; } ns[] = {
		{ "runtime", s->runtime }, { "deadline", s->deadline }, { "period", s->period },
	};

	rf_json_key(w, "scheduler");
	rf_json_begin_object(w);
	pf_kv_string(w, "policy", name_of(pf_sched_policies, pf_n_sched_policies, (int)s->policy));
	if (s->nice) {
		rf_json_key(w, "nice");
		rf_json_int(w, s->nice);
	}
	if (s->priority) {
		rf_json_key(w, "priority");
		rf_json_uint(w, s->priority);
	}
	if (s->flags) {
		rf_json_key(w, "flags");
		rf_json_begin_array(w);
		for (size_t i = 0; i < pf_n_sched_flags; i++)
			if (s->flags & (uint64_t)pf_sched_flags[i].value)
				rf_json_string(w, pf_sched_flags[i].name);
		rf_json_end_array(w);
	}
	for (size_t i = 0; i < RF_ARRAY_SIZE(ns); i++)
		if (ns[i].v) {
			rf_json_key(w, ns[i].key);
			rf_json_uint(w, ns[i].v);
		}
	rf_json_end_object(w);
}

static void dump_affinity(rf_json_writer *w, const rf_affinity *a)
{
	char list[4096];

	if (!a->initial_set && !a->final_set)
		return;
	rf_json_key(w, "execCPUAffinity");
	rf_json_begin_object(w);
	if (a->initial_set)
		pf_kv_string(w, "initial", rf_idset_format(&a->initial, list, sizeof(list)));
	if (a->final_set)
		pf_kv_string(w, "final", rf_idset_format(&a->final, list, sizeof(list)));
	rf_json_end_object(w);
}

static int dump_process(rf_json_writer *w, const rf_plan *plan, rf_error *err)
{
	const rf_process *p = &plan->proc;

	rf_json_key(w, "process");
	rf_json_begin_object(w);
	if (plan->bundle) {
		/* a bundle's terminal is its own; a profile's is the caller's */
		rf_json_key(w, "terminal");
		rf_json_bool(w, p->tty);
	}
	if (p->console_rows || p->console_cols) {
		rf_json_key(w, "consoleSize");
		rf_json_begin_object(w);
		rf_json_key(w, "height");
		rf_json_uint(w, p->console_rows);
		rf_json_key(w, "width");
		rf_json_uint(w, p->console_cols);
		rf_json_end_object(w);
	}
	if (p->argv) {
		rf_json_key(w, "args");
		rf_json_begin_array(w);
		for (char **a = p->argv; *a; a++)
			rf_json_string(w, *a);
		rf_json_end_array(w);
	}
	if (dump_env(w, p, err) < 0)
		return -1;
	if (p->cwd)
		pf_kv_string(w, "cwd", p->cwd);
	if (p->user_set || p->groups_set || p->umask.set) {
		rf_json_key(w, "user");
		rf_json_begin_object(w);
		if (p->user_set) {
			rf_json_key(w, "uid");
			rf_json_uint(w, p->uid);
			rf_json_key(w, "gid");
			rf_json_uint(w, p->gid);
		}
		if (p->groups_set) {
			rf_json_key(w, "additionalGids");
			rf_json_begin_array(w);
			for (size_t i = 0; i < p->n_groups; i++)
				rf_json_uint(w, p->groups[i]);
			rf_json_end_array(w);
		}
		if (p->umask.set) {
			rf_json_key(w, "umask");
			rf_json_uint(w, p->umask.v);
		}
		rf_json_end_object(w);
	}
	dump_caps(w, p);
	if (dump_rlimits(w, p, err) < 0)
		return -1;
	if (p->oom_score_adj.set) {
		rf_json_key(w, "oomScoreAdj");
		rf_json_int(w, p->oom_score_adj.v);
	}
	if (p->ioprio.set) {
		rf_json_key(w, "ioPriority");
		rf_json_begin_object(w);
		pf_kv_string(w, "class", name_of(pf_io_classes, pf_n_io_classes,
						 (int)IOPRIO_PRIO_CLASS(p->ioprio.v)));
		rf_json_key(w, "priority");
		rf_json_uint(w, IOPRIO_PRIO_DATA(p->ioprio.v));
		rf_json_end_object(w);
	}
	if (p->sched.set)
		dump_sched(w, &p->sched);
	dump_affinity(w, &p->exec_affinity);
	if (p->apparmor_profile) {
		rf_json_key(w, "apparmorProfile");
		rf_json_string(w, p->apparmor_profile);
	}
	/* for a profile not a choice: ringfence always sets no_new_privs */
	rf_json_key(w, "noNewPrivileges");
	rf_json_bool(w, p->no_new_privs);
	rf_json_end_object(w);
	return 0;
}

/* ================================================================ linux */

struct extra {
	const char *file;
	char value[32];
};

/* Memory files in SIZE units ("768M"), which the kernel reads too. */
static void add_extra(struct extra *x, size_t *n, const char *file, uint64_t v)
{
	x[*n].file = file;
	if (!strncmp(file, "memory.", 7))
		size_text(v, x[*n].value, sizeof(x[*n].value));
	else
		cg_text(v, x[*n].value, sizeof(x[*n].value));
	(*n)++;
}

static void dump_memory(rf_json_writer *w, const rf_limits *l, struct extra *x, size_t *nx)
{
	const rf_opt_u64 *max = &l->memory_max, *low = &l->memory_low, *swap = &l->swap_max;
	/* OCI reads limit -1 without swap as "swap max too": say "max" in unified */
	bool limit_oci = max->set && max->v && oci_fits(max->v) &&
			 !(max->v == RF_MAX && !swap->set);
	bool low_oci = low->set && low->v && oci_fits(low->v);
	bool swap_oci = false;
	int64_t swap_total = 0;

	if (swap->set && limit_oci) {
		if (swap->v == RF_MAX) {
			swap_oci = true;
			swap_total = -1;
		} else if (max->v != RF_MAX && max->v <= (uint64_t)INT64_MAX - swap->v) {
			swap_oci = true;
			swap_total = (int64_t)(max->v + swap->v);
		}
	}
	if (max->set && !limit_oci)
		add_extra(x, nx, "memory.max", max->v);
	if (low->set && !low_oci)
		add_extra(x, nx, "memory.low", low->v);
	if (swap->set && !swap_oci)
		add_extra(x, nx, "memory.swap.max", swap->v);
	if (!limit_oci && !low_oci)
		return;
	rf_json_key(w, "memory");
	rf_json_begin_object(w);
	if (limit_oci) {
		rf_json_key(w, "limit");
		rf_json_int(w, oci_value(max->v));
	}
	if (low_oci) {
		rf_json_key(w, "reservation");
		rf_json_int(w, oci_value(low->v));
	}
	if (swap_oci) {
		rf_json_key(w, "swap");
		rf_json_int(w, swap_total);
	}
	rf_json_end_object(w);
}

static void dump_cpu(rf_json_writer *w, const rf_limits *l)
{
	bool period = l->cpu_quota_us.set || l->cpu_period_us != DEFAULT_PERIOD_US;

	if (!l->cpu_quota_us.set && !period && !l->cpu_weight.set && !l->cpuset_cpus &&
	    !l->cpuset_mems)
		return;
	rf_json_key(w, "cpu");
	rf_json_begin_object(w);
	if (l->cpu_quota_us.set) {
		rf_json_key(w, "quota");
		rf_json_int(w, oci_value(l->cpu_quota_us.v));
	}
	if (period) {
		rf_json_key(w, "period");
		rf_json_uint(w, l->cpu_period_us);
	}
	if (l->cpu_weight.set) {
		rf_json_key(w, "weight");
		rf_json_uint(w, l->cpu_weight.v);
	}
	if (l->cpuset_cpus)
		pf_kv_string(w, "cpus", l->cpuset_cpus);
	if (l->cpuset_mems)
		pf_kv_string(w, "mems", l->cpuset_mems);
	rf_json_end_object(w);
}

static void dump_resources(rf_json_writer *w, const rf_limits *l)
{
	struct extra x[MAX_EXTRA];
	size_t nx = 0;
	char buf[32];

	rf_json_key(w, "resources");
	rf_json_begin_object(w);
	dump_memory(w, l, x, &nx);
	if (l->pids_max.set && l->pids_max.v && oci_fits(l->pids_max.v)) {
		rf_json_key(w, "pids");
		rf_json_begin_object(w);
		rf_json_key(w, "limit");
		rf_json_int(w, oci_value(l->pids_max.v));
		rf_json_end_object(w);
	} else if (l->pids_max.set) {
		add_extra(x, &nx, "pids.max", l->pids_max.v);
	}
	dump_cpu(w, l);
	pf_dump_devrules(w, l);
	rf_json_key(w, "unified");
	rf_json_begin_object(w);
	for (size_t i = 0; i < nx; i++)
		pf_kv_string(w, x[i].file, x[i].value);
	if (l->memory_high.set)
		pf_kv_string(w, "memory.high", size_text(l->memory_high.v, buf, sizeof(buf)));
	pf_kv_string(w, "memory.oom.group", l->oom_group ? "1" : "0");
	for (size_t i = 0; i < l->n_unified; i++)
		pf_kv_string(w, l->unified[i].key, l->unified[i].value);
	rf_json_end_object(w);
	rf_json_end_object(w);
}

static void dump_mempolicy(rf_json_writer *w, const rf_mempolicy *mp)
{
	char nodes[RF_MAX_IDS * 4];

	if (mp->mode == RF_MPOL_NONE)
		return;
	rf_json_key(w, "memoryPolicy");
	rf_json_begin_object(w);
	pf_kv_string(w, "mode", name_of(pf_mpol_modes, pf_n_mpol_modes, (int)mp->mode));
	if (!rf_idset_empty(&mp->nodes))
		pf_kv_string(w, "nodes", rf_idset_format(&mp->nodes, nodes, sizeof(nodes)));
	if (mp->flags) {
		rf_json_key(w, "flags");
		rf_json_begin_array(w);
		for (size_t i = 0; i < pf_n_mpol_flags; i++)
			if (mp->flags & (unsigned)pf_mpol_flags[i].value)
				rf_json_string(w, pf_mpol_flags[i].name);
		rf_json_end_array(w);
	}
	rf_json_end_object(w);
}

static int dump_linux(rf_json_writer *w, const rf_plan *plan, rf_error *err)
{
	rf_json_key(w, "linux");
	rf_json_begin_object(w);
	pf_dump_namespaces(w, &plan->iso);
	pf_dump_container(w, plan);
	dump_resources(w, &plan->limits);
	dump_mempolicy(w, &plan->proc.mempolicy);
	if (plan->proc.persona.set) {
		rf_json_key(w, "personality");
		rf_json_begin_object(w);
		pf_kv_string(w, "domain", plan->proc.persona.v == PER_LINUX32 ? "LINUX32" : "LINUX");
		rf_json_end_object(w);
	}
	if (plan->proc.seccomp_mode == RF_SECCOMP_INLINE && plan->proc.seccomp_json) {
		const char *t = plan->proc.seccomp_json;
		rf_json *sc = rf_json_parse(t, strlen(t), err);

		if (!sc)
			return rf_error_prefix(err, "linux.seccomp");
		rf_json_key(w, "seccomp");
		emit_tree(w, sc);
		rf_json_free(sc);
	}
	rf_json_end_object(w);
	return 0;
}

/* ================================================================ ringfence */

static void dump_ringfence(rf_json_writer *w, const rf_plan *plan)
{
	const rf_process *p = &plan->proc;
	char buf[32];
	bool any = false;

	rf_json_key(w, "ringfence");
	rf_json_begin_object(w);
	if (plan->sup.timeout_ms)
		pf_kv_string(w, "timeout", duration_text(plan->sup.timeout_ms, buf, sizeof(buf)));
	pf_kv_string(w, "killAfter", duration_text(plan->sup.kill_after_ms, buf, sizeof(buf)));
	if (plan->sup.plain_exit) {
		rf_json_key(w, "plainExit");
		rf_json_bool(w, true);
	}
	if (plan->sup.allow_panic_on_oom) {
		rf_json_key(w, "allowPanicOnOom");
		rf_json_bool(w, true);
	}
	if (p->seccomp_mode == RF_SECCOMP_DEFAULT)
		pf_kv_string(w, "seccomp", "default");
	else if (p->seccomp_mode == RF_SECCOMP_FILE && p->seccomp_path)
		pf_kv_string(w, "seccomp", p->seccomp_path);
	if (plan->iso.map_root) {
		rf_json_key(w, "mapRoot");
		rf_json_bool(w, true);
	}
	if (p->clearenv) {
		rf_json_key(w, "clearEnv");
		rf_json_bool(w, true);
	}
	for (size_t i = 0; i < p->n_env; i++) {
		if (p->env[i].value || env_superseded(p, i))
			continue;
		if (!any) {
			rf_json_key(w, "unsetEnv");
			rf_json_begin_array(w);
			any = true;
		}
		rf_json_string(w, p->env[i].key);
	}
	if (any)
		rf_json_end_array(w);
	rf_json_end_object(w);
}

int rf_profile_dump(const rf_plan *plan, char **out, size_t *len, rf_error *err)
{
	rf_json_writer *w = rf_json_writer_new(true);
	int r = -1;

	if (!w)
		return rf_error_set(err, ENOMEM, "write the profile");
	rf_json_begin_object(w);
	pf_kv_string(w, "ociVersion", DUMP_OCI_VERSION);
	if (dump_process(w, plan, err) < 0)
		goto out;
	pf_dump_root(w, &plan->iso);
	if (plan->iso.hostname)
		pf_kv_string(w, "hostname", plan->iso.hostname);
	if (plan->iso.domainname)
		pf_kv_string(w, "domainname", plan->iso.domainname);
	pf_dump_mounts(w, &plan->iso);
	if (dump_linux(w, plan, err) < 0)
		goto out;
	dump_ringfence(w, plan);
	rf_json_end_object(w);
	r = rf_json_writer_finish(w, out, len, err);
	if (r < 0)
		rf_error_prefix(err, "write the profile");
out:
	rf_json_writer_free(w);
	return r;
}
