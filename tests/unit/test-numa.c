/* src/numa.c and src/kmsg.c: memory.numa_stat parsing and per-node peaks,
 * node/CPU lists checked against this machine, the memory policy applied in a
 * child, and the kernel's OOM report line mapped to a scope. */
#include "config.h"

#include <numaif.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "ringfence/cleanup.h"
#include "ringfence/kmsg.h"
#include "ringfence/numa.h"
#include "ringfence/plan.h"
#include "ringfence/verdict.h"

#define NA RF_NA

#ifndef MPOL_F_STATIC_NODES
#define MPOL_F_STATIC_NODES (1 << 15)
#define MPOL_F_RELATIVE_NODES (1 << 14)
#endif

static void counters_reset(rf_counters *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < RF_ARRAY_SIZE(c->numa_peak); i++)
		c->numa_peak[i] = NA;
}

/* ---- memory.numa_stat ---- */

/* Abridged from a 6.1 kernel; the parser must skip every other line. */
#define STAT(anon, file)                                                                  \
	"anon " anon "\n" "file " file "\n"                                                \
	"kernel_stack N0=16384 N1=0\n" "shmem N0=0 N1=0\n" "file_mapped N0=4096 N1=0\n"   \
	"anon_thp N0=2097152 N1=0\n" "file_thp N0=0 N1=0\n" "unevictable N0=0 N1=0\n"

struct case_stat {
	const char *name;
	const char *samples[3];  /* applied in order to one rf_counters */
	size_t n_numa;
	int64_t peak[4];
	const char *err;         /* a message fragment when the last sample is rejected */
};

static const struct case_stat stat_cases[] = {
	{ "one node", { STAT("N0=4096", "N0=8192") }, 1, { 12288, NA, NA, NA }, NULL },
	{ "two nodes", { STAT("N0=1048576 N1=2097152", "N0=0 N1=4096") }, 2,
	  { 1048576, 2101248, NA, NA }, NULL },
	{ "empty leaf", { STAT("N0=0 N1=0", "N0=0 N1=0") }, 2, { 0, 0, NA, NA }, NULL },
	{ "peaks are kept per node",
	  { STAT("N0=1000 N1=0", "N0=0 N1=0"), STAT("N0=10 N1=5000", "N0=0 N1=0"),
	    STAT("N0=0 N1=0", "N0=0 N1=0") },
	  2, { 1000, 5000, NA, NA }, NULL },
	{ "sparse nodes", { STAT("N0=1 N2=3", "N0=1 N2=3") }, 3, { 2, NA, 6, NA }, NULL },
	{ "anon_thp is not anon", { "anon_thp N0=99\nanon N0=1\nfile N0=2\nfile_dirty N0=77\n" },
	  1, { 3, NA, NA, NA }, NULL },
	{ "no trailing newline", { "anon N0=1 N1=2\nfile N0=3 N1=4" }, 2, { 4, 6, NA, NA }, NULL },
	{ "node beyond the counters is not kept", { STAT("N0=1 N64=5", "N0=1 N64=5") }, 1,
	  { 2, NA, NA, NA }, NULL },
	/* bad */
	{ "empty file", { "" }, 0, { NA, NA, NA, NA }, "expected one `anon` and one `file` line" },
	{ "no file line", { "anon N0=1\n" }, 0, { NA, NA, NA, NA }, "found 1" },
	{ "value not a number", { STAT("N0=abc", "N0=1") }, 0, { NA, NA, NA, NA },
	  "`abc` is not a number" },
	{ "field without N", { STAT("X0=1", "N0=1") }, 0, { NA, NA, NA, NA },
	  "unexpected field `X0=1`" },
	{ "field without =", { STAT("N0", "N0=1") }, 0, { NA, NA, NA, NA },
	  "unexpected field `N0`" },
	{ "node id too large", { STAT("N1024=1", "N0=1") }, 0, { NA, NA, NA, NA },
	  "`1024` is out of range" },
	{ "negative value", { STAT("N0=-1", "N0=1") }, 0, { NA, NA, NA, NA },
	  "`-1` is not a number" },
};

