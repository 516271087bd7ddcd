/*
 * true: does nothing and exits 0, whatever its arguments; --help as the
 * sole argument prints a usage first, as GNU true does.  It writes with
 * write(2), not stdio, to stay as small as the exec benchmarks' true.
 */
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const char help[] = "Usage: true [ignored arguments]\n"
				   "Exit with status 0, doing nothing.\n";

	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		return write(STDOUT_FILENO, help, sizeof(help) - 1) < 0;
	return 0;
}
