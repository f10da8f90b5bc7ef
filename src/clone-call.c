/* clone3(2) whose child starts in a function on a stack of its own
 * (src/clone-call.h). glibc has no public clone3 wrapper, and the raw
 * syscall() cannot serve a child with a new stack: it would return into a
 * caller's frame that is not on that stack. So a few instructions per
 * architecture: make the system call; in the child, call fn(arg) from an
 * empty frame and exit with what it returns (it is not meant to return). */
#include "config.h"

#include <errno.h>

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
