/* Files through what both systems have (this program's own executable,
 * "/", /dev/null and /dev/zero): open, read, lseek, pread, stat, access,
 * shared offsets, O_CLOEXEC across exec, EMFILE, directories and the
 * working directory. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "posixtest.h"

/* The access mode, and O_APPEND if it is set. */
#define FL(fd)	fl_words(fd, O_APPEND, "O_APPEND")

static char self[512];	/* this program's absolute path (posix_self) */

static long offset(int fd)
{
	return (long)lseek(fd, 0, SEEK_CUR);
}

/* After the exec: descriptor @gone was O_CLOEXEC, @kept was not (and was
 * read 4 bytes into). */
static int cloexec_check(int gone, int kept)
{
	SAY("after exec, the O_CLOEXEC fd", fcntl(gone, F_GETFD));
	SAY("after exec, the other", fcntl(kept, F_GETFD));
	printf("after exec, its offset is still %ld\n", offset(kept));
	return 5;
}

static void regular(void)
{
	struct stat st, st2;
	char buf[8] = "";
	off_t end;
	int fd = open(self, O_RDONLY);

	SAY("open self", fd);
	printf("read 4: %ld", (long)read(fd, buf, 4));
	printf(", ELF magic %d\n", memcmp(buf, "\177ELF", 4) == 0);
	SAY("fstat", fstat(fd, &st));
	end = lseek(fd, 0, SEEK_END);
	printf("regular %d, st_size is SEEK_END's offset %d\n", S_ISREG(st.st_mode) != 0,
	       st.st_size == end && end > 4);
	printf("SEEK_SET 1: %ld\n", (long)lseek(fd, 1, SEEK_SET));
	printf("SEEK_CUR 2: %ld\n", (long)lseek(fd, 2, SEEK_CUR));
	printf("SEEK_END -1 is the size less one %d\n", lseek(fd, -1, SEEK_END) == end - 1);
	lseek(fd, 3, SEEK_SET);
	SAY("SEEK_SET -1", lseek(fd, -1, SEEK_SET));
	SAY("SEEK_CUR -100", lseek(fd, -100, SEEK_CUR));
	SAY("whence 7", lseek(fd, 0, 7));
	printf("offset still %ld\n", offset(fd));
	memset(buf, 0, sizeof(buf));
	printf("pread 3 at 1: %ld \"%s\"\n", (long)pread(fd, buf, 3, 1), buf);
	printf("offset still %ld\n", offset(fd));
	SAY("pread at -1", pread(fd, buf, 1, -1));
	lseek(fd, 0, SEEK_END);
	printf("read at the end: %ld\n", (long)read(fd, buf, 1));
	printf("SEEK_SET past the end %d\n", lseek(fd, end + 100, SEEK_SET) == end + 100);
	printf("read there: %ld, pread there: %ld\n", (long)read(fd, buf, 1),
	       (long)pread(fd, buf, 1, end + 100));
	SAY("stat self", stat(self, &st2));
	printf("stat agrees with fstat: size %d, regular %d, same file %d\n",
	       st2.st_size == st.st_size, S_ISREG(st2.st_mode) != 0,
	       st2.st_ino == st.st_ino && st2.st_dev == st.st_dev);
	memset(&st2, 0, sizeof(st2));
	SAY("lstat self", lstat(self, &st2));
	printf("lstat agrees: size %d, regular %d\n", st2.st_size == st.st_size,
	       S_ISREG(st2.st_mode) != 0);
	SAY("close", close(fd));
	SAY("read after close", read(fd, buf, 1));
	SAY("fstat after close", fstat(fd, &st));
}

static void errors(void)
{
	char path[600], name[300];
	struct stat st;

	SAY("open /nonexistent", open("/nonexistent", O_RDONLY));
	SAY("open /nonexistent/dir/x", open("/nonexistent/dir/x", O_RDONLY));
	snprintf(path, sizeof(path), "%s/x", self);
	SAY("open self/x", open(path, O_RDONLY));
	SAY("stat self/x", stat(path, &st));
	SAY("access self/x F_OK", access(path, F_OK));
	SAY("open self O_DIRECTORY", open(self, O_RDONLY | O_DIRECTORY));
	SAY("open \"\"", open("", O_RDONLY));
	SAY("stat \"\"", stat("", &st));
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	snprintf(path, sizeof(path), "/%s", name);
	SAY("open of a 299-byte name", open(path, O_RDONLY));
	SAY("access self F_OK", access(self, F_OK));
	SAY("access self R_OK|X_OK", access(self, R_OK | X_OK));
	SAY("access / X_OK", access("/", X_OK));
	SAY("access /nonexistent F_OK", access("/nonexistent", F_OK));
	SAY("access self mode 99", access(self, 99));
}

static void directories(void)
{
	int dot = 0, dotdot = 0, bin = 0, dev = 0, n = 0, again = 0;
	struct dirent *de;
	struct stat st;
	char buf[8];
	DIR *d;
	int fd = open("/", O_RDONLY | O_DIRECTORY);

	SAY("open / O_DIRECTORY", fd);
	SAY("fstat", fstat(fd, &st));
	printf("a directory %d\n", S_ISDIR(st.st_mode) != 0);
	SAY("read of a directory", read(fd, buf, sizeof(buf)));
	close(fd);
	SAY("open / O_WRONLY", open("/", O_WRONLY));
	SAY("open / O_RDWR", open("/", O_RDWR));
	SAY("stat /", stat("/", &st));
	printf("a directory %d\n", S_ISDIR(st.st_mode) != 0);
	d = opendir("/");
	printf("opendir /: %s\n", d ? "ok" : errname(errno));
	while (d && (de = readdir(d))) {
		dot |= strcmp(de->d_name, ".") == 0;
		dotdot |= strcmp(de->d_name, "..") == 0;
		bin |= strcmp(de->d_name, "bin") == 0;
		dev |= strcmp(de->d_name, "dev") == 0;
		n++;
	}
	printf("entries: . %d, .. %d, bin %d, dev %d\n", dot, dotdot, bin, dev);
	if (d) {
		rewinddir(d);
		while (readdir(d))
			again++;
		printf("after rewinddir, as many again %d\n", again == n);
		SAY("closedir", closedir(d));
	}
	d = opendir(self);
	printf("opendir self: %s\n", d ? "ok" : errname(errno));
	d = opendir("/nonexistent");
	printf("opendir /nonexistent: %s\n", d ? "ok" : errname(errno));
}

