/* `ringfence check`: what `run` needs from this host, what the host offers,
 * and in one sentence why `run` cannot work when it cannot. Read-only: no
 * cgroup is created, no process is started (the clone3 probe fails inside the
 * kernel's argument copy, before anything is forked). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ringfence/cgroup.h"
#include "ringfence/check.h"
#include "ringfence/cleanup.h"
#include "ringfence/host.h"
#include "ringfence/numa.h"
#include "ringfence/parse.h"
#include "ringfence/verdict.h"
#include "cgroup-internal.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* struct clone_args up to `cgroup` (CLONE_ARGS_SIZE_VER2, Linux 5.7). */
struct probe_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

/* ---- cgroup v1 and /proc/cgroups ------------------------------------- */

/* v1 names for the CG_CTRL_* bits (io is "blkio" in v1). */
static const char *const v1_names[RF_CHECK_CONTROLLERS] = {
	"cpuset", "cpu", "blkio", "memory", "pids", "hugetlb",
};

static unsigned v1_bit(const char *name, size_t len)
{
	for (unsigned i = 0; i < RF_CHECK_CONTROLLERS; i++)
		if (strlen(v1_names[i]) == len && !strncmp(name, v1_names[i], len))
			return 1u << i;
	return 0;
}


/* Which controllers cgroup v1 hierarchies hold, and where. */
static int scan_v1(rf_check *r, rf_error *err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	if (!f)
		return rf_error_set(err, errno, "open `/proc/self/mountinfo`");
	while (getline(&line, &cap, f) > 0) {
		rf_mountinfo mi;
		char *save = NULL;

		if (rf_parse_mountinfo(line, &mi) < 0 || strcmp(mi.fstype, "cgroup"))
			continue;
		r->hybrid = true;
		for (char *o = strtok_r(mi.super_opts, ",", &save); o;
		     o = strtok_r(NULL, ",", &save)) {
			unsigned bit = v1_bit(o, strlen(o));

			if (!bit || (r->v1_controllers & bit))
				continue;
			r->v1_controllers |= bit;
			snprintf(r->v1_path[__builtin_ctz(bit)], PATH_MAX, "%s", mi.mount_point);
		}
	}
	return 0;
}

/* Controllers the kernel lacks or has disabled (cgroup_disable=...). */
static void scan_proc_cgroups(rf_check *r)
{
	cleanup_fclose FILE *f = fopen("/proc/cgroups", "re");
	cleanup_free char *line = NULL;
	unsigned enabled = 0;
	size_t cap = 0;

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *fields[4], *save = NULL;
		uint64_t on;
		int n = 0;

		if (line[0] == '#')
			continue;
		for (char *t = strtok_r(line, "\t\n", &save); t && n < 4; t = strtok_r(NULL, "\t\n", &save))
			fields[n++] = t;
		if (n == 4 && rf_parse_u64(fields[3], 0, 1, &on, NULL) == 0 && on)
			enabled |= v1_bit(fields[0], strlen(fields[0]));
	}
	r->disabled = ((1u << RF_CHECK_CONTROLLERS) - 1) & ~enabled;
}

/* ---- cgroup v2 ------------------------------------------------------- */

static int open_cgroup(const rf_check *r, const char *rel)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s%s", r->mount.path, strcmp(rel, "/") ? rel : "");

	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static bool read_controllers(int dirfd, unsigned *mask)
{
	char buf[512];

	if (dirfd < 0 || cg_read(dirfd, "cgroup.controllers", buf, sizeof(buf), NULL) < 0)
		return false;
	*mask = cg_parse_controllers(buf);
	return true;
}

/* Can our euid create a child cgroup here and enable controllers in it? */
static rf_tristate delegated(int dirfd)
{
	if (dirfd < 0)
		return RF_UNKNOWN;
	if (geteuid() == 0)
		return RF_YES;
	return faccessat(dirfd, ".", W_OK, AT_EACCESS) == 0 &&
	       faccessat(dirfd, "cgroup.subtree_control", W_OK, AT_EACCESS) == 0 &&
	       faccessat(dirfd, "cgroup.procs", W_OK, AT_EACCESS) == 0 ? RF_YES : RF_NO;
}

