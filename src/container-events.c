/* `events`: a container's OOM kills as they happen and its stats at an
 * interval, until its cgroup empties.
 *
 * No polling loop for OOM: the kernel notifies a change of memory.events
 * (POLLPRI, then re-read) and of cgroup.events (populated 0: the container
 * is gone). A rise of oom_kill is an OOM kill in the container. Its "scope",
 * as the verdict reads it: "external" when an ancestor's local `oom` rose
 * since the last kill (its limit), else "limit" when the container's own
 * `oom` (its limit hit) rose since the watch began, else "external" (the
 * host). Not `oom` since the last kill: a group kill raises oom_kill twice
 * for one `oom` (the victim, then again with its group), and the second
 * rise may be read apart from the first. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "counters.h"
#include "ringfence/cleanup.h"
#include "ringfence/json.h"
#include "container-internal.h"

typedef struct watch {
	const char *id;
	cg_leaf leaf;
	rf_event_sink emit;
	void *userdata;
	uint64_t oom_kill, oom_start;
	const cg_mount *mount;
	rf_ancestors ancestors;  /* their local `oom` at the last kill */
} watch;

static void emit_doc(watch *w, rf_json_writer *j)
{
	cleanup_free char *text = NULL;
	size_t len;

	if (rf_json_writer_finish(j, &text, &len, NULL) == 0)
		w->emit(w->userdata, text);
	rf_json_writer_free(j);
}

static rf_json_writer *begin(watch *w, const char *type)
{
	rf_json_writer *j = rf_json_writer_new(false);

	if (!j)
		return NULL;
	rf_json_begin_object(j);
	rf_json_key(j, "type");
	rf_json_string(j, type);
	rf_json_key(j, "id");
	rf_json_string(j, w->id);
	return j;
}

static void counter(rf_json_writer *j, const char *key, int64_t v)
{
	rf_json_key(j, key);
	if (v == RF_NA || v == RF_UNLIMITED)
		rf_json_uint(j, 0);
	else
		rf_json_int(j, v);
}

/* runc's shape, the parts cgroup v2 has: cpu.usage in ns, memory.usage,
 * pids. */
static void stats(watch *w)
{
	rf_json_writer *j = begin(w, "stats");
	rf_counters c;
	uint64_t pids = 0, current = 0;
	bool present, current_present;
	rf_error ignored;

	if (!j)
		return;
	rf_counters_init(&c);
	rf_counters_read(w->leaf.dirfd, -1, &c);
	cg_read_u64(w->leaf.dirfd, "pids.current", &pids, &present, &ignored);
	/* Not among the verdict's counters: read for these stats alone. */
	if (cg_read_u64(w->leaf.dirfd, "memory.current", &current, &current_present, &ignored) < 0)
		current_present = false;
	rf_json_key(j, "data");
	rf_json_begin_object(j);
	rf_json_key(j, "cpu");
	rf_json_begin_object(j);
	rf_json_key(j, "usage");
	rf_json_begin_object(j);
	counter(j, "total", c.cpu_usage_usec == RF_NA ? RF_NA : c.cpu_usage_usec * 1000);
	counter(j, "user", c.cpu_user_usec == RF_NA ? RF_NA : c.cpu_user_usec * 1000);
	counter(j, "kernel", c.cpu_system_usec == RF_NA ? RF_NA : c.cpu_system_usec * 1000);
	rf_json_end_object(j);
	rf_json_end_object(j);
	rf_json_key(j, "memory");
	rf_json_begin_object(j);
	rf_json_key(j, "usage");
	rf_json_begin_object(j);
	counter(j, "usage", current_present && current != RF_MAX ? (int64_t)current : RF_NA);
	counter(j, "max", c.memory_peak);
	counter(j, "limit", c.memory_max);
	counter(j, "failcnt", c.mem_max);
	rf_json_end_object(j);
	rf_json_end_object(j);
	rf_json_key(j, "pids");
	rf_json_begin_object(j);
	counter(j, "current", present ? (int64_t)pids : RF_NA);
	counter(j, "limit", c.pids_max);
	rf_json_end_object(j);
	rf_json_end_object(j);
	rf_json_end_object(j);
	emit_doc(w, j);
}

/* oom_kill and oom from one read of memory.events. */
static void read_oom(watch *w, uint64_t *kills, uint64_t *limit_ooms)
{
	char text[4096];
	bool present;
	rf_error ignored;

	*kills = *limit_ooms = 0;
	if (cg_read(w->leaf.dirfd, "memory.events", text, sizeof(text), &ignored) < 0)
		return;
	cg_keyed_value(text, "memory.events", "oom_kill", kills, &present, &ignored);
	cg_keyed_value(text, "memory.events", "oom", limit_ooms, &present, &ignored);
}

