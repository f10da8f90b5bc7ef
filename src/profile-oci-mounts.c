/* The OCI `mounts` array, in both readings (profile-internal.h, pf_ctx.bundle):
 *
 * - A profile runs on the host's `/`: tmpfs and bind mounts only (type
 *   "bind", or options "bind"/"rbind"; "ro" makes it read-only), with
 *   ringfence's own flags (nosuid and nodev on tmpfs and read-only binds).
 *   A relative source is an error (there is no bundle directory). The mounts
 *   every container gets (/proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys,
 *   /sys/fs/cgroup) are reported as not implemented: ringfence keeps the
 *   host's, and mounts its own /proc in a pid namespace.
 * - A bundle builds a container's filesystem: every entry is mounted as
 *   given, in order, inside root.path (src/mounts-oci.c). Options are read
 *   as mount(8) and runc read them: the flags (ro, nosuid, noatime...),
 *   propagation (rprivate, slave...), recursive attributes (rro, rnosuid...),
 *   and everything else is the filesystem's own data ("mode=755",
 *   "newinstance"). A relative bind source is relative to the bundle. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "ringfence/cleanup.h"
#include "ringfence/isolation.h"
#include "ringfence/parse.h"
#include "profile-internal.h"

/* The kernel's smallest tmpfs, one page; "size=0" would mean unlimited. */
#define TMPFS_MIN_SIZE 4096
/* Filesystem data longer than a page is refused by mount(2). */
#define DATA_MAX 4095

/* ================================================================ profile reading */

/* What every container runtime mounts; a profile keeps the host's instead. */
static const char *const standard_mounts[] = {
	"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup",
};

static bool is_standard_mount(const char *dst)
{
	for (size_t i = 0; i < RF_ARRAY_SIZE(standard_mounts); i++)
		if (!strcmp(dst, standard_mounts[i]))
			return true;
	return false;
}

struct mount_opts {
	bool bind, ro;
	uint64_t size;
	unsigned mode;
	char ignored[256];
};

/* tmpfs "mode=": octal 1 to 7777. */
static int tmpfs_mode(pf_ctx *c, const char *path, const char *s, unsigned *out)
{
	rf_error e;

	if (rf_parse_mode(s, out, &e) < 0)
		return pf_fail(c, path, "mode %s", e.msg);
	return 0;
}

/* Options ringfence applies anyway: rw; private propagation (nothing mounted
 * inside leaks out); nosuid and nodev on tmpfs and read-only binds. */
static bool harmless_option(const char *o, bool bind, bool ro)
{
	if (!strcmp(o, "rw") || !strcmp(o, "private") || !strcmp(o, "rprivate"))
		return true;
	return (!bind || ro) && (!strcmp(o, "nosuid") || !strcmp(o, "nodev"));
}

static int mount_options(pf_ctx *c, const char *path, const rf_json *v, bool bind_type,
			 struct mount_opts *mo)
{
	size_t used = 0;

	if (!v)
		return 0;
	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		char sub[PF_PATH_MAX];
		const char *o;

		if (pf_string(c, pf_index_path(sub, path, i), rf_json_array_at(v, i), &o) < 0)
			return -1;
		if (!strcmp(o, "bind") || !strcmp(o, "rbind")) {
			mo->bind = true;
		} else if (!strcmp(o, "ro")) {
			mo->ro = true;
		} else if (!strncmp(o, "size=", 5)) {
			if (rf_parse_size(o + 5, &mo->size, c->err) < 0)
				return rf_error_prefix(c->err, "%s", sub);
			if (mo->size < TMPFS_MIN_SIZE || mo->size == RF_MAX)
				return pf_fail(c, sub, "expected a size from 4K (leave size out for "
					       "the kernel default, half of RAM)");
		} else if (!strncmp(o, "mode=", 5)) {
			if (tmpfs_mode(c, sub, o + 5, &mo->mode) < 0)
				return -1;
		}
	}
	/* the rest, now that bind and ro are known */
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		const char *o = rf_json_str(rf_json_array_at(v, i));

		if (strcmp(o, "bind") && strcmp(o, "rbind") && strcmp(o, "ro") &&
		    strncmp(o, "size=", 5) && strncmp(o, "mode=", 5) &&
		    !harmless_option(o, bind_type || mo->bind, mo->ro) && used < sizeof(mo->ignored))
			used += (size_t)snprintf(mo->ignored + used, sizeof(mo->ignored) - used,
						 "%s%s", used ? " " : "", o);
	}
	return 0;
}

