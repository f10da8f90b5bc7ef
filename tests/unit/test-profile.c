/* src/profile*.c: the built-in profiles, a `crun spec` config.json, the
 * conversions runc/crun make, every kind of bad input naming its JSON path,
 * the report of unimplemented keys, lookup and listing. The dump's round trip
 * is in test-profile-dump.c. */
#include "config.h"

#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cases.h"
#include "profile-helpers.h"
#include "ringfence/caps.h"
#include "ringfence/cleanup.h"
#include "ringfence/plan.h"
#include "ringfence/profile.h"

#define KiB UINT64_C(1024)
#define MiB (KiB * 1024)
#define GiB (MiB * 1024)

/* ================================================================ built-in profiles */

struct builtin {
	const char *name;
	uint64_t memory_max;
	bool swap_set;           /* the profile states memory.swap.max itself */
	uint64_t pids_max;
	uint64_t cpu_quota_us;   /* RF_MAX: "max" */
	int ns_flags;
	bool ro_root;
	uint64_t tmp_size;       /* the private /tmp, 0 = none */
	uint64_t timeout_ms;
	bool no_caps;
	rf_seccomp_mode seccomp;
	bool oom_adj_set;
	uint64_t memlock;        /* 0: not set */
	bool terminal;           /* states process.terminal */
};

#define ALL_NS (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | \
		CLONE_NEWCGROUP | CLONE_NEWUSER)

static const struct builtin builtins[] = {
	{ "untrusted", 512 * MiB, true, 128, 100000, ALL_NS, true, 64 * MiB, 0, true,
	  RF_SECCOMP_DEFAULT, true, 64 * KiB, false },
	{ "ci-job", 4 * GiB, false, 4096, RF_MAX, CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNS, false,
	  GiB, 3600 * 1000, false, RF_SECCOMP_NONE, false, 0, false },
	{ "shell", GiB, false, 256, 100000,
	  CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS, false, 0, 0, false,
	  RF_SECCOMP_NONE, false, 0, true },
};

static void test_builtin(void **state)
{
	const struct builtin *b = *state;
	cleanup_free char *dir = source_path("profiles");
	const rf_diag diag = { .emit = capture_emit, .userdata = &(struct capture){ 0 } };
	const rf_limits *l;
	rf_error err = { 0 };
	rf_plan plan;

	setenv("RINGFENCE_PROFILE_PATH", dir, 1);
	rf_plan_init(&plan);
	/* strict: a built-in profile uses nothing ringfence does not implement */
	if (rf_profile_load(b->name, &plan, true, &diag, &err) < 0)
		fail_msg("%s: %s", b->name, err.msg);
	assert_int_equal(((struct capture *)diag.userdata)->warnings, 0);
	l = &plan.limits;
	assert_true(l->memory_max.set);
	assert_int_equal(l->memory_max.v, b->memory_max);
	assert_int_equal(l->swap_max.set, b->swap_set);
	if (b->swap_set)
		assert_int_equal(l->swap_max.v, 0);
	assert_true(l->pids_max.set);
	assert_int_equal(l->pids_max.v, b->pids_max);
	assert_true(l->cpu_quota_us.set);
	assert_int_equal(l->cpu_quota_us.v, b->cpu_quota_us);
	assert_int_equal(l->cpu_period_us, 100000);
	assert_true(l->oom_group);
	assert_int_equal(plan.iso.ns_flags, b->ns_flags);
	assert_int_equal(plan.iso.ro_root, b->ro_root);
	assert_int_equal(plan.iso.n_mounts, b->tmp_size ? 1 : 0);
	if (b->tmp_size) {
		assert_int_equal(plan.iso.mounts[0].kind, RF_MOUNT_TMPFS);
		assert_string_equal(plan.iso.mounts[0].dst, "/tmp");
		assert_int_equal(plan.iso.mounts[0].size, b->tmp_size);
	}
	assert_int_equal(plan.sup.timeout_ms, b->timeout_ms);
	assert_int_equal(plan.proc.caps_set, b->no_caps);
	assert_int_equal(plan.proc.caps, 0);
	assert_int_equal(plan.proc.seccomp_mode, b->seccomp);
	assert_int_equal(plan.proc.oom_score_adj.set, b->oom_adj_set);
	if (b->oom_adj_set)
		assert_int_equal(plan.proc.oom_score_adj.v, 1000);
	assert_int_equal(plan.proc.rlimits[RLIMIT_MEMLOCK].set, b->memlock != 0);
	if (b->memlock) {
		assert_int_equal(plan.proc.rlimits[RLIMIT_MEMLOCK].soft, b->memlock);
		assert_int_equal(plan.proc.rlimits[RLIMIT_MEMLOCK].hard, b->memlock);
	}
	assert_null(plan.proc.argv);
	assert_string_equal(plan.profile, b->name);
	rf_plan_free(&plan);
}

/* ================================================================ a `crun spec` config.json */

