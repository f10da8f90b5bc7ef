/* Shared by the container layer's files (container-state.c, container-
 * lifecycle.c, container-exec.c, container-events.c). */
#ifndef RINGFENCE_CONTAINER_INTERNAL_H
#define RINGFENCE_CONTAINER_INTERNAL_H

#include "ringfence/cgroup.h"
#include "ringfence/container.h"

#define RF_STATE_FILE "state.json"
#define RF_CONFIG_COPY "config.json"
#define RF_EXEC_FIFO "exec.fifo"

/* Field 22 (start time in clock ticks) and field 3 (state letter) of
 * /proc/PID/stat; -1 when the process does not exist. */
int rf_proc_stat(pid_t pid, uint64_t *start, char *state);

/* Write c's state.json atomically (a temporary file renamed over it). */
int rf_container_save(const rf_container *c, rf_error *err);

/* Open the container's leaf (cgroup2 mount found first). */
int rf_container_leaf(const rf_container *c, cg_mount *m, cg_leaf *leaf, rf_error *err);

/* Write `text` to path through a temporary file and rename(2), as runc
 * writes its pid file: a reader never sees it half written. */
int rf_write_file_atomic(int dirfd, const char *path, const char *text, rf_error *err);

/* --pid-file: pid as text at path, atomically; nothing when path is NULL. */
int rf_container_write_pid_file(const char *path, pid_t pid, rf_error *err);

/* The verdict's copy at the bundle's ringfence.verdict, a path inside the
 * bundle: resolved in it (no link leads out), then written atomically. */
int rf_container_write_annotated(const rf_container *c, const char *text, rf_error *err);

/* rf_container_open, then refuse a container still being created with
 * "container not running"; a stopped one is opened (its cgroup may still
 * hold what its process left: kill --all, ps). */
int rf_container_open_made(const char *root, const char *id, bool exclusive, rf_container *c,
			   rf_error *err);

/* rf_container_open, then refuse a container that is not created, running
 * or paused with "container not running". */
int rf_container_open_live(const char *root, const char *id, bool exclusive, rf_container *c,
			   rf_error *err);

/* The error a caller matches for a stopped container. */
int rf_container_not_running(const rf_container *c, rf_error *err);

#endif
