/* linux.resources of a profile: memory, pids, cpu and unified, onto the
 * plan's cgroup limits, with the conversions runc and crun make for cgroup v2:
 * - memory.limit / reservation: -1 is "max", 0 is "not set".
 * - memory.swap is OCI's memory+swap total: memory.swap.max = swap - limit;
 *   -1 is "max"; limit -1 with no swap means swap "max" as well.
 * - pids.limit: -1 or 0 is "max".
 * - cpu.quota -1 is "max", 0 "not set"; cpu.period 0 is "not set".
 * - cpu.shares (cgroup v1) becomes cpu.weight = 1 + ((shares - 2) * 9999) / 262142;
 *   crun's "weight" gives cpu.weight directly.
 * - unified: any file of the memory, pids, cpu, cpuset, io, hugetlb, misc or
 *   rdma controller. The files ringfence itself manages (memory.max,
 *   memory.high, memory.low, memory.swap.max, memory.oom.group, pids.max,
 *   cpu.max, cpu.weight, cpuset.cpus, cpuset.mems) are parsed into the plan's
 *   fields, so that a CLI flag overrides them and the verdict knows them; a
 *   unified entry wins over the structured one in the same profile, as in runc.
 *   Every other file is written as given, in order.
 * - cpu.idle, cpu.burst, blockIO, hugepageLimits, rdma: files of the cpu,
 *   io, hugetlb and rdma controllers (profile-resources-files.c), before
 *   unified.
 * - devices: the rules in order, the last match deciding (src/devices.c). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/cleanup.h"
#include "ringfence/parse.h"
#include "profile-internal.h"

/* Kernel bounds of cpu.max (kernel/sched/core.c): 1 ms to 1 s periods, and a
 * quota of at least 1 ms. */
#define CPU_PERIOD_MIN 1000
#define CPU_PERIOD_MAX 1000000
#define CPU_QUOTA_MIN 1000
#define SHARES_MIN 2
#define SHARES_MAX 262144

static const char *const unified_controllers[] = {
	"memory", "pids", "cpu", "cpuset", "io", "hugetlb", "misc", "rdma", NULL,
};

uint64_t pf_shares_to_weight(uint64_t shares)
{
	return 1 + ((shares - SHARES_MIN) * 9999) / (SHARES_MAX - SHARES_MIN);
}

/* ================================================================ memory, pids */

/* An OCI byte count: -1 -> max, 0 -> not set. */
static int mem_value(pf_ctx *c, const char *path, const rf_json *v, rf_opt_u64 *out,
		     int64_t *raw)
{
	if (pf_i64(c, path, v, -1, INT64_MAX, raw) < 0)
		return -1;
	if (*raw != 0)
		*out = (rf_opt_u64){ .set = true, .v = *raw < 0 ? RF_MAX : (uint64_t)*raw };
	return 0;
}

static int r_memory(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = {
		{ "limit", NULL }, { "reservation", NULL }, { "swap", NULL },
	};
	const rf_json *limit_j = pf_get(v, "limit"), *res_j = pf_get(v, "reservation");
	const rf_json *swap_j = pf_get(v, "swap");
	rf_limits *l = &c->plan->limits;
	int64_t limit = 0, res, swap = 0;
	char sub[PF_PATH_MAX];

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	if (limit_j && mem_value(c, pf_key_path(sub, path, "limit"), limit_j, &l->memory_max,
				 &limit) < 0)
		return -1;
	if (res_j && mem_value(c, pf_key_path(sub, path, "reservation"), res_j, &l->memory_low,
			       &res) < 0)
		return -1;
	pf_key_path(sub, path, "swap");
	if (swap_j && pf_i64(c, sub, swap_j, -1, INT64_MAX, &swap) < 0)
		return -1;
	if (swap == -1 || (swap == 0 && limit == -1)) {
		l->swap_max = (rf_opt_u64){ .set = true, .v = RF_MAX };
	} else if (swap > 0) {
		if (limit <= 0)
			return pf_fail(c, sub, "needs a memory limit given with it: OCI's swap is "
				       "the memory+swap total (or use unified \"memory.swap.max\")");
		if (swap < limit)
			return pf_fail(c, sub, "%" PRId64 " is below the memory limit %" PRId64
				       " (OCI's swap is the memory+swap total; equal means no swap)",
				       swap, limit);
		l->swap_max = (rf_opt_u64){ .set = true, .v = (uint64_t)(swap - limit) };
	}
	return 0;
}

