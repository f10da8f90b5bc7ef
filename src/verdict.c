/* Why the command ended: classification from a counter snapshot and the wait
 * status, the one-line summary, and the JSON verdict (schema: ringfence-run(1)).
 * Everything here is pure, so it is unit-tested from snapshots. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "ringfence/cleanup.h"
#include "ringfence/json.h"
#include "ringfence/verdict.h"

void rf_counters_init(rf_counters *c)
{
	int64_t *fields[] = {
		&c->mem_low, &c->mem_high, &c->mem_max, &c->mem_oom, &c->mem_oom_kill,
		&c->mem_oom_group_kill, &c->memory_max, &c->memory_peak,
		&c->swap_max, &c->ancestor_oom, &c->pids_max, &c->pids_max_events, &c->pids_peak,
		&c->cpu_usage_usec, &c->cpu_user_usec, &c->cpu_system_usec, &c->cpu_nr_periods,
		&c->cpu_nr_throttled, &c->cpu_throttled_usec,
	};

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < RF_ARRAY_SIZE(fields); i++)
		*fields[i] = RF_NA;
}

const char *rf_verdict_kind_name(rf_verdict_kind k)
{
	switch (k) {
	case RF_VERDICT_EXITED: return "exited";
	case RF_VERDICT_SIGNALED: return "signaled";
	case RF_VERDICT_OOM_LIMIT: return "oom-limit";
	case RF_VERDICT_OOM_EXTERNAL: return "oom-external";
	case RF_VERDICT_TIMEOUT: return "timeout";
	case RF_VERDICT_LAUNCH_FAILED: return "launch-failed";
	case RF_VERDICT_STOPPED: return "stopped";
	}
	return "unknown";
}

const char *rf_oom_scope_name(rf_oom_scope s)
{
	switch (s) {
	case RF_SCOPE_NONE: return NULL;
	case RF_SCOPE_LIMIT: return "limit";
	case RF_SCOPE_ANCESTOR: return "ancestor";
	case RF_SCOPE_NODE: return "node";
	case RF_SCOPE_HOST: return "host";
	case RF_SCOPE_EXTERNAL: return "external";
	}
	return NULL;
}

static bool positive(int64_t v)
{
	return v != RF_NA && v > 0;
}

/* The kernel counts the first victim of a group kill twice in oom_kill:
 * once as the victim and again with the rest of its group. */
int64_t rf_oom_processes_killed(const rf_counters *c)
{
	if (!positive(c->mem_oom_kill))
		return 0;
	if (positive(c->mem_oom_group_kill) && c->mem_oom_kill > c->mem_oom_group_kill)
		return c->mem_oom_kill - c->mem_oom_group_kill;
	return c->mem_oom_kill;
}

/* Where the OOM that killed us came from. The leaf's own `oom` event counts
 * only OOMs at its own memory.max; an ancestor's limit raises the ancestor's
 * local `oom`; a global or NUMA-constrained OOM raises neither, and the
 * kernel's report (kmsg) says which. */
static rf_oom_scope oom_scope(const rf_counters *c, rf_oom_scope kmsg)
{
	if (positive(c->mem_oom))
		return RF_SCOPE_LIMIT;
	if (positive(c->ancestor_oom))
		return RF_SCOPE_ANCESTOR;
	if (kmsg == RF_SCOPE_NODE || kmsg == RF_SCOPE_HOST || kmsg == RF_SCOPE_ANCESTOR)
		return kmsg;
	return RF_SCOPE_EXTERNAL;
}

