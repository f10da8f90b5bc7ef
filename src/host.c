/* The host's memory posture (/proc/sys/vm, /proc/meminfo) and the guards
 * `run` applies from it before anything is created. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ringfence/cleanup.h"
#include "ringfence/host.h"
#include "ringfence/numa.h"
#include "ringfence/parse.h"
#include "ringfence/verdict.h"

static int join(char *buf, size_t len, const char *root, const char *rel, rf_error *err)
{
	int n = snprintf(buf, len, "%s/%s", root, rel);

	if (n < 0 || (size_t)n >= len)
		return rf_error_set(err, ENAMETOOLONG, "path `%s/%s` is too long", root, rel);
	return 0;
}

/* A sysctl holding one integer; a missing file leaves *out at -1. */
static int read_sysctl(const char *root, const char *rel, int *out, rf_error *err)
{
	char path[PATH_MAX], buf[64];
	cleanup_close int fd = -1;
	int64_t v;
	ssize_t n;

	*out = -1;
	if (join(path, sizeof(path), root, rel, err) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return rf_error_set(err, errno, "open `%s`", path);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return rf_error_set(err, errno, "read `%s`", path);
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	if (rf_parse_i64(buf, INT_MIN, INT_MAX, &v, err) < 0)
		return rf_error_prefix(err, "parse `%s`", path);
	*out = (int)v;
	return 0;
}

/* The word before the ':' ("MemTotal" in "Node 0 MemTotal:"), or NULL. */
static const char *meminfo_key(char *line, char **value)
{
	char *colon = strchr(line, ':'), *start;

	if (!colon)
		return NULL;
	*colon = '\0';
	start = strrchr(line, ' ');
	*value = colon + 1;
	return start ? start + 1 : line;
}

int rf_host_read_meminfo(const char *path, rf_meminfo_key *keys, size_t n, rf_error *err)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	if (!f)
		return rf_error_set(err, errno, "open `%s`", path);
	while (getline(&line, &cap, f) > 0) {
		char *value;
		const char *key = meminfo_key(line, &value);

		for (size_t i = 0; key && i < n; i++) {
			if (strcmp(key, keys[i].key))
				continue;
			if (rf_parse_kb(value, keys[i].out, err) < 0)
				return rf_error_prefix(err, "parse `%s`: %s", path, key);
			keys[i].seen = true;
		}
	}
	if (ferror(f))
		return rf_error_set(err, errno, "read `%s`", path);
	return 0;
}

static int read_meminfo(const char *root, rf_host *h, rf_error *err)
{
	rf_meminfo_key keys[] = {
		{ .key = "MemTotal", .out = &h->mem_total },
		{ .key = "MemAvailable", .out = &h->mem_available },
		{ .key = "SwapTotal", .out = &h->swap_total },
		{ .key = "SwapFree", .out = &h->swap_free },
		{ .key = "CommitLimit", .out = &h->commit_limit },
		{ .key = "Committed_AS", .out = &h->committed_as },
	};
	char path[PATH_MAX];

	if (join(path, sizeof(path), root, "meminfo", err) < 0)
		return -1;
	if (rf_host_read_meminfo(path, keys, RF_ARRAY_SIZE(keys), err) < 0)
		return err && err->errnum == ENOENT ? 0 : -1;
	return 0;
}

int rf_host_sysctl(const char *rel, int *out, rf_error *err)
{
	return read_sysctl("/proc/sys", rel, out, err);
}

int rf_host_read_at(const char *procroot, rf_host *h, rf_error *err)
{
	memset(h, 0, sizeof(*h));
	if (read_sysctl(procroot, "sys/vm/overcommit_memory", &h->overcommit_memory, err) < 0 ||
	    read_sysctl(procroot, "sys/vm/overcommit_ratio", &h->overcommit_ratio, err) < 0 ||
	    read_sysctl(procroot, "sys/vm/panic_on_oom", &h->panic_on_oom, err) < 0 ||
	    read_sysctl(procroot, "sys/vm/oom_kill_allocating_task",
			&h->oom_kill_allocating_task, err) < 0)
		return -1;
	return read_meminfo(procroot, h, err);
}

/* `key`'s value in status text, without its blanks or newline: 1 copied, 0
 * absent or longer than len. */
static int status_value(const char *text, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);

	for (const char *line = text; *line; ) {
		size_t end = strcspn(line, "\n");

		if (!strncmp(line, key, klen) && line[klen] == ':') {
			const char *v = line + klen + 1 + strspn(line + klen + 1, " \t");
			size_t n = strcspn(v, "\n");

			if (n >= len)
				return 0;
			memcpy(out, v, n);
			out[n] = '\0';
			return 1;
		}
		line += end + (line[end] == '\n');
	}
	return 0;
}

int rf_host_self_status(const char *key, char *out, size_t len)
{
	cleanup_fclose FILE *f = NULL;
	cleanup_free char *line = NULL;
	cleanup_close int fd = -1;
	char buf[8192];
	size_t used = 0, cap = 0;

	/* Read whole onto the stack: this runs in the child too, where each page
	 * a FILE's buffers touched would be a copy-on-write fault. */
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (used < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + used, sizeof(buf) - 1 - used);

		if (n < 0 && errno != EINTR)
			return -1;
		if (n == 0)
			break;
		if (n > 0)
			used += (size_t)n;
	}
	if (used < sizeof(buf) - 1) {
		buf[used] = '\0';
		return status_value(buf, key, out, len);
	}
	/* Longer than that (thousands of supplementary groups): line by line. */
	f = fopen("/proc/self/status", "re");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0)
		if (status_value(line, key, out, len))
			return 1;
	return ferror(f) ? -1 : 0;
}

