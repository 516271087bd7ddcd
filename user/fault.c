/*
 * For the test server: make the fault named in argv[1] happen.  Each
 * must end this program and nothing else.
 */
#include <stdint.h>
#include <string.h>

static volatile uintptr_t zero;

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "load") == 0)
		return *(volatile int *)zero;
	if (strcmp(argv[1], "store") == 0)
		*(volatile int *)(zero + 16) = 1;
	if (strcmp(argv[1], "fetch") == 0)
		((void (*)(void))zero)();
	if (strcmp(argv[1], "illegal") == 0)
		__asm__ volatile(".word 0");
	if (strcmp(argv[1], "misaligned") == 0) {
		/* QEMU emulates misaligned loads; a hart may trap them */
		static uint64_t words[2];
		return (int)*(volatile uint64_t *)((char *)words + 3);
	}
	return 1;
}
