/*
 * For the test server: argv and envp arrive intact.  Every argument and
 * environment string is "<index>:" followed by a run of the letter
 * 'a' + index % 26; the program checks each and exits 0, or with the
 * number of the first bad string plus 10.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check(const char *s, int i)
{
	char head[16];
	int n = snprintf(head, sizeof(head), "%d:", i);

	if (strncmp(s, head, (size_t)n) != 0)
		return 0;
	for (s += n; *s; s++) {
		if (*s != 'a' + i % 26)
			return 0;
	}
	return 1;
}

int main(int argc, char **argv, char **envp)
{
	int e = 0;

	for (int i = 1; i < argc; i++) {
		if (!check(argv[i], i))
			return 10 + i;
	}
	for (; envp[e]; e++) {
		if (!check(envp[e], e))
			return 50 + e;
	}
	printf("# argcheck: %d arguments, %d environment strings intact\n",
	       argc - 1, e);
	return 0;
}
