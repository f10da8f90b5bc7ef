/* Fault points, for tests only (src/fault.c).
 *
 * Each step of a launch that can fail is marked in front of the call that
 * would fail:
 *
 *	if (RF_FAULT("leaf.mkdir") || mkdirat(pfd, name, 0755) < 0)
 *		return rf_error_set(err, errno, ...);
 *
 * (with a second argument, a detail: RF_FAULT("cgroup.write", file) is the
 * point `cgroup.write:memory.max`). In ringfence itself RF_FAULT() is the
 * constant 0 and its arguments are not evaluated: nothing of it is in the
 * binary. The test build (tests/helpers/ringfence-fault, the same sources
 * compiled with RF_FAULT_INJECTION) can make any point fail, with errno set
 * so the real error path runs, SIGKILL the supervisor there, or stop the
 * process there until a test continues it, as the RINGFENCE_FAULT variable
 * says. */
#ifndef RINGFENCE_SRC_FAULT_H
#define RINGFENCE_SRC_FAULT_H

#ifdef RF_FAULT_INJECTION
#include <stdbool.h>

/* True (errno set) when this point is to fail now; may not return (kill). */
bool rf_fault(const char *point, const char *detail);

#define RF_FAULT_1(point) rf_fault((point), NULL)
#define RF_FAULT_2(point, detail) rf_fault((point), (detail))
#define RF_FAULT_PICK(_1, _2, which, ...) which
#define RF_FAULT(...) RF_FAULT_PICK(__VA_ARGS__, RF_FAULT_2, RF_FAULT_1, _)(__VA_ARGS__)

/* The descriptor a child's kill point writes to (-1: none); a child that
 * closes what it inherited keeps it, so that points after that still kill. */
int rf_fault_fd(void);
#define RF_FAULT_FD rf_fault_fd()
#else
#define RF_FAULT(...) 0
#define RF_FAULT_FD (-1)
#endif

#endif
