/* Running from a view of ringfence's binary no one can write (src/sealed-exe.c). */
#ifndef RINGFENCE_SEALED_EXE_H
#define RINGFENCE_SEALED_EXE_H

#include <stdbool.h>

#include "ringfence/error.h"

/* Is this process running from a binary no one can write: a sealed memfd,
 * or a file on a read-only mount? */
bool rf_sealed_exe_active(void);

/* Unless already running from one: exec the binary again, with argv and the
 * same environment, from a read-only mount of it attached nowhere (root),
 * else from a copy in a sealed memfd. Returns 0 when already running from
 * one; on success it does not return; -1 with err when it could not. */
int rf_sealed_exe_reexec(char **argv, rf_error *err);

#endif
