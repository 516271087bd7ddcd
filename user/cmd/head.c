/*
 * head: prints the first lines (10, or N with -n N or the old form -N
 * as the first argument) of each file operand, or of standard input
 * when there is none ("-" is standard input too).  With several inputs
 * each comes under a "==> NAME <==" header, with a blank line between,
 * as in GNU head.  A seekable input is left just after the last line
 * printed, so that a later reader of it goes on from there.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PIECE	4096

static void help(void)
{
	puts("Usage: head [-n N] [-N] [FILE]...\n"
	     "  -n N  print the first N lines (default 10)\n"
	     "  -N    the same as -n N");
}

static int usage_error(const char *msg, int c)
{
	fprintf(stderr, "head: %s -- '%c'\nTry 'head --help' for more information.\n", msg, c);
	return 1;
}

/* How many bytes of the @len at @buf end the first *@n lines; takes
 * the lines found off *@n (all @len if fewer). */
static size_t lines_end(const char *buf, size_t len, long long *n)
{
	const char *p = buf, *nl;

	while (*n > 0 && (nl = memchr(p, '\n', len - (size_t)(p - buf)))) {
		p = nl + 1;
		(*n)--;
	}
	return *n > 0 ? len : (size_t)(p - buf);
}

/* Prints the first @n lines of @fd; 0, or -1 with errno (@out set if
 * the writing failed). */
static int head_fd(int fd, long long n, int *out)
{
	char buf[PIECE];
	ssize_t got;
	size_t len;

	*out = 0;
	while (n > 0 && (got = read(fd, buf, sizeof(buf))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		len = lines_end(buf, (size_t)got, &n);
		if (fwrite(buf, 1, len, stdout) != len) {
			*out = 1;
			return -1;
		}
		if (len < (size_t)got)
			lseek(fd, (off_t)len - got, SEEK_CUR);	/* fails harmlessly on a pipe */
	}
	return 0;
}

/* Prints the head of the input @name, under a header if @headers. */
static int head_file(const char *name, long long n, int headers)
{
	static int first = 1;
	int std = strcmp(name, "-") == 0;
	int fd = std ? STDIN_FILENO : open(name, O_RDONLY), out, r;

	if (fd < 0) {
		fprintf(stderr, "head: %s: %s\n", name, strerror(errno));
		return 1;
	}
	if (headers)
		printf("%s==> %s <==\n", first ? "" : "\n", std ? "standard input" : name);
	first = 0;
	r = head_fd(fd, n, &out);
	if (r)
		fprintf(stderr, "head: %s: %s\n", out ? "write error" : name, strerror(errno));
	if (!std)
		close(fd);
	return r ? 1 : 0;
}

/* The count of lines @s says, or -1 if it is not one. */
static long long parse_count(const char *s)
{
	char *end;
	long long n;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	return *end || errno ? -1 : n;
}

/* The count of lines the options give (-N first, or -n N), or -1. */
static long long parse_options(int argc, char **argv)
{
	long long n = 10;
	int c;

	if (argc > 1 && argv[1][0] == '-' && (n = parse_count(argv[1] + 1)) >= 0)
		optind = 2;	/* the old form, -N */
	else
		n = 10;
	opterr = 0;
	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c == '?')
			return usage_error(optopt == 'n' ? "option requires an argument"
					   : "invalid option", optopt), -1;
		if ((n = parse_count(optarg)) < 0) {
			fprintf(stderr, "head: invalid number of lines: '%s'\n", optarg);
			return -1;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	long long n;
	int status = 0, files;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	if ((n = parse_options(argc, argv)) < 0)
		return 1;
	files = argc - optind;
	if (!files)
		return head_file("-", n, 0);
	for (int i = optind; i < argc; i++)
		status |= head_file(argv[i], n, files > 1);
	return fflush(stdout) ? 1 : status;
}
