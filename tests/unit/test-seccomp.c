/* src/seccomp.c: which profiles compile, what each malformed one is told
 * (naming the JSON path), which entries are skipped, and what a compiled
 * filter does once a forked child installs it. */
#include "config.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "ringfence/caps.h"
#include "ringfence/cleanup.h"
#include "ringfence/json.h"
#include "ringfence/seccomp.h"

#ifndef RF_FIXTURES
#error "RF_FIXTURES must name tests/fixtures"
#endif

/* Every diag message, newline-separated. */
static char diag_log[16384];

static void collect(void *userdata, rf_level level, const char *msg)
{
	size_t n = strlen(diag_log);

	snprintf(diag_log + n, sizeof(diag_log) - n, "%s\n", msg);
}

static const rf_diag diag = { .emit = collect };

static int compile_text(const char *text, const char *where, const rf_seccomp_env *env,
			struct rf_seccomp **sc, rf_error *err)
{
	rf_json *root = rf_json_parse(text, strlen(text), err);
	int r;

	assert_non_null(root);
	diag_log[0] = '\0';
	r = rf_seccomp_compile_env(root, where, env, &diag, sc, err);
	rf_json_free(root);
	return r;
}

#define ALLOW_ALL "\"defaultAction\": \"SCMP_ACT_ALLOW\""

/* ---- profiles that compile ---- */

struct case_ok {
	const char *name;
	const char *json;
	const char *note;       /* expected in the diag messages, or NULL */
};

static const struct case_ok ok_cases[] = {
	{ "only a default action", "{" ALLOW_ALL "}", NULL },
	{ "errno default with its errno", "{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
	  "\"defaultErrnoRet\": 38, \"syscalls\": [{\"names\": [\"getpid\"], "
	  "\"action\": \"SCMP_ACT_ALLOW\"}]}", NULL },
	{ "every action", "{" ALLOW_ALL ", \"syscalls\": ["
	  "{\"names\": [\"getuid\"], \"action\": \"SCMP_ACT_KILL\"},"
	  "{\"names\": [\"getgid\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"},"
	  "{\"names\": [\"geteuid\"], \"action\": \"SCMP_ACT_KILL_THREAD\"},"
	  "{\"names\": [\"getegid\"], \"action\": \"SCMP_ACT_TRAP\"},"
	  "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 4094},"
	  "{\"names\": [\"getpgrp\"], \"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": 65535},"
	  "{\"names\": [\"getsid\"], \"action\": \"SCMP_ACT_LOG\"}]}", NULL },
	{ "every operator", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getppid\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
	  "{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_NE\"},"
	  "{\"index\": 1, \"value\": 2, \"op\": \"SCMP_CMP_LT\"},"
	  "{\"index\": 2, \"value\": 3, \"op\": \"SCMP_CMP_LE\"},"
	  "{\"index\": 3, \"value\": 4, \"op\": \"SCMP_CMP_EQ\"},"
	  "{\"index\": 4, \"value\": 5, \"op\": \"SCMP_CMP_GE\"},"
	  "{\"index\": 5, \"value\": 6, \"op\": \"SCMP_CMP_GT\"},"
	  "{\"index\": 0, \"value\": 255, \"valueTwo\": 7, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}", NULL },
	{ "largest argument value", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getppid\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, "
	  "\"value\": 18446744073709551615, \"op\": \"SCMP_CMP_EQ\"}]}]}", NULL },
	{ "OCI architectures", "{" ALLOW_ALL ", \"architectures\": [\"SCMP_ARCH_X86_64\", "
	  "\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\", \"SCMP_ARCH_AARCH64\", \"SCMP_ARCH_ARM\"]}", NULL },
	{ "unknown architecture", "{" ALLOW_ALL ", \"architectures\": [\"SCMP_ARCH_VAX\"]}",
	  "`architectures[0]`: unknown architecture SCMP_ARCH_VAX, skipped" },
	{ "docker archMap", "{" ALLOW_ALL ", \"archMap\": [{\"architecture\": "
	  "\"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\"]}, "
	  "{\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": null}]}", NULL },
	{ "flags", "{" ALLOW_ALL ", \"flags\": [\"SECCOMP_FILTER_FLAG_TSYNC\", "
	  "\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\", "
	  "\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}",
	  "SECCOMP_FILTER_FLAG_TSYNC not needed" },
	{ "docker's single name", "{" ALLOW_ALL ", \"syscalls\": [{\"name\": \"keyctl\", "
	  "\"action\": \"SCMP_ACT_ERRNO\"}]}", NULL },
	{ "comments and nulls", "{" ALLOW_ALL ", \"comment\": \"x\", \"flags\": null, "
	  "\"syscalls\": [{\"names\": [\"keyctl\"], \"action\": \"SCMP_ACT_ERRNO\", "
	  "\"comment\": \"why\", \"errnoRet\": null, \"args\": null, \"includes\": {}, "
	  "\"excludes\": {\"caps\": null}}]}", NULL },
	{ "unknown key warned about", "{" ALLOW_ALL ", \"sycalls\": []}",
	  "ignoring unknown key `sycalls`" },
	{ "unknown syscall skipped", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": "
	  "[\"getppid\", \"no_such_call\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
	  "`syscalls[0].names[1]`: no syscall no_such_call on this machine's architectures" },
