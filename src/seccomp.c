/* OCI runtime-spec seccomp JSON -> a BPF program (libseccomp).
 *
 * The profile is compiled while planning, so a bad profile is reported (exit
 * 125) before anything exists, and exported to a plain BPF program right away:
 * the child then installs it with one seccomp(2) call, its last step before
 * exec, without allocating or calling into libseccomp.
 *
 * What is read, and how:
 *  - defaultAction, defaultErrnoRet; syscalls[{names, action, errnoRet, args}]
 *    with every OCI action except SCMP_ACT_NOTIFY (there is no agent to answer).
 *  - args: conditions on distinct argument indexes must all hold (one rule);
 *    when an index repeats, each condition is a rule of its own, so any one of
 *    them matches. libseccomp cannot test one argument twice in a rule, and
 *    this is how runc and crun read such entries, which docker profiles rely on.
 *  - architectures (and docker's archMap): the ones this machine can run are
 *    added, the others skipped with a debug note. On x86_64, a permissive
 *    default action brings SCMP_ARCH_X32 in: x32 syscall numbers would
 *    otherwise miss every rule and fall through to the default.
 *  - Syscall names unknown on every architecture of the filter are skipped with
 *    a debug note: docker profiles name syscalls of many architectures.
 *  - docker's includes/excludes {caps, arches, minKernel} on an entry, against
 *    the payload's capabilities (rf_seccomp_env; none when not given), this
 *    machine's architecture and this kernel.
 *  - flags: SECCOMP_FILTER_FLAG_LOG and _SPEC_ALLOW when this kernel has them;
 *    TSYNC is moot (the child is single-threaded), WAIT_KILLABLE_RECV belongs
 *    to NOTIFY. Unknown keys are ignored with a warning ("comment" silently). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fault.h"
#include "ringfence/cleanup.h"
#include "ringfence/seccomp.h"
#include "seccomp-internal.h"

#define MAX_ERRNO_RET 4094      /* the most libseccomp takes (the kernel's MAX_ERRNO - 1) */
#define MAX_CONDITIONS 32

extern const char rf_seccomp_default_text[];   /* generated from default.json */

struct rf_seccomp {
	struct sock_filter *insns;
	unsigned short len;
	unsigned int flags;     /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
};

/* ---- JSON paths and types ------------------------------------------------ */

/* Paths longer than any real profile has are cut, visibly. */
static const char *cut(char *buf, int n)
{
	if (n >= SC_PATH_MAX)
		memcpy(buf + SC_PATH_MAX - 4, "...", 4);
	return buf;
}

const char *sc_key_path(char buf[SC_PATH_MAX], const char *parent, const char *key)
{
	return cut(buf, snprintf(buf, SC_PATH_MAX, "%s%s%s", parent, *parent ? "." : "", key));
}

const char *sc_index_path(char buf[SC_PATH_MAX], const char *parent, size_t i)
{
	return cut(buf, snprintf(buf, SC_PATH_MAX, "%s[%zu]", parent, i));
}

/* Input text in a message: printable, at most 64 characters. */
const char *sc_shown(char buf[72], const char *s)
{
	size_t o = 0;

	for (; *s && o < 64; s++)
		buf[o++] = isprint((unsigned char)*s) ? *s : '?';
	buf[o] = '\0';
	return buf;
}

static const char *kind_of(const rf_json *n)
{
	if (rf_json_typeof(n) == RF_JSON_NUMBER)
		return rf_json_is_integer(n) ? "integer" : "number";
	return rf_json_type_name(rf_json_typeof(n));
}

int sc_fail(sc_ctx *c, const char *path, const char *fmt, ...)
{
	char msg[RF_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!*path)
		return rf_error_set(c->err, 0, "%s", msg);
	return rf_error_set(c->err, 0, "`%s`: %s", path, msg);
}

int sc_expect(sc_ctx *c, const char *path, const rf_json *n, rf_json_type t)
{
	if (rf_json_typeof(n) == t)
		return 0;
	return sc_fail(c, path, "expected %s, got %s", rf_json_type_name(t), kind_of(n));
}

