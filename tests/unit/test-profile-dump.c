/* src/profile-dump.c: the dump's round trip. A plan (from a profile, or as
 * the CLI makes it) dumps to JSON that loads strictly (it holds nothing
 * ringfence does not implement) into the same settings, and dumps again to
 * the very same text. */
#include "config.h"

#include <sched.h>
#include <string.h>

#include "cases.h"
#include "profile-helpers.h"
#include "ringfence/caps.h"
#include "ringfence/cleanup.h"
#include "ringfence/plan.h"
#include "ringfence/profile.h"

#define KiB UINT64_C(1024)
#define MiB (KiB * 1024)
#define GiB (MiB * 1024)


/* The same effective settings (what the dump shows). */
static void same_plan(const rf_plan *x, const rf_plan *y)
{
	const rf_limits *a = &x->limits, *b = &y->limits;
	const rf_process *p = &x->proc, *q = &y->proc;

#define SAME_OPT(f) do { assert_int_equal(a->f.set, b->f.set); \
		if (a->f.set) assert_int_equal(a->f.v, b->f.v); } while (0)
	SAME_OPT(memory_max);
	SAME_OPT(memory_high);
	SAME_OPT(memory_low);
	SAME_OPT(swap_max);
	SAME_OPT(pids_max);
	SAME_OPT(cpu_quota_us);
	SAME_OPT(cpu_weight);
#undef SAME_OPT
	assert_int_equal(a->cpu_period_us, b->cpu_period_us);
	assert_int_equal(a->oom_group, b->oom_group);
	assert_true(!a->cpuset_cpus == !b->cpuset_cpus);
	if (a->cpuset_cpus)
		assert_string_equal(a->cpuset_cpus, b->cpuset_cpus);
	assert_int_equal(a->n_unified, b->n_unified);
	for (size_t i = 0; i < a->n_unified; i++) {
		assert_string_equal(a->unified[i].key, b->unified[i].key);
		assert_string_equal(a->unified[i].value, b->unified[i].value);
	}
	assert_int_equal(p->n_env, q->n_env);
	for (size_t i = 0; i < p->n_env; i++) {
		assert_string_equal(p->env[i].key, q->env[i].key);
		assert_true(!p->env[i].value == !q->env[i].value);
	}
	assert_int_equal(p->clearenv, q->clearenv);
	assert_int_equal(p->user_set, q->user_set);
	assert_int_equal(p->uid, q->uid);
	assert_int_equal(p->groups_set, q->groups_set);
	assert_int_equal(p->n_groups, q->n_groups);
	assert_int_equal(rf_caps_effective_set(p), rf_caps_effective_set(q));
	for (int r = 0; r < RLIM_NLIMITS; r++) {
		assert_int_equal(p->rlimits[r].set, q->rlimits[r].set);
		assert_int_equal(p->rlimits[r].soft, q->rlimits[r].soft);
		assert_int_equal(p->rlimits[r].hard, q->rlimits[r].hard);
	}
	assert_int_equal(p->oom_score_adj.set, q->oom_score_adj.set);
	assert_int_equal(p->oom_score_adj.v, q->oom_score_adj.v);
	assert_int_equal(p->mempolicy.mode, q->mempolicy.mode);
	assert_int_equal(p->mempolicy.flags, q->mempolicy.flags);
	assert_memory_equal(&p->mempolicy.nodes, &q->mempolicy.nodes, sizeof(rf_idset));
	assert_int_equal(p->seccomp_mode, q->seccomp_mode);
	assert_int_equal(x->iso.ns_flags, y->iso.ns_flags);
	assert_int_equal(x->iso.ro_root, y->iso.ro_root);
	assert_int_equal(x->iso.map_root, y->iso.map_root);
	assert_int_equal(x->iso.n_mounts, y->iso.n_mounts);
	for (size_t i = 0; i < x->iso.n_mounts; i++) {
		assert_int_equal(x->iso.mounts[i].kind, y->iso.mounts[i].kind);
		assert_string_equal(x->iso.mounts[i].dst, y->iso.mounts[i].dst);
		assert_int_equal(x->iso.mounts[i].size, y->iso.mounts[i].size);
		assert_int_equal(x->iso.mounts[i].mode, y->iso.mounts[i].mode);
	}
	assert_int_equal(x->sup.timeout_ms, y->sup.timeout_ms);
	assert_int_equal(x->sup.kill_after_ms, y->sup.kill_after_ms);
	assert_int_equal(x->sup.plain_exit, y->sup.plain_exit);
	assert_int_equal(x->sup.allow_panic_on_oom, y->sup.allow_panic_on_oom);
}

/* dump(plan) loads (strictly: it holds nothing unimplemented) into the same
 * settings, and dumps to the same text. */