#if defined(__x86_64__)
	{ "other architecture's syscall skipped", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": "
	  "[\"arm_fadvise64_64\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
	  "no syscall arm_fadvise64_64" },
	{ "foreign architecture skipped", "{" ALLOW_ALL ", \"architectures\": "
	  "[\"SCMP_ARCH_S390X\"]}", "SCMP_ARCH_S390X does not run on this machine" },
	{ "x32 joins a permissive filter", "{" ALLOW_ALL "}", "adding SCMP_ARCH_X32" },
#endif
	{ "rule equal to the default", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": "
	  "[\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}", "same action as defaultAction" },
	{ "entry whose includes fail", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"mount\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}}]}",
	  "`syscalls[0]`: left out, its includes do not hold here" },
	{ "unknown capability in a condition", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": "
	  "[\"mount\"], \"action\": \"SCMP_ACT_ERRNO\", \"includes\": {\"caps\": "
	  "[\"CAP_NOPE\"]}}]}", "unknown capability CAP_NOPE, taken as not held" },
	{ "empty listenerPath", "{" ALLOW_ALL ", \"listenerPath\": \"\"}", NULL },
	{ "string and number fields in any order", "{\"syscalls\": [{\"action\": "
	  "\"SCMP_ACT_ERRNO\", \"errnoRet\": 0, \"names\": [\"getppid\"]}], " ALLOW_ALL "}", NULL },
};

static void test_ok(void **state)
{
	const struct case_ok *c = *state;
	struct rf_seccomp *sc = NULL;
	rf_error err = { 0 };

	if (compile_text(c->json, "", NULL, &sc, &err) < 0)
		fail_msg("did not compile: %s", err.msg);
	assert_true(rf_seccomp_instructions(sc) > 0);
	if (c->note && !strstr(diag_log, c->note))
		fail_msg("no note `%s` in:\n%s", c->note, diag_log);
	rf_seccomp_free(sc);
}

/* ---- malformed profiles ---- */

struct case_bad {
	const char *name;
	const char *json;
	const char *where;
	const char *msg;        /* the whole message */
};

