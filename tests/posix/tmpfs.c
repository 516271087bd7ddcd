/* Files one makes, in a fresh directory under /tmp (a RAM file system on
 * Nuthatch): create, the umask, O_EXCL, O_APPEND and O_TRUNC, pread and
 * pwrite, sparse files, truncation, unlinking an open file, mkdir and
 * rmdir, rename's cases, readdir, 1,000 files in one directory, an 8 MiB
 * file, "..", getcwd, and a file's offset shared across fork. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "posixtest.h"

#define PIECE		(64 << 10)
#define BIG		(8 << 20)	/* FS0007 in the test server writes 64 MiB */
#define MANY		1000

static char top[32] = "/tmp/posix-tmpfs-XXXXXX";	/* mkdtemp's */
static uint32_t piece[PIECE / 4], want[PIECE / 4];

/* Create (or empty) @name with @mode and write @text to it. */
static int make(const char *name, mode_t mode, const char *text)
{
	int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, mode);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The first bytes of @name as a string, or why not. */
static const char *contents(const char *name)
{
	static char buf[64];
	int fd = open(name, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return errname(errno);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static unsigned mode_of(const char *name)
{
	struct stat st;

	return stat(name, &st) < 0 ? 0 : (unsigned)(st.st_mode & 07777);
}

static long size_of(const char *name)
{
	struct stat st;

	return stat(name, &st) < 0 ? -1 : (long)st.st_size;
}

static long offset(int fd)
{
	return (long)lseek(fd, 0, SEEK_CUR);
}

/* Whether @n bytes of @fd from @off on read back, all zeros. */
static int zeros(int fd, off_t off, size_t n)
{
	unsigned char *p = (unsigned char *)piece;

	while (n > 0) {
		size_t k = n < PIECE ? n : PIECE;

		memset(p, 0xaa, k);
		if (pread(fd, p, k, off) != (ssize_t)k)
			return 0;
		for (size_t i = 0; i < k; i++)
			if (p[i])
				return 0;
		off += k;
		n -= k;
	}
	return 1;
}

/* The big file's words from byte @off on: an odd multiple of the index. */
static void fill(uint32_t *w, size_t off)
{
	for (size_t i = 0; i < PIECE / 4; i++)
		w[i] = (uint32_t)(off / 4 + i) * 2654435761u;
}

/* Remove everything under @path; how many things there were. */
static int rm_tree(const char *path)
{
	int n = 0, pass;

	do {
		struct dirent *de;
		DIR *d = opendir(path);

		pass = 0;
		while (d && (de = readdir(d))) {
			char sub[256];
			struct stat st;

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub))
				continue;
			if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
				n += rm_tree(sub), pass += rmdir(sub) == 0;
			else
				pass += unlink(sub) == 0;
		}
		if (d)
			closedir(d);
		n += pass;
	} while (pass > 0);
	return n;
}

static void creating(void)
{
	struct stat st;
	int fd = open("hello", O_CREAT | O_WRONLY | O_TRUNC, 0644);

	SAY("create hello 0644", fd);
	printf("write 5: %ld\n", (long)write(fd, "hello", 5));
	SAY("close", close(fd));
	SAY("stat", stat("hello", &st));
	printf("regular %d, size %ld, mode %04o, nlink %ld\n", S_ISREG(st.st_mode) != 0,
	       (long)st.st_size, (unsigned)(st.st_mode & 07777), (long)st.st_nlink);
	make("rw", 0666, "");
	printf("created 0666 under umask 022: mode %04o\n", mode_of("rw"));
	printf("umask 0: the old one was %03o\n", (unsigned)umask(0));
	make("rw0", 0666, "");
	printf("created 0666 under umask 0: mode %04o\n", mode_of("rw0"));
	printf("umask 022: the old one was %03o\n", (unsigned)umask(022));
	make("rw0", 0600, "");
	printf("O_CREAT of an existing file leaves its mode %04o\n", mode_of("rw0"));
	unlink("rw");
	unlink("rw0");
	SAY("O_CREAT|O_EXCL of hello", open("hello", O_CREAT | O_EXCL | O_WRONLY, 0644));
	SAY("O_CREAT in a missing directory", open("nodir/x", O_CREAT | O_WRONLY, 0644));
	SAY("open missing", open("missing", O_RDONLY));
	SAY("open hello/x", open("hello/x", O_RDONLY));
	printf("hello still holds \"%s\"\n", contents("hello"));
}