/* One open file description behind dup and fork: one offset. */
static void sharing(void)
{
	char a[4] = "", b[4] = "";
	int fd = open(self, O_RDONLY), d = dup(fd), other;
	pid_t pid;

	read(fd, a, 2);
	read(d, b, 2);
	printf("the fd reads the magic's first 2 %d, its dup the next \"%.2s\"\n",
	       memcmp(a, "\177E", 2) == 0, b);
	printf("offsets then %ld %ld\n", offset(fd), offset(d));
	pid = spawn();
	if (pid == 0)
		_exit(read(fd, a, 4) == 4 ? 0 : 1);
	reap("a child reads 4 through its copy", pid);
	printf("the parent's offset then %ld\n", offset(fd));
	other = open(self, O_RDONLY);
	printf("a second open's own offset %ld\n", offset(other));
	close(other);
	close(d);
	close(fd);
}

static void exec_cloexec(void)
{
	int gone = open(self, O_RDONLY | O_CLOEXEC), kept = open(self, O_RDONLY);
	char a[16], b[16], buf[4];
	char *argv[] = { self, "cloexec-check", a, b, 0 };
	pid_t pid;

	printf("O_CLOEXEC open: %s, plain open: %s\n", fd_flags(gone), fd_flags(kept));
	read(kept, buf, 4);
	snprintf(a, sizeof(a), "%d", gone);
	snprintf(b, sizeof(b), "%d", kept);
	pid = spawn();
	if (pid == 0) {
		execv(self, argv);
		_exit(99);
	}
	reap("the exec'd child", pid);
	close(gone);
	close(kept);
}

/* Open /dev/null until the table is full, then give every one back. */
static void emfile(void)
{
	int *fds = 0, n = 0, cap = 0, fd, e;

	for (;;) {
		if (n == cap) {
			int *more = realloc(fds, (cap = cap ? 2 * cap : 64) * sizeof(*fds));

			if (!more)
				break;
			fds = more;
		}
		if ((fd = open("/dev/null", O_RDONLY)) < 0)
			break;
		fds[n++] = fd;
	}
	e = errno;
	SAY("dup when full", dup(n ? fds[0] : 0));
	while (n > 0)
		close(fds[--n]);
	free(fds);
	printf("opening /dev/null until it fails: %s\n", errname(e));
	fd = open("/dev/null", O_RDONLY);
	SAY("after closing them all, open", fd);
	close(fd);
}

static void devices(void)
{
	static const char zeros[64];
	char buf[64];
	struct stat st;
	int fd = open("/dev/null", O_RDWR);

	SAY("open /dev/null O_RDWR", fd);
	printf("F_GETFL: %s\n", FL(fd));
	printf("read: %ld, write 5: %ld\n", (long)read(fd, buf, sizeof(buf)),
	       (long)write(fd, "hello", 5));
	fstat(fd, &st);
	printf("a character device %d\n", S_ISCHR(st.st_mode) != 0);
	close(fd);
	fd = open("/dev/null", O_WRONLY | O_APPEND);
	printf("O_WRONLY|O_APPEND: %s\n", FL(fd));
	SAY("F_SETFL 0", fcntl(fd, F_SETFL, 0));
	printf("F_GETFL: %s\n", FL(fd));
	SAY("read on O_WRONLY", read(fd, buf, 1));
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 0x55, sizeof(buf));
	printf("/dev/zero: read %ld", (long)read(fd, buf, sizeof(buf)));
	printf(", all zeros %d\n", memcmp(buf, zeros, sizeof(buf)) == 0);
	close(fd);
}

static void cwd(void)
{
	char buf[256];
	int fd;

	SAY("chdir /", chdir("/"));
	printf("getcwd: %s\n", getcwd(buf, sizeof(buf)) ? buf : errname(errno));
	SAY("chdir self", chdir(self));
	SAY("chdir /nonexistent", chdir("/nonexistent"));
	printf("getcwd still: %s\n", getcwd(buf, sizeof(buf)) ? buf : errname(errno));
	SAY("chdir /dev", chdir("/dev"));
	printf("getcwd: %s\n", getcwd(buf, sizeof(buf)) ? buf : errname(errno));
	fd = open("null", O_WRONLY);
	SAY("open null", fd);
	printf("write 3: %ld\n", (long)write(fd, "abc", 3));
	close(fd);
	SAY("chdir ..", chdir(".."));
	printf("getcwd: %s\n", getcwd(buf, sizeof(buf)) ? buf : errname(errno));
	printf("getcwd in 1 byte: %s\n", getcwd(buf, 1) ? buf : errname(errno));
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "cloexec-check") == 0)
		return cloexec_check(atoi(argv[2]), atoi(argv[3]));
	posix_self(argv[0], self, sizeof(self));
	regular();
	errors();
	directories();
	sharing();
	exec_cloexec();
	emfile();
	devices();
	cwd();
	return 0;
}