static const struct case_bad bad_cases[] = {
	{ "not an object", "[]", "", "expected object, got array" },
	{ "no default action", "{}", "", "`defaultAction`: missing (expected SCMP_ACT_KILL, "
	  "SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, "
	  "SCMP_ACT_TRACE, SCMP_ACT_ALLOW or SCMP_ACT_LOG)" },
	{ "default action a number", "{\"defaultAction\": 1}", "",
	  "`defaultAction`: expected string, got integer" },
	{ "unknown default action", "{\"defaultAction\": \"SCMP_ACT_MAYBE\"}", "",
	  "`defaultAction`: unknown action `SCMP_ACT_MAYBE` (expected SCMP_ACT_KILL, "
	  "SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, "
	  "SCMP_ACT_TRACE, SCMP_ACT_ALLOW or SCMP_ACT_LOG)" },
	{ "notify default", "{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "",
	  "`defaultAction`: SCMP_ACT_NOTIFY needs a seccomp agent to answer the notifications, "
	  "which ringfence does not provide" },
	{ "default errno a fraction", "{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
	  "\"defaultErrnoRet\": 1.5}", "",
	  "`defaultErrnoRet`: expected an unsigned integer, got number" },
	{ "default errno with allow", "{" ALLOW_ALL ", \"defaultErrnoRet\": 1}", "",
	  "`defaultErrnoRet`: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a return value" },
	{ "listener path", "{" ALLOW_ALL ", \"listenerPath\": \"/run/agent.sock\"}", "",
	  "`listenerPath`: seccomp notification agents are not supported" },
	{ "syscalls an object", "{" ALLOW_ALL ", \"syscalls\": {}}", "",
	  "`syscalls`: expected array, got object" },
	{ "entry a string", "{" ALLOW_ALL ", \"syscalls\": [\"keyctl\"]}", "",
	  "`syscalls[0]`: expected object, got string" },
	{ "action a number", "{" ALLOW_ALL ", \"syscalls\": ["
	  "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ERRNO\"},"
	  "{\"names\": [\"b\"], \"action\": \"SCMP_ACT_ERRNO\"},"
	  "{\"names\": [\"c\"], \"action\": \"SCMP_ACT_ERRNO\"},"
	  "{\"names\": [\"d\"], \"action\": 3}]}", "",
	  "`syscalls[3].action`: expected string, got integer" },
	{ "notify rule", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_NOTIFY\"}]}", "",
	  "`syscalls[0].action`: SCMP_ACT_NOTIFY needs a seccomp agent to answer the "
	  "notifications, which ringfence does not provide" },
	{ "no action", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"]}]}", "",
	  "`syscalls[0].action`: missing (expected SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, "
	  "SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW "
	  "or SCMP_ACT_LOG)" },
	{ "no names", "{" ALLOW_ALL ", \"syscalls\": [{\"action\": \"SCMP_ACT_ERRNO\"}]}", "",
	  "`syscalls[0].names`: missing (expected an array of syscall names)" },
	{ "names a string", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": \"keyctl\", "
	  "\"action\": \"SCMP_ACT_ERRNO\"}]}", "", "`syscalls[0].names`: expected array, got string" },
	{ "a name a number", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\", 250], "
	  "\"action\": \"SCMP_ACT_ERRNO\"}]}", "",
	  "`syscalls[0].names[1]`: expected string, got integer" },
	{ "docker name an array", "{" ALLOW_ALL ", \"syscalls\": [{\"name\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\"}]}", "", "`syscalls[0].name`: expected string, got array" },
	{ "errno negative", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": -1}]}", "",
	  "`syscalls[0].errnoRet`: -1 is negative (expected 0 to 4094)" },
	{ "errno too large", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 4095}]}", "",
	  "`syscalls[0].errnoRet`: 4095 is out of range (expected 0 to 4094)" },
	{ "trace value too large", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": 65536}]}", "",
	  "`syscalls[0].errnoRet`: 65536 is out of range (expected 0 to 65535)" },
	{ "errno with kill", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_KILL\", \"errnoRet\": 1}]}", "",
	  "`syscalls[0].errnoRet`: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a return value" },
	{ "errno a string", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": \"EPERM\"}]}", "",
	  "`syscalls[0].errnoRet`: expected an unsigned integer, got string" },
	{ "args an object", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"args\": {}}]}", "",
	  "`syscalls[0].args`: expected array, got object" },
	{ "arg index 6", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"value\": 1, "
	  "\"op\": \"SCMP_CMP_EQ\"}]}]}", "",
	  "`syscalls[0].args[0].index`: 6 is out of range (expected 0 to 5)" },
	{ "arg without index", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
	  "", "`syscalls[0].args[0].index`: missing (expected 0 to 5)" },
	{ "arg without value", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
	  "", "`syscalls[0].args[0].value`: missing (expected an unsigned integer)" },
	{ "value too large", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": "
	  "18446744073709551616, \"op\": \"SCMP_CMP_EQ\"}]}]}", "",
	  "`syscalls[0].args[0].value`: out of range (expected 0 to 18446744073709551615)" },
	{ "value a fraction", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": 0.5, "
	  "\"op\": \"SCMP_CMP_EQ\"}]}]}", "",
	  "`syscalls[0].args[0].value`: expected an unsigned integer, got number" },
	{ "valueTwo a string", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": 1, "
	  "\"valueTwo\": \"1\", \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}", "",
	  "`syscalls[0].args[0].valueTwo`: expected an unsigned integer, got string" },
	{ "unknown operator", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": 1, "
	  "\"op\": \"SCMP_CMP_LIKE\"}]}]}", "",
	  "`syscalls[0].args[0].op`: unknown operator `SCMP_CMP_LIKE` (expected SCMP_CMP_EQ, "
	  "SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ)" },
	{ "no operator", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": 1}]}]}", "",
	  "`syscalls[0].args[0].op`: missing (expected SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT, "
	  "SCMP_CMP_LE, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ)" },
	{ "architectures a string", "{" ALLOW_ALL ", \"architectures\": \"SCMP_ARCH_X86\"}", "",
	  "`architectures`: expected array, got string" },
	{ "an architecture a number", "{" ALLOW_ALL ", \"architectures\": [3]}", "",
	  "`architectures[0]`: expected string, got integer" },
	{ "archMap without architecture", "{" ALLOW_ALL ", \"archMap\": [{}]}", "",
	  "`archMap[0].architecture`: missing (expected a name like SCMP_ARCH_X86_64)" },
	{ "unknown flag", "{" ALLOW_ALL ", \"flags\": [\"SECCOMP_FILTER_FLAG_FAST\"]}", "",
	  "`flags[0]`: unknown flag `SECCOMP_FILTER_FLAG_FAST` (expected SECCOMP_FILTER_FLAG_LOG, "
	  "SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_TSYNC or "
	  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)" },
	{ "includes an array", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"includes\": []}]}", "",
	  "`syscalls[0].includes`: expected object, got array" },
	{ "caps a string", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"excludes\": {\"caps\": \"CAP_SYS_ADMIN\"}}]}", "",
	  "`syscalls[0].excludes.caps`: expected array, got string" },
	{ "bad minKernel", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"includes\": {\"minKernel\": \"4\"}}]}", "",
	  "`syscalls[0].includes.minKernel`: expected a kernel version like \"4.8\" or \"5.10.1\"" },
	{ "minKernel with a suffix", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"includes\": {\"minKernel\": \"4.8-rc1\"}}]}", "",
	  "`syscalls[0].includes.minKernel`: expected a kernel version like \"4.8\" or \"5.10.1\"" },
	{ "conflicting rules", "{" ALLOW_ALL ", \"syscalls\": ["
	  "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
	  "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},"
	  "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_KILL\", \"args\": "
	  "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}", "",
	  "`syscalls[1].names[0]`: getppid: an earlier entry has the same conditions with "
	  "another action" },
	{ "bad excludes behind failing includes", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": "
	  "[\"keyctl\"], \"action\": \"SCMP_ACT_ERRNO\", \"includes\": {\"arches\": "
	  "[\"s390x\"]}, \"excludes\": {\"minKernel\": 4}}]}", "",
	  "`syscalls[0].excludes.minKernel`: expected string, got integer" },
	{ "path under the caller's", "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"keyctl\"], "
	  "\"action\": false}]}", "linux.seccomp",
	  "`linux.seccomp.syscalls[0].action`: expected string, got boolean" },
	{ "input made printable", "{\"defaultAction\": \"SCMP\\u0007\"}", "",
	  "`defaultAction`: unknown action `SCMP?` (expected SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, "
	  "SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW "
	  "or SCMP_ACT_LOG)" },
};