/* Append m (its strings owned by the plan from here on, also on failure). */
static int add_mount(pf_ctx *c, const char *path, rf_mount *m)
{
	rf_isolation *iso = &c->plan->iso;
	rf_mount *grown = realloc(iso->mounts, (iso->n_mounts + 1) * sizeof(*grown));

	if (!grown) {
		rf_mount_clear(m);
		return rf_error_set(c->err, ENOMEM, "%s", path);
	}
	iso->mounts = grown;
	iso->mounts[iso->n_mounts++] = *m;
	return 0;
}

static int add_simple_mount(pf_ctx *c, const char *path, rf_mount_kind kind, const char *src,
			    const char *dst, const struct mount_opts *mo)
{
	rf_mount m = { .kind = kind, .size = mo->size, .mode = mo->mode };

	m.dst = strdup(dst);
	m.src = src ? strdup(src) : NULL;
	if (!m.dst || (src && !m.src)) {
		rf_mount_clear(&m);
		return rf_error_set(c->err, ENOMEM, "%s", path);
	}
	return add_mount(c, path, &m);
}

static int profile_mount(pf_ctx *c, const char *path, const rf_json *v, const char *dst,
			 const char *type)
{
	const rf_json *src_j = pf_get(v, "source");
	struct mount_opts mo = { 0 };
	char sub[PF_PATH_MAX];
	const char *src = NULL;
	bool bind;

	if (is_standard_mount(dst))
		return 0;   /* reported together by pf_oci_mounts */
	if (mount_options(c, pf_key_path(sub, path, "options"), pf_get(v, "options"),
			  type && !strcmp(type, "bind"), &mo) < 0)
		return -1;
	bind = mo.bind || (type && !strcmp(type, "bind"));
	if (!bind && (!type || strcmp(type, "tmpfs")))
		return pf_ignore(c, path, "%s of type %.32s: only tmpfs and bind mounts", dst,
				 type ? type : "(none)");
	if (mo.ignored[0] && pf_ignore(c, pf_key_path(sub, path, "options"), "%s", mo.ignored) < 0)
		return -1;
	if (!bind) {
		if (mo.ro)
			return pf_ignore(c, path, "%s: a read-only tmpfs", dst);
		if (src_j && pf_string(c, pf_key_path(sub, path, "source"), src_j, &src) < 0)
			return -1;   /* any name: the kernel shows it in mountinfo only */
		return add_simple_mount(c, path, RF_MOUNT_TMPFS, NULL, dst, &mo);
	}
	pf_key_path(sub, path, "source");
	if (!src_j)
		return pf_fail(c, sub, "required for a bind mount");
	if (pf_string(c, sub, src_j, &src) < 0)
		return -1;
	if (src[0] != '/')
		return pf_fail(c, sub, "`%.128s` is not an absolute path (ringfence has no bundle "
			       "directory to resolve it against)", src);
	if (pf_abspath(c, sub, src_j, &src) < 0)
		return -1;
	if (mo.size || mo.mode)
		return pf_fail(c, pf_key_path(sub, path, "options"), "size= and mode= are tmpfs "
			       "options, not bind options");
	return add_simple_mount(c, path, mo.ro ? RF_MOUNT_RO_BIND : RF_MOUNT_BIND, src, dst, &mo);
}

/* ================================================================ bundle reading */

