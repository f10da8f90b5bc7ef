/* What acts on a live container's cgroup without changing its life:
 * pause and resume (cgroup.freeze), ps (cgroup.procs) and update (its
 * limits). The lifecycle itself is src/container-lifecycle.c. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "ringfence/cgroup.h"
#include "ringfence/container.h"
#include "container-internal.h"

/* ---- pause, resume, ps ------------------------------------------------- */

int rf_container_freeze(const char *root, const char *id, bool frozen, rf_error *err)
{
	rf_container c;
	cg_mount m;
	cg_leaf leaf;
	int r = -1;

	if (rf_container_open_live(root, id, true, &c, err) < 0)
		return -1;
	if (frozen ? c.status == RF_CSTATUS_CREATED : c.status != RF_CSTATUS_PAUSED) {
		rf_error_set(err, 0, "container \"%s\" is %s, not %s", id, rf_cstatus_name(c.status),
			     frozen ? "running" : "paused");
		goto out;
	}
	if (rf_container_leaf(&c, &m, &leaf, err) < 0)
		goto out;
	r = cg_leaf_freeze(&leaf, frozen, err);
	cg_leaf_close(&leaf);
out:
	rf_container_close(&c);
	return r;
}

int rf_container_pids(const char *root, const char *id, pid_t **out, size_t *n, rf_error *err)
{
	rf_container c;
	cg_mount m;
	cg_leaf leaf;
	int r = -1;

	*out = NULL;
	*n = 0;
	if (rf_container_open_made(root, id, false, &c, err) < 0)
		return -1;
	/* A stopped container's cgroup may still hold what its process left
	 * (a shared pid namespace), or be gone: none then, as runc's ps. */
	if (rf_container_leaf(&c, &m, &leaf, err) == 0) {
		r = cg_read_pids(leaf.dirfd, out, n, err);
		cg_leaf_close(&leaf);
	} else if (c.status == RF_CSTATUS_STOPPED && err->errnum == ENOENT) {
		r = 0;
	}
	rf_container_close(&c);
	return r;
}

/* ---- update ---------------------------------------------------------------- */

/* What the update leaves out of cpu.max is the leaf's: a quota alone keeps
 * its period, a period alone its quota, as runc's update keeps the rest of
 * a container's resources. A period of 0 was not given. */
static int merge_cpu_max(const cg_leaf *leaf, rf_limits *l, rf_error *err)
{
	char buf[64], *sp, *end;
	unsigned long long period, quota = 0;

	if (l->cpu_quota_us.set == (l->cpu_period_us != 0))
		return 0;   /* both given, or neither */
	if (cg_read(leaf->dirfd, "cpu.max", buf, sizeof(buf), err) < 0)
		return rf_error_prefix(err, "read the container's cpu.max");
	sp = strchr(buf, ' ');
	errno = 0;
	period = sp ? strtoull(sp + 1, &end, 10) : 0;
	if (sp && strncmp(buf, "max ", 4))
		quota = strtoull(buf, NULL, 10);
	if (!sp || errno || period == 0 || (*end && *end != '\n'))
		return rf_error_set(err, 0, "the container's cpu.max reads `%s`", buf);
	if (!l->cpu_quota_us.set)
		l->cpu_quota_us = (rf_opt_u64){ .set = true, .v = quota ? quota : RF_MAX };
	if (!l->cpu_period_us)
		l->cpu_period_us = period;
	return 0;
}

int rf_container_update(const char *root, const char *id, const rf_limits *lim, rf_error *err)
{
	rf_limits l = *lim;   /* its scalars merged with the leaf's; the lists shared */
	rf_container c;
	cg_mount m;
	cg_leaf leaf;
	int r = -1;

	if (rf_container_open_live(root, id, true, &c, err) < 0)
		return -1;
	if (rf_container_leaf(&c, &m, &leaf, err) == 0) {
		r = merge_cpu_max(&leaf, &l, err);
		if (r == 0)
			r = cg_leaf_update(&leaf, &l, err);
		cg_leaf_close(&leaf);
	}
	rf_container_close(&c);
	return r;
}
