/* Architectures of the seccomp filter, and docker's includes/excludes
 * conditions on a syscalls[] entry (see the top of seccomp.c). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "ringfence/caps.h"
#include "ringfence/cleanup.h"
#include "ringfence/parse.h"
#include "seccomp-internal.h"

/* ---- architectures ------------------------------------------------------- */

/* The architectures a kernel of each kind runs, and the names docker's
 * includes/excludes use for it (Go's GOARCH) besides libseccomp's. */
static const struct arch_family {
	uint32_t native;
	const char *name;
	const char *goarch;
	uint32_t runs[3];
} families[] = {
	{ SCMP_ARCH_X86_64, "x86_64", "amd64",
	  { SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32 } },
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

static const struct arch_family *native_family(const sc_ctx *c)
{
	for (size_t i = 0; i < RF_ARRAY_SIZE(families); i++)
		if (families[i].native == c->native)
			return &families[i];
	return NULL;
}

static bool runs_here(const sc_ctx *c, uint32_t arch)
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

static int add_arch(sc_ctx *c, uint32_t arch)
{
	int rc;

	for (size_t i = 0; i < c->n_arches; i++)
		if (c->arches[i] == arch)
			return 0;
	if (c->n_arches == SC_MAX_ARCHES)
		return 0;
	rc = seccomp_arch_add(c->ctx, arch);
	if (rc < 0 && rc != -EEXIST)
		return rf_error_set(c->err, -rc, "add architecture %#x to the seccomp filter",
				    arch);
	c->arches[c->n_arches++] = arch;
	return 0;
}

static int arch_by_name(sc_ctx *c, const char *path, const char *name, void *data)
{
	uint32_t arch = arch_token(name);
	char s[72];

	if (!arch) {
		rf_debug(c->diag, "seccomp: `%s`: unknown architecture %s, skipped", path,
			 sc_shown(s, name));
		return 0;
	}
	if (!runs_here(c, arch)) {
		rf_debug(c->diag, "seccomp: `%s`: %s does not run on this machine, skipped", path,
			 sc_shown(s, name));
		return 0;
	}
	return add_arch(c, arch);
}

/* docker's archMap: [{architecture, subArchitectures}], the entry for this machine. */
static int parse_arch_map(sc_ctx *c, const char *path, const rf_json *map)
{
	static const char *const known[] = { "architecture", "subArchitectures", NULL };

	if (sc_expect(c, path, map, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(map); i++) {
		const rf_json *e = rf_json_array_at(map, i), *a, *subs;
		char sub[SC_PATH_MAX], ap[SC_PATH_MAX];

		sc_index_path(sub, path, i);
		if (sc_check_keys(c, sub, e, known) < 0)
			return -1;
		a = sc_member(e, "architecture");
		sc_key_path(ap, sub, "architecture");
		if (!a)
			return sc_fail(c, ap, "missing (expected a name like SCMP_ARCH_X86_64)");
		if (sc_expect(c, ap, a, RF_JSON_STRING) < 0)
			return -1;
		subs = sc_member(e, "subArchitectures");
		if (subs && sc_expect(c, sc_key_path(ap, sub, "subArchitectures"), subs,
				      RF_JSON_ARRAY) < 0)
			return -1;
		if (arch_token(rf_json_str(a)) != c->native)
			continue;
		sc_key_path(ap, sub, "architecture");
		if (arch_by_name(c, ap, rf_json_str(a), NULL) < 0)
			return -1;
		if (subs && sc_each_string(c, sc_key_path(ap, sub, "subArchitectures"), subs,
					   arch_by_name, NULL) < 0)
			return -1;
	}
	return 0;
}

/* ---- docker's includes / excludes ---------------------------------------- */

/* "MAJOR.MINOR[.PATCH]" -> v; the kernel's release may carry a suffix
 * ("6.1.0-18-cloud-amd64"). */
int sc_parse_version(const char *s, bool suffix_ok, unsigned v[3])
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

static bool kernel_at_least(const sc_ctx *c, const unsigned v[3])
{
	for (int i = 0; i < 3; i++)
		if (c->kernel[i] != v[i])
			return c->kernel[i] > v[i];
	return true;
}

static bool arch_is_native(const sc_ctx *c, const char *name)
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

static int cond_cap(sc_ctx *c, const char *path, const char *name, void *data)
{
	struct cond_state *st = data;
	int cap = rf_cap_lookup(name);
	char s[72];

	if (cap < 0)
		rf_debug(c->diag, "seccomp: `%s`: unknown capability %s, taken as not held", path,
			 sc_shown(s, name));
	if (cap >= 0 && cap < 64 && (c->caps >> cap) & 1)
		st->matches++;
	else if (st->all)
		st->met = false;
	return 0;
}

static int cond_arch(sc_ctx *c, const char *path, const char *name, void *data)
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
int sc_condition(sc_ctx *c, const char *path, const rf_json *o, bool includes, bool *holds)
{
	static const char *const known[] = { "caps", "arches", "minKernel", NULL };
	const rf_json *caps, *arches, *mk;
	struct cond_state st;
	char sub[SC_PATH_MAX];
	bool any = false, all = true;

	if (sc_check_keys(c, path, o, known) < 0)
		return -1;
	caps = sc_member(o, "caps");
	arches = sc_member(o, "arches");
	mk = sc_member(o, "minKernel");
	if (caps) {
		st = (struct cond_state){ .all = true, .met = true };
		if (sc_each_string(c, sc_key_path(sub, path, "caps"), caps, cond_cap, &st) < 0)
			return -1;
		any |= st.matches > 0;
		all &= st.met;
	}
	if (arches) {
		st = (struct cond_state){ 0 };
		sc_key_path(sub, path, "arches");
		if (sc_each_string(c, sub, arches, cond_arch, &st) < 0)
			return -1;
		/* An empty list says nothing, as in docker. */
		if (rf_json_array_len(arches)) {
			any |= st.matches > 0;
			all &= st.matches > 0;
		}
	}
	if (mk) {
		unsigned v[3];

		sc_key_path(sub, path, "minKernel");
		if (sc_expect(c, sub, mk, RF_JSON_STRING) < 0)
			return -1;
		if (sc_parse_version(rf_json_str(mk), false, v) < 0)
			return sc_fail(c, sub, "expected a kernel version like \"4.8\" or "
				       "\"5.10.1\"");
		any |= kernel_at_least(c, v);
		all &= kernel_at_least(c, v);
	}
	*holds = includes ? all : any;
	return 0;
}

int sc_parse_arches(sc_ctx *c, const char *path, const rf_json *spec)
{
	const rf_json *archs = sc_member(spec, "architectures"), *map = sc_member(spec, "archMap");
	char sub[SC_PATH_MAX];

	c->arches[c->n_arches++] = c->native;   /* seccomp_init() put it there */
	if (archs && sc_each_string(c, sc_key_path(sub, path, "architectures"), archs,
				    arch_by_name, NULL) < 0)
		return -1;
	if (map && parse_arch_map(c, sc_key_path(sub, path, "archMap"), map) < 0)
		return -1;
	if (c->native == SCMP_ARCH_X86_64 &&
	    (c->default_action == SCMP_ACT_ALLOW || c->default_action == SCMP_ACT_LOG)) {
		rf_debug(c->diag, "seccomp: adding SCMP_ARCH_X32 so that x32 syscall numbers "
			 "meet the same rules");
		return add_arch(c, SCMP_ARCH_X32);
	}
	return 0;
}