static void test_bad(void **state)
{
	const struct case_bad *c = *state;
	struct rf_seccomp *sc = (struct rf_seccomp *)&sc;
	rf_error err = { 0 };

	assert_int_equal(compile_text(c->json, c->where, NULL, &sc, &err), -1);
	assert_null(sc);
	assert_int_equal(err.errnum, 0);
	assert_string_equal(err.msg, c->msg);
}

/* ---- what an installed filter does ---- */

enum outcome { RAN, FAILED, KILLED };

struct case_run {
	const char *name;
	const char *json;       /* NULL: the built-in default profile; "@file": a fixture */
	uint64_t caps;          /* rf_seccomp_env.caps */
	const char *kernel;     /* rf_seccomp_env.kernel_release */
	long nr;
	unsigned long a[3];
	enum outcome want;
	int code;               /* errno for FAILED, signal for KILLED */
};

#define DENY_GETPPID(extra) "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getppid\"], " \
	"\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42" extra "}]}"
#define IF_ARGS(args) DENY_GETPPID(", \"args\": [" args "]")
#define ARG(i, v, op) "{\"index\": " #i ", \"value\": " #v ", \"op\": \"SCMP_CMP_" #op "\"}"
#define NATIVE_ARCHES "[\"amd64\", \"arm64\", \"x86_64\", \"aarch64\"]"
#define CAP(c) (UINT64_C(1) << CAP_##c)
#define RULE(action) "{" ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getppid\"], " \
	"\"action\": \"" action "\"}]}"