static void offsets(void)
{
	char buf[8] = "";
	struct stat st;
	int fd = open("hello", O_WRONLY | O_APPEND);

	lseek(fd, 0, SEEK_SET);
	printf("O_APPEND, after lseek 0, write 2: %ld", (long)write(fd, "XY", 2));
	printf(", offset then %ld\n", offset(fd));
	close(fd);
	printf("the file: \"%s\"\n", contents("hello"));
	fd = open("hello", O_RDWR);
	printf("pwrite 2 at 1: %ld\n", (long)pwrite(fd, "ZZ", 2, 1));
	printf("pread 3 at 4: %ld \"%s\"\n", (long)pread(fd, buf, 3, 4), buf);
	printf("offset still %ld, the file \"%s\"\n", offset(fd), contents("hello"));
	close(fd);
	fd = open("hello", O_WRONLY | O_TRUNC);
	printf("open O_TRUNC: size %ld\n", size_of("hello"));
	write(fd, "hello", 5);
	close(fd);
	fd = open("sparse", O_CREAT | O_RDWR | O_TRUNC, 0644);
	printf("lseek 100000: %ld\n", (long)lseek(fd, 100000, SEEK_SET));
	printf("write 5 there: %ld\n", (long)write(fd, "hello", 5));
	fstat(fd, &st);
	printf("size %ld, the gap reads as zeros %d\n", (long)st.st_size, zeros(fd, 0, 100000));
	printf("pread at the end: %ld\n", (long)pread(fd, buf, 1, 100005));
	close(fd);
	SAY("unlink sparse", unlink("sparse"));
}

static void truncating(void)
{
	char buf[8];
	int fd = open("cut", O_CREAT | O_RDWR | O_TRUNC, 0644);

	write(fd, "abcdefghij", 10);
	SAY("ftruncate 4", ftruncate(fd, 4));
	SAY("ftruncate 8", ftruncate(fd, 8));
	printf("size %ld, offset still %ld\n", size_of("cut"), offset(fd));
	pread(fd, buf, 4, 0);
	printf("reads \"%.4s\", then zeros %d\n", buf, zeros(fd, 4, 4));
	SAY("ftruncate -1", ftruncate(fd, -1));
	close(fd);
	fd = open("cut", O_RDONLY);
	SAY("ftruncate on O_RDONLY", ftruncate(fd, 0));
	close(fd);
	SAY("truncate cut 3", truncate("cut", 3));
	printf("size %ld, \"%s\"\n", size_of("cut"), contents("cut"));
	mkdir("dir", 0755);
	SAY("truncate of a directory", truncate("dir", 0));
	SAY("truncate missing", truncate("missing", 0));
	rmdir("dir");
	unlink("cut");
}

static void unlinked_open(void)
{
	char buf[16] = "";
	struct stat st;
	int fd;

	make("doomed", 0644, "still here");
	fd = open("doomed", O_RDONLY);
	SAY("unlink of an open file", unlink("doomed"));
	SAY("stat of its name", stat("doomed", &st));
	printf("the fd reads %ld \"%s\"\n", (long)read(fd, buf, sizeof(buf) - 1), buf);
	SAY("fstat", fstat(fd, &st));
	printf("nlink %ld, size %ld\n", (long)st.st_nlink, (long)st.st_size);
	SAY("close", close(fd));
	SAY("unlink it again", unlink("doomed"));
}

static void directories(void)
{
	struct stat st;

	SAY("mkdir d 0777", mkdir("d", 0777));
	stat("d", &st);
	printf("a directory %d, mode %04o\n", S_ISDIR(st.st_mode) != 0,
	       (unsigned)(st.st_mode & 07777));
	SAY("mkdir d again", mkdir("d", 0755));
	SAY("mkdir of an existing file", mkdir("hello", 0755));
	SAY("mkdir nodir/x", mkdir("nodir/x", 0755));
	make("d/f", 0644, "f");
	SAY("rmdir of a non-empty d", rmdir("d"));
	SAY("rmdir of a file", rmdir("d/f"));
	SAY("unlink of a directory", unlink("d"));
	SAY("rmdir .", rmdir("."));
	SAY("rmdir d/.", rmdir("d/."));
	SAY("rmdir ..", rmdir(".."));
	SAY("rmdir missing", rmdir("missing"));
	SAY("unlink missing", unlink("missing"));
	SAY("open d O_WRONLY", open("d", O_WRONLY));
	SAY("unlink d/f", unlink("d/f"));
	SAY("rmdir d, now empty", rmdir("d"));
	SAY("stat d", stat("d", &st));
}

