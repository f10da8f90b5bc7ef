/* src/policy.c and src/policy-plan.c: the admin's policy file over a table of
 * texts, and the plan rules over a table of requests, each refusal with the
 * words a user needs to read. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

#include "cases.h"
#include "ringfence/cleanup.h"
#include "ringfence/policy.h"

#define PASSWD RF_FIXTURES "/policy/passwd"
#define GROUP RF_FIXTURES "/policy/group"
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

/* ---- parsing ---------------------------------------------------------- */

struct case_parse {
	const char *name;
	const char *text;
	const char *err;        /* NULL: parses */
};

static const struct case_parse parse_rows[] = {
	{ "empty", "", NULL },
	{ "comments and blanks", "# bounds\n\n  # more\n", NULL },
	{ "every key", "memory = 4G\nswap=0\npids = 512 # per job\ncpus = 1.5\ntimeout = 1h\n"
	  "unshare = pid,ipc,uts,net,cgroup,mount\nusers = alice, 1005\ngroups = hpc\n"
	  "cgroup-parents = /jobs/shared, /ci\n", NULL },
	{ "unshare none", "unshare = none\n", NULL },
	{ "cpus below one", "cpus = 0.5\n", NULL },
	{ "cpus below a hundredth", "cpus = 0.005\n", "policy:1: cpus: `0.005` is too small" },
	{ "unknown key", "memroy = 4G\n", "policy:1: unknown key `memroy`" },
	{ "twice", "pids = 1\npids = 2\n", "policy:2: `pids` is given twice" },
	{ "no =", "memory 4G\n", "policy:1: `memory 4G` is not `key = value`" },
	{ "no value", "memory =\n", "policy:1: `memory` has no value" },
	{ "bad size", "memory = lots\n", "policy:1: memory: `lots`" },
	{ "bad pids", "pids = 0\n", "policy:1: pids:" },
	{ "bad duration", "timeout = soon\n", "policy:1: timeout:" },
	{ "user namespace", "unshare = pid,user\n", "`user` is not offered to setuid users" },
	{ "bad namespace", "unshare = pid,nope\n", "policy:1: unshare:" },
	{ "unknown user", "users = mallory\n", "policy:1: users: no user `mallory`" },
	{ "unknown group", "\ngroups = wheel\n", "policy:2: groups: no group `wheel`" },
	{ "relative parent", "cgroup-parents = jobs\n", "`jobs` is not a cgroup path" },
	{ "parent with ..", "cgroup-parents = /a/../b\n", "`/a/../b` is not a cgroup path" },
	{ "control bytes are shown as ?", "me\x1bmory = 1\n", "unknown key `me?mory`" },
	{ "a parser's quote too", "unshare = pid,\x01\n", "policy:1: unshare:" },
};

