/*
 * ls: lists files and directories.  Each operand (default ".") that is a
 * file is listed by the name given; each directory has its entries
 * listed, names sorted with strcmp, those starting with "." only with
 * -a.  File operands come first, then each directory, under a "DIR:"
 * header when there are several operands, as GNU ls does.  Output is
 * one name a line unless standard output is a terminal (then columns
 * 80 wide), or the GNU long format with -l, numeric owner and group
 * and the time as "%b %e %H:%M" in UTC.  -d lists directories
 * themselves, -1 forces one name a line.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WIDTH	80	/* the terminal's columns, assumed */

struct ent {
	char *name;		/* as shown: an entry's name, or an operand */
	struct stat st;
};

struct list {
	struct ent *v;
	size_t n, cap;
};

/* the long format's column widths */
struct widths {
	int nlink, uid, gid, size, major, minor;
};

static int opt_long, opt_all, opt_one, opt_dir;
static int status;

static void help(void)
{
	puts("Usage: ls [-la1d] [FILE]...\n"
	     "  -l  long format: mode, links, owner, group, size, time, name\n"
	     "  -a  also list names starting with . (. and .. too)\n"
	     "  -1  one name a line\n"
	     "  -d  list directories themselves, not their contents");
}

static void fail(const char *what)
{
	fprintf(stderr, "ls: %s: %s\n", what, strerror(errno));
	status = 1;
}

/* @p, or the end of the program if an allocation failed. */
static void *need(void *p)
{
	if (!p) {
		fail("memory");
		exit(1);
	}
	return p;
}

static void add(struct list *l, const char *name, const struct stat *st)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		l->v = need(realloc(l->v, l->cap * sizeof(*l->v)));
	}
	l->v[l->n].name = need(strdup(name));
	l->v[l->n++].st = *st;
}

static void clear(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	*l = (struct list){ 0 };
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->name, ((const struct ent *)b)->name);
}

static void sort(struct list *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), by_name);
}

/* The type letter and permission triplets of @m, as in "drwxr-xr-x". */
static void mode_string(mode_t m, char s[11])
{
	static const char rwx[] = "rwxrwxrwx";

	s[0] = S_ISDIR(m) ? 'd' : S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b' : S_ISFIFO(m) ? 'p' :
	       S_ISLNK(m) ? 'l' : S_ISSOCK(m) ? 's' : '-';
	for (int i = 0; i < 9; i++)
		s[i + 1] = m & (0400 >> i) ? rwx[i] : '-';
	if (m & S_ISUID)
		s[3] = s[3] == 'x' ? 's' : 'S';
	if (m & S_ISGID)
		s[6] = s[6] == 'x' ? 's' : 'S';
	if (m & S_ISVTX)
		s[9] = s[9] == 'x' ? 't' : 'T';
	s[10] = 0;
}

static int is_device(const struct stat *st)
{
	return S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode);
}

static int max_len(int width, unsigned long long v)
{
	int len = snprintf(NULL, 0, "%llu", v);

	return len > width ? len : width;
}

/* The widths of @l's long-format columns, each its longest number. */
static void measure(const struct list *l, struct widths *w)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct stat *st = &l->v[i].st;

		w->nlink = max_len(w->nlink, st->st_nlink);
		w->uid = max_len(w->uid, st->st_uid);
		w->gid = max_len(w->gid, st->st_gid);
		if (is_device(st)) {
			w->major = max_len(w->major, st->st_rdev >> 8);
			w->minor = max_len(w->minor, st->st_rdev & 0xff);
			if (w->size < w->major + 2 + w->minor)
				w->size = w->major + 2 + w->minor;
		} else {
			w->size = max_len(w->size, (unsigned long long)st->st_size);
		}
	}
}

/* The size column: the size, or a device's "major, minor". */
static void print_size(const struct stat *st, const struct widths *w)
{
	int pad = w->size - (w->major + 2 + w->minor);

	if (is_device(st))
		printf("%*s%*u, %*u ", pad, "", w->major, (unsigned)(st->st_rdev >> 8),
		       w->minor, (unsigned)(st->st_rdev & 0xff));
	else
		printf("%*lld ", w->size, (long long)st->st_size);
}

static void print_long_line(const struct ent *e, const struct widths *w)
{
	char mode[11], date[64];
	time_t t = e->st.st_mtime;
	struct tm *tm = gmtime(&t);

	mode_string(e->st.st_mode, mode);
	if (!tm || !strftime(date, sizeof(date), "%b %e %H:%M", tm))
		snprintf(date, sizeof(date), "%lld", (long long)t);
	printf("%s %*lu %*lu %*lu ", mode, w->nlink, (unsigned long)e->st.st_nlink,
	       w->uid, (unsigned long)e->st.st_uid, w->gid, (unsigned long)e->st.st_gid);
	print_size(&e->st, w);
	printf("%s %s\n", date, e->name);
}

