/* src/caps.c: capability names, the default set, the arithmetic of add and
 * drop, and what a forked child holds after the child-side steps (needs root;
 * skipped otherwise). */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "ringfence/caps.h"
#include "ringfence/cleanup.h"
#include "ringfence/plan.h"

#define CAP(c) (UINT64_C(1) << CAP_##c)

/* ---- names ---- */

struct case_lookup {
	const char *in;
	int want;
};

static const struct case_lookup lookup_cases[] = {
	{ "CAP_SYS_ADMIN", CAP_SYS_ADMIN },
	{ "sys_admin", CAP_SYS_ADMIN },
	{ "SYS_ADMIN", CAP_SYS_ADMIN },
	{ "cap_net_raw", CAP_NET_RAW },
	{ "Cap_Chown", CAP_CHOWN },
	{ "CAP_IPC_LOCK", CAP_IPC_LOCK },
	{ "CAP_CHECKPOINT_RESTORE", CAP_CHECKPOINT_RESTORE },
	{ "bpf", CAP_BPF },
	{ "", -1 },
	{ "CAP_", -1 },
	{ "21", -1 },
	{ "CAP_21", -1 },
	{ "CAP_SYS_ADMINX", -1 },
	{ "sys admin", -1 },
	{ "CAP_CAP_CHOWN", -1 },
	{ "ALL", -1 },
};

static void test_lookup(void **state)
{
	const struct case_lookup *c = *state;

	assert_int_equal(rf_cap_lookup(c->in), c->want);
}

struct case_name {
	int cap;
	const char *want;
};

static const struct case_name name_cases[] = {
	{ CAP_CHOWN, "CAP_CHOWN" },
	{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
	{ CAP_AUDIT_READ, "CAP_AUDIT_READ" },
	{ CAP_CHECKPOINT_RESTORE, "CAP_CHECKPOINT_RESTORE" },
	{ CAP_LAST_CAP + 1, "an unknown capability" },
	{ -1, "an unknown capability" },
};

static void test_name(void **state)
{
	const struct case_name *c = *state;

	assert_string_equal(rf_cap_name(c->cap), c->want);
}

static void test_names_round_trip(void **state)
{
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		assert_int_equal(rf_cap_lookup(rf_cap_name(cap)), cap);
}

/* ---- the default set ---- */

struct case_default {
	int cap;
	bool kept;
};

static const struct case_default default_cases[] = {
	{ CAP_CHOWN, true }, { CAP_DAC_OVERRIDE, true }, { CAP_FOWNER, true },
	{ CAP_FSETID, true }, { CAP_KILL, true }, { CAP_SETGID, true }, { CAP_SETUID, true },
	{ CAP_SETPCAP, true }, { CAP_SETFCAP, true }, { CAP_NET_BIND_SERVICE, true },
	{ CAP_SYS_CHROOT, true }, { CAP_AUDIT_WRITE, true },
	{ CAP_MKNOD, false }, { CAP_NET_RAW, false }, { CAP_SYS_ADMIN, false },
	{ CAP_SYS_PTRACE, false }, { CAP_SYS_MODULE, false }, { CAP_IPC_LOCK, false },
	{ CAP_SYS_RESOURCE, false }, { CAP_NET_ADMIN, false }, { CAP_SYS_TIME, false },
	{ CAP_SYS_BOOT, false }, { CAP_SYS_RAWIO, false }, { CAP_BPF, false },
	{ CAP_PERFMON, false }, { CAP_MAC_ADMIN, false }, { CAP_MAC_OVERRIDE, false },
	{ CAP_DAC_READ_SEARCH, false }, { CAP_SYS_NICE, false }, { CAP_SYSLOG, false },
	{ CAP_LINUX_IMMUTABLE, false }, { CAP_SYS_PACCT, false },
	{ CAP_CHECKPOINT_RESTORE, false },
};

static void test_default(void **state)
{
	const struct case_default *c = *state;

	assert_int_equal((rf_caps_default() >> c->cap) & 1, c->kept);
}

/* ---- add and drop ---- */

/* The documented default, spelled out independently of src/caps.c. */
#define DEFAULT_SET (CAP(CHOWN) | CAP(DAC_OVERRIDE) | CAP(FOWNER) | CAP(FSETID) | CAP(KILL) | \
	CAP(SETGID) | CAP(SETUID) | CAP(SETPCAP) | CAP(SETFCAP) | CAP(NET_BIND_SERVICE) | \
	CAP(SYS_CHROOT) | CAP(AUDIT_WRITE))

static void test_default_whole(void **state)
{
	assert_int_equal(rf_caps_default(), DEFAULT_SET);
}

struct case_set {
	const char *name;
	bool caps_set;
	uint64_t caps, add, drop, want;
};

