/* The plan: everything `ringfence run` will do, parsed and validated before
 * anything is created. The CLI (and the profile reader) fill it; the engine
 * only reads it. Every owned pointer is released by rf_plan_free(). */
#ifndef RINGFENCE_PLAN_H
#define RINGFENCE_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "ringfence/error.h"
#include "ringfence/hooks.h"

/* "max" / unlimited / RLIM_INFINITY for any 64-bit quantity. */
#define RF_MAX UINT64_MAX

/* Node and CPU sets are bitmasks of this many bits. */
#define RF_MAX_IDS 1024
#define RF_ID_WORDS (RF_MAX_IDS / (8 * sizeof(unsigned long)))

typedef struct rf_opt_u64 {
	bool set;
	uint64_t v;
} rf_opt_u64;

typedef struct rf_opt_i64 {
	bool set;
	int64_t v;
} rf_opt_i64;

typedef struct rf_idset {
	unsigned long bits[RF_ID_WORDS];
} rf_idset;

/* One cgroup file written verbatim (from a profile's linux.resources.unified). */
typedef struct rf_kv {
	char *key;
	char *value;
} rf_kv;

/* One rule of the leaf's device access list (linux.resources.devices;
 * src/devices.c): the last rule that matches a device decides. */
typedef struct rf_devrule {
	bool allow;
	char type;               /* 'a' (any), 'c' or 'b' */
	int64_t major, minor;    /* -1 = any */
	unsigned access;         /* RF_DEV_* */
} rf_devrule;

enum { RF_DEV_MKNOD = 1, RF_DEV_READ = 2, RF_DEV_WRITE = 4 };

/* What goes into the leaf cgroup (cgroup.c). */
typedef struct rf_limits {
	rf_opt_u64 memory_max;   /* memory.max, bytes or RF_MAX */
	rf_opt_u64 memory_high;  /* memory.high */
	rf_opt_u64 memory_low;   /* memory.low */
	rf_opt_u64 swap_max;     /* memory.swap.max; defaults to 0 when memory_max is set */
	rf_opt_u64 pids_max;     /* pids.max */
	rf_opt_u64 cpu_quota_us; /* cpu.max quota per cpu_period_us, RF_MAX = "max" */
	uint64_t cpu_period_us;  /* default 100000 */
	rf_opt_u64 cpu_weight;   /* cpu.weight, 1..10000 */
	bool oom_group;          /* memory.oom.group, default true */
	char *cpuset_cpus;       /* cpuset.cpus as a canonical list, NULL = inherit */
	char *cpuset_mems;       /* cpuset.mems */
	rf_kv *unified;          /* extra files, in order */
	size_t n_unified;
	rf_devrule *dev_rules;   /* device access, in order (a container root adds
				  * the default devices' at plan time) */
	size_t n_dev_rules;
	bool dev_rules_set;      /* a device filter goes on the leaf (devices.c) */
} rf_limits;

typedef enum rf_mpol_mode {
	RF_MPOL_NONE = 0,
	RF_MPOL_BIND,
	RF_MPOL_PREFERRED,
	RF_MPOL_INTERLEAVE,
	RF_MPOL_LOCAL,
} rf_mpol_mode;

typedef struct rf_mempolicy {
	rf_mpol_mode mode;
	rf_idset nodes;
	unsigned flags;          /* MPOL_F_STATIC_NODES / MPOL_F_RELATIVE_NODES */
} rf_mempolicy;

typedef struct rf_rlimit {
	bool set;
	uint64_t soft;           /* RF_MAX = unlimited */
	uint64_t hard;
} rf_rlimit;

typedef enum rf_mount_kind {
	RF_MOUNT_TMPFS,
	RF_MOUNT_BIND,
	RF_MOUNT_RO_BIND,
	RF_MOUNT_FS,             /* a bundle's filesystem mount: proc, sysfs, devpts, tmpfs... */
} rf_mount_kind;