static int r_pids(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = { { "limit", NULL } };
	const rf_json *limit_j = pf_get(v, "limit");
	int64_t limit;
	char sub[PF_PATH_MAX];

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	if (!limit_j)
		return 0;
	if (pf_i64(c, pf_key_path(sub, path, "limit"), limit_j, -1, INT64_MAX, &limit) < 0)
		return -1;
	c->plan->limits.pids_max = (rf_opt_u64){ .set = true,
						 .v = limit <= 0 ? RF_MAX : (uint64_t)limit };
	return 0;
}

/* ================================================================ cpu */

static int idlist(pf_ctx *c, const char *path, const char *s, char **field)
{
	char buf[RF_MAX_IDS * 4];
	rf_idset set;

	if (rf_parse_idlist(s, &set, c->err) < 0)
		return rf_error_prefix(c->err, "%s", path);
	return pf_set_str(c, field, rf_idset_format(&set, buf, sizeof(buf)));
}

static int cpu_list(pf_ctx *c, const char *path, const rf_json *v, char **field)
{
	const char *s;

	if (!v)
		return 0;
	if (pf_string(c, path, v, &s) < 0)
		return -1;
	return *s ? idlist(c, path, s, field) : 0;   /* "" leaves it to the parent */
}

static int r_cpu(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = {
		{ "shares", NULL },
		{ "quota", NULL },
		{ "period", NULL },
		{ "cpus", NULL },
		{ "mems", NULL },
		{ "weight", NULL },
		{ "idle", NULL },
		{ "burst", NULL },
	};
	const rf_json *quota_j = pf_get(v, "quota"), *period_j = pf_get(v, "period");
	const rf_json *shares_j = pf_get(v, "shares"), *weight_j = pf_get(v, "weight");
	rf_limits *l = &c->plan->limits;
	uint64_t period = 0, shares = 0, weight = 0;
	int64_t quota = 0;
	char sub[PF_PATH_MAX];

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	pf_key_path(sub, path, "quota");
	if (quota_j && pf_i64(c, sub, quota_j, -1, INT64_MAX, &quota) < 0)
		return -1;
	if (quota > 0 && quota < CPU_QUOTA_MIN)
		return pf_fail(c, sub, "%" PRId64 " is below the kernel's minimum of %d "
			       "microseconds (-1 is no limit)", quota, CPU_QUOTA_MIN);
	pf_key_path(sub, path, "period");
	if (period_j && pf_u64(c, sub, period_j, 0, CPU_PERIOD_MAX, &period) < 0)
		return -1;
	if (period && period < CPU_PERIOD_MIN)
		return pf_fail(c, sub, "out of range (expected %d to %d microseconds, or 0)",
			       CPU_PERIOD_MIN, CPU_PERIOD_MAX);
	if (quota)
		l->cpu_quota_us = (rf_opt_u64){ .set = true,
						.v = quota < 0 ? RF_MAX : (uint64_t)quota };
	if (period)
		l->cpu_period_us = period;
	pf_key_path(sub, path, "shares");
	if (shares_j && pf_u64(c, sub, shares_j, 0, SHARES_MAX, &shares) < 0)
		return -1;
	if (shares && shares < SHARES_MIN)
		return pf_fail(c, sub, "out of range (expected %d to %d, or 0)", SHARES_MIN,
			       SHARES_MAX);
	pf_key_path(sub, path, "weight");
	if (weight_j && pf_u64(c, sub, weight_j, 0, 10000, &weight) < 0)
		return -1;
	if (shares && weight)
		return pf_fail(c, path, "give shares (cgroup v1) or weight, not both");
	if (shares)
		l->cpu_weight = (rf_opt_u64){ .set = true, .v = pf_shares_to_weight(shares) };
	if (weight)
		l->cpu_weight = (rf_opt_u64){ .set = true, .v = weight };
	if (cpu_list(c, pf_key_path(sub, path, "cpus"), pf_get(v, "cpus"), &l->cpuset_cpus) < 0 ||
	    cpu_list(c, pf_key_path(sub, path, "mems"), pf_get(v, "mems"), &l->cpuset_mems) < 0)
		return -1;
	return pf_oci_cpu_files(c, path, v);
}

