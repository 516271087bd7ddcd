/*
 * mkdir: makes directories.  Each operand is made with mode 0777 less
 * the umask, or exactly the octal mode given with -m MODE.  With -p the
 * missing parent directories are made too (0777 less the umask), and a
 * directory that is already there is no error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH	4096

static int opt_parents;

static void help(void)
{
	puts("Usage: mkdir [-p] [-m MODE] DIRECTORY...\n"
	     "  -p       make parent directories as needed; no error if there\n"
	     "  -m MODE  the new directories' mode, in octal (not less the umask)");
}

/* Reports a misuse; returns 1, its status. */
static int __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mkdir: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'mkdir --help' for more information.\n", stderr);
	return 1;
}

static int fail(const char *path)
{
	fprintf(stderr, "mkdir: %s: %s\n", path, strerror(errno));
	return 1;
}

/* mkdir(2), but a directory already at @path is no error under -p. */
static int make(const char *path, mode_t mode)
{
	struct stat st;

	if (!mkdir(path, mode))
		return 0;
	if (errno != EEXIST || !opt_parents)
		return -1;
	if (stat(path, &st))
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	return 0;
}

/* Makes each missing directory that holds @path (at each '/'). */
static int make_parents(const char *path)
{
	char buf[PATH];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return fail(path);
	}
	for (char *slash = strchr(buf + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		if (slash[-1] == '/')
			continue;	/* "a//b": one directory */
		*slash = 0;
		if (make(buf, 0777))
			return fail(buf);
		*slash = '/';
	}
	return 0;
}

/* Makes @path with exactly @mode (-m), or 0777 less the umask (-1). */
static int make_dir(const char *path, long mode)
{
	mode_t mask = mode < 0 ? 0 : umask(0);
	int r = make(path, mode < 0 ? 0777 : (mode_t)mode);
	int err = errno;

	if (mode >= 0)
		umask(mask);
	errno = err;
	return r ? fail(path) : 0;
}

/* The octal @s as a mode, or -1 if it is not one. */
static long parse_mode(const char *s)
{
	char *end;
	long mode = strtol(s, &end, 8);

	return *s < '0' || *s > '7' || *end || mode > 07777 ? -1 : mode;
}

/* Applies the options; -1 if they are wrong (reported). */
static int parse_options(int argc, char **argv, long *mode)
{
	int c;

	opterr = 0;
	while ((c = getopt(argc, argv, "pm:")) != -1) {
		if (c == '?')
			return usage_error(optopt == 'm' ? "option requires an argument -- '%c'"
					   : "invalid option -- '%c'", optopt), -1;
		if (c == 'p')
			opt_parents = 1;
		else if ((*mode = parse_mode(optarg)) < 0)
			return usage_error("invalid mode '%s'", optarg), -1;
	}
	if (optind == argc)
		return usage_error("missing operand"), -1;
	return 0;
}

int main(int argc, char **argv)
{
	long mode = -1;
	int status = 0;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	if (parse_options(argc, argv, &mode))
		return 1;
	for (int i = optind; i < argc; i++)
		status |= (opt_parents && make_parents(argv[i])) || make_dir(argv[i], mode);
	return status;
}
