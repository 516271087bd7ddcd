/*
 * cp: copies files.  "cp SRC DST" copies SRC to DST (into DST/SRC's last
 * name if DST is a directory); "cp SRC... DIR" copies each source into
 * the directory DIR.  As in GNU cp, a new file gets the source's rwx
 * bits less the umask (a directory its sticky bit too, never setuid or
 * setgid); an existing file is overwritten in place.  Directories are
 * copied only with -r (or -R), entry by entry; reaching the first
 * directory made for an operand (a copy into itself) stops that
 * operand, as GNU cp does.  Copying a file onto itself is refused.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"

#define PATH	4096

static int opt_recursive;
static const char *top_src, *top_dst;	/* the operands being copied */
static struct stat first_made;	/* the first directory made for them */
static int have_made, into_self;	/* ...if one is; copying that found */

static int copy_any(const char *src, const char *dst);

static void help(void)
{
	puts("Usage: cp [-r] SRC DST\n"
	     "   or: cp [-r] SRC... DIR\n"
	     "  -r, -R  copy directories and all they hold");
}

/* Reports @what's errno; returns 1, a failure's status. */
static int fail(const char *what)
{
	fprintf(stderr, "cp: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Reports a misuse; returns 1, its status. */
#define usage_error(...)	cmd_usage_error("cp", __VA_ARGS__)

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Copies what @in holds to @out; 0, or 1 reported. */
static int copy_data(int in, int out, const char *src, const char *dst)
{
	int wrote;

	return cmd_copy_fd(in, out, &wrote) ? fail(wrote ? dst : src) : 0;
}

static int copy_file(const char *src, const char *dst, const struct stat *st)
{
	int in = open(src, O_RDONLY), out, r;

	if (in < 0)
		return fail(src);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, st->st_mode & 0777);
	if (out < 0) {
		close(in);
		return fail(dst);
	}
	r = copy_data(in, out, src, dst);
	close(in);
	if (close(out) && !r)
		r = fail(dst);
	return r;
}

/* Notes @dir if it is the first directory made for this operand. */
static void remember(const char *dir)
{
	if (!have_made && !stat(dir, &first_made))
		have_made = 1;
}

/* Makes the directory @dst to copy @st's into, unless it is there. */
static int make_dir(const char *dst, const struct stat *st)
{
	struct stat have;

	if (!mkdir(dst, st->st_mode & 01777)) {
		remember(dst);
		return 0;
	}
	if (errno != EEXIST || stat(dst, &have))
		return -1;
	if (!S_ISDIR(have.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* Copies the entry @name of the directory @src into @dst. */
static int copy_entry(const char *src, const char *dst, const char *name)
{
	char from[PATH], to[PATH];

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	snprintf(from, sizeof(from), "%s/%s", src, name);
	snprintf(to, sizeof(to), "%s/%s", dst, name);
	return copy_any(from, to);
}

static int copy_dir(const char *src, const char *dst, const struct stat *st)
{
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (make_dir(dst, st))
		return fail(dst);
	if (!(d = opendir(src)))
		return fail(src);
	for (errno = 0; !into_self && (e = readdir(d)); errno = 0)
		r |= copy_entry(src, dst, e->d_name);
	if (errno)
		r = fail(src);
	closedir(d);
	return r;
}

static int copy_any(const char *src, const char *dst)
{
	struct stat st, to;

	if (stat(src, &st))
		return fail(src);
	if (!stat(dst, &to) && same_file(&st, &to)) {
		fprintf(stderr, "cp: '%s' and '%s' are the same file\n", src, dst);
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return copy_file(src, dst, &st);
	if (!opt_recursive) {
		fprintf(stderr, "cp: -r not specified; omitting directory '%s'\n", src);
		return 1;
	}
	if (have_made && same_file(&st, &first_made)) {
		into_self = 1;	/* GNU's way: stop copying this operand */
		fprintf(stderr, "cp: cannot copy a directory, '%s', into itself, '%s'\n",
			top_src, top_dst);
		return 1;
	}
	return copy_dir(src, dst, &st);
}

/* Copies the operand @src to @dst. */
static int copy_operand(const char *src, const char *dst)
{
	top_src = src;
	top_dst = dst;
	have_made = into_self = 0;
	return copy_any(src, dst);
}

/* Copies @src into the directory @dir, under its last name. */
static int copy_into(const char *src, const char *dir)
{
	char to[PATH];

	return cmd_into(src, dir, to, sizeof(to)) ? fail(src) : copy_operand(src, to);
}

int main(int argc, char **argv)
{
	int c, status = 0, into;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	opterr = 0;
	while ((c = getopt(argc, argv, "rR")) != -1) {
		if (c == '?')
			return usage_error("invalid option -- '%c'", optopt);
		opt_recursive = 1;
	}
	if ((into = cmd_target_operands("cp", argc, argv)) < 0)
		return 1;
	for (int i = optind; i < argc - 1; i++)
		status |= into ? copy_into(argv[i], argv[argc - 1])
			     : copy_operand(argv[i], argv[argc - 1]);
	return status;
}