/* mount(8)'s flag options: `clear` ones turn the flag off. */
static const struct {
	const char *name;
	unsigned long flag;
	bool clear;
} flag_options[] = {
	{ "defaults", 0, false },
	{ "ro", MS_RDONLY, false },         { "rw", MS_RDONLY, true },
	{ "nosuid", MS_NOSUID, false },     { "suid", MS_NOSUID, true },
	{ "nodev", MS_NODEV, false },       { "dev", MS_NODEV, true },
	{ "noexec", MS_NOEXEC, false },     { "exec", MS_NOEXEC, true },
	{ "sync", MS_SYNCHRONOUS, false },  { "async", MS_SYNCHRONOUS, true },
	{ "dirsync", MS_DIRSYNC, false },
	{ "mand", MS_MANDLOCK, false },     { "nomand", MS_MANDLOCK, true },
	{ "noatime", MS_NOATIME, false },   { "atime", MS_NOATIME, true },
	{ "nodiratime", MS_NODIRATIME, false }, { "diratime", MS_NODIRATIME, true },
	{ "relatime", MS_RELATIME, false }, { "norelatime", MS_RELATIME, true },
	{ "strictatime", MS_STRICTATIME, false }, { "nostrictatime", MS_STRICTATIME, true },
	{ "lazytime", MS_LAZYTIME, false }, { "nolazytime", MS_LAZYTIME, true },
	{ "iversion", MS_I_VERSION, false }, { "noiversion", MS_I_VERSION, true },
	{ "silent", MS_SILENT, false },     { "loud", MS_SILENT, true },
};

const pf_name pf_propagations[] = {
	{ "private", MS_PRIVATE },           { "rprivate", MS_PRIVATE | MS_REC },
	{ "slave", MS_SLAVE },               { "rslave", MS_SLAVE | MS_REC },
	{ "shared", MS_SHARED },             { "rshared", MS_SHARED | MS_REC },
	{ "unbindable", MS_UNBINDABLE },     { "runbindable", MS_UNBINDABLE | MS_REC },
};
const size_t pf_n_propagations = RF_ARRAY_SIZE(pf_propagations);

/* runc's recursive attributes (mount_setattr over the whole tree). The atime
 * ones choose one mode, which the kernel takes only with all of
 * MOUNT_ATTR__ATIME cleared. */
static const struct {
	const char *name;
	uint64_t attr;
	bool clear;
	bool atime;
} rec_options[] = {
	{ "rro", MOUNT_ATTR_RDONLY, false, false },     { "rrw", MOUNT_ATTR_RDONLY, true, false },
	{ "rnosuid", MOUNT_ATTR_NOSUID, false, false }, { "rsuid", MOUNT_ATTR_NOSUID, true, false },
	{ "rnodev", MOUNT_ATTR_NODEV, false, false },   { "rdev", MOUNT_ATTR_NODEV, true, false },
	{ "rnoexec", MOUNT_ATTR_NOEXEC, false, false }, { "rexec", MOUNT_ATTR_NOEXEC, true, false },
	{ "rnodiratime", MOUNT_ATTR_NODIRATIME, false, false },
	{ "rdiratime", MOUNT_ATTR_NODIRATIME, true, false },
	{ "rnoatime", MOUNT_ATTR_NOATIME, false, true },
	{ "rstrictatime", MOUNT_ATTR_STRICTATIME, false, true },
	{ "rrelatime", MOUNT_ATTR_RELATIME, false, true },
	{ "ratime", MOUNT_ATTR_RELATIME, false, true },
};

static void rec_option(rf_mount *m, size_t i)
{
	uint64_t a = rec_options[i].attr;

	if (rec_options[i].atime) {
		m->rec_set = (m->rec_set & ~(uint64_t)MOUNT_ATTR__ATIME) | a;
		m->rec_clear |= MOUNT_ATTR__ATIME;
	} else if (rec_options[i].clear) {
		m->rec_clear |= a;
		m->rec_set &= ~a;
	} else {
		m->rec_set |= a;
		m->rec_clear &= ~a;
	}
}

