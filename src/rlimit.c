/* Resource limits and the OOM score of the payload: parsed and clamped while
 * planning, applied in the child just before exec. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fault.h"
#include "ringfence/cleanup.h"
#include "ringfence/parse.h"
#include "ringfence/rlimit.h"

#define RLIMIT_FORM "NAME=SOFT[:HARD] with NAME one of " RLIMIT_NAMES \
	" (or RLIMIT_NOFILE...), values an integer, a SIZE for byte limits, or unlimited"
#define RLIMIT_NAMES "as, core, cpu, data, fsize, locks, memlock, msgqueue, nice, " \
	"nofile, nproc, rss, rtprio, rttime, sigpending, stack"

static const struct {
	int resource;
	const char *name;
	const char *upper;
	bool bytes;
} rlimits[] = {
	{ RLIMIT_AS, "as", "RLIMIT_AS", true },
	{ RLIMIT_CORE, "core", "RLIMIT_CORE", true },
	{ RLIMIT_CPU, "cpu", "RLIMIT_CPU", false },             /* seconds */
	{ RLIMIT_DATA, "data", "RLIMIT_DATA", true },
	{ RLIMIT_FSIZE, "fsize", "RLIMIT_FSIZE", true },
	{ RLIMIT_LOCKS, "locks", "RLIMIT_LOCKS", false },
	{ RLIMIT_MEMLOCK, "memlock", "RLIMIT_MEMLOCK", true },
	{ RLIMIT_MSGQUEUE, "msgqueue", "RLIMIT_MSGQUEUE", true },
	{ RLIMIT_NICE, "nice", "RLIMIT_NICE", false },
	{ RLIMIT_NOFILE, "nofile", "RLIMIT_NOFILE", false },
	{ RLIMIT_NPROC, "nproc", "RLIMIT_NPROC", false },
	{ RLIMIT_RSS, "rss", "RLIMIT_RSS", true },
	{ RLIMIT_RTPRIO, "rtprio", "RLIMIT_RTPRIO", false },
	{ RLIMIT_RTTIME, "rttime", "RLIMIT_RTTIME", false },    /* microseconds */
	{ RLIMIT_SIGPENDING, "sigpending", "RLIMIT_SIGPENDING", false },
	{ RLIMIT_STACK, "stack", "RLIMIT_STACK", true },
};

int rf_rlimit_lookup(const char *name)
{
	for (size_t i = 0; i < RF_ARRAY_SIZE(rlimits); i++)
		if (!strcmp(name, rlimits[i].name) || !strcmp(name, rlimits[i].upper))
			return rlimits[i].resource;
	return -1;
}

const char *rf_rlimit_name(int resource)
{
	for (size_t i = 0; i < RF_ARRAY_SIZE(rlimits); i++)
		if (rlimits[i].resource == resource)
			return rlimits[i].name;
	return NULL;
}

bool rf_rlimit_is_bytes(int resource)
{
	for (size_t i = 0; i < RF_ARRAY_SIZE(rlimits); i++)
		if (rlimits[i].resource == resource)
			return rlimits[i].bytes;
	return false;
}

/* An exact, re-parseable rendering: "unlimited", "64K", "1048577". */
static const char *show_value(int resource, uint64_t v, char *buf, size_t len)
{
	if (rf_rlimit_is_bytes(resource) || v == RF_MAX)
		return rf_size_text(v, "unlimited", buf, len);
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

#define SHOW(res, v) show_value((res), (v), (char[32]){ 0 }, 32)

/* The user's text as it is safe to echo: printable, short, backtick-free. */
static const char *shown(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 4 < len; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '`') ? s[i] : '?';
	snprintf(buf + i, len - i, "%s", s[i] ? "..." : "");
	return buf;
}

