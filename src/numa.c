/* NUMA placement: node and CPU sets checked against the machine, the
 * payload's memory policy, and per-node usage sampling from memory.numa_stat.
 * The only file that knows the kernel's memory-policy interface. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <numaif.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fault.h"
#include "ringfence/cgroup.h"
#include "ringfence/cleanup.h"
#include "ringfence/host.h"
#include "ringfence/numa.h"
#include "ringfence/parse.h"

#ifndef MPOL_F_STATIC_NODES
#define MPOL_F_STATIC_NODES (1 << 15)
#endif
#ifndef MPOL_F_RELATIVE_NODES
#define MPOL_F_RELATIVE_NODES (1 << 14)
#endif

#define NODE_DIR "/sys/devices/system/node"

/* The machine's NUMA layout, read on first use from sysfs and
 * /proc/self/status: the nodes the kernel has online, and those this task may
 * allocate on (nodes with memory, within its cpuset's mems). A kernel without
 * NUMA has no node directory: one node 0 holding everything.
 *
 * libnuma would give the same sets, but its library object reads them in a
 * constructor at the start of every process linked with it, NUMA options or
 * not (about 25 system calls), and its system call wrappers cannot be linked
 * without that object. So ringfence reads the sets only when a NUMA option or
 * guard asks, and calls set_mempolicy(2) itself; from libnuma it takes the
 * kernel interface's constants (<numaif.h>). */
typedef struct topology {
	bool numa;
	rf_idset configured, usable;
} topology;

/* The first line of a small sysfs file, newline removed. */
static int read_line(const char *path, char *buf, size_t len)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static bool read_idset(const char *path, rf_idset *out)
{
	char buf[4096];
	rf_error ignored;

	return read_line(path, buf, sizeof(buf)) == 0 && rf_parse_idlist(buf, out, &ignored) == 0;
}

/* "Mems_allowed_list:\t0-1" from /proc/self/status. */
static bool mems_allowed(rf_idset *out)
{
	char list[4096];
	rf_error ignored;

	return rf_host_self_status("Mems_allowed_list", list, sizeof(list)) > 0 &&
	       rf_parse_idlist(list, out, &ignored) == 0;
}

static const topology *topo(void)
{
	static topology t;
	static bool loaded;
	rf_idset memory, allowed;

	if (loaded)
		return &t;
	loaded = true;
	if (!read_idset(NODE_DIR "/online", &t.configured)) {
		memset(&t, 0, sizeof(t));
		rf_idset_add(&t.configured, 0);
		t.usable = t.configured;
		return &t;
	}
	t.numa = true;
	if (!read_idset(NODE_DIR "/has_memory", &memory))
		memory = t.configured;
	if (!mems_allowed(&allowed))
		allowed = memory;
	for (unsigned id = 0; id < RF_MAX_IDS; id++)
		if (rf_idset_has(&memory, id) && rf_idset_has(&allowed, id))
			rf_idset_add(&t.usable, id);
	return &t;
}

static int highest(const rf_idset *s)
{
	for (int id = RF_MAX_IDS - 1; id >= 0; id--)
		if (rf_idset_has(s, (unsigned)id))
			return id;
	return 0;
}

#define FMT_IDS(s) rf_idset_format((s), (char[256]){ 0 }, 256)

int rf_numa_nodes(rf_idset *configured, rf_idset *usable)
{
	const topology *t = topo();

	*configured = t->configured;
	*usable = t->usable;
	return highest(&t->configured) + 1;
}

int rf_numa_parse_nodes(const char *s, rf_idset *out, rf_error *err)
{
	const topology *t = topo();
	rf_idset want;

	if (rf_parse_idlist(s, &want, err) < 0)
		return -1;
	for (unsigned id = 0; id < RF_MAX_IDS; id++) {
		if (!rf_idset_has(&want, id))
			continue;
		if (!rf_idset_has(&t->configured, id))
			return rf_error_set(err, 0, "node %u is not online (online nodes: %s)", id,
					    FMT_IDS(&t->configured));
		if (!rf_idset_has(&t->usable, id))
			return rf_error_set(err, 0,
					    "node %u has no memory this process may use (no memory "
					    "of its own, or outside our cpuset.mems; usable nodes: %s)",
					    id, FMT_IDS(&t->usable));
	}
	*out = want;
	return 0;
}

/* The CPUs this task may run on (its affinity, which the cpuset bounds). */
static void usable_cpus(rf_idset *usable)
{
	cpu_set_t set;

	memset(usable, 0, sizeof(*usable));
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return;
	for (unsigned i = 0; i < CPU_SETSIZE && i < RF_MAX_IDS; i++)
		if (CPU_ISSET(i, &set))
			rf_idset_add(usable, i);
}