static const struct case_run run_cases[] = {
	/* actions */
	{ "errno with errnoRet", DENY_GETPPID(""), 0, NULL, SYS_getppid, { 0 }, FAILED, 42 },
	{ "errno defaults to EPERM", RULE("SCMP_ACT_ERRNO"), 0, NULL, SYS_getppid, { 0 }, FAILED,
	  EPERM },
	{ "kill", RULE("SCMP_ACT_KILL"), 0, NULL, SYS_getppid, { 0 }, KILLED, SIGSYS },
	{ "kill process", RULE("SCMP_ACT_KILL_PROCESS"), 0, NULL, SYS_getppid, { 0 }, KILLED,
	  SIGSYS },
	{ "trap", RULE("SCMP_ACT_TRAP"), 0, NULL, SYS_getppid, { 0 }, KILLED, SIGSYS },
	{ "trace without a tracer", RULE("SCMP_ACT_TRACE"), 0, NULL, SYS_getppid, { 0 }, FAILED,
	  ENOSYS },
	{ "log allows", RULE("SCMP_ACT_LOG"), 0, NULL, SYS_getppid, { 0 }, RAN, 0 },
	{ "other syscalls untouched", DENY_GETPPID(""), 0, NULL, SYS_getpid, { 0 }, RAN, 0 },
	{ "allowlist allows", "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 7, "
	  "\"syscalls\": [{\"names\": [\"getppid\", \"exit\", \"exit_group\"], "
	  "\"action\": \"SCMP_ACT_ALLOW\"}]}", 0, NULL, SYS_getppid, { 0 }, RAN, 0 },
	{ "allowlist denies the rest", "{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
	  "\"defaultErrnoRet\": 7, \"syscalls\": [{\"names\": [\"getppid\", \"exit\", "
	  "\"exit_group\"], \"action\": \"SCMP_ACT_ALLOW\"}]}", 0, NULL, SYS_getpid, { 0 },
	  FAILED, 7 },
	/* operators; the kernel ignores getppid's arguments, the filter does not */
	{ "EQ matches", IF_ARGS(ARG(0, 5, EQ)), 0, NULL, SYS_getppid, { 5 }, FAILED, 42 },
	{ "EQ misses", IF_ARGS(ARG(0, 5, EQ)), 0, NULL, SYS_getppid, { 6 }, RAN, 0 },
	{ "NE matches", IF_ARGS(ARG(0, 5, NE)), 0, NULL, SYS_getppid, { 6 }, FAILED, 42 },
	{ "NE misses", IF_ARGS(ARG(0, 5, NE)), 0, NULL, SYS_getppid, { 5 }, RAN, 0 },
	{ "LT matches", IF_ARGS(ARG(1, 5, LT)), 0, NULL, SYS_getppid, { 0, 4 }, FAILED, 42 },
	{ "LT misses", IF_ARGS(ARG(1, 5, LT)), 0, NULL, SYS_getppid, { 0, 5 }, RAN, 0 },
	{ "LE matches", IF_ARGS(ARG(1, 5, LE)), 0, NULL, SYS_getppid, { 0, 5 }, FAILED, 42 },
	{ "LE misses", IF_ARGS(ARG(1, 5, LE)), 0, NULL, SYS_getppid, { 0, 6 }, RAN, 0 },
	{ "GE matches", IF_ARGS(ARG(2, 5, GE)), 0, NULL, SYS_getppid, { 0, 0, 5 }, FAILED, 42 },
	{ "GE misses", IF_ARGS(ARG(2, 5, GE)), 0, NULL, SYS_getppid, { 0, 0, 4 }, RAN, 0 },
	{ "GT matches", IF_ARGS(ARG(2, 5, GT)), 0, NULL, SYS_getppid, { 0, 0, 6 }, FAILED, 42 },
	{ "GT misses", IF_ARGS(ARG(2, 5, GT)), 0, NULL, SYS_getppid, { 0, 0, 5 }, RAN, 0 },
	{ "MASKED_EQ matches", IF_ARGS("{\"index\": 0, \"value\": 240, \"valueTwo\": 48, "
	  "\"op\": \"SCMP_CMP_MASKED_EQ\"}"), 0, NULL, SYS_getppid, { 0x135 }, FAILED, 42 },
	{ "MASKED_EQ misses", IF_ARGS("{\"index\": 0, \"value\": 240, \"valueTwo\": 48, "
	  "\"op\": \"SCMP_CMP_MASKED_EQ\"}"), 0, NULL, SYS_getppid, { 0x145 }, RAN, 0 },
	{ "distinct indexes: all must hold", IF_ARGS(ARG(0, 5, EQ) "," ARG(1, 7, EQ)), 0, NULL,
	  SYS_getppid, { 5, 7 }, FAILED, 42 },
	{ "distinct indexes: one is not enough", IF_ARGS(ARG(0, 5, EQ) "," ARG(1, 7, EQ)), 0,
	  NULL, SYS_getppid, { 5, 8 }, RAN, 0 },
	{ "repeated index: any one holds", IF_ARGS(ARG(0, 5, EQ) "," ARG(0, 6, EQ)), 0, NULL,
	  SYS_getppid, { 6 }, FAILED, 42 },
	{ "repeated index: none holds", IF_ARGS(ARG(0, 5, EQ) "," ARG(0, 6, EQ)), 0, NULL,
	  SYS_getppid, { 7 }, RAN, 0 },
	/* docker's includes / excludes */
	{ "includes caps, not held", DENY_GETPPID(", \"includes\": {\"caps\": "
	  "[\"CAP_SYS_ADMIN\"]}"), 0, NULL, SYS_getppid, { 0 }, RAN, 0 },
	{ "includes caps, held", DENY_GETPPID(", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}"),
	  CAP(SYS_ADMIN), NULL, SYS_getppid, { 0 }, FAILED, 42 },
	{ "includes caps, one of two held", DENY_GETPPID(", \"includes\": {\"caps\": "
	  "[\"CAP_SYS_ADMIN\", \"CAP_BPF\"]}"), CAP(BPF), NULL, SYS_getppid, { 0 }, RAN, 0 },
	{ "excludes caps, held", DENY_GETPPID(", \"excludes\": {\"caps\": "
	  "[\"CAP_SYS_ADMIN\", \"CAP_BPF\"]}"), CAP(BPF), NULL, SYS_getppid, { 0 }, RAN, 0 },
	{ "excludes caps, not held", DENY_GETPPID(", \"excludes\": {\"caps\": "
	  "[\"CAP_SYS_ADMIN\"]}"), CAP(BPF), NULL, SYS_getppid, { 0 }, FAILED, 42 },
	{ "includes this arch", DENY_GETPPID(", \"includes\": {\"arches\": " NATIVE_ARCHES "}"),
	  0, NULL, SYS_getppid, { 0 }, FAILED, 42 },
	{ "includes another arch", DENY_GETPPID(", \"includes\": {\"arches\": [\"s390x\"]}"), 0,
	  NULL, SYS_getppid, { 0 }, RAN, 0 },
	{ "excludes this arch", DENY_GETPPID(", \"excludes\": {\"arches\": " NATIVE_ARCHES "}"),
	  0, NULL, SYS_getppid, { 0 }, RAN, 0 },
	{ "includes an empty arch list", DENY_GETPPID(", \"includes\": {\"arches\": []}"), 0,
	  NULL, SYS_getppid, { 0 }, FAILED, 42 },
	{ "excludes another arch", DENY_GETPPID(", \"excludes\": {\"arches\": [\"s390x\"]}"), 0,
	  NULL, SYS_getppid, { 0 }, FAILED, 42 },
	{ "minKernel reached", DENY_GETPPID(", \"includes\": {\"minKernel\": \"5.10\"}"), 0,
	  "5.10.0-26-cloud-amd64", SYS_getppid, { 0 }, FAILED, 42 },
	{ "minKernel not reached", DENY_GETPPID(", \"includes\": {\"minKernel\": \"5.10.1\"}"), 0,
	  "5.10.0-26-cloud-amd64", SYS_getppid, { 0 }, RAN, 0 },
	{ "minKernel above", DENY_GETPPID(", \"includes\": {\"minKernel\": \"6.0\"}"), 0,
	  "5.19.17", SYS_getppid, { 0 }, RAN, 0 },
	{ "excludes minKernel reached", DENY_GETPPID(", \"excludes\": {\"minKernel\": \"4.8\"}"),
	  0, "6.1.0", SYS_getppid, { 0 }, RAN, 0 },
	{ "includes all of caps and minKernel", DENY_GETPPID(", \"includes\": {\"caps\": "
	  "[\"CAP_BPF\"], \"minKernel\": \"9.0\"}"), CAP(BPF), "6.1.0", SYS_getppid, { 0 }, RAN,
	  0 },
	/* the built-in default profile */
	{ "default: getpid runs", NULL, 0, NULL, SYS_getpid, { 0 }, RAN, 0 },
	{ "default: keyctl", NULL, 0, NULL, SYS_keyctl, { 0 }, FAILED, EPERM },
	{ "default: add_key", NULL, 0, NULL, SYS_add_key, { 0 }, FAILED, EPERM },
	{ "default: bpf", NULL, 0, NULL, SYS_bpf, { 0 }, FAILED, EPERM },
	{ "default: perf_event_open", NULL, 0, NULL, SYS_perf_event_open, { 0 }, FAILED, EPERM },
	{ "default: userfaultfd", NULL, 0, NULL, SYS_userfaultfd, { 0 }, FAILED, EPERM },
	{ "default: init_module", NULL, 0, NULL, SYS_init_module, { 0 }, FAILED, EPERM },
	{ "default: kexec_load", NULL, 0, NULL, SYS_kexec_load, { 0 }, FAILED, EPERM },
	{ "default: ptrace", NULL, 0, NULL, SYS_ptrace, { PTRACE_PEEKDATA, 1 }, FAILED, EPERM },
	{ "default: process_vm_readv", NULL, 0, NULL, SYS_process_vm_readv, { 0 }, FAILED, EPERM },
	{ "default: mount", NULL, 0, NULL, SYS_mount, { 0 }, FAILED, EPERM },
	{ "default: umount2", NULL, 0, NULL, SYS_umount2, { 0 }, FAILED, EPERM },
	{ "default: pivot_root", NULL, 0, NULL, SYS_pivot_root, { 0 }, FAILED, EPERM },
	{ "default: unshare", NULL, 0, NULL, SYS_unshare, { CLONE_NEWUSER }, FAILED, EPERM },
	{ "default: unshare with CAP_SYS_ADMIN", NULL, CAP(SYS_ADMIN), NULL, SYS_unshare, { 0 },
	  RAN, 0 },
	{ "default: setns", NULL, 0, NULL, SYS_setns, { 0 }, FAILED, EPERM },
	{ "default: clone with CLONE_NEWUSER", NULL, 0, NULL, SYS_clone,
	  { CLONE_NEWUSER | SIGCHLD }, FAILED, EPERM },
	{ "default: clone with CLONE_NEWNET", NULL, 0, NULL, SYS_clone,
	  { CLONE_NEWNET | SIGCHLD }, FAILED, EPERM },
	{ "default: clone3 looks absent", NULL, 0, NULL, SYS_clone3, { 0 }, FAILED, ENOSYS },
	{ "default: TIOCSTI", NULL, 0, NULL, SYS_ioctl, { 0, TIOCSTI }, FAILED, EPERM },
	{ "default: TIOCSTI with high bits", NULL, 0, NULL, SYS_ioctl,
	  { 0, TIOCSTI | 0x100000000UL }, FAILED, EPERM },
	{ "default: TIOCLINUX", NULL, 0, NULL, SYS_ioctl, { 0, TIOCLINUX }, FAILED, EPERM },
	{ "default: other ioctls", NULL, 0, NULL, SYS_ioctl, { 999, TIOCGWINSZ }, FAILED, EBADF },
	{ "default: personality query", NULL, 0, NULL, SYS_personality, { 0xffffffff }, FAILED,
	  EPERM },
	{ "default: personality PER_LINUX", NULL, 0, NULL, SYS_personality, { PER_LINUX }, RAN, 0 },
	{ "default: personality without ASLR", NULL, 0, NULL, SYS_personality,
	  { ADDR_NO_RANDOMIZE }, FAILED, EPERM },
	{ "default: reboot", NULL, 0, NULL, SYS_reboot, { 0 }, FAILED, EPERM },
	{ "default: settimeofday", NULL, 0, NULL, SYS_settimeofday, { 0 }, FAILED, EPERM },
	{ "default: open_by_handle_at", NULL, 0, NULL, SYS_open_by_handle_at, { 0 }, FAILED,
	  EPERM },
	{ "default: io_uring_setup looks absent", NULL, 0, NULL, SYS_io_uring_setup, { 0 },
	  FAILED, ENOSYS },
	{ "default: syslog", NULL, 0, NULL, SYS_syslog, { 0 }, FAILED, EPERM },
#if defined(__x86_64__)
	{ "default: iopl", NULL, 0, NULL, SYS_iopl, { 0 }, FAILED, EPERM },
	/* An x32 syscall number meets the same rule (the kernel would say ENOSYS). */
	{ "x32 numbers meet the rules", DENY_GETPPID(""), 0, NULL, 0x40000000 | SYS_getppid,
	  { 0 }, FAILED, 42 },
	{ "default: x32 keyctl", NULL, 0, NULL, 0x40000000 | SYS_keyctl, { 0 }, FAILED, EPERM },
#endif
	/* a docker-style allowlist */
	{ "docker-like: getpid", "@seccomp/docker-like.json", 0, NULL, SYS_getpid, { 0 }, RAN, 0 },
	{ "docker-like: keyctl", "@seccomp/docker-like.json", 0, NULL, SYS_keyctl, { 0 }, FAILED,
	  EPERM },
	{ "docker-like: personality 0", "@seccomp/docker-like.json", 0, NULL, SYS_personality,
	  { 0 }, RAN, 0 },
	{ "docker-like: personality without ASLR", "@seccomp/docker-like.json", 0, NULL,
	  SYS_personality, { ADDR_NO_RANDOMIZE }, FAILED, EPERM },
	{ "docker-like: socket AF_VSOCK", "@seccomp/docker-like.json", 0, NULL, SYS_socket,
	  { 40 }, FAILED, EPERM },
	{ "docker-like: socket AF_UNIX", "@seccomp/docker-like.json", 0, NULL, SYS_socket,
	  { 999 }, FAILED, EAFNOSUPPORT },
	{ "docker-like: clone with CLONE_NEWUSER", "@seccomp/docker-like.json", 0, NULL,
	  SYS_clone, { CLONE_NEWUSER | SIGCHLD }, FAILED, EPERM },
	{ "docker-like: clone3", "@seccomp/docker-like.json", 0, NULL, SYS_clone3, { 0 }, FAILED,
	  ENOSYS },
	/* setns checks its fd before anything else: EBADF once allowed */
	{ "docker-like: setns without CAP_SYS_ADMIN", "@seccomp/docker-like.json", 0, NULL,
	  SYS_setns, { -1UL }, FAILED, EPERM },
	{ "docker-like: setns with CAP_SYS_ADMIN", "@seccomp/docker-like.json", CAP(SYS_ADMIN),
	  NULL, SYS_setns, { -1UL }, FAILED, EBADF },
	{ "docker-like: ptrace before 4.8", "@seccomp/docker-like.json", 0, "4.4.0", SYS_ptrace,
	  { PTRACE_PEEKDATA, 1 }, FAILED, EPERM },
	{ "docker-like: ptrace from 4.8", "@seccomp/docker-like.json", 0, "4.8.0", SYS_ptrace,
	  { PTRACE_PEEKDATA, 1 }, FAILED, ESRCH },
#if defined(__x86_64__)
	{ "docker-like: arch_prctl on amd64", "@seccomp/docker-like.json", 0, NULL,
	  SYS_arch_prctl, { 0 }, FAILED, EINVAL },
#endif
};

