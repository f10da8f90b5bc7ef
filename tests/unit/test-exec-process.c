/* src/container-exec.c rf_container_exec_process() and src/profile.c
 * rf_profile_load_process(): the process file of `exec --process` (what
 * containerd's shim and conmon hand a runtime for every exec) read with
 * OCI's semantics over the container's process, keeping what runc's exec
 * keeps of the container's. */
#include "config.h"

#include <linux/capability.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>

#include "cases.h"
#include "profile-helpers.h"
#include "ringfence/cleanup.h"
#include "ringfence/container.h"
#include "ringfence/plan.h"

#define BIT(cap) (UINT64_C(1) << (cap))

/* The container's own process, as a bundle gave it. */
#define CT_BOUNDING (BIT(CAP_CHOWN) | BIT(CAP_KILL))
#define CT_UMASK 027
/* IOPRIO_PRIO_VALUE is a function in newer headers: no constant */
#define IOPRIO(class, level) ((uint64_t)(class) << IOPRIO_CLASS_SHIFT | (level))
#define CT_IOPRIO IOPRIO(IOPRIO_CLASS_BE, 6)

struct proc_case {
	const char *json;
	const char *error;       /* the whole message, or NULL: loads */
	const char *warning;     /* the one warning, or NULL: none */
	bool tty, nnp;
	uint64_t bounding, permitted;  /* the capability sets the process gets */
	uint64_t nofile;         /* RLIMIT_NOFILE's soft limit */
	const char *apparmor;
	unsigned short rows;     /* consoleSize's height */
	const char *initial, *final; /* execCPUAffinity's lists ("": none) */
	uint64_t umask;
	uint64_t ioprio;         /* as ioprio_set(2) takes it */
};

static const struct proc_case proc_cases[] = {
	/* what containerd's shim writes for `docker exec` without -t: no
	 * warning; no_new_privs off as the file leaves it out; the container's
	 * capabilities, rlimits and profile */
	{ "{\"args\":[\"sh\"],\"terminal\":false,\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}}",
	  NULL, NULL, false, false, CT_BOUNDING, CT_BOUNDING, 10, "ct", 0, "0", "",
	  CT_UMASK, CT_IOPRIO },
	/* a file's own sets, each as given, with no_new_privs and a terminal */
	{ "{\"args\":[\"sh\"],\"terminal\":true,\"noNewPrivileges\":true,\"consoleSize\":"
	  "{\"height\":41,\"width\":133},\"capabilities\":{\"bounding\":[\"CAP_KILL\","
	  "\"CAP_NET_RAW\"],\"permitted\":[\"CAP_KILL\"]}}",
	  NULL, NULL, true, true, BIT(CAP_KILL) | BIT(CAP_NET_RAW), BIT(CAP_KILL), 10, "ct", 41, "0", "",
	  CT_UMASK, CT_IOPRIO },
	/* empty sets are sets: none at all */
	{ "{\"args\":[\"sh\"],\"capabilities\":{}}", NULL, NULL, false, false, 0, 0, 10, "ct", 0, "0",
	  "", CT_UMASK, CT_IOPRIO },
	/* its own rlimits replace the container's; an empty profile name is
	 * none given (runc), so the container's holds */
	{ "{\"args\":[\"sh\"],\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":5,\"hard\":6}],"
	  "\"apparmorProfile\":\"\",\"noNewPrivileges\":false}",
	  NULL, NULL, false, false, CT_BOUNDING, CT_BOUNDING, 5, "ct", 0, "0", "",
	  CT_UMASK, CT_IOPRIO },
	/* its own execCPUAffinity replaces the container's */
	{ "{\"args\":[\"sh\"],\"execCPUAffinity\":{\"final\":\"1,3-5\"}}", NULL, NULL, false, false,
	  CT_BOUNDING, CT_BOUNDING, 10, "ct", 0, "", "1,3-5", CT_UMASK, CT_IOPRIO },
	/* its own umask and I/O priority replace the container's */
	{ "{\"args\":[\"sh\"],\"user\":{\"uid\":0,\"gid\":0,\"umask\":63},"
	  "\"ioPriority\":{\"class\":\"IOPRIO_CLASS_IDLE\",\"priority\":0}}", NULL, NULL, false,
	  false, CT_BOUNDING, CT_BOUNDING, 10, "ct", 0, "0", "", 077,
	  IOPRIO(IOPRIO_CLASS_IDLE, 0) },
	{ "{\"args\":[\"sh\"],\"selinuxLabel\":\"system_u:system_r:container_t:s0\"}", NULL,
	  "p: ignoring what ringfence does not implement: selinuxLabel",
	  false, false, CT_BOUNDING, CT_BOUNDING, 10, "ct", 0, "0", "",
	  CT_UMASK, CT_IOPRIO },
	/* errors name the key as the file has it */
	{ .json = "{\"args\":[\"sh\"],\"capabilities\":{\"bounding\":\"CAP_KILL\"}}",
	  .error = "p: capabilities.bounding: expected array, got string" },
	{ .json = "{\"user\":{\"uid\":-1,\"gid\":0}}",
	  .error = "p: user.uid: out of range (expected 0 to 4294967294)" },
	{ .json = "{\"terminal\":\"yes\"}", .error = "p: terminal: expected boolean, got string" },
	{ .json = "[\"sh\"]", .error = "p: expected a JSON object, got array" },
	{ .json = "", .error = "p: line 1, column 1: unexpected end of input" },
};

