/*
 * The POSIX file calls over the file server (servers/fs, protocol
 * servers/proto/fs.tbl), which picolibc lacks: open, close, read, write,
 * lseek, pread, pwrite, dup, dup2, dup3, fcntl, pipe, pipe2, the stat
 * family, access, chdir, fchdir, getcwd, unlink, rmdir, mkdir,
 * rename, truncate, ftruncate, umask, mkdtemp.  Descriptors are the
 * server's (one table per process, there); each call is one request on
 * NH_FS_HANDLE, a read or write one a PIPE_BUF-sized piece.  A program
 * without a file server (a server itself, __nh_console_direct, or a task
 * started outside the process server) writes descriptors 1 and 2 to the
 * kernel's console and has no others.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nuthatch/errno.h>
#include <nuthatch/handle.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "posix.h"
#include "proto/fs.h"

#define PIECE		4096	/* bytes one request moves (PIPE_BUF) */
#define PATH_ROOM	4096	/* Linux's PATH_MAX, its NUL included */

long __nh_need_buffer(void);
extern const int __nh_console_direct __attribute__((weak));

int __nh_fs_there(void)
{
	static int known;	/* 1: yes, 2: no */
	struct nh_handle_info info;

	if (!known)
		known = !&__nh_console_direct && !nh_handle_info(NH_FS_HANDLE, &info) &&
			info.type == NH_OBJ_ENDPOINT ? 1 : 2;
	return known == 1;
}

/* Sets errno from @r (< 0) and gives -1, else @r. */
static long ret(long r)
{
	return r < 0 ? __nh_fail(r) : r;
}

static int fs_there(void)
{
	return __nh_fs_there();
}

long __nh_fs_buffer(void)
{
	return fs_there() ? __nh_need_buffer() : -NH_ENOSYS;
}

static long buffered(void)
{
	return __nh_fs_buffer();
}

/* A path's length, checked as Linux does before it goes anywhere: a
 * path of PATH_MAX (4,096) bytes or more is ENAMETOOLONG. */
static long path_len(const char *path, size_t *len)
{
	if (!path)
		return -NH_EFAULT;
	*len = strnlen(path, PATH_ROOM);
	return *len == PATH_ROOM ? -NH_ENAMETOOLONG : buffered();
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	uint32_t mode = 0;
	int32_t fd = -1;
	size_t len;
	long r;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, unsigned);
		va_end(ap);
	}
	r = path_len(path, &len);
	if (!r)
		r = fs_openat(NH_FS_HANDLE, dirfd, (uint32_t)flags, mode, path, len, &fd);
	return (int)ret(r ? r : fd);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	unsigned mode = 0;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, unsigned);
		va_end(ap);
	}
	return openat(AT_FDCWD, path, flags, mode);
}

int creat(const char *path, mode_t mode)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int close(int fd)
{
	__nh_pipe_close(fd);
	__nh_file_forget(fd);
	return (int)ret(fs_there() ? fs_close(NH_FS_HANDLE, fd) : -NH_EBADF);
}

#define READ_FILE	1	/* fs_read's file: a file (more may follow) */
#define READ_RING	2	/* ... a pipe: nothing read, the ring is ours */

/* One piece of a read (pread when @at >= 0): bytes, or -NH_E*; *@more
 * whether a full piece may be followed by more at once (a file's; a
 * terminal gives a line and no more).  A pipe's ring, once the file
 * server says it is one, is read here (pipe.c). */
static long read_piece(int fd, void *buf, size_t n, off_t at, int *more)
{
	size_t got = n;
	uint32_t file = 0;
	long r = buffered();

	if (!r && at < 0)
		r = fs_read(NH_FS_HANDLE, fd, (uint32_t)n, &file, buf, &got);
	else if (!r)
		r = fs_pread(NH_FS_HANDLE, fd, (uint32_t)n, at, buf, &got);
	*more = at >= 0 || file == READ_FILE;
	if (!r && file == READ_RING)
		return __nh_pipe_learn_read(fd, buf, n);
	return r ? r : (long)got;
}

static long write_piece(int fd, const void *buf, size_t n, off_t at, size_t *rest)
{
	uint32_t done = 0, ring = 0;
	long r;

	if (!fs_there())
		return fd == 1 || fd == 2 ? nh_debug_write(buf, n) : -NH_EBADF;
	r = __nh_need_buffer();
	if (!r)
		r = at < 0 ? fs_write(NH_FS_HANDLE, fd, buf, n, &done, &ring)
			   : fs_pwrite(NH_FS_HANDLE, fd, at, buf, n, &done);
	if (!r && ring)		/* a pipe: all the rest goes into its ring */
		return __nh_pipe_learn_write(fd, buf, *rest);
	return r ? r : (long)done;
}

