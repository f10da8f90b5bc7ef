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

#include "ringfence/caps.h"
#include "ringfence/cleanup.h"
#include "ringfence/parse.h"
#include "ringfence/seccomp.h"

#define PATH_MAX_LEN 192
#define MAX_ERRNO_RET 4094      /* the most libseccomp takes (the kernel's MAX_ERRNO - 1) */
#define MAX_CONDITIONS 32
#define MAX_ARCHES 8

extern const char rf_seccomp_default_text[];   /* generated from default.json */

struct rf_seccomp {
	struct sock_filter *insns;
	unsigned short len;
	unsigned int flags;     /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
};

typedef struct compiler {
	scmp_filter_ctx ctx;
	uint32_t native;
	uint32_t arches[MAX_ARCHES];    /* the filter's, native first */
	size_t n_arches;
	uint32_t default_action;
	unsigned int flags;
	uint64_t caps;
	unsigned kernel[3];
	const rf_diag *diag;
	rf_error *err;
} compiler;

/* ---- JSON paths and types ------------------------------------------------ */

/* Paths longer than any real profile has are cut, visibly. */
static const char *cut(char *buf, int n)
{
	if (n >= PATH_MAX_LEN)
		memcpy(buf + PATH_MAX_LEN - 4, "...", 4);
	return buf;
}

static const char *key_path(char *buf, const char *parent, const char *key)
{
	return cut(buf, snprintf(buf, PATH_MAX_LEN, "%s%s%s", parent, *parent ? "." : "", key));
}

static const char *index_path(char *buf, const char *parent, size_t i)
{
	return cut(buf, snprintf(buf, PATH_MAX_LEN, "%s[%zu]", parent, i));
}

/* Input text in a message: printable, at most 64 characters. */
static const char *shown(char buf[72], const char *s)
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