void rf_verdict_classify(rf_verdict *v, bool plain_exit)
{
	const rf_outcome *o = &v->o;
	int st = o->wait_status;

	v->status_code = -1;
	v->signal = 0;
	v->scope = positive(v->c.mem_oom_kill) ? oom_scope(&v->c, o->kmsg_scope) : RF_SCOPE_NONE;
	if (!o->launched) {
		v->kind = RF_VERDICT_LAUNCH_FAILED;
		v->exit_code = o->launch_code;
		return;
	}
	if (o->status_unknown) {
		/* A container's process: its parent (conmon, containerd's shim)
		 * reaped it and has its status. The counters still tell an OOM. */
		v->exit_code = -1;
		if (v->scope == RF_SCOPE_LIMIT)
			v->kind = RF_VERDICT_OOM_LIMIT;
		else if (v->scope != RF_SCOPE_NONE)
			v->kind = RF_VERDICT_OOM_EXTERNAL;
		else
			v->kind = RF_VERDICT_STOPPED;
		return;
	}
	if (WIFEXITED(st))
		v->status_code = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		v->signal = WTERMSIG(st);
	v->exit_code = v->signal ? 128 + v->signal : v->status_code;

	if (o->timed_out)
		v->kind = RF_VERDICT_TIMEOUT;
	else if (v->signal == SIGKILL && v->scope == RF_SCOPE_LIMIT)
		v->kind = RF_VERDICT_OOM_LIMIT;
	else if (v->signal == SIGKILL && v->scope != RF_SCOPE_NONE)
		v->kind = RF_VERDICT_OOM_EXTERNAL;
	else if (v->signal)
		v->kind = RF_VERDICT_SIGNALED;
	else
		v->kind = RF_VERDICT_EXITED;

	if (plain_exit)
		return;
	if (v->kind == RF_VERDICT_TIMEOUT)
		v->exit_code = RF_EXIT_TIMEOUT;
	else if (v->kind == RF_VERDICT_OOM_LIMIT)
		v->exit_code = RF_EXIT_OOM_LIMIT;
	else if (v->kind == RF_VERDICT_OOM_EXTERNAL)
		v->exit_code = RF_EXIT_OOM_EXTERNAL;
}

void rf_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%lluB", (unsigned long long)bytes);
		return;
	}
	while (v >= 1024.0 && u < 5) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, len, "%.1f%c", v, units[u]);
}

/* Append printf output to buf at *used, never overflowing. */
__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used = *used + (size_t)n < len ? *used + (size_t)n : len - 1;
}

static const char *scope_words(rf_oom_scope s)
{
	switch (s) {
	case RF_SCOPE_ANCESTOR: return "a parent cgroup's limit";
	case RF_SCOPE_NODE: return "a NUMA node ran out";
	case RF_SCOPE_HOST: return "the host ran out of memory";
	default: return "memory shortage outside the sandbox";
	}
}

/* "(peak 64.0M, 1 process killed)" */
static void append_details(const rf_verdict *v, char *buf, size_t len, size_t *used)
{
	char peak[32];
	bool any = false;

	append(buf, len, used, " (");
	if (v->c.memory_peak != RF_NA) {
		rf_format_size((uint64_t)v->c.memory_peak, peak, sizeof(peak));
		append(buf, len, used, "peak %s", peak);
		any = true;
	}
	if (positive(v->c.mem_oom_kill)) {
		int64_t n = rf_oom_processes_killed(&v->c);

		append(buf, len, used, "%s%lld process%s killed by OOM", any ? ", " : "",
		       (long long)n, n == 1 ? "" : "es");
		any = true;
	}
	append(buf, len, used, "%s%.2fs)", any ? ", " : "", (double)v->o.wall_ms / 1000.0);
}

void rf_verdict_summary(const rf_verdict *v, char *buf, size_t len)
{
	char limit[32] = "?";
	size_t used = 0;

	buf[0] = '\0';
	if (v->c.memory_max != RF_NA && v->c.memory_max != RF_UNLIMITED)
		rf_format_size((uint64_t)v->c.memory_max, limit, sizeof(limit));
	switch (v->kind) {
	case RF_VERDICT_LAUNCH_FAILED:
		append(buf, len, &used, "%s", v->o.launch_msg);
		break;
	case RF_VERDICT_EXITED:
		append(buf, len, &used, "exited with code %d", v->status_code);
		break;
	case RF_VERDICT_STOPPED:
		append(buf, len, &used, "stopped; its exit status went to its parent");
		break;
	case RF_VERDICT_SIGNALED:
		append(buf, len, &used, "killed by signal %d (SIG%s)", v->signal,
		       sigabbrev_np(v->signal) ? sigabbrev_np(v->signal) : "?");
		break;
	case RF_VERDICT_OOM_LIMIT:
		append(buf, len, &used, "killed by OOM at memory limit %s", limit);
		break;
	case RF_VERDICT_OOM_EXTERNAL:
		append(buf, len, &used, "killed by OOM from outside the sandbox: %s",
		       scope_words(v->scope));
		break;
	case RF_VERDICT_TIMEOUT:
		append(buf, len, &used, "timed out: SIGTERM%s",
		       v->o.killed_by_us ? ", then cgroup.kill" : "");
		break;
	}
	if (v->kind != RF_VERDICT_LAUNCH_FAILED)
		append_details(v, buf, len, &used);
	if (positive(v->c.pids_max_events))
		append(buf, len, &used, "; hit the pids limit %lld time%s", (long long)v->c.pids_max_events,
		       v->c.pids_max_events == 1 ? "" : "s");
	if (v->exit_code >= 0)
		append(buf, len, &used, "; exit %d", v->exit_code);
}