static void test_crun_spec(void **state)
{
	cleanup_free char *path = source_path("tests/fixtures/profiles/crun-spec.json");
	struct capture cap = { 0 };
	const rf_diag diag = { .emit = capture_emit, .userdata = &cap };
	static const char *const ignored[] = {
		"root.path", "mounts (/proc /dev /dev/pts /dev/shm /dev/mqueue /sys /sys/fs/cgroup: "
		"ringfence keeps the host's",
	};
	const rf_process *p;
	const rf_limits *l;
	rf_error err = { 0 };
	rf_plan plan;

	rf_plan_init(&plan);
	if (rf_profile_load(path, &plan, false, &diag, &err) < 0)
		fail_msg("%s", err.msg);
	/* one warning lists everything left out */
	assert_int_equal(cap.warnings, 1);
	for (size_t i = 0; i < RF_ARRAY_SIZE(ignored); i++)
		assert_contains(cap.last, ignored[i]);
	l = &plan.limits;
	assert_int_equal(l->memory_max.v, 256 * MiB);
	assert_int_equal(l->memory_low.v, 128 * MiB);
	assert_int_equal(l->swap_max.v, 256 * MiB);  /* 512M memory+swap - 256M */
	assert_int_equal(l->pids_max.v, 100);
	assert_int_equal(l->cpu_quota_us.v, 50000);
	assert_int_equal(l->cpu_period_us, 100000);
	assert_int_equal(l->cpu_weight.v, 39);        /* shares 1024 */
	assert_string_equal(l->cpuset_cpus, "0");
	assert_string_equal(l->cpuset_mems, "0");
	assert_int_equal(l->memory_high.v, 200 * MiB);
	assert_int_equal(l->n_unified, 1);
	assert_string_equal(l->unified[0].key, "io.weight");
	assert_string_equal(l->unified[0].value, "default 100");
	p = &plan.proc;
	assert_string_equal(p->argv[0], "sh");
	assert_null(p->argv[1]);
	assert_string_equal(p->cwd, "/");
	assert_int_equal(p->n_env, 2);
	assert_string_equal(p->env[1].key, "TERM");
	assert_string_equal(p->env[1].value, "xterm");
	assert_true(p->user_set);
	assert_int_equal(p->uid, 0);
	assert_true(p->caps_set);
	assert_int_equal(p->caps, (1ULL << rf_cap_lookup("CAP_AUDIT_WRITE")) |
				  (1ULL << rf_cap_lookup("CAP_KILL")) |
				  (1ULL << rf_cap_lookup("CAP_NET_BIND_SERVICE")));
	assert_true(p->rlimits[RLIMIT_NOFILE].set);
	assert_int_equal(p->rlimits[RLIMIT_NOFILE].hard, 1024);
	assert_string_equal(plan.iso.hostname, "crun");
	assert_true(plan.iso.ro_root);
	assert_int_equal(plan.iso.n_mounts, 0);
	assert_int_equal(plan.iso.ns_flags, CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
				      CLONE_NEWUTS | CLONE_NEWNS);
	rf_plan_free(&plan);

	/* with strict the same profile is refused, naming what is missing */
	memset(&cap, 0, sizeof(cap));
	rf_plan_init(&plan);
	assert_int_equal(rf_profile_load(path, &plan, true, &diag, &err), -1);
	assert_int_equal(cap.warnings, 0);
	assert_contains(err.msg, "refused under --strict");
	for (size_t i = 0; i < RF_ARRAY_SIZE(ignored); i++)
		assert_contains(err.msg, ignored[i]);
	rf_plan_free(&plan);
}

/* ================================================================ bad input */

struct bad {
	const char *json;
	const char *path;        /* the message starts with "profile `t`: PATH: " */
	const char *msg;         /* and contains this */
};

#define RES(x) "{\"linux\":{\"resources\":" x "}}"
#define PROC(x) "{\"process\":" x "}"
#define RF(x) "{\"ringfence\":" x "}"

