/* src/host.c: reading /proc/sys/vm and /proc/meminfo from fixture trees
 * (tests/fixtures/proc-*), and the guards `run` applies from them. */
#include "config.h"

#include <string.h>

#include "cases.h"
#include "ringfence/cleanup.h"
#include "ringfence/host.h"
#include "ringfence/numa.h"
#include "ringfence/plan.h"
#include "ringfence/verdict.h"

#ifndef RF_FIXTURES
#error "RF_FIXTURES must name tests/fixtures"
#endif

#define KB(n) ((uint64_t)(n) * 1024)

/* ---- reading ---- */

struct case_read {
	const char *fixture;
	int overcommit, ratio, panic, kill_allocating;
	uint64_t mem_total, mem_available, swap_total, commit_limit, committed_as;
	const char *err;
};

static const struct case_read read_cases[] = {
	{ "proc-default", 0, 50, 0, 0, KB(2014548), KB(1582236), KB(524284), KB(1531556),
	  KB(995328), NULL },
	{ "proc-panic2", 0, 50, 2, 0, KB(2014548), KB(1582236), KB(524284), KB(1531556),
	  KB(995328), NULL },
	{ "proc-strict", 2, 80, 0, 1, KB(2014548), KB(1582236), KB(524284), KB(1531556),
	  KB(995328), NULL },
	{ "proc-meminfo-only", -1, -1, -1, -1, KB(2014548), KB(1582236), KB(524284),
	  KB(1531556), KB(995328), NULL },
	{ "no-such-proc", -1, -1, -1, -1, 0, 0, 0, 0, 0, NULL },
	{ "proc-bad-meminfo", 0, 0, 0, 0, 0, 0, 0, 0, 0,
	  "proc-bad-meminfo/meminfo`: MemTotal: `20145x48` is not a number" },
	{ "proc-bad-sysctl", 0, 0, 0, 0, 0, 0, 0, 0, 0,
	  "parse `" RF_FIXTURES "/proc-bad-sysctl/sys/vm/panic_on_oom`: `2 3` is not a number" },
};

static void test_read(void **state)
{
	const struct case_read *c = *state;
	char root[4096];
	rf_error err = { 0 };
	rf_host h;
	int rc;

	snprintf(root, sizeof(root), "%s/%s", RF_FIXTURES, c->fixture);
	rc = rf_host_read_at(root, &h, &err);
	if (c->err) {
		assert_int_equal(rc, -1);
		if (!strstr(err.msg, c->err))
			fail_msg("message \"%s\" lacks \"%s\"", err.msg, c->err);
		return;
	}
	if (rc != 0)
		fail_msg("rejected: %s", err.msg);
	assert_int_equal(h.overcommit_memory, c->overcommit);
	assert_int_equal(h.overcommit_ratio, c->ratio);
	assert_int_equal(h.panic_on_oom, c->panic);
	assert_int_equal(h.oom_kill_allocating_task, c->kill_allocating);
	assert_int_equal(h.mem_total, c->mem_total);
	assert_int_equal(h.mem_available, c->mem_available);
	assert_int_equal(h.swap_total, c->swap_total);
	assert_int_equal(h.swap_free, c->swap_total);
	assert_int_equal(h.commit_limit, c->commit_limit);
	assert_int_equal(h.committed_as, c->committed_as);
}

