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

#define PIECE	4096

static void help(void)
{
	puts("Usage: cat [FILE]...\n"
	     "Copy each FILE (standard input if none, or for -) to standard output.");
}

/* Writes all @n bytes of @buf to standard output; 0, or -1. */
static int write_all(const char *buf, ssize_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, buf, (size_t)n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= w;
	}
	return 0;
}

/* Copies @fd to standard output; 0, or -1 with errno (@wrote set for a
 * failed write, clear for a failed read). */
static int copy(int fd, int *wrote)
{
	char buf[PIECE];
	ssize_t n;

	*wrote = 0;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (write_all(buf, n)) {
			*wrote = 1;
			return -1;
		}
	}
	return 0;
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
	r = copy(fd, &wrote);
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