static int parse_value(int resource, const char *s, uint64_t *out, rf_error *err)
{
	if (!strcmp(s, "unlimited") || !strcmp(s, "infinity") || !strcmp(s, "max")) {
		*out = RF_MAX;
		return 0;
	}
	if (rf_rlimit_is_bytes(resource))
		return rf_parse_size(s, out, err);
	/* RLIM_INFINITY itself is spelled "unlimited". */
	if (rf_parse_u64(s, 0, RF_MAX - 1, out, err) == 0)
		return 0;
	return rf_error_set(err, 0, "`%s` is not a limit (expected an integer below 2^64-1, or "
			    "unlimited)", shown(s, (char[48]){ 0 }, 48));
}

int rf_rlimit_set(rf_process *p, int resource, uint64_t soft, uint64_t hard, rf_error *err)
{
	const char *name = rf_rlimit_name(resource);

	if (!name || resource < 0 || resource >= RLIM_NLIMITS)
		return rf_error_set(err, 0, "unknown resource limit %d", resource);
	if (soft > hard)
		return rf_error_set(err, 0, "%s: soft limit %s is above hard limit %s", name,
				    SHOW(resource, soft), SHOW(resource, hard));
	p->rlimits[resource] = (rf_rlimit){ .set = true, .soft = soft, .hard = hard };
	return 0;
}

int rf_rlimit_parse(const char *spec, rf_process *p, rf_error *err)
{
	char name[32], soft_s[64], hard_s[64];
	const char *eq = strchr(spec, '='), *colon;
	uint64_t soft, hard;
	int res;

	if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof(name))
		return rf_error_set(err, 0, "`%s`: expected %s",
				    shown(spec, (char[48]){ 0 }, 48), RLIMIT_FORM);
	memcpy(name, spec, (size_t)(eq - spec));
	name[eq - spec] = '\0';
	res = rf_rlimit_lookup(name);
	if (res < 0)
		return rf_error_set(err, 0, "unknown limit `%s` (known: %s)",
				    shown(name, (char[48]){ 0 }, 48), RLIMIT_NAMES);
	colon = strchr(eq + 1, ':');
	if (snprintf(soft_s, sizeof(soft_s), "%.*s",
		     (int)(colon ? (size_t)(colon - eq - 1) : strlen(eq + 1)), eq + 1) >=
		    (int)sizeof(soft_s) ||
	    snprintf(hard_s, sizeof(hard_s), "%s", colon ? colon + 1 : soft_s) >= (int)sizeof(hard_s))
		return rf_error_set(err, 0, "`%s`: value too long",
				    shown(spec, (char[48]){ 0 }, 48));
	if (parse_value(res, soft_s, &soft, err) < 0)
		return rf_error_prefix(err, "%s: soft limit", name);
	if (parse_value(res, hard_s, &hard, err) < 0)
		return rf_error_prefix(err, "%s: hard limit", name);
	if (soft > hard)
		return rf_error_set(err, 0, "%s: soft limit %s is above hard limit %s", name,
				    SHOW(res, soft), SHOW(res, hard));
	return rf_rlimit_set(p, res, soft, hard, err);
}

/* Is CAP_SYS_RESOURCE in our effective set? It is what lets setrlimit raise a
 * hard limit and oom_score_adj go below its floor. */
static int have_sys_resource(bool *yes, rf_error *err)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (syscall(SYS_capget, &hdr, data) < 0)
		return rf_error_set(err, errno, "capget");
	*yes = data[CAP_TO_INDEX(CAP_SYS_RESOURCE)].effective & CAP_TO_MASK(CAP_SYS_RESOURCE);
	return 0;
}

static uint64_t from_rlim(rlim_t v)
{
	return v == RLIM_INFINITY ? RF_MAX : (uint64_t)v;
}

static rlim_t to_rlim(uint64_t v)
{
	return v == RF_MAX || v >= (uint64_t)RLIM_INFINITY ? RLIM_INFINITY : (rlim_t)v;
}

