/* The OCI `linux` object: namespaces (created or joined), id maps, devices,
 * cgroupsPath, sysctl, masked and read-only paths, rootfsPropagation,
 * memoryPolicy and seccomp, onto the plan; linux.resources is in
 * profile-resources.c. Profiles and bundles read these keys the same way;
 * those that only mean something with a container root (devices) are
 * checked against it when the plan is finalised. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mempolicy.h>
#include <linux/nsfs.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringfence/cgroup.h"
#include "ringfence/cgroup-manager.h"
#include "ringfence/cleanup.h"
#include "ringfence/isolation.h"
#include "ringfence/parse.h"
#include "ringfence/seccomp.h"
#include "profile-internal.h"

/* ================================================================ namespaces */

const pf_name pf_namespaces[] = {
	{ "pid", CLONE_NEWPID },
	{ "network", CLONE_NEWNET },
	{ "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },
	{ "cgroup", CLONE_NEWCGROUP },
	{ "user", CLONE_NEWUSER },
};
const size_t pf_n_namespaces = RF_ARRAY_SIZE(pf_namespaces);

/* An existing namespace of the type asked for: checked now, so a wrong path
 * is bad input (125) rather than a failure inside the child. */
static int join_namespace(pf_ctx *c, const char *path, int flag, const rf_json *v)
{
	rf_isolation *iso = &c->plan->iso;
	cleanup_close int fd = -1;
	rf_nsjoin *grown;
	const char *ns;
	char *copy;
	int type;

	if (pf_string(c, path, v, &ns) < 0)
		return -1;
	if (ns[0] != '/')
		return pf_fail(c, path, "`%.128s` is not an absolute path", ns);
	/* Ours to join only with privilege over it: the caller's user namespace
	 * (a user namespace joined first) is not implemented. */
	if (flag == CLONE_NEWUSER)
		return pf_fail(c, path, "joining an existing user namespace is not implemented");
	fd = open(ns, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pf_fail_errno(c, errno, path, "open `%.128s`", ns);
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0)
		return pf_fail_errno(c, errno == ENOTTY ? 0 : errno, path,
				     "`%.128s` is not a namespace file", ns);
	if (type != flag)
		return pf_fail(c, path, "`%.128s` is not a namespace of this type", ns);
	grown = realloc(iso->joins, (iso->n_joins + 1) * sizeof(*grown));
	copy = strdup(ns);
	if (!grown || !copy) {
		free(copy);
		if (grown)
			iso->joins = grown;
		return rf_error_set(c->err, ENOMEM, "%s", path);
	}
	iso->joins = grown;
	iso->joins[iso->n_joins++] = (rf_nsjoin){ .flag = flag, .path = copy };
	return 0;
}

static int one_namespace(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = { { "type", NULL }, { "path", NULL } };
	rf_isolation *iso = &c->plan->iso;
	char sub[PF_PATH_MAX];
	const pf_name *ns;
	const char *type;

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	pf_key_path(sub, path, "type");
	if (!pf_get(v, "type"))
		return pf_fail(c, sub, "required");
	if (pf_string(c, sub, pf_get(v, "type"), &type) < 0)
		return -1;
	if (!strcmp(type, "time"))
		return pf_ignore(c, path, "time namespace");
	if (!(ns = pf_name_find(pf_namespaces, pf_n_namespaces, type)))
		return pf_fail(c, sub, "unknown namespace `%.32s` (expected pid, network, mount, ipc, "
			       "uts, cgroup, user or time)", type);
	if ((iso->ns_flags | rf_ns_joined_flags(iso)) & ns->value)
		return pf_fail(c, sub, "%s given twice", type);
	if (pf_get(v, "path"))
		return join_namespace(c, pf_key_path(sub, path, "path"), ns->value, pf_get(v, "path"));
	iso->ns_flags |= ns->value;
	return 0;
}

static int l_namespaces(pf_ctx *c, const char *path, const rf_json *v)
{
	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		char sub[PF_PATH_MAX];

		if (one_namespace(c, pf_index_path(sub, path, i), rf_json_array_at(v, i)) < 0)
			return -1;
	}
	return 0;
}

/* ================================================================ id maps */

