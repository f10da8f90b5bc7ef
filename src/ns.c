/* Namespaces: the --unshare list, the cross-checks of the isolation options,
 * the user namespace's id maps (supervisor side), and the per-namespace setup
 * the child does once it is inside them (hostname, loopback). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fault.h"
#include "ringfence/cleanup.h"
#include "ringfence/isolation.h"

#define NS_ACCEPTED "a comma-separated list of pid, mount, ipc, uts, net, cgroup, user, or all"

static const struct {
	const char *name;
	int flag;
} ns_names[] = {
	{ "pid", CLONE_NEWPID },
	{ "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },
	{ "net", CLONE_NEWNET },
	{ "cgroup", CLONE_NEWCGROUP },
	{ "user", CLONE_NEWUSER },
};

int rf_ns_all_flags(void)
{
	int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS |
		    CLONE_NEWNET | CLONE_NEWCGROUP;

	/* Without root no other namespace can be created outside a user
	 * namespace. For root, one would only shrink the id space to a single
	 * mapped id (breaking --user and files owned by anyone else). */
	if (geteuid() != 0)
		flags |= CLONE_NEWUSER;
	return flags;
}

static int ns_flag(const char *name, size_t len)
{
	if (len == 3 && !strncmp(name, "all", 3))
		return rf_ns_all_flags();
	for (size_t i = 0; i < RF_ARRAY_SIZE(ns_names); i++)
		if (strlen(ns_names[i].name) == len && !strncmp(ns_names[i].name, name, len))
			return ns_names[i].flag;
	return 0;
}

int rf_ns_parse(const char *list, int *flags, rf_error *err)
{
	const char *p = list;
	int out = 0;

	if (*list == '\0')
		return rf_error_set(err, 0, "empty namespace list (expected " NS_ACCEPTED ")");
	for (;;) {
		size_t len = strcspn(p, ",");
		int f = ns_flag(p, len);

		if (!f)
			return rf_error_set(err, 0, "unknown namespace `%.*s` in `%s` (expected "
					    NS_ACCEPTED ")", (int)len, p, list);
		out |= f;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*flags = out;
	return 0;
}

const char *rf_ns_format(int flags, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < RF_ARRAY_SIZE(ns_names); i++) {
		int n;

		if (!(flags & ns_names[i].flag))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", ns_names[i].name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

/* Is `a` the same path as `b` or one of its ancestors (whole components)? */
static bool path_covers(const char *a, const char *b)
{
	size_t n = strlen(a);

	return !strncmp(a, b, n) && (b[n] == '\0' || b[n] == '/');
}

/* Which ids exist inside the user namespace (rf_ns_write_idmaps maps one). */
static int check_userns_identity(const rf_plan *plan, rf_error *err)
{
	const rf_process *p = &plan->proc;
	uid_t uid = plan->iso.map_root ? 0 : geteuid();
	gid_t gid = plan->iso.map_root ? 0 : getegid();

	if (p->groups_set)
		return rf_error_set(err, 0, "--groups cannot be used with a user namespace: "
				    "only one group id is mapped inside it");
	if (!p->user_set)
		return 0;
	/* The kernel forbids setgroups() in a namespace an unprivileged caller
	 * made, so the groups --user would clear stay. */
	if (geteuid() != 0)
		return rf_error_set(err, 0, "--user needs root; in a user namespace made "
				    "without root the command runs as your own uid, or as 0 "
				    "with --map-root");
	if (p->uid != uid || p->gid != gid)
		return rf_error_set(err, 0, "--user %u:%u is not mapped in the user namespace "
				    "(only uid %u and gid %u are); drop `user` from --unshare",
				    (unsigned)p->uid, (unsigned)p->gid, (unsigned)uid,
				    (unsigned)gid);
	return 0;
}

/* A later mount at or above an earlier one's destination would hide it. */
static int check_mount_order(const rf_isolation *iso, rf_error *err)
{
	for (size_t i = 0; i < iso->n_mounts; i++)
		for (size_t j = i + 1; j < iso->n_mounts; j++)
			if (path_covers(iso->mounts[j].dst, iso->mounts[i].dst))
				return rf_error_set(err, 0, "the mount on `%s` would hide the "
						    "earlier one on `%s`; give it first",
						    iso->mounts[j].dst, iso->mounts[i].dst);
	return 0;
}

/* The ipc namespace's own /dev/shm and /dev/mqueue are mounted before the
 * sandbox's mounts (so --tmpfs /dev/shm wins); a bind over them brings the
 * caller's back, shared with the host. Allowed, but said. */
static void warn_ipc_binds(const rf_isolation *iso, const rf_diag *diag)
{
	for (size_t i = 0; i < iso->n_mounts; i++) {
		const char *dst = iso->mounts[i].dst;

		if (iso->mounts[i].kind != RF_MOUNT_TMPFS &&
		    (path_covers(dst, "/dev/shm") || path_covers(dst, "/dev/mqueue")))
			rf_warn(diag, "the bind on `%s` puts a /dev/shm or /dev/mqueue from "
				"outside over the ipc namespace's own: POSIX shared memory or "
				"message queues there are not private", dst);
	}
}

/* A namespace is joined or created, not both (--unshare over a bundle's
 * path is a contradiction, not an override). */
static int check_joins(const rf_isolation *iso, rf_error *err)
{
	char name[16];

	for (size_t i = 0; i < iso->n_joins; i++)
		if (iso->ns_flags & iso->joins[i].flag)
			return rf_error_set(err, 0, "the %s namespace is both joined (`%s`) and "
					    "new (--unshare)",
					    rf_ns_format(iso->joins[i].flag, name, sizeof(name)),
					    iso->joins[i].path);
	return 0;
}

static bool maps_id(const rf_idmap *m, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].inside && id - m[i].inside < m[i].count)
			return true;
	return false;
}