static int fail(compiler *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(compiler *c, const char *path, const char *fmt, ...)
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

static int expect(compiler *c, const char *path, const rf_json *n, rf_json_type t)
{
	if (rf_json_typeof(n) == t)
		return 0;
	return fail(c, path, "expected %s, got %s", rf_json_type_name(t), kind_of(n));
}

/* Member `key`, or NULL when absent or null (null means unset, as in Go). */
static const rf_json *member(const rf_json *obj, const char *key)
{
	const rf_json *v = rf_json_get(obj, key);

	return v && rf_json_typeof(v) != RF_JSON_NULL ? v : NULL;
}

static int get_u64(compiler *c, const char *path, const rf_json *n, uint64_t max, uint64_t *out)
{
	int64_t neg;

	if (rf_json_typeof(n) != RF_JSON_NUMBER || !rf_json_is_integer(n))
		return fail(c, path, "expected an unsigned integer, got %s", kind_of(n));
	if (rf_json_u64(n, out) < 0 || *out > max) {
		if (rf_json_i64(n, &neg) == 0 && neg < 0)
			return fail(c, path, "%lld is negative (expected 0 to %llu)", (long long)neg,
				    (unsigned long long)max);
		if (rf_json_u64(n, out) == 0)
			return fail(c, path, "%llu is out of range (expected 0 to %llu)",
				    (unsigned long long)*out, (unsigned long long)max);
		return fail(c, path, "out of range (expected 0 to %llu)", (unsigned long long)max);
	}
	return 0;
}

/* Warn about members not in `known` (NULL-terminated); "comment" is free text. */
static int check_keys(compiler *c, const char *path, const rf_json *obj,
		      const char *const *known)
{
	if (expect(c, path, obj, RF_JSON_OBJECT) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_object_len(obj); i++) {
		const char *k = rf_json_object_key(obj, i);
		const char *const *p = known;
		char buf[PATH_MAX_LEN], s[72];

		while (*p && strcmp(*p, k))
			p++;
		if (!*p && strcmp(k, "comment"))
			rf_warn(c->diag, "seccomp: ignoring unknown key `%s`",
				key_path(buf, path, shown(s, k)));
	}
	return 0;
}

/* Each element of the array `n` must be a string; calls fn on each. */
static int each_string(compiler *c, const char *path, const rf_json *n,
		       int (*fn)(compiler *c, const char *path, const char *s, void *data),
		       void *data)
{
	if (expect(c, path, n, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(n); i++) {
		const rf_json *e = rf_json_array_at(n, i);
		char sub[PATH_MAX_LEN];

		index_path(sub, path, i);
		if (expect(c, sub, e, RF_JSON_STRING) < 0 || fn(c, sub, rf_json_str(e), data) < 0)
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
static int parse_action(compiler *c, const char *path, const rf_json *obj,
			const char *action_key, const char *errno_key, uint32_t *out)
{
	const rf_json *a = member(obj, action_key), *e = member(obj, errno_key);
	char ap[PATH_MAX_LEN], ep[PATH_MAX_LEN], s[72];
	uint64_t ret = EPERM;
	const char *name;
	size_t i;

	key_path(ap, path, action_key);
	key_path(ep, path, errno_key);
	if (!a)
		return fail(c, ap, "missing (expected %s)", ACTIONS_FORM);
	if (expect(c, ap, a, RF_JSON_STRING) < 0)
		return -1;
	name = rf_json_str(a);
	if (!strcmp(name, "SCMP_ACT_NOTIFY"))
		return fail(c, ap, "SCMP_ACT_NOTIFY needs a seccomp agent to answer the "
			    "notifications, which ringfence does not provide");
	for (i = 0; i < RF_ARRAY_SIZE(actions) && strcmp(actions[i].name, name); i++)
		;
	if (i == RF_ARRAY_SIZE(actions))
		return fail(c, ap, "unknown action `%s` (expected %s)", shown(s, name), ACTIONS_FORM);
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
		return fail(c, ep, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a return value");
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

/* One element of `args`. For SCMP_CMP_MASKED_EQ `value` is the mask and
 * `valueTwo` what the masked argument must equal, as in libseccomp. */
static int parse_arg(compiler *c, const char *path, const rf_json *a, struct scmp_arg_cmp *out)
{
	static const char *const known[] = { "index", "value", "valueTwo", "op", NULL };
	const rf_json *idx, *val, *two, *op;
	char sub[PATH_MAX_LEN], s[72];
	uint64_t index, v1, v2 = 0;
	size_t i;

	if (check_keys(c, path, a, known) < 0)
		return -1;
	idx = member(a, "index");
	val = member(a, "value");
	two = member(a, "valueTwo");
	op = member(a, "op");
	if (!idx)
		return fail(c, key_path(sub, path, "index"), "missing (expected 0 to 5)");
	if (get_u64(c, key_path(sub, path, "index"), idx, 5, &index) < 0)
		return -1;
	if (!val)
		return fail(c, key_path(sub, path, "value"), "missing (expected an unsigned integer)");
	if (get_u64(c, key_path(sub, path, "value"), val, UINT64_MAX, &v1) < 0)
		return -1;
	if (two && get_u64(c, key_path(sub, path, "valueTwo"), two, UINT64_MAX, &v2) < 0)
		return -1;
	key_path(sub, path, "op");
	if (!op)
		return fail(c, sub, "missing (expected SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT, "
			    "SCMP_CMP_LE, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ)");
	if (expect(c, sub, op, RF_JSON_STRING) < 0)
		return -1;
	for (i = 0; i < RF_ARRAY_SIZE(operators) && strcmp(operators[i].name, rf_json_str(op)); i++)
		;
	if (i == RF_ARRAY_SIZE(operators))
		return fail(c, sub, "unknown operator `%s` (expected SCMP_CMP_EQ, SCMP_CMP_NE, "
			    "SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ)",
			    shown(s, rf_json_str(op)));
	*out = (struct scmp_arg_cmp){ .arg = (unsigned)index, .op = operators[i].op,
				      .datum_a = v1, .datum_b = v2 };
	return 0;
}

/* ---- architectures ------------------------------------------------------- */

/* The architectures a kernel of each kind runs, and the names docker's
 * includes/excludes use for it (Go's GOARCH) besides libseccomp's. */
static const struct arch_family {
	uint32_t native;
	const char *name;
	const char *goarch;
	uint32_t runs[3];
} families[] = {
	{ SCMP_ARCH_X86_64, "x86_64", "amd64", { SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32 } },
	{ SCMP_ARCH_X86, "x86", "386", { SCMP_ARCH_X86 } },
	{ SCMP_ARCH_AARCH64, "aarch64", "arm64", { SCMP_ARCH_AARCH64, SCMP_ARCH_ARM } },
	{ SCMP_ARCH_ARM, "arm", "arm", { SCMP_ARCH_ARM } },
	{ SCMP_ARCH_PPC64LE, "ppc64le", "ppc64le", { SCMP_ARCH_PPC64LE } },
	{ SCMP_ARCH_PPC64, "ppc64", "ppc64", { SCMP_ARCH_PPC64, SCMP_ARCH_PPC } },
	{ SCMP_ARCH_S390X, "s390x", "s390x", { SCMP_ARCH_S390X, SCMP_ARCH_S390 } },
	{ SCMP_ARCH_S390, "s390", "s390", { SCMP_ARCH_S390 } },
	{ SCMP_ARCH_MIPSEL64, "mipsel64", "mips64le",
	  { SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_MIPSEL } },
	{ SCMP_ARCH_MIPS64, "mips64", "mips64",
	  { SCMP_ARCH_MIPS64, SCMP_ARCH_MIPS64N32, SCMP_ARCH_MIPS } },
	{ SCMP_ARCH_RISCV64, "riscv64", "riscv64", { SCMP_ARCH_RISCV64 } },
};

static const struct arch_family *native_family(const compiler *c)
{
	for (size_t i = 0; i < RF_ARRAY_SIZE(families); i++)
		if (families[i].native == c->native)
			return &families[i];
	return NULL;
}

static bool runs_here(const compiler *c, uint32_t arch)
{
	const struct arch_family *f = native_family(c);

	if (arch == c->native)
		return true;
	for (size_t i = 0; f && i < RF_ARRAY_SIZE(f->runs); i++)
		if (f->runs[i] == arch)
			return true;
	return false;
}

/* "SCMP_ARCH_X86_64" (OCI) or "x86_64" (libseccomp) -> token, 0 if unknown. */
static uint32_t arch_token(const char *name)
{
	char low[32];
	size_t i;

	if (!strncmp(name, "SCMP_ARCH_", 10))
		name += 10;
	for (i = 0; name[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	if (name[i])
		return 0;
	low[i] = '\0';
	return seccomp_arch_resolve_name(low);
}

static int add_arch(compiler *c, uint32_t arch)
{
	int rc;

	for (size_t i = 0; i < c->n_arches; i++)
		if (c->arches[i] == arch)
			return 0;
	if (c->n_arches == MAX_ARCHES)
		return 0;
	rc = seccomp_arch_add(c->ctx, arch);
	if (rc < 0 && rc != -EEXIST)
		return rf_error_set(c->err, -rc, "add architecture %u to the seccomp filter", arch);
	c->arches[c->n_arches++] = arch;
	return 0;
}

static int arch_by_name(compiler *c, const char *path, const char *name, void *data)
{
	uint32_t arch = arch_token(name);
	char s[72];

	if (!arch) {
		rf_debug(c->diag, "seccomp: `%s`: unknown architecture %s, skipped", path,
			 shown(s, name));
		return 0;
	}
	if (!runs_here(c, arch)) {
		rf_debug(c->diag, "seccomp: `%s`: %s does not run on this machine, skipped", path,
			 shown(s, name));
		return 0;
	}
	return add_arch(c, arch);
}

/* docker's archMap: [{architecture, subArchitectures}], the entry for this machine. */
static int parse_arch_map(compiler *c, const char *path, const rf_json *map)
{
	static const char *const known[] = { "architecture", "subArchitectures", NULL };

	if (expect(c, path, map, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(map); i++) {
		const rf_json *e = rf_json_array_at(map, i), *a, *subs;
		char sub[PATH_MAX_LEN], ap[PATH_MAX_LEN];

		index_path(sub, path, i);
		if (check_keys(c, sub, e, known) < 0)
			return -1;
		a = member(e, "architecture");
		key_path(ap, sub, "architecture");
		if (!a)
			return fail(c, ap, "missing (expected a name like SCMP_ARCH_X86_64)");
		if (expect(c, ap, a, RF_JSON_STRING) < 0)
			return -1;
		subs = member(e, "subArchitectures");
		if (subs && expect(c, key_path(ap, sub, "subArchitectures"), subs,
				   RF_JSON_ARRAY) < 0)
			return -1;
		if (arch_token(rf_json_str(a)) != c->native)
			continue;
		if (arch_by_name(c, key_path(ap, sub, "architecture"), rf_json_str(a), NULL) < 0)
			return -1;
		if (subs && each_string(c, key_path(ap, sub, "subArchitectures"), subs,
					arch_by_name, NULL) < 0)
			return -1;
	}
	return 0;
}

/* ---- flags --------------------------------------------------------------- */

/* seccomp(2) checks flags before it reads the program: EFAULT on a NULL
 * program means the flag is known. */
static bool kernel_has_flag(unsigned int flag)
{
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

static int parse_flag(compiler *c, const char *path, const char *name, void *data)
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
			rf_debug(c->diag, "seccomp: `%s`: %s not needed: %s", path, name, flags[i].why);
		else if (!kernel_has_flag(flags[i].flag))
			rf_debug(c->diag, "seccomp: `%s`: this kernel has no %s, ignored", path, name);
		else
			c->flags |= flags[i].flag;
		return 0;
	}
	return fail(c, path, "unknown flag `%s` (expected SECCOMP_FILTER_FLAG_LOG, "
		    "SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_TSYNC or "
		    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)", shown(s, name));
}

/* ---- docker's includes / excludes ---------------------------------------- */

/* "MAJOR.MINOR[.PATCH]" -> v; the kernel's release may carry a suffix
 * ("6.1.0-18-cloud-amd64"). */
static int parse_version(const char *s, bool suffix_ok, unsigned v[3])
{
	int i = 0;

	v[0] = v[1] = v[2] = 0;
	for (;;) {
		size_t n = strspn(s, "0123456789");
		char digits[8];
		uint64_t x;

		if (!n || n >= sizeof(digits))
			return -1;
		memcpy(digits, s, n);
		digits[n] = '\0';
		if (rf_parse_u64(digits, 0, 65535, &x, NULL) < 0)
			return -1;
		v[i++] = (unsigned)x;
		s += n;
		if (*s != '.' || i == 3)
			break;
		s++;
	}
	if (i < 2)
		return -1;
	return !*s || suffix_ok ? 0 : -1;
}

static bool kernel_at_least(const compiler *c, const unsigned v[3])
{
	for (int i = 0; i < 3; i++)
		if (c->kernel[i] != v[i])
			return c->kernel[i] > v[i];
	return true;
}

static bool arch_is_native(const compiler *c, const char *name)
{
	const struct arch_family *f = native_family(c);

	if (arch_token(name) == c->native)
		return true;
	return f && (!strcmp(name, f->goarch) || !strcmp(name, f->name));
}

struct cond_state {
	bool all;               /* includes: all must hold; excludes: any excludes */
	bool met;
	int matches;
};

static int cond_cap(compiler *c, const char *path, const char *name, void *data)
{
	struct cond_state *st = data;
	int cap = rf_cap_lookup(name);
	char s[72];

	if (cap < 0)
		rf_debug(c->diag, "seccomp: `%s`: unknown capability %s, taken as not held", path,
			 shown(s, name));
	if (cap >= 0 && cap < 64 && (c->caps >> cap) & 1)
		st->matches++;
	else if (st->all)
		st->met = false;
	return 0;
}

static int cond_arch(compiler *c, const char *path, const char *name, void *data)
{
	struct cond_state *st = data;

	if (arch_is_native(c, name))
		st->matches++;
	return 0;
}

/* Whether the entry's `includes` (or `excludes`) object holds here. includes:
 * every capability held, this machine among the arches, the kernel at least
 * minKernel. excludes: any capability held, this machine among the arches, or
 * the kernel at least minKernel. */
static int condition(compiler *c, const char *path, const rf_json *o, bool includes, bool *holds)
{
	static const char *const known[] = { "caps", "arches", "minKernel", NULL };
	const rf_json *caps, *arches, *mk;
	struct cond_state st;
	char sub[PATH_MAX_LEN];
	bool any = false, all = true;

	if (check_keys(c, path, o, known) < 0)
		return -1;
	caps = member(o, "caps");
	arches = member(o, "arches");
	mk = member(o, "minKernel");
	if (caps) {
		st = (struct cond_state){ .all = true, .met = true };
		if (each_string(c, key_path(sub, path, "caps"), caps, cond_cap, &st) < 0)
			return -1;
		any |= st.matches > 0;
		all &= st.met;
	}
	if (arches) {
		st = (struct cond_state){ 0 };
		if (each_string(c, key_path(sub, path, "arches"), arches, cond_arch, &st) < 0)
			return -1;
		any |= st.matches > 0;
		all &= st.matches > 0;
	}
	if (mk) {
		unsigned v[3];

		key_path(sub, path, "minKernel");
		if (expect(c, sub, mk, RF_JSON_STRING) < 0)
			return -1;
		if (parse_version(rf_json_str(mk), false, v) < 0)
			return fail(c, sub, "expected a kernel version like \"4.8\" or \"5.10.1\"");
		any |= kernel_at_least(c, v);
		all &= kernel_at_least(c, v);
	}
	*holds = includes ? all : any;
	return 0;
}

/* ---- syscall entries ----------------------------------------------------- */

typedef struct entry {
	uint32_t action;
	struct scmp_arg_cmp cmp[MAX_CONDITIONS];
	size_t n_cmp;
	bool any_of;            /* an index repeats: one rule per condition */
} entry;

/* Known on at least one architecture of the filter? */
static bool syscall_known(const compiler *c, const char *name)
{
	for (size_t i = 0; i < c->n_arches; i++)
		if (seccomp_syscall_resolve_name_arch(c->arches[i], name) >= 0)
			return true;
	return false;
}

static int add_rules(compiler *c, const char *path, const char *name, void *data)
{
	const entry *e = data;
	int nr = seccomp_syscall_resolve_name(name);
	char s[72];
	int rc = 0;

	if (nr == __NR_SCMP_ERROR || !syscall_known(c, name)) {
		rf_debug(c->diag, "seccomp: `%s`: no syscall %s on this machine's architectures, "
			 "skipped", path, shown(s, name));
		return 0;
	}
	if (e->any_of) {
		for (size_t i = 0; i < e->n_cmp && rc >= 0; i++)
			rc = seccomp_rule_add_array(c->ctx, e->action, nr, 1, &e->cmp[i]);
	} else {
		rc = seccomp_rule_add_array(c->ctx, e->action, nr, (unsigned)e->n_cmp, e->cmp);
	}
	if (rc < 0)
		return rf_error_set(c->err, -rc, "`%s`: add the rule for %s", path, shown(s, name));
	return 0;
}

static int parse_args(compiler *c, const char *path, const rf_json *args, entry *e)
{
	unsigned seen = 0;

	if (expect(c, path, args, RF_JSON_ARRAY) < 0)
		return -1;
	if (rf_json_array_len(args) > MAX_CONDITIONS)
		return fail(c, path, "more than %d conditions", MAX_CONDITIONS);
	for (size_t i = 0; i < rf_json_array_len(args); i++) {
		char sub[PATH_MAX_LEN];

		if (parse_arg(c, index_path(sub, path, i), rf_json_array_at(args, i),
			      &e->cmp[e->n_cmp]) < 0)
			return -1;
		if (seen & (1u << e->cmp[e->n_cmp].arg))
			e->any_of = true;
		seen |= 1u << e->cmp[e->n_cmp].arg;
		e->n_cmp++;
	}
	return 0;
}

static int string_ok(compiler *c, const char *path, const char *s, void *data)
{
	return 0;
}

static int parse_entry(compiler *c, const char *path, const rf_json *o)
{
	static const char *const known[] = {
		"names", "name", "action", "errnoRet", "args", "includes", "excludes", NULL,
	};
	const rf_json *names, *name, *args, *inc, *exc;
	char sub[PATH_MAX_LEN];
	entry e = { 0 };
	bool holds;

	if (check_keys(c, path, o, known) < 0)
		return -1;
	names = member(o, "names");
	name = member(o, "name");       /* docker's older single-name form */
	if (!names && !name)
		return fail(c, key_path(sub, path, "names"), "missing (expected an array of "
			    "syscall names)");
	if (names && each_string(c, key_path(sub, path, "names"), names, string_ok, NULL) < 0)
		return -1;
	if (name && expect(c, key_path(sub, path, "name"), name, RF_JSON_STRING) < 0)
		return -1;
	if (parse_action(c, path, o, "action", "errnoRet", &e.action) < 0)
		return -1;
	args = member(o, "args");
	if (args && parse_args(c, key_path(sub, path, "args"), args, &e) < 0)
		return -1;

	inc = member(o, "includes");
	exc = member(o, "excludes");
	if (inc && condition(c, key_path(sub, path, "includes"), inc, true, &holds) < 0)
		return -1;
	if (inc && !holds) {
		rf_debug(c->diag, "seccomp: `%s`: left out, its includes do not hold here", path);
		return 0;
	}
	if (exc && condition(c, key_path(sub, path, "excludes"), exc, false, &holds) < 0)
		return -1;
	if (exc && holds) {
		rf_debug(c->diag, "seccomp: `%s`: left out, its excludes hold here", path);
		return 0;
	}
	/* libseccomp refuses a rule that repeats the default: it changes nothing. */
	if (e.action == c->default_action) {
		rf_debug(c->diag, "seccomp: `%s`: same action as defaultAction, nothing to add", path);
		return 0;
	}
	if (name && add_rules(c, key_path(sub, path, "name"), rf_json_str(name), &e) < 0)
		return -1;
	if (names && each_string(c, key_path(sub, path, "names"), names, add_rules, &e) < 0)
		return -1;
	return 0;
}

/* ---- the whole profile --------------------------------------------------- */

static int set_attrs(compiler *c)
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

static int parse_arches(compiler *c, const char *path, const rf_json *spec)
{
	const rf_json *archs = member(spec, "architectures"), *map = member(spec, "archMap");
	char sub[PATH_MAX_LEN];

	c->arches[c->n_arches++] = c->native;   /* seccomp_init() put it there */
	if (archs && each_string(c, key_path(sub, path, "architectures"), archs,
				 arch_by_name, NULL) < 0)
		return -1;
	if (map && parse_arch_map(c, key_path(sub, path, "archMap"), map) < 0)
		return -1;
	if (c->native == SCMP_ARCH_X86_64 &&
	    (c->default_action == SCMP_ACT_ALLOW || c->default_action == SCMP_ACT_LOG)) {
		rf_debug(c->diag, "seccomp: adding SCMP_ARCH_X32 so that x32 syscall numbers "
			 "meet the same rules");
		return add_arch(c, SCMP_ARCH_X32);
	}
	return 0;
}

static int parse_profile(compiler *c, const char *path, const rf_json *spec)
{
	static const char *const known[] = {
		"defaultAction", "defaultErrnoRet", "architectures", "archMap", "flags",
		"listenerPath", "listenerMetadata", "syscalls", "description", NULL,
	};
	const rf_json *v;
	char sub[PATH_MAX_LEN];

	if (check_keys(c, path, spec, known) < 0)
		return -1;
	if (parse_action(c, path, spec, "defaultAction", "defaultErrnoRet", &c->default_action) < 0)
		return -1;
	v = member(spec, "listenerPath");
	if (v && (rf_json_typeof(v) != RF_JSON_STRING || *rf_json_str(v)))
		return fail(c, key_path(sub, path, "listenerPath"), "seccomp notification agents "
			    "are not supported");
	c->ctx = seccomp_init(c->default_action);
	if (!c->ctx)
		return fail(c, key_path(sub, path, "defaultAction"), "libseccomp cannot make "
			    "a filter with this action on this kernel");
	if (set_attrs(c) < 0 || parse_arches(c, path, spec) < 0)
		return -1;
	v = member(spec, "flags");
	if (v && each_string(c, key_path(sub, path, "flags"), v, parse_flag, NULL) < 0)
		return -1;
	v = member(spec, "syscalls");
	if (!v)
		return 0;
	key_path(sub, path, "syscalls");
	if (expect(c, sub, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		char ep[PATH_MAX_LEN];

		if (parse_entry(c, index_path(ep, sub, i), rf_json_array_at(v, i)) < 0)
			return -1;
	}
	return 0;
}

/* The program libseccomp generates, read back through a memfd. */
static int export_bpf(compiler *c, struct rf_seccomp *sc)
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
	compiler c = { .native = seccomp_arch_native(), .diag = diag, .err = err };
	struct rf_seccomp *sc;
	struct utsname u;
	const char *release = env ? env->kernel_release : NULL;
	int r;

	*out = NULL;
	c.caps = env ? env->caps : 0;
	if (!release)
		release = uname(&u) == 0 ? u.release : "0.0";
	if (parse_version(release, true, c.kernel) < 0)
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
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, sc->flags, &prog) == 0)
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
