/* src/verdict.c: classification from counter snapshots, the summary line and
 * the JSON verdict, over a table of endings. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "cases.h"
#include "ringfence/cleanup.h"
#include "ringfence/json.h"
#include "ringfence/verdict.h"

#define EXITED(code) ((code) << 8)
#define KILLED(sig) (sig)

struct case_verdict {
	const char *name;
	/* input */
	bool launched;
	int launch_code;
	int status;
	bool timed_out;
	int64_t oom, oom_kill, ancestor_oom, pids_hits;
	rf_oom_scope kmsg;
	bool plain;
	/* expected */
	rf_verdict_kind kind;
	int exit_code;
	rf_oom_scope scope;
	const char *summary;    /* fragment of the summary line */
};

static const struct case_verdict rows[] = {
	{ "exit 0", true, 0, EXITED(0), false, 0, 0, 0, 0, RF_SCOPE_NONE, false,
	  RF_VERDICT_EXITED, 0, RF_SCOPE_NONE, "exited with code 0" },
	{ "exit 3 passes through", true, 0, EXITED(3), false, 0, 0, 0, 0, RF_SCOPE_NONE, false,
	  RF_VERDICT_EXITED, 3, RF_SCOPE_NONE, "; exit 3" },
	{ "exit 255", true, 0, EXITED(255), false, 0, 0, 0, 0, RF_SCOPE_NONE, false,
	  RF_VERDICT_EXITED, 255, RF_SCOPE_NONE, "code 255" },
	{ "SIGTERM not from a limit", true, 0, KILLED(SIGTERM), false, 0, 0, 0, 0, RF_SCOPE_NONE,
	  false, RF_VERDICT_SIGNALED, 143, RF_SCOPE_NONE, "killed by signal 15 (SIGTERM)" },
	{ "SIGKILL without OOM is a plain signal", true, 0, KILLED(SIGKILL), false, 0, 0, 0, 0,
	  RF_SCOPE_NONE, false, RF_VERDICT_SIGNALED, 137, RF_SCOPE_NONE, "signal 9" },
	{ "OOM at own limit", true, 0, KILLED(SIGKILL), false, 1, 1, 0, 0, RF_SCOPE_NONE, false,
	  RF_VERDICT_OOM_LIMIT, 121, RF_SCOPE_LIMIT, "killed by OOM at memory limit 64.0M" },
	{ "OOM at own limit, plain exit", true, 0, KILLED(SIGKILL), false, 1, 1, 0, 0,
	  RF_SCOPE_NONE, true, RF_VERDICT_OOM_LIMIT, 137, RF_SCOPE_LIMIT, "; exit 137" },
	{ "OOM from a parent's limit", true, 0, KILLED(SIGKILL), false, 0, 1, 1, 0, RF_SCOPE_NONE,
	  false, RF_VERDICT_OOM_EXTERNAL, 122, RF_SCOPE_ANCESTOR, "a parent cgroup's limit" },
	{ "global OOM, kmsg says host", true, 0, KILLED(SIGKILL), false, 0, 1, 0, 0, RF_SCOPE_HOST,
	  false, RF_VERDICT_OOM_EXTERNAL, 122, RF_SCOPE_HOST, "the host ran out of memory" },
	{ "node OOM, kmsg says node", true, 0, KILLED(SIGKILL), false, 0, 1, 0, 0, RF_SCOPE_NODE,
	  false, RF_VERDICT_OOM_EXTERNAL, 122, RF_SCOPE_NODE, "a NUMA node ran out" },
	{ "OOM outside, no kmsg", true, 0, KILLED(SIGKILL), false, 0, 1, 0, 0, RF_SCOPE_NONE, false,
	  RF_VERDICT_OOM_EXTERNAL, 122, RF_SCOPE_EXTERNAL, "outside the sandbox" },
	{ "own limit wins over kmsg", true, 0, KILLED(SIGKILL), false, 2, 2, 0, 0, RF_SCOPE_HOST,
	  false, RF_VERDICT_OOM_LIMIT, 121, RF_SCOPE_LIMIT, "2 processes killed by OOM" },
	{ "child OOM-killed, main exits 0 (no oom.group)", true, 0, EXITED(0), false, 1, 1, 0, 0,
	  RF_SCOPE_NONE, false, RF_VERDICT_EXITED, 0, RF_SCOPE_LIMIT, "1 process killed by OOM" },
	{ "limit hit, reclaimed, no kill", true, 0, EXITED(0), false, 1, 0, 0, 0, RF_SCOPE_NONE,
	  false, RF_VERDICT_EXITED, 0, RF_SCOPE_NONE, "exited with code 0" },
	{ "timeout by SIGTERM", true, 0, KILLED(SIGTERM), true, 0, 0, 0, 0, RF_SCOPE_NONE, false,
	  RF_VERDICT_TIMEOUT, 124, RF_SCOPE_NONE, "timed out: SIGTERM" },
	{ "timeout, command exits on SIGTERM itself", true, 0, EXITED(1), true, 0, 0, 0, 0,
	  RF_SCOPE_NONE, false, RF_VERDICT_TIMEOUT, 124, RF_SCOPE_NONE, "; exit 124" },
	{ "timeout, plain exit", true, 0, KILLED(SIGTERM), true, 0, 0, 0, 0, RF_SCOPE_NONE, true,
	  RF_VERDICT_TIMEOUT, 143, RF_SCOPE_NONE, "; exit 143" },
	{ "fork limit hit, exit 0", true, 0, EXITED(0), false, 0, 0, 0, 37, RF_SCOPE_NONE, false,
	  RF_VERDICT_EXITED, 0, RF_SCOPE_NONE, "hit the pids limit 37 times" },
	{ "not found", false, 127, 0, false, 0, 0, 0, 0, RF_SCOPE_NONE, false,
	  RF_VERDICT_LAUNCH_FAILED, 127, RF_SCOPE_NONE, "nope: command not found" },
	{ "not executable", false, 126, 0, false, 0, 0, 0, 0, RF_SCOPE_NONE, false,
	  RF_VERDICT_LAUNCH_FAILED, 126, RF_SCOPE_NONE, "nope" },
	{ "setup failed", false, 125, 0, false, 0, 0, 0, 0, RF_SCOPE_NONE, true,
	  RF_VERDICT_LAUNCH_FAILED, 125, RF_SCOPE_NONE, "nope" },
};

