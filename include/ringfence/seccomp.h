/* Seccomp from an OCI runtime-spec seccomp object (libseccomp in seccomp.c). */
#ifndef RINGFENCE_SECCOMP_H
#define RINGFENCE_SECCOMP_H

#include "ringfence/error.h"
#include "ringfence/json.h"

struct rf_seccomp;

/* Compile the OCI seccomp object `spec`; `where` is its JSON path for messages
 * ("linux.seccomp" or the file name). Syscall names unknown on this arch are
 * skipped with a debug note. */
int rf_seccomp_compile(const rf_json *spec, const char *where, const rf_diag *diag,
		       struct rf_seccomp **out, rf_error *err);
/* From a file, or the built-in default profile when path is NULL. */
int rf_seccomp_compile_file(const char *path, const rf_diag *diag,
			    struct rf_seccomp **out, rf_error *err);
/* The built-in profiles/seccomp/default.json text (compiled into the binary). */
const char *rf_seccomp_default_json(void);

/* Child side: install the filter. Last step before exec. */
int rf_seccomp_apply(const struct rf_seccomp *sc, rf_error *err);
void rf_seccomp_free(struct rf_seccomp *sc);

#endif