int rf_numa_parse_cpus(const char *s, rf_idset *out, rf_error *err)
{
	rf_idset want, usable;
	long configured = sysconf(_SC_NPROCESSORS_CONF);

	if (rf_parse_idlist(s, &want, err) < 0)
		return -1;
	usable_cpus(&usable);
	for (unsigned id = 0; id < RF_MAX_IDS; id++) {
		if (!rf_idset_has(&want, id) || rf_idset_has(&usable, id))
			continue;
		if (configured > 0 && id >= (unsigned long)configured)
			return rf_error_set(err, 0, "cpu %u is not online (online cpus: %s)", id,
					    FMT_IDS(&usable));
		return rf_error_set(err, 0,
				    "cpu %u is offline or outside this process's cpuset "
				    "(usable cpus: %s)", id, FMT_IDS(&usable));
	}
	*out = want;
	return 0;
}

int rf_numa_ids_exist(const char *cpus, const char *mems, rf_error *err)
{
	rf_idset want;

	if (cpus) {
		long configured = sysconf(_SC_NPROCESSORS_CONF);   /* reads sysfs: only when asked */

		if (rf_parse_idlist(cpus, &want, err) < 0)
			return -1;
		for (unsigned id = 0; configured > 0 && id < RF_MAX_IDS; id++)
			if (rf_idset_has(&want, id) && id >= (unsigned long)configured)
				return rf_error_set(err, 0, "cpu %u is not on this host (cpus: 0-%ld)",
						    id, configured - 1);
	}
	if (mems) {
		if (rf_parse_idlist(mems, &want, err) < 0)
			return -1;
		for (unsigned id = 0; id < RF_MAX_IDS; id++)
			if (rf_idset_has(&want, id) && !rf_idset_has(&topo()->configured, id))
				return rf_error_set(err, 0, "node %u is not on this host (nodes: %s)",
						    id, FMT_IDS(&topo()->configured));
	}
	return 0;
}

int rf_numa_node_count(void)
{
	return highest(&topo()->configured) + 1;
}

/* "Node 0 MemTotal:  998320 kB" lines of nodeN/meminfo. */
static int read_node_meminfo(unsigned node, uint64_t *total, uint64_t *free_bytes,
			     rf_error *err)
{
	rf_meminfo_key keys[] = {
		{ .key = "MemTotal", .out = total },
		{ .key = "MemFree", .out = free_bytes },
	};
	char path[64];

	snprintf(path, sizeof(path), NODE_DIR "/node%u/meminfo", node);
	*free_bytes = 0;
	if (rf_host_read_meminfo(path, keys, RF_ARRAY_SIZE(keys), err) < 0)
		return -1;
	if (!keys[0].seen)
		return rf_error_set(err, 0, "parse `%s`: no MemTotal line", path);
	return 0;
}

int rf_numa_node_meminfo(unsigned node, uint64_t *total, uint64_t *free_bytes, rf_error *err)
{
	uint64_t ignored_free;

	if (!free_bytes)
		free_bytes = &ignored_free;
	if (!rf_idset_has(&topo()->configured, node))
		return rf_error_set(err, 0, "node %u is not online (online nodes: %s)", node,
				    FMT_IDS(&topo()->configured));
	if (!topo()->numa) {
		long pages = sysconf(_SC_PHYS_PAGES), freep = sysconf(_SC_AVPHYS_PAGES);
		long page = sysconf(_SC_PAGESIZE);

		if (pages < 0 || freep < 0 || page < 0)
			return rf_error_set(err, errno, "read the size of memory");
		*total = (uint64_t)pages * (uint64_t)page;
		*free_bytes = (uint64_t)freep * (uint64_t)page;
		return 0;
	}
	return read_node_meminfo(node, total, free_bytes, err);
}

int rf_numa_node_size(unsigned node, uint64_t *bytes, rf_error *err)
{
	return rf_numa_node_meminfo(node, bytes, NULL, err);
}

static const char *mode_name(rf_mpol_mode m)
{
	switch (m) {
	case RF_MPOL_BIND: return "MPOL_BIND";
	case RF_MPOL_PREFERRED: return "MPOL_PREFERRED";
	case RF_MPOL_INTERLEAVE: return "MPOL_INTERLEAVE";
	case RF_MPOL_LOCAL: return "MPOL_LOCAL";
	default: return "MPOL_DEFAULT";
	}
}

