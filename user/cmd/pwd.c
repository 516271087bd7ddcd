/*
 * pwd: prints the working directory's absolute name, as getcwd(3) gives
 * it (GNU /bin/pwd's default, -P: no symbolic link names from $PWD).
 * -P is accepted; operands are ignored with a warning, as GNU pwd does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PATH	4096

static void help(void)
{
	puts("Usage: pwd [-P]\n"
	     "  -P  print the name with no symbolic links (the only way)");
}

/* Applies the options (-P, the only way anyway); -1 if they are wrong. */
static int parse_options(int argc, char **argv)
{
	int c;

	opterr = 0;
	while ((c = getopt(argc, argv, "P")) != -1) {
		if (c == '?') {
			fprintf(stderr, "pwd: invalid option -- '%c'\n"
				"Try 'pwd --help' for more information.\n", optopt);
			return -1;
		}
	}
	if (optind < argc)
		fputs("pwd: ignoring non-option arguments\n", stderr);
	return 0;
}

int main(int argc, char **argv)
{
	char buf[PATH];

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	if (parse_options(argc, argv))
		return 1;
	if (!getcwd(buf, sizeof(buf))) {
		fprintf(stderr, "pwd: %s\n", strerror(errno));
		return 1;
	}
	puts(buf);
	return fflush(stdout) ? 1 : 0;
}
