/* src/rlimit.c: names, `--rlimit NAME=SOFT[:HARD]` over tables of good and bad
 * input, clamping to the caller's hard limit without CAP_SYS_RESOURCE, the
 * oom_score_adj floor, and applying limits in a child. */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "ringfence/cleanup.h"
#include "ringfence/plan.h"
#include "ringfence/rlimit.h"

#define KiB UINT64_C(1024)
#define MiB (KiB * 1024)
#define GiB (MiB * 1024)

/* ---- names ---- */

struct case_name {
	const char *in;
	int want;               /* resource, or -1 */
	bool bytes;
};

static const struct case_name name_cases[] = {
	{ "as", RLIMIT_AS, true },
	{ "core", RLIMIT_CORE, true },
	{ "cpu", RLIMIT_CPU, false },
	{ "data", RLIMIT_DATA, true },
	{ "fsize", RLIMIT_FSIZE, true },
	{ "locks", RLIMIT_LOCKS, false },
	{ "memlock", RLIMIT_MEMLOCK, true },
	{ "msgqueue", RLIMIT_MSGQUEUE, true },
	{ "nice", RLIMIT_NICE, false },
	{ "nofile", RLIMIT_NOFILE, false },
	{ "nproc", RLIMIT_NPROC, false },
	{ "rss", RLIMIT_RSS, true },
	{ "rtprio", RLIMIT_RTPRIO, false },
	{ "rttime", RLIMIT_RTTIME, false },
	{ "sigpending", RLIMIT_SIGPENDING, false },
	{ "stack", RLIMIT_STACK, true },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE, false },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK, true },
	{ "RLIMIT_AS", RLIMIT_AS, true },
	{ "NOFILE", -1, false },
	{ "rlimit_nofile", -1, false },
	{ "Nofile", -1, false },
	{ "files", -1, false },
	{ "", -1, false },
	{ "nofile ", -1, false },
};

static void test_name(void **state)
{
	const struct case_name *c = *state;
	int res = rf_rlimit_lookup(c->in);

	assert_int_equal(res, c->want);
	if (res < 0)
		return;
	assert_int_equal(rf_rlimit_is_bytes(res), c->bytes);
	/* The canonical name is the lowercase one, and it looks up the same. */
	assert_int_equal(rf_rlimit_lookup(rf_rlimit_name(res)), res);
	assert_true(strncmp(rf_rlimit_name(res), "RLIMIT_", 7) != 0);
}

/* ---- --rlimit NAME=SOFT[:HARD] ---- */

struct case_parse {
	const char *in;
	int res;
	uint64_t soft, hard;
	const char *err;        /* NULL: must parse; else a message fragment */
};

#define UNL RF_MAX
#define NOT_LIMIT " (expected an integer below 2^64-1, or unlimited)"

