/* Running from a sealed copy of ringfence's binary (src/sealed-exe.c). */
#ifndef RINGFENCE_SEALED_EXE_H
#define RINGFENCE_SEALED_EXE_H

#include <stdbool.h>

#include "ringfence/error.h"

/* Is this process running from a sealed copy (a memfd no one can write)? */
bool rf_sealed_exe_active(void);

/* Unless already running from one: copy the binary into a sealed memfd and
 * exec it with argv and the same environment. Returns 0 when already
 * sealed; on success it does not return; -1 with err when it could not. */
int rf_sealed_exe_reexec(char **argv, rf_error *err);

#endif
