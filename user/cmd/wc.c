/*
 * wc: counts the lines, words and bytes of each file operand, or of
 * standard input when there is none ("-" is standard input too).  -l,
 * -w and -c choose the counts (default all three, always printed in
 * that order).  The output is GNU's: the counts right-aligned to one
 * width (1 for a single count of a single input, else the digits of
 * the regular files' total size, at least 7 if any input is not a
 * regular file), then the name, and a "total" line for several files.
 * A word is a run of characters between white space holding at least
 * one printable character, as GNU wc counts in the C locale.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PIECE	4096

struct counts {
	unsigned long long lines, words, bytes;
};

static int opt_lines, opt_words, opt_bytes;
static int width;

static void help(void)
{
	puts("Usage: wc [-lwc] [FILE]...\n"
	     "  -l  print the newline count\n"
	     "  -w  print the word count\n"
	     "  -c  print the byte count");
}

/* Adds what @n bytes of @buf hold to @c; *@in_word carries over. */
static void count_piece(const char *buf, ssize_t n, struct counts *c, int *in_word)
{
	c->bytes += (unsigned long long)n;
	for (ssize_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)buf[i];

		if (ch == '\n')
			c->lines++;
		if (isspace(ch)) {
			*in_word = 0;
		} else if (isprint(ch) && !*in_word) {
			*in_word = 1;
			c->words++;
		}
	}
}

/* Counts what @fd holds into @c; 0, or -1 with errno. */
static int count_fd(int fd, struct counts *c)
{
	char buf[PIECE];
	int in_word = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		count_piece(buf, n, c, &in_word);
	}
	return 0;
}

/* Prints the chosen counts of @c, then @name unless it is NULL. */
static void print_counts(const struct counts *c, const char *name)
{
	const char *sep = "";

	if (opt_lines) {
		printf("%*llu", width, c->lines);
		sep = " ";
	}
	if (opt_words) {
		printf("%s%*llu", sep, width, c->words);
		sep = " ";
	}
	if (opt_bytes)
		printf("%s%*llu", sep, width, c->bytes);
	printf(name ? " %s\n" : "\n", name);
}

/* GNU's column width for the inputs @names (NULL: standard input). */
static int count_width(char **names, int n)
{
	unsigned long long total = 0;
	int minimum = 1, len;
	struct stat st;

	if (n == 1 && opt_lines + opt_words + opt_bytes == 1)
		return 1;
	for (int i = 0; i < n; i++) {
		const char *name = names[i];

		if (name && strcmp(name, "-") != 0 ? stat(name, &st) : fstat(STDIN_FILENO, &st))
			continue;
		if (S_ISREG(st.st_mode))
			total += (unsigned long long)st.st_size;
		else
			minimum = 7;
	}
	len = snprintf(NULL, 0, "%llu", total);
	return len > minimum ? len : minimum;
}

/* Counts the input @name (NULL or "-": standard input), adds to @total. */
static int wc_file(const char *name, struct counts *total)
{
	int std = !name || strcmp(name, "-") == 0;
	int fd = std ? STDIN_FILENO : open(name, O_RDONLY), r;
	struct counts c = { 0 };

	if (fd < 0) {
		fprintf(stderr, "wc: %s: %s\n", name, strerror(errno));
		return 1;
	}
	r = count_fd(fd, &c);
	if (r)
		fprintf(stderr, "wc: %s: %s\n", name ? name : "-", strerror(errno));
	if (!std)
		close(fd);
	print_counts(&c, name);
	total->lines += c.lines;
	total->words += c.words;
	total->bytes += c.bytes;
	return r ? 1 : 0;
}

static int parse_options(int argc, char **argv)
{
	int c;

	opterr = 0;
	while ((c = getopt(argc, argv, "lwc")) != -1) {
		if (c == '?') {
			fprintf(stderr, "wc: invalid option -- '%c'\n"
				"Try 'wc --help' for more information.\n", optopt);
			return -1;
		}
		opt_lines |= c == 'l';
		opt_words |= c == 'w';
		opt_bytes |= c == 'c';
	}
	if (!opt_lines && !opt_words && !opt_bytes)
		opt_lines = opt_words = opt_bytes = 1;
	return 0;
}

int main(int argc, char **argv)
{
	static char *no_names[] = { NULL };
	struct counts total = { 0 };
	char **names;
	int n, status = 0;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	if (parse_options(argc, argv))
		return 1;
	n = argc - optind;
	names = n ? argv + optind : no_names;
	width = count_width(names, n ? n : 1);
	for (int i = 0; i < (n ? n : 1); i++)
		status |= wc_file(names[i], &total);
	if (n > 1)
		print_counts(&total, "total");
	return fflush(stdout) ? 1 : status;
}