static void scan_placement(rf_check *r);

static void scan_v2(rf_check *r)
{
	cleanup_close int root = -1;
	cleanup_close int self = -1;
	rf_error e;

	r->cg2 = cg_find_mount(&r->mount, &e) == 0;
	if (!r->cg2)
		return;
	root = open_cgroup(r, "/");
	r->root_read = read_controllers(root, &r->root_controllers);
	if (cg_self(r->self, sizeof(r->self), &e) < 0) {
		r->self[0] = '\0';
		r->self_delegated = RF_UNKNOWN;
	} else {
		self = open_cgroup(r, r->self);
		if (!read_controllers(self, &r->self_controllers))
			r->self_controllers = 0;
		r->self_delegated = delegated(self);
	}
	scan_placement(r);
}

/* What a plain `run` would do: the manager cg_manager_choose picks, the limit
 * that binds us, where the leaf would go, the controllers it could get. */
static void scan_placement(rf_check *r)
{
	cg_request req = { .need = r->need };
	cg_placement *p = calloc(1, sizeof(*p));
	char buf[512];
	bool nested;
	int fd;

	cg_systemd_probe_host(&r->systemd);
	if (!p)
		return;
	p->mount = r->mount;
	if (cg_chain_read(&p->mount, &p->chain, NULL) == 0) {
		snprintf(r->limited, sizeof(r->limited), "%s", p->chain.limited);
		snprintf(r->limit, sizeof(r->limit), "%s", p->chain.limit);
		snprintf(r->unit_limited, sizeof(r->unit_limited), "%s", p->chain.unit_limited);
		snprintf(r->unit_limit, sizeof(r->unit_limit), "%s", p->chain.unit_limit);
	}
	snprintf(r->manager, sizeof(r->manager), "%s",
		 cg_manager_choose(&req, &p->chain, r->manager_why, sizeof(r->manager_why))->name);
	if (!strcmp(r->manager, "systemd")) {
		snprintf(r->parent, sizeof(r->parent), "%s", r->systemd.cgroup);
		r->parent_controllers = r->systemd.controllers;
	} else if (cg_cgroupfs_parent(&req, p, NULL, &nested, NULL) == 0) {
		snprintf(r->parent, sizeof(r->parent), "%s", p->parent);
		/* Root can give a leaf every controller the root offers. */
		r->parent_controllers = r->root_controllers;
		fd = geteuid() ? open_cgroup(r, p->parent) : -1;
		if (fd >= 0 && cg_read(fd, "cgroup.controllers", buf, sizeof(buf), NULL) >= 0)
			r->parent_controllers = cg_parse_controllers(buf);
		else if (geteuid())
			r->parent_controllers = 0;
		if (fd >= 0)
			close(fd);
	}
	free(p);
}

/* ---- kernel features --------------------------------------------------- */

/* "6.1.0-13-cloud-amd64" >= major.minor? -1 when the release is not X.Y... */
static int release_at_least(const char *rel, unsigned major, unsigned minor)
{
	char a[16], b[16];
	size_t n1 = strspn(rel, "0123456789"), n2;
	uint64_t ma, mi;

	if (!n1 || n1 >= sizeof(a) || rel[n1] != '.')
		return -1;
	n2 = strspn(rel + n1 + 1, "0123456789");
	if (!n2 || n2 >= sizeof(b))
		return -1;
	memcpy(a, rel, n1);
	a[n1] = '\0';
	memcpy(b, rel + n1 + 1, n2);
	b[n2] = '\0';
	if (rf_parse_u64(a, 0, 1000, &ma, NULL) < 0 || rf_parse_u64(b, 0, 1000, &mi, NULL) < 0)
		return -1;
	return ma > major || (ma == major && mi >= minor);
}