static struct rf_seccomp *compile_case(const struct case_run *c)
{
	rf_seccomp_env env = { .caps = c->caps, .kernel_release = c->kernel };
	struct rf_seccomp *sc = NULL;
	rf_error err = { 0 };
	int r;

	diag_log[0] = '\0';
	if (!c->json) {
		r = rf_seccomp_compile_file_env(NULL, &env, &diag, &sc, &err);
	} else if (c->json[0] == '@') {
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", RF_FIXTURES, c->json + 1);
		r = rf_seccomp_compile_file_env(path, &env, &diag, &sc, &err);
	} else {
		r = compile_text(c->json, "", &env, &sc, &err);
	}
	if (r < 0)
		fail_msg("did not compile: %s", err.msg);
	return sc;
}

/* Install the filter in a child, make the call, report how it went in the
 * exit status: 100 for success, the errno for a failure. */
static void test_run(void **state)
{
	const struct case_run *c = *state;
	struct rf_seccomp *sc = compile_case(c);
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit none = { 0, 0 };
		rf_error err = { 0 };
		long r;

		/* SIGSYS must kill, not reach cmocka's handler, and not dump core. */
		signal(SIGSYS, SIG_DFL);
		setrlimit(RLIMIT_CORE, &none);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || rf_seccomp_apply(sc, &err) < 0)
			_exit(101);
		r = syscall(c->nr, c->a[0], c->a[1], c->a[2], 0, 0, 0);
		/* The raw exit_group: under ASan, _exit() runs LeakSanitizer's exit
		 * check first, which needs syscalls an allowlist denies. */
		syscall(SYS_exit_group, r >= 0 ? 100 : errno > 0 && errno < 100 ? errno : 102);
	}
	rf_seccomp_free(sc);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	switch (c->want) {
	case RAN:
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 100)
			fail_msg("wanted success, got status %#x", status);
		break;
	case FAILED:
		if (!WIFEXITED(status) || WEXITSTATUS(status) != c->code)
			fail_msg("wanted errno %d (%s), got status %#x", c->code, strerror(c->code),
				 status);
		break;
	case KILLED:
		if (!WIFSIGNALED(status) || WTERMSIG(status) != c->code)
			fail_msg("wanted signal %d, got status %#x", c->code, status);
		break;
	}
}