static void renames(void)
{
	struct stat st;

	make("a", 0644, "first");
	SAY("rename a b", rename("a", "b"));
	SAY("stat a", stat("a", &st));
	printf("b: \"%s\"\n", contents("b"));
	make("c", 0644, "second");
	SAY("rename c over b", rename("c", "b"));
	printf("b: \"%s\", c: %s\n", contents("b"), contents("c"));
	mkdir("d1", 0755);
	SAY("rename a file over a directory", rename("b", "d1"));
	SAY("rename a directory over a file", rename("d1", "b"));
	mkdir("d2", 0755);
	SAY("rename a directory over an empty one", rename("d1", "d2"));
	printf("d1: %s, d2 a directory %d\n", stat("d1", &st) ? errname(errno) : "there",
	       stat("d2", &st) == 0 && S_ISDIR(st.st_mode));
	mkdir("d3", 0755);
	make("d3/x", 0644, "x");
	SAY("rename over a non-empty directory", rename("d2", "d3"));
	mkdir("d2/sub", 0755);
	SAY("rename a directory into its own subdirectory", rename("d2", "d2/sub/in"));
	SAY("rename a directory to itself", rename("d2", "d2"));
	SAY("rename b to itself", rename("b", "b"));
	printf("b: \"%s\"\n", contents("b"));
	SAY("rename missing", rename("missing", "z"));
	SAY("rename b into a missing directory", rename("b", "nodir/b"));
	SAY("rename b into d3", rename("b", "d3/b"));
	printf("d3/b: \"%s\"\n", contents("d3/b"));
	unlink("d3/b");
	unlink("d3/x");
	rmdir("d3");
	rmdir("d2/sub");
	rmdir("d2");
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void listing(void)
{
	char names[8][16], *sorted[8];
	struct dirent *de;
	int n = 0;
	DIR *d;

	mkdir("list", 0755);
	make("list/one", 0644, "1");
	make("list/two", 0644, "2");
	make("list/three", 0644, "3");
	d = opendir("list");
	printf("opendir list: %s\n", d ? "ok" : errname(errno));
	for (; d && n < 8 && (de = readdir(d)); n++) {
		snprintf(names[n], sizeof(names[n]), "%.15s", de->d_name);
		sorted[n] = names[n];
	}
	if (d)
		closedir(d);
	qsort(sorted, n, sizeof(sorted[0]), by_name);
	printf("%d entries:", n);
	for (int i = 0; i < n; i++)
		printf(" %s", sorted[i]);
	printf("\n");
	rm_tree("list");
	rmdir("list");
}

/* How many entries readdir gives for @path, . and .. among them. */
static int count(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static void many(void)
{
	int bad = 0, gone = 0;
	char name[32], text[16];

	mkdir("many", 0755);
	for (int i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "many/f%d", i);
		snprintf(text, sizeof(text), "%d", i);
		bad += make(name, 0644, text) < 0;
	}
	printf("created %d files, failures %d\n", MANY, bad);
	printf("readdir: %d entries\n", count("many"));
	printf("f0 \"%s\"", contents("many/f0"));
	printf(", f7 \"%s\"", contents("many/f7"));
	printf(", f500 \"%s\"", contents("many/f500"));
	printf(", f999 \"%s\"\n", contents("many/f999"));
	SAY("O_EXCL of f123", open("many/f123", O_CREAT | O_EXCL | O_WRONLY, 0644));
	for (int i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "many/f%d", i);
		gone += unlink(name) == 0;
	}
	printf("unlinked %d\n", gone);
	printf("readdir then: %d entries\n", count("many"));
	SAY("rmdir many", rmdir("many"));
}