static void by_version(const rf_check *r, rf_check_feature *f, unsigned major, unsigned minor,
		       const char *why)
{
	int at = release_at_least(r->kernel, major, minor);

	if (at < 0) {
		f->state = RF_UNKNOWN;
		snprintf(f->how, sizeof(f->how), "%s, and kernel release `%.64s` is not X.Y",
			 why, r->kernel);
		return;
	}
	f->state = at ? RF_YES : RF_NO;
	snprintf(f->how, sizeof(f->how), "by version: Linux %.64s, added in %u.%u",
		 r->kernel, major, minor);
}

/* clone3 with a VER2-sized argument block and a bad set_tid pointer: a
 * kernel that knows CLONE_INTO_CGROUP (5.7+) reads the whole block and then
 * fails copying set_tid (EFAULT), before it validates flags or forks; 5.3-5.6
 * reject the unknown tail (E2BIG); older kernels or seccomp say ENOSYS/EPERM. */
static void probe_clone3(rf_check_feature *f)
{
	struct probe_clone_args args = {
		.flags = CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.set_tid = 1,            /* unmapped: the copy faults */
		.set_tid_size = 1,
		.cgroup = 1,
	};
	long r = syscall(SYS_clone3, &args, sizeof(args));
	int e = errno;

	if (r == 0)              /* impossible by construction; never continue as a child */
		_exit(127);
	if (r > 0) {
		f->state = RF_UNKNOWN;
		snprintf(f->how, sizeof(f->how), "the probe started a process");
		return;
	}
	f->state = e == EFAULT ? RF_YES : e == E2BIG || e == ENOSYS ? RF_NO : RF_UNKNOWN;
	if (e == EFAULT)
		snprintf(f->how, sizeof(f->how), "clone3 accepts a cgroup argument (Linux 5.7+)");
	else if (e == E2BIG)
		snprintf(f->how, sizeof(f->how), "clone3 has no cgroup argument (Linux 5.3-5.6)");
	else if (e == ENOSYS)
		snprintf(f->how, sizeof(f->how), "clone3 is missing or blocked by seccomp (ENOSYS)");
	else
		snprintf(f->how, sizeof(f->how), "clone3 probe failed: %s", strerror(e));
}

/* A cgroup below the root to look at files in: ours, else the default parent. */
static int probe_dir(const rf_check *r, unsigned need, char *where, size_t len)
{
	const char *cands[] = { r->self, r->parent };

	for (size_t i = 0; i < RF_ARRAY_SIZE(cands); i++) {
		unsigned have = 0;
		int fd;

		if (!cands[i][0] || !strcmp(cands[i], "/"))
			continue;
		fd = open_cgroup(r, cands[i]);
		if (fd < 0)
			continue;
		if (read_controllers(fd, &have) && (have & need) == need) {
			snprintf(where, len, "%s", cands[i]);
			return fd;
		}
		close(fd);
	}
	return -1;
}

static void probe_files(rf_check *r)
{
	char where[PATH_MAX];
	cleanup_close int any = -1;
	cleanup_close int mem = -1;
	char buf[8];
	uint64_t v;
	bool present;
	rf_error e;

	if (r->cg2)
		any = probe_dir(r, 0, where, sizeof(where));
	if (any >= 0) {
		/* Write-only: a read fails with EACCES/EINVAL when it exists. */
		r->cgroup_kill.state = cg_read(any, "cgroup.kill", buf, sizeof(buf), &e) < 0 &&
				       e.errnum == ENOENT ? RF_NO : RF_YES;
		snprintf(r->cgroup_kill.how, sizeof(r->cgroup_kill.how),
			 "looked for `cgroup.kill` in %.120s", where);
	} else {
		by_version(r, &r->cgroup_kill, 5, 14, "no cgroup below the root to look at");
	}
	if (r->cg2)
		mem = probe_dir(r, CG_CTRL_MEMORY, where, sizeof(where));
	if (mem < 0) {
		by_version(r, &r->memory_peak, 5, 19, "no cgroup with the memory controller to look at");
		by_version(r, &r->oom_group_kill, 5, 17,
			   "no cgroup with the memory controller to look at");
		return;
	}
	if (cg_read_u64(mem, "memory.peak", &v, &present, &e) < 0)
		r->memory_peak.state = RF_UNKNOWN;
	else
		r->memory_peak.state = present ? RF_YES : RF_NO;
	snprintf(r->memory_peak.how, sizeof(r->memory_peak.how),
		 "looked for `memory.peak` in %.120s", where);
	if (cg_read_keyed(mem, "memory.events", "oom_group_kill", &v, &present, &e) < 0)
		r->oom_group_kill.state = RF_UNKNOWN;
	else
		r->oom_group_kill.state = present ? RF_YES : RF_NO;
	snprintf(r->oom_group_kill.how, sizeof(r->oom_group_kill.how),
		 "looked for `oom_group_kill` in %.100s/memory.events", where);
}