static void fill(rf_verdict *v, const struct case_verdict *c)
{
	memset(v, 0, sizeof(*v));
	rf_counters_init(&v->c);
	v->o.launched = c->launched;
	v->o.launch_code = c->launch_code;
	snprintf(v->o.launch_msg, sizeof(v->o.launch_msg), "nope: command not found");
	v->o.wait_status = c->status;
	v->o.timed_out = c->timed_out;
	v->o.kmsg_scope = c->kmsg;
	v->o.wall_ms = 1234;
	v->c.mem_oom = c->oom;
	v->c.mem_oom_kill = c->oom_kill;
	v->c.ancestor_oom = c->ancestor_oom;
	v->c.pids_max_events = c->pids_hits;
	v->c.memory_max = 64 << 20;
	v->c.memory_peak = 64 << 20;
	snprintf(v->cgroup, sizeof(v->cgroup), "/ringfence/t");
}

static void test_classify(void **state)
{
	const struct case_verdict *c = *state;
	char line[1024];
	rf_verdict v;

	fill(&v, c);
	rf_verdict_classify(&v, c->plain);
	assert_string_equal(rf_verdict_kind_name(v.kind), rf_verdict_kind_name(c->kind));
	assert_int_equal(v.exit_code, c->exit_code);
	assert_int_equal(v.scope, c->scope);
	rf_verdict_summary(&v, line, sizeof(line));
	if (!strstr(line, c->summary))
		fail_msg("summary \"%s\" lacks \"%s\"", line, c->summary);
}

/* The JSON verdict parses and carries the contract's keys and values. */
static void test_json(void **state)
{
	const struct case_verdict *c = *state;
	cleanup_free char *text = NULL;
	const rf_json *oom, *status;
	size_t len = 0;
	rf_json *root;
	rf_verdict v;
	rf_error err;
	int64_t n;

	fill(&v, c);
	rf_verdict_classify(&v, c->plain);
	assert_int_equal(rf_verdict_json(&v, &text, &len, &err), 0);
	assert_int_equal(strlen(text), len);
	root = rf_json_parse(text, len, &err);
	if (!root)
		fail_msg("invalid JSON %s: %s", text, err.msg);
	assert_string_equal(rf_json_str(rf_json_get(root, "verdict")), rf_verdict_kind_name(c->kind));
	assert_int_equal(rf_json_i64(rf_json_get(root, "exit_code"), &n), 0);
	assert_int_equal(n, c->exit_code);
	status = rf_json_get(root, "status");
	assert_non_null(status);
	assert_int_equal(rf_json_typeof(rf_json_get(status, "code")),
			 c->launched && WIFEXITED(c->status) ? RF_JSON_NUMBER : RF_JSON_NULL);
	oom = rf_json_get(root, "oom");
	assert_non_null(oom);
	if (c->scope == RF_SCOPE_NONE)
		assert_int_equal(rf_json_typeof(rf_json_get(oom, "scope")), RF_JSON_NULL);
	else
		assert_string_equal(rf_json_str(rf_json_get(oom, "scope")), rf_oom_scope_name(c->scope));
	/* Counters the snapshot lacks are null, never invented. */
	assert_int_equal(rf_json_typeof(rf_json_get(rf_json_get(root, "cpu"), "usage_usec")),
			 RF_JSON_NULL);
	assert_int_equal(rf_json_typeof(rf_json_get(rf_json_get(root, "pids"), "peak")), RF_JSON_NULL);
	assert_int_equal(rf_json_i64(rf_json_get(rf_json_get(root, "memory"), "max"), &n), 0);
	assert_int_equal(n, 64 << 20);
	assert_int_equal(rf_json_i64(rf_json_get(root, "wall_time_ms"), &n), 0);
	assert_int_equal(rf_json_typeof(rf_json_get(root, "forwarded_signal")), RF_JSON_NULL);
	assert_int_equal(n, 1234);
	assert_string_equal(rf_json_str(rf_json_get(root, "cgroup")), "/ringfence/t");
	rf_json_free(root);
}

