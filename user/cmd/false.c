/*
 * false: does nothing and exits 1, whatever its arguments; --help as the
 * sole argument prints a usage first and still exits 1, as GNU false
 * does.  It writes with write(2), not stdio, to stay as small as true.
 */
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const char help[] = "Usage: false [ignored arguments]\n"
				   "Exit with status 1, doing nothing.\n";

	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		(void)!write(STDOUT_FILENO, help, sizeof(help) - 1);
	return 1;
}