typedef struct rf_mount {
	rf_mount_kind kind;
	char *src;               /* NULL for tmpfs; a bind's canonical host path */
	char *dst;               /* absolute path inside the sandbox */
	uint64_t size;           /* tmpfs size in bytes, 0 = kernel default */
	unsigned mode;           /* tmpfs root mode, 0 = 01777 */
	/* From an OCI bundle's mounts[] (all zero for the command line's): the
	 * options exactly as given, applied by src/mounts-oci.c. */
	char *fstype;            /* RF_MOUNT_FS: "proc", "tmpfs", "cgroup"... */
	char *data;              /* RF_MOUNT_FS: the filesystem's own options, NULL = none */
	unsigned long flags;     /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, atime... */
	unsigned long cleared;   /* flags an option turned off ("rw", "suid"): a bind's copy
				  * of its source loses them */
	unsigned long propagation; /* MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE [| MS_REC] */
	uint64_t rec_set;        /* MOUNT_ATTR_* set on the whole tree ("rro", "rnosuid"...) */
	uint64_t rec_clear;      /* MOUNT_ATTR_* cleared on the whole tree ("rrw", "rsuid"...) */
	bool oci;                /* a bundle's entry: flags above, no ringfence defaults */
	bool single;             /* "bind" rather than "rbind": no submounts come along */
} rf_mount;

/* A device node the container's /dev gets (linux.devices, src/mounts-dev.c). */
typedef struct rf_device {
	char *path;              /* absolute, inside the container */
	char type;               /* 'c', 'b' or 'p' (fifo) */
	uint32_t major, minor;
	unsigned mode;           /* permission bits, 0 = 0666 */
	uint32_t uid, gid;
} rf_device;

/* One line of a user namespace's uid_map or gid_map. */
typedef struct rf_idmap {
	uint32_t inside, outside, count;
} rf_idmap;

/* An existing namespace to join (linux.namespaces[].path). */
typedef struct rf_nsjoin {
	int flag;                /* CLONE_NEW* */
	char *path;              /* checked at plan time to be a namespace of that type */
} rf_nsjoin;

/* Namespaces and the filesystem view (ns.c, mounts.c). */
typedef struct rf_isolation {
	int ns_flags;            /* CLONE_NEW* flags to unshare */
	bool map_root;           /* with CLONE_NEWUSER: appear as uid 0 inside */
	bool ro_root;
	rf_mount *mounts;
	size_t n_mounts;
	char *hostname;          /* needs CLONE_NEWUTS */
	/* Containment of the payload's cgroupfs (src/contain.c). */
	bool host_cgroupfs;      /* --host-cgroupfs: the opt-out, nothing below is added */
	int contain_flags;       /* set by rf_plan_finalize: the namespaces containment
				  * adds to ns_flags (cgroup, mount; user without root) */

	/* A container root (--rootfs, --bundle; src/mounts-rootfs.c). With
	 * rootfs set, mount destinations are inside it and the masked and
	 * read-only paths below replace the host-view guards. */
	char *rootfs;            /* canonical host path of the new `/`; NULL = the host's */
	bool no_pivot;           /* move the root over `/` and chroot (pivot_root cannot
				  * work on an initramfs root) */
	unsigned long root_propagation; /* linux.rootfsPropagation; 0 = MS_REC|MS_PRIVATE */
	char **masked_paths;     /* linux.maskedPaths (NULL-terminated); NULL = the defaults */
	char **readonly_paths;   /* linux.readonlyPaths; NULL = the defaults */
	rf_device *devices;      /* linux.devices, besides the default ones */
	size_t n_devices;
	rf_kv *sysctl;           /* linux.sysctl, written in the container's /proc/sys */
	size_t n_sysctl;
	rf_nsjoin *joins;        /* namespaces joined rather than created */
	size_t n_joins;
	rf_idmap *uid_maps;      /* linux.uidMappings; none: one id (map_root or the caller's) */
	size_t n_uid_maps;
	rf_idmap *gid_maps;
	size_t n_gid_maps;
	char *domainname;        /* needs CLONE_NEWUTS */
} rf_isolation;