int rf_numa_apply(const rf_mempolicy *mp, rf_error *err)
{
	int mode;
	long r;

	switch (mp->mode) {
	case RF_MPOL_NONE:
		return 0;
	case RF_MPOL_BIND: mode = MPOL_BIND; break;
	case RF_MPOL_PREFERRED: mode = MPOL_PREFERRED; break;
	case RF_MPOL_INTERLEAVE: mode = MPOL_INTERLEAVE; break;
	case RF_MPOL_LOCAL: mode = MPOL_LOCAL; break;
	default:
		return rf_error_set(err, EINVAL, "unknown memory policy %d", (int)mp->mode);
	}
	if (mp->flags & ~(unsigned)(MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES))
		return rf_error_set(err, EINVAL, "unknown memory policy flags %#x", mp->flags);
	/* maxnode counts one past the mask, as the kernel's get_nodes() expects. */
	if (RF_FAULT("numa.mempolicy"))
		r = -1;
	else if (mp->mode == RF_MPOL_LOCAL)
		r = syscall(SYS_set_mempolicy, mode | (int)mp->flags, NULL, 0UL);
	else
		r = syscall(SYS_set_mempolicy, mode | (int)mp->flags, mp->nodes.bits,
			    (unsigned long)RF_MAX_IDS + 1);
	if (r < 0)
		return rf_error_set(err, errno, "set_mempolicy(%s, nodes %s)", mode_name(mp->mode),
				    FMT_IDS(&mp->nodes));
	return 0;
}

/* "N1=4096" -> node 1, 4096. */
static int parse_node_value(const char *tok, size_t len, uint64_t *node, uint64_t *v,
			    rf_error *err)
{
	char buf[64];
	char *eq;

	if (len >= sizeof(buf) || tok[0] != 'N')
		return rf_error_set(err, 0, "unexpected field `%.*s`", (int)(len < 40 ? len : 40), tok);
	memcpy(buf, tok + 1, len - 1);
	buf[len - 1] = '\0';
	eq = strchr(buf, '=');
	if (!eq)
		return rf_error_set(err, 0, "unexpected field `%.*s`", (int)len, tok);
	*eq = '\0';
	if (rf_parse_u64(buf, 0, RF_MAX_IDS - 1, node, err) < 0 ||
	    rf_parse_u64(eq + 1, 0, INT64_MAX, v, err) < 0)
		return -1;
	return 0;
}

/* Add one "anon N0=.. N1=.." line into sums[]; returns the highest node + 1. */
static int add_line(const char *p, const char *end, int64_t *sums, size_t nsums, rf_error *err)
{
	int top = 0;

	while (p < end) {
		size_t len;
		uint64_t node, v;

		p += strspn(p, " \t");
		len = strcspn(p, " \t\n");
		if (p + len > end)
			len = (size_t)(end - p);
		if (!len)
			break;
		if (parse_node_value(p, len, &node, &v, err) < 0)
			return -1;
		/* rf_counters keeps nsums nodes; larger ids are not reported. */
		if (node < nsums) {
			if (sums[node] < 0)
				sums[node] = 0;
			if (__builtin_add_overflow(sums[node], (int64_t)v, &sums[node]))
				return rf_error_set(err, ERANGE, "node %" PRIu64 " total overflows", node);
			if ((int)node + 1 > top)
				top = (int)node + 1;
		}
		p += len;
	}
	return top;
}

int rf_numa_parse_stat(const char *text, rf_counters *c, rf_error *err)
{
	const size_t nsums = RF_ARRAY_SIZE(c->numa_peak);
	int64_t sums[RF_ARRAY_SIZE(c->numa_peak)];
	int lines = 0, top = 0;

	for (size_t i = 0; i < nsums; i++)
		sums[i] = -1;
	for (const char *line = text; *line;) {
		const char *end = line + strcspn(line, "\n");

		/* Resident bytes per node: anonymous plus page cache. */
		if (!strncmp(line, "anon ", 5) || !strncmp(line, "file ", 5)) {
			int t = add_line(line + 5, end, sums, nsums, err);

			if (t < 0)
				return rf_error_prefix(err, "parse `memory.numa_stat` line `%.*s`",
						       (int)(line[0] ? 4 : 0), line);
			if (t > top)
				top = t;
			lines++;
		}
		line = *end ? end + 1 : end;
	}
	if (lines != 2)
		return rf_error_set(err, 0, "parse `memory.numa_stat`: expected one `anon` and one "
				    "`file` line, found %d", lines);
	for (int n = 0; n < top; n++)
		if (sums[n] > c->numa_peak[n])
			c->numa_peak[n] = sums[n];
	if ((size_t)top > c->n_numa)
		c->n_numa = (size_t)top;
	return 0;
}

int rf_numa_sample(int leaf_dirfd, rf_counters *c, rf_error *err)
{
	char buf[32768];

	if (cg_read(leaf_dirfd, "memory.numa_stat", buf, sizeof(buf), err) < 0) {
		/* Kernels without CONFIG_NUMA have no such file: nothing to sample. */
		if (err && err->errnum == ENOENT)
			return 0;
		return -1;
	}
	return rf_numa_parse_stat(buf, c, err);
}
