/* The filesystem and namespace parts of `profile show` (profile-dump.c has
 * the rest): root, mounts, linux.namespaces and what a container root
 * brings (id maps, devices, cgroupsPath, sysctl, masked and read-only paths,
 * rootfsPropagation). Written so that reading the output back, as a
 * profile or (for a bundle's plan) as a bundle, gives the same plan. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ringfence/caps.h"
#include "ringfence/cleanup.h"
#include "ringfence/parse.h"
#include "profile-internal.h"

void pf_dump_cap_list(rf_json_writer *w, const char *key, uint64_t caps)
{
	rf_json_key(w, key);
	rf_json_begin_array(w);
	for (int cap = 0; cap < 64; cap++)
		if (caps & (UINT64_C(1) << cap))
			rf_json_string(w, rf_cap_name(cap));
	rf_json_end_array(w);
}

void pf_dump_cap_sets(rf_json_writer *w, const rf_process *p)
{
	static const char *const sets[RF_N_CAPSETS] = {
		[RF_CAPSET_BOUNDING] = "bounding", [RF_CAPSET_EFFECTIVE] = "effective",
		[RF_CAPSET_PERMITTED] = "permitted", [RF_CAPSET_INHERITABLE] = "inheritable",
		[RF_CAPSET_AMBIENT] = "ambient",
	};

	rf_json_key(w, "capabilities");
	rf_json_begin_object(w);
	for (int s = 0; s < RF_N_CAPSETS; s++) {
		uint64_t add = s == RF_CAPSET_INHERITABLE || s == RF_CAPSET_AMBIENT ? 0 : p->cap_add;

		pf_dump_cap_list(w, sets[s], (p->cap_sets[s] | add) & ~p->cap_drop);
	}
	rf_json_end_object(w);
}

void pf_dump_root(rf_json_writer *w, const rf_isolation *iso)
{
	if (!iso->rootfs && !iso->ro_root)
		return;
	rf_json_key(w, "root");
	rf_json_begin_object(w);
	if (iso->rootfs)
		pf_kv_string(w, "path", iso->rootfs);
	rf_json_key(w, "readonly");
	rf_json_bool(w, iso->ro_root);
	rf_json_end_object(w);
}

static void emit_option(void *arg, const char *opt)
{
	rf_json_string(arg, opt);
}

/* The command line's kinds, with the flags ringfence gives them. */
static void simple_options(rf_json_writer *w, const rf_mount *m)
{
	char buf[64], size[32];

	if (m->kind == RF_MOUNT_TMPFS) {
		rf_json_string(w, "nosuid");
		rf_json_string(w, "nodev");
		if (m->size) {
			snprintf(buf, sizeof(buf), "size=%s", rf_size_text(m->size, "max", size,
									 sizeof(size)));
			rf_json_string(w, buf);
		}
		if (m->mode) {
			snprintf(buf, sizeof(buf), "mode=%o", m->mode);
			rf_json_string(w, buf);
		}
		return;
	}
	/* ringfence's binds are always recursive */
	rf_json_string(w, "rbind");
	if (m->kind == RF_MOUNT_RO_BIND) {
		rf_json_string(w, "ro");
		rf_json_string(w, "nosuid");
		rf_json_string(w, "nodev");
	}
}

void pf_dump_mounts(rf_json_writer *w, const rf_isolation *iso)
{
	if (!iso->n_mounts)
		return;
	rf_json_key(w, "mounts");
	rf_json_begin_array(w);
	for (size_t i = 0; i < iso->n_mounts; i++) {
		const rf_mount *m = &iso->mounts[i];
		const char *type = m->kind == RF_MOUNT_FS ? m->fstype
				 : m->kind == RF_MOUNT_TMPFS ? "tmpfs" : "bind";

		rf_json_begin_object(w);
		pf_kv_string(w, "destination", m->dst);
		pf_kv_string(w, "type", type);
		pf_kv_string(w, "source", m->kind == RF_MOUNT_TMPFS ? "tmpfs" : m->src);
		rf_json_key(w, "options");
		rf_json_begin_array(w);
		if (m->oci)
			pf_mount_options(m, emit_option, w);
		else
			simple_options(w, m);
		rf_json_end_array(w);
		rf_json_end_object(w);
	}
	rf_json_end_array(w);
}

void pf_dump_namespaces(rf_json_writer *w, const rf_isolation *iso)
{
	if (!iso->ns_flags && !iso->n_joins)
		return;
	rf_json_key(w, "namespaces");
	rf_json_begin_array(w);
	for (size_t i = 0; i < pf_n_namespaces; i++) {
		if (!(iso->ns_flags & pf_namespaces[i].value))
			continue;
		rf_json_begin_object(w);
		pf_kv_string(w, "type", pf_namespaces[i].name);
		rf_json_end_object(w);
	}
	for (size_t j = 0; j < iso->n_joins; j++)
		for (size_t i = 0; i < pf_n_namespaces; i++) {
			if (iso->joins[j].flag != pf_namespaces[i].value)
				continue;
			rf_json_begin_object(w);
			pf_kv_string(w, "type", pf_namespaces[i].name);
			pf_kv_string(w, "path", iso->joins[j].path);
			rf_json_end_object(w);
		}
	rf_json_end_array(w);
}

