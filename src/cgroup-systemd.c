/* The systemd cgroup manager (cgroup-manager.h): a transient scope per run,
 * asked of systemd over D-Bus (dbus.c), with the supervisor and the leaf
 * inside it.
 *
 * Theory of operation
 * ===================
 * Which systemd. Root asks the system manager, anyone else their own user
 * manager (user@UID.service), each first on systemd's private socket
 * (`/run/systemd/private`, `$XDG_RUNTIME_DIR/systemd/private`: no broker,
 * no Hello, JobRemoved is sent to every such connection), else on the bus
 * (`/run/dbus/system_bus_socket`, `$DBUS_SESSION_BUS_ADDRESS` or
 * `$XDG_RUNTIME_DIR/bus`: Hello, and AddMatch for JobRemoved). Without
 * XDG_RUNTIME_DIR (su, sudo, cron) the runtime directory is
 * /run/user/EUID when it exists and is ours.
 *
 * The call. StartTransientUnit(NAME, "fail", properties, []) with NAME
 * `ringfence-PID-RANDOM.scope`, unique per run, so that a failed scope left
 * loaded can never block the next run (crun#1092), and the properties
 * PIDs=[our pid] (systemd moves us into the scope), Delegate=yes (the
 * cgroups below the scope are ours), CollectMode=inactive-or-failed (a
 * failed scope is unloaded too), DefaultDependencies=no, Description=,
 * OOMPolicy=continue (an OOM kill in the payload must not stop the scope
 * with the supervisor in it; a systemd that refuses the property is asked
 * again without it) and Slice= when asked. A non-root caller's pid is in a
 * session's cgroup, which its user manager cannot write: it asks the system
 * manager to move us (over the system bus).
 *
 * The job. We wait for JobRemoved of the job the call returned, bounded
 * (RF_SYSTEMD_TIMEOUT_MS for the whole exchange). Signals that come before
 * the call's reply are kept, since the job may finish first. Any result but
 * "done" fails the run, after ResetFailedUnit so nothing stays loaded.
 *
 * The layout. Our cgroup is read back from /proc/self/cgroup (the
 * name-to-path mapping is not systemd's public API; slices nest by dashes).
 * Inside the scope we make `supervisor` and move there, and only then
 * enable the controllers in the scope's cgroup.subtree_control (a cgroup
 * with processes cannot give domain controllers to children). The leaf goes
 * beside `supervisor` with the limits; the scope itself gets none:
 * systemd owns its attributes. The supervisor must stay in the scope: a
 * scope whose last process leaves is stopped and its whole subtree, the
 * leaf's counters with it, removed.
 *
 * The end. When the supervisor exits, the scope is empty; systemd stops it
 * and, with CollectMode, unloads it. There is nothing to release.
 *
 * The OCI runtime (--systemd-cgroup) names the scope from cgroupsPath, and
 * its `create` exits while the container runs: it leaves a keeper in
 * `supervisor` (cgroup-systemd-oci.c) so that the scope, and the leaf's
 * counters with it, last until `delete` stops the scope (cg_systemd_stop). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ringfence/cgroup-manager.h"
#include "ringfence/cleanup.h"
#include "ringfence/dbus.h"
#include "cgroup-internal.h"

#define RF_SYSTEMD_TIMEOUT_MS 30000
#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_SUPERVISOR "supervisor"
#define SD_DROPIN "/etc/systemd/system/user@.service.d/delegate.conf"

/* ---- names -------------------------------------------------------------- */

int cg_systemd_slice_name(const char *in, char *out, size_t len, rf_error *err)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.\\-";
	size_t n = strlen(in), stem;

	if (n > 6 && !strcmp(in + n - 6, ".slice"))
		stem = n - 6;
	else
		stem = n;
	if (!stem || stem + 6 >= len || stem + 6 > 255 || strspn(in, ok) != n ||
	    in[0] == '-' || in[0] == '.' || in[stem - 1] == '-' || strstr(in, "--") ||
	    memchr(in, '.', stem) != NULL)
		return rf_error_set(err, EINVAL,
				    "`%s` is not a slice name (expected NAME or NAME.slice of letters, "
				    "digits, `_`, `:` and `-`; a `-` nests, as in `ci-jobs.slice` inside "
				    "`ci.slice`, so none leading, trailing or doubled)", in);
	snprintf(out, len, "%.*s.slice", (int)stem, in);
	return 0;
}