static const struct case_parse parse_cases[] = {
	{ "nofile=64", RLIMIT_NOFILE, 64, 64, NULL },
	{ "nofile=64:128", RLIMIT_NOFILE, 64, 128, NULL },
	{ "nofile=0", RLIMIT_NOFILE, 0, 0, NULL },
	{ "RLIMIT_NOFILE=1024:4096", RLIMIT_NOFILE, 1024, 4096, NULL },
	{ "memlock=64K", RLIMIT_MEMLOCK, 64 * KiB, 64 * KiB, NULL },
	{ "memlock=64K:1M", RLIMIT_MEMLOCK, 64 * KiB, MiB, NULL },
	{ "memlock=65536", RLIMIT_MEMLOCK, 64 * KiB, 64 * KiB, NULL },
	{ "as=unlimited", RLIMIT_AS, UNL, UNL, NULL },
	{ "as=1.5G", RLIMIT_AS, GiB + GiB / 2, GiB + GiB / 2, NULL },
	{ "stack=8M:unlimited", RLIMIT_STACK, 8 * MiB, UNL, NULL },
	{ "core=0:max", RLIMIT_CORE, 0, UNL, NULL },
	{ "fsize=1GiB", RLIMIT_FSIZE, GiB, GiB, NULL },
	{ "cpu=10", RLIMIT_CPU, 10, 10, NULL },
	{ "cpu=10:infinity", RLIMIT_CPU, 10, UNL, NULL },
	{ "rttime=500000:1000000", RLIMIT_RTTIME, 500000, 1000000, NULL },
	{ "nproc=unlimited", RLIMIT_NPROC, UNL, UNL, NULL },
	{ "nice=0:20", RLIMIT_NICE, 0, 20, NULL },
	{ "sigpending=18446744073709551614", RLIMIT_SIGPENDING, UINT64_MAX - 1, UINT64_MAX - 1,
	  NULL },
	/* bad */
	{ "nofile", 0, 0, 0, "`nofile`: expected NAME=SOFT[:HARD]" },
	{ "=64", 0, 0, 0, "`=64`: expected NAME=SOFT[:HARD]" },
	{ "", 0, 0, 0, "expected NAME=SOFT[:HARD]" },
	{ "bogus=1", 0, 0, 0, "unknown limit `bogus` (known: as, core, cpu," },
	{ "NOFILE=1", 0, 0, 0, "unknown limit `NOFILE`" },
	{ "nofile=", 0, 0, 0, "nofile: soft limit: `` is not a limit" NOT_LIMIT },
	{ "nofile=abc", 0, 0, 0, "nofile: soft limit: `abc` is not a limit" NOT_LIMIT },
	{ "nofile=64:", 0, 0, 0, "nofile: hard limit: `` is not a limit" NOT_LIMIT },
	{ "nofile=:64", 0, 0, 0, "nofile: soft limit: `` is not a limit" NOT_LIMIT },
	{ "nofile=-1", 0, 0, 0, "`-1` is not a limit" NOT_LIMIT },
	{ "nofile= 64", 0, 0, 0, "` 64` is not a limit" NOT_LIMIT },
	{ "nofile=64:128:256", 0, 0, 0, "hard limit: `128:256` is not a limit" NOT_LIMIT },
	{ "nofile=1K", 0, 0, 0, "`1K` is not a limit (expected an integer" },
	{ "nofile=a`b\x1b", 0, 0, 0, "soft limit: `a?b?` is not a limit" },
	{ "no`file=1", 0, 0, 0, "unknown limit `no?file`" },
	{ "cpu=10s", 0, 0, 0, "`10s` is not a limit" NOT_LIMIT },
	{ "nofile=18446744073709551615", 0, 0, 0, "`18446744073709551615` is not a limit" },
	{ "memlock=64X", 0, 0, 0, "soft limit: `64X` is not a size (expected bytes" },
	{ "memlock=1.5", 0, 0, 0, "`1.5` is not a size" },
	{ "nofile=100:50", 0, 0, 0, "nofile: soft limit 100 is above hard limit 50" },
	{ "memlock=unlimited:64K", 0, 0, 0, "memlock: soft limit unlimited is above hard limit 64K" },
	{ "stack=2M:1M", 0, 0, 0, "stack: soft limit 2M is above hard limit 1M" },
};

static void test_parse(void **state)
{
	const struct case_parse *c = *state;
	rf_process p;
	rf_error err = { 0 };
	int rc;

	memset(&p, 0, sizeof(p));
	rc = rf_rlimit_parse(c->in, &p, &err);
	if (c->err) {
		if (rc != -1)
			fail_msg("`%s` was accepted", c->in);
		if (!strstr(err.msg, c->err))
			fail_msg("message \"%s\" lacks \"%s\"", err.msg, c->err);
		assert_int_equal(err.errnum, 0);
		/* The CLI names the flag; the engine does not. */
		assert_null(strstr(err.msg, "--rlimit"));
		/* Nothing half-set. */
		for (int r = 0; r < RLIM_NLIMITS; r++)
			assert_false(p.rlimits[r].set);
		return;
	}
	if (rc != 0)
		fail_msg("`%s` rejected: %s", c->in, err.msg);
	assert_true(p.rlimits[c->res].set);
	assert_int_equal(p.rlimits[c->res].soft, c->soft);
	assert_int_equal(p.rlimits[c->res].hard, c->hard);
}

/* --memlock SIZE is rf_rlimit_set(p, RLIMIT_MEMLOCK, SIZE, SIZE). */
static void test_set(void **state)
{
	rf_process p;
	rf_error err = { 0 };

	memset(&p, 0, sizeof(p));
	assert_int_equal(rf_rlimit_set(&p, RLIMIT_MEMLOCK, 64 * KiB, 64 * KiB, &err), 0);
	assert_true(p.rlimits[RLIMIT_MEMLOCK].set);
	assert_int_equal(p.rlimits[RLIMIT_MEMLOCK].hard, 64 * KiB);
	assert_int_equal(rf_rlimit_set(&p, RLIMIT_NOFILE, 10, 5, &err), -1);
	assert_non_null(strstr(err.msg, "soft limit 10 is above hard limit 5"));
	assert_false(p.rlimits[RLIMIT_NOFILE].set);
	assert_int_equal(rf_rlimit_set(&p, 999, 1, 1, &err), -1);
}

/* ---- planning without CAP_SYS_RESOURCE ---- */