/* The real /proc parses too. */
static void test_read_live(void **state)
{
	rf_error err = { 0 };
	rf_host h;

	if (rf_host_read(&h, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(h.overcommit_memory >= 0 && h.overcommit_memory <= 2);
	assert_true(h.panic_on_oom >= 0 && h.panic_on_oom <= 2);
	assert_true(h.mem_total > 0);
	assert_true(h.commit_limit > 0);
}

/* ---- guards ---- */

enum { MEM = 1, HIGH = 2, BIND0 = 4, MEMS0 = 8, ALLOW = 16, MEM_MAX = 32, PREF0 = 64 };

struct case_guard {
	const char *name;
	const char *fixture;
	unsigned plan;
	const char *err;         /* refused with this fragment */
	int warnings;
	const char *warn[2];     /* fragments of the warnings */
};

#define PANIC_REFUSED "vm.panic_on_oom is 2: an OOM inside the sandbox ("
#define PANIC_FIX "set vm.panic_on_oom to 0, or pass --allow-panic-on-oom"
#define UNBOUNDED "vm.overcommit_memory is 1 (always overcommit) and there is no --memory: " \
	"nothing bounds this sandbox's memory"
#define NODE_OOM "memory is bound to node 0 ("
#define NODE_FIX "whose victim the kernel may pick outside the sandbox; set --memory below "

static const struct case_guard guard_cases[] = {
	{ "defaults, nothing set", "proc-default", 0, NULL, 0, { 0 } },
	{ "defaults, --memory", "proc-default", MEM, NULL, 0, { 0 } },
	{ "panic_on_oom=2 + --memory refused", "proc-panic2", MEM,
	  PANIC_REFUSED "at its memory limit) would panic the whole host", 0, { 0 } },
	{ "panic_on_oom=2 refusal says how to proceed", "proc-panic2", MEM, PANIC_FIX, 0, { 0 } },
	{ "panic_on_oom=2 + --numa-bind refused", "proc-panic2", BIND0,
	  PANIC_REFUSED "on its bound NUMA nodes) would panic", 0, { 0 } },
	{ "panic_on_oom=2 + cpuset.mems refused", "proc-panic2", MEMS0, PANIC_REFUSED, 0, { 0 } },
	{ "panic_on_oom=2 + --allow-panic-on-oom runs, warned", "proc-panic2", MEM | ALLOW, NULL,
	  1, { "--allow-panic-on-oom is given: an OOM inside the sandbox will panic the host" } },
	{ "panic_on_oom=2 without a limit runs", "proc-panic2", 0, NULL, 0, { 0 } },
	{ "panic_on_oom=2 + memory.high only runs", "proc-panic2", HIGH, NULL, 0, { 0 } },
	{ "panic_on_oom=2 + --memory max runs", "proc-panic2", MEM_MAX, NULL, 0, { 0 } },
	{ "panic_on_oom=1 + --memory runs", "proc-panic1", MEM, NULL, 0, { 0 } },
	{ "overcommit=1 without --memory warned", "proc-overcommit1", 0, NULL, 1, { UNBOUNDED } },
	{ "overcommit=1 with memory.high only warned", "proc-overcommit1", HIGH, NULL, 1,
	  { UNBOUNDED } },
	{ "overcommit=1 with --memory max warned", "proc-overcommit1", MEM_MAX, NULL, 1,
	  { UNBOUNDED } },
	{ "overcommit=1 with --memory quiet", "proc-overcommit1", MEM, NULL, 0, { 0 } },
	{ "overcommit=2 quiet", "proc-strict", 0, NULL, 0, { 0 } },
	{ "--numa-bind without --memory warned", "proc-default", BIND0, NULL, 1,
	  { NODE_OOM, NODE_FIX } },
	{ "cpuset.mems without --memory warned", "proc-default", MEMS0, NULL, 1,
	  { NODE_OOM, NODE_FIX } },
	{ "--numa-bind with --memory quiet", "proc-default", BIND0 | MEM, NULL, 0, { 0 } },
	{ "--numa-preferred is no bind", "proc-default", PREF0, NULL, 0, { 0 } },
	{ "overcommit=1 + --numa-bind: both warnings", "proc-overcommit1", BIND0, NULL, 2,
	  { UNBOUNDED, NODE_OOM } },
	{ "unknown posture (no /proc) quiet", "no-such-proc", BIND0 | MEM, NULL, 0, { 0 } },
};

static void test_guard(void **state)
{
	const struct case_guard *c = *state;
	struct rf_diag_log log = { 0 };
	rf_diag diag = { rf_diag_log_collect, &log };
	rf_error err = { 0 };
	char root[4096];
	rf_plan plan;
	rf_host h;
	int rc;

	snprintf(root, sizeof(root), "%s/%s", RF_FIXTURES, c->fixture);
	rf_plan_init(&plan);
	if (c->plan & MEM)
		plan.limits.memory_max = (rf_opt_u64){ true, 64 << 20 };
	if (c->plan & MEM_MAX)
		plan.limits.memory_max = (rf_opt_u64){ true, RF_MAX };
	if (c->plan & HIGH)
		plan.limits.memory_high = (rf_opt_u64){ true, 64 << 20 };
	if (c->plan & (BIND0 | PREF0)) {
		plan.proc.mempolicy.mode = c->plan & BIND0 ? RF_MPOL_BIND : RF_MPOL_PREFERRED;
		rf_idset_add(&plan.proc.mempolicy.nodes, 0);
	}
	if (c->plan & MEMS0)
		plan.limits.cpuset_mems = strdup("0");
	plan.sup.allow_panic_on_oom = c->plan & ALLOW;
	/* What run reads: only the sysctls this plan's guard needs. */
	if (rf_host_read_guard_at(root, &plan, &h, &err) < 0)
		fail_msg("fixture: %s", err.msg);
	rc = rf_host_guard(&plan, &h, &diag, &err);
	rf_plan_free(&plan);
	if (c->err) {
		assert_int_equal(rc, -1);
		if (!strstr(err.msg, c->err))
			fail_msg("message \"%s\" lacks \"%s\"", err.msg, c->err);
		assert_int_equal(err.errnum, 0);
		return;
	}
	if (rc != 0)
		fail_msg("refused: %s", err.msg);
	if (log.warnings != c->warnings)
		fail_msg("%d warnings, want %d:\n%s", log.warnings, c->warnings, log.text);
	for (size_t i = 0; i < RF_ARRAY_SIZE(c->warn) && c->warn[i]; i++)
		if (!strstr(log.text, c->warn[i]))
			fail_msg("warnings lack \"%s\":\n%s", c->warn[i], log.text);
}

/* The suggested limit is node 0's size as this machine reports it. */
static void test_guard_node_size(void **state)
{
	struct rf_diag_log log = { 0 };
	rf_diag diag = { rf_diag_log_collect, &log };
	rf_error err = { 0 };
	char size[32], want[128];
	uint64_t bytes;
	rf_plan plan;
	rf_host h;

	assert_int_equal(rf_numa_node_size(0, &bytes, &err), 0);
	rf_format_size(bytes, size, sizeof(size));
	rf_plan_init(&plan);
	plan.proc.mempolicy.mode = RF_MPOL_BIND;
	rf_idset_add(&plan.proc.mempolicy.nodes, 0);
	assert_int_equal(rf_host_read_guard_at(RF_FIXTURES "/proc-default", &plan, &h, &err), 0);
	assert_int_equal(rf_host_guard(&plan, &h, &diag, &err), 0);
	rf_plan_free(&plan);
	snprintf(want, sizeof(want), "node 0 (%s)", size);
	assert_non_null(strstr(log.text, want));
	snprintf(want, sizeof(want), "set --memory below %s\n", size);
	assert_non_null(strstr(log.text, want));
}

/* This process's own /proc/self/status: a key is matched whole, the value
 * comes without its blanks and newline, and too small a buffer is "absent". */
static void test_self_status(void **state)
{
	char v[64], tiny[4];

	assert_int_equal(rf_host_self_status("Name", v, sizeof(v)), 1);
	assert_string_equal(v, "test-host");
	assert_int_equal(rf_host_self_status("Umask", v, sizeof(v)), 1);
	assert_int_equal(strlen(v), 4);
	assert_int_equal(rf_host_self_status("Cap", v, sizeof(v)), 0);
	assert_int_equal(rf_host_self_status("NoSuchKey", v, sizeof(v)), 0);
	assert_int_equal(rf_host_self_status("Name", tiny, sizeof(tiny)), 0);
}

/* run reads only the sysctls its plan's guard looks at (proc-panic2: 2 and 0). */
struct case_guard_reads {
	const char *name;
	unsigned plan;
	int panic, overcommit;
};

static const struct case_guard_reads guard_reads_cases[] = {
	{ "no limit: overcommit only", 0, -1, 0 },
	{ "--memory: panic_on_oom only", MEM, 2, -1 },
	{ "--memory max: overcommit only", MEM_MAX, -1, 0 },
	{ "--numa-bind: both", BIND0, 2, 0 },
	{ "--memory + cpuset.mems: panic_on_oom only", MEM | MEMS0, 2, -1 },
};

static void test_guard_reads(void **state)
{
	const struct case_guard_reads *c = *state;
	rf_error err = { 0 };
	rf_plan plan;
	rf_host h;

	rf_plan_init(&plan);
	if (c->plan & MEM)
		plan.limits.memory_max = (rf_opt_u64){ true, 64 << 20 };
	if (c->plan & MEM_MAX)
		plan.limits.memory_max = (rf_opt_u64){ true, RF_MAX };
	if (c->plan & BIND0) {
		plan.proc.mempolicy.mode = RF_MPOL_BIND;
		rf_idset_add(&plan.proc.mempolicy.nodes, 0);
	}
	if (c->plan & MEMS0)
		plan.limits.cpuset_mems = strdup("0");
	assert_int_equal(rf_host_read_guard_at(RF_FIXTURES "/proc-panic2", &plan, &h, &err), 0);
	rf_plan_free(&plan);
	assert_int_equal(h.panic_on_oom, c->panic);
	assert_int_equal(h.overcommit_memory, c->overcommit);
	assert_int_equal(h.overcommit_ratio, -1);
	assert_int_equal(h.oom_kill_allocating_task, -1);
	assert_true(h.mem_total == 0 && h.commit_limit == 0);
}

int main(void)
{
	struct rf_cases cases = { 0 };

	for (size_t i = 0; i < RF_ARRAY_SIZE(read_cases); i++)
		rf_case_add(&cases, test_read, &read_cases[i], "read %s", read_cases[i].fixture);
	rf_case_add(&cases, test_read_live, NULL, "read the live /proc");
	rf_case_add(&cases, test_self_status, NULL, "self status: one key's value");
	for (size_t i = 0; i < RF_ARRAY_SIZE(guard_cases); i++)
		rf_case_add(&cases, test_guard, &guard_cases[i], "guard: %s", guard_cases[i].name);
	rf_case_add(&cases, test_guard_node_size, NULL, "guard: suggests the bound node's size");
	for (size_t i = 0; i < RF_ARRAY_SIZE(guard_reads_cases); i++)
		rf_case_add(&cases, test_guard_reads, &guard_reads_cases[i], "guard reads: %s",
			    guard_reads_cases[i].name);
	return rf_cases_run(&cases, "host");
}
