/* The engine's one error contract (see src/README.md).
 *
 * A fallible engine function has the form `int f(..., rf_error *err)`: it returns
 * a value >= 0 on success and -1 on failure, after filling `err` with an errno
 * (0 when none applies) and a lowercase message naming the object it worked on,
 * e.g. "write `memory.max`". Callers add context with rf_error_prefix() as the
 * error travels up; the CLI prints it once as "ringfence: MESSAGE: STRERROR". */
#ifndef RINGFENCE_ERROR_H
#define RINGFENCE_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define RF_ERROR_MSG_MAX 1024

typedef struct rf_error {
	int errnum;                  /* errno of the failure, or 0 */
	char msg[RF_ERROR_MSG_MAX];  /* lowercase, no trailing newline */
} rf_error;

/* Fill `err` and return -1. A NULL `err` is allowed and ignored. */
int rf_error_set(rf_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int rf_error_setv(rf_error *err, int errnum, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Prepend "CONTEXT: " to the message already in `err`; return -1. */
int rf_error_prefix(rf_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "MESSAGE" or "MESSAGE: strerror(errnum)" into buf. Returns buf. */
const char *rf_error_format(const rf_error *err, char *buf, size_t len);

/* Warnings and notes travel to the CLI through a sink; the engine never prints. */
typedef enum rf_level { RF_LOG_DEBUG, RF_LOG_NOTE, RF_LOG_WARNING } rf_level;

typedef struct rf_diag {
	void (*emit)(void *userdata, rf_level level, const char *msg);
	void *userdata;
} rf_diag;

/* Format and hand one message to `diag` (NULL diag or emit: dropped). */
void rf_diag_emit(const rf_diag *diag, rf_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define rf_warn(diag, ...) rf_diag_emit((diag), RF_LOG_WARNING, __VA_ARGS__)
#define rf_note(diag, ...) rf_diag_emit((diag), RF_LOG_NOTE, __VA_ARGS__)
#define rf_debug(diag, ...) rf_diag_emit((diag), RF_LOG_DEBUG, __VA_ARGS__)

#endif