/* ---- NUMA -------------------------------------------------------------- */

static void scan_numa(rf_check *r)
{
	rf_idset conf, usable;

	rf_numa_nodes(&conf, &usable);
	for (unsigned id = 0; id < RF_MAX_IDS && r->n_nodes < RF_CHECK_MAX_NODES; id++) {
		rf_check_node *n = &r->nodes[r->n_nodes];

		if (!rf_idset_has(&conf, id))
			continue;
		n->id = id;
		if (rf_numa_node_meminfo(id, &n->total, &n->free, NULL) < 0)
			n->total = n->free = 0;
		r->n_nodes++;
	}
}

/* ---- the verdict -------------------------------------------------------- */

const char *rf_check_overcommit_text(int v)
{
	switch (v) {
	case 0: return "heuristic: obviously excessive allocations fail, the rest succeed";
	case 1: return "always: allocations never fail, memory runs out when pages are touched";
	case 2: return "strict: allocations fail once Committed_AS would pass CommitLimit";
	default: return "unknown";
	}
}

const char *rf_check_panic_text(int v)
{
	switch (v) {
	case 0: return "an OOM kills a process and the host keeps running";
	case 1: return "a host-wide OOM panics the host; an OOM confined to a cgroup, cpuset or "
		       "mempolicy kills a process";
	case 2: return "every OOM panics the host, even one at a cgroup's memory limit";
	default: return "unknown";
	}
}

/* "memory and pids" */
static const char *names(unsigned mask, char *buf, size_t len)
{
	size_t used = 0;
	unsigned n = (unsigned)__builtin_popcount(mask), i = 0;

	buf[0] = '\0';
	for (unsigned bit = 0; bit < RF_CHECK_CONTROLLERS; bit++) {
		if (!(mask & (1u << bit)))
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i == 0 ? "" : i + 1 == n ? " and " : ", ",
					 cg_controller_name(1u << bit));
		i++;
		if (used >= len)
			break;
	}
	return buf;
}

#define NAMES(m) names((m), (char[96]){ 0 }, 96)

static void note(rf_check *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(rf_check *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n_notes == RF_CHECK_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->n_notes++], sizeof(r->notes[0]), fmt, ap);
	va_end(ap);
}