static int read_oom_score_adj(int64_t *out, rf_error *err)
{
	cleanup_close int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
	char buf[32];
	ssize_t n;

	if (fd < 0)
		return rf_error_set(err, errno, "open `/proc/self/oom_score_adj`");
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return rf_error_set(err, errno, "read `/proc/self/oom_score_adj`");
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (rf_parse_i64(buf, -1000, 1000, out, err) < 0)
		return rf_error_prefix(err, "parse `/proc/self/oom_score_adj`");
	return 0;
}

static int plan_oom_score_adj(const rf_process *p, bool privileged, rf_error *err)
{
	int64_t cur;

	if (!p->oom_score_adj.set)
		return 0;
	if (p->oom_score_adj.v < -1000 || p->oom_score_adj.v > 1000)
		return rf_error_set(err, 0, "--oom-score-adj %" PRId64 ": expected -1000 to 1000",
				    p->oom_score_adj.v);
	if (privileged)
		return 0;
	if (read_oom_score_adj(&cur, err) < 0)
		return -1;
	/* The kernel's real floor (oom_score_adj_min) is not visible; the current
	 * value is the floor we can prove, so lowering below it needs the cap. */
	if (p->oom_score_adj.v < cur)
		return rf_error_set(err, 0,
				    "--oom-score-adj %" PRId64 " is below the current value %" PRId64
				    ": lowering it needs CAP_SYS_RESOURCE (run as root, or use a "
				    "value of at least %" PRId64 ")",
				    p->oom_score_adj.v, cur, cur);
	return 0;
}

int rf_rlimit_plan(rf_process *p, const rf_diag *diag, rf_error *err)
{
	bool privileged = false;

	if (have_sys_resource(&privileged, err) < 0)
		return -1;
	for (size_t i = 0; i < RF_ARRAY_SIZE(rlimits); i++) {
		int res = rlimits[i].resource;
		rf_rlimit *rl = &p->rlimits[res];
		struct rlimit cur;
		uint64_t own;

		if (!rl->set || privileged)
			continue;
		if (getrlimit(res, &cur) < 0)
			return rf_error_set(err, errno, "getrlimit %s", rlimits[i].name);
		own = from_rlim(cur.rlim_max);
		if (rl->hard <= own)
			continue;
		rf_warn(diag, "rlimit %s: hard limit %s is above your own hard limit %s and raising "
			"it needs CAP_SYS_RESOURCE; using %s", rlimits[i].name,
			SHOW(res, rl->hard), SHOW(res, own), SHOW(res, own));
		rl->hard = own;
		if (rl->soft > own)
			rl->soft = own;
	}
	return plan_oom_score_adj(p, privileged, err);
}

static int write_oom_score_adj(int64_t v, rf_error *err)
{
	cleanup_close int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%" PRId64, v);

	if (fd < 0)
		return rf_error_set(err, errno, "open `/proc/self/oom_score_adj`");
	if (write(fd, buf, (size_t)n) != n)
		return rf_error_set(err, errno, "write `%s` to `/proc/self/oom_score_adj`", buf);
	return 0;
}

int rf_rlimit_apply(const rf_process *p, rf_error *err)
{
	for (size_t i = 0; i < RF_ARRAY_SIZE(rlimits); i++) {
		int res = rlimits[i].resource;
		const rf_rlimit *rl = &p->rlimits[res];
		struct rlimit v;

		if (!rl->set)
			continue;
		v.rlim_cur = to_rlim(rl->soft);
		v.rlim_max = to_rlim(rl->hard);
		if (RF_FAULT("rlimit", rlimits[i].name) || setrlimit(res, &v) < 0)
			return rf_error_set(err, errno, "setrlimit %s (soft %s, hard %s)",
					    rlimits[i].name, SHOW(res, rl->soft), SHOW(res, rl->hard));
	}
	if (p->oom_score_adj.set && write_oom_score_adj(p->oom_score_adj.v, err) < 0)
		return -1;
	return 0;
}
