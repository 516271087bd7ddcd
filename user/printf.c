/*
 * For the test server: picolibc's printf with long and wide output, as a
 * user program sees it: lines longer than the stream buffer, wide fields,
 * big numbers, and snprintf's return value for truncated output.
 */
#include <stdio.h>
#include <string.h>

int main(void)
{
	char small[8], line[1200];
	int n;

	memset(line, 'w', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	n = printf("# %s\n", line);			/* past the 256-byte buffer */
	if (n != (int)sizeof(line) + 2)
		return 1;
	n = printf("# [%*d] [%-300s]\n", 300, -42, "left");
	if (n != 2 + 1 + 300 + 3 + 300 + 2)
		return 2;
	{
		volatile unsigned long big = 18446744073709551615ul;	/* at run time */

		if (snprintf(small, sizeof(small), "%lu", big) != 20 ||
		    strcmp(small, "1844674"))
			return 3;
	}
	if (snprintf(line, sizeof(line), "%.3f|%e", 3.14159, 1e-300) <= 0 ||
	    strcmp(line, "3.142|1.000000e-300"))
		return 4;
	return 0;
}