/* The root lacks `missing`: say where each one is instead. */
static void explain_root(rf_check *r, unsigned missing)
{
	size_t used;
	unsigned in_v1 = missing & r->v1_controllers, off = missing & r->disabled & ~in_v1;

	used = (size_t)snprintf(r->reason, sizeof(r->reason),
				"cgroup v2 at %s has no %s controller%s", r->mount.path,
				NAMES(missing), __builtin_popcount(missing) > 1 ? "s" : "");
	for (unsigned bit = 0, i = 0; bit < RF_CHECK_CONTROLLERS && used < sizeof(r->reason); bit++) {
		if (!(in_v1 & (1u << bit)))
			continue;
		used += (size_t)snprintf(r->reason + used, sizeof(r->reason) - used,
					 i ? ", %s at %s" : ": %s is bound to cgroup v1 at %s",
					 cg_controller_name(1u << bit), r->v1_path[bit]);
		i++;
	}
	if (off && used < sizeof(r->reason))
		snprintf(r->reason + used, sizeof(r->reason) - used,
			 "%sthe kernel has %s disabled or not built in (see /proc/cgroups)",
			 in_v1 ? "; " : ": ", NAMES(off));
	if (in_v1)
		snprintf(r->fix, sizeof(r->fix), "boot with systemd.unified_cgroup_hierarchy=1 "
			 "(or cgroup_no_v1=all) so that cgroup v2 gets every controller");
	else if (off)
		snprintf(r->fix, sizeof(r->fix), "remove cgroup_disable=%s from the kernel command "
			 "line (or use a kernel built with it)", cg_controller_name(off & -off));
	else
		snprintf(r->fix, sizeof(r->fix), "enable %s in the cgroup.subtree_control of the "
			 "cgroup above this one (in a container: ask its manager to delegate them)",
			 NAMES(missing));
}

static void explain_user(rf_check *r)
{
	unsigned missing = r->need & ~r->self_controllers;

	if (!strcmp(r->manager, "systemd")) {
		missing = r->need & ~r->systemd.controllers;
		if (!r->systemd.answered) {
			snprintf(r->reason, sizeof(r->reason), "your systemd user manager did not "
				 "answer: %.400s", r->systemd.why);
			snprintf(r->fix, sizeof(r->fix), "check `systemctl --user status`, or "
				 "`loginctl enable-linger %u` to start one", (unsigned)geteuid());
			return;
		}
		snprintf(r->reason, sizeof(r->reason), "your systemd user manager gives its scopes "
			 "no %s controller", NAMES(missing));
		snprintf(r->fix, sizeof(r->fix), "write `[Service]` and `Delegate=cpu cpuset io "
			 "memory pids` to /etc/systemd/system/user@.service.d/delegate.conf, run "
			 "`systemctl daemon-reload` and log in again");
		return;
	}
	if (missing)
		snprintf(r->reason, sizeof(r->reason),
			 "your cgroup %.512s is not given the %s controller%s", r->self,
			 NAMES(missing), __builtin_popcount(missing) > 1 ? "s" : "");
	else
		snprintf(r->reason, sizeof(r->reason),
			 "your cgroup %.512s is not delegated to uid %u: you cannot create cgroups "
			 "in it",
			 r->self, (unsigned)geteuid());
	snprintf(r->fix, sizeof(r->fix), "start a systemd user manager (`loginctl enable-linger "
		 "%u`, or log in) and ringfence asks it for a scope; or run under "
		 "`systemd-run --user --scope -p Delegate=yes ringfence run ...`, run as root, or "
		 "pass --cgroup-parent with a subtree you own", (unsigned)geteuid());
}

/* Can a caller without root make a user namespace (for containment)? */
static bool userns_allowed(void)
{
	int max = -1, clone = -1;

	/* unprivileged_userns_clone is Debian's switch; -1: no such file. */
	rf_host_sysctl("user/max_user_namespaces", &max, NULL);
	rf_host_sysctl("kernel/unprivileged_userns_clone", &clone, NULL);
	return max != 0 && clone != 0;
}