/* ---- JSON ------------------------------------------------------------ */

static void json_counter(rf_json_writer *w, const char *key, int64_t v)
{
	rf_json_key(w, key);
	if (v == RF_NA)
		rf_json_null(w);
	else if (v == RF_UNLIMITED)
		rf_json_string(w, "max");
	else
		rf_json_int(w, v);
}

static void json_oom(rf_json_writer *w, const rf_verdict *v)
{
	rf_json_key(w, "oom");
	rf_json_begin_object(w);
	json_counter(w, "kills", v->c.mem_oom_kill);
	json_counter(w, "group_kills", v->c.mem_oom_group_kill);
	json_counter(w, "limit_hits", v->c.mem_max);
	json_counter(w, "events", v->c.mem_oom);
	rf_json_key(w, "scope");
	rf_json_string(w, rf_oom_scope_name(v->scope));
	rf_json_end_object(w);
}

static void json_memory(rf_json_writer *w, const rf_verdict *v)
{
	rf_json_key(w, "memory");
	rf_json_begin_object(w);
	json_counter(w, "max", v->c.memory_max);
	json_counter(w, "peak", v->c.memory_peak);
	json_counter(w, "high_events", v->c.mem_high);
	json_counter(w, "swap_max", v->c.swap_max);
	rf_json_key(w, "numa");
	if (!v->c.n_numa) {
		rf_json_null(w);
	} else {
		rf_json_begin_object(w);
		for (size_t i = 0; i < v->c.n_numa; i++) {
			char node[16];

			snprintf(node, sizeof(node), "%zu", i);
			json_counter(w, node, v->c.numa_peak[i]);
		}
		rf_json_end_object(w);
	}
	rf_json_end_object(w);
}

static void json_pids_cpu(rf_json_writer *w, const rf_verdict *v)
{
	rf_json_key(w, "pids");
	rf_json_begin_object(w);
	json_counter(w, "max", v->c.pids_max);
	json_counter(w, "limit_hits", v->c.pids_max_events);
	json_counter(w, "peak", v->c.pids_peak);
	rf_json_end_object(w);

	rf_json_key(w, "cpu");
	rf_json_begin_object(w);
	json_counter(w, "usage_usec", v->c.cpu_usage_usec);
	json_counter(w, "user_usec", v->c.cpu_user_usec);
	json_counter(w, "system_usec", v->c.cpu_system_usec);
	json_counter(w, "nr_periods", v->c.cpu_nr_periods);
	json_counter(w, "nr_throttled", v->c.cpu_nr_throttled);
	json_counter(w, "throttled_usec", v->c.cpu_throttled_usec);
	rf_json_end_object(w);
}

void rf_verdict_json_write(rf_json_writer *w, const rf_verdict *v)
{
	rf_json_begin_object(w);
	rf_json_key(w, "verdict");
	rf_json_string(w, rf_verdict_kind_name(v->kind));
	rf_json_key(w, "exit_code");
	if (v->exit_code < 0)
		rf_json_null(w);
	else
		rf_json_int(w, v->exit_code);
	rf_json_key(w, "status");
	rf_json_begin_object(w);
	json_counter(w, "code", v->status_code < 0 ? RF_NA : v->status_code);
	json_counter(w, "signal", v->signal ? v->signal : RF_NA);
	rf_json_end_object(w);
	rf_json_key(w, "message");
	rf_json_string(w, v->kind == RF_VERDICT_LAUNCH_FAILED ? v->o.launch_msg : NULL);
	json_oom(w, v);
	json_pids_cpu(w, v);
	json_memory(w, v);
	rf_json_key(w, "timed_out");
	rf_json_bool(w, v->o.timed_out);
	json_counter(w, "forwarded_signal", v->o.forwarded_signal ? v->o.forwarded_signal : RF_NA);
	rf_json_key(w, "wall_time_ms");
	rf_json_uint(w, v->o.wall_ms);
	rf_json_key(w, "cgroup");
	rf_json_string(w, v->cgroup[0] ? v->cgroup : NULL);
	rf_json_end_object(w);
}

int rf_verdict_json(const rf_verdict *v, char **out, size_t *out_len, rf_error *err)
{
	rf_json_writer *w = rf_json_writer_new(false);
	int r;

	if (!w)
		return rf_error_set(err, ENOMEM, "create the JSON verdict");
	rf_verdict_json_write(w, v);
	r = rf_json_writer_finish(w, out, out_len, err);
	rf_json_writer_free(w);
	return r;
}