int rf_host_read(rf_host *h, rf_error *err)
{
	return rf_host_read_at("/proc", h, err);
}

static bool has_limit(const rf_opt_u64 *o)
{
	return o->set && o->v != RF_MAX;
}

static bool bound_nodes(const rf_plan *plan, rf_idset *out);

int rf_host_read_guard_at(const char *procroot, const rf_plan *plan, rf_host *h, rf_error *err)
{
	bool mem = has_limit(&plan->limits.memory_max);
	rf_idset nodes;

	memset(h, 0, sizeof(*h));
	h->overcommit_ratio = h->oom_kill_allocating_task = -1;
	h->panic_on_oom = h->overcommit_memory = -1;
	if ((mem || bound_nodes(plan, &nodes)) &&
	    read_sysctl(procroot, "sys/vm/panic_on_oom", &h->panic_on_oom, err) < 0)
		return -1;
	if (!mem && read_sysctl(procroot, "sys/vm/overcommit_memory", &h->overcommit_memory, err) < 0)
		return -1;
	return 0;
}

int rf_host_read_guard(const rf_plan *plan, rf_host *h, rf_error *err)
{
	return rf_host_read_guard_at("/proc", plan, h, err);
}

/* The nodes the payload's memory is confined to, if any: the bind policy's
 * nodes, cpuset.mems, or where both are given, the nodes in both. */
static bool bound_nodes(const rf_plan *plan, rf_idset *out)
{
	bool bind = plan->proc.mempolicy.mode == RF_MPOL_BIND;
	rf_idset mems;

	if (plan->limits.cpuset_mems && rf_parse_idlist(plan->limits.cpuset_mems, &mems, NULL) == 0) {
		*out = mems;
		if (bind)
			for (size_t i = 0; i < RF_ID_WORDS; i++)
				out->bits[i] &= plan->proc.mempolicy.nodes.bits[i];
		return true;
	}
	if (bind)
		*out = plan->proc.mempolicy.nodes;
	return bind;
}

static void warn_node_oom(const rf_idset *nodes, const rf_diag *diag)
{
	char list[256], size[32];
	uint64_t total = 0;
	unsigned count = 0;

	for (unsigned id = 0; id < RF_MAX_IDS; id++) {
		uint64_t b;

		if (!rf_idset_has(nodes, id))
			continue;
		count++;
		/* A node whose size we cannot read leaves the suggestion out, not the warning. */
		if (total != UINT64_MAX && rf_numa_node_size(id, &b, NULL) == 0)
			total += b;
		else
			total = UINT64_MAX;
	}
	rf_idset_format(nodes, list, sizeof(list));
	if (total == UINT64_MAX || total == 0) {
		rf_warn(diag, "memory is bound to node%s %s and there is no --memory: filling %s "
			"triggers a node-local OOM, whose victim the kernel may pick outside the "
			"sandbox; set --memory below the size of %s", count > 1 ? "s" : "", list,
			count > 1 ? "them" : "it", count > 1 ? "those nodes" : "that node");
		return;
	}
	rf_format_size(total, size, sizeof(size));
	rf_warn(diag, "memory is bound to node%s %s (%s) and there is no --memory: filling %s "
		"triggers a node-local OOM, whose victim the kernel may pick outside the sandbox; "
		"set --memory below %s", count > 1 ? "s" : "", list, size,
		count > 1 ? "them" : "it", size);
}

int rf_host_guard(const rf_plan *plan, const rf_host *h, const rf_diag *diag, rf_error *err)
{
	bool mem = has_limit(&plan->limits.memory_max);
	rf_idset nodes;
	bool bound = bound_nodes(plan, &nodes);

	/* panic_on_oom=2 panics even on an OOM confined to a memcg, cpuset or
	 * mempolicy: the one OOM the sandbox is built to produce. */
	if (h->panic_on_oom == 2 && (mem || bound)) {
		if (!plan->sup.allow_panic_on_oom)
			return rf_error_set(err, 0,
					    "vm.panic_on_oom is 2: an OOM inside the sandbox (%s) "
					    "would panic the whole host instead of ending the command; "
					    "refusing to run (set vm.panic_on_oom to 0, or pass "
					    "--allow-panic-on-oom to accept that)",
					    mem ? "at its memory limit" : "on its bound NUMA nodes");
		rf_warn(diag, "vm.panic_on_oom is 2 and --allow-panic-on-oom is given: an OOM inside "
			"the sandbox will panic the host");
	}
	if (h->overcommit_memory == 1 && !mem)
		rf_warn(diag, "vm.overcommit_memory is 1 (always overcommit) and there is no --memory: "
			"nothing bounds this sandbox's memory");
	if (bound && !mem)
		warn_node_oom(&nodes, diag);
	return 0;
}
