/* `ringfence check`: can `run` work on this host, and its OOM posture. The
 * engine gathers a report; cmd/check.c renders it as text or JSON. Nothing is
 * created: what cannot be known without creating a cgroup is "unknown". */
#ifndef RINGFENCE_CHECK_H
#define RINGFENCE_CHECK_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/cgroup.h"
#include "ringfence/cgroup-manager.h"
#include "ringfence/error.h"
#include "ringfence/host.h"

#define RF_CHECK_CONTROLLERS 6   /* the CG_CTRL_* bits */
#define RF_CHECK_MAX_NODES 64
#define RF_CHECK_MAX_NOTES 8

typedef enum rf_tristate { RF_UNKNOWN = -1, RF_NO = 0, RF_YES = 1 } rf_tristate;

/* A kernel feature and how we know: "file `cgroup.kill` in /user.slice",
 * "Linux 6.1 (added in 5.14)", or why it is unknown. */
typedef struct rf_check_feature {
	rf_tristate state;
	char how[160];
} rf_check_feature;

typedef struct rf_check_node {
	unsigned id;
	uint64_t total, free;    /* bytes */
} rf_check_node;

typedef struct rf_check {
	/* cgroup v2 */
	bool cg2;                         /* a cgroup2 filesystem is mounted */
	cg_mount mount;
	bool hybrid;                      /* cgroup v1 hierarchies are mounted too */
	bool root_read;                   /* the root's cgroup.controllers could be read */
	unsigned root_controllers;        /* offered at the cgroup2 root */
	char self[PATH_MAX];              /* our cgroup, relative to the root ("" unknown) */
	unsigned self_controllers;
	rf_tristate self_delegated;       /* our cgroup is writable by our euid */
	char parent[PATH_MAX];            /* where `run` puts leaves by default (with
					     systemd: the manager's cgroup, where
					     the scope goes below) */
	unsigned parent_controllers;      /* what that parent can give its leaves */
	unsigned need;                    /* what every `run` needs: memory, pids */
	/* where a plain `run` puts the sandbox (cgroup-manager.h) */
	char manager[16];                 /* "cgroupfs" or "systemd" */
	char manager_why[512];            /* why that one */
	char limited[PATH_MAX];           /* the cgroup whose limit binds us, "" none */
	char limit[128];                  /* that limit, "memory.max 64.0M" */
	char unit_limited[PATH_MAX];      /* a unit of systemd's whose limit does not
					     bind sandboxes (cg_chain), "" none */
	char unit_limit[128];
	cg_systemd_probe systemd;         /* the systemd a scope would come from */
	/* cgroup v1, per CG_CTRL_* bit: where it is mounted ("" not in v1) */
	unsigned v1_controllers;
	char v1_path[RF_CHECK_CONTROLLERS][PATH_MAX];
	/* controllers the kernel has disabled or lacks (/proc/cgroups) */
	unsigned disabled;
	/* kernel */
	char kernel[65];
	rf_check_feature clone3_cgroup, cgroup_kill, memory_peak, oom_group_kill;
	/* memory posture */
	bool host_read;
	rf_host host;
	/* NUMA */
	size_t n_nodes;
	rf_check_node nodes[RF_CHECK_MAX_NODES];
	/* verdict */
	bool ready;                       /* `run` can work here */
	char reason[1024];                /* why not, one sentence */
	char fix[512];                    /* what to do about it */
	size_t n_notes;                   /* things that work but deserve a word */
	char notes[RF_CHECK_MAX_NOTES][320];
} rf_check;

/* Fill the report. Fails only when the process cannot read its own /proc;
 * everything about cgroups ends up in the report, not in err. */
int rf_check_gather(rf_check *r, rf_error *err);

/* Plain words for the sysctls: "heuristic: obvious overcommits are refused". */
const char *rf_check_overcommit_text(int overcommit_memory);
const char *rf_check_panic_text(int panic_on_oom);

#endif