static const struct case_set set_cases[] = {
	{ "default", false, 0, 0, 0, DEFAULT_SET },
	{ "add", false, 0, CAP(SYS_ADMIN), 0, DEFAULT_SET | CAP(SYS_ADMIN) },
	{ "add what is there", false, 0, CAP(KILL), 0, DEFAULT_SET },
	{ "drop", false, 0, 0, CAP(CHOWN), DEFAULT_SET & ~CAP(CHOWN) },
	{ "drop what is not there", false, 0, 0, CAP(SYS_ADMIN), DEFAULT_SET },
	{ "drop wins over add", false, 0, CAP(IPC_LOCK), CAP(IPC_LOCK), DEFAULT_SET },
	{ "profile's set", true, CAP(CHOWN) | CAP(KILL), 0, 0, CAP(CHOWN) | CAP(KILL) },
	{ "profile's set, add and drop", true, CAP(CHOWN) | CAP(KILL), CAP(NET_RAW), CAP(KILL),
	  CAP(CHOWN) | CAP(NET_RAW) },
	{ "empty profile set", true, 0, 0, 0, 0 },
};

static void test_set(void **state)
{
	const struct case_set *c = *state;
	rf_process p = { .caps_set = c->caps_set, .caps = c->caps, .cap_add = c->add,
			 .cap_drop = c->drop };

	assert_int_equal(rf_caps_effective_set(&p), c->want);
}

/* ---- the child-side steps ---- */

struct status {
	int rc;
	char msg[RF_ERROR_MSG_MAX];
	uint64_t inh, prm, eff, bnd, amb;
	int nnp;
};

static uint64_t status_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	uint64_t v = 0;

	if (!p)
		return UINT64_MAX;
	for (p += strlen(key); *p == ':' || *p == '\t' || *p == ' '; p++)
		;
	for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
		v = v * 16 + (uint64_t)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
	return v;
}

static void read_status(struct status *st)
{
	char text[8192] = "";
	FILE *f = fopen("/proc/self/status", "re");
	size_t n;

	if (!f)
		return;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	st->inh = status_field(text, "\nCapInh");
	st->prm = status_field(text, "\nCapPrm");
	st->eff = status_field(text, "\nCapEff");
	st->bnd = status_field(text, "\nCapBnd");
	st->amb = status_field(text, "\nCapAmb");
	st->nnp = (int)status_field(text, "\nNoNewPrivs");
}

enum setup {
	NOTHING,
	GIVE_AMBIENT,           /* inheritable and ambient CAP_NET_BIND_SERVICE before */
	SHED_CAPS,              /* become uid 1000 first: a caller holding nothing */
};

struct case_apply {
	const char *name;
	enum setup setup;
	rf_process p;
	bool full_bounding;     /* the bounding set could not be touched */
	const char *err;        /* message when a step fails */
	bool nnp_off;           /* a bundle's noNewPrivileges false (else on, as
				   rf_plan_init makes every plan) */
};

static const struct case_apply apply_cases[] = {
	{ "root payload keeps the default", NOTHING, .p = { 0 } },
	{ "root payload with --cap-add", NOTHING, .p = { .cap_add = CAP(SYS_ADMIN) } },
	{ "root payload with --cap-drop", NOTHING, .p = { .cap_drop = CAP(CHOWN) | CAP(SETUID) } },
	{ "root payload without SETPCAP", NOTHING, .p = { .cap_drop = CAP(SETPCAP) } },
	{ "root payload with the profile's set", NOTHING, .p = { .caps_set = true, .caps = CAP(KILL) } },
	{ "root payload, no capabilities at all", NOTHING, .p = { .caps_set = true } },
	{ "inheritable and ambient end empty", GIVE_AMBIENT, .p = { 0 } },
	{ "non-root payload keeps nothing", NOTHING,
	  .p = { .user_set = true, .uid = 1000, .gid = 1000, .cap_add = CAP(SYS_ADMIN) } },
	{ "a caller without capabilities", SHED_CAPS, .p = { .user_set = true, .uid = 1000 },
	  .full_bounding = true },
	{ "a bundle without noNewPrivileges leaves no_new_privs as it was", NOTHING, .p = { 0 },
	  .nnp_off = true },
};

/* A row, with the bounding set read first or left unknown (as the launcher
 * passes it, RF_CAPS_UNKNOWN). */
struct case_apply_mode {
	const struct case_apply *c;
	bool unknown;
};

