/*
 * mv: moves (renames) files.  "mv SRC DST" renames SRC to DST, or into
 * DST under SRC's last name if DST is a directory; "mv SRC... DIR" moves
 * each source into the directory DIR.  The move is rename(2); when that
 * fails with EXDEV (another file system) a regular file is copied, with
 * its mode bits, and the source then unlinked.  Directories are not
 * copied across file systems.  Moving a file onto itself is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"

#define PATH	4096

static void help(void)
{
	puts("Usage: mv SRC DST\n"
	     "   or: mv SRC... DIR\n"
	     "Rename SRC to DST, or move each SRC into DIR.");
}

/* Reports that @src could not be moved to @dst; returns 1. */
static int fail(const char *src, const char *dst)
{
	fprintf(stderr, "mv: cannot move '%s' to '%s': %s\n", src, dst, strerror(errno));
	return 1;
}

/* Reports a misuse; returns 1, its status. */
#define usage_error(...)	cmd_usage_error("mv", __VA_ARGS__)

/* Opens @dst to be written, made with exactly the mode @mode. */
static int create(const char *dst, mode_t mode)
{
	mode_t mask = umask(0);
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, mode & 07777);

	umask(mask);
	return fd;
}

/* Moves the regular file @src to @dst by copying it, then unlinking it;
 * a half copy is removed (GNU mv's way too). */
static int copy_across(const char *src, const char *dst, const struct stat *st)
{
	int in, out, r = -1, err, wrote;

	if ((in = open(src, O_RDONLY)) < 0)
		return fail(src, dst);
	if ((out = create(dst, st->st_mode)) >= 0) {
		r = cmd_copy_fd(in, out, &wrote);
		r |= close(out);
		if (!r)
			r = unlink(src);
	}
	err = errno;
	close(in);
	if (r && out >= 0)
		unlink(dst);
	errno = err;
	return r ? fail(src, dst) : 0;
}

static int move(const char *src, const char *dst)
{
	struct stat st, to;

	if (lstat(src, &st)) {
		fprintf(stderr, "mv: %s: %s\n", src, strerror(errno));
		return 1;
	}
	if (!lstat(dst, &to) && st.st_dev == to.st_dev && st.st_ino == to.st_ino) {
		fprintf(stderr, "mv: '%s' and '%s' are the same file\n", src, dst);
		return 1;
	}
	if (!rename(src, dst))
		return 0;
	if (errno != EXDEV || !S_ISREG(st.st_mode))
		return fail(src, dst);
	return copy_across(src, dst, &st);
}

/* Moves @src into the directory @dir, under its last name. */
static int move_into(const char *src, const char *dir)
{
	char to[PATH];

	if (cmd_into(src, dir, to, sizeof(to))) {
		fprintf(stderr, "mv: %s: %s\n", src, strerror(errno));
		return 1;
	}
	return move(src, to);
}

int main(int argc, char **argv)
{
	int status = 0, into;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	opterr = 0;
	if (getopt(argc, argv, "") != -1)
		return usage_error("invalid option -- '%c'", optopt);
	if ((into = cmd_target_operands("mv", argc, argv)) < 0)
		return 1;
	for (int i = optind; i < argc - 1; i++)
		status |= into ? move_into(argv[i], argv[argc - 1]) : move(argv[i], argv[argc - 1]);
	return status;
}