/* linux.uidMappings/gidMappings: written by the supervisor, which needs
 * CAP_SETUID/CAP_SETGID over the new namespace for more than its own id. */
static int check_idmaps(const rf_plan *plan, rf_error *err)
{
	const rf_isolation *iso = &plan->iso;

	if (!iso->n_uid_maps && !iso->n_gid_maps)
		return 0;
	if (!(iso->ns_flags & CLONE_NEWUSER))
		return rf_error_set(err, 0, "linux.uidMappings and gidMappings need a new user "
				    "namespace (linux.namespaces: user)");
	if (!iso->n_uid_maps || !iso->n_gid_maps)
		return rf_error_set(err, 0, "give both linux.uidMappings and linux.gidMappings");
	if (geteuid() != 0)
		return rf_error_set(err, EPERM, "linux.uidMappings and gidMappings need ringfence "
				    "to run as root (it does not use newuidmap)");
	if (iso->map_root)
		return rf_error_set(err, 0, "--map-root and linux.uidMappings both say how ids "
				    "map: give one");
	if (!maps_id(iso->uid_maps, iso->n_uid_maps, 0) || !maps_id(iso->gid_maps, iso->n_gid_maps, 0))
		return rf_error_set(err, 0, "linux.uidMappings and gidMappings must map id 0: the "
				    "container's root, who builds its filesystem");
	return 0;
}

/* The child as root of a user namespace whose maps are a bundle's: until
 * then it is the caller's host uid there, which the maps need not cover,
 * and a file it made would have no owner (EOVERFLOW). As runc's setup does. */
int rf_ns_become_root(const rf_isolation *iso, int ns_flags, rf_error *err)
{
	if (!(ns_flags & CLONE_NEWUSER) || !iso->n_uid_maps)
		return 0;
	if (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0)
		return rf_error_set(err, errno, "become root of the user namespace");
	return 0;
}

