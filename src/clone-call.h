/* clone3(2) with the child in a function on its own stack (src/clone-call.c). */
#ifndef RINGFENCE_SRC_CLONE_CALL_H
#define RINGFENCE_SRC_CLONE_CALL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* struct clone_args of Linux 5.7 (CLONE_INTO_CGROUP), spelled out to avoid
 * mixing <linux/sched.h> with glibc's <sched.h>. */
struct rf_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

/* clone3(args); the child runs fn(arg) on args->stack and exits with what it
 * returns. The parent gets the child's pid, or -1 with errno (ENOSYS where
 * this architecture has no entry here, or the kernel no clone3). */
pid_t rf_clone3_call(struct rf_clone_args *args, int (*fn)(void *), void *arg);

/* rf_clone3_call with CLONE_VM | CLONE_VFORK, on a stack mapped for the call
 * (a page below it left unmapped to stop an overflow): the child runs fn(arg)
 * in the caller's memory, and this returns once it has exec'd or exited,
 * when the stack is freed. Nothing is copied or write-protected for either
 * process. args comes back as it was given. */
pid_t rf_clone3_vfork(struct rf_clone_args *args, int (*fn)(void *), void *arg);

#endif