/* ---- the default profile itself ---- */

static void test_default_text(void **state)
{
	const char *text = rf_seccomp_default_json();
	rf_error err = { 0 };
	rf_json *root = rf_json_parse(text, strlen(text), &err);
	const rf_json *calls;

	assert_non_null(root);
	assert_string_equal(rf_json_str(rf_json_get(root, "defaultAction")), "SCMP_ACT_ALLOW");
	assert_non_null(rf_json_str(rf_json_get(root, "description")));
	/* Every group says why. */
	calls = rf_json_get(root, "syscalls");
	assert_true(rf_json_array_len(calls) > 10);
	for (size_t i = 0; i < rf_json_array_len(calls); i++) {
		const char *why = rf_json_str(rf_json_get(rf_json_array_at(calls, i), "comment"));

		if (!why || strlen(why) < 20)
			fail_msg("syscalls[%zu] has no comment saying why", i);
	}
	rf_json_free(root);
}

static void test_default_compiles_quietly(void **state)
{
	struct rf_seccomp *sc = NULL;
	rf_error err = { 0 };

	diag_log[0] = '\0';
	if (rf_seccomp_compile_file(NULL, &diag, &sc, &err) < 0)
		fail_msg("the default profile did not compile: %s", err.msg);
	assert_true(rf_seccomp_instructions(sc) > 20);
	assert_null(strstr(diag_log, "unknown key"));
	rf_seccomp_free(sc);
}