static void child_steps(const struct case_apply *c, bool unknown, int fd)
{
	rf_process p = c->p;
	uint64_t bounding;
	struct status st = { 0 };
	rf_error err = { 0 };

	if (c->setup == GIVE_AMBIENT) {
		struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct data[2];

		if (syscall(SYS_capget, &hdr, data) < 0)
			_exit(3);
		data[0].inheritable |= 1u << CAP_NET_BIND_SERVICE;
		if (syscall(SYS_capset, &hdr, data) < 0 ||
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0) < 0)
			_exit(3);
		read_status(&st);
		if (!st.amb)
			_exit(4);
	}
	p.no_new_privs = !c->nnp_off;
	if (c->setup == SHED_CAPS && (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000)))
		_exit(5);
	bounding = unknown ? RF_CAPS_UNKNOWN : rf_caps_bounding();
	st.rc = rf_caps_drop_bounding(&p, &bounding, &err);
	/* The identity switch, as rf_identity_apply does it. */
	if (st.rc == 0 && p.user_set && c->setup != SHED_CAPS &&
	    (setgroups(0, NULL) || setresgid(p.gid, p.gid, p.gid) ||
	     setresuid(p.uid, p.uid, p.uid)))
		_exit(6);
	if (st.rc == 0)
		st.rc = rf_caps_apply(&p, bounding, &err);
	snprintf(st.msg, sizeof(st.msg), "%s", err.msg);
	read_status(&st);
	if (write(fd, &st, sizeof(st)) != (ssize_t)sizeof(st))
		_exit(7);
	_exit(0);
}

static void test_apply(void **state)
{
	const struct case_apply_mode *m = *state;
	const struct case_apply *c = m->c;
	struct status st, before = { 0 };
	int fds[2], status;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	read_status(&before);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		child_steps(c, m->unknown, fds[1]);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &st, sizeof(st)), sizeof(st));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (c->err) {
		assert_int_equal(st.rc, -1);
		assert_string_equal(st.msg, c->err);
		return;
	}
	if (st.rc < 0)
		fail_msg("failed: %s", st.msg);
	if (c->p.user_set && c->p.uid != 0) {
		assert_int_equal(st.eff, 0);
		assert_int_equal(st.prm, 0);
		assert_int_equal(st.bnd, c->full_bounding ? before.bnd : 0);
	} else {
		/* What the row asks for, of what root holds on this host. */
		uint64_t want = rf_caps_effective_set(&c->p) & before.prm;

		assert_int_equal(st.eff, want);
		assert_int_equal(st.prm, want);
		assert_int_equal(st.bnd, want);
	}
	assert_int_equal(st.inh, 0);
	assert_int_equal(st.amb, 0);
	assert_int_equal(st.nnp, c->nnp_off ? before.nnp : 1);
}

/* --cap-add of something ringfence itself lacks is refused by name. */
static void test_add_unheld(void **state)
{
	struct status before = { 0 };
	struct case_apply c = { .name = "unheld" };
	struct status st;
	char msg[128];
	int fds[2], status, cap;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	read_status(&before);
	for (cap = 0; cap <= CAP_LAST_CAP && (before.prm >> cap) & 1; cap++)
		;
	if (cap > CAP_LAST_CAP)
		skip();         /* root holds everything here (the VM): nothing to lack */
	c.p.cap_add = UINT64_C(1) << cap;
	snprintf(msg, sizeof(msg), "cannot grant %s: ringfence does not hold it", rf_cap_name(cap));
	c.err = msg;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		child_steps(&c, true, fds[1]);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &st, sizeof(st)), sizeof(st));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(st.rc, -1);
	assert_string_equal(st.msg, c.err);
}

int main(void)
{
	static struct rf_cases cases;

	for (size_t i = 0; i < RF_ARRAY_SIZE(lookup_cases); i++)
		rf_case_add(&cases, test_lookup, &lookup_cases[i], "lookup `%s`",
			    lookup_cases[i].in);
	for (size_t i = 0; i < RF_ARRAY_SIZE(name_cases); i++)
		rf_case_add(&cases, test_name, &name_cases[i], "name of %d", name_cases[i].cap);
	rf_case_add(&cases, test_names_round_trip, NULL, "every name looks up to its number");
	for (size_t i = 0; i < RF_ARRAY_SIZE(default_cases); i++)
		rf_case_add(&cases, test_default, &default_cases[i], "default %s %s",
			    default_cases[i].kept ? "keeps" : "drops",
			    rf_cap_name(default_cases[i].cap));
	rf_case_add(&cases, test_default_whole, NULL, "default set is the documented one");
	for (size_t i = 0; i < RF_ARRAY_SIZE(set_cases); i++)
		rf_case_add(&cases, test_set, &set_cases[i], "set: %s", set_cases[i].name);
	static struct case_apply_mode modes[2 * RF_ARRAY_SIZE(apply_cases)];

	for (size_t i = 0; i < RF_ARRAY_SIZE(apply_cases); i++)
		for (int u = 0; u < 2; u++) {
			struct case_apply_mode *m = &modes[2 * i + (size_t)u];

			*m = (struct case_apply_mode){ &apply_cases[i], u };
			rf_case_add(&cases, test_apply, m, "child: %s (bounding set %s)",
				    apply_cases[i].name, u ? "not read" : "read");
		}
	rf_case_add(&cases, test_add_unheld, NULL, "child: --cap-add of a capability not held");
	return rf_cases_run(&cases, "caps");
}
