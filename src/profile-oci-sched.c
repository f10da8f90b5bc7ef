/* process.scheduler (runtime-spec 1.2): the command's scheduling policy
 * and its parameters, as chrt(1) sets them. What does not depend on the
 * host is checked here; sched_setattr(2) in the child judges the rest (a
 * real-time policy without CAP_SYS_NICE, a deadline the CPUs cannot
 * admit) and its error names the key. Also process.execCPUAffinity, the
 * CPUs an exec runs on, as taskset(1) gives them. */
#include "config.h"

#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <linux/sched.h>

#include "ringfence/cleanup.h"
#include "ringfence/parse.h"
#include "profile-internal.h"

/* SCHED_ISO is in the spec's list but not in Linux: left out, refused. */
const pf_name pf_sched_policies[] = {
	{ "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO },
	{ "SCHED_RR", SCHED_RR }, { "SCHED_BATCH", SCHED_BATCH },
	{ "SCHED_IDLE", SCHED_IDLE }, { "SCHED_DEADLINE", SCHED_DEADLINE },
};
const size_t pf_n_sched_policies = RF_ARRAY_SIZE(pf_sched_policies);

const pf_name pf_sched_flags[] = {
	{ "SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK },
	{ "SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM },
	{ "SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN },
	{ "SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY },
	{ "SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS },
	{ "SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN },
	{ "SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX },
};
const size_t pf_n_sched_flags = RF_ARRAY_SIZE(pf_sched_flags);

/* A name of tab, or an error listing them all. */
static int lookup(pf_ctx *c, const char *path, const rf_json *v, const pf_name *tab, size_t n,
		  const char *what, int *out)
{
	char names[256] = "";
	size_t used = 0;
	const pf_name *found;
	const char *s;

	if (pf_string(c, path, v, &s) < 0)
		return -1;
	if ((found = pf_name_find(tab, n, s))) {
		*out = found->value;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
					 i ? ", " : "", tab[i].name);
		if (used >= sizeof(names))
			used = sizeof(names) - 1;
	}
	return pf_fail(c, path, "`%.32s` is not a %s%s (expected one of %s)", s, what,
		       strcmp(s, "SCHED_ISO") ? "" : " Linux has", names);
}

static int s_flags(pf_ctx *c, const char *path, const rf_json *v, uint64_t *flags)
{
	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		char sub[PF_PATH_MAX];
		int f = 0;

		if (lookup(c, pf_index_path(sub, path, i), rf_json_array_at(v, i), pf_sched_flags,
			   pf_n_sched_flags, "scheduling flag", &f) < 0)
			return -1;
		/* They come with utilization values, which the spec has no key for. */
		if (f & (SCHED_FLAG_UTIL_CLAMP_MIN | SCHED_FLAG_UTIL_CLAMP_MAX))
			return pf_fail(c, sub, "the utilization clamps need values process.scheduler "
				       "cannot give");
		*flags |= (uint64_t)f;
	}
	return 0;
}

/* The parameters each policy takes, as the kernel will check them. */
static int s_check(pf_ctx *c, const char *path, const rf_sched *s)
{
	char sub[PF_PATH_MAX];
	bool rt = s->policy == SCHED_FIFO || s->policy == SCHED_RR;

	pf_key_path(sub, path, "priority");
	if (rt && (s->priority < 1 || s->priority > 99))
		return pf_fail(c, sub, "SCHED_FIFO and SCHED_RR take 1 to 99");
	if (!rt && s->priority)
		return pf_fail(c, sub, "only SCHED_FIFO and SCHED_RR take one (expected 0)");
	if (s->policy != SCHED_DEADLINE) {
		if (s->runtime || s->deadline || s->period)
			return pf_fail(c, path, "runtime, deadline and period are SCHED_DEADLINE's");
		return 0;
	}
	/* The kernel's admission rule: 1024 <= runtime <= deadline <= period (0:
	 * the deadline), in nanoseconds; it has no finer resolution. */
	if (s->runtime < 1024 || s->runtime > s->deadline || (s->period && s->deadline > s->period))
		return pf_fail(c, path, "SCHED_DEADLINE needs 1024 <= runtime <= deadline <= period "
			       "(in nanoseconds; period 0 is the deadline)");
	return 0;
}

int pf_oci_scheduler(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = {
		{ "policy", NULL }, { "nice", NULL }, { "priority", NULL }, { "flags", NULL },
		{ "runtime", NULL }, { "deadline", NULL }, { "period", NULL },
	};
	rf_sched s = { .set = true };
	char sub[PF_PATH_MAX];
	const rf_json *j;
	int64_t nice = 0;
	uint64_t prio = 0;
	int policy = 0;

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	pf_key_path(sub, path, "policy");
	if (!(j = pf_get(v, "policy")))
		return pf_fail(c, sub, "required (e.g. \"SCHED_BATCH\")");
	if (lookup(c, sub, j, pf_sched_policies, pf_n_sched_policies, "scheduling policy",
		   &policy) < 0)
		return -1;
	s.policy = (uint32_t)policy;
	if ((j = pf_get(v, "nice")) && pf_i64(c, pf_key_path(sub, path, "nice"), j, -20, 19, &nice) < 0)
		return -1;
	if ((j = pf_get(v, "priority")) &&
	    pf_u64(c, pf_key_path(sub, path, "priority"), j, 0, 99, &prio) < 0)
		return -1;
	if ((j = pf_get(v, "flags")) && s_flags(c, pf_key_path(sub, path, "flags"), j, &s.flags) < 0)
		return -1;
	if (((j = pf_get(v, "runtime")) &&
	     pf_u64(c, pf_key_path(sub, path, "runtime"), j, 0, INT64_MAX, &s.runtime) < 0) ||
	    ((j = pf_get(v, "deadline")) &&
	     pf_u64(c, pf_key_path(sub, path, "deadline"), j, 0, INT64_MAX, &s.deadline) < 0) ||
	    ((j = pf_get(v, "period")) &&
	     pf_u64(c, pf_key_path(sub, path, "period"), j, 0, INT64_MAX, &s.period) < 0))
		return -1;
	s.nice = (int32_t)nice;
	s.priority = (uint32_t)prio;
	if (s_check(c, path, &s) < 0)
		return -1;
	c->plan->proc.sched = s;
	return 0;
}

/* One CPU list; empty is none given (runc's reading). */
static int cpu_list(pf_ctx *c, const char *path, const rf_json *v, rf_idset *out, bool *set)
{
	const char *s;

	if (pf_string(c, path, v, &s) < 0)
		return -1;
	if (!*s)
		return 0;
	if (rf_parse_idlist(s, out, c->err) < 0)
		return rf_error_prefix(c->err, "%s", path);
	*set = true;
	return 0;
}

/* "initial": the runtime's own CPUs while it starts the process (so its
 * work stays off the CPUs the container's is pinned to); "final": the
 * process's, right before its exec. Not for the container's first process,
 * which the spec leaves out, nor for a profile's command. */
int pf_oci_exec_affinity(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = { { "initial", NULL }, { "final", NULL } };
	rf_affinity *a = &c->plan->proc.exec_affinity;
	const rf_json *initial = pf_get(v, "initial"), *final = pf_get(v, "final");
	char sub[PF_PATH_MAX];

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	if (initial && cpu_list(c, pf_key_path(sub, path, "initial"), initial, &a->initial,
				&a->initial_set) < 0)
		return -1;
	if (final && cpu_list(c, pf_key_path(sub, path, "final"), final, &a->final,
			      &a->final_set) < 0)
		return -1;
	if (!c->bundle && (a->initial_set || a->final_set)) {
		memset(a, 0, sizeof(*a));
		return pf_ignore(c, path, "a profile's command is not exec'd into a container");
	}
	return 0;
}