static void test_file_errors(void **state)
{
	struct rf_seccomp *sc = NULL;
	rf_error err = { 0 };

	assert_int_equal(rf_seccomp_compile_file("/nonexistent/profile.json", NULL, &sc, &err), -1);
	assert_null(sc);
	assert_int_equal(err.errnum, ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/profile.json"));
}

static void test_apply_needs_nnp(void **state)
{
	struct rf_seccomp *sc = NULL;
	rf_error err = { 0 };
	int status;
	pid_t pid;

	if (geteuid() == 0)
		skip();         /* CAP_SYS_ADMIN stands in for no_new_privs */
	assert_int_equal(compile_text(DENY_GETPPID(""), "", NULL, &sc, &err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (rf_seccomp_apply(sc, &err) == 0)
			_exit(1);
		_exit(strstr(err.msg, "no_new_privs is not set") ? 0 : 2);
	}
	rf_seccomp_free(sc);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	static struct rf_cases cases;

	for (size_t i = 0; i < RF_ARRAY_SIZE(ok_cases); i++)
		rf_case_add(&cases, test_ok, &ok_cases[i], "compiles: %s", ok_cases[i].name);
	for (size_t i = 0; i < RF_ARRAY_SIZE(bad_cases); i++)
		rf_case_add(&cases, test_bad, &bad_cases[i], "refused: %s", bad_cases[i].name);
	for (size_t i = 0; i < RF_ARRAY_SIZE(run_cases); i++)
		rf_case_add(&cases, test_run, &run_cases[i], "filter: %s", run_cases[i].name);
	rf_case_add(&cases, test_default_text, NULL, "default profile: every group says why");
	rf_case_add(&cases, test_default_compiles_quietly, NULL, "default profile compiles");
	rf_case_add(&cases, test_file_errors, NULL, "a missing file is named");
	rf_case_add(&cases, test_apply_needs_nnp, NULL, "apply says no_new_privs is missing");
	return rf_cases_run(&cases, "seccomp");
}