/* The width of a column: the longest name and two spaces. */
static size_t column_width(const struct list *l)
{
	size_t width = 1;

	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i].name) + 2 > width)
			width = strlen(l->v[i].name) + 2;
	return width;
}

/* The names in columns, down then across, as many as fit in WIDTH. */
static void print_columns(const struct list *l)
{
	size_t width = column_width(l);
	size_t cols = WIDTH / width ? WIDTH / width : 1;
	size_t rows = (l->n + cols - 1) / cols;

	for (size_t r = 0; r < rows; r++) {
		for (size_t i = r; i < l->n; i += rows) {
			if (i + rows < l->n)
				printf("%-*s", (int)width, l->v[i].name);
			else
				fputs(l->v[i].name, stdout);
		}
		putchar('\n');
	}
}

/* Prints @l; the long format's columns fit @also's entries too. */
static void print_list(const struct list *l, const struct list *also)
{
	struct widths w = { 0 };

	if (opt_long) {
		measure(l, &w);
		measure(also, &w);
		for (size_t i = 0; i < l->n; i++)
			print_long_line(&l->v[i], &w);
	} else if (opt_one || !isatty(STDOUT_FILENO)) {
		for (size_t i = 0; i < l->n; i++)
			puts(l->v[i].name);
	} else {
		print_columns(l);
	}
}

/* Adds the entry @name of the directory @dir to @l (stat only for -l). */
static void add_entry(struct list *l, const char *dir, const char *name)
{
	struct stat st = { 0 };
	char path[4096];

	if (opt_long) {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (lstat(path, &st)) {
			fail(path);
			return;
		}
	}
	add(l, name, &st);
}

/* Reads the directory @path's entries into @l; 0, or -1 with errno. */
static int read_dir(const char *path, struct list *l)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int err;

	if (!d)
		return -1;
	for (errno = 0; (e = readdir(d)); errno = 0)
		if (opt_all || e->d_name[0] != '.')
			add_entry(l, path, e->d_name);
	err = errno;
	closedir(d);
	errno = err;
	return err ? -1 : 0;
}

/* Lists the directory @path, under a header if @header says so. */
static void list_dir(const char *path, int header)
{
	static int first = 1;
	struct list l = { 0 };
	unsigned long long blocks = 0;

	if (read_dir(path, &l)) {
		fail(path);
		if (!l.n)
			return;
	}
	if (header)
		printf("%s%s:\n", first ? "" : "\n", path);
	first = 0;
	sort(&l);
	for (size_t i = 0; i < l.n; i++)
		blocks += (unsigned long long)l.v[i].st.st_blocks;
	if (opt_long)
		printf("total %llu\n", (blocks + 1) / 2);
	print_list(&l, &(struct list){ 0 });
	clear(&l);
}

/* Sorts the operands into the files and the directories to list. */
static void sort_operands(char **names, int n, struct list *files, struct list *dirs)
{
	struct stat st;

	for (int i = 0; i < n; i++) {
		if ((opt_long || opt_dir ? lstat : stat)(names[i], &st))
			fail(names[i]);
		else
			add(S_ISDIR(st.st_mode) && !opt_dir ? dirs : files, names[i], &st);
	}
	sort(files);
	sort(dirs);
}

static int parse_options(int argc, char **argv)
{
	int c;

	opterr = 0;
	while ((c = getopt(argc, argv, "la1d")) != -1) {
		if (c == '?') {
			fprintf(stderr, "ls: invalid option -- '%c'\n"
				"Try 'ls --help' for more information.\n", optopt);
			return -1;
		}
		opt_long |= c == 'l';
		opt_all |= c == 'a';
		opt_one |= c == '1';
		opt_dir |= c == 'd';
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char *dot[] = { ".", 0 };
	struct list files = { 0 }, dirs = { 0 };
	char **names;
	int n;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	if (parse_options(argc, argv))
		return 1;
	n = argc - optind;
	names = n ? argv + optind : dot;
	sort_operands(names, n ? n : 1, &files, &dirs);
	print_list(&files, &dirs);	/* GNU's widths count every operand */
	if (files.n && dirs.n)
		putchar('\n');
	for (size_t i = 0; i < dirs.n; i++)
		list_dir(dirs.v[i].name, n > 1);
	clear(&files);
	clear(&dirs);
	return fflush(stdout) ? 1 : status;
}
