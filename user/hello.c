/*
 * The first user program from the initramfs: prints its arguments and
 * environment through picolibc's printf, exercises malloc (sbrk), errno
 * (TLS) and the time CSR, and exits with a status the test checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp)
{
	char *big = malloc(100000);
	unsigned long t0, t1;
	int n = 0;

	__asm__ volatile("rdtime %0" : "=r"(t0));	/* scounteren.TM */

	printf("# hello from %s: argc %d\n", argv[0], argc);
	for (int i = 1; i < argc; i++)
		printf("# argv[%d] = %s\n", i, argv[i]);
	for (char **e = envp; *e; e++)
		n++;
	printf("# %d environment strings, first %s\n", n, n ? envp[0] : "-");
	if (!big)
		return 3;
	memset(big, 'x', 100000);
	printf("# malloc(100000) at %p, %.3f as a double\n", (void *)big, 1.5);
	errno = 0;
	if (write(7, "x", 1) != -1 || errno != EBADF)
		return 4;
	free(big);
	__asm__ volatile("rdtime %0" : "=r"(t1));
	if (t1 <= t0)
		return 6;
	return argc == 3 && strcmp(argv[2], "two") == 0 ? 7 : 5;
}
