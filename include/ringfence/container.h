/* The OCI container layer: ringfence as a runc-compatible runtime. The same
 * plan and the same launch as `ringfence run` (src/launch.c), with state kept
 * in <root>/<ID>/ between commands instead of in a supervisor. The theory of
 * operation is at the top of src/container-lifecycle.c. */
#ifndef RINGFENCE_CONTAINER_H
#define RINGFENCE_CONTAINER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"
#include "ringfence/verdict.h"

#define RF_CONTAINER_ID_MAX 1024

typedef enum rf_cstatus {
	RF_CSTATUS_CREATING,     /* create has not finished */
	RF_CSTATUS_CREATED,      /* set up, blocked before exec on the exec.fifo */
	RF_CSTATUS_RUNNING,
	RF_CSTATUS_PAUSED,       /* its cgroup is frozen */
	RF_CSTATUS_STOPPED,      /* its process is gone (or a zombie, or the pid was reused) */
} rf_cstatus;

const char *rf_cstatus_name(rf_cstatus s);   /* "created", ... */

/* One container's state, read from <root>/<ID>/state.json; status derived. */
typedef struct rf_container {
	char id[RF_CONTAINER_ID_MAX + 1];
	char root[PATH_MAX];
	int dirfd;               /* <root>/<ID>, flocked while open */
	pid_t pid;               /* 0 while creating */
	uint64_t pid_start;      /* its start time (field 22 of /proc/PID/stat) */
	char cgroup[PATH_MAX];   /* the leaf, relative to the cgroup2 root */
	char bundle[PATH_MAX];
	char rootfs[PATH_MAX];
	char created[64];        /* RFC 3339, UTC, nanoseconds */
	char owner[64];
	char verdict_path[PATH_MAX]; /* annotation ringfence.verdict, "" = none */
	char scope[256];         /* --systemd-cgroup: the scope delete stops, "" = none */
	char nested_in[PATH_MAX]; /* cgroupfs: create moved aside in this cgroup, which
				     delete puts back (cg_cgroupfs_unnest); "" = none */
	unsigned nested_enabled;  /* the controllers create enabled there */
	bool hooks;              /* the bundle has poststart or poststop hooks: start
				    and delete read them from the saved config.json */
	int64_t ancestor_oom[32];    /* memory.events.local oom of each ancestor at create */
	size_t n_ancestors;
	rf_cstatus status;
	bool missing;            /* rf_container_open failed: there is no such container */
} rf_container;

/* IDs become directory names: 1..1024 bytes, no '/', no control bytes, not
 * "." or "..", not starting with '.'. */
int rf_container_check_id(const char *id, rf_error *err);

/* --root default: /run/ringfence as root, else $XDG_RUNTIME_DIR/ringfence. */
int rf_container_default_root(char *buf, size_t len, rf_error *err);

/* Open and lock (exclusive, or shared) the container's state; its status is
 * derived now. A missing container: ENOENT and `container "ID" does not
 * exist`. rf_container_close() releases it. */
int rf_container_open(const char *root, const char *id, bool exclusive, rf_container *c,
		      rf_error *err);
void rf_container_close(rf_container *c);
/* The bundle's config.json as create saved it in the state directory (what
 * exec starts from: not the bundle's file, which may have changed since). */
int rf_container_config(const rf_container *c, char **text, rf_error *err);
/* Derive c->status again (pid + start time, frozen, exec.fifo). */
void rf_container_refresh(rf_container *c);

/* The runtime-spec state (ociVersion id status pid bundle rootfs created
 * owner, annotations when any) plus "ringfence": the verdict once stopped. */
int rf_container_state_json(const rf_container *c, bool pretty, char **out, size_t *len,
			    rf_error *err);

/* IDs under root, sorted (malloc'd, NULL-terminated); none when root is missing. */
int rf_container_list(const char *root, char ***ids, rf_error *err);

/* ---- lifecycle (container-lifecycle.c) ---- */

typedef struct rf_create_opts {
	const char *root;
	const char *id;
	const char *bundle;      /* absolute */
	const char *pid_file;    /* NULL = none */
	const char *console_socket;
	bool no_pivot, no_new_keyring;
} rf_create_opts;

/* create: the container process set up and blocked before exec; the state
 * dir written, the pid file last. Nothing of ringfence stays. */
int rf_container_create(const rf_create_opts *o, rf_plan *plan, const rf_diag *diag,
			rf_error *err);
/* start: let a created container exec. */
int rf_container_start(const char *root, const char *id, const rf_diag *diag, rf_error *err);
/* kill: `sig` to the container process, or with `all` to every process in
 * its cgroup. */
int rf_container_kill(const char *root, const char *id, int sig, bool all, rf_error *err);
/* delete: the verdict read and written, then the cgroup and the state gone. */
int rf_container_delete(const char *root, const char *id, bool force, const rf_diag *diag,
			rf_error *err);
/* pause / resume: freeze or thaw the cgroup and wait until it is so. */
int rf_container_freeze(const char *root, const char *id, bool frozen, rf_error *err);
/* update: write what lim sets (and only that) into the container's cgroup. */
int rf_container_update(const char *root, const char *id, const rf_limits *lim, rf_error *err);
/* The pids in the container's cgroup (malloc'd). */
int rf_container_pids(const char *root, const char *id, pid_t **pids, size_t *n, rf_error *err);
/* The verdict of a stopped container, read from its leaf (state, delete). */
int rf_container_verdict(const rf_container *c, rf_verdict *v, rf_error *err);

/* ---- exec (container-exec.c) ---- */

typedef struct rf_exec_opts {
	const char *root;
	const char *id;
	const char *pid_file;
	const char *console_socket;
	bool detach;
	bool ignore_paused;      /* exec into a paused container (it runs at resume) */
} rf_exec_opts;

/* Start plan->proc in container ID's namespaces and cgroup (plan->iso and
 * the limits are not used). Detached: return once it has exec'd. In the
 * foreground: wait; *exit_code is its status (128+N for signal N), or 126/127
 * when it could not be executed. */
int rf_container_exec(const rf_exec_opts *o, rf_plan *plan, const rf_diag *diag, int *exit_code,
		      rf_error *err);

/* exec --process: the OCI process in text (read as rf_profile_load_process
 * reads one) replaces plan->proc, the container's. What a process cannot
 * have (linux.*: seccomp, personality, memory policy) stays the container's,
 * and so does what the file leaves out of capabilities, rlimits,
 * apparmorProfile, ioPriority, scheduler, execCPUAffinity, user.umask and
 * oomScoreAdj, as runc's exec does. */
int rf_container_exec_process(rf_plan *plan, const char *text, size_t len, const char *name,
			      const rf_diag *diag, rf_error *err);

/* ---- events (container-events.c) ---- */

/* Watch the container until it stops: each OOM kill in its cgroup (seen by
 * poll on memory.events, as it happens) and, every interval_ms (0: never),
 * its stats, are handed to emit as one JSON object each: {"type":"oom",
 * "id":ID,"scope":"limit"|"external"}, {"type":"stats","id":ID,"data":...}.
 * With once: one stats object, then return. */
typedef void (*rf_event_sink)(void *userdata, const char *json);
int rf_container_events(const char *root, const char *id, uint64_t interval_ms, bool once,
			rf_event_sink emit, void *userdata, rf_error *err);

/* Foreground `run ID`: create, start, supervise as `ringfence run` does,
 * then delete. *exit_code is the container's status, as runc
 * reports it (128+N for a signal). */
int rf_container_run(const rf_create_opts *o, rf_plan *plan, const rf_diag *diag,
		     int *exit_code, rf_error *err);

#endif