/* Reads stop at the first short piece (the end of a file), and after the
 * first piece of a pipe (POSIX: what it holds, never a wait for more);
 * an error after some bytes gives the bytes. */
static ssize_t read_all(int fd, void *buf, size_t n, off_t at)
{
	size_t total = 0;
	int more = 1;

	do {
		size_t want = n - total < PIECE ? n - total : PIECE;
		long r = read_piece(fd, (char *)buf + total, want,
				    at < 0 ? at : at + (off_t)total, &more);

		if (r < 0)
			return total ? (ssize_t)total : (ssize_t)__nh_fail(r);
		total += (size_t)r;
		if ((size_t)r < want || !more)
			break;
	} while (total < n);
	return (ssize_t)total;
}

static ssize_t write_all(int fd, const void *buf, size_t n, off_t at)
{
	size_t total = 0;

	do {
		size_t want = n - total < PIECE ? n - total : PIECE, rest = n - total;
		long r = write_piece(fd, (const char *)buf + total, want,
				     at < 0 ? at : at + (off_t)total, &rest);

		if (r < 0)
			return total ? (ssize_t)total : (ssize_t)__nh_fail(r);
		total += (size_t)r;
		if ((size_t)r < want)
			break;
	} while (total < n);
	return (ssize_t)total;
}

/* A pipe's ring known here is read and written in pipe.c, with no
 * request, a large read of an initramfs file from a mapping (mapped.c);
 * anything else through the file server. */
ssize_t read(int fd, void *buf, size_t n)
{
	long got;

	if (__nh_pipe_read(fd, buf, n, &got) || __nh_file_read(fd, buf, n, &got))
		return got < 0 ? (ssize_t)__nh_fail(got) : (ssize_t)got;
	return read_all(fd, buf, n, -1);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	long done;

	if (__nh_pipe_write(fd, buf, n, &done))
		return done < 0 ? (ssize_t)__nh_fail(done) : (ssize_t)done;
	return write_all(fd, buf, n, -1);
}

ssize_t pread(int fd, void *buf, size_t n, off_t at)
{
	return at < 0 ? (ssize_t)__nh_fail(-NH_EINVAL) : read_all(fd, buf, n, at);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t at)
{
	return at < 0 ? (ssize_t)__nh_fail(-NH_EINVAL) : write_all(fd, buf, n, at);
}

off_t lseek(int fd, off_t off, int whence)
{
	int64_t pos = 0;
	long r = fs_there() ? fs_lseek(NH_FS_HANDLE, fd, whence, off, &pos) : -NH_EBADF;

	return (off_t)ret(r ? r : pos);
}

int dup3(int old, int new, int flags)
{
	int32_t fd = -1;
	long r = fs_there() ? fs_dup3(NH_FS_HANDLE, old, new, (uint32_t)flags, &fd) : -NH_EBADF;

	if (!r)
		__nh_file_forget(fd), __nh_pipe_dup(old, fd);
	return (int)ret(r ? r : fd);
}

int dup(int old)
{
	return dup3(old, -1, 0);
}