static void big(void)
{
	long bad = -1;
	struct stat st;
	int fd = open("big", O_CREAT | O_RDWR | O_TRUNC, 0644);

	SAY("create big", fd);
	for (size_t off = 0; fd >= 0 && off < BIG; off += PIECE) {
		fill(piece, off);
		if (write(fd, piece, PIECE) != PIECE)
			break;
	}
	SAY("fstat", fstat(fd, &st));
	printf("size %ld\n", (long)st.st_size);
	lseek(fd, 0, SEEK_SET);
	for (size_t off = 0; fd >= 0 && off < BIG; off += PIECE) {
		fill(want, off);
		memset(piece, 0, PIECE);
		if (read(fd, piece, PIECE) != PIECE || memcmp(piece, want, PIECE) != 0) {
			bad = (long)off;
			break;
		}
	}
	if (bad < 0)
		printf("8 MiB ok\n");
	else
		printf("8 MiB differs in the piece at %ld\n", bad);
	printf("read at the end: %ld\n", (long)read(fd, piece, 1));
	close(fd);
	SAY("unlink big", unlink("big"));
}

/* getcwd, with the mkdtemp directory as TMPDIR. */
static const char *cwd(void)
{
	static char buf[300], out[300];
	size_t n = strlen(top);

	if (!getcwd(buf, sizeof(buf)))
		return errname(errno);
	if (strncmp(buf, top, n) != 0)
		return buf;
	snprintf(out, sizeof(out), "TMPDIR%s", buf + n);
	return out;
}

static void paths(void)
{
	char up[64];

	printf("getcwd: %s\n", cwd());
	SAY("mkdir sub", mkdir("sub", 0755));
	printf("sub/../hello: \"%s\"\n", contents("sub/../hello"));
	SAY("chdir sub", chdir("sub"));
	printf("getcwd: %s\n", cwd());
	printf("../hello: \"%s\"\n", contents("../hello"));
	snprintf(up, sizeof(up), "../../%s/hello", strrchr(top, '/') + 1);
	printf("../../TMPDIR's name/hello: \"%s\"\n", contents(up));
	SAY("make ../sub/new", make("../sub/new", 0644, "new"));
	printf("new: \"%s\"\n", contents("new"));
	unlink("new");
	SAY("chdir ..", chdir(".."));
	printf("getcwd: %s\n", cwd());
	SAY("rmdir sub", rmdir("sub"));
	SAY("chdir sub", chdir("sub"));
}

/* A child writes through the fd it inherited: one description, one offset. */
static void forked(void)
{
	int fd = open("shared", O_CREAT | O_RDWR | O_TRUNC, 0644);
	char buf[16] = "";
	pid_t pid;

	write(fd, "abc", 3);
	pid = spawn();
	if (pid == 0)
		_exit(write(fd, "def", 3) == 3 ? 0 : 1);
	reap("a child writes 3 through its copy", pid);
	printf("the parent's offset then %ld\n", offset(fd));
	write(fd, "ghi", 3);
	printf("the file: %ld \"%s\"\n", (long)pread(fd, buf, sizeof(buf) - 1, 0), buf);
	close(fd);
	pid = spawn();
	if (pid == 0)
		_exit(make("from-child", 0644, "child") < 0);
	reap("a child creates a file", pid);
	printf("the parent reads \"%s\"\n", contents("from-child"));
	unlink("from-child");
	unlink("shared");
}

int main(void)
{
	struct stat st;
	int left;

	umask(022);
	stat("/tmp", &st);
	printf("/tmp: a directory %d, mode %04o\n", S_ISDIR(st.st_mode) != 0,
	       (unsigned)(st.st_mode & 07777));
	if (!mkdtemp(top)) {
		printf("mkdtemp: %s\n", errname(errno));
		return 1;
	}
	printf("mkdtemp: %s, mode %04o\n", strncmp(top, "/tmp/posix-tmpfs-", 17) == 0 &&
	       strlen(top) == 23 ? "a fresh name" : top, mode_of(top));
	if (chdir(top) < 0) {
		printf("chdir: %s\n", errname(errno));
		rmdir(top);
		return 1;
	}
	creating();
	offsets();
	truncating();
	unlinked_open();
	directories();
	renames();
	listing();
	many();
	big();
	paths();
	forked();
	unlink("hello");
	chdir("/");
	left = rm_tree(top);
	printf("left behind %d\n", left);
	SAY("rmdir TMPDIR", rmdir(top));
	return left != 0;
}