static void check_oom(watch *w)
{
	uint64_t kills, limit_ooms;
	int64_t outside;
	rf_json_writer *j;

	read_oom(w, &kills, &limit_ooms);
	if (kills <= w->oom_kill)
		return;
	outside = rf_ancestors_oom_delta(&w->ancestors);
	if ((j = begin(w, "oom"))) {
		rf_json_key(j, "scope");
		rf_json_string(j, outside != RF_NA && outside > 0 ? "external"
				  : limit_ooms > w->oom_start ? "limit" : "external");
		rf_json_end_object(j);
		emit_doc(w, j);
	}
	w->oom_kill = kills;
	rf_ancestors_close(&w->ancestors);
	rf_ancestors_snapshot(w->mount, w->leaf.rel, &w->ancestors);
}

/* kernfs notifies a change once per read: read to (re)arm. */
static int arm(int dirfd, const char *file)
{
	char buf[512];
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && (lseek(fd, 0, SEEK_SET) < 0 || read(fd, buf, sizeof(buf)) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void rearm(int fd)
{
	char buf[512];

	if (lseek(fd, 0, SEEK_SET) == 0)
		while (read(fd, buf, sizeof(buf)) > 0)
			;
}

static bool emptied(watch *w)
{
	uint64_t populated = 1;
	bool present = false;
	rf_error ignored;

	return cg_read_keyed(w->leaf.dirfd, "cgroup.events", "populated", &populated, &present,
			     &ignored) < 0 || !present || !populated;
}

static int loop(watch *w, uint64_t interval_ms, rf_error *err)
{
	struct itimerspec its = {
		.it_interval = { .tv_sec = (time_t)(interval_ms / 1000),
				 .tv_nsec = (long)(interval_ms % 1000) * 1000000 },
	};
	struct pollfd fds[3];
	int r = 0;

	/* The counters first: what happens after this is reported (a kill
	 * before the files are armed is seen by the next read). The timer is
	 * made last, so a watcher that has it has its baseline. */
	read_oom(w, &w->oom_kill, &w->oom_start);
	rf_ancestors_snapshot(w->mount, w->leaf.rel, &w->ancestors);
	fds[0] = (struct pollfd){ .fd = arm(w->leaf.dirfd, "memory.events"), .events = POLLPRI };
	fds[1] = (struct pollfd){ .fd = arm(w->leaf.dirfd, "cgroup.events"), .events = POLLPRI };
	fds[2] = (struct pollfd){ .fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC),
				  .events = POLLIN };

	if (fds[0].fd < 0 || fds[1].fd < 0 || fds[2].fd < 0) {
		r = rf_error_set(err, errno, "watch the cgroup `%s`", w->leaf.rel);
		goto out;
	}
	its.it_value = its.it_interval;
	if (interval_ms)
		timerfd_settime(fds[2].fd, 0, &its, NULL);
	while (!emptied(w)) {
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			r = rf_error_set(err, errno, "wait for events");
			break;
		}
		if (fds[0].revents) {
			rearm(fds[0].fd);
			check_oom(w);
		}
		if (fds[1].revents)
			rearm(fds[1].fd);
		if (fds[2].revents & POLLIN) {
			uint64_t ticks;

			if (read(fds[2].fd, &ticks, sizeof(ticks)) == sizeof(ticks))
				stats(w);
		}
	}
	check_oom(w);   /* the OOM that emptied it */
out:
	for (size_t i = 0; i < RF_ARRAY_SIZE(fds); i++)
		rf_closep(&fds[i].fd);
	rf_ancestors_close(&w->ancestors);
	return r;
}

int rf_container_events(const char *root, const char *id, uint64_t interval_ms, bool once,
			rf_event_sink emit, void *userdata, rf_error *err)
{
	cg_mount m;
	watch w = { .id = id, .emit = emit, .userdata = userdata, .mount = &m };
	rf_container c;
	int r;

	if (rf_container_open_live(root, id, false, &c, err) < 0)
		return -1;
	r = rf_container_leaf(&c, &m, &w.leaf, err);
	/* The watch may last: it holds no lock, only the leaf. */
	rf_container_close(&c);
	if (r < 0)
		return -1;
	if (once)
		stats(&w);
	else
		r = loop(&w, interval_ms, err);
	cg_leaf_close(&w.leaf);
	return r;
}
