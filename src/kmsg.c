/* The kernel's OOM kill report from /dev/kmsg.
 *
 * Since Linux 4.19 every OOM kill logs one summary line:
 *   oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0-1,
 *   oom_memcg=/a/b,task_memcg=/a/b/c,task=memhog,pid=42,uid=0
 * (`,global_oom` replaces `,oom_memcg=...` for a global OOM). Fields are not
 * escaped: nodemask and mems_allowed may hold commas, and `task=` is the
 * victim's comm, which the sandbox controls. So fields are found by their
 * kernel-written keys in order, and nothing after `,task=` is trusted. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "ringfence/kmsg.h"

int rf_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Is the cgroup path [p, p+len) the leaf or below it? The kernel prints paths
 * from the hierarchy's root, which is above our mount's root inside a cgroup
 * namespace, so the leaf may appear after a prefix; it starts with '/', so
 * any match is on a component boundary. */
static bool in_leaf(const char *p, size_t len, const char *leaf)
{
	size_t ll = strlen(leaf);

	if (ll < 2 || leaf[0] != '/')
		return false;
	for (size_t i = 0; i + ll <= len; i++)
		if (!memcmp(p + i, leaf, ll) && (i + ll == len || p[i + ll] == '/'))
			return true;
	return false;
}

/* The value of ",KEY=" at or after `from`, ending where `next_key` starts. */
static const char *field(const char *from, const char *key, const char *next_key,
			 size_t *len)
{
	const char *v = strstr(from, key), *end;

	if (!v)
		return NULL;
	v += strlen(key);
	end = strstr(v, next_key);
	if (!end)
		return NULL;
	*len = (size_t)(end - v);
	return v;
}

rf_oom_scope rf_kmsg_parse_line(const char *line, const char *leaf_rel)
{
	static const char tag[] = "oom-kill:constraint=";
	const char *at = strstr(line, tag), *rec = strchr(line, ';'), *cons, *task, *oom;
	size_t clen, tlen, olen;

	if (!at)
		return RF_SCOPE_NONE;
	/* The text starts after the record header, when there is one. */
	if (rec && rec < at)
		line = rec + 1;
	if (line != at)
		return RF_SCOPE_NONE;
	cons = line + sizeof(tag) - 1;
	clen = strcspn(cons, ",\n");
	task = field(cons, ",task_memcg=", ",task=", &tlen);
	if (!task || !in_leaf(task, tlen, leaf_rel))
		return RF_SCOPE_NONE;
#define IS(name) (clen == sizeof(name) - 1 && !strncmp(cons, name, clen))
	if (IS("CONSTRAINT_NONE"))
		return RF_SCOPE_HOST;
	if (IS("CONSTRAINT_CPUSET") || IS("CONSTRAINT_MEMORY_POLICY"))
		return RF_SCOPE_NODE;
	if (IS("CONSTRAINT_MEMCG")) {
		oom = field(cons, ",oom_memcg=", ",task_memcg=", &olen);
		if (oom && oom < task && in_leaf(oom, olen, leaf_rel))
			return RF_SCOPE_LIMIT;
		return RF_SCOPE_ANCESTOR;
	}
#undef IS
	return RF_SCOPE_NONE;
}

rf_oom_scope rf_kmsg_scan(int fd, const char *leaf_rel)
{
	char buf[8192];

	if (fd < 0)
		return RF_SCOPE_NONE;
	/* Bounded: a kernel logging faster than we read cannot keep us here. */
	for (int i = 0; i < 100000; i++) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		rf_oom_scope s;

		if (n < 0 && (errno == EINTR || errno == EPIPE))
			continue;   /* EPIPE: records were overwritten; go on with the next */
		if (n <= 0)
			break;
		buf[n] = '\0';
		/* One record per read; its dictionary lines follow the first '\n'. */
		buf[strcspn(buf, "\n")] = '\0';
		s = rf_kmsg_parse_line(buf, leaf_rel);
		if (s != RF_SCOPE_NONE)
			return s;
	}
	return RF_SCOPE_NONE;
}
