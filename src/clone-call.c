/* clone3(2) whose child starts in a function on a stack of its own
 * (src/clone-call.h). glibc has no public clone3 wrapper, and the raw
 * syscall() cannot serve a child with a new stack: it would return into a
 * caller's frame that is not on that stack. So a few instructions per
 * architecture: make the system call; in the child, call fn(arg) from an
 * empty frame and exit with what it returns (it is not meant to return). */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clone-call.h"

#if defined(__x86_64__)
/* rdi = args, rsi = size, rdx = fn, rcx = arg. fn and arg wait in r8 and r9,
 * which the system call leaves alone and the child alone reads. */
__asm__(".text\n"
	".globl rf_clone3_raw\n"
	".type rf_clone3_raw, @function\n"
	"rf_clone3_raw:\n"
	"	mov %rdx, %r8\n"
	"	mov %rcx, %r9\n"
	"	mov $435, %eax\n"          /* __NR_clone3 */
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz 1f\n"
	"	ret\n"                      /* the parent, or -errno */
	"1:	xor %ebp, %ebp\n"           /* the child: outermost frame */
	"	mov %r9, %rdi\n"
	"	call *%r8\n"
	"	mov %eax, %edi\n"
	"	mov $60, %eax\n"           /* __NR_exit */
	"	syscall\n"
	"	hlt\n"
	".size rf_clone3_raw, . - rf_clone3_raw\n");
#define HAVE_CLONE3_RAW 1
#elif defined(__aarch64__)
/* x0 = args, x1 = size, x2 = fn, x3 = arg; fn and arg wait in x10 and x11. */
__asm__(".text\n"
	".globl rf_clone3_raw\n"
	".type rf_clone3_raw, %function\n"
	"rf_clone3_raw:\n"
	"	mov x10, x2\n"
	"	mov x11, x3\n"
	"	mov x8, #435\n"            /* __NR_clone3 */
	"	svc #0\n"
	"	cbz x0, 1f\n"
	"	ret\n"
	"1:	mov x29, #0\n"
	"	mov x30, #0\n"
	"	mov x0, x11\n"
	"	blr x10\n"
	"	mov x8, #93\n"             /* __NR_exit */
	"	svc #0\n"
	".size rf_clone3_raw, . - rf_clone3_raw\n");
#define HAVE_CLONE3_RAW 1
#endif

#ifdef HAVE_CLONE3_RAW
long rf_clone3_raw(struct rf_clone_args *args, size_t size, int (*fn)(void *), void *arg);

pid_t rf_clone3_call(struct rf_clone_args *args, int (*fn)(void *), void *arg)
{
	long r = rf_clone3_raw(args, sizeof(*args), fn, arg);

	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (pid_t)r;
}
#else
pid_t rf_clone3_call(struct rf_clone_args *args, int (*fn)(void *), void *arg)
{
	(void)args;
	(void)fn;
	(void)arg;
	errno = ENOSYS;
	return -1;
}
#endif

/* The child's stack: it sets up a payload and execs, in frames of a few KiB. */
#define VFORK_STACK (1024 * 1024)

pid_t rf_clone3_vfork(struct rf_clone_args *args, int (*fn)(void *), void *arg)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len = VFORK_STACK + page;
	char *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
			 -1, 0);
	uint64_t flags = args->flags;
	pid_t pid;
	int saved;

	if (map == MAP_FAILED)
		return -1;
	if (mprotect(map, page, PROT_NONE) < 0) {
		saved = errno;
		munmap(map, len);
		errno = saved;
		return -1;
	}
	args->flags |= CLONE_VM | CLONE_VFORK;
	args->stack = (uint64_t)(uintptr_t)(map + page);
	args->stack_size = VFORK_STACK;
	pid = rf_clone3_call(args, fn, arg);
	saved = errno;
	munmap(map, len);
	args->flags = flags;
	args->stack = args->stack_size = 0;
	errno = saved;
	return pid;
}
