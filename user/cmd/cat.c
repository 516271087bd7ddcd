/*
 * cat: copies each file operand to standard output in turn, or standard
 * input when there is none or the operand is "-".  The bytes move with
 * read and write, 4 KiB at a time, unchanged.  A file that cannot be
 * opened or read is reported and skipped; the others are still copied,
 * and the exit status is then 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"


static void help(void)
{
	puts("Usage: cat [FILE]...\n"
	     "Copy each FILE (standard input if none, or for -) to standard output.");
}

/* Copies the file @name ("-": standard input); 0, or 1 if it failed. */
static int cat_file(const char *name)
{
	int stdin_ = strcmp(name, "-") == 0;
	int fd = stdin_ ? STDIN_FILENO : open(name, O_RDONLY);
	int wrote, r;

	if (fd < 0) {
		fprintf(stderr, "cat: %s: %s\n", name, strerror(errno));
		return 1;
	}
	r = cmd_copy_fd(fd, STDOUT_FILENO, &wrote);
	if (r)
		fprintf(stderr, "cat: %s: %s\n", wrote ? "write error" : name, strerror(errno));
	if (!stdin_)
		close(fd);
	return r ? 1 : 0;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	opterr = 0;
	if (getopt(argc, argv, "") != -1) {
		fprintf(stderr, "cat: invalid option -- '%c'\n"
			"Try 'cat --help' for more information.\n", optopt);
		return 1;
	}
	if (optind == argc)
		return cat_file("-");
	for (int i = optind; i < argc; i++)
		status |= cat_file(argv[i]);
	return status;
}