static const struct bad bad_cases[] = {
	{ "[]", "", "expected a JSON object at the top, got array" },
	{ "{\"process\": ", "", "line 1, column 13: unexpected end of input" },
	{ "{\"a\": 1, \"a\": 2}", "", "duplicate key `a`" },
	{ "{\"ociVersion\": 1}", "ociVersion", "expected string, got integer" },
	{ "{\"description\": [\"x\"]}", "description", "expected string, got array" },
	{ RES("\"x\""), "linux.resources", "expected object, got string" },
	{ RES("{\"pids\":{\"limit\":\"100\"}}"), "linux.resources.pids.limit",
	  "expected integer, got string" },
	{ RES("{\"pids\":{\"limit\":-2}}"), "linux.resources.pids.limit",
	  "out of range (expected -1 to" },
	{ RES("{\"memory\":{\"limit\":1.5}}"), "linux.resources.memory.limit",
	  "expected integer, got number" },
	{ RES("{\"memory\":{\"limit\":9223372036854775808}}"), "linux.resources.memory.limit",
	  "out of range" },
	{ RES("{\"memory\":{\"swap\":1000}}"), "linux.resources.memory.swap",
	  "needs a memory limit" },
	{ RES("{\"memory\":{\"limit\":2000,\"swap\":1000}}"), "linux.resources.memory.swap",
	  "1000 is below the memory limit 2000" },
	{ RES("{\"memory\":{\"reservation\":true}}"), "linux.resources.memory.reservation",
	  "expected integer, got boolean" },
	{ RES("{\"cpu\":{\"shares\":1}}"), "linux.resources.cpu.shares", "out of range" },
	{ RES("{\"cpu\":{\"shares\":262145}}"), "linux.resources.cpu.shares", "out of range" },
	{ RES("{\"cpu\":{\"weight\":10001}}"), "linux.resources.cpu.weight", "out of range" },
	{ RES("{\"cpu\":{\"weight\":5,\"shares\":1024}}"), "linux.resources.cpu",
	  "give shares (cgroup v1) or weight, not both" },
	{ RES("{\"cpu\":{\"quota\":500}}"), "linux.resources.cpu.quota",
	  "500 is below the kernel's minimum" },
	{ RES("{\"cpu\":{\"period\":2000000}}"), "linux.resources.cpu.period", "out of range" },
	{ RES("{\"cpu\":{\"period\":10}}"), "linux.resources.cpu.period", "out of range" },
	{ RES("{\"cpu\":{\"cpus\":\"0-\"}}"), "linux.resources.cpu.cpus", "is not an id list" },
	{ RES("{\"cpu\":{\"mems\":7}}"), "linux.resources.cpu.mems", "expected string, got integer" },
	{ RES("{\"unified\":{\"cgroup.procs\":\"1\"}}"), "linux.resources.unified[\"cgroup.procs\"]",
	  "`cgroup.procs` is not a file of a controller ringfence lets a profile write" },
	{ RES("{\"unified\":{\"../memory.max\":\"1\"}}"),
	  "linux.resources.unified[\"../memory.max\"]", "not a cgroup file name" },
	{ RES("{\"unified\":{\"memory.max/x\":\"1\"}}"),
	  "linux.resources.unified[\"memory.max/x\"]", "not a cgroup file name" },
	{ RES("{\"unified\":{\"memory\":\"1\"}}"), "linux.resources.unified.memory",
	  "expected CONTROLLER.NAME" },
	{ RES("{\"unified\":{\"memory.max\":5}}"), "linux.resources.unified[\"memory.max\"]",
	  "expected string, got integer" },
	{ RES("{\"unified\":{\"memory.high\":\"12Q\"}}"), "linux.resources.unified[\"memory.high\"]",
	  "`12Q` is not a size" },
	{ RES("{\"unified\":{\"memory.oom.group\":\"yes\"}}"),
	  "linux.resources.unified[\"memory.oom.group\"]", "expected \"0\" or \"1\"" },
	{ RES("{\"unified\":{\"cpu.max\":\"10 100000\"}}"), "linux.resources.unified[\"cpu.max\"]",
	  "quota: `10` is out of range" },
	{ RES("{\"unified\":{\"io.max\":\"\"}}"), "linux.resources.unified[\"io.max\"]",
	  "empty value" },
	{ RES("{\"cpu\":{\"idle\":2}}"), "linux.resources.cpu.idle", "out of range" },
	{ RES("{\"cpu\":{\"burst\":-1}}"), "linux.resources.cpu.burst", "out of range" },
	{ RES("{\"blockIO\":{\"weight\":5}}"), "linux.resources.blockIO.weight",
	  "5 is below 10 (expected 10-1000)" },
	{ RES("{\"blockIO\":{\"weight\":1001}}"), "linux.resources.blockIO.weight",
	  "out of range" },
	{ RES("{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0}]}}"),
	  "linux.resources.blockIO.throttleReadBpsDevice[0]", "give major, minor and rate" },
	{ RES("{\"blockIO\":{\"throttleWriteIOPSDevice\":[{\"major\":4096,\"minor\":0,"
	      "\"rate\":1}]}}"),
	  "linux.resources.blockIO.throttleWriteIOPSDevice[0].major", "out of range" },
	{ RES("{\"blockIO\":{\"throttleReadBpsDevice\":{}}}"),
	  "linux.resources.blockIO.throttleReadBpsDevice", "expected array, got object" },
	{ RES("{\"hugepageLimits\":[{\"pageSize\":\"2M\",\"limit\":1}]}"),
	  "linux.resources.hugepageLimits[0].pageSize", "`2M` is not a huge page size" },
	{ RES("{\"hugepageLimits\":[{\"pageSize\":\"../x\",\"limit\":1}]}"),
	  "linux.resources.hugepageLimits[0].pageSize", "is not a huge page size" },
	{ RES("{\"hugepageLimits\":[{\"pageSize\":\"2MB\"}]}"),
	  "linux.resources.hugepageLimits[0]", "give pageSize and limit" },
	{ RES("{\"rdma\":{\"bad dev\":{\"hcaHandles\":1}}}"), "linux.resources.rdma[\"bad dev\"]",
	  "not an RDMA device name" },
	{ RES("{\"rdma\":{\"mlx5_0\":{}}}"), "linux.resources.rdma.mlx5_0",
	  "give hcaHandles or hcaObjects" },
	{ RES("{\"rdma\":{\"mlx5_0\":{\"hcaObjects\":4294967296}}}"),
	  "linux.resources.rdma.mlx5_0.hcaObjects", "out of range" },
	{ PROC("{\"oomScoreAdj\":1001}"), "process.oomScoreAdj", "out of range (expected -1000 to 1000)" },
	{ PROC("{\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]}"),
	  "process.rlimits[0].type", "unknown limit `RLIMIT_FOO`" },
	{ PROC("{\"rlimits\":[{\"type\":\"nofile\",\"soft\":1,\"hard\":1}]}"),
	  "process.rlimits[0].type", "unknown limit `nofile`" },
	{ PROC("{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":10,\"hard\":5}]}"),
	  "process.rlimits[0]", "soft limit 10 is above hard limit 5" },
	{ PROC("{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":1},"
	       "{\"type\":\"RLIMIT_NOFILE\",\"soft\":2,\"hard\":2}]}"),
	  "process.rlimits[1].type", "RLIMIT_NOFILE given twice" },
	{ PROC("{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1}]}"), "process.rlimits[0].hard",
	  "required" },
	{ PROC("{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":-1,\"hard\":1}]}"),
	  "process.rlimits[0].soft", "out of range" },
	{ PROC("{\"env\":[\"A=1\",\"NOEQUALS\"]}"), "process.env[1]", "`NOEQUALS` is not KEY=VALUE" },
	{ PROC("{\"env\":\"A=1\"}"), "process.env", "expected array, got string" },
	{ PROC("{\"args\":[]}"), "process.args", "expected at least the command" },
	{ PROC("{\"args\":[1]}"), "process.args[0]", "expected string, got integer" },
	{ PROC("{\"cwd\":\"relative\"}"), "process.cwd", "`relative` is not an absolute path" },
	{ PROC("{\"user\":{\"uid\":-1,\"gid\":0}}"), "process.user.uid", "out of range" },
	{ PROC("{\"user\":{\"uid\":4294967295,\"gid\":0}}"), "process.user.uid", "out of range" },
	{ PROC("{\"user\":{\"uid\":5}}"), "process.user", "give both uid and gid" },
	{ PROC("{\"user\":{\"additionalGids\":[\"wheel\"]}}"), "process.user.additionalGids[0]",
	  "expected integer, got string" },
	{ PROC("{\"capabilities\":{\"bounding\":\"CAP_KILL\"}}"), "process.capabilities.bounding",
	  "expected array, got string" },
	{ PROC("{\"noNewPrivileges\":\"yes\"}"), "process.noNewPrivileges",
	  "expected boolean, got string" },
	{ PROC("{\"scheduler\":{\"nice\":1}}"), "process.scheduler.policy", "required" },
	{ PROC("{\"scheduler\":{\"policy\":\"SCHED_ISO\"}}"), "process.scheduler.policy",
	  "`SCHED_ISO` is not a scheduling policy Linux has" },
	{ PROC("{\"scheduler\":{\"policy\":\"SCHED_BATCH\",\"nice\":20}}"),
	  "process.scheduler.nice", "out of range (expected -20 to 19)" },
	{ PROC("{\"scheduler\":{\"policy\":\"SCHED_RR\"}}"), "process.scheduler.priority",
	  "SCHED_FIFO and SCHED_RR take 1 to 99" },
	{ PROC("{\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"priority\":5}}"),
	  "process.scheduler.priority", "only SCHED_FIFO and SCHED_RR take one" },
	{ PROC("{\"scheduler\":{\"policy\":\"SCHED_BATCH\",\"flags\":[\"RESET_ON_FORK\"]}}"),
	  "process.scheduler.flags[0]", "`RESET_ON_FORK` is not a scheduling flag" },
	{ PROC("{\"scheduler\":{\"policy\":\"SCHED_BATCH\",\"flags\":[\"SCHED_FLAG_UTIL_CLAMP_MIN\"]}}"),
	  "process.scheduler.flags[0]", "the utilization clamps need values" },
	{ PROC("{\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"runtime\":1000,"
	       "\"deadline\":2000}}"), "process.scheduler", "1024 <= runtime" },
	{ PROC("{\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"runtime\":5}}"),
	  "process.scheduler", "runtime, deadline and period are SCHED_DEADLINE's" },
	{ PROC("{\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"runtime\":5,\"deadline\":4}}"),
	  "process.scheduler", "SCHED_DEADLINE needs 1024 <= runtime <= deadline <= period" },
	{ PROC("{\"ioPriority\":{\"class\":\"IOPRIO_CLASS_BE\"}}"), "process.ioPriority",
	  "give both class and priority" },
	{ PROC("{\"ioPriority\":{\"class\":\"BE\",\"priority\":1}}"), "process.ioPriority.class",
	  "`BE` is not a class (expected IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)" },
	{ PROC("{\"ioPriority\":{\"class\":\"IOPRIO_CLASS_RT\",\"priority\":8}}"),
	  "process.ioPriority.priority", "out of range (expected 0 to 7)" },
	{ PROC("{\"consoleSize\":{\"height\":40}}"), "process.consoleSize",
	  "give both height and width" },
	{ PROC("{\"consoleSize\":{\"height\":65536,\"width\":80}}"), "process.consoleSize.height",
	  "out of range" },
	{ PROC("{\"consoleSize\":{\"height\":40,\"width\":\"80\"}}"),
	  "process.consoleSize.width", "expected integer, got string" },
	{ PROC("{\"apparmorProfile\":\"a\\nb\"}"), "process.apparmorProfile",
	  "expected a profile name without control characters" },
	{ "{\"linux\":{\"namespaces\":[{\"type\":\"pidns\"}]}}", "linux.namespaces[0].type",
	  "unknown namespace `pidns`" },
	{ "{\"linux\":{\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/self/ns/user\"}]}}",
	  "linux.namespaces[0].path", "joining an existing user namespace is not implemented" },
	{ "{\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/self/ns/uts\"}]}}",
	  "linux.namespaces[0].path", "`/proc/self/ns/uts` is not a namespace of this type" },
	{ "{\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"run/netns/x\"}]}}",
	  "linux.namespaces[0].path", "`run/netns/x` is not an absolute path" },
	{ "{\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}}",
	  "linux.namespaces[1].type", "pid given twice" },
	{ "{\"linux\":{\"memoryPolicy\":{\"mode\":\"MPOL_WEIGHTED_INTERLEAVE\",\"nodes\":\"0\"}}}",
	  "linux.memoryPolicy.mode", "`MPOL_WEIGHTED_INTERLEAVE` is not supported" },
	{ "{\"linux\":{\"memoryPolicy\":{\"mode\":\"MPOL_BIND\"}}}", "linux.memoryPolicy.nodes",
	  "MPOL_BIND needs nodes" },
	{ "{\"linux\":{\"memoryPolicy\":{\"mode\":\"MPOL_LOCAL\",\"nodes\":\"1\"}}}",
	  "linux.memoryPolicy.nodes", "MPOL_LOCAL takes no nodes or flags" },
	{ "{\"linux\":{\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\"0\",\"flags\":"
	  "[\"MPOL_F_STATIC_NODES\",\"MPOL_F_RELATIVE_NODES\"]}}}", "linux.memoryPolicy.flags",
	  "exclude each other" },
	{ "{\"linux\":{\"personality\":{\"flags\":[]}}}", "linux.personality.domain",
	  "required (LINUX or LINUX32)" },
	{ "{\"linux\":{\"personality\":{\"domain\":\"LINUX64\"}}}", "linux.personality.domain",
	  "`LINUX64` is not a domain (expected LINUX or LINUX32)" },
	{ "{\"linux\":{\"personality\":{\"domain\":\"LINUX\",\"flags\":\"x\"}}}",
	  "linux.personality.flags", "expected array, got string" },
	{ "{\"linux\":{\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\"5000\"}}}",
	  "linux.memoryPolicy.nodes", "has an id above 1023" },
	{ "{\"linux\":{\"seccomp\":\"default\"}}", "linux.seccomp", "expected object, got string" },
	{ "{\"mounts\":[{\"destination\":\"tmp\",\"type\":\"tmpfs\"}]}", "mounts[0].destination",
	  "`tmp` is not an absolute path" },
	{ "{\"mounts\":[{\"destination\":\"/a/../b\",\"type\":\"tmpfs\"}]}",
	  "mounts[0].destination", "has a `..` component" },
	{ "{\"mounts\":[{\"type\":\"tmpfs\"}]}", "mounts[0].destination", "required" },
	{ "{\"mounts\":[{\"destination\":\"/t\",\"type\":\"tmpfs\",\"options\":[\"size=12Q\"]}]}",
	  "mounts[0].options[0]", "`12Q` is not a size" },
	{ "{\"mounts\":[{\"destination\":\"/t\",\"type\":\"tmpfs\",\"options\":[\"size=0\"]}]}",
	  "mounts[0].options[0]", "expected a size from 4K" },
	{ "{\"mounts\":[{\"destination\":\"/t\",\"type\":\"tmpfs\",\"options\":[\"mode=999\"]}]}",
	  "mounts[0].options[0]", "mode `999` is not a file mode" },
	{ "{\"mounts\":[{\"destination\":\"/t\",\"type\":\"bind\",\"source\":\"src\"}]}",
	  "mounts[0].source", "`src` is not an absolute path (ringfence has no bundle directory" },
	{ "{\"mounts\":[{\"destination\":\"/t\",\"type\":\"bind\"}]}", "mounts[0].source",
	  "required for a bind mount" },
	{ "{\"mounts\":{}}", "mounts", "expected array, got object" },
	{ "{\"hostname\":\"\"}", "hostname", "expected 1 to 64 characters" },
	{ "{\"root\":{\"readonly\":1}}", "root.readonly", "expected boolean, got integer" },
	{ RF("{\"timeout\":\"soon\"}"), "ringfence.timeout", "`soon` is not a duration" },
	{ RF("{\"timeout\":-5}"), "ringfence.timeout", "out of range" },
	{ RF("{\"timeot\":\"1h\"}"), "ringfence.timeot", "unknown key (known: description" },
	{ RF("{\"oomGroup\":\"1\"}"), "ringfence.oomGroup", "expected boolean, got string" },
	{ RF("{\"why\":{\"x\":5}}"), "ringfence.why.x", "expected string, got integer" },
	{ RF("{\"memoryHigh\":true}"), "ringfence.memoryHigh",
	  "expected size string or integer bytes, got boolean" },
	{ RF("{\"seccomp\":\"\"}"), "ringfence.seccomp", "expected default, none or a file name" },
	{ RF("{\"unsetEnv\":[\"A=B\"]}"), "ringfence.unsetEnv[0]", "`A=B` is not a variable name" },
	{ RF("[]"), "ringfence", "expected object, got array" },
};