/* Leave CAP_SYS_RESOURCE out of the effective set (it stays permitted). */
static void set_sys_resource(bool on)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned idx = CAP_TO_INDEX(CAP_SYS_RESOURCE);

	assert_int_equal(syscall(SYS_capget, &hdr, data), 0);
	if (on)
		data[idx].effective |= data[idx].permitted & CAP_TO_MASK(CAP_SYS_RESOURCE);
	else
		data[idx].effective &= ~CAP_TO_MASK(CAP_SYS_RESOURCE);
	assert_int_equal(syscall(SYS_capset, &hdr, data), 0);
}

/* Some container runtimes leave CAP_SYS_RESOURCE out even for root. */
static bool sys_resource_permitted(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	assert_int_equal(syscall(SYS_capget, &hdr, data), 0);
	return data[CAP_TO_INDEX(CAP_SYS_RESOURCE)].permitted & CAP_TO_MASK(CAP_SYS_RESOURCE);
}

static void write_own_oom_score_adj(const char *v)
{
	cleanup_close int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, v, strlen(v)), (ssize_t)strlen(v));
}

/* Each planning case runs in a child: it lowers its own limits for good. */
static void in_child(void (*fn)(void))
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("the check in the child failed (status %#x)", status);
}

static void child_fail(const char *what, const char *msg)
{
	fprintf(stderr, "child: %s: %s\n", what, msg);
	_exit(1);
}

static void clamp_in_child(void)
{
	struct rlimit lim = { 4096, 4096 };
	struct rf_diag_log log = { 0 };
	rf_diag diag = { rf_diag_log_collect, &log };
	rf_error err = { 0 };
	rf_process p;

	if (setrlimit(RLIMIT_NOFILE, &lim) < 0)
		child_fail("setrlimit", "lowering our own hard limit");
	set_sys_resource(false);
	memset(&p, 0, sizeof(p));
	rf_rlimit_set(&p, RLIMIT_NOFILE, 8192, 16384, &err);
	rf_rlimit_set(&p, RLIMIT_CORE, 0, 0, &err);
	if (rf_rlimit_plan(&p, &diag, &err) < 0)
		child_fail("plan", err.msg);
	if (p.rlimits[RLIMIT_NOFILE].hard != 4096 || p.rlimits[RLIMIT_NOFILE].soft != 4096)
		child_fail("nofile", "not clamped to 4096");
	if (log.warnings != 1 ||
	    !strstr(log.text, "rlimit nofile: hard limit 16384 is above your own hard limit 4096") ||
	    !strstr(log.text, "CAP_SYS_RESOURCE"))
		child_fail("warning", log.text);
	/* A limit at or below ours is left alone. */
	if (p.rlimits[RLIMIT_CORE].hard != 0)
		child_fail("core", "changed");
	/* With the capability the plan keeps the value. */
	if (!sys_resource_permitted())
		return;
	set_sys_resource(true);
	rf_rlimit_set(&p, RLIMIT_NOFILE, 8192, 16384, &err);
	log.warnings = 0;
	if (rf_rlimit_plan(&p, &diag, &err) < 0 || p.rlimits[RLIMIT_NOFILE].hard != 16384 ||
	    log.warnings)
		child_fail("privileged plan", "clamped anyway");
}

/* The soft limit follows the clamped hard limit only when it is above it. */
static void clamp_soft_below_in_child(void)
{
	struct rlimit lim = { 1024, 2048 };
	rf_error err = { 0 };
	rf_process p;

	if (setrlimit(RLIMIT_NOFILE, &lim) < 0)
		child_fail("setrlimit", "lowering our own hard limit");
	set_sys_resource(false);
	memset(&p, 0, sizeof(p));
	rf_rlimit_set(&p, RLIMIT_NOFILE, 100, RF_MAX, &err);
	if (rf_rlimit_plan(&p, NULL, &err) < 0)
		child_fail("plan", err.msg);
	if (p.rlimits[RLIMIT_NOFILE].soft != 100 || p.rlimits[RLIMIT_NOFILE].hard != 2048)
		child_fail("nofile", "wrong clamp of 100:unlimited under 2048");
}

