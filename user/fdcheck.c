/*
 * For the descriptor tests: exits with bit i set when the descriptor
 * argv[i + 1] (at most seven of them) is open, so that what an exec
 * closed (close-on-exec) and what it kept shows in one wait status.
 */
#include <fcntl.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int bits = 0;

	for (int i = 1; i < argc && i <= 7; i++)
		if (fcntl(atoi(argv[i]), F_GETFD) >= 0)
			bits |= 1 << (i - 1);
	return bits;
}
