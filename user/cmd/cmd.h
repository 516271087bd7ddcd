/*
 * What several programs in /bin share (each is one file and links alone,
 * so these are static inline): copying a descriptor's bytes to another,
 * the usage-error message every program prints, and cp's and mv's
 * operand rules (SOURCE... DIRECTORY, or SOURCE DEST).
 */
#ifndef USER_CMD_CMD_H
#define USER_CMD_CMD_H

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CMD_PIECE	4096	/* bytes a read or write moves */

/* Writes all @n bytes of @buf to @fd; 0, or -1 with errno. */
static inline int cmd_write_all(int fd, const char *buf, ssize_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, (size_t)n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= w;
	}
	return 0;
}

/* Copies what @in holds to @out; 0, or -1 with errno (*@wrote set for a
 * failed write, clear for a failed read). */
static inline int cmd_copy_fd(int in, int out, int *wrote)
{
	char buf[CMD_PIECE];
	ssize_t n;

	*wrote = 0;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (cmd_write_all(out, buf, n)) {
			*wrote = 1;
			return -1;
		}
	}
	return 0;
}

/* "@prog: message" and the pointer to --help, on standard error; 1. */
static inline int __attribute__((format(printf, 2, 3)))
cmd_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	return 1;
}

/* cp's and mv's operands from optind: 1 if the last is a directory to
 * copy or move into, 0 if not, -1 (reported) if they are wrong. */
static inline int cmd_target_operands(const char *prog, int argc, char **argv)
{
	struct stat st;
	int n = argc - optind, into;

	if (n < 2)
		return (n ? cmd_usage_error(prog, "missing destination file operand after '%s'",
					    argv[optind])
			  : cmd_usage_error(prog, "missing file operand")), -1;
	into = !stat(argv[argc - 1], &st) && S_ISDIR(st.st_mode);
	if (n > 2 && !into) {
		fprintf(stderr, "%s: target '%s' is not a directory\n", prog, argv[argc - 1]);
		return -1;
	}
	return into;
}

/* @dir/(the last name of @src) into @to (@room bytes); 0, or -1 with errno. */
static inline int cmd_into(const char *src, const char *dir, char *to, size_t room)
{
	char *copy = strdup(src);

	if (!copy)
		return -1;
	snprintf(to, room, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", basename(copy));
	free(copy);
	return 0;
}

#endif