static void test_stat(void **state)
{
	const struct case_stat *c = *state;
	rf_counters ctr;
	rf_error err = { 0 };
	int rc = 0;

	counters_reset(&ctr);
	for (size_t i = 0; i < RF_ARRAY_SIZE(c->samples) && c->samples[i]; i++)
		rc = rf_numa_parse_stat(c->samples[i], &ctr, &err);
	if (c->err) {
		assert_int_equal(rc, -1);
		if (!strstr(err.msg, c->err))
			fail_msg("message \"%s\" lacks \"%s\"", err.msg, c->err);
		assert_non_null(strstr(err.msg, "memory.numa_stat"));
		assert_int_equal(ctr.n_numa, 0);
		return;
	}
	if (rc != 0)
		fail_msg("rejected: %s", err.msg);
	assert_int_equal(ctr.n_numa, c->n_numa);
	for (size_t n = 0; n < RF_ARRAY_SIZE(c->peak); n++)
		if (ctr.numa_peak[n] != c->peak[n])
			fail_msg("node %zu: peak %lld, want %lld", n, (long long)ctr.numa_peak[n],
				 (long long)c->peak[n]);
}

/* ---- node and CPU lists against this machine ---- */

static unsigned first_missing(const rf_idset *s)
{
	unsigned id = 0;

	while (rf_idset_has(s, id))
		id++;
	return id;
}

static void test_nodes_online(void **state)
{
	rf_idset conf, usable, got;
	rf_error err = { 0 };
	char list[256], want[512], in[16];
	int top = rf_numa_nodes(&conf, &usable);
	unsigned bad = first_missing(&conf);

	assert_true(top >= 1);
	assert_int_equal(rf_numa_node_count(), top);
	assert_true(rf_idset_has(&usable, 0) || !rf_idset_empty(&usable));
	/* Every usable node is accepted, as a list in canonical form. */
	rf_idset_format(&usable, list, sizeof(list));
	assert_int_equal(rf_numa_parse_nodes(list, &got, &err), 0);
	assert_memory_equal(&got, &usable, sizeof(got));
	/* The first node that does not exist is refused with the list that does. */
	snprintf(in, sizeof(in), "%u", bad);
	assert_int_equal(rf_numa_parse_nodes(in, &got, &err), -1);
	snprintf(want, sizeof(want), "node %u is not online (online nodes: %s)", bad,
		 rf_idset_format(&conf, list, sizeof(list)));
	assert_string_equal(err.msg, want);
	/* Bad syntax gets the id-list parser's message. */
	assert_int_equal(rf_numa_parse_nodes("0-", &got, &err), -1);
	assert_non_null(strstr(err.msg, "is not an id list"));
	assert_int_equal(rf_numa_parse_nodes("", &got, &err), -1);
}

static void test_node_size(void **state)
{
	rf_idset conf, usable;
	rf_error err = { 0 };
	uint64_t total = 0, free_b = 0;

	rf_numa_nodes(&conf, &usable);
	assert_int_equal(rf_numa_node_meminfo(0, &total, &free_b, &err), 0);
	assert_true(total > 1024 * 1024);
	assert_true(free_b <= total);
	assert_int_equal(rf_numa_node_size(first_missing(&conf), &total, &err), -1);
	assert_non_null(strstr(err.msg, "is not online (online nodes: "));
}

static void test_cpus_online(void **state)
{
	rf_idset got;
	rf_error err = { 0 };
	long n = sysconf(_SC_NPROCESSORS_CONF);
	char in[96];

	assert_int_equal(rf_numa_parse_cpus("0", &got, &err), 0);
	assert_true(rf_idset_has(&got, 0));
	snprintf(in, sizeof(in), "0,%ld", n);
	assert_int_equal(rf_numa_parse_cpus(in, &got, &err), -1);
	snprintf(in, sizeof(in), "cpu %ld is not online (online cpus: ", n);
	if (!strstr(err.msg, in))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, in);
	assert_int_equal(rf_numa_parse_cpus("x", &got, &err), -1);
}

/* ---- the memory policy, applied in a child ---- */