static void add_notes(rf_check *r)
{
	const rf_host *h = &r->host;
	unsigned optional = (CG_CTRL_CPU | CG_CTRL_CPUSET) & ~r->parent_controllers;
	char a[32], b[32];

	/* Only worth a word once the essentials are there. */
	if (!r->ready)
		optional = 0;
	if (optional & CG_CTRL_CPU)
		note(r, "--cpus and --cpu-weight need the cpu controller, which %s lacks", r->parent);
	if (optional & CG_CTRL_CPUSET)
		note(r, "--numa-bind and --cpuset-cpus need the cpuset controller, which %s lacks",
		     r->parent);
	if (r->clone3_cgroup.state == RF_NO)
		note(r, "clone3 cannot start a process in a cgroup here: run uses clone() and then "
		     "moves the command into its leaf");
	if (r->cgroup_kill.state == RF_NO)
		note(r, "no cgroup.kill (Linux 5.14): run kills a leaf process by process");
	if (r->memory_peak.state == RF_NO)
		note(r, "no memory.peak (Linux 5.19): the report's memory.peak is null");
	if (r->oom_group_kill.state == RF_NO)
		note(r, "no oom_group_kill event (Linux 5.17): the report's oom.group_kills is null");
	if (r->ready && !r->mount.nsdelegate)
		note(r, "cgroup2 at %s has no nsdelegate: run starts each command in a child of its "
		     "leaf without controllers, which keeps it under the leaf's limits but hides them "
		     "from it; mount with nsdelegate (systemd does) for the kernel's guard",
		     r->mount.path);
	if (r->ready && geteuid() != 0 && !userns_allowed())
		note(r, "user namespaces are not allowed here: run needs one to contain a command "
		     "without root; allow them or give --host-cgroupfs (ringfence-run(1))");
	if (h->panic_on_oom == 2)
		note(r, "vm.panic_on_oom is 2: run refuses --memory and --numa-bind, since an OOM "
		     "in the sandbox would panic the host, unless given --allow-panic-on-oom");
	else if (h->panic_on_oom == 1)
		note(r, "vm.panic_on_oom is 1: a sandbox without --memory that exhausts the host's "
		     "memory panics it");
	if (h->overcommit_memory == 1)
		note(r, "vm.overcommit_memory is 1: allocations never fail, so only --memory "
		     "bounds a sandbox");
	if (h->overcommit_memory == 2) {
		rf_format_size(h->committed_as, a, sizeof(a));
		rf_format_size(h->commit_limit, b, sizeof(b));
		note(r, "vm.overcommit_memory is 2: allocations fail past CommitLimit (%s of %s "
		     "committed), so a sandbox may see ENOMEM before its --memory", a, b);
	}
}

static void decide(rf_check *r)
{
	r->ready = false;
	if (!r->cg2) {
		snprintf(r->reason, sizeof(r->reason), "no cgroup2 filesystem is mounted");
		snprintf(r->fix, sizeof(r->fix), "%s", r->hybrid ?
			 "boot with systemd.unified_cgroup_hierarchy=1 (or cgroup_no_v1=all)" :
			 "mount one with `mount -t cgroup2 none /sys/fs/cgroup`");
	} else if (!r->root_read) {
		snprintf(r->reason, sizeof(r->reason), "cannot read cgroup.controllers at %s",
			 r->mount.path);
		snprintf(r->fix, sizeof(r->fix), "check that %s is a readable cgroup2 mount",
			 r->mount.path);
	} else if (r->need & ~r->root_controllers) {
		explain_root(r, r->need & ~r->root_controllers);
	} else if (geteuid() != 0 && !strcmp(r->manager, "systemd") &&
		   (!r->systemd.answered || (r->need & ~r->systemd.controllers))) {
		explain_user(r);
	} else if (geteuid() != 0 && strcmp(r->manager, "systemd") &&
		   ((r->need & ~r->self_controllers) || r->self_delegated != RF_YES)) {
		explain_user(r);
	} else {
		r->ready = true;
	}
	add_notes(r);
}

int rf_check_gather(rf_check *r, rf_error *err)
{
	struct utsname u;

	memset(r, 0, sizeof(*r));
	r->need = CG_CTRL_MEMORY | CG_CTRL_PIDS;
	if (uname(&u) == 0)
		snprintf(r->kernel, sizeof(r->kernel), "%s", u.release);
	if (scan_v1(r, err) < 0)
		return -1;
	scan_proc_cgroups(r);
	scan_v2(r);
	probe_clone3(&r->clone3_cgroup);
	probe_files(r);
	r->host_read = rf_host_read(&r->host, NULL) == 0;
	scan_numa(r);
	decide(r);
	return 0;
}
