/*
 * What the differential programs share (tests/posix/README.md): errno and
 * signal names, so that the host's output and Nuthatch's compare as text
 * although their numbers differ, and a wait status in words.  Plain C
 * over POSIX: it builds with the host's C library and with Nuthatch's.
 */
#ifndef POSIXTEST_H
#define POSIXTEST_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static inline const char *errname(int e)
{
	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case E2BIG: return "E2BIG";
	case ENOEXEC: return "ENOEXEC";
	case EBADF: return "EBADF";
	case ECHILD: return "ECHILD";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case ENFILE: return "ENFILE";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case ESPIPE: return "ESPIPE";
	case EROFS: return "EROFS";
	case EPIPE: return "EPIPE";
	case ERANGE: return "ERANGE";
	case EDEADLK: return "EDEADLK";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOSYS: return "ENOSYS";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ELOOP: return "ELOOP";
	case EOVERFLOW: return "EOVERFLOW";
	default: return "E?";
	}
}

static inline const char *signame(int s)
{
	switch (s) {
	case SIGHUP: return "SIGHUP";
	case SIGINT: return "SIGINT";
	case SIGILL: return "SIGILL";
	case SIGTRAP: return "SIGTRAP";
	case SIGABRT: return "SIGABRT";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGKILL: return "SIGKILL";
	case SIGSEGV: return "SIGSEGV";
	case SIGTERM: return "SIGTERM";
	case SIGCHLD: return "SIGCHLD";
	default: return "SIG?";
	}
}

/* "exit N" or "signal NAME" (with " core" if one was dumped). */
static inline const char *status_words(int status)
{
	static char buf[64];

	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "signal %s", signame(WTERMSIG(status)));
	else
		snprintf(buf, sizeof(buf), "other 0x%x", (unsigned)status);
	return buf;
}

/* One line: what a call returned, and errno by name when it failed. */
#define SAY(label, call) do {						\
	long r_ = (long)(call);						\
	printf("%s: %s%s\n", label, r_ < 0 ? "-1 " : "ok",		\
	       r_ < 0 ? errname(errno) : "");				\
} while (0)

/* fork, with stdout flushed first (no buffered line is printed twice). */
static inline pid_t spawn(void)
{
	fflush(stdout);
	return fork();
}

/* Wait for @pid and print "@label: " and its status in words. */
static inline void reap(const char *label, pid_t pid)
{
	int status = 0;

	printf("%s: %s\n", label,
	       waitpid(pid, &status, 0) == pid ? status_words(status) : "wait failed");
}

/* @fd's descriptor flags: "FD_CLOEXEC", "clear", or the error's name. */
static inline const char *fd_flags(int fd)
{
	int r = fcntl(fd, F_GETFD);

	if (r < 0)
		return errname(errno);
	return r & FD_CLOEXEC ? "FD_CLOEXEC" : "clear";
}

/* The access mode of @fd's description, and @name if @flag is set in it
 * (at most 31 bytes of @name); four buffers in turn, so that one printf
 * may show several. */
static inline const char *fl_words(int fd, int flag, const char *name)
{
	static const char *const modes[3] = { "O_RDONLY", "O_WRONLY", "O_RDWR" };
	static char bufs[4][64];
	static unsigned turn;
	char *out = bufs[turn++ % 4];
	int fl = fcntl(fd, F_GETFL);
	int mode = fl & O_ACCMODE;

	if (fl < 0)
		return errname(errno);
	snprintf(out, sizeof(bufs[0]), "%s%s%.31s", modes[mode == O_RDONLY ? 0 : mode == O_WRONLY ? 1 : 2],
		 fl & flag ? " " : "", fl & flag ? name : "");
	return out;
}

/* This program's absolute path into @out from argv[0]: absolute on the
 * host; Nuthatch's test server passes the bare name of /bin/posix/NAME. */
static inline void posix_self(const char *argv0, char *out, size_t size)
{
	char cwd[256];

	if (argv0[0] == '/')
		snprintf(out, size, "%s", argv0);
	else if (strchr(argv0, '/') && getcwd(cwd, sizeof(cwd)))
		snprintf(out, size, "%s/%s", cwd, argv0);
	else
		snprintf(out, size, "/bin/posix/%s", argv0);
}

#endif