static void test_bad(void **state)
{
	const struct bad *b = *state;
	struct capture cap;
	char want[512];
	rf_error err;
	rf_plan plan;

	if (load(b->json, false, &plan, &err, &cap) != -1)
		fail_msg("accepted: %s", b->json);
	if (*b->path)
		snprintf(want, sizeof(want), "profile `t`: %s: ", b->path);
	else
		snprintf(want, sizeof(want), "profile `t`: ");
	if (strncmp(err.msg, want, strlen(want)))
		fail_msg("\"%s\" does not start with \"%s\"", err.msg, want);
	assert_contains(err.msg, b->msg);
	assert_int_equal(err.errnum, 0);
	rf_plan_free(&plan);
}

/* ================================================================ conversions */

struct good {
	const char *json;
	const char *what;
	void (*check)(const rf_plan *plan);
};

static void swap_equal_is_zero(const rf_plan *p)
{
	assert_true(p->limits.swap_max.set);
	assert_int_equal(p->limits.swap_max.v, 0);
}

static void swap_minus_limit(const rf_plan *p)
{
	assert_int_equal(p->limits.swap_max.v, 200 * MiB);
}

static void swap_is_max(const rf_plan *p)
{
	assert_true(p->limits.swap_max.set);
	assert_int_equal(p->limits.swap_max.v, RF_MAX);
}