int rf_isolation_finalize(rf_plan *plan, const rf_diag *diag, rf_error *err)
{
	rf_isolation *iso = &plan->iso;

	/* Options that only make sense in a namespace bring it along (as with
	 * bubblewrap): mounts need a mount namespace not to touch the caller's
	 * view, --hostname a uts one. */
	if (iso->n_mounts || iso->ro_root)
		iso->ns_flags |= CLONE_NEWNS;
	if (iso->hostname || iso->domainname)
		iso->ns_flags |= CLONE_NEWUTS;
	if (check_joins(iso, err) < 0 || check_idmaps(plan, err) < 0)
		return -1;
	if (iso->ns_flags && !(iso->ns_flags & CLONE_NEWUSER) && geteuid() != 0) {
		iso->ns_flags |= CLONE_NEWUSER;
		rf_note(diag, "adding a user namespace: without root, namespaces can only "
			"be created inside one");
	}
	/* A cgroup namespace brings no mount namespace here: containment
	 * (contain.c) adds both to every run, and --host-cgroupfs asks for the
	 * caller's cgroupfs, in a cgroup namespace if --unshare says so.
	 * A pid namespace is only complete with its own /proc, which needs a
	 * mount namespace to be mounted without touching the caller's. */
	if ((iso->ns_flags & CLONE_NEWPID) && !(iso->ns_flags & CLONE_NEWNS)) {
		iso->ns_flags |= CLONE_NEWNS;
		rf_debug(diag, "adding a mount namespace for the pid namespace's /proc");
	}
	/* Likewise an ipc namespace, whose POSIX queues and shared memory are
	 * reached through /dev/mqueue and /dev/shm (rf_mounts_apply). */
	if ((iso->ns_flags & CLONE_NEWIPC) && !(iso->ns_flags & CLONE_NEWNS)) {
		iso->ns_flags |= CLONE_NEWNS;
		rf_debug(diag, "adding a mount namespace for the ipc namespace's /dev/shm "
			 "and /dev/mqueue");
	}
	if ((iso->ns_flags & CLONE_NEWIPC) && !iso->rootfs)
		warn_ipc_binds(iso, diag);
	if (iso->hostname && (!*iso->hostname || strlen(iso->hostname) > HOST_NAME_MAX))
		return rf_error_set(err, 0, "--hostname `%s`: expected 1 to %d characters",
				    iso->hostname, HOST_NAME_MAX);
	if (iso->map_root && !(iso->ns_flags & CLONE_NEWUSER))
		return rf_error_set(err, 0, "--map-root needs a user namespace (--unshare user)");
	if ((iso->ns_flags & CLONE_NEWUSER) && !iso->n_uid_maps &&
	    check_userns_identity(plan, err) < 0)
		return -1;
	if (plan->proc.cwd && plan->proc.cwd[0] != '/')
		return rf_error_set(err, 0, "--chdir `%s`: expected an absolute path",
				    plan->proc.cwd);
	return check_mount_order(iso, err);
}

/* The kernel takes each map in a single write. */
static int write_proc_file(pid_t pid, const char *file, const char *text, rf_error *err)
{
	cleanup_close int fd = -1;
	char path[64];
	size_t len = strlen(text);
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return rf_error_set(err, errno, "open `%s`", path);
	n = RF_FAULT("idmap", file) ? -1 : write(fd, text, len);
	if (n < 0)   /* the map without its newline: one line of message */
		return rf_error_set(err, errno, "write `%.*s` to `%s`", (int)strcspn(text, "\n"),
				    text, path);
	if ((size_t)n != len)
		return rf_error_set(err, EIO, "short write to `%s`", path);
	return 0;
}

/* "INSIDE OUTSIDE COUNT\n" per range, in one buffer for one write. */
static int format_map(const rf_idmap *m, size_t n, char *buf, size_t len, rf_error *err)
{
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, len - used, "%u %u %u\n", m[i].inside, m[i].outside,
				 m[i].count);

		if (w < 0 || (size_t)w >= len - used)
			return rf_error_set(err, E2BIG, "the id map is too long");
		used += (size_t)w;
	}
	return 0;
}