static void dump_idmap(rf_json_writer *w, const char *key, const rf_idmap *m, size_t n)
{
	if (!n)
		return;
	rf_json_key(w, key);
	rf_json_begin_array(w);
	for (size_t i = 0; i < n; i++) {
		rf_json_begin_object(w);
		rf_json_key(w, "containerID");
		rf_json_uint(w, m[i].inside);
		rf_json_key(w, "hostID");
		rf_json_uint(w, m[i].outside);
		rf_json_key(w, "size");
		rf_json_uint(w, m[i].count);
		rf_json_end_object(w);
	}
	rf_json_end_array(w);
}

static void dump_devices(rf_json_writer *w, const rf_isolation *iso)
{
	if (!iso->n_devices)
		return;
	rf_json_key(w, "devices");
	rf_json_begin_array(w);
	for (size_t i = 0; i < iso->n_devices; i++) {
		const rf_device *d = &iso->devices[i];
		char type[2] = { d->type, '\0' };

		rf_json_begin_object(w);
		pf_kv_string(w, "path", d->path);
		pf_kv_string(w, "type", type);
		if (d->type != 'p') {
			rf_json_key(w, "major");
			rf_json_uint(w, d->major);
			rf_json_key(w, "minor");
			rf_json_uint(w, d->minor);
		}
		rf_json_key(w, "fileMode");
		rf_json_uint(w, d->mode ? d->mode : 0666);
		rf_json_key(w, "uid");
		rf_json_uint(w, d->uid);
		rf_json_key(w, "gid");
		rf_json_uint(w, d->gid);
		rf_json_end_object(w);
	}
	rf_json_end_array(w);
}

static void dump_paths(rf_json_writer *w, const char *key, char **list)
{
	if (!list)
		return;
	rf_json_key(w, key);
	rf_json_begin_array(w);
	for (char **p = list; *p; p++)
		rf_json_string(w, *p);
	rf_json_end_array(w);
}

void pf_dump_container(rf_json_writer *w, const rf_plan *plan)
{
	const rf_isolation *iso = &plan->iso;

	dump_idmap(w, "uidMappings", iso->uid_maps, iso->n_uid_maps);
	dump_idmap(w, "gidMappings", iso->gid_maps, iso->n_gid_maps);
	dump_devices(w, iso);
	/* The leaf, as linux.cgroupsPath set it (or --cgroup-parent and --name):
	 * relative when it goes under the default parent. */
	if (plan->name) {
		const char *parent = plan->cgroup_parent;
		char path[4096];

		snprintf(path, sizeof(path), "%s%s%s%s%s",
			 parent && strcmp(parent, "/") ? parent : "", parent ? "/" : "",
			 plan->cgroup_below ? plan->cgroup_below : "", plan->cgroup_below ? "/" : "",
			 plan->name);
		pf_kv_string(w, "cgroupsPath", path);
	}
	if (iso->n_sysctl) {
		rf_json_key(w, "sysctl");
		rf_json_begin_object(w);
		for (size_t i = 0; i < iso->n_sysctl; i++)
			pf_kv_string(w, iso->sysctl[i].key, iso->sysctl[i].value);
		rf_json_end_object(w);
	}
	dump_paths(w, "maskedPaths", iso->masked_paths);
	dump_paths(w, "readonlyPaths", iso->readonly_paths);
	for (size_t i = 0; iso->root_propagation && i < pf_n_propagations; i++)
		if (iso->root_propagation == (unsigned long)pf_propagations[i].value)
			pf_kv_string(w, "rootfsPropagation", pf_propagations[i].name);
}

void pf_dump_devrules(rf_json_writer *w, const rf_limits *l)
{
	if (!l->dev_rules_set)
		return;
	rf_json_key(w, "devices");
	rf_json_begin_array(w);
	for (size_t i = 0; i < l->n_dev_rules; i++) {
		const rf_devrule *r = &l->dev_rules[i];
		char type[2] = { r->type, '\0' }, access[4];
		size_t n = 0;

		if (r->access & RF_DEV_READ)
			access[n++] = 'r';
		if (r->access & RF_DEV_WRITE)
			access[n++] = 'w';
		if (r->access & RF_DEV_MKNOD)
			access[n++] = 'm';
		access[n] = '\0';
		rf_json_begin_object(w);
		rf_json_key(w, "allow");
		rf_json_bool(w, r->allow);
		pf_kv_string(w, "type", type);
		if (r->major >= 0) {
			rf_json_key(w, "major");
			rf_json_int(w, r->major);
		}
		if (r->minor >= 0) {
			rf_json_key(w, "minor");
			rf_json_int(w, r->minor);
		}
		pf_kv_string(w, "access", access);
		rf_json_end_object(w);
	}
	rf_json_end_array(w);
}