static void swap_unset(const rf_plan *p)
{
	assert_false(p->limits.swap_max.set);
	assert_false(p->limits.memory_max.set);
}

static void pids_max(const rf_plan *p)
{
	assert_true(p->limits.pids_max.set);
	assert_int_equal(p->limits.pids_max.v, RF_MAX);
}

static void weight_1(const rf_plan *p)
{
	assert_int_equal(p->limits.cpu_weight.v, 1);
}

static void weight_39(const rf_plan *p)
{
	assert_int_equal(p->limits.cpu_weight.v, 39);
}

static void weight_10000(const rf_plan *p)
{
	assert_int_equal(p->limits.cpu_weight.v, 10000);
}

static void quota_max(const rf_plan *p)
{
	assert_int_equal(p->limits.cpu_quota_us.v, RF_MAX);
	assert_int_equal(p->limits.cpu_period_us, 50000);
}

static void cpus_canonical(const rf_plan *p)
{
	assert_string_equal(p->limits.cpuset_cpus, "1-3,7");
}

static void unified_wins(const rf_plan *p)
{
	assert_int_equal(p->limits.memory_max.v, 64 * MiB);
	assert_false(p->limits.oom_group);
	assert_int_equal(p->limits.n_unified, 0);
}

/* The unified files, in order, as "FILE=VALUE". */
static void unified_are(const rf_plan *p, const char *const *want, size_t n)
{
	assert_int_equal(p->limits.n_unified, n);
	for (size_t i = 0; i < n; i++) {
		char got[256];

		snprintf(got, sizeof(got), "%s=%s", p->limits.unified[i].key,
			 p->limits.unified[i].value);
		assert_string_equal(got, want[i]);
	}
}

static void blockio_files(const rf_plan *p)
{
	static const char *const want[] = {
		"io.weight=4950", "io.max=8:0 rbps=1048576 wiops=100\n8:16 wbps=2048",
	};

	unified_are(p, want, RF_ARRAY_SIZE(want));
}