int rf_ns_write_idmaps(pid_t child, const rf_plan *plan, uid_t outer_uid, gid_t outer_gid,
		       rf_error *err)
{
	const rf_isolation *iso = &plan->iso;
	char map[64];

	if (iso->n_uid_maps) {
		char big[340 * 36];

		if (format_map(iso->uid_maps, iso->n_uid_maps, big, sizeof(big), err) < 0 ||
		    write_proc_file(child, "uid_map", big, err) < 0 ||
		    format_map(iso->gid_maps, iso->n_gid_maps, big, sizeof(big), err) < 0)
			return -1;
		return write_proc_file(child, "gid_map", big, err);
	}

	snprintf(map, sizeof(map), "%u %u 1\n", plan->iso.map_root ? 0 : (unsigned)outer_uid,
		 (unsigned)outer_uid);
	if (write_proc_file(child, "uid_map", map, err) < 0)
		return -1;
	/* Without root the kernel takes a gid map only once setgroups() is
	 * disabled in the namespace: dropping a group could otherwise grant
	 * access that a "deny to group" permission withholds. */
	if (geteuid() != 0 && write_proc_file(child, "setgroups", "deny", err) < 0)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1\n", plan->iso.map_root ? 0 : (unsigned)outer_gid,
		 (unsigned)outer_gid);
	return write_proc_file(child, "gid_map", map, err);
}

/* `lo` starts down in a new network namespace; nothing but the loopback
 * exists there, and without it even 127.0.0.1 is unreachable. */
static int loopback_up(rf_error *err)
{
	cleanup_close int fd = -1;
	struct ifreq ifr = { 0 };

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return rf_error_set(err, errno, "open a socket to bring up `lo`");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return rf_error_set(err, errno, "read the flags of `lo`");
	if (ifr.ifr_flags & IFF_UP)
		return 0;
	ifr.ifr_flags |= IFF_UP;
	if (RF_FAULT("ns.loopback") || ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return rf_error_set(err, errno, "bring up `lo`");
	return 0;
}

int rf_ns_finish(const rf_isolation *iso, int ns_flags, rf_error *err)
{
	/* Without --hostname a new uts namespace keeps the caller's name. */
	if ((ns_flags & CLONE_NEWUTS) && iso->hostname &&
	    (RF_FAULT("ns.hostname") || sethostname(iso->hostname, strlen(iso->hostname)) < 0))
		return rf_error_set(err, errno, "set the hostname to `%s`", iso->hostname);
	if ((ns_flags & CLONE_NEWUTS) && iso->domainname &&
	    setdomainname(iso->domainname, strlen(iso->domainname)) < 0)
		return rf_error_set(err, errno, "set the domain name to `%s`", iso->domainname);
	if ((ns_flags & CLONE_NEWNET) && loopback_up(err) < 0)
		return -1;
	return 0;
}

/* setns() into each `path` (checked at plan time to be a `flag`
 * namespace), every one opened before the first is joined: inside a joined
 * mount namespace, a later path would name the container's file. */
int rf_ns_join(const rf_isolation *iso, bool pid, rf_error *err)
{
	int fds[8];              /* one per namespace type: each is given once at most */
	size_t i, opened = 0, joined = 0;
	int r = 0;

	if (iso->n_joins > RF_ARRAY_SIZE(fds))
		return rf_error_set(err, E2BIG, "%zu namespaces to join", iso->n_joins);
	for (i = 0; r == 0 && i < iso->n_joins; i++) {
		if ((iso->joins[i].flag == CLONE_NEWPID) != pid)
			continue;
		fds[opened] = open(iso->joins[i].path, O_RDONLY | O_CLOEXEC);
		if (fds[opened] < 0)
			r = rf_error_set(err, errno, "open the namespace `%s`", iso->joins[i].path);
		else
			opened++;
	}
	for (i = 0; r == 0 && i < iso->n_joins; i++) {
		if ((iso->joins[i].flag == CLONE_NEWPID) != pid)
			continue;
		if (setns(fds[joined++], iso->joins[i].flag) < 0)
			r = rf_error_set(err, errno, "join the namespace `%s`", iso->joins[i].path);
	}
	while (opened > 0)
		close(fds[--opened]);
	return r;
}

int rf_ns_joined_flags(const rf_isolation *iso)
{
	int flags = 0;

	for (size_t i = 0; i < iso->n_joins; i++)
		flags |= iso->joins[i].flag;
	return flags;
}
