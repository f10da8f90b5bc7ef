/* OCI lifecycle hooks (runtime-spec config.md, "POSIX-platform Hooks"):
 * programs a bundle names, run at fixed points of a container's life with
 * the container's state as JSON on their standard input. Parsed from a
 * bundle by the profile reader (src/profile-oci-hooks.c), run by src/hooks.c;
 * where each kind runs is the container layer's theory of operation
 * (src/container-lifecycle.c). */
#ifndef RINGFENCE_HOOKS_H
#define RINGFENCE_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ringfence/error.h"

/* In the order a container meets them. */
typedef enum rf_hook_kind {
	RF_HOOK_PRESTART,            /* create, by the launcher, before pivot_root */
	RF_HOOK_CREATE_RUNTIME,      /* right after prestart, the same way */
	RF_HOOK_CREATE_CONTAINER,    /* create, in the container's namespaces, before pivot_root */
	RF_HOOK_START_CONTAINER,     /* start, in the container, before the exec */
	RF_HOOK_POSTSTART,           /* start, by `start`, once the command runs */
	RF_HOOK_POSTSTOP,            /* delete, once the container is gone */
	RF_HOOK_KINDS
} rf_hook_kind;

/* The names config.json uses: "prestart", "createRuntime", ... */
extern const char *const rf_hook_names[RF_HOOK_KINDS];

typedef struct rf_hook {
	char *path;              /* absolute, resolved where the hook runs */
	char **argv;             /* NULL-terminated; the path alone when not given */
	char **env;              /* NULL-terminated; NULL: the runtime's own, as runc */
	unsigned timeout_s;      /* 0 = none */
} rf_hook;

typedef struct rf_hooks {
	rf_hook *list[RF_HOOK_KINDS];
	size_t n[RF_HOOK_KINDS];
	char **annotations;      /* key, value, key, value ... for the state; n pairs */
	size_t n_annotations;
} rf_hooks;

/* What a hook reads on its stdin (runtime-spec's state) and where it runs. */
typedef struct rf_hook_state {
	const rf_hooks *hooks;   /* the annotations come from here */
	const char *id;
	const char *bundle;
	const char *status;      /* "creating", "created", "running", "stopped" */
	pid_t pid;               /* as the host sees it; 0 = none (left out) */
	const char *cwd;         /* the hook's working directory; NULL = ours */
	char **env_default;      /* for a hook without env: NULL = ours */
} rf_hook_state;

/* Whether any hook of the kinds in `mask` (1u << RF_HOOK_...) is set. */
bool rf_hooks_any(const rf_hooks *h, unsigned mask);

/* The kinds a created container's own process takes part in: it stops for
 * them before pivot_root, or runs them itself. */
#define RF_HOOKS_IN_CREATE                                                                   \
	((1u << RF_HOOK_PRESTART) | (1u << RF_HOOK_CREATE_RUNTIME) |                           \
	 (1u << RF_HOOK_CREATE_CONTAINER) | (1u << RF_HOOK_START_CONTAINER))

/* Run every hook of kind k in order with st on stdin; the first that fails
 * (cannot start, ends with a status other than 0 or a signal, outlives its
 * timeout and is killed) stops the rest, and err names it by its JSON path
 * (`hooks.prestart[1]`) with the start of what it wrote. */
int rf_hooks_run(rf_hook_kind k, const rf_hook_state *st, rf_error *err);

/* Run every hook of kind k, a failure reported to warn() and the rest run
 * on (poststart, poststop: the spec's "log a warning"). */
void rf_hooks_run_all(rf_hook_kind k, const rf_hook_state *st,
		      void (*warn)(void *arg, const rf_error *e), void *arg);

/* The state as JSON, as a hook reads it. */
int rf_hook_state_json(const rf_hook_state *st, char **out, size_t *len, rf_error *err);

/* Free the hooks of kind k (none left); rf_hooks_free, every kind and the
 * annotations. */
void rf_hooks_clear(rf_hooks *h, rf_hook_kind k);
void rf_hooks_free(rf_hooks *h);

#endif