static int one_idmap(pf_ctx *c, const char *path, const rf_json *v, rf_idmap *out)
{
	static const pf_member keys[] = {
		{ "containerID", NULL }, { "hostID", NULL }, { "size", NULL },
	};
	static const char *const names[] = { "containerID", "hostID", "size" };
	uint64_t val[3];

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		char sub[PF_PATH_MAX];
		const rf_json *n = pf_get(v, names[i]);

		pf_key_path(sub, path, names[i]);
		if (!n)
			return pf_fail(c, sub, "required");
		if (pf_u64(c, sub, n, i == 2 ? 1 : 0, i == 2 ? UINT32_MAX : UINT32_MAX - 1,
			   &val[i]) < 0)
			return -1;
	}
	/* The kernel refuses a range that wraps around either id space. */
	if (val[0] + val[2] - 1 > UINT32_MAX - 1 || val[1] + val[2] - 1 > UINT32_MAX - 1)
		return pf_fail(c, path, "the range runs past the largest id");
	*out = (rf_idmap){ (uint32_t)val[0], (uint32_t)val[1], (uint32_t)val[2] };
	return 0;
}

/* The kernel takes at most 340 lines per map (5 before Linux 4.15). */
#define IDMAP_MAX 340

static int idmaps(pf_ctx *c, const char *path, const rf_json *v, rf_idmap **maps, size_t *n)
{
	size_t len = rf_json_array_len(v);
	cleanup_free rf_idmap *out = NULL;

	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	if (len > IDMAP_MAX)
		return pf_fail(c, path, "more than %d ranges", IDMAP_MAX);
	out = calloc(len ? len : 1, sizeof(*out));
	if (!out)
		return rf_error_set(c->err, ENOMEM, "%s", path);
	for (size_t i = 0; i < len; i++) {
		char sub[PF_PATH_MAX];

		if (one_idmap(c, pf_index_path(sub, path, i), rf_json_array_at(v, i), &out[i]) < 0)
			return -1;
	}
	free(*maps);
	*maps = steal_pointer(&out);
	*n = len;
	return 0;
}

static int l_uid_maps(pf_ctx *c, const char *path, const rf_json *v)
{
	return idmaps(c, path, v, &c->plan->iso.uid_maps, &c->plan->iso.n_uid_maps);
}

static int l_gid_maps(pf_ctx *c, const char *path, const rf_json *v)
{
	return idmaps(c, path, v, &c->plan->iso.gid_maps, &c->plan->iso.n_gid_maps);
}

/* ================================================================ devices */

static int dev_type(pf_ctx *c, const char *path, const rf_json *v, char *type)
{
	const char *s;

	if (pf_string(c, path, v, &s) < 0)
		return -1;
	/* "u" is an unbuffered character device: the same node to mknod. */
	if (!strcmp(s, "c") || !strcmp(s, "u") || !strcmp(s, "b") || !strcmp(s, "p")) {
		*type = s[0] == 'u' ? 'c' : s[0];
		return 0;
	}
	return pf_fail(c, path, "`%.16s` is not a device type (expected c, b, u or p)", s);
}

static int one_device(pf_ctx *c, const char *path, const rf_json *v, rf_device *d)
{
	static const pf_member keys[] = {
		{ "path", NULL }, { "type", NULL }, { "major", NULL }, { "minor", NULL },
		{ "fileMode", NULL }, { "uid", NULL }, { "gid", NULL },
	};
	const rf_json *j;
	char sub[PF_PATH_MAX];
	const char *p;
	uint64_t n;

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	pf_key_path(sub, path, "path");
	if (!pf_get(v, "path"))
		return pf_fail(c, sub, "required");
	if (pf_abspath(c, sub, pf_get(v, "path"), &p) < 0)
		return -1;
	if (strncmp(p, "/dev/", 5) || !p[5])
		return pf_fail(c, sub, "`%.128s` is not below /dev", p);
	pf_key_path(sub, path, "type");
	if (!pf_get(v, "type"))
		return pf_fail(c, sub, "required");
	if (dev_type(c, sub, pf_get(v, "type"), &d->type) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "minor" : "major";

		pf_key_path(sub, path, name);
		j = pf_get(v, name);
		if (!j && d->type != 'p')
			return pf_fail(c, sub, "required for a %s device",
				       d->type == 'b' ? "block" : "character");
		/* The kernel's dev_t: 12 bits of major, 20 of minor. */
		if (j && pf_u64(c, sub, j, 0, i ? 0xfffff : 0xfff, &n) < 0)
			return -1;
		if (j)
			*(i ? &d->minor : &d->major) = (uint32_t)n;
	}
	if ((j = pf_get(v, "fileMode"))) {
		if (pf_u64(c, pf_key_path(sub, path, "fileMode"), j, 0, 07777, &n) < 0)
			return -1;
		d->mode = (unsigned)n;
	}
	if ((j = pf_get(v, "uid")) &&
	    pf_u64(c, pf_key_path(sub, path, "uid"), j, 0, UINT32_MAX - 1, &n) == 0)
		d->uid = (uint32_t)n;
	else if (j)
		return -1;
	if ((j = pf_get(v, "gid")) &&
	    pf_u64(c, pf_key_path(sub, path, "gid"), j, 0, UINT32_MAX - 1, &n) == 0)
		d->gid = (uint32_t)n;
	else if (j)
		return -1;
	d->path = strdup(p);
	return d->path ? 0 : rf_error_set(c->err, ENOMEM, "%s", path);
}

