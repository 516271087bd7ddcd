/*
 * For the exec tests: prints its argv joined by '|' and exits 0 if that
 * is exactly the environment's WANT (what a "#!" script's interpreter
 * must be given), else 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	static char got[1024];
	const char *want = getenv("WANT");
	size_t n = 0;

	for (int i = 0; i < argc && n < sizeof(got) - 1; i++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s", i ? "|" : "", argv[i]);
	printf("# argvis: %s\n", got);
	return want && strcmp(want, got) == 0 ? 0 : 1;
}