/* Member `key`, or NULL when absent or null (null means unset, as in Go). */
const rf_json *sc_member(const rf_json *obj, const char *key)
{
	const rf_json *v = rf_json_get(obj, key);

	return v && rf_json_typeof(v) != RF_JSON_NULL ? v : NULL;
}

static int get_u64(sc_ctx *c, const char *path, const rf_json *n, uint64_t max, uint64_t *out)
{
	int64_t neg;

	if (rf_json_typeof(n) != RF_JSON_NUMBER || !rf_json_is_integer(n))
		return sc_fail(c, path, "expected an unsigned integer, got %s", kind_of(n));
	if (rf_json_u64(n, out) < 0 || *out > max) {
		if (rf_json_i64(n, &neg) == 0 && neg < 0)
			return sc_fail(c, path, "%lld is negative (expected 0 to %llu)",
				       (long long)neg, (unsigned long long)max);
		if (rf_json_u64(n, out) == 0)
			return sc_fail(c, path, "%llu is out of range (expected 0 to %llu)",
				       (unsigned long long)*out, (unsigned long long)max);
		return sc_fail(c, path, "out of range (expected 0 to %llu)",
			       (unsigned long long)max);
	}
	return 0;
}

/* Warn about members not in `known` (NULL-terminated); "comment" is free text. */
int sc_check_keys(sc_ctx *c, const char *path, const rf_json *obj,
		  const char *const *known)
{
	if (sc_expect(c, path, obj, RF_JSON_OBJECT) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_object_len(obj); i++) {
		const char *k = rf_json_object_key(obj, i);
		const char *const *p = known;
		char buf[SC_PATH_MAX], s[72];

		while (*p && strcmp(*p, k))
			p++;
		if (!*p && strcmp(k, "comment"))
			rf_warn(c->diag, "seccomp: ignoring unknown key `%s`",
				sc_key_path(buf, path, sc_shown(s, k)));
	}
	return 0;
}

/* Each element of the array `n` must be a string; calls fn on each. */
int sc_each_string(sc_ctx *c, const char *path, const rf_json *n,
		   int (*fn)(sc_ctx *c, const char *path, const char *s, void *data),
		   void *data)
{
	if (sc_expect(c, path, n, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(n); i++) {
		const rf_json *e = rf_json_array_at(n, i);
		char sub[SC_PATH_MAX];

		sc_index_path(sub, path, i);
		if (sc_expect(c, sub, e, RF_JSON_STRING) < 0)
			return -1;
		if (fn(c, sub, rf_json_str(e), data) < 0)
			return -1;
	}
	return 0;
}

/* ---- actions and operators ----------------------------------------------- */

static const struct {
	const char *name;
	uint32_t action;
} actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0) },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0) },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG },
};

#define ACTIONS_FORM "SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, " \
	"SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW or SCMP_ACT_LOG"

/* `action` and its errno (`errno_key`) in `obj` at `path`. */
static int parse_action(sc_ctx *c, const char *path, const rf_json *obj,
			const char *action_key, const char *errno_key, uint32_t *out)
{
	const rf_json *a = sc_member(obj, action_key), *e = sc_member(obj, errno_key);
	char ap[SC_PATH_MAX], ep[SC_PATH_MAX], s[72];
	uint64_t ret = EPERM;
	const char *name;
	size_t i;

	sc_key_path(ap, path, action_key);
	sc_key_path(ep, path, errno_key);
	if (!a)
		return sc_fail(c, ap, "missing (expected %s)", ACTIONS_FORM);
	if (sc_expect(c, ap, a, RF_JSON_STRING) < 0)
		return -1;
	name = rf_json_str(a);
	if (!strcmp(name, "SCMP_ACT_NOTIFY"))
		return sc_fail(c, ap, "SCMP_ACT_NOTIFY needs a seccomp agent to answer the "
			       "notifications, which ringfence does not provide");
	for (i = 0; i < RF_ARRAY_SIZE(actions) && strcmp(actions[i].name, name); i++)
		;
	if (i == RF_ARRAY_SIZE(actions))
		return sc_fail(c, ap, "unknown action `%s` (expected %s)", sc_shown(s, name),
			       ACTIONS_FORM);
	*out = actions[i].action;
	if (*out == SCMP_ACT_ERRNO(0)) {
		if (e && get_u64(c, ep, e, MAX_ERRNO_RET, &ret) < 0)
			return -1;
		*out = SCMP_ACT_ERRNO((uint16_t)ret);
	} else if (*out == SCMP_ACT_TRACE(0)) {
		/* The tracer gets this as the event message (16 bits). */
		if (e && get_u64(c, ep, e, UINT16_MAX, &ret) < 0)
			return -1;
		*out = SCMP_ACT_TRACE((uint16_t)ret);
	} else if (e) {
		return sc_fail(c, ep, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a "
			       "return value");
	}
	return 0;
}