/* ================================================================ unified */

static int u_size(pf_ctx *c, const char *path, const char *s, rf_opt_u64 *out)
{
	if (rf_parse_size(s, &out->v, c->err) < 0)
		return rf_error_prefix(c->err, "%s", path);
	out->set = true;
	return 0;
}

static int u_memory_max(pf_ctx *c, const char *path, const char *s)
{
	return u_size(c, path, s, &c->plan->limits.memory_max);
}

static int u_memory_high(pf_ctx *c, const char *path, const char *s)
{
	return u_size(c, path, s, &c->plan->limits.memory_high);
}

static int u_memory_low(pf_ctx *c, const char *path, const char *s)
{
	return u_size(c, path, s, &c->plan->limits.memory_low);
}

static int u_swap_max(pf_ctx *c, const char *path, const char *s)
{
	return u_size(c, path, s, &c->plan->limits.swap_max);
}

static int u_oom_group(pf_ctx *c, const char *path, const char *s)
{
	if (strcmp(s, "0") && strcmp(s, "1"))
		return pf_fail(c, path, "`%.32s`: expected \"0\" or \"1\"", s);
	c->plan->limits.oom_group = s[0] == '1';
	return 0;
}

static int u_pids_max(pf_ctx *c, const char *path, const char *s)
{
	rf_opt_u64 *pids = &c->plan->limits.pids_max;

	if (!strcmp(s, "max"))
		pids->v = RF_MAX;
	else if (rf_parse_u64(s, 0, RF_MAX - 1, &pids->v, c->err) < 0)
		return rf_error_prefix(c->err, "%s", path);
	pids->set = true;
	return 0;
}

/* "QUOTA [PERIOD]" with QUOTA a number of microseconds or "max". */
static int u_cpu_max(pf_ctx *c, const char *path, const char *s)
{
	rf_limits *l = &c->plan->limits;
	char quota[32];
	const char *sp = strchr(s, ' ');
	uint64_t q = RF_MAX, period = l->cpu_period_us;

	if (snprintf(quota, sizeof(quota), "%.*s", (int)(sp ? (size_t)(sp - s) : strlen(s)), s) >=
	    (int)sizeof(quota))
		goto bad;
	/* The kernel refuses quotas far below INT64_MAX; OCI's quota is signed. */
	if (strcmp(quota, "max") && rf_parse_u64(quota, CPU_QUOTA_MIN, INT64_MAX, &q, c->err) < 0)
		return rf_error_prefix(c->err, "%s: quota", path);
	if (sp && rf_parse_u64(sp + 1, CPU_PERIOD_MIN, CPU_PERIOD_MAX, &period, c->err) < 0)
		return rf_error_prefix(c->err, "%s: period", path);
	l->cpu_quota_us = (rf_opt_u64){ .set = true, .v = q };
	l->cpu_period_us = period;
	return 0;
bad:
	return pf_fail(c, path, "expected \"QUOTA PERIOD\" in microseconds, QUOTA may be max");
}

static int u_cpu_weight(pf_ctx *c, const char *path, const char *s)
{
	rf_opt_u64 *w = &c->plan->limits.cpu_weight;

	if (rf_parse_u64(s, 1, 10000, &w->v, c->err) < 0)
		return rf_error_prefix(c->err, "%s", path);
	w->set = true;
	return 0;
}