static void check_round_trip(const rf_plan *plan)
{
	cleanup_free char *first = NULL, *second = NULL;
	struct capture cap;
	size_t len1, len2;
	rf_error err;
	rf_plan again;

	assert_int_equal(rf_profile_dump(plan, &first, &len1, &err), 0);
	assert_int_equal(strlen(first), len1);
	if (load(first, true, &again, &err, &cap) < 0)
		fail_msg("the dump does not load: %s\n%s", err.msg, first);
	assert_int_equal(cap.warnings, 0);
	same_plan(plan, &again);
	assert_int_equal(rf_profile_dump(&again, &second, &len2, &err), 0);
	assert_string_equal(first, second);
	rf_plan_free(&again);
}

static const char *const dump_sources[] = {
	"profiles/untrusted.json", "profiles/ci-job.json", "profiles/shell.json",
	"tests/fixtures/profiles/crun-spec.json", "tests/fixtures/profiles/oci-full.json",
};

static void test_dump_file(void **state)
{
	cleanup_free char *path = source_path(*state);
	rf_error err = { 0 };
	rf_plan plan;

	rf_plan_init(&plan);
	if (rf_profile_load(path, &plan, false, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	check_round_trip(&plan);
	rf_plan_free(&plan);
}

/* Plans the CLI can make that OCI's fields cannot say directly. */
static void cli_memory_only(rf_plan *p)
{
	p->limits.memory_max = (rf_opt_u64){ true, GiB };   /* --memory 1G, swap unset */
}

static void cli_memory_max(rf_plan *p)
{
	p->limits.memory_max = (rf_opt_u64){ true, RF_MAX };
}

static void cli_swap_only(rf_plan *p)
{
	p->limits.swap_max = (rf_opt_u64){ true, 5 * MiB };
}

static void cli_zeroes(rf_plan *p)
{
	p->limits.memory_low = (rf_opt_u64){ true, 0 };
	p->limits.pids_max = (rf_opt_u64){ true, 0 };
	p->limits.memory_max = (rf_opt_u64){ true, 0 };
}

static void cli_caps_and_env(rf_plan *p)
{
	p->proc.cap_drop = 1ULL << rf_cap_lookup("CAP_NET_RAW");
	p->proc.cap_add = 1ULL << rf_cap_lookup("CAP_SYS_PTRACE");
	p->proc.env = calloc(3, sizeof(*p->proc.env));
	p->proc.env[0] = (rf_envop){ strdup("A"), strdup("1") };
	p->proc.env[1] = (rf_envop){ strdup("B"), NULL };
	p->proc.env[2] = (rf_envop){ strdup("A"), NULL };   /* the last op on A wins */
	p->proc.n_env = 3;
	p->sup.timeout_ms = 1500;
	p->iso.map_root = true;
	p->iso.ns_flags = CLONE_NEWUSER;
}

/* Found by fuzz-profile: limits above INT64_MAX (from `unified`, which reads
 * them as unsigned) have no OCI form and must be dumped back as unified text,
 * not wrapped into a negative OCI limit that no longer loads. */
static void cli_beyond_oci(rf_plan *p)
{
	p->limits.memory_max = (rf_opt_u64){ true, 12409149616095639780ULL };
	p->limits.memory_low = (rf_opt_u64){ true, (uint64_t)INT64_MAX + 1 };
	p->limits.pids_max = (rf_opt_u64){ true, UINT64_MAX - 1 };
}

static void (*const cli_plans[])(rf_plan *) = {
	cli_memory_only, cli_memory_max, cli_swap_only, cli_zeroes, cli_caps_and_env,
	cli_beyond_oci,
};

static void test_dump_cli(void **state)
{
	void (*make)(rf_plan *) = *(void (*const *)(rf_plan *))*state;
	rf_plan plan;

	rf_plan_init(&plan);
	make(&plan);
	if (make == cli_caps_and_env) {
		cleanup_free char *text = NULL;
		size_t len;
		rf_error err;

		/* collapsed to what applies: A and B unset, nothing set */
		assert_int_equal(rf_profile_dump(&plan, &text, &len, &err), 0);
		assert_contains(text, "\"unsetEnv\": [\n");
		assert_null(strstr(text, "\"env\""));
		assert_contains(text, "\"timeout\": \"1500ms\"");
		/* the reloaded env is B, A: compare what applies, not the op list */
		plan.proc.n_env = 2;
		free(plan.proc.env[0].key);
		free(plan.proc.env[0].value);
		plan.proc.env[0] = plan.proc.env[1];
		plan.proc.env[1] = plan.proc.env[2];
	}
	check_round_trip(&plan);
	rf_plan_free(&plan);
}

int main(void)
{
	struct rf_cases cases = { 0 };

	for (size_t i = 0; i < RF_ARRAY_SIZE(dump_sources); i++)
		rf_case_add(&cases, test_dump_file, dump_sources[i], "dump round trip: %s",
			    dump_sources[i]);
	for (size_t i = 0; i < RF_ARRAY_SIZE(cli_plans); i++)
		rf_case_add(&cases, test_dump_cli, &cli_plans[i], "dump round trip: cli plan %zu", i);
	return rf_cases_run(&cases, "profile-dump");
}