/* Options a bundle may carry that change nothing here, or are refused. */
static int other_option(pf_ctx *c, const char *path, const char *o, rf_mount *m,
			bool *bind, char *data, size_t *used)
{
	size_t n;

	if (!strcmp(o, "bind") || !strcmp(o, "rbind")) {
		*bind = true;
		m->single = o[0] == 'b';
		return 0;
	}
	if (!strcmp(o, "remount"))
		return pf_fail(c, path, "`remount` changes an existing mount; a bundle's mounts "
			       "are new ones");
	if (!strcmp(o, "idmap") || !strcmp(o, "ridmap"))
		return pf_fail(c, path, "`%s`: id-mapped mounts are not implemented", o);
	if (!strcmp(o, "tmpcopyup") || !strncmp(o, "x-", 2))
		return pf_ignore(c, path, "%s", o);   /* crun's copy-up; mount(8)'s user options */
	/* Anything else is the filesystem's, handed to mount(2) as data. */
	n = strlen(o);
	if (!n || strchr(o, ','))
		return pf_fail(c, path, "`%.64s` is not one mount option", o);
	if (*used + n + 1 > DATA_MAX)
		return pf_fail(c, path, "the filesystem options exceed %d bytes", DATA_MAX);
	*used += (size_t)snprintf(data + *used, DATA_MAX + 1 - *used, "%s%s", *used ? "," : "", o);
	return 0;
}

static int one_option(pf_ctx *c, const char *path, const char *o, rf_mount *m, bool *bind,
		      char *data, size_t *used)
{
	const pf_name *prop;

	for (size_t i = 0; i < RF_ARRAY_SIZE(flag_options); i++) {
		if (strcmp(o, flag_options[i].name))
			continue;
		if (flag_options[i].clear) {
			m->flags &= ~flag_options[i].flag;
			m->cleared |= flag_options[i].flag;
		} else {
			m->flags |= flag_options[i].flag;
			m->cleared &= ~flag_options[i].flag;
		}
		return 0;
	}
	if ((prop = pf_name_find(pf_propagations, pf_n_propagations, o))) {
		m->propagation = (unsigned long)prop->value;
		return 0;
	}
	for (size_t i = 0; i < RF_ARRAY_SIZE(rec_options); i++)
		if (!strcmp(o, rec_options[i].name)) {
			rec_option(m, i);
			return 0;
		}
	return other_option(c, path, o, m, bind, data, used);
}

/* A bind source: relative to the bundle, existing now, kept canonical. */
static int bind_source(pf_ctx *c, const char *path, const rf_json *v, char **out)
{
	if (!v)
		return pf_fail(c, path, "required for a bind mount");
	return pf_bundle_path(c, path, v, out);
}