static int l_devices(pf_ctx *c, const char *path, const rf_json *v)
{
	rf_isolation *iso = &c->plan->iso;

	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		char sub[PF_PATH_MAX];
		rf_device d = { 0 }, *grown;

		if (one_device(c, pf_index_path(sub, path, i), rf_json_array_at(v, i), &d) < 0) {
			free(d.path);
			return -1;
		}
		grown = realloc(iso->devices, (iso->n_devices + 1) * sizeof(*grown));
		if (!grown) {
			free(d.path);
			return rf_error_set(c->err, ENOMEM, "%s", sub);
		}
		iso->devices = grown;
		iso->devices[iso->n_devices++] = d;
	}
	return 0;
}

/* ================================================================ paths, sysctl */

static int path_list(pf_ctx *c, const char *path, const rf_json *v, char ***out)
{
	char **list;

	if (pf_string_list(c, path, v, true, &list) < 0)
		return -1;
	rf_strv_free(*out);
	*out = list;
	return 0;
}

static int l_masked(pf_ctx *c, const char *path, const rf_json *v)
{
	return path_list(c, path, v, &c->plan->iso.masked_paths);
}

static int l_readonly(pf_ctx *c, const char *path, const rf_json *v)
{
	return path_list(c, path, v, &c->plan->iso.readonly_paths);
}

/* "net.ipv4.ip_forward" or "net/ipv4/ip_forward": a name under /proc/sys. */
static bool sysctl_name(const char *s)
{
	if (!*s || *s == '.' || *s == '/' || strstr(s, ".."))
		return false;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && !strchr("._-/", *s))
			return false;
	return true;
}

static int l_sysctl(pf_ctx *c, const char *path, const rf_json *v)
{
	rf_isolation *iso = &c->plan->iso;

	if (pf_expect(c, path, v, RF_JSON_OBJECT) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_object_len(v); i++) {
		const char *key = rf_json_object_key(v, i), *value;
		char sub[PF_PATH_MAX];
		rf_kv *grown;

		pf_key_path(sub, path, key);
		if (!sysctl_name(key))
			return pf_fail(c, sub, "not a sysctl name (e.g. net.ipv4.ip_forward)");
		if (pf_string(c, sub, rf_json_object_value(v, i), &value) < 0)
			return -1;
		grown = realloc(iso->sysctl, (iso->n_sysctl + 1) * sizeof(*grown));
		if (!grown)
			return rf_error_set(c->err, ENOMEM, "%s", sub);
		iso->sysctl = grown;
		grown[iso->n_sysctl].key = strdup(key);
		grown[iso->n_sysctl].value = strdup(value);
		if (!grown[iso->n_sysctl].key || !grown[iso->n_sysctl].value) {
			free(grown[iso->n_sysctl].key);
			free(grown[iso->n_sysctl].value);
			return rf_error_set(c->err, ENOMEM, "%s", sub);
		}
		iso->n_sysctl++;
	}
	return 0;
}

/* ================================================================ cgroupsPath, propagation */

/* The OCI runtime's --systemd-cgroup (set as the plan's manager before the
 * bundle is read): "slice:prefix:name", the scope (cgroup-manager.h), with
 * the leaf `container` in it, as crun names its sub-cgroup. */
static int systemd_cgroups_path(pf_ctx *c, const char *path, const char *s)
{
	char slice[256], unit[256];

	if (cg_systemd_cgroups_path(s, "", slice, sizeof(slice), unit, sizeof(unit), c->err) < 0)
		return rf_error_prefix(c->err, "%s", path);
	if (pf_set_str(c, &c->plan->slice, slice) < 0 || pf_set_str(c, &c->plan->unit, unit) < 0)
		return -1;
	return pf_set_str(c, &c->plan->name, "container");
}

/* An absolute path is below the cgroup2 root; a relative one below the
 * parent ringfence would choose without it (cgroup-manager.h: the placement
 * rule), so that it stays inside any limit that binds the caller. (runc puts
 * it beside its own cgroup, crun below the root: both can leave that limit.)
 * The last component is the leaf, the rest its parent (created when
 * missing). Nothing is read here: the parent is chosen when the run acts. */