static void cpu_files(const rf_plan *p)
{
	static const char *const want[] = { "cpu.idle=1", "cpu.max.burst=20000" };

	unified_are(p, want, RF_ARRAY_SIZE(want));
	assert_int_equal(p->limits.cpu_quota_us.v, 50000);
}

static void hugetlb_rdma_files(const rf_plan *p)
{
	static const char *const want[] = {
		"hugetlb.2MB.max=4194304", "hugetlb.1GB.max=0",
		"rdma.max=mlx5_0 hca_handle=3 hca_object=10000\nmlx4_1 hca_object=5",
	};

	unified_are(p, want, RF_ARRAY_SIZE(want));
}

static void unified_replaces_blockio(const rf_plan *p)
{
	static const char *const want[] = { "io.max=8:0 rbps=1" };

	unified_are(p, want, RF_ARRAY_SIZE(want));
}

static void ringfence_last(const rf_plan *p)
{
	assert_true(p->limits.oom_group);     /* ringfence.oomGroup after unified */
	assert_int_equal(p->limits.memory_high.v, 3 * MiB);
}

static void durations(const rf_plan *p)
{
	assert_int_equal(p->sup.timeout_ms, 90 * 1000);
	assert_int_equal(p->sup.kill_after_ms, 250);
}

static void null_is_absent(const rf_plan *p)
{
	assert_false(p->limits.memory_max.set);
	assert_null(p->proc.argv);
}

static void caps_union(const rf_plan *p)
{
	assert_true(p->proc.caps_set);
	assert_int_equal(p->proc.caps, (1ULL << rf_cap_lookup("CAP_KILL")) |
				       (1ULL << rf_cap_lookup("CAP_CHOWN")));
}

static void seccomp_relative(const rf_plan *p)
{
	assert_int_equal(p->proc.seccomp_mode, RF_SECCOMP_FILE);
	assert_string_equal(p->proc.seccomp_path, "/abs/sc.json");
}

static void mempolicy(const rf_plan *p)
{
	assert_int_equal(p->proc.mempolicy.mode, RF_MPOL_PREFERRED);
	assert_true(rf_idset_has(&p->proc.mempolicy.nodes, 1));
	assert_false(rf_idset_has(&p->proc.mempolicy.nodes, 0));
}

static void io_idle(const rf_plan *p)
{
	assert_true(p->proc.ioprio.set);
	assert_int_equal(p->proc.ioprio.v, (3 << 13) | 7);   /* IOPRIO_CLASS_IDLE, 7 */
}

static void sched_fifo(const rf_plan *p)
{
	assert_true(p->proc.sched.set);
	assert_int_equal(p->proc.sched.policy, SCHED_FIFO);
	assert_int_equal(p->proc.sched.priority, 10);
	assert_int_equal(p->proc.sched.flags, 0x01);   /* SCHED_FLAG_RESET_ON_FORK */
}

static void sched_deadline(const rf_plan *p)
{
	assert_int_equal(p->proc.sched.policy, 6);      /* SCHED_DEADLINE */
	assert_int_equal(p->proc.sched.runtime, 10000000);
	assert_int_equal(p->proc.sched.deadline, 30000000);
	assert_int_equal(p->proc.sched.period, 0);
}

static void linux32(const rf_plan *p)
{
	assert_true(p->proc.persona.set);
	assert_int_equal(p->proc.persona.v, PER_LINUX32);
}

static void ro_bind(const rf_plan *p)
{
	assert_int_equal(p->iso.n_mounts, 1);
	assert_int_equal(p->iso.mounts[0].kind, RF_MOUNT_RO_BIND);
	assert_string_equal(p->iso.mounts[0].src, "/y");
	assert_string_equal(p->iso.mounts[0].dst, "/x");
}

