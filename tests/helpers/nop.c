/* nop: exit 0 and nothing else. No libc, linked statically, so its resident
 * set is a page or two: a payload that adds nothing when the benchmark
 * measures ringfence's own peak RSS (rusage reports the largest of a process
 * and its descendants). */
void _start(void);

void _start(void)
{
	__asm__ volatile("mov $60, %eax\n\t"  /* exit(0) on x86-64 */
			 "xor %edi, %edi\n\t"
			 "syscall");
	__builtin_unreachable();
}
