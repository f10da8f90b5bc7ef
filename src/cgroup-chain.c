/* The caller's cgroup and the limits it runs under: what the placement rule
 * (src/README.md, "Placement") keeps every sandbox inside.
 *
 * The chain is the caller's cgroup S (/proc/self/cgroup) and its ancestors
 * below the cgroup2 root. A cgroup on it "has a limit" when one of the files
 * below says so; the caller runs under the limits of the deepest one, L
 * (being below L, it is below every limited ancestor of L too).
 *
 * systemd's own units do not count. On a host that runs systemd, the
 * cgroups of its slices, services and scopes are systemd's to manage
 * (docs/CGROUP_DELEGATION.md in systemd): no one else may create cgroups in
 * a unit that systemd has not delegated, and systemd rewrites their
 * cgroup.subtree_control when it sees fit, which would take a leaf's
 * controllers away mid-run. Their limits (a service's MemoryMax=, the
 * TasksMax= that every unit gets by default) are systemd's to enforce: a
 * root caller gets them with --slice. A unit that systemd delegated (the
 * xattr trusted.delegate or user.delegate is "1": Slurm's slurmstepd
 * scope, a container engine's scope, a Delegate=yes service) is an
 * engine's, and so is everything below it, and every cgroup that is not
 * named like a unit: there the limits count. user@UID.service is delegated
 * to systemd itself, the user manager, so its units stay systemd's.
 *
 * A skipped unit with a memory, cpu, cpuset or io limit of its own (a
 * service's MemoryMax=, never a default) is remembered: the sandbox is not
 * under it, and cg_manager_place() warns (ringfence(1) says what to do). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ringfence/cgroup-manager.h"
#include "ringfence/cleanup.h"
#include "ringfence/parse.h"
#include "ringfence/verdict.h"
#include "cgroup-internal.h"

bool cg_path_within(const char *path, const char *ancestor)
{
	size_t n = strlen(ancestor);

	if (!strcmp(ancestor, "/"))
		return true;
	return !strncmp(path, ancestor, n) && (path[n] == '\0' || path[n] == '/');
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

static bool unit_name(const char *name, size_t len)
{
	static const char *const types[] = {
		".slice", ".scope", ".service", ".socket", ".mount", ".swap",
	};

	for (size_t i = 0; i < RF_ARRAY_SIZE(types); i++)
		if (ends_with(name, len, types[i]))
			return true;
	return false;
}

static bool delegated(int fd)
{
	static const char *const names[] = { "trusted.delegate", "user.delegate" };

	for (size_t i = 0; i < RF_ARRAY_SIZE(names); i++) {
		char v[8];
		ssize_t n = fgetxattr(fd, names[i], v, sizeof(v));

		if (n == 1 && v[0] == '1')
			return true;
	}
	return false;
}

/* The first limit set in the cgroup at fd, as "memory.max 64.0M", or "";
 * pids.max only `with_pids`. */
static void first_limit(int fd, bool with_pids, char *buf, size_t len)
{
	static const char *const max_files[] = {
		"memory.max", "memory.high", "memory.swap.max", "pids.max", "cpu.max",
	};
	static const char *const set_files[] = { "cpuset.cpus", "cpuset.mems", "io.max" };
	char v[256];

	buf[0] = '\0';
	for (size_t i = 0; i < RF_ARRAY_SIZE(max_files); i++) {
		if (!with_pids && !strcmp(max_files[i], "pids.max"))
			continue;
		if (cg_read(fd, max_files[i], v, sizeof(v), NULL) <= 0)
			continue;
		v[strcspn(v, "\n")] = '\0';
		if (!strncmp(v, "max", 3))
			continue;
		if (strncmp(max_files[i], "memory.", 7) == 0) {
			uint64_t bytes;
			char size[32];

			if (rf_parse_u64(v, 0, UINT64_MAX, &bytes, NULL) == 0) {
				rf_format_size(bytes, size, sizeof(size));
				snprintf(buf, len, "%s %s", max_files[i], size);
				return;
			}
		}
		snprintf(buf, len, "%s %.100s", max_files[i], v);
		return;
	}
	for (size_t i = 0; i < RF_ARRAY_SIZE(set_files); i++) {
		if (cg_read(fd, set_files[i], v, sizeof(v), NULL) <= 0)
			continue;
		v[strcspn(v, "\n")] = '\0';
		if (v[0]) {
			snprintf(buf, len, "%s %.100s", set_files[i], v);
			return;
		}
	}
}

int cg_chain_read(const cg_mount *m, cg_chain *c, rf_error *err)
{
	char path[PATH_MAX];
	struct stat st;
	bool systemds = stat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
	const char *p;
	size_t plen;

	memset(c, 0, sizeof(*c));
	if (cg_self(c->self, sizeof(c->self), err) < 0)
		return -1;
	plen = strlen(m->path);
	if (plen >= sizeof(path))
		return rf_error_set(err, ENAMETOOLONG, "cgroup2 mount path is too long");
	memcpy(path, m->path, plen + 1);
	for (p = c->self; *p; ) {
		cleanup_close int fd = -1;
		const char *name;
		size_t n;
		char limit[sizeof(c->limit)];

		while (*p == '/')
			p++;
		if (!*p)
			break;
		name = p;
		n = strcspn(p, "/");
		p += n;
		if (plen + 1 + n >= sizeof(path))
			return rf_error_set(err, ENAMETOOLONG, "own cgroup path is too long");
		path[plen++] = '/';
		memcpy(path + plen, name, n);
		plen += n;
		path[plen] = '\0';
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return rf_error_set(err, errno, "open own cgroup `%s`", path);
		if (systemds) {
			bool user_manager = !strncmp(name, "user@", 5) && ends_with(name, n, ".service");

			if (unit_name(name, n) && (user_manager || !delegated(fd))) {
				/* systemd's own: noted, for the warning */
				first_limit(fd, false, limit, sizeof(limit));
				if (limit[0]) {
					snprintf(c->unit_limited, sizeof(c->unit_limited), "%s",
						 path + strlen(m->path));
					memcpy(c->unit_limit, limit, sizeof(c->unit_limit));
				}
				continue;
			}
			systemds = false;
		}
		if (!c->counted[0])
			snprintf(c->counted, sizeof(c->counted), "%s", path + strlen(m->path));
		first_limit(fd, true, limit, sizeof(limit));
		if (limit[0]) {
			snprintf(c->limited, sizeof(c->limited), "%s", path + strlen(m->path));
			memcpy(c->limit, limit, sizeof(c->limit));
		}
	}
	return 0;
}
