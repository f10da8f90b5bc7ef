/* Counters of the leaf and its ancestors, read through the cgroupfs helpers.
 * A file or key the kernel lacks stays RF_NA: the verdict reports null rather
 * than invent a value. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "counters.h"
#include "ringfence/cleanup.h"

static int64_t to_counter(uint64_t v, bool present)
{
	if (!present)
		return RF_NA;
	return v == RF_MAX ? RF_UNLIMITED : (int64_t)v;
}

/* A keyed file (memory.events, cpu.stat) read once; lookups parse the copy. */
typedef struct keyed_file {
	const char *name;
	bool ok;
	char text[4096];
} keyed_file;

static void keyed_load(int fd, const char *name, keyed_file *f)
{
	rf_error ignored;

	f->name = name;
	f->ok = cg_read(fd, name, f->text, sizeof(f->text), &ignored) >= 0;
}

/* The same from a file kept open (kernfs reads it afresh from offset 0). */
static void keyed_pread(int fd, const char *name, keyed_file *f)
{
	ssize_t n = pread(fd, f->text, sizeof(f->text) - 1, 0);

	f->name = name;
	f->ok = n >= 0;
	f->text[n > 0 ? n : 0] = '\0';
}

static int64_t keyed(const keyed_file *f, const char *key)
{
	uint64_t v = 0;
	bool present = false;
	rf_error ignored;

	if (!f->ok || cg_keyed_value(f->text, f->name, key, &v, &present, &ignored) < 0)
		return RF_NA;
	return to_counter(v, present);
}

static int64_t single(int fd, const char *file)
{
	uint64_t v = 0;
	bool present = false;
	rf_error ignored;

	if (cg_read_u64(fd, file, &v, &present, &ignored) < 0)
		return RF_NA;
	return to_counter(v, present);
}

void rf_counters_read_events(int fd, int events_fd, rf_counters *c)
{
	keyed_file f;

	if (events_fd >= 0)
		keyed_pread(events_fd, "memory.events", &f);
	else
		keyed_load(fd, "memory.events", &f);
	c->mem_low = keyed(&f, "low");
	c->mem_high = keyed(&f, "high");
	c->mem_max = keyed(&f, "max");
	c->mem_oom = keyed(&f, "oom");
	c->mem_oom_kill = keyed(&f, "oom_kill");
	c->mem_oom_group_kill = keyed(&f, "oom_group_kill");
}

void rf_counters_read(int fd, int events_fd, rf_counters *c)
{
	keyed_file f;

	rf_counters_read_events(fd, events_fd, c);
	keyed_load(fd, "pids.events", &f);
	c->pids_max_events = keyed(&f, "max");
	keyed_load(fd, "cpu.stat", &f);
	c->cpu_usage_usec = keyed(&f, "usage_usec");
	c->cpu_user_usec = keyed(&f, "user_usec");
	c->cpu_system_usec = keyed(&f, "system_usec");
	c->cpu_nr_periods = keyed(&f, "nr_periods");
	c->cpu_nr_throttled = keyed(&f, "nr_throttled");
	c->cpu_throttled_usec = keyed(&f, "throttled_usec");
	c->memory_max = single(fd, "memory.max");
	c->memory_peak = single(fd, "memory.peak");
	c->swap_max = single(fd, "memory.swap.max");
	c->pids_max = single(fd, "pids.max");
	c->pids_peak = single(fd, "pids.peak");
}

static int64_t ancestor_oom(const rf_ancestors *a, size_t i)
{
	keyed_file f;

	if (a->fd[i] < 0)
		return RF_NA;
	keyed_pread(a->fd[i], "memory.events.local", &f);
	return keyed(&f, "oom");
}

/* Every proper ancestor below the root (the root has no memory.events). Each
 * one's memory.events.local stays open until rf_ancestors_close(), so the
 * second reading is one pread. */
void rf_ancestors_snapshot(const cg_mount *m, const char *leaf_rel, rf_ancestors *a)
{
	char *slash;

	a->n = 0;
	if (snprintf(a->rel, sizeof(a->rel), "%s", leaf_rel) >= (int)sizeof(a->rel))
		return;
	for (size_t end = strlen(a->rel); a->n < RF_MAX_ANCESTORS; end = (size_t)(slash - a->rel)) {
		char path[PATH_MAX];

		slash = memrchr(a->rel, '/', end);
		if (!slash || slash == a->rel)
			break;
		a->len[a->n] = (size_t)(slash - a->rel);
		a->fd[a->n] = -1;
		if (snprintf(path, sizeof(path), "%s%.*s/memory.events.local", m->path,
			     (int)a->len[a->n], a->rel) < (int)sizeof(path))
			a->fd[a->n] = open(path, O_RDONLY | O_CLOEXEC);
		a->oom[a->n] = ancestor_oom(a, a->n);
		a->n++;
	}
}

int64_t rf_ancestors_oom_delta(const rf_ancestors *a)
{
	int64_t sum = 0;
	bool any = false;

	for (size_t i = 0; i < a->n; i++) {
		int64_t now = ancestor_oom(a, i);

		if (now == RF_NA || a->oom[i] == RF_NA)
			continue;
		any = true;
		sum += now - a->oom[i];
	}
	return any ? sum : RF_NA;
}

void rf_ancestors_close(rf_ancestors *a)
{
	for (size_t i = 0; i < a->n; i++)
		rf_closep(&a->fd[i]);
	a->n = 0;
}
