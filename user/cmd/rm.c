/*
 * rm: removes files.  Each operand is unlinked; a directory only with
 * -r (or -R), which removes all it holds first (its names read whole
 * with opendir/readdir before any is removed, then the directory with
 * rmdir).  -f says nothing of files that are not there and leaves the
 * exit status 0 for them, or for no operands at all.  An operand whose
 * last name is "." or "..", or the root itself under -r, is refused.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH	4096

static int opt_force, opt_recursive;

static int remove_any(const char *path);

static void help(void)
{
	puts("Usage: rm [-fr] FILE...\n"
	     "  -f      ignore files that are not there; never ask\n"
	     "  -r, -R  remove directories and all they hold");
}

/* Reports a misuse; returns 1, its status. */
static int __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("rm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'rm --help' for more information.\n", stderr);
	return 1;
}

/* Reports @path's errno (not a missing file under -f); returns 1, or 0. */
static int fail(const char *path)
{
	if (opt_force && errno == ENOENT)
		return 0;
	fprintf(stderr, "rm: %s: %s\n", path, strerror(errno));
	return 1;
}

/* Is @path's last name "." or ".."? */
static int is_dot(const char *path)
{
	char *copy = strdup(path);
	const char *base = copy ? basename(copy) : "";
	int dot = strcmp(base, ".") == 0 || strcmp(base, "..") == 0;

	free(copy);
	return dot;
}

static int is_root(const struct stat *st)
{
	struct stat root;

	return !stat("/", &root) && root.st_dev == st->st_dev && root.st_ino == st->st_ino;
}

static void free_names(char **names)
{
	for (char **name = names; name && *name; name++)
		free(*name);
	free(names);
}

/* Appends a copy of @name to the NULL-ended array *@names of @n. */
static int add_name(char ***names, size_t n, const char *name)
{
	char **more = realloc(*names, (n + 2) * sizeof(**names));

	if (!more)
		return -1;
	*names = more;
	more[n] = strdup(name);
	more[n + 1] = 0;
	return more[n] ? 0 : -1;
}

/* The names in the directory @path but . and ..: a NULL-ended array
 * (for free_names), or NULL with errno. */
static char **read_names(const char *path)
{
	char **names = calloc(1, sizeof(*names));
	DIR *d = names ? opendir(path) : 0;
	struct dirent *e;
	size_t n = 0;
	int err;

	if (!d) {
		free(names);
		return 0;
	}
	for (errno = 0; (e = readdir(d)); errno = 0)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    add_name(&names, n++, e->d_name))
			break;
	err = errno;
	closedir(d);
	if (err) {
		free_names(names);
		names = 0;
	}
	errno = err;
	return names;
}

/* Removes all the directory @path holds, then it. */
static int remove_dir(const char *path)
{
	char **names = read_names(path), child[PATH];
	int r = 0;

	if (!names)
		return fail(path);
	for (char **name = names; *name; name++) {
		snprintf(child, sizeof(child), "%s/%s", path, *name);
		r |= remove_any(child);
	}
	free_names(names);
	if (!r && rmdir(path))
		r = fail(path);
	return r;	/* a child left: GNU rm says no more of the directory */
}

static int remove_any(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return fail(path);
	if (!S_ISDIR(st.st_mode))
		return unlink(path) ? fail(path) : 0;
	if (!opt_recursive) {
		errno = EISDIR;
		return fail(path);
	}
	return remove_dir(path);
}

/* Removes the operand @path, unless it is one to refuse. */
static int remove_operand(const char *path)
{
	struct stat st;

	if (opt_recursive && is_dot(path)) {
		fprintf(stderr, "rm: refusing to remove '.' or '..' directory: skipping '%s'\n", path);
		return 1;
	}
	if (opt_recursive && !lstat(path, &st) && is_root(&st)) {
		fprintf(stderr, "rm: it is dangerous to operate recursively on '%s'\n", path);
		return 1;
	}
	return remove_any(path);
}

int main(int argc, char **argv)
{
	int c, status = 0;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	opterr = 0;
	while ((c = getopt(argc, argv, "frR")) != -1) {
		if (c == '?')
			return usage_error("invalid option -- '%c'", optopt);
		opt_force |= c == 'f';
		opt_recursive |= c == 'r' || c == 'R';
	}
	if (optind == argc)
		return opt_force ? 0 : usage_error("missing operand");
	for (int i = optind; i < argc; i++)
		status |= remove_operand(argv[i]);
	return status;
}