struct case_mpol {
	const char *name;
	rf_mpol_mode mode;
	unsigned flags;
	int want_mode;          /* as get_mempolicy reports it */
	const char *err;
};

static const struct case_mpol mpol_cases[] = {
	{ "none leaves the default", RF_MPOL_NONE, 0, MPOL_DEFAULT, NULL },
	{ "bind", RF_MPOL_BIND, 0, MPOL_BIND, NULL },
	{ "preferred", RF_MPOL_PREFERRED, 0, MPOL_PREFERRED, NULL },
	{ "interleave", RF_MPOL_INTERLEAVE, 0, MPOL_INTERLEAVE, NULL },
	{ "local", RF_MPOL_LOCAL, 0, MPOL_LOCAL, NULL },
	{ "bind static", RF_MPOL_BIND, MPOL_F_STATIC_NODES, MPOL_BIND, NULL },
	{ "unknown flag", RF_MPOL_BIND, 1, 0, "unknown memory policy flags 0x1" },
	{ "local with static nodes", RF_MPOL_LOCAL, MPOL_F_STATIC_NODES, 0,
	  "set_mempolicy(MPOL_LOCAL" },
};

static void mpol_child(const struct case_mpol *c)
{
	rf_mempolicy mp = { .mode = c->mode, .flags = c->flags };
	unsigned long mask[RF_ID_WORDS] = { 0 };
	rf_error err = { 0 };
	int mode = -1;

	if (c->mode != RF_MPOL_LOCAL)
		rf_idset_add(&mp.nodes, 0);
	if (rf_numa_apply(&mp, &err) < 0) {
		if (c->err && strstr(err.msg, c->err))
			_exit(0);
		fprintf(stderr, "apply: %s\n", err.msg);
		_exit(1);
	}
	if (c->err) {
		fprintf(stderr, "accepted, expected \"%s\"\n", c->err);
		_exit(1);
	}
	if (syscall(SYS_get_mempolicy, &mode, mask, (unsigned long)RF_MAX_IDS + 1, NULL, 0UL) < 0)
		_exit(2);
	mode &= ~(MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES);
	if (mode != c->want_mode) {
		fprintf(stderr, "mode %d, want %d\n", mode, c->want_mode);
		_exit(1);
	}
	if ((c->want_mode == MPOL_BIND || c->want_mode == MPOL_INTERLEAVE ||
	     c->want_mode == MPOL_PREFERRED) && mask[0] != 1) {
		fprintf(stderr, "nodemask %#lx, want 0x1\n", mask[0]);
		_exit(1);
	}
	_exit(0);
}

