/*
 * For the test server: the heap through sbrk/brk.  Grow, shrink, grow
 * again past the old end (the pages above a lowered break stay mapped),
 * touch every byte, refuse growth past the limit with ENOMEM.  Exit 0 if
 * all held, else the number of the failed step.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char *base = sbrk(0), *p;

	if (sbrk(8192) != base)
		return 1;
	memset(base, 1, 8192);
	if (sbrk(-8000) == (void *)-1)
		return 2;
	if (sbrk(16384) == (void *)-1)		/* past the first end */
		return 3;
	memset(base, 2, 192 + 16384);
	errno = 0;
	if (sbrk(64 << 20) != (void *)-1 || errno != ENOMEM)
		return 4;
	p = sbrk(0);
	if (p != base + 192 + 16384)
		return 5;
	printf("# heap: grew, shrank, grew again\n");
	return 0;
}