static int u_cpuset_cpus(pf_ctx *c, const char *path, const char *s)
{
	return idlist(c, path, s, &c->plan->limits.cpuset_cpus);
}

static int u_cpuset_mems(pf_ctx *c, const char *path, const char *s)
{
	return idlist(c, path, s, &c->plan->limits.cpuset_mems);
}

static const struct {
	const char *file;
	int (*fn)(pf_ctx *c, const char *path, const char *value);
} managed[] = {
	{ "memory.max", u_memory_max },
	{ "memory.high", u_memory_high },
	{ "memory.low", u_memory_low },
	{ "memory.swap.max", u_swap_max },
	{ "memory.oom.group", u_oom_group },
	{ "pids.max", u_pids_max },
	{ "cpu.max", u_cpu_max },
	{ "cpu.weight", u_cpu_weight },
	{ "cpuset.cpus", u_cpuset_cpus },
	{ "cpuset.mems", u_cpuset_mems },
};

/* "CONTROLLER.NAME" with a controller we let a profile write, and a name that
 * stays inside the leaf directory. */
static int check_file(pf_ctx *c, const char *path, const char *file)
{
	const char *dot = strchr(file, '.');
	size_t i;

	for (const char *p = file; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return pf_fail(c, path, "not a cgroup file name");
	if (strstr(file, "..") || !dot || dot == file || !dot[1])
		return pf_fail(c, path, "not a cgroup file name (expected CONTROLLER.NAME)");
	for (i = 0; unified_controllers[i]; i++)
		if (strlen(unified_controllers[i]) == (size_t)(dot - file) &&
		    !strncmp(file, unified_controllers[i], (size_t)(dot - file)))
			return 0;
	return pf_fail(c, path, "`%s` is not a file of a controller ringfence lets a profile "
		       "write (memory, pids, cpu, cpuset, io, hugetlb, misc, rdma)", file);
}

int pf_unified_add(pf_ctx *c, const char *path, const char *file, const char *value)
{
	rf_limits *l = &c->plan->limits;
	rf_kv *grown;
	rf_kv kv;

	for (size_t i = 0; i < l->n_unified; i++)
		if (!strcmp(l->unified[i].key, file))
			return pf_set_str(c, &l->unified[i].value, value);
	grown = realloc(l->unified, (l->n_unified + 1) * sizeof(*grown));
	if (!grown)
		return rf_error_set(c->err, ENOMEM, "%s", path);
	l->unified = grown;
	kv.key = strdup(file);
	kv.value = strdup(value);
	if (!kv.key || !kv.value) {
		free(kv.key);
		free(kv.value);
		return rf_error_set(c->err, ENOMEM, "%s", path);
	}
	l->unified[l->n_unified++] = kv;
	return 0;
}

static int r_unified(pf_ctx *c, const char *path, const rf_json *v)
{
	if (pf_expect(c, path, v, RF_JSON_OBJECT) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_object_len(v); i++) {
		const char *file = rf_json_object_key(v, i);
		char sub[PF_PATH_MAX];
		const char *value;
		size_t m;

		pf_key_path(sub, path, file);
		if (check_file(c, sub, file) < 0 ||
		    pf_string(c, sub, rf_json_object_value(v, i), &value) < 0)
			return -1;
		if (!*value)
			return pf_fail(c, sub, "empty value");
		for (m = 0; m < RF_ARRAY_SIZE(managed) && strcmp(managed[m].file, file); m++)
			;
		if (m < RF_ARRAY_SIZE(managed)) {
			if (managed[m].fn(c, sub, value) < 0)
				return -1;
		} else if (pf_unified_add(c, sub, file, value) < 0) {
			return -1;
		}
	}
	return 0;
}

/* ================================================================ devices */

static int dev_number(pf_ctx *c, const char *path, const rf_json *v, int64_t max, int64_t *out)
{
	*out = -1;   /* absent or -1: any */
	return v ? pf_i64(c, path, v, -1, max, out) : 0;
}

static int one_devrule(pf_ctx *c, const char *path, const rf_json *v, rf_devrule *r)
{
	static const pf_member keys[] = {
		{ "allow", NULL }, { "type", NULL }, { "major", NULL }, { "minor", NULL },
		{ "access", NULL },
	};
	const rf_json *type = pf_get(v, "type"), *access = pf_get(v, "access");
	char sub[PF_PATH_MAX];
	const char *s;

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	pf_key_path(sub, path, "allow");
	if (!pf_get(v, "allow"))
		return pf_fail(c, sub, "required");
	if (pf_bool(c, sub, pf_get(v, "allow"), &r->allow) < 0)
		return -1;
	r->type = 'a';
	pf_key_path(sub, path, "type");
	if (type && pf_string(c, sub, type, &s) < 0)
		return -1;
	if (type && strcmp(s, "a") && strcmp(s, "c") && strcmp(s, "b"))
		return pf_fail(c, sub, "`%.16s` is not a device type (expected a, c or b)", s);
	if (type)
		r->type = s[0];
	/* The kernel's dev_t: 12 bits of major, 20 of minor. */
	if (dev_number(c, pf_key_path(sub, path, "major"), pf_get(v, "major"), 0xfff,
		       &r->major) < 0 ||
	    dev_number(c, pf_key_path(sub, path, "minor"), pf_get(v, "minor"), 0xfffff,
		       &r->minor) < 0)
		return -1;
	r->access = RF_DEV_READ | RF_DEV_WRITE | RF_DEV_MKNOD;
	if (!access)
		return 0;
	pf_key_path(sub, path, "access");
	if (pf_string(c, sub, access, &s) < 0)
		return -1;
	r->access = 0;
	for (const char *p = s; *p; p++) {
		unsigned bit = *p == 'r' ? RF_DEV_READ : *p == 'w' ? RF_DEV_WRITE :
			       *p == 'm' ? RF_DEV_MKNOD : 0;

		if (!bit || (r->access & bit))
			return pf_fail(c, sub, "`%.16s` is not an access list (r, w and m, once each)",
				       s);
		r->access |= bit;
	}
	return 0;
}

/* The bundle's rules come first; a container root adds the defaults after
 * them when the plan is finalised (rf_devices_plan). */
static int r_devices(pf_ctx *c, const char *path, const rf_json *v)
{
	rf_limits *l = &c->plan->limits;
	size_t n = rf_json_array_len(v);
	rf_devrule *rules;

	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	rules = calloc(n ? n : 1, sizeof(*rules));
	if (!rules)
		return rf_error_set(c->err, ENOMEM, "%s", path);
	for (size_t i = 0; i < n; i++) {
		char sub[PF_PATH_MAX];

		if (one_devrule(c, pf_index_path(sub, path, i), rf_json_array_at(v, i),
				&rules[i]) < 0) {
			free(rules);
			return -1;
		}
	}
	free(l->dev_rules);
	l->dev_rules = rules;
	l->n_dev_rules = n;
	l->dev_rules_set = true;
	return 0;
}

int pf_oci_resources(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = {
		{ "memory", NULL }, { "pids", NULL }, { "cpu", NULL }, { "blockIO", NULL },
		{ "hugepageLimits", NULL }, { "rdma", NULL }, { "unified", NULL },
		{ "devices", NULL },
	};
	static const struct {
		const char *key;
		pf_handler fn;
	} order[] = {
		{ "memory", r_memory }, { "pids", r_pids }, { "cpu", r_cpu },
		{ "blockIO", pf_oci_blockio }, { "hugepageLimits", pf_oci_hugepages },
		{ "rdma", pf_oci_rdma }, { "unified", r_unified }, { "devices", r_devices },
	};

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	/* unified last: it refines what the structured keys set */
	for (size_t i = 0; i < RF_ARRAY_SIZE(order); i++) {
		const rf_json *m = pf_get(v, order[i].key);
		char sub[PF_PATH_MAX];

		if (m && order[i].fn(c, pf_key_path(sub, path, order[i].key), m) < 0)
			return -1;
	}
	return 0;
}