/* A container's process: its parent reaped it, only the counters are ours. */
struct case_container {
	const char *name;
	int64_t oom, oom_kill, ancestor_oom;
	rf_verdict_kind kind;
	rf_oom_scope scope;
	const char *summary;
};

static const struct case_container containers[] = {
	{ "ended, no OOM", 0, 0, 0, RF_VERDICT_STOPPED, RF_SCOPE_NONE, "its exit status went to" },
	{ "OOM at its own limit", 1, 1, 0, RF_VERDICT_OOM_LIMIT, RF_SCOPE_LIMIT, "at memory limit" },
	{ "OOM from a parent's limit", 0, 1, 1, RF_VERDICT_OOM_EXTERNAL, RF_SCOPE_ANCESTOR,
	  "a parent cgroup's limit" },
	{ "limit hit, reclaimed", 3, 0, 0, RF_VERDICT_STOPPED, RF_SCOPE_NONE, "stopped" },
};

static void test_container(void **state)
{
	const struct case_container *c = *state;
	cleanup_free char *text = NULL;
	char line[1024];
	size_t len = 0;
	rf_json *root;
	rf_verdict v;
	rf_error err;

	memset(&v, 0, sizeof(v));
	rf_counters_init(&v.c);
	v.o.launched = true;
	v.o.status_unknown = true;
	v.c.mem_oom = c->oom;
	v.c.mem_oom_kill = c->oom_kill;
	v.c.ancestor_oom = c->ancestor_oom;
	v.c.memory_max = 64 << 20;
	rf_verdict_classify(&v, false);
	assert_string_equal(rf_verdict_kind_name(v.kind), rf_verdict_kind_name(c->kind));
	assert_int_equal(v.scope, c->scope);
	rf_verdict_summary(&v, line, sizeof(line));
	if (!strstr(line, c->summary) || strstr(line, "; exit"))
		fail_msg("summary \"%s\": wants \"%s\" and no exit code", line, c->summary);
	assert_int_equal(rf_verdict_json(&v, &text, &len, &err), 0);
	root = rf_json_parse(text, len, &err);
	assert_non_null(root);
	/* the exit status is not ours to report */
	assert_int_equal(rf_json_typeof(rf_json_get(root, "exit_code")), RF_JSON_NULL);
	assert_int_equal(rf_json_typeof(rf_json_get(rf_json_get(root, "status"), "code")),
			 RF_JSON_NULL);
	rf_json_free(root);
}

struct case_size {
	uint64_t bytes;
	const char *want;
};

static const struct case_size sizes[] = {
	{ 0, "0B" }, { 1023, "1023B" }, { 1024, "1.0K" }, { 64 << 20, "64.0M" },
	{ 1536ULL << 20, "1.5G" }, { 1ULL << 40, "1.0T" },
};

static void test_size(void **state)
{
	const struct case_size *c = *state;
	char buf[32];

	rf_format_size(c->bytes, buf, sizeof(buf));
	assert_string_equal(buf, c->want);
}

struct case_killed {
	int64_t oom_kill, group_kill, want;
};

static const struct case_killed killed[] = {
	{ RF_NA, RF_NA, 0 },     /* no memory controller data */
	{ 0, 0, 0 },
	{ 1, 0, 1 },             /* --no-oom-group: one victim */
	{ 1, RF_NA, 1 },         /* kernel without oom_group_kill */
	{ 2, 1, 1 },             /* group kill of a lone process: victim counted twice */
	{ 4, 1, 3 },             /* group of three */
	{ 8, 2, 6 },             /* two group kills of three */
};

static void test_killed(void **state)
{
	const struct case_killed *c = *state;
	rf_counters cn;

	rf_counters_init(&cn);
	cn.mem_oom_kill = c->oom_kill;
	cn.mem_oom_group_kill = c->group_kill;
	assert_int_equal(rf_oom_processes_killed(&cn), c->want);
}

int main(void)
{
	static struct rf_cases cases;

	for (size_t i = 0; i < RF_ARRAY_SIZE(rows); i++) {
		rf_case_add(&cases, test_classify, &rows[i], "classify: %s", rows[i].name);
		rf_case_add(&cases, test_json, &rows[i], "json: %s", rows[i].name);
	}
	for (size_t i = 0; i < RF_ARRAY_SIZE(containers); i++)
		rf_case_add(&cases, test_container, &containers[i], "container: %s", containers[i].name);
	for (size_t i = 0; i < RF_ARRAY_SIZE(sizes); i++)
		rf_case_add(&cases, test_size, &sizes[i], "size %s", sizes[i].want);
	for (size_t i = 0; i < RF_ARRAY_SIZE(killed); i++)
		rf_case_add(&cases, test_killed, &killed[i], "processes killed: oom_kill %lld, group %lld",
			    (long long)killed[i].oom_kill, (long long)killed[i].group_kill);
	return rf_cases_run(&cases, "verdict");
}