static void test_mpol(void **state)
{
	const struct case_mpol *c = *state;
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		mpol_child(c);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- the kernel's OOM report ---- */

#define LEAF "/ringfence/run-42-0badf00d"
#define REC "6,2381,73460921,-;"

struct case_kmsg {
	const char *name;
	const char *line;
	rf_oom_scope want;
};

static const struct case_kmsg kmsg_cases[] = {
	{ "own limit",
	  REC "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0-1,"
	  "oom_memcg=" LEAF ",task_memcg=" LEAF ",task=memhog,pid=312,uid=0", RF_SCOPE_LIMIT },
	{ "without the record header",
	  "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
	  "oom_memcg=" LEAF ",task_memcg=" LEAF ",task=memhog,pid=312,uid=0", RF_SCOPE_LIMIT },
	{ "a parent's limit",
	  REC "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0-1,"
	  "oom_memcg=/ringfence,task_memcg=" LEAF ",task=memhog,pid=312,uid=0", RF_SCOPE_ANCESTOR },
	{ "global shortage",
	  REC "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0-1,"
	  "global_oom,task_memcg=" LEAF ",task=memhog,pid=312,uid=0", RF_SCOPE_HOST },
	{ "mempolicy bind, nodemask with a comma",
	  REC "oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,nodemask=0,2,cpuset=/,"
	  "mems_allowed=0-2,global_oom,task_memcg=" LEAF ",task=memhog,pid=312,uid=0",
	  RF_SCOPE_NODE },
	{ "cpuset.mems",
	  REC "oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=" LEAF
	  ",mems_allowed=0,global_oom,task_memcg=" LEAF ",task=memhog,pid=312,uid=0",
	  RF_SCOPE_NODE },
	{ "a child cgroup of the leaf",
	  REC "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
	  "oom_memcg=" LEAF ",task_memcg=" LEAF "/inner,task=sh,pid=9,uid=0", RF_SCOPE_LIMIT },
	{ "seen from a cgroup namespace (prefix above our root)",
	  REC "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
	  "oom_memcg=/machine/ct1" LEAF ",task_memcg=/machine/ct1" LEAF ",task=x,pid=9,uid=0",
	  RF_SCOPE_LIMIT },
	{ "another cgroup's task",
	  REC "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0-1,"
	  "global_oom,task_memcg=/system.slice/db.service,task=postgres,pid=77,uid=110",
	  RF_SCOPE_NONE },
	{ "a sibling whose name extends ours",
	  REC "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
	  "oom_memcg=" LEAF "x,task_memcg=" LEAF "x,task=memhog,pid=312,uid=0", RF_SCOPE_NONE },
	{ "a victim elsewhere whose comm names our leaf",
	  REC "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,"
	  "global_oom,task_memcg=/user.slice,task=" LEAF ",pid=5,uid=1000", RF_SCOPE_NONE },
	{ "not an oom-kill line",
	  REC "Memory cgroup out of memory: Killed process 312 (memhog) total-vm:1000kB",
	  RF_SCOPE_NONE },
	{ "oom-kill text inside another message",
	  REC "audit: comm=\"oom-kill:constraint=CONSTRAINT_NONE,task_memcg=" LEAF ",task=a\"",
	  RF_SCOPE_NONE },
	{ "unknown constraint",
	  REC "oom-kill:constraint=CONSTRAINT_FUTURE,nodemask=(null),cpuset=/,mems_allowed=0,"
	  "global_oom,task_memcg=" LEAF ",task=memhog,pid=312,uid=0", RF_SCOPE_NONE },
	{ "truncated before task=",
	  REC "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
	  "oom_memcg=" LEAF ",task_memcg=" LEAF, RF_SCOPE_NONE },
	{ "empty", "", RF_SCOPE_NONE },
};

static void test_kmsg(void **state)
{
	const struct case_kmsg *c = *state;
	rf_oom_scope got = rf_kmsg_parse_line(c->line, LEAF);

	if (got != c->want)
		fail_msg("scope %d, want %d", (int)got, (int)c->want);
}

/* An unreadable /dev/kmsg or a bad fd is "unknown", never an error. */
static void test_kmsg_scan(void **state)
{
	int fd = rf_kmsg_open();

	assert_int_equal(rf_kmsg_scan(-1, LEAF), RF_SCOPE_NONE);
	if (fd < 0)
		skip();
	/* Positioned at the end: the records already logged are not ours. */
	assert_int_equal(rf_kmsg_scan(fd, LEAF), RF_SCOPE_NONE);
	close(fd);
}

int main(void)
{
	struct rf_cases cases = { 0 };

	for (size_t i = 0; i < RF_ARRAY_SIZE(stat_cases); i++)
		rf_case_add(&cases, test_stat, &stat_cases[i], "numa_stat: %s", stat_cases[i].name);
	rf_case_add(&cases, test_nodes_online, NULL, "nodes: checked against the online nodes");
	rf_case_add(&cases, test_node_size, NULL, "nodes: size of node 0, missing node refused");
	rf_case_add(&cases, test_cpus_online, NULL, "cpus: checked against the online cpus");
	for (size_t i = 0; i < RF_ARRAY_SIZE(mpol_cases); i++)
		rf_case_add(&cases, test_mpol, &mpol_cases[i], "mempolicy: %s", mpol_cases[i].name);
	for (size_t i = 0; i < RF_ARRAY_SIZE(kmsg_cases); i++)
		rf_case_add(&cases, test_kmsg, &kmsg_cases[i], "kmsg: %s", kmsg_cases[i].name);
	rf_case_add(&cases, test_kmsg_scan, NULL, "kmsg: scan from the end sees nothing old");
	return rf_cases_run(&cases, "numa");
}