static int l_cgroups_path(pf_ctx *c, const char *path, const rf_json *v)
{
	rf_plan *plan = c->plan;
	char full[PATH_MAX];
	const char *s, *leaf;
	char *slash;

	if (pf_string(c, path, v, &s) < 0)
		return -1;
	if (!*s)
		return 0;   /* empty: the runtime chooses */
	if (plan->cgroup_manager == RF_CGROUP_MANAGER_SYSTEMD)
		return systemd_cgroups_path(c, path, s);
	if (strstr(s, "..") || strstr(s, "//") || !strcmp(s, ".") || !strncmp(s, "./", 2) ||
	    strstr(s, "/./"))
		return pf_fail(c, path, "`%.128s`: expected a cgroup path without `..` or `.`", s);
	if (snprintf(full, sizeof(full), "%s", s) >= (int)sizeof(full))
		return pf_fail(c, path, "too long");
	while (strlen(full) > 1 && full[strlen(full) - 1] == '/')
		full[strlen(full) - 1] = '\0';
	slash = strrchr(full, '/');
	leaf = slash ? slash + 1 : full;
	if (!*leaf || strlen(leaf) > 200 || leaf[0] == '.')
		return pf_fail(c, path, "`%.128s`: the last component names the leaf", s);
	if (pf_set_str(c, &plan->name, leaf) < 0)
		return -1;
	free(plan->cgroup_parent);
	free(plan->cgroup_below);
	plan->cgroup_parent = plan->cgroup_below = NULL;
	if (full[0] == '/') {
		full[slash == full ? 1 : (size_t)(slash - full)] = '\0';
		return pf_set_str(c, &plan->cgroup_parent, full);
	}
	if (!slash)
		return 0;
	*slash = '\0';
	return pf_set_str(c, &plan->cgroup_below, full);
}

static int l_propagation(pf_ctx *c, const char *path, const rf_json *v)
{
	const pf_name *found;
	const char *s;

	if (pf_string(c, path, v, &s) < 0)
		return -1;
	if ((found = pf_name_find(pf_propagations, pf_n_propagations, s))) {
		c->plan->iso.root_propagation = (unsigned long)found->value;
		return 0;
	}
	return pf_fail(c, path, "`%.32s`: expected private, rprivate, slave, rslave, shared, "
		       "rshared, unbindable or runbindable", s);
}

/* ================================================================ memoryPolicy, seccomp */

const pf_name pf_mpol_modes[] = {
	{ "MPOL_DEFAULT", RF_MPOL_NONE },
	{ "MPOL_BIND", RF_MPOL_BIND },
	{ "MPOL_PREFERRED", RF_MPOL_PREFERRED },
	{ "MPOL_INTERLEAVE", RF_MPOL_INTERLEAVE },
	{ "MPOL_LOCAL", RF_MPOL_LOCAL },
};
const size_t pf_n_mpol_modes = RF_ARRAY_SIZE(pf_mpol_modes);

const pf_name pf_mpol_flags[] = {
	{ "MPOL_F_STATIC_NODES", MPOL_F_STATIC_NODES },
	{ "MPOL_F_RELATIVE_NODES", MPOL_F_RELATIVE_NODES },
};
const size_t pf_n_mpol_flags = RF_ARRAY_SIZE(pf_mpol_flags);

static int mpol_flags(pf_ctx *c, const char *path, const rf_json *v, unsigned *flags)
{
	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		char sub[PF_PATH_MAX];
		const pf_name *f;
		const char *s;

		if (pf_string(c, pf_index_path(sub, path, i), rf_json_array_at(v, i), &s) < 0)
			return -1;
		if (!(f = pf_name_find(pf_mpol_flags, pf_n_mpol_flags, s)))
			return pf_fail(c, sub, "unknown flag `%.32s` (expected MPOL_F_STATIC_NODES or "
				       "MPOL_F_RELATIVE_NODES)", s);
		*flags |= (unsigned)f->value;
	}
	/* The kernel takes one or the other: they are two readings of the mask. */
	if ((*flags & MPOL_F_STATIC_NODES) && (*flags & MPOL_F_RELATIVE_NODES))
		return pf_fail(c, path, "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude "
			       "each other");
	return 0;
}

