/* Plan lifetime and cross-field finalisation (parse, then plan, then act). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/cleanup.h"
#include "ringfence/plan.h"

void rf_plan_init(rf_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->limits.cpu_period_us = 100000;
	plan->limits.oom_group = true;
	plan->sup.kill_after_ms = 2000;
	plan->sup.report_fd = -1;
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
	free(plan->name);
	free(plan->profile);
	free(plan->limits.cpuset_cpus);
	free(plan->limits.cpuset_mems);
	free_kvs(plan->limits.unified, plan->limits.n_unified);
	rf_strv_free(p->argv);
	free(p->cwd);
	for (size_t i = 0; i < p->n_env; i++) {
		free(p->env[i].key);
		free(p->env[i].value);
	}
	free(p->env);
	free(p->groups);
	free(p->seccomp_path);
	for (size_t i = 0; i < plan->iso.n_mounts; i++) {
		free(plan->iso.mounts[i].src);
		free(plan->iso.mounts[i].dst);
	}
	free(plan->iso.mounts);
	free(plan->iso.hostname);
	free(plan->sup.report_path);
	memset(plan, 0, sizeof(*plan));
	plan->sup.report_fd = -1;
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

	if (len)
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
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
		id = end + 1;
	}
	return buf;
}