static void unique_unit(char *buf, size_t len)
{
	unsigned int r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	snprintf(buf, len, "ringfence-%d-%08x.scope", (int)getpid(), r);
}

/* ---- which systemd ---------------------------------------------------------- */

typedef struct sd_target {
	bool user;
	char private_path[PATH_MAX];
	char bus_path[PATH_MAX];
} sd_target;

static bool is_socket(const char *path)
{
	struct stat st;

	return path[0] && stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* $XDG_RUNTIME_DIR, else /run/user/EUID when it is a directory of ours. */
static bool runtime_dir(char *buf, size_t len)
{
	const char *env = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (env && env[0] == '/') {
		snprintf(buf, len, "%s", env);
		return true;
	}
	snprintf(buf, len, "/run/user/%u", (unsigned)geteuid());
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid();
}

/* The first `unix:path=` of a D-Bus address list into buf. */
static bool address_path(const char *address, char *buf, size_t len)
{
	const char *p = address ? strstr(address, "unix:path=") : NULL;

	if (!p)
		return false;
	p += strlen("unix:path=");
	snprintf(buf, len, "%.*s", (int)strcspn(p, ",;"), p);
	return buf[0] == '/';
}

static void locate(sd_target *t)
{
	char dir[PATH_MAX - 32];

	memset(t, 0, sizeof(*t));
	t->user = geteuid() != 0;
	if (!t->user) {
		snprintf(t->private_path, sizeof(t->private_path), "/run/systemd/private");
		if (!address_path(getenv("DBUS_SYSTEM_BUS_ADDRESS"), t->bus_path, sizeof(t->bus_path)))
			snprintf(t->bus_path, sizeof(t->bus_path), "/run/dbus/system_bus_socket");
		return;
	}
	if (!runtime_dir(dir, sizeof(dir)))
		return;
	snprintf(t->private_path, sizeof(t->private_path), "%s/systemd/private", dir);
	if (!address_path(getenv("DBUS_SESSION_BUS_ADDRESS"), t->bus_path, sizeof(t->bus_path)))
		snprintf(t->bus_path, sizeof(t->bus_path), "%s/bus", dir);
}

static bool target_found(const sd_target *t)
{
	return is_socket(t->private_path) || is_socket(t->bus_path);
}

/* Why there is no manager to ask, with the fix. */
static void explain_absent(const sd_target *t, char *buf, size_t len)
{
	struct stat st;

	if (stat("/run/systemd/system", &st) < 0)
		snprintf(buf, len, "systemd does not run this host (no /run/systemd/system), so "
			 "there is no %s to ask for a scope", t->user ? "user manager" : "manager");
	else if (!t->user)
		snprintf(buf, len, "systemd answers on neither `%s` nor `%s`", t->private_path,
			 t->bus_path);
	else if (!t->private_path[0])
		snprintf(buf, len, "no systemd user manager: XDG_RUNTIME_DIR is not set and "
			 "/run/user/%u does not exist (`loginctl enable-linger %u`, or a login, "
			 "starts one)", (unsigned)geteuid(), (unsigned)geteuid());
	else
		snprintf(buf, len, "no systemd user manager answers at `%s` "
			 "(`loginctl enable-linger %u`, or a login, starts one)", t->private_path,
			 (unsigned)geteuid());
}

bool cg_systemd_found(char *why, size_t len)
{
	sd_target t;

	locate(&t);
	if (!target_found(&t)) {
		explain_absent(&t, why, len);
		return false;
	}
	snprintf(why, len, "%s at `%s`", t.user ? "your user manager" : "the system manager",
		 is_socket(t.private_path) ? t.private_path : t.bus_path);
	return true;
}

static int sd_connect(const sd_target *t, rf_dbus *c, rf_error *err)
{
	char why[512];

	if (!target_found(t)) {
		explain_absent(t, why, sizeof(why));
		return rf_error_set(err, ENOENT, "%s", why);
	}
	if (is_socket(t->private_path) &&
	    rf_dbus_connect(c, t->private_path, false, RF_SYSTEMD_TIMEOUT_MS, err) == 0)
		return 0;
	if (!is_socket(t->bus_path))
		return -1;
	rf_dbus_close(c);
	return rf_dbus_connect(c, t->bus_path, true, RF_SYSTEMD_TIMEOUT_MS, err);
}

/* ---- calls ---------------------------------------------------------------- */

static void begin(rf_dbus *c, rf_dbus_buf *b, const char *interface, const char *member,
		  const char *signature)
{
	rf_dbus_method m = {
		.destination = c->bus ? SD_DEST : NULL, .path = SD_PATH,
		.interface = interface, .member = member, .signature = signature,
	};

	rf_dbus_begin_call(b, rf_dbus_next_serial(c), &m);
}

/* Call and wait; on a bus, signals go to on_signal. */
static int finish_and_call(rf_dbus *c, rf_dbus_buf *b, rf_dbus_reply *reply,
			   rf_dbus_signal_fn on_signal, void *ud, char *name, size_t name_len,
			   rf_error *err)
{
	int r = rf_dbus_finish(b, err);

	if (r == 0)
		r = rf_dbus_call(c, b, reply, on_signal, ud, name, name_len, err);
	rf_dbus_buf_free(b);
	return r;
}

static int control_group(rf_dbus *c, char *buf, size_t len, rf_error *err)
{
	rf_dbus_buf b;
	rf_dbus_reply reply;
	rf_dbus_reader rd;
	const char *cg;

	begin(c, &b, "org.freedesktop.DBus.Properties", "Get", "ss");
	rf_dbus_put_string(&b, 's', SD_MANAGER);
	rf_dbus_put_string(&b, 's', "ControlGroup");
	if (finish_and_call(c, &b, &reply, NULL, NULL, NULL, 0, err) < 0)
		return rf_error_prefix(err, "ask systemd for its cgroup");
	rf_dbus_reader_init(&rd, &reply.m);
	if (rf_dbus_read_variant_string(&rd, &cg, err) < 0) {
		rf_dbus_reply_free(&reply);
		return rf_error_prefix(err, "ask systemd for its cgroup");
	}
	snprintf(buf, len, "%s", cg[0] ? cg : "/");
	rf_dbus_reply_free(&reply);
	return 0;
}

static int add_match(rf_dbus *c, rf_error *err)
{
	rf_dbus_method m = {
		.destination = "org.freedesktop.DBus", .path = "/org/freedesktop/DBus",
		.interface = "org.freedesktop.DBus", .member = "AddMatch", .signature = "s",
	};
	rf_dbus_buf b;

	rf_dbus_begin_call(&b, rf_dbus_next_serial(c), &m);
	rf_dbus_put_string(&b, 's', "type='signal',sender='" SD_DEST "',path='" SD_PATH "',"
			   "interface='" SD_MANAGER "',member='JobRemoved'");
	return finish_and_call(c, &b, NULL, NULL, NULL, NULL, 0, err);
}

static void reset_failed(rf_dbus *c, const char *unit)
{
	rf_dbus_buf b;
	rf_error ignored;

	begin(c, &b, SD_MANAGER, "ResetFailedUnit", "s");
	rf_dbus_put_string(&b, 's', unit);
	finish_and_call(c, &b, NULL, NULL, NULL, NULL, 0, &ignored);
}

/* The JobRemoved signals seen, until ours. */
typedef struct job_wait {
	char job[256];               /* ours, once the call returned it */
	bool done;
	char result[32];
	size_t n_early;              /* seen before we knew ours */
	char early[8][256], early_result[8][32];
} job_wait;

static void on_job_removed(const rf_dbus_msg *m, void *userdata)
{
	job_wait *w = userdata;
	rf_dbus_reader rd;
	const char *job, *unit, *result;
	uint32_t id;

	if (!m->interface || strcmp(m->interface, SD_MANAGER) || strcmp(m->member, "JobRemoved") ||
	    strcmp(m->signature, "uoss"))
		return;
	rf_dbus_reader_init(&rd, m);
	if (rf_dbus_read_u32(&rd, &id, NULL) < 0 || rf_dbus_read_string(&rd, 'o', &job, NULL) < 0 ||
	    rf_dbus_read_string(&rd, 's', &unit, NULL) < 0 ||
	    rf_dbus_read_string(&rd, 's', &result, NULL) < 0)
		return;
	if (w->job[0] && !strcmp(job, w->job)) {
		w->done = true;
		snprintf(w->result, sizeof(w->result), "%s", result);
	} else if (!w->job[0] && w->n_early < RF_ARRAY_SIZE(w->early)) {
		snprintf(w->early[w->n_early], sizeof(w->early[0]), "%s", job);
		snprintf(w->early_result[w->n_early++], sizeof(w->early_result[0]), "%s", result);
	}
}

static bool job_done(void *userdata)
{
	return ((job_wait *)userdata)->done;
}

static void put_property(rf_dbus_buf *b, const char *name, const char *sig)
{
	rf_dbus_open_struct(b);
	rf_dbus_put_string(b, 's', name);
	rf_dbus_put_signature(b, sig);
}

static void put_properties(rf_dbus_buf *b, const cg_request *req, bool oom_policy)
{
	char description[256];
	rf_dbus_array props, pids;

	snprintf(description, sizeof(description), "%s",
		 req->description ? req->description : "ringfence sandbox");
	props = rf_dbus_open_array(b, 8);
	put_property(b, "Description", "s");
	rf_dbus_put_string(b, 's', description);
	put_property(b, "PIDs", "au");
	pids = rf_dbus_open_array(b, 4);
	rf_dbus_put_u32(b, (uint32_t)getpid());
	rf_dbus_close_array(b, pids);
	put_property(b, "Delegate", "b");
	rf_dbus_put_bool(b, true);
	put_property(b, "CollectMode", "s");
	rf_dbus_put_string(b, 's', "inactive-or-failed");
	put_property(b, "DefaultDependencies", "b");
	rf_dbus_put_bool(b, false);
	if (oom_policy) {
		put_property(b, "OOMPolicy", "s");
		rf_dbus_put_string(b, 's', "continue");
	}
	if (req->slice) {
		put_property(b, "Slice", "s");
		rf_dbus_put_string(b, 's', req->slice);
	}
	rf_dbus_close_array(b, props);
}

/* Send `b`, a call that returns a job, and note the job in w (and whether
 * its JobRemoved came first). */
static int call_job(rf_dbus *c, rf_dbus_buf *b, job_wait *w, char *name, size_t name_len,
		    rf_error *err)
{
	rf_dbus_reply reply;
	rf_dbus_reader rd;
	const char *job;

	if (finish_and_call(c, b, &reply, on_job_removed, w, name, name_len, err) < 0)
		return -1;
	rf_dbus_reader_init(&rd, &reply.m);
	if (rf_dbus_read_string(&rd, 'o', &job, err) < 0) {
		rf_dbus_reply_free(&reply);
		return -1;
	}
	snprintf(w->job, sizeof(w->job), "%s", job);
	rf_dbus_reply_free(&reply);
	for (size_t i = 0; i < w->n_early; i++)
		if (!strcmp(w->early[i], w->job)) {
			w->done = true;
			snprintf(w->result, sizeof(w->result), "%s", w->early_result[i]);
		}
	return 0;
}

static int start_unit(rf_dbus *c, const cg_request *req, const char *unit, bool oom_policy,
		      job_wait *w, char *name, size_t name_len, rf_error *err)
{
	rf_dbus_buf b;
	rf_dbus_array aux;

	begin(c, &b, SD_MANAGER, "StartTransientUnit", "ssa(sv)a(sa(sv))");
	rf_dbus_put_string(&b, 's', unit);
	rf_dbus_put_string(&b, 's', "fail");
	put_properties(&b, req, oom_policy);
	aux = rf_dbus_open_array(&b, 8);
	rf_dbus_close_array(&b, aux);
	return call_job(c, &b, w, name, name_len, err);
}

/* Start the scope `unit` with us in it and wait for its job. */
static int start_scope(rf_dbus *c, const cg_request *req, const char *unit, rf_error *err)
{
	job_wait w = { 0 };
	char name[128];

	if (c->bus && add_match(c, err) < 0)
		return rf_error_prefix(err, "subscribe to systemd's JobRemoved");
	if (start_unit(c, req, unit, true, &w, name, sizeof(name), err) < 0) {
		/* systemd < 253 (and some 252s) refuse OOMPolicy on a scope. */
		if (!strstr(err->msg, "OOMPolicy"))
			return -1;
		memset(&w, 0, sizeof(w));
		if (start_unit(c, req, unit, false, &w, name, sizeof(name), err) < 0)
			return -1;
	}
	if (!w.done && rf_dbus_wait(c, on_job_removed, job_done, &w, err) < 0) {
		reset_failed(c, unit);
		return rf_error_prefix(err, "wait for the job of scope `%s`", unit);
	}
	if (strcmp(w.result, "done")) {
		reset_failed(c, unit);
		return rf_error_set(err, EIO, "systemd could not start scope `%s` (job result `%s`; "
				    "see `journalctl%s -u %s`)", unit, w.result,
				    geteuid() ? " --user" : "", unit);
	}
	return 0;
}

/* ---- the scope's inside ------------------------------------------------------ */

static const char *controller_flags(unsigned missing)
{
	if (missing & CG_CTRL_CPU)
		return "--cpus and --cpu-weight need";
	if (missing & CG_CTRL_CPUSET)
		return "--cpuset-cpus and --numa-bind need";
	if (missing & CG_CTRL_IO)
		return "io limits need";
	return "every run needs";
}

static int explain_controllers(const char *scope, unsigned missing, rf_error *err)
{
	char names[128];

	cg_controllers_text(missing, names, sizeof(names));
	if (geteuid() == 0)
		return rf_error_set(err, ENOTSUP, "systemd gave scope `%s` no %s controller, which %s "
				    "(is it enabled at the cgroup2 root?)", scope, names,
				    controller_flags(missing));
	return rf_error_set(err, ENOTSUP,
			    "your user manager gave scope `%s` no %s controller, which %s: systemd "
			    "delegates only some controllers to user@.service; to delegate more, write "
			    "`[Service]` and `Delegate=cpu cpuset io memory pids` to `%s`, run "
			    "`systemctl daemon-reload` and log in again", scope, names,
			    controller_flags(missing), SD_DROPIN);
}

/* Move into SCOPE/supervisor, check and enable the controllers. */
static int settle(const cg_mount *m, const char *rel, unsigned need, rf_error *err)
{
	char path[PATH_MAX], buf[512], pid[32];
	cleanup_close int fd = -1;
	unsigned avail;

	if (cg_join_path(path, sizeof(path), m->path, rel, err) < 0)
		return -1;
	fd = cg_open_dir(path, err);
	if (fd < 0)
		return -1;
	if (mkdirat(fd, SD_SUPERVISOR, 0755) < 0 && errno != EEXIST)
		return rf_error_set(err, errno, "create `%s/%s`", rel, SD_SUPERVISOR);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (cg_write(fd, SD_SUPERVISOR "/cgroup.procs", pid, err) < 0)
		return rf_error_prefix(err, "move into `%s/%s`", rel, SD_SUPERVISOR);
	if (cg_read(fd, "cgroup.controllers", buf, sizeof(buf), err) < 0)
		return rf_error_prefix(err, "scope `%s`", rel);
	avail = cg_parse_controllers(buf);
	if ((avail & need) != need)
		return explain_controllers(rel, need & ~avail, err);
	return cg_subtree_enable(fd, rel, need, NULL, err) < 0
	       ? rf_error_prefix(err, "enable controllers in scope `%s`", rel) : 0;
}

static int systemd_place(const cg_request *req, cg_placement *p, const rf_diag *diag,
			 rf_error *err)
{
	cleanup_free rf_dbus *c = calloc(1, sizeof(*c));
	const char *base;
	sd_target t;

	if (!c)
		return rf_error_set(err, ENOMEM, "D-Bus connection");
	locate(&t);
	if (p->chain.limited[0]) {
		/* The scope is made wherever systemd puts it, outside the limit. */
		if (geteuid() != 0)
			return rf_error_set(err, EPERM, "the limit of cgroup `%s` (%s) binds this "
					    "process, and a systemd scope would leave it: only root may; "
					    "without --slice, --scope and --cgroup-manager=systemd the "
					    "sandbox goes inside it", p->chain.limited, p->chain.limit);
		rf_note(diag, "the systemd scope leaves the limit of cgroup `%s` (%s), which binds "
			"this process", p->chain.limited, p->chain.limit);
	}
	if (sd_connect(&t, c, err) < 0)
		goto fail;
	rf_debug(diag, "systemd: connected to `%s` (%s)", c->address,
		 c->bus ? "a bus" : "systemd's private socket");
	if (req->unit)
		snprintf(p->unit, sizeof(p->unit), "%s", req->unit);
	else
		unique_unit(p->unit, sizeof(p->unit));
	if (start_scope(c, req, p->unit, err) < 0)
		goto fail;
	rf_dbus_close(c);
	rf_debug(diag, "systemd: in scope `%s`", p->unit);
	if (cg_self(p->parent, sizeof(p->parent), err) < 0)
		return -1;
	base = strrchr(p->parent, '/');
	if (!base || strcmp(base + 1, p->unit))
		return rf_error_set(err, EIO, "systemd started scope `%s`, but this process is in "
				    "cgroup `%s`", p->unit, p->parent);
	return settle(&p->mount, p->parent, req->need, err);
fail:
	rf_dbus_close(c);
	return rf_error_prefix(err, "ask %s for a scope", t.user ? "your systemd user manager" :
			       "systemd");
}

const cg_manager cg_manager_systemd = {
	.name = "systemd",
	.place = systemd_place,
	.release = cg_systemd_release,
	.detach = cg_systemd_detach,
};

int cg_systemd_stop(const char *unit, rf_error *err)
{
	cleanup_free rf_dbus *c = calloc(1, sizeof(*c));
	job_wait w = { 0 };
	rf_dbus_buf b;
	char name[128] = "";
	sd_target t;
	int r = -1;

	if (!c)
		return rf_error_set(err, ENOMEM, "D-Bus connection");
	locate(&t);
	if (sd_connect(&t, c, err) < 0 || (c->bus && add_match(c, err) < 0))
		goto out;
	/* "replace", as runc's destroy: a start job still queued is dropped. */
	begin(c, &b, SD_MANAGER, "StopUnit", "ss");
	rf_dbus_put_string(&b, 's', unit);
	rf_dbus_put_string(&b, 's', "replace");
	if (call_job(c, &b, &w, name, sizeof(name), err) < 0) {
		if (!strcmp(name, "org.freedesktop.systemd1.NoSuchUnit"))
			r = 0;   /* gone already (unloaded once it stopped) */
		goto out;
	}
	if (!w.done && rf_dbus_wait(c, on_job_removed, job_done, &w, err) < 0)
		goto out;
	if (strcmp(w.result, "done")) {
		reset_failed(c, unit);
		rf_error_set(err, EIO, "job result `%s`", w.result);
		goto out;
	}
	r = 0;
out:
	rf_dbus_close(c);
	return r < 0 ? rf_error_prefix(err, "stop scope `%s`", unit) : 0;
}

/* ---- check ------------------------------------------------------------------- */

void cg_systemd_probe_host(cg_systemd_probe *p)
{
	cleanup_free rf_dbus *c = calloc(1, sizeof(*c));
	char path[PATH_MAX], buf[512];
	cleanup_close int fd = -1;
	cg_mount m;
	sd_target t;
	rf_error err = { 0 };

	memset(p, 0, sizeof(*p));
	locate(&t);
	p->user = t.user;
	snprintf(p->socket, sizeof(p->socket), "%s",
		 is_socket(t.private_path) || !is_socket(t.bus_path) ? t.private_path : t.bus_path);
	p->found = target_found(&t);
	if (!p->found) {
		explain_absent(&t, p->why, sizeof(p->why));
		return;
	}
	if (!c || sd_connect(&t, c, &err) < 0 || control_group(c, p->cgroup, sizeof(p->cgroup),
							       &err) < 0) {
		rf_error_format(&err, p->why, sizeof(p->why));
		rf_dbus_close(c);
		return;
	}
	snprintf(p->socket, sizeof(p->socket), "%s", c->address);
	rf_dbus_close(c);
	p->answered = true;
	if (cg_find_mount(&m, NULL) < 0 || cg_join_path(path, sizeof(path), m.path, p->cgroup, NULL) < 0)
		return;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && cg_read(fd, "cgroup.controllers", buf, sizeof(buf), NULL) >= 0)
		p->controllers = cg_parse_controllers(buf);
}
