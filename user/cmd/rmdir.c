/*
 * rmdir: removes each operand, which must be an empty directory, with
 * rmdir(2).  One that cannot be removed is reported and the others are
 * still tried; the exit status is then 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void help(void)
{
	puts("Usage: rmdir DIRECTORY...\n"
	     "Remove each DIRECTORY, which must be empty.");
}

static int usage_error(const char *msg, int c)
{
	if (c)
		fprintf(stderr, "rmdir: %s -- '%c'\n", msg, c);
	else
		fprintf(stderr, "rmdir: %s\n", msg);
	fputs("Try 'rmdir --help' for more information.\n", stderr);
	return 1;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	opterr = 0;
	if (getopt(argc, argv, "") != -1)
		return usage_error("invalid option", optopt);
	if (optind == argc)
		return usage_error("missing operand", 0);
	for (int i = optind; i < argc; i++) {
		if (rmdir(argv[i])) {
			fprintf(stderr, "rmdir: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
