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
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PIECE	4096
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
static int __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("cp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'cp --help' for more information.\n", stderr);
	return 1;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Writes all @n bytes of @buf to @fd; 0, or -1. */
static int write_all(int fd, const char *buf, ssize_t n)
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

/* Copies what @in holds to @out; 0, or 1 reported. */
static int copy_data(int in, int out, const char *src, const char *dst)
{
	char buf[PIECE];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(src);
		if (write_all(out, buf, n))
			return fail(dst);
	}
	return 0;
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
	char *copy = strdup(src), to[PATH];

	if (!copy)
		return fail(src);
	snprintf(to, sizeof(to), "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
		 basename(copy));
	free(copy);
	return copy_operand(src, to);
}

/* Checks the operands; 1 if the last is a directory to copy into, 0 if
 * not, -1 (reported) if they are wrong. */
static int check_operands(int argc, char **argv)
{
	struct stat st;
	int n = argc - optind, into;

	if (n < 2)
		return (n ? usage_error("missing destination file operand after '%s'", argv[optind])
			  : usage_error("missing file operand")), -1;
	into = !stat(argv[argc - 1], &st) && S_ISDIR(st.st_mode);
	if (n > 2 && !into) {
		fprintf(stderr, "cp: target '%s' is not a directory\n", argv[argc - 1]);
		return -1;
	}
	return into;
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
	if ((into = check_operands(argc, argv)) < 0)
		return 1;
	for (int i = optind; i < argc - 1; i++)
		status |= into ? copy_into(argv[i], argv[argc - 1])
			     : copy_operand(argv[i], argv[argc - 1]);
	return status;
}