static const struct good good_cases[] = {
	{ RES("{\"memory\":{\"limit\":104857600,\"swap\":104857600}}"), "swap = limit -> 0",
	  swap_equal_is_zero },
	{ RES("{\"memory\":{\"limit\":104857600,\"swap\":314572800}}"), "swap - limit",
	  swap_minus_limit },
	{ RES("{\"memory\":{\"limit\":104857600,\"swap\":-1}}"), "swap -1 -> max", swap_is_max },
	{ RES("{\"memory\":{\"limit\":-1}}"), "limit -1 alone -> swap max", swap_is_max },
	{ RES("{\"memory\":{\"limit\":0,\"swap\":0}}"), "0 is not set", swap_unset },
	{ RES("{\"pids\":{\"limit\":0}}"), "pids 0 -> max", pids_max },
	{ RES("{\"pids\":{\"limit\":-1}}"), "pids -1 -> max", pids_max },
	{ RES("{\"cpu\":{\"shares\":2}}"), "shares 2 -> weight 1", weight_1 },
	{ RES("{\"cpu\":{\"shares\":1024}}"), "shares 1024 -> weight 39", weight_39 },
	{ RES("{\"cpu\":{\"shares\":262144}}"), "shares 262144 -> weight 10000", weight_10000 },
	{ RES("{\"cpu\":{\"quota\":-1,\"period\":50000}}"), "quota -1 -> max", quota_max },
	{ RES("{\"unified\":{\"cpu.max\":\"max 50000\"}}"), "unified cpu.max", quota_max },
	{ RES("{\"cpu\":{\"cpus\":\"7,3,1-2\"}}"), "cpus canonical", cpus_canonical },
	{ RES("{\"unified\":{\"memory.max\":\"64M\",\"memory.oom.group\":\"0\"},"
	      "\"memory\":{\"limit\":1048576}}"), "unified wins over structured", unified_wins },
	{ "{\"ringfence\":{\"oomGroup\":true,\"memoryHigh\":3145728},\"linux\":{\"resources\":"
	  "{\"unified\":{\"memory.oom.group\":\"0\",\"memory.high\":\"1M\"}}}}",
	  "ringfence keys after unified", ringfence_last },
	{ RES("{\"blockIO\":{\"weight\":500,\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,"
	      "\"rate\":1048576}],\"throttleWriteBpsDevice\":[{\"major\":8,\"minor\":16,"
	      "\"rate\":2048}],\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":0,"
	      "\"rate\":100}]}}"), "blockIO -> io.weight (scaled), io.max a line per device",
	  blockio_files },
	{ RES("{\"cpu\":{\"quota\":50000,\"idle\":1,\"burst\":20000}}"),
	  "cpu.idle, cpu.burst -> cpu.idle, cpu.max.burst", cpu_files },
	{ RES("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304},"
	      "{\"pageSize\":\"1GB\",\"limit\":0}],\"rdma\":{\"mlx5_0\":{\"hcaHandles\":3,"
	      "\"hcaObjects\":10000},\"mlx4_1\":{\"hcaObjects\":5}}}"),
	  "hugepageLimits -> hugetlb.SIZE.max, rdma -> rdma.max", hugetlb_rdma_files },
	{ RES("{\"unified\":{\"io.max\":\"8:0 rbps=1\"},\"blockIO\":{\"throttleReadBpsDevice\":"
	      "[{\"major\":8,\"minor\":16,\"rate\":5}]}}"), "unified replaces blockIO's file",
	  unified_replaces_blockio },
	{ RF("{\"timeout\":\"1.5m\",\"killAfter\":250}"), "durations", durations },
	{ "{\"linux\":{\"resources\":{\"memory\":null}},\"process\":null,\"hooks\":null}",
	  "null is absent", null_is_absent },
	{ PROC("{\"capabilities\":{\"effective\":[\"CAP_KILL\"],\"permitted\":[\"chown\"]}}"),
	  "no bounding: union", caps_union },
	{ RF("{\"seccomp\":\"/abs/sc.json\"}"), "seccomp file", seccomp_relative },
	{ "{\"linux\":{\"memoryPolicy\":{\"mode\":\"MPOL_PREFERRED\",\"nodes\":\"1\"}}}",
	  "memoryPolicy", mempolicy },
	{ "{\"linux\":{\"personality\":{\"domain\":\"LINUX32\",\"flags\":[]}}}",
	  "personality LINUX32", linux32 },
	{ PROC("{\"ioPriority\":{\"class\":\"IOPRIO_CLASS_IDLE\",\"priority\":7}}"),
	  "ioPriority idle", io_idle },
	{ PROC("{\"scheduler\":{\"policy\":\"SCHED_FIFO\",\"priority\":10,"
	       "\"flags\":[\"SCHED_FLAG_RESET_ON_FORK\"]}}"), "scheduler FIFO", sched_fifo },
	{ PROC("{\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"runtime\":10000000,"
	       "\"deadline\":30000000}}"), "scheduler DEADLINE, period 0", sched_deadline },
	{ "{\"mounts\":[{\"destination\":\"/x\",\"source\":\"/y\",\"options\":"
	  "[\"nosuid\",\"rbind\",\"nodev\",\"ro\",\"rprivate\"]}]}",
	  "read-only bind: nosuid, nodev are what ringfence does", ro_bind },
};

static void test_good(void **state)
{
	const struct good *g = *state;
	struct capture cap;
	rf_error err;
	rf_plan plan;

	if (load(g->json, true, &plan, &err, &cap) < 0)
		fail_msg("%s: %s", g->json, err.msg);
	assert_int_equal(cap.warnings, 0);
	g->check(&plan);
	rf_plan_free(&plan);
}

/* ================================================================ unimplemented keys */

static const char unimplemented[] =
	"{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},\"hooks\":{\"prestart\":[]},"
	"\"annotations\":{\"a\":\"b\"},\"domainname\":\"x\","
	"\"process\":{\"selinuxLabel\":\"p\",\"terminal\":false,"
	"\"capabilities\":{\"bounding\":[\"CAP_NOT_A_CAP\"]}},"
	"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/data\",\"type\":\"overlay\",\"source\":\"o\"},"
	"{\"destination\":\"/t\",\"type\":\"tmpfs\",\"options\":[\"noexec\",\"size=1M\"]}],"
	"\"linux\":{\"devices\":[],\"sysctl\":{},\"namespaces\":[{\"type\":\"time\"}],"
	"\"resources\":{\"blockIO\":{\"leafWeight\":10},\"memory\":{\"swappiness\":10},"
	"\"cpu\":{\"realtimeRuntime\":1}}}}";

static const char *const unimplemented_paths[] = {
	"root.path (a profile runs on the host's /)", "hooks",
	"process.selinuxLabel", "process.terminal (false:",
	"process.capabilities.bounding[0] (unknown capability CAP_NOT_A_CAP)",
	"mounts (/proc: ringfence keeps the host's; with a pid namespace it mounts a fresh /proc)",
	"mounts[1] (/data of type overlay: only tmpfs and bind mounts)",
	"mounts[2].options (noexec)",
	"linux.namespaces[0] (time namespace)", "linux.resources.blockIO.leafWeight",
	"linux.resources.memory.swappiness", "linux.resources.cpu.realtimeRuntime",
};