int dup2(int old, int new)
{
	if (old == new)	/* POSIX: new itself, if old is open */
		return fcntl(old, F_GETFD) < 0 ? -1 : new;
	if (new < 0)
		return (int)__nh_fail(-NH_EBADF);
	return dup3(old, new, 0);
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	int64_t value = 0;
	long arg, r;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	r = fs_there() ? fs_fcntl(NH_FS_HANDLE, fd, cmd, arg, &value) : -NH_EBADF;
	if (!r && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		__nh_file_forget((int)value), __nh_pipe_dup(fd, (int)value);
	return (int)ret(r ? r : value);
}

int pipe2(int fds[2], int flags)
{
	int32_t rfd = -1, wfd = -1;
	uint64_t ino = 0;
	long ring = 0;
	long r = fs_there() ? fs_pipe2(NH_FS_HANDLE, (uint32_t)flags, &rfd, &wfd, &ino, &ring)
			    : -NH_ENOSYS;

	if (r)
		return (int)__nh_fail(r);
	__nh_pipe_made(rfd, wfd, ino, ring);
	fds[0] = rfd;
	fds[1] = wfd;
	return 0;
}

int pipe(int fds[2])
{
	return pipe2(fds, 0);
}

int fstat(int fd, struct stat *st)
{
	long r = buffered();

	return (int)ret(r ? (r == -NH_ENOSYS ? -NH_EBADF : r) : fs_fstat(NH_FS_HANDLE, fd, st));
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	size_t len;
	long r = path_len(path, &len);

	if (!r)
		r = fs_fstatat(NH_FS_HANDLE, dirfd, (uint32_t)flags, path, len, st);
	return (int)ret(r);
}

int stat(const char *path, struct stat *st)
{
	return fstatat(AT_FDCWD, path, st, 0);
}

int lstat(const char *path, struct stat *st)
{
	return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	size_t len;
	long r = flags & ~AT_EACCESS ? -NH_EINVAL : path_len(path, &len);

	if (!r)
		r = fs_faccessat(NH_FS_HANDLE, dirfd, mode, path, len);
	return (int)ret(r);
}

int access(const char *path, int mode)
{
	return faccessat(AT_FDCWD, path, mode, 0);
}

static int do_chdir(int fd, const char *path)
{
	size_t len = 0;
	long r = path ? path_len(path, &len) : buffered();

	if (!r)
		r = fs_chdir(NH_FS_HANDLE, fd, path, len);
	return (int)ret(r);
}

int chdir(const char *path)
{
	return do_chdir(-1, path);
}

int fchdir(int fd)
{
	return fd < 0 ? (int)__nh_fail(-NH_EBADF) : do_chdir(fd, 0);
}

char *getcwd(char *buf, size_t size)
{
	static char path[PIECE];
	size_t len = sizeof(path);
	long r = buffered();

	if (!r)
		r = fs_getcwd(NH_FS_HANDLE, path, &len);
	if (!r && (!len || path[len - 1]))
		r = -NH_EBADMSG;
	if (!r && buf && size < len)
		r = size ? -NH_ERANGE : -NH_EINVAL;
	if (r) {
		__nh_fail(r);
		return 0;
	}
	if (!buf)
		return strdup(path);	/* glibc's extension: the caller frees it */
	memcpy(buf, path, len);
	return buf;
}


int unlinkat(int dirfd, const char *path, int flags)
{
	size_t len;
	long r = path_len(path, &len);

	if (!r)
		r = fs_unlinkat(NH_FS_HANDLE, dirfd, (uint32_t)flags, path, len);
	return (int)ret(r);
}

int unlink(const char *path)
{
	return unlinkat(AT_FDCWD, path, 0);
}

int rmdir(const char *path)
{
	return unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	size_t len;
	long r = path_len(path, &len);

	if (!r)
		r = fs_mkdirat(NH_FS_HANDLE, dirfd, (uint32_t)mode, path, len);
	return (int)ret(r);
}

int mkdir(const char *path, mode_t mode)
{
	return mkdirat(AT_FDCWD, path, mode);
}

int renameat(int olddirfd, const char *old, int newdirfd, const char *new)
{
	static char both[2 * PATH_ROOM];
	size_t olen, nlen;
	long r = path_len(old, &olen);

	if (!r)
		r = path_len(new, &nlen);
	if (!r && olen + nlen > PIECE)
		r = -NH_ENAMETOOLONG;	/* both must fit one request */
	if (!r) {
		memcpy(both, old, olen);
		memcpy(both + olen, new, nlen);
		r = fs_renameat(NH_FS_HANDLE, olddirfd, newdirfd, (uint32_t)olen, both,
				olen + nlen);
	}
	return (int)ret(r);
}

int rename(const char *old, const char *new)
{
	return renameat(AT_FDCWD, old, AT_FDCWD, new);
}

int ftruncate(int fd, off_t length)
{
	return (int)ret(fs_there() ? fs_ftruncate(NH_FS_HANDLE, fd, length) : -NH_EBADF);
}

int truncate(const char *path, off_t length)
{
	size_t len;
	long r = path_len(path, &len);

	if (!r)
		r = fs_truncate(NH_FS_HANDLE, AT_FDCWD, length, path, len);
	return (int)ret(r);
}

mode_t umask(mode_t mask)
{
	uint32_t old = 022;

	if (fs_there())
		fs_umask(NH_FS_HANDLE, (uint32_t)mask, &old);
	return (mode_t)old;
}

/* picolibc declares mkdtemp but has none: its mktemp picks the name
 * (a free one, by stat), mkdir makes it, tried again if another made it
 * first. */
char *mkdtemp(char *template)
{
	size_t n = strlen(template);
	char *keep = n >= 6 ? strdup(template) : 0;

	if (!keep) {
		errno = n >= 6 ? ENOMEM : EINVAL;
		return 0;
	}
	for (int tries = 0; tries < 100; tries++) {
		memcpy(template, keep, n);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"	/* safe: mkdir says if it was taken */
		if (!mktemp(template) || !*template)
			break;
#pragma GCC diagnostic pop
		if (!mkdir(template, 0700)) {
			free(keep);
			return template;
		}
		if (errno != EEXIST)
			break;
	}
	free(keep);
	return 0;
}