typedef enum rf_seccomp_mode {
	RF_SECCOMP_NONE = 0,
	RF_SECCOMP_DEFAULT,      /* profiles/seccomp/default.json */
	RF_SECCOMP_FILE,
	RF_SECCOMP_INLINE,       /* a profile's linux.seccomp: compiled at load into
				  * seccomp, its text kept in seccomp_json */
} rf_seccomp_mode;

struct rf_seccomp;           /* compiled filter, seccomp.c */

typedef struct rf_envop {
	char *key;
	char *value;             /* NULL = unset */
} rf_envop;

/* Index into rf_process.cap_sets. */
enum { RF_CAPSET_BOUNDING, RF_CAPSET_EFFECTIVE, RF_CAPSET_PERMITTED, RF_CAPSET_INHERITABLE,
       RF_CAPSET_AMBIENT, RF_N_CAPSETS };

/* process.scheduler: what sched_setattr(2) is given. */
typedef struct rf_sched {
	bool set;
	uint32_t policy;         /* SCHED_OTHER ... SCHED_DEADLINE */
	int32_t nice;
	uint32_t priority;
	uint64_t flags;          /* SCHED_FLAG_* */
	uint64_t runtime, deadline, period;   /* SCHED_DEADLINE, in ns */
} rf_sched;

/* process.execCPUAffinity: the CPUs an exec into a container runs on. */
typedef struct rf_affinity {
	bool initial_set, final_set;
	rf_idset initial;        /* the runtime's own, before it starts the process */
	rf_idset final;          /* the process's, set right before its exec */
} rf_affinity;

/* The payload process: identity, environment, privileges, limits (child side). */
typedef struct rf_process {
	char **argv;             /* NULL-terminated, owned */
	char *cwd;               /* NULL = inherit */
	bool clearenv;
	rf_envop *env;           /* applied in order over the inherited (or empty) env */
	size_t n_env;
	bool user_set;
	uid_t uid;
	gid_t gid;
	bool groups_set;         /* false: groups cleared when user_set */
	gid_t *groups;
	size_t n_groups;
	rf_opt_i64 oom_score_adj;
	rf_rlimit rlimits[RLIM_NLIMITS];
	rf_mempolicy mempolicy;
	uint64_t cap_add;        /* bit n = capability n */
	uint64_t cap_drop;
	bool caps_set;           /* profile gave an explicit set: use caps instead of the default */
	uint64_t caps;
	rf_seccomp_mode seccomp_mode;
	char *seccomp_path;
	char *seccomp_json;      /* RF_SECCOMP_INLINE: the object, for `profile show` */
	struct rf_seccomp *seccomp; /* compiled during planning, loaded in the child */
	int preserve_fds;        /* fds 3..3+N-1 reach the payload */
	bool tty;                /* stdin is a terminal: hand it to the payload's process group */
	/* OCI container semantics: set by the container layer (create, run ID,
	 * exec), never by `ringfence run`. */
	bool payload_is_init;    /* with a pid namespace the payload is its pid 1 (no ringfence init) */
	bool new_session;        /* setsid(): the payload leads a session of its own */
	bool pty;                /* process.terminal: fds 0-2 on a new pty made inside the sandbox */
	unsigned short console_rows, console_cols; /* process.consoleSize: that pty's; 0: unset */
	bool reset_affinity;     /* every CPU, not the runtime's affinity, unless
				    exec_affinity says otherwise */

	/* OCI process semantics (bundles): every capability set given
	 * separately, instead of the one set above. */
	bool oci_caps;
	uint64_t cap_sets[RF_N_CAPSETS];
	bool no_new_privs;       /* default true; a bundle's and a process file's false */
	rf_opt_u64 umask;        /* process.user.umask */
	char *apparmor_profile;  /* process.apparmorProfile: entered at the exec */
	rf_opt_u64 persona;      /* linux.personality: PER_LINUX or PER_LINUX32 */
	rf_opt_u64 ioprio;       /* process.ioPriority, as ioprio_set(2) takes it */
	rf_sched sched;          /* process.scheduler */
	rf_affinity exec_affinity; /* process.execCPUAffinity (exec only) */
} rf_process;

