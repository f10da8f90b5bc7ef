/* The cgroup manager interface (include/ringfence/cgroup-manager.h): which
 * manager a request gets, and the steps every manager shares: the leaf under
 * the prepared parent, and the release. */
#include "config.h"

#include <string.h>

#include "ringfence/cgroup-manager.h"
#include "cgroup-internal.h"

void cg_placement_init(cg_placement *p)
{
	memset(p, 0, sizeof(*p));
}

const cg_manager *cg_manager_choose(const cg_request *req)
{
	(void)req;
	return &cg_manager_cgroupfs;
}

int cg_manager_place(const cg_request *req, cg_placement *p, const rf_diag *diag, rf_error *err)
{
	const cg_manager *mgr = cg_manager_choose(req);

	cg_placement_init(p);
	if (mgr->place(req, p, diag, err) < 0) {
		cg_placement_init(p);
		return -1;
	}
	p->mgr = mgr;
	return 0;
}

int cg_manager_make_leaf(const cg_placement *p, const char *name, const rf_limits *lim,
			 cg_leaf *leaf, const rf_diag *diag, rf_error *err)
{
	cg_sweep_orphans(&p->mount, p->parent, diag);
	return cg_leaf_create(&p->mount, p->parent, name, lim, leaf, err);
}

void cg_manager_release(cg_placement *p)
{
	if (p->mgr && p->mgr->release)
		p->mgr->release(p);
	cg_placement_init(p);
}
