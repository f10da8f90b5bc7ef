/* nop: exit 0 and nothing else. No libc, linked statically, so its resident
 * set is a page or two: a payload that adds nothing when the benchmark
 * measures ringfence's own peak RSS (rusage reports the largest of a process
 * and its descendants). */
void _start(void);

void _start(void)
{
#if defined(__x86_64__)
	__asm__ volatile("mov $60, %eax\n\t"  /* exit(0) */
			 "xor %edi, %edi\n\t"
			 "syscall");
#elif defined(__aarch64__)
	__asm__ volatile("mov x8, #93\n\t"    /* exit(0) */
			 "mov x0, #0\n\t"
			 "svc #0");
#else
#error "nop: add this architecture's exit(0) system call"
#endif
	__builtin_unreachable();
}