/* A container's process from its bundle: two capabilities in each set but
 * the ambient one, no_new_privs, RLIMIT_NOFILE 10/20, AppArmor profile ct,
 * execCPUAffinity initial 0, umask 027, I/O priority best-effort 6, and what
 * a process file cannot replace: an inline seccomp filter, SCHED_BATCH, the
 * LINUX32 personality. */
static void container_process(rf_plan *plan)
{
	rf_process *p = &plan->proc;

	rf_plan_init(plan);
	p->oci_caps = true;
	for (int i = RF_CAPSET_BOUNDING; i < RF_CAPSET_AMBIENT; i++)
		p->cap_sets[i] = CT_BOUNDING;
	p->no_new_privs = true;
	p->rlimits[RLIMIT_NOFILE] = (rf_rlimit){ .set = true, .soft = 10, .hard = 20 };
	p->apparmor_profile = strdup("ct");
	p->persona.set = true;
	p->persona.v = 8;
	p->exec_affinity.initial_set = true;
	rf_idset_add(&p->exec_affinity.initial, 0);
	p->umask = (rf_opt_u64){ true, CT_UMASK };
	p->ioprio = (rf_opt_u64){ true, CT_IOPRIO };
	p->sched = (rf_sched){ .set = true, .policy = SCHED_BATCH };
	p->seccomp_mode = RF_SECCOMP_INLINE;
	p->seccomp_json = strdup("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
}

static void expect_list(bool set, const rf_idset *ids, const char *want)
{
	char got[256];

	assert_string_equal(set ? rf_idset_format(ids, got, sizeof(got)) : "", want);
}

static void test_exec_process(void **state)
{
	const struct proc_case *t = *state;
	struct capture cap = { 0 };
	rf_diag diag = { .emit = capture_emit, .userdata = &cap };
	rf_error err = { 0 };
	rf_plan plan;
	rf_process *p = &plan.proc;
	int r;

	container_process(&plan);
	r = rf_container_exec_process(&plan, t->json, strlen(t->json), "p", &diag, &err);
	if (t->error) {
		assert_int_equal(r, -1);
		assert_string_equal(err.msg, t->error);
		/* the container's process is left as it was */
		assert_string_equal(p->apparmor_profile, "ct");
		assert_true(p->no_new_privs);
	} else {
		assert_int_equal(r, 0);
		assert_int_equal(p->tty, t->tty);
		assert_int_equal(p->no_new_privs, t->nnp);
		assert_true(p->clearenv);
		assert_true(p->oci_caps);
		assert_int_equal(p->cap_sets[RF_CAPSET_BOUNDING], t->bounding);
		assert_int_equal(p->cap_sets[RF_CAPSET_PERMITTED], t->permitted);
		assert_int_equal(p->rlimits[RLIMIT_NOFILE].soft, t->nofile);
		assert_string_equal(p->apparmor_profile, t->apparmor);
		assert_int_equal(p->console_rows, t->rows);
		expect_list(p->exec_affinity.initial_set, &p->exec_affinity.initial, t->initial);
		expect_list(p->exec_affinity.final_set, &p->exec_affinity.final, t->final);
		assert_true(p->umask.set);
		assert_int_equal(p->umask.v, t->umask);
		assert_true(p->ioprio.set);
		assert_int_equal(p->ioprio.v, t->ioprio);
		assert_true(p->sched.set && p->sched.policy == SCHED_BATCH);
		/* a process has no linux.*: the container's seccomp filter and
		 * personality hold (the filter moved, not copied: freed once) */
		assert_int_equal(p->seccomp_mode, RF_SECCOMP_INLINE);
		assert_string_equal(p->seccomp_json, "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
		assert_true(p->persona.set);
		assert_int_equal(p->persona.v, 8);
	}
	expect_warning(&cap, t->warning);
	rf_plan_free(&plan);
}

int main(void)
{
	struct rf_cases cases = { 0 };

	for (size_t i = 0; i < RF_ARRAY_SIZE(proc_cases); i++)
		rf_case_add(&cases, test_exec_process, &proc_cases[i], "exec --process %s",
			    proc_cases[i].json);
	return rf_cases_run(&cases, "exec-process");
}
