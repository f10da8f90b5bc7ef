/* Seccomp from an OCI runtime-spec seccomp object (libseccomp in seccomp.c). */
#ifndef RINGFENCE_SECCOMP_H
#define RINGFENCE_SECCOMP_H

#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"
#include "ringfence/json.h"

struct rf_seccomp;

/* What docker-style `includes`/`excludes` conditions on a syscalls[] entry are
 * evaluated against (the architecture is always this machine's). */
typedef struct rf_seccomp_env {
	uint64_t caps;              /* the payload's capabilities: rf_caps_effective_set()
				     * for a root payload, 0 for any other */
	const char *kernel_release; /* for minKernel; NULL = this kernel's (uname -r) */
} rf_seccomp_env;

/* Compile the OCI seccomp object `spec` (a BPF program, ready for the child);
 * `where` is its JSON path for messages ("linux.seccomp"), "" for a whole
 * file. Syscall names unknown on this machine's architectures are skipped with
 * a debug note; bad input fails naming the JSON path ("`syscalls[3].action`:
 * expected string, got integer"). Without `env` (or with rf_seccomp_compile)
 * the payload counts as holding no capabilities, the strictest reading. */
int rf_seccomp_compile_env(const rf_json *spec, const char *where, const rf_seccomp_env *env,
			   const rf_diag *diag, struct rf_seccomp **out, rf_error *err);
int rf_seccomp_compile(const rf_json *spec, const char *where, const rf_diag *diag,
		       struct rf_seccomp **out, rf_error *err);
/* From a file, or the built-in default profile when path is NULL. The caller
 * names the file in messages (parse errors already do). */
int rf_seccomp_compile_file_env(const char *path, const rf_seccomp_env *env,
				const rf_diag *diag, struct rf_seccomp **out, rf_error *err);
int rf_seccomp_compile_file(const char *path, const rf_diag *diag,
			    struct rf_seccomp **out, rf_error *err);
/* Length of the compiled program in BPF instructions (0 for NULL). */
size_t rf_seccomp_instructions(const struct rf_seccomp *sc);
/* The built-in profiles/seccomp/default.json text (compiled into the binary). */
const char *rf_seccomp_default_json(void);

/* Child side: install the filter with seccomp(2), after no_new_privs
 * (rf_caps_apply) and as the last step before exec. No allocation, no
 * libseccomp: the program was generated while planning. NULL: nothing. */
int rf_seccomp_apply(const struct rf_seccomp *sc, rf_error *err);
void rf_seccomp_free(struct rf_seccomp *sc);

/* The libseccomp in use, "2.5.4", for --version. */
const char *rf_seccomp_library_version(char *buf, size_t len);

#endif
