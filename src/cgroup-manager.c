/* The cgroup manager interface (include/ringfence/cgroup-manager.h): which
 * manager a request gets, and the steps every manager shares: the leaf under
 * the prepared parent, and the release. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ringfence/cgroup-manager.h"
#include "ringfence/cleanup.h"
#include "cgroup-internal.h"

void cg_placement_init(cg_placement *p)
{
	memset(p, 0, sizeof(*p));
}

const cg_manager *cg_manager_choose(const cg_request *req, const cg_chain *chain, char *why,
				    size_t len)
{
	char found[512];

	if (req->manager == RF_CGROUP_MANAGER_CGROUPFS || req->parent) {
		snprintf(why, len, "%s", req->parent ? "--cgroup-parent" : "asked for");
		return &cg_manager_cgroupfs;
	}
	if (req->manager == RF_CGROUP_MANAGER_SYSTEMD || req->slice || req->scope) {
		snprintf(why, len, "%s", req->slice ? "--slice" : req->scope ? "--scope" : "asked for");
		return &cg_manager_systemd;
	}
	if (geteuid() == 0) {
		snprintf(why, len, "the default for root");
		return &cg_manager_cgroupfs;
	}
	if (chain->limited[0]) {
		snprintf(why, len, "the limit of cgroup `%.200s` (%s) binds you", chain->limited,
			 chain->limit);
		return &cg_manager_cgroupfs;
	}
	if (cg_self_is_own()) {
		snprintf(why, len, "your cgroup is delegated to you and holds only ringfence");
		return &cg_manager_cgroupfs;
	}
	if (cg_systemd_found(found, sizeof(found))) {
		snprintf(why, len, "%s", found);
		return &cg_manager_systemd;
	}
	snprintf(why, len, "%s", found);
	return &cg_manager_cgroupfs;
}

/* req->below under the parent place chose: each level made when missing and
 * given the controllers the leaf needs, as place did for the parent. These
 * levels stay, as a missing --cgroup-parent's do (and runc's). They are
 * below the parent, so the placement rule holds for them too. */
static int descend(const cg_request *req, cg_placement *p, rf_error *err)
{
	const char *s = req->below;

	while (*s) {
		char path[PATH_MAX];
		size_t n = strcspn(s, "/");
		cleanup_close int fd = -1;

		if (n && (size_t)snprintf(path, sizeof(path), "%s%s%.*s", p->parent,
					  strcmp(p->parent, "/") ? "/" : "", (int)n, s) >= sizeof(path))
			return rf_error_set(err, ENAMETOOLONG, "cgroup `%s/%s` is too long", p->parent,
					    req->below);
		if (n) {
			char full[PATH_MAX];

			memcpy(p->parent, path, sizeof(path));
			if (cg_join_path(full, sizeof(full), p->mount.path, p->parent, err) < 0)
				return -1;
			if (mkdir(full, 0755) < 0 && errno != EEXIST)
				return rf_error_set(err, errno, "create cgroup `%s`", full);
			fd = cg_open_dir(full, err);
			if (fd < 0)
				return -1;
			if (cg_subtree_enable(fd, full, req->need, NULL, err) < 0)
				return err->errnum == EBUSY
					? rf_error_set(err, EBUSY, "cgroup `%s` holds processes, so "
						       "it cannot give controllers to the leaf below "
						       "it (no internal processes)", p->parent)
					: -1;
		}
		s += n + (s[n] == '/');
	}
	return 0;
}

int cg_manager_place(const cg_request *req, cg_placement *p, const rf_diag *diag, rf_error *err)
{
	const cg_manager *mgr;
	char why[512];

	cg_placement_init(p);
	if (req->mount)
		p->mount = *req->mount;
	else if (cg_find_mount(&p->mount, err) < 0)
		return -1;
	if (cg_chain_read(&p->mount, &p->chain, err) < 0)
		return -1;
	mgr = cg_manager_choose(req, &p->chain, why, sizeof(why));
	rf_debug(diag, "cgroup manager: %s (%s)", mgr->name, why);
	if (mgr->place(req, p, diag, err) < 0) {
		/* Without a user manager the cgroupfs manager cannot get far for a
		 * non-root caller: say how to get one, too. */
		if (mgr == &cg_manager_cgroupfs && req->manager == RF_CGROUP_MANAGER_AUTO &&
		    !req->parent && geteuid() != 0 && (err->errnum == EACCES || err->errnum == EPERM)) {
			char msg[RF_ERROR_MSG_MAX];

			snprintf(msg, sizeof(msg), "%s", err->msg);
			snprintf(err->msg, sizeof(err->msg), "%.600s; and %.400s", msg, why);
		}
		cg_placement_init(p);
		return -1;
	}
	p->mgr = mgr;
	/* Only where ringfence chose: an explicit place is the caller's say. */
	if (req->manager == RF_CGROUP_MANAGER_AUTO && !req->parent && !req->slice && !req->scope &&
	    p->chain.unit_limited[0] && !cg_path_within(p->parent, p->chain.unit_limited))
		rf_warn(diag, "systemd unit cgroup `%s` limits this process (%s) but not the "
			"sandbox: ringfence makes no cgroup in a unit systemd did not delegate "
			"(ringfence(1), Where a sandbox goes, says how to keep the limit)",
			p->chain.unit_limited, p->chain.unit_limit);
	if (req->below && descend(req, p, err) < 0) {
		cg_manager_release(p);
		return -1;
	}
	return 0;
}

int cg_manager_make_leaf(const cg_placement *p, const char *name, const rf_limits *lim,
			 cg_leaf *leaf, const rf_diag *diag, rf_error *err)
{
	char path[PATH_MAX];
	cleanup_close int pfd = -1;

	/* One open file of the parent for the sweep's lock and the leaf's. */
	if (cg_join_path(path, sizeof(path), p->mount.path, p->parent, err) < 0)
		return -1;
	pfd = cg_open_dir(path, err);
	if (pfd < 0)
		return -1;
	cg_sweep_orphans(&p->mount, p->parent, pfd, diag);
	return cg_leaf_create(&p->mount, p->parent, &pfd, name, lim, leaf, err);
}

int cg_manager_detach(cg_placement *p, rf_error *err)
{
	return p->mgr && p->mgr->detach ? p->mgr->detach(p, err) : 0;
}

void cg_manager_release(cg_placement *p)
{
	if (p->mgr && p->mgr->release)
		p->mgr->release(p);
	cg_placement_init(p);
}