static void oom_floor_in_child(void)
{
	rf_error err = { 0 };
	rf_process p;

	write_own_oom_score_adj("100");
	set_sys_resource(false);
	memset(&p, 0, sizeof(p));
	p.oom_score_adj = (rf_opt_i64){ .set = true, .v = -100 };
	if (rf_rlimit_plan(&p, NULL, &err) != -1 ||
	    !strstr(err.msg, "--oom-score-adj -100 is below the current value 100: lowering it "
		    "needs CAP_SYS_RESOURCE"))
		child_fail("lowering refused", err.msg);
	p.oom_score_adj.v = 50;
	if (rf_rlimit_plan(&p, NULL, &err) != -1)
		child_fail("lowering to 50 refused", "accepted");
	p.oom_score_adj.v = 100;
	if (rf_rlimit_plan(&p, NULL, &err) != 0)
		child_fail("same value", err.msg);
	p.oom_score_adj.v = 1000;
	if (rf_rlimit_plan(&p, NULL, &err) != 0)
		child_fail("raising", err.msg);
	p.oom_score_adj.v = 1001;
	if (rf_rlimit_plan(&p, NULL, &err) != -1 || !strstr(err.msg, "expected -1000 to 1000"))
		child_fail("range", err.msg);
	if (!sys_resource_permitted())
		return;
	set_sys_resource(true);
	p.oom_score_adj.v = -1000;
	if (rf_rlimit_plan(&p, NULL, &err) != 0)
		child_fail("privileged lowering", err.msg);
}

static void need_root(void)
{
	if (geteuid() != 0)
		skip();
}

static void test_plan_clamp(void **state)
{
	need_root();
	in_child(clamp_in_child);
}

static void test_plan_clamp_soft(void **state)
{
	need_root();
	in_child(clamp_soft_below_in_child);
}

static void test_plan_oom_floor(void **state)
{
	need_root();
	in_child(oom_floor_in_child);
}

/* ---- applying ---- */

static void apply_in_child(void)
{
	rf_error err = { 0 };
	struct rlimit got;
	rf_process p;
	char buf[16] = "";
	uint64_t core_hard;
	int fd;

	memset(&p, 0, sizeof(p));
	rf_rlimit_set(&p, RLIMIT_NOFILE, 64, 128, &err);
	rf_rlimit_set(&p, RLIMIT_MEMLOCK, 64 * KiB, 64 * KiB, &err);
	getrlimit(RLIMIT_CORE, &got);
	core_hard = got.rlim_max == RLIM_INFINITY ? RF_MAX : got.rlim_max;
	rf_rlimit_set(&p, RLIMIT_CORE, 0, core_hard, &err);
	p.oom_score_adj = (rf_opt_i64){ .set = true, .v = 900 };
	if (rf_rlimit_apply(&p, &err) < 0)
		child_fail("apply", err.msg);
	getrlimit(RLIMIT_NOFILE, &got);
	if (got.rlim_cur != 64 || got.rlim_max != 128)
		child_fail("nofile", "not 64:128");
	getrlimit(RLIMIT_MEMLOCK, &got);
	if (got.rlim_cur != 65536 || got.rlim_max != 65536)
		child_fail("memlock", "not 64K");
	getrlimit(RLIMIT_CORE, &got);
	if (got.rlim_cur != 0 || (core_hard == RF_MAX) != (got.rlim_max == RLIM_INFINITY))
		child_fail("core", "not 0:(our hard limit)");
	fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0 || strcmp(buf, "900\n"))
		child_fail("oom_score_adj", buf);
	close(fd);
	/* A failing setrlimit names the limit and both values. */
	rf_rlimit_set(&p, RLIMIT_NOFILE, 64, 256, &err);
	set_sys_resource(false);
	if (rf_rlimit_apply(&p, &err) != -1 ||
	    !strstr(err.msg, "setrlimit nofile (soft 64, hard 256)"))
		child_fail("raising without the capability", err.msg);
}

static void test_apply(void **state)
{
	need_root();
	in_child(apply_in_child);
}

int main(void)
{
	struct rf_cases cases = { 0 };

	for (size_t i = 0; i < RF_ARRAY_SIZE(name_cases); i++)
		rf_case_add(&cases, test_name, &name_cases[i], "name `%s`", name_cases[i].in);
	for (size_t i = 0; i < RF_ARRAY_SIZE(parse_cases); i++)
		rf_case_add(&cases, test_parse, &parse_cases[i], "--rlimit `%s`", parse_cases[i].in);
	rf_case_add(&cases, test_set, NULL, "rf_rlimit_set (--memlock)");
	rf_case_add(&cases, test_plan_clamp, NULL, "plan: hard limit above ours is clamped with a warning");
	rf_case_add(&cases, test_plan_clamp_soft, NULL, "plan: soft limit below the clamp is kept");
	rf_case_add(&cases, test_plan_oom_floor, NULL, "plan: oom_score_adj below ours needs CAP_SYS_RESOURCE");
	rf_case_add(&cases, test_apply, NULL, "apply: setrlimit and oom_score_adj in a child");
	return rf_cases_run(&cases, "rlimit");
}