/* How the supervisor watches and reports. */
typedef struct rf_supervise {
	uint64_t timeout_ms;     /* 0 = none */
	uint64_t kill_after_ms;  /* SIGTERM -> cgroup.kill grace, default 2000 */
	bool plain_exit;         /* shell codes (137 for an OOM kill) instead of 121/122 */
	bool quiet;
	char *report_path;
	int report_fd;           /* -1 = none */
	bool allow_panic_on_oom;
	bool strict;             /* profile keys we do not implement are errors */
} rf_supervise;

struct rf_policy;
struct rf_caller;

/* Who makes the cgroups around the leaf (cgroup-manager.h). */
typedef enum rf_cgroup_manager {
	RF_CGROUP_MANAGER_AUTO = 0,   /* the default: cg_manager_choose() */
	RF_CGROUP_MANAGER_CGROUPFS,   /* ringfence writes cgroupfs itself */
	RF_CGROUP_MANAGER_SYSTEMD,    /* a transient scope from systemd */
} rf_cgroup_manager;

typedef struct rf_plan {
	rf_cgroup_manager cgroup_manager; /* --cgroup-manager */
	char *slice;             /* --slice NAME.slice: a systemd scope in it */
	bool scope;              /* --scope: a systemd scope in the default slice */
	char *unit;              /* the scope's name (the OCI runtime's
				    --systemd-cgroup), NULL = a unique one */
	char *cgroup_parent;     /* NULL = default parent */
	char *cgroup_below;      /* a relative linux.cgroupsPath's directories:
				    the leaf's parent is this path below the
				    chosen parent ("a/b"); NULL = the parent */
	char *name;              /* NULL = generated unique name */
	char *profile;           /* name or path of the profile in use, for the report */
	char *bundle;            /* canonical OCI bundle directory (--bundle), NULL = none */
	char *verdict_path;      /* a bundle's annotation ringfence.verdict: the OCI
				    runtime's delete writes the verdict there too */
	rf_hooks hooks;          /* a bundle's; run by the OCI runtime's commands */
	rf_limits limits;
	rf_process proc;
	rf_isolation iso;
	rf_supervise sup;
	/* A setuid-root run (src/policy.c): the admin's policy and who asked.
	 * The launch checks the leaf's parent against them. NULL otherwise;
	 * not owned by the plan. */
	const struct rf_policy *policy;
	const struct rf_caller *caller;
} rf_plan;

void rf_plan_init(rf_plan *plan);
void rf_plan_free(rf_plan *plan);
/* What rf_plan_free() does for one part (the bundle reader replaces them). */
void rf_isolation_free(rf_isolation *iso);
void rf_mount_clear(rf_mount *m);

/* Cross-field checks and defaults, run once after the CLI and profile are merged
 * and before anything is created: swap defaults to 0 under a memory limit, a
 * memlock limit drops CAP_IPC_LOCK, host OOM-policy guards, nodes and CPUs online,
 * the seccomp profile compiled. Warnings go to `diag`. */
int rf_plan_finalize(rf_plan *plan, const rf_diag *diag, rf_error *err);

/* idset helpers */
static inline void rf_idset_add(rf_idset *s, unsigned id)
{
	s->bits[id / (8 * sizeof(unsigned long))] |= 1UL << (id % (8 * sizeof(unsigned long)));
}

static inline bool rf_idset_has(const rf_idset *s, unsigned id)
{
	return id < RF_MAX_IDS &&
	       (s->bits[id / (8 * sizeof(unsigned long))] >> (id % (8 * sizeof(unsigned long)))) & 1UL;
}

bool rf_idset_empty(const rf_idset *s);
/* Canonical "0-3,5" form into buf; returns buf. */
const char *rf_idset_format(const rf_idset *s, char *buf, size_t len);

#endif