static void test_parse(void **state)
{
	const struct case_parse *c = *state;
	rf_policy pol;
	rf_error err = { 0 };
	int rc = rf_policy_parse(c->text, "policy", PASSWD, GROUP, &pol, &err);

	if (!c->err) {
		if (rc != 0)
			fail_msg("rejected: %s", err.msg);
	} else {
		if (rc != -1)
			fail_msg("accepted, expected \"%s\"", c->err);
		if (!strstr(err.msg, c->err))
			fail_msg("message \"%s\" lacks \"%s\"", err.msg, c->err);
		for (const char *p = err.msg; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				fail_msg("message \"%s\" holds a control byte", err.msg);
	}
	rf_policy_free(&pol);
}

static void test_parse_values(void **state)
{
	rf_policy pol;
	rf_error err = { 0 };

	(void)state;
	assert_int_equal(rf_policy_parse(parse_rows[2].text, "policy", PASSWD, GROUP, &pol, &err), 0);
	assert_int_equal(pol.memory.v, 4 * GiB);
	assert_true(pol.swap.set);
	assert_int_equal(pol.swap.v, 0);
	assert_int_equal(pol.pids.v, 512);
	assert_int_equal(pol.cpus_millis.v, 1500);
	assert_int_equal(pol.timeout_ms.v, 3600000);
	assert_int_equal(pol.unshare, CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET |
				      CLONE_NEWCGROUP | CLONE_NEWNS);
	assert_int_equal(pol.n_users, 2);
	assert_int_equal(pol.users[0], 1001);
	assert_int_equal(pol.users[1], 1005);
	assert_int_equal(pol.n_groups, 1);
	assert_int_equal(pol.groups[0], 2000);
	assert_int_equal(pol.n_cgroup_parents, 2);
	assert_string_equal(pol.cgroup_parents[1], "/ci");
	rf_policy_free(&pol);
	assert_int_equal(rf_policy_parse("cpus = 0.25\n", "policy", PASSWD, GROUP, &pol, &err), 0);
	assert_int_equal(pol.cpus_millis.v, 250);
	rf_policy_free(&pol);
}

/* ---- the plan rules ------------------------------------------------------ */

static const char policy_text[] =
	"memory = 1G\npids = 256\ncpus = 2\ntimeout = 10m\nunshare = pid,mount,ipc\n"
	"cgroup-parents = /shared\n";

static gid_t caller_groups[] = { 1001, 2000 };

static void caller(rf_caller *who)
{
	memset(who, 0, sizeof(*who));
	who->uid = 1001;
	who->gid = 1001;
	who->groups = caller_groups;
	who->n_groups = RF_ARRAY_SIZE(caller_groups);
	snprintf(who->cgroup_mount, sizeof(who->cgroup_mount), "/sys/fs/cgroup");
	snprintf(who->cgroup, sizeof(who->cgroup), "/slurm/job_7/step_0/user/task_0");
	for (int r = 0; r < RLIM_NLIMITS; r++)
		who->rlimits[r] = (struct rlimit){ 1024, 4096 };
	who->oom_score_adj = 0;
}

struct case_apply {
	const char *name;
	void (*ask)(rf_plan *plan);
	const char *err;        /* NULL: allowed */
};

static void ask_nothing(rf_plan *p) { (void)p; }
static void ask_memory_ok(rf_plan *p) { p->limits.memory_max = (rf_opt_u64){ true, 512 * MiB }; }
static void ask_memory_big(rf_plan *p) { p->limits.memory_max = (rf_opt_u64){ true, 2 * GiB }; }
static void ask_memory_max(rf_plan *p) { p->limits.memory_max = (rf_opt_u64){ true, RF_MAX }; }
static void ask_pids_big(rf_plan *p) { p->limits.pids_max = (rf_opt_u64){ true, 1000 }; }
static void ask_cpus_big(rf_plan *p) { p->limits.cpu_quota_us = (rf_opt_u64){ true, 300000 }; }
static void ask_timeout_big(rf_plan *p) { p->sup.timeout_ms = 3600000; }
static void ask_panic(rf_plan *p) { p->sup.allow_panic_on_oom = true; }
static void ask_root(rf_plan *p) { p->proc.user_set = true; p->proc.uid = 0; p->proc.gid = 0; }
static void ask_self(rf_plan *p) { p->proc.user_set = true; p->proc.uid = 1001; p->proc.gid = 1001; }
static void ask_cap(rf_plan *p) { p->proc.cap_add = 1ULL << 21; }
static void ask_rlimit_raise(rf_plan *p) { p->proc.rlimits[RLIMIT_NOFILE] = (rf_rlimit){ true, 8192, 8192 }; }
static void ask_rlimit_lower(rf_plan *p) { p->proc.rlimits[RLIMIT_NOFILE] = (rf_rlimit){ true, 64, 64 }; }
static void ask_oom_adj(rf_plan *p) { p->proc.oom_score_adj = (rf_opt_i64){ true, -500 }; }
static void ask_oom_adj_up(rf_plan *p) { p->proc.oom_score_adj = (rf_opt_i64){ true, 500 }; }
static void ask_ioprio(rf_plan *p) { p->proc.ioprio = (rf_opt_u64){ true, 1U << 13 }; }
static void ask_sched(rf_plan *p) { p->proc.sched = (rf_sched){ .set = true, .policy = 1, .priority = 10 }; }
static void ask_apparmor(rf_plan *p) { p->proc.apparmor_profile = strdup("unconfined"); }
static void ask_persona(rf_plan *p) { p->proc.persona = (rf_opt_u64){ true, 8 }; }
static void ask_umask(rf_plan *p) { p->proc.umask = (rf_opt_u64){ true, 077 }; }
static void ask_net(rf_plan *p) { p->iso.ns_flags = CLONE_NEWNET; }
static void ask_pid(rf_plan *p) { p->iso.ns_flags = CLONE_NEWPID | CLONE_NEWNS; }
static void ask_user_ns(rf_plan *p) { p->iso.ns_flags = CLONE_NEWUSER; }
static void ask_map_root(rf_plan *p) { p->iso.map_root = true; }
static rf_mount a_bind = { .kind = RF_MOUNT_BIND, .src = (char *)"/root", .dst = (char *)"/mnt" };
static void ask_bind(rf_plan *p) { p->iso.mounts = &a_bind; p->iso.n_mounts = 1; }
static rf_kv a_unified = { (char *)"memory.max", (char *)"max" };
static void ask_unified(rf_plan *p) { p->limits.unified = &a_unified; p->limits.n_unified = 1; }
static void ask_own_parent(rf_plan *p) { p->cgroup_parent = (char *)"/slurm/job_7/step_0/user/task_0/mine"; }
static void ask_own_parent_abs(rf_plan *p) { p->cgroup_parent = (char *)"/sys/fs/cgroup/slurm/job_7/step_0/user/task_0"; }
static void ask_listed_parent(rf_plan *p) { p->cgroup_parent = (char *)"shared"; }
static void ask_foreign_parent(rf_plan *p) { p->cgroup_parent = (char *)"/slurm/job_8"; }
static void ask_sibling_prefix(rf_plan *p) { p->cgroup_parent = (char *)"/slurm/job_7/step_0/user/task_01"; }
static void ask_dotdot(rf_plan *p) { p->cgroup_parent = (char *)"/slurm/job_7/step_0/user/task_0/../../.."; }

static const struct case_apply apply_rows[] = {
	{ "nothing asked", ask_nothing, NULL },
	{ "memory within", ask_memory_ok, NULL },
	{ "memory above", ask_memory_big, "--memory 2.0G: the admin allows at most 1.0G" },
	{ "memory max", ask_memory_max, "--memory max: the admin allows at most 1.0G" },
	{ "pids above", ask_pids_big, "--pids 1000: the admin allows at most 256" },
	{ "cpus above", ask_cpus_big, "--cpus: the admin allows at most 2.000 CPUs" },
	{ "timeout above", ask_timeout_big, "--timeout: the admin allows at most 600000 ms" },
	{ "panic on oom", ask_panic, "--allow-panic-on-oom is the admin's to give" },
	{ "another user", ask_root, "--user 0:0: the command runs as you (1001:1001)" },
	{ "yourself", ask_self, NULL },
	{ "a capability", ask_cap, "--cap-add: the command keeps no capability" },
	{ "raise a hard rlimit", ask_rlimit_raise, "above your hard limit" },
	{ "lower an rlimit", ask_rlimit_lower, NULL },
	{ "lower oom_score_adj", ask_oom_adj, "--oom-score-adj -500: below your own 0" },
	{ "raise oom_score_adj", ask_oom_adj_up, NULL },
	{ "an I/O priority", ask_ioprio, "process.ioPriority is not offered to setuid users" },
	{ "a scheduler", ask_sched, "process.scheduler is not offered to setuid users" },
	{ "an AppArmor profile", ask_apparmor, "process.apparmorProfile is not offered" },
	{ "a personality", ask_persona, "linux.personality is not offered to setuid users" },
	{ "anything else", ask_umask, "a process setting that is not offered to setuid users" },
	{ "a namespace not offered", ask_net, "--unshare net: the admin offers pid,mount,ipc" },
	{ "offered namespaces", ask_pid, NULL },
	{ "a user namespace", ask_user_ns, "a user namespace is not offered to setuid users" },
	{ "map root", ask_map_root, "a user namespace is not offered" },
	{ "a bind", ask_bind, "--bind, --ro-bind and --tmpfs (`/mnt`) are not offered" },
	{ "unified", ask_unified, "linux.resources.unified (`memory.max`)" },
	{ "parent in own cgroup", ask_own_parent, NULL },
	{ "own cgroup by mount path", ask_own_parent_abs, NULL },
	{ "admin-listed parent", ask_listed_parent, NULL },
	{ "foreign parent", ask_foreign_parent, "--cgroup-parent `/slurm/job_8` is outside your own cgroup" },
	{ "parent sharing a prefix", ask_sibling_prefix, "is outside your own cgroup" },
	{ "parent with ..", ask_dotdot, "not a plain path" },
};

static void test_apply(void **state)
{
	const struct case_apply *c = *state;
	rf_policy pol;
	rf_caller who;
	rf_plan plan;
	rf_error err = { 0 };
	int rc;

	assert_int_equal(rf_policy_parse(policy_text, "policy", PASSWD, GROUP, &pol, &err), 0);
	caller(&who);
	rf_plan_init(&plan);
	c->ask(&plan);
	rc = rf_policy_apply(&pol, &who, &plan, &err);
	if (!c->err) {
		if (rc != 0)
			fail_msg("refused: %s", err.msg);
		/* The admin's defaults, and the caller's identity. */
		assert_true(plan.limits.memory_max.set);
		assert_true(plan.limits.memory_max.v <= GiB);
		/* A defaulted --memory brings no swap beyond it, as finalize does. */
		if (c->ask == ask_nothing)
			assert_true(plan.limits.swap_max.set && plan.limits.swap_max.v == 0);
		assert_int_equal(plan.limits.pids_max.v, 256);
		assert_int_equal(plan.limits.cpu_quota_us.v, 200000);
		assert_int_equal(plan.sup.timeout_ms, 600000);
		assert_true(plan.proc.user_set);
		assert_int_equal(plan.proc.uid, 1001);
		assert_int_equal(plan.proc.n_groups, 2);
		/* Idempotent: the second pass (after finalize) agrees. */
		assert_int_equal(rf_policy_apply(&pol, &who, &plan, &err), 0);
	} else {
		if (rc != -1)
			fail_msg("allowed, expected \"%s\"", c->err);
		assert_int_equal(err.errnum, EPERM);
		if (!strstr(err.msg, c->err))
			fail_msg("message \"%s\" lacks \"%s\"", err.msg, c->err);
		if (!strstr(err.msg, "admin policy `policy`"))
			fail_msg("message \"%s\" does not name the policy", err.msg);
	}
	/* The test's static mounts, kvs and parents are not the plan's to free. */
	plan.iso.mounts = NULL;
	plan.iso.n_mounts = 0;
	plan.limits.unified = NULL;
	plan.limits.n_unified = 0;
	plan.cgroup_parent = NULL;
	rf_plan_free(&plan);
	rf_policy_free(&pol);
}

/* users = / groups =: who may run it at all. */
static void test_admit(void **state)
{
	rf_policy pol;
	rf_caller who;
	rf_error err = { 0 };

	(void)state;
	caller(&who);
	assert_int_equal(rf_policy_parse("", "policy", PASSWD, GROUP, &pol, &err), 0);
	assert_int_equal(rf_policy_admit(&pol, &who, &err), 0);   /* no list: everyone */
	rf_policy_free(&pol);
	assert_int_equal(rf_policy_parse("users = bob\n", "policy", PASSWD, GROUP, &pol, &err), 0);
	assert_int_equal(rf_policy_admit(&pol, &who, &err), -1);
	assert_non_null(strstr(err.msg, "uid 1001 is not among the users and groups allowed"));
	rf_policy_free(&pol);
	assert_int_equal(rf_policy_parse("users = bob\ngroups = hpc\n", "policy", PASSWD, GROUP,
					 &pol, &err), 0);
	assert_int_equal(rf_policy_admit(&pol, &who, &err), 0);   /* a member of hpc */
	rf_policy_free(&pol);
}

int main(void)
{
	struct rf_cases cases = { 0 };

	for (size_t i = 0; i < RF_ARRAY_SIZE(parse_rows); i++)
		rf_case_add(&cases, test_parse, &parse_rows[i], "policy file: %s", parse_rows[i].name);
	rf_case_add(&cases, test_parse_values, NULL, "policy file: values");
	for (size_t i = 0; i < RF_ARRAY_SIZE(apply_rows); i++)
		rf_case_add(&cases, test_apply, &apply_rows[i], "plan: %s", apply_rows[i].name);
	rf_case_add(&cases, test_admit, NULL, "users and groups");
	return rf_cases_run(&cases, "policy");
}