static const struct {
	const char *name;
	enum scmp_compare op;
} operators[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

#define OPERATORS_FORM "SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_GE, " \
	"SCMP_CMP_GT or SCMP_CMP_MASKED_EQ"

/* One element of `args`. For SCMP_CMP_MASKED_EQ `value` is the mask and
 * `valueTwo` what the masked argument must equal, as in libseccomp. */
static int parse_arg(sc_ctx *c, const char *path, const rf_json *a, struct scmp_arg_cmp *out)
{
	static const char *const known[] = { "index", "value", "valueTwo", "op", NULL };
	const rf_json *idx, *val, *two, *op;
	char sub[SC_PATH_MAX], s[72];
	uint64_t index, v1, v2 = 0;
	size_t i;

	if (sc_check_keys(c, path, a, known) < 0)
		return -1;
	idx = sc_member(a, "index");
	val = sc_member(a, "value");
	two = sc_member(a, "valueTwo");
	op = sc_member(a, "op");
	if (!idx)
		return sc_fail(c, sc_key_path(sub, path, "index"), "missing (expected 0 to 5)");
	if (get_u64(c, sc_key_path(sub, path, "index"), idx, 5, &index) < 0)
		return -1;
	if (!val)
		return sc_fail(c, sc_key_path(sub, path, "value"),
			       "missing (expected an unsigned integer)");
	if (get_u64(c, sc_key_path(sub, path, "value"), val, UINT64_MAX, &v1) < 0)
		return -1;
	if (two && get_u64(c, sc_key_path(sub, path, "valueTwo"), two, UINT64_MAX, &v2) < 0)
		return -1;
	sc_key_path(sub, path, "op");
	if (!op)
		return sc_fail(c, sub, "missing (expected %s)", OPERATORS_FORM);
	if (sc_expect(c, sub, op, RF_JSON_STRING) < 0)
		return -1;
	for (i = 0; i < RF_ARRAY_SIZE(operators); i++)
		if (!strcmp(operators[i].name, rf_json_str(op)))
			break;
	if (i == RF_ARRAY_SIZE(operators))
		return sc_fail(c, sub, "unknown operator `%s` (expected %s)",
			       sc_shown(s, rf_json_str(op)), OPERATORS_FORM);
	*out = (struct scmp_arg_cmp){ .arg = (unsigned)index, .op = operators[i].op,
				      .datum_a = v1, .datum_b = v2 };
	return 0;
}

/* ---- flags --------------------------------------------------------------- */

/* seccomp(2) checks flags before it reads the program: EFAULT on a NULL
 * program means the flag is known. */
static bool kernel_has_flag(unsigned int flag)
{
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

static int parse_flag(sc_ctx *c, const char *path, const char *name, void *data)
{
	static const struct {
		const char *name;
		unsigned int flag;      /* 0: accepted, nothing to do */
		const char *why;
	} flags[] = {
		{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG, NULL },
		{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW, NULL },
		{ "SECCOMP_FILTER_FLAG_TSYNC", 0,
		  "the payload is single-threaded when its filter is installed" },
		{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 0,
		  "it only concerns SCMP_ACT_NOTIFY, which ringfence does not support" },
	};
	char s[72];

	for (size_t i = 0; i < RF_ARRAY_SIZE(flags); i++) {
		if (strcmp(flags[i].name, name))
			continue;
		if (!flags[i].flag)
			rf_debug(c->diag, "seccomp: `%s`: %s not needed: %s", path, name,
				 flags[i].why);
		else if (!kernel_has_flag(flags[i].flag))
			rf_debug(c->diag, "seccomp: `%s`: this kernel has no %s, ignored", path,
				 name);
		else
			c->flags |= flags[i].flag;
		return 0;
	}
	return sc_fail(c, path, "unknown flag `%s` (expected SECCOMP_FILTER_FLAG_LOG, "
		       "SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_TSYNC or "
		       "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)", sc_shown(s, name));
}

/* ---- syscall entries ----------------------------------------------------- */

typedef struct entry {
	uint32_t action;
	struct scmp_arg_cmp cmp[MAX_CONDITIONS];
	size_t n_cmp;
	bool any_of;            /* an index repeats: one rule per condition */
} entry;

/* Known on at least one architecture of the filter? */
static bool syscall_known(const sc_ctx *c, const char *name)
{
	for (size_t i = 0; i < c->n_arches; i++)
		if (seccomp_syscall_resolve_name_arch(c->arches[i], name) >= 0)
			return true;
	return false;
}

static int add_rules(sc_ctx *c, const char *path, const char *name, void *data)
{
	const entry *e = data;
	int nr = seccomp_syscall_resolve_name(name);
	char s[72];
	int rc = 0;

	if (nr == __NR_SCMP_ERROR || !syscall_known(c, name)) {
		rf_debug(c->diag, "seccomp: `%s`: no syscall %s on this machine's architectures, "
			 "skipped", path, sc_shown(s, name));
		return 0;
	}
	if (e->any_of) {
		for (size_t i = 0; i < e->n_cmp && rc >= 0; i++)
			rc = seccomp_rule_add_array(c->ctx, e->action, nr, 1, &e->cmp[i]);
	} else {
		rc = seccomp_rule_add_array(c->ctx, e->action, nr, (unsigned)e->n_cmp, e->cmp);
	}
	if (rc == -EEXIST)
		return sc_fail(c, path, "%s: an earlier entry has the same conditions with "
			       "another action", sc_shown(s, name));
	if (rc < 0)
		return rf_error_set(c->err, -rc, "`%s`: add the rule for %s", path,
				    sc_shown(s, name));
	return 0;
}

static int parse_args(sc_ctx *c, const char *path, const rf_json *args, entry *e)
{
	unsigned seen = 0;

	if (sc_expect(c, path, args, RF_JSON_ARRAY) < 0)
		return -1;
	if (rf_json_array_len(args) > MAX_CONDITIONS)
		return sc_fail(c, path, "more than %d conditions", MAX_CONDITIONS);
	for (size_t i = 0; i < rf_json_array_len(args); i++) {
		char sub[SC_PATH_MAX];

		if (parse_arg(c, sc_index_path(sub, path, i), rf_json_array_at(args, i),
			      &e->cmp[e->n_cmp]) < 0)
			return -1;
		if (seen & (1u << e->cmp[e->n_cmp].arg))
			e->any_of = true;
		seen |= 1u << e->cmp[e->n_cmp].arg;
		e->n_cmp++;
	}
	return 0;
}

static int string_ok(sc_ctx *c, const char *path, const char *s, void *data)
{
	return 0;
}

static int parse_entry(sc_ctx *c, const char *path, const rf_json *o)
{
	static const char *const known[] = {
		"names", "name", "action", "errnoRet", "args", "includes", "excludes", NULL,
	};
	const rf_json *names, *name, *args, *inc, *exc;
	char sub[SC_PATH_MAX];
	entry e = { 0 };
	bool in = true, out = false;

	if (sc_check_keys(c, path, o, known) < 0)
		return -1;
	names = sc_member(o, "names");
	name = sc_member(o, "name");       /* docker's older single-name form */
	if (!names && !name)
		return sc_fail(c, sc_key_path(sub, path, "names"), "missing (expected an array of "
			       "syscall names)");
	if (names && sc_each_string(c, sc_key_path(sub, path, "names"), names, string_ok,
				    NULL) < 0)
		return -1;
	if (name && sc_expect(c, sc_key_path(sub, path, "name"), name, RF_JSON_STRING) < 0)
		return -1;
	if (parse_action(c, path, o, "action", "errnoRet", &e.action) < 0)
		return -1;
	args = sc_member(o, "args");
	if (args && parse_args(c, sc_key_path(sub, path, "args"), args, &e) < 0)
		return -1;

	inc = sc_member(o, "includes");
	exc = sc_member(o, "excludes");
	if (inc && sc_condition(c, sc_key_path(sub, path, "includes"), inc, true, &in) < 0)
		return -1;
	if (exc && sc_condition(c, sc_key_path(sub, path, "excludes"), exc, false, &out) < 0)
		return -1;
	if (!in || out) {
		rf_debug(c->diag, "seccomp: `%s`: left out, its %s here", path,
			 !in ? "includes do not hold" : "excludes hold");
		return 0;
	}
	/* libseccomp refuses a rule that repeats the default: it changes nothing. */
	if (e.action == c->default_action) {
		rf_debug(c->diag, "seccomp: `%s`: same action as defaultAction, nothing to add",
			 path);
		return 0;
	}
	if (name && add_rules(c, sc_key_path(sub, path, "name"), rf_json_str(name), &e) < 0)
		return -1;
	if (names && sc_each_string(c, sc_key_path(sub, path, "names"), names, add_rules, &e) < 0)
		return -1;
	return 0;
}

/* ---- the whole profile --------------------------------------------------- */

static int set_attrs(sc_ctx *c)
{
	int rc;

	/* Errors come back as -errno rather than a bare -ECANCELED. */
	rc = seccomp_attr_set(c->ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	/* A syscall of an architecture the filter lacks ends the whole payload,
	 * not one thread of it (this kernel permitting). */
	if (rc >= 0 && seccomp_api_get() >= 3)
		rc = seccomp_attr_set(c->ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (rc < 0)
		return rf_error_set(c->err, -rc, "set up the seccomp filter");
	/* A binary tree instead of a linear scan: long allowlists stay fast. */
	if (seccomp_attr_set(c->ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
		rf_debug(c->diag, "seccomp: this libseccomp cannot optimize filters, kept linear");
	return 0;
}

static int parse_profile(sc_ctx *c, const char *path, const rf_json *spec)
{
	static const char *const known[] = {
		"defaultAction", "defaultErrnoRet", "architectures", "archMap", "flags",
		"listenerPath", "listenerMetadata", "syscalls", "description", NULL,
	};
	const rf_json *v;
	char sub[SC_PATH_MAX];

	if (sc_check_keys(c, path, spec, known) < 0)
		return -1;
	if (parse_action(c, path, spec, "defaultAction", "defaultErrnoRet",
			 &c->default_action) < 0)
		return -1;
	v = sc_member(spec, "listenerPath");
	if (v && (rf_json_typeof(v) != RF_JSON_STRING || *rf_json_str(v)))
		return sc_fail(c, sc_key_path(sub, path, "listenerPath"),
			       "seccomp notification agents are not supported");
	c->ctx = seccomp_init(c->default_action);
	if (!c->ctx)
		return sc_fail(c, sc_key_path(sub, path, "defaultAction"),
			       "libseccomp cannot make a filter with this action on this kernel");
	if (set_attrs(c) < 0 || sc_parse_arches(c, path, spec) < 0)
		return -1;
	v = sc_member(spec, "flags");
	if (v && sc_each_string(c, sc_key_path(sub, path, "flags"), v, parse_flag, NULL) < 0)
		return -1;
	v = sc_member(spec, "syscalls");
	if (!v)
		return 0;
	sc_key_path(sub, path, "syscalls");
	if (sc_expect(c, sub, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		char ep[SC_PATH_MAX];

		if (parse_entry(c, sc_index_path(ep, sub, i), rf_json_array_at(v, i)) < 0)
			return -1;
	}
	return 0;
}

/* The program libseccomp generates, read back through a memfd. */
static int export_bpf(sc_ctx *c, struct rf_seccomp *sc)
{
	cleanup_close int fd = memfd_create("ringfence-seccomp", MFD_CLOEXEC);
	struct stat st;
	ssize_t n;
	int rc;

	if (fd < 0)
		return rf_error_set(c->err, errno, "create a memfd for the seccomp program");
	rc = seccomp_export_bpf(c->ctx, fd);
	if (rc < 0)
		return rf_error_set(c->err, -rc, "generate the seccomp program");
	if (fstat(fd, &st) < 0)
		return rf_error_set(c->err, errno, "stat the seccomp program");
	if (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter))
		return rf_error_set(c->err, EINVAL, "libseccomp made a program of %lld bytes",
				    (long long)st.st_size);
	if (st.st_size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
		return rf_error_set(c->err, E2BIG, "the seccomp program has %lld instructions, "
				    "the kernel takes at most %d",
				    (long long)(st.st_size / (off_t)sizeof(struct sock_filter)),
				    BPF_MAXINSNS);
	sc->insns = malloc((size_t)st.st_size);
	if (!sc->insns)
		return rf_error_set(c->err, ENOMEM, "read the seccomp program");
	n = pread(fd, sc->insns, (size_t)st.st_size, 0);
	if (n != st.st_size)
		return rf_error_set(c->err, n < 0 ? errno : EIO, "read the seccomp program");
	sc->len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
	sc->flags = c->flags;
	return 0;
}

int rf_seccomp_compile_env(const rf_json *spec, const char *where, const rf_seccomp_env *env,
			   const rf_diag *diag, struct rf_seccomp **out, rf_error *err)
{
	sc_ctx c = { .native = seccomp_arch_native(), .diag = diag, .err = err };
	struct rf_seccomp *sc;
	struct utsname u;
	const char *release = env ? env->kernel_release : NULL;
	int r;

	*out = NULL;
	c.caps = env ? env->caps : 0;
	if (!release)
		release = uname(&u) == 0 ? u.release : "0.0";
	if (sc_parse_version(release, true, c.kernel) < 0)
		rf_debug(diag, "seccomp: cannot read kernel version `%s`, minKernel never holds",
			 release);
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return rf_error_set(err, ENOMEM, "compile the seccomp profile");
	r = parse_profile(&c, where ? where : "", spec);
	if (r == 0)
		r = export_bpf(&c, sc);
	if (c.ctx)
		seccomp_release(c.ctx);
	if (r < 0) {
		rf_seccomp_free(sc);
		return -1;
	}
	*out = sc;
	return 0;
}

int rf_seccomp_compile(const rf_json *spec, const char *where, const rf_diag *diag,
		       struct rf_seccomp **out, rf_error *err)
{
	return rf_seccomp_compile_env(spec, where, NULL, diag, out, err);
}

static void json_freep(rf_json **j)
{
	rf_json_free(*j);
}

int rf_seccomp_compile_file_env(const char *path, const rf_seccomp_env *env,
				const rf_diag *diag, struct rf_seccomp **out, rf_error *err)
{
	__attribute__((cleanup(json_freep))) rf_json *root = NULL;
	const char *text = rf_seccomp_default_text;

	*out = NULL;
	root = path ? rf_json_parse_file(path, err) : rf_json_parse(text, strlen(text), err);
	if (!root)
		return -1;
	return rf_seccomp_compile_env(root, "", env, diag, out, err);
}

int rf_seccomp_compile_file(const char *path, const rf_diag *diag,
			    struct rf_seccomp **out, rf_error *err)
{
	return rf_seccomp_compile_file_env(path, NULL, diag, out, err);
}

const char *rf_seccomp_default_json(void)
{
	return rf_seccomp_default_text;
}

size_t rf_seccomp_instructions(const struct rf_seccomp *sc)
{
	return sc ? sc->len : 0;
}

int rf_seccomp_apply(const struct rf_seccomp *sc, rf_error *err)
{
	struct sock_fprog prog;
	int e;

	if (!sc)
		return 0;
	prog = (struct sock_fprog){ .len = sc->len, .filter = sc->insns };
	if (!RF_FAULT("seccomp") && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, sc->flags, &prog) == 0)
		return 0;
	e = errno;
	/* Without CAP_SYS_ADMIN the kernel wants no_new_privs first (rf_caps_apply). */
	if (e == EACCES && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0)
		return rf_error_set(err, e, "install the seccomp filter: no_new_privs is not set");
	return rf_error_set(err, e, "install the seccomp filter");
}

void rf_seccomp_free(struct rf_seccomp *sc)
{
	if (!sc)
		return;
	free(sc->insns);
	free(sc);
}

const char *rf_seccomp_library_version(char *buf, size_t len)
{
	const struct scmp_version *v = seccomp_version();

	snprintf(buf, len, "%u.%u.%u", v->major, v->minor, v->micro);
	return buf;
}