static int l_memory_policy(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = { { "mode", NULL }, { "nodes", NULL }, { "flags", NULL } };
	const rf_json *nodes_j = pf_get(v, "nodes"), *flags_j = pf_get(v, "flags");
	rf_mempolicy mp = { 0 };
	char sub[PF_PATH_MAX];
	const char *mode, *nodes;
	const pf_name *m;

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	pf_key_path(sub, path, "mode");
	if (!pf_get(v, "mode"))
		return pf_fail(c, sub, "required (e.g. \"MPOL_BIND\")");
	if (pf_string(c, sub, pf_get(v, "mode"), &mode) < 0)
		return -1;
	if (!(m = pf_name_find(pf_mpol_modes, pf_n_mpol_modes, mode)))
		return pf_fail(c, sub, "`%.32s` is not supported (expected MPOL_DEFAULT, MPOL_BIND, "
			       "MPOL_PREFERRED, MPOL_INTERLEAVE or MPOL_LOCAL)", mode);
	mp.mode = (rf_mpol_mode)m->value;
	pf_key_path(sub, path, "nodes");
	if (nodes_j) {
		if (pf_string(c, sub, nodes_j, &nodes) < 0)
			return -1;
		if (*nodes && rf_parse_idlist(nodes, &mp.nodes, c->err) < 0)
			return rf_error_prefix(c->err, "%s", sub);
	}
	if (flags_j && mpol_flags(c, pf_key_path(sub, path, "flags"), flags_j, &mp.flags) < 0)
		return -1;
	pf_key_path(sub, path, "nodes");
	switch (mp.mode) {
	case RF_MPOL_NONE:
	case RF_MPOL_LOCAL:
		if (!rf_idset_empty(&mp.nodes) || mp.flags)
			return pf_fail(c, sub, "%s takes no nodes or flags", mode);
		break;
	case RF_MPOL_PREFERRED:
	case RF_MPOL_BIND:
	case RF_MPOL_INTERLEAVE:
		if (rf_idset_empty(&mp.nodes))
			return pf_fail(c, sub, "%s needs nodes (e.g. \"0\" or \"0-1\")", mode);
		break;
	}
	c->plan->proc.mempolicy = mp;
	return 0;
}

/* The execution domain the command runs in (personality(2)): LINUX32
 * makes `uname -m` say i686, for 32-bit userlands, as `setarch` does. The
 * spec's flags name no values; crun ignores them too, so they are warned. */
static int l_personality(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = { { "domain", NULL }, { "flags", NULL } };
	const rf_json *flags = pf_get(v, "flags");
	char sub[PF_PATH_MAX];
	const char *domain;

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	pf_key_path(sub, path, "domain");
	if (!pf_get(v, "domain"))
		return pf_fail(c, sub, "required (LINUX or LINUX32)");
	if (pf_string(c, sub, pf_get(v, "domain"), &domain) < 0)
		return -1;
	if (strcmp(domain, "LINUX") && strcmp(domain, "LINUX32"))
		return pf_fail(c, sub, "`%.32s` is not a domain (expected LINUX or LINUX32)", domain);
	pf_key_path(sub, path, "flags");
	if (flags && pf_expect(c, sub, flags, RF_JSON_ARRAY) < 0)
		return -1;
	if (flags && rf_json_array_len(flags) && pf_ignore(c, sub, NULL) < 0)
		return -1;
	c->plan->proc.persona.set = true;
	c->plan->proc.persona.v = strcmp(domain, "LINUX32") ? PER_LINUX : PER_LINUX32;
	return 0;
}

static int l_seccomp(pf_ctx *c, const char *path, const rf_json *v)
{
	rf_process *p = &c->plan->proc;
	struct rf_seccomp *sc = NULL;
	char *text = NULL;
	size_t len;

	if (pf_expect(c, path, v, RF_JSON_OBJECT) < 0)
		return -1;
	if (rf_seccomp_compile(v, path, c->diag, &sc, c->err) < 0)
		return -1;
	if (pf_json_text(v, &text, &len, c->err) < 0) {
		rf_seccomp_free(sc);
		return -1;
	}
	rf_seccomp_free(p->seccomp);
	free(p->seccomp_path);
	free(p->seccomp_json);
	p->seccomp_path = NULL;
	p->seccomp = sc;
	p->seccomp_json = text;
	p->seccomp_mode = RF_SECCOMP_INLINE;
	return 0;
}


int pf_oci_linux(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = {
		{ "namespaces", l_namespaces },
		{ "uidMappings", l_uid_maps },
		{ "gidMappings", l_gid_maps },
		{ "devices", l_devices },
		{ "cgroupsPath", l_cgroups_path },
		{ "resources", pf_oci_resources },
		{ "rootfsPropagation", l_propagation },
		{ "sysctl", l_sysctl },
		{ "maskedPaths", l_masked },
		{ "readonlyPaths", l_readonly },
		{ "memoryPolicy", l_memory_policy },
		{ "seccomp", l_seccomp },
		{ "personality", l_personality },
	};

	return pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys));
}