static void test_unimplemented(void **state)
{
	struct capture cap;
	rf_error err;
	rf_plan plan;

	(void)state;
	assert_int_equal(load(unimplemented, false, &plan, &err, &cap), 0);
	assert_int_equal(cap.warnings, 1);
	assert_contains(cap.last, "profile `t`: ignoring what ringfence does not implement: ");
	for (size_t i = 0; i < RF_ARRAY_SIZE(unimplemented_paths); i++)
		assert_contains(cap.last, unimplemented_paths[i]);
	assert_false(strstr(cap.last, "ociVersion"));
	/* what is implemented still applies */
	assert_int_equal(plan.iso.n_mounts, 1);
	assert_int_equal(plan.iso.mounts[0].size, MiB);
	assert_true(plan.proc.caps_set);
	assert_int_equal(plan.proc.caps, 0);
	rf_plan_free(&plan);

	assert_int_equal(load(unimplemented, true, &plan, &err, &cap), -1);
	assert_int_equal(cap.warnings, 0);
	assert_contains(err.msg, "profile `t`: not implemented by ringfence (refused under --strict): ");
	for (size_t i = 0; i < RF_ARRAY_SIZE(unimplemented_paths); i++)
		assert_contains(err.msg, unimplemented_paths[i]);
	rf_plan_free(&plan);
}

static void test_nnp_false_warns(void **state)
{
	struct capture cap;
	rf_error err;
	rf_plan plan;

	(void)state;
	assert_int_equal(load(PROC("{\"noNewPrivileges\":false}"), true, &plan, &err, &cap), 0);
	assert_int_equal(cap.warnings, 1);
	assert_contains(cap.last, "process.noNewPrivileges is false, but ringfence always sets");
	rf_plan_free(&plan);
}

/* ================================================================ lookup and listing */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tree(const char *dir)
{
	assert_int_equal(nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

static void test_lookup(void **state)
{
	char a[] = "/tmp/rf-profile-a-XXXXXX", b[] = "/tmp/rf-profile-b-XXXXXX";
	char env[128], path[4096], want[256];
	cleanup_strv char **names = NULL;
	cleanup_free char *desc = NULL;
	rf_error err = { 0 };

	(void)state;
	assert_non_null(mkdtemp(a));
	assert_non_null(mkdtemp(b));
	write_file(a, "one.json", "{\"description\":\"first\"}");
	write_file(a, "two.json", "{\"ringfence\":{\"description\":\"second\"}}");
	write_file(b, "two.json", "{}");      /* shadowed by a's */
	write_file(b, "three.json", "{}");
	write_file(b, ".hidden.json", "{}");
	write_file(b, "notes.txt", "");
	assert_int_equal(mkdir(strcat(strcpy(path, b), "/dir.json"), 0755), 0);
	snprintf(env, sizeof(env), "%s::%s", a, b);
	setenv("RINGFENCE_PROFILE_PATH", env, 1);

	assert_int_equal(rf_profile_resolve("two", path, sizeof(path), &err), 0);
	snprintf(want, sizeof(want), "%s/two.json", a);
	assert_string_equal(path, want);
	assert_int_equal(rf_profile_resolve("three", path, sizeof(path), &err), 0);
	snprintf(want, sizeof(want), "%s/three.json", b);
	assert_string_equal(path, want);
	/* a '/' or .json makes it a path, taken as it is */
	assert_int_equal(rf_profile_resolve("x.json", path, sizeof(path), &err), 0);
	assert_string_equal(path, "x.json");
	assert_int_equal(rf_profile_resolve("./x", path, sizeof(path), &err), 0);
	assert_string_equal(path, "./x");
	assert_int_equal(rf_profile_resolve("nope", path, sizeof(path), &err), -1);
	assert_contains(err.msg, "profile `nope` not found in ");
	assert_contains(err.msg, "(RINGFENCE_PROFILE_PATH)");
	assert_int_equal(err.errnum, ENOENT);
	assert_int_equal(rf_profile_resolve("bad name", path, sizeof(path), &err), -1);
	assert_contains(err.msg, "expected a name");

	assert_int_equal(rf_profile_list(&names, &err), 0);
	assert_string_equal(names[0], "one");
	assert_string_equal(names[1], "three");
	assert_string_equal(names[2], "two");
	assert_null(names[3]);
	assert_int_equal(rf_profile_describe("one", &desc, &err), 0);
	assert_string_equal(desc, "first");
	free(desc);
	assert_int_equal(rf_profile_describe("two", &desc, &err), 0);
	assert_string_equal(desc, "second");
	free(desc);
	assert_int_equal(rf_profile_describe("three", &desc, &err), 0);
	assert_null(desc);

	/* a bad profile's error names the file */
	write_file(a, "bad.json", "{\"linux\":{\"resources\":{\"pids\":{\"limit\":\"x\"}}}}");
	{
		rf_plan plan;

		rf_plan_init(&plan);
		assert_int_equal(rf_profile_load("bad", &plan, false, NULL, &err), -1);
		snprintf(want, sizeof(want), "profile `%s/bad.json`: linux.resources.pids.limit: "
			 "expected integer, got string", a);
		assert_string_equal(err.msg, want);
		rf_plan_free(&plan);
	}
	remove_tree(a);
	remove_tree(b);
}
/* ================================================================ main */

int main(void)
{
	struct rf_cases cases = { 0 };

	for (size_t i = 0; i < RF_ARRAY_SIZE(builtins); i++)
		rf_case_add(&cases, test_builtin, &builtins[i], "built-in `%s`", builtins[i].name);
	rf_case_add(&cases, test_crun_spec, NULL, "a crun spec config.json with resources");
	for (size_t i = 0; i < RF_ARRAY_SIZE(bad_cases); i++)
		rf_case_add(&cases, test_bad, &bad_cases[i], "bad %s: %s",
			    *bad_cases[i].path ? bad_cases[i].path : "document", bad_cases[i].msg);
	for (size_t i = 0; i < RF_ARRAY_SIZE(good_cases); i++)
		rf_case_add(&cases, test_good, &good_cases[i], "good: %s", good_cases[i].what);
	rf_case_add(&cases, test_unimplemented, NULL, "unimplemented keys: warning, strict error");
	rf_case_add(&cases, test_nnp_false_warns, NULL, "noNewPrivileges false warns");
	rf_case_add(&cases, test_lookup, NULL, "lookup, listing, descriptions");
	return rf_cases_run(&cases, "profile");
}