static int bundle_mount(pf_ctx *c, const char *path, const rf_json *v, const char *dst,
			const char *type)
{
	const rf_json *opts = pf_get(v, "options");
	rf_mount m = { .oci = true };
	char sub[PF_PATH_MAX], data[DATA_MAX + 1] = "";
	size_t used = 0;
	bool bind = type && !strcmp(type, "bind");
	const char *src;

	pf_key_path(sub, path, "options");
	if (opts && pf_expect(c, sub, opts, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; opts && i < rf_json_array_len(opts); i++) {
		char osub[PF_PATH_MAX];
		const char *o;

		pf_index_path(osub, sub, i);
		if (pf_string(c, osub, rf_json_array_at(opts, i), &o) < 0 ||
		    one_option(c, osub, o, &m, &bind, data, &used) < 0)
			return -1;
	}
	if (!bind && !type)
		return pf_fail(c, path, "give a type (e.g. \"tmpfs\", \"proc\") or a bind option");
	if (rf_mount_normalize_dst(dst, &m.dst, c->err) < 0)
		return rf_error_prefix(c->err, "%s", pf_key_path(sub, path, "destination"));
	pf_key_path(sub, path, "source");
	if (bind) {
		m.kind = RF_MOUNT_BIND;
		if (used && pf_ignore(c, pf_key_path(sub, path, "options"), "%s: not bind options",
				      data) < 0) {
			rf_mount_clear(&m);
			return -1;
		}
		if (bind_source(c, sub, pf_get(v, "source"), &m.src) < 0) {
			rf_mount_clear(&m);
			return -1;
		}
		return add_mount(c, path, &m);
	}
	m.kind = RF_MOUNT_FS;
	/* cgroup v1 does not exist here: runc and crun mount cgroup2 for either. */
	if (!strcmp(type, "cgroup"))
		type = "cgroup2";
	src = pf_get(v, "source") ? rf_json_str(pf_get(v, "source")) : NULL;
	if (pf_get(v, "source") && !src) {
		rf_mount_clear(&m);
		return pf_type_error(c, sub, pf_get(v, "source"), "string");
	}
	m.fstype = strdup(type);
	m.src = strdup(src && *src ? src : type);
	m.data = used ? strdup(data) : NULL;
	if (!m.fstype || !m.src || (used && !m.data)) {
		rf_mount_clear(&m);
		return rf_error_set(c->err, ENOMEM, "%s", path);
	}
	return add_mount(c, path, &m);
}

/* ================================================================ the array */

static int one_mount(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = {
		{ "destination", NULL }, { "type", NULL }, { "source", NULL }, { "options", NULL },
		{ "uidMappings", NULL }, { "gidMappings", NULL },
	};
	const rf_json *dst_j = pf_get(v, "destination"), *type_j = pf_get(v, "type");
	const char *dst, *type = NULL;
	char sub[PF_PATH_MAX];

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	if (pf_get(v, "uidMappings") || pf_get(v, "gidMappings"))
		return pf_fail(c, path, "id-mapped mounts (uidMappings, gidMappings) are not "
			       "implemented");
	pf_key_path(sub, path, "destination");
	if (!dst_j)
		return pf_fail(c, sub, "required");
	if (pf_abspath(c, sub, dst_j, &dst) < 0)
		return -1;
	if (type_j && pf_string(c, pf_key_path(sub, path, "type"), type_j, &type) < 0)
		return -1;
	if (type && (!*type || strlen(type) > 64 || strchr(type, '/')))
		return pf_fail(c, pf_key_path(sub, path, "type"), "`%.64s` is not a filesystem type",
			       type);
	return c->bundle ? bundle_mount(c, path, v, dst, type) : profile_mount(c, path, v, dst, type);
}

int pf_oci_mounts(pf_ctx *c, const char *path, const rf_json *v)
{
	char standard[128] = "";
	size_t used = 0;

	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		const char *dst = rf_json_str(pf_get(rf_json_array_at(v, i), "destination"));
		char sub[PF_PATH_MAX];

		if (one_mount(c, pf_index_path(sub, path, i), rf_json_array_at(v, i)) < 0)
			return -1;
		if (!c->bundle && dst && is_standard_mount(dst) && used < sizeof(standard))
			used += (size_t)snprintf(standard + used, sizeof(standard) - used, " %s", dst);
	}
	/* One entry for the mounts every `crun spec` has, not seven. */
	if (used)
		return pf_ignore(c, "mounts", "%s: ringfence keeps the host's; with a pid "
				 "namespace it mounts a fresh /proc", standard + 1);
	return 0;
}

/* ================================================================ back to options */

void pf_mount_options(const rf_mount *m, void (*emit)(void *arg, const char *opt), void *arg)
{
	char *data, *save = NULL;

	if (m->kind == RF_MOUNT_BIND || m->kind == RF_MOUNT_RO_BIND)
		emit(arg, m->single ? "bind" : "rbind");
	for (size_t i = 1; i < RF_ARRAY_SIZE(flag_options); i++) {
		const unsigned long f = flag_options[i].flag;

		if (flag_options[i].clear ? (m->cleared & f) != 0 : (m->flags & f) != 0)
			emit(arg, flag_options[i].name);
	}
	for (size_t i = 0; i < pf_n_propagations; i++)
		if (m->propagation && m->propagation == (unsigned long)pf_propagations[i].value)
			emit(arg, pf_propagations[i].name);
	for (size_t i = 0; i < RF_ARRAY_SIZE(rec_options); i++) {
		const uint64_t a = rec_options[i].attr;
		bool on;

		if (rec_options[i].atime)
			on = (m->rec_clear & MOUNT_ATTR__ATIME) && (m->rec_set & MOUNT_ATTR__ATIME) == a &&
			     strcmp(rec_options[i].name, "ratime");
		else
			on = rec_options[i].clear ? (m->rec_clear & a) != 0 : (m->rec_set & a) != 0;
		if (on)
			emit(arg, rec_options[i].name);
	}
	if (!m->data || !(data = strdup(m->data)))
		return;
	for (char *o = strtok_r(data, ",", &save); o; o = strtok_r(NULL, ",", &save))
		emit(arg, o);
	free(data);
}
