/*
 * The C side of program start-up and the system glue picolibc needs:
 * thread-local storage (errno lives there, reached through tp), the
 * standard streams over the kernel's console write, read (end of file
 * until programs get console input) and sbrk over the kernel's brk
 * (_exit is lib/posix's).  Everything else comes from picolibc.  Threads
 * made by pthread_create have their own TLS and may call libc (the
 * stream's buffer is under a lock); bare threads (task_create) start
 * with tp = 0 and must not.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <nuthatch/errno.h>

#include "nuthatch.h"

extern char __tls_base[];
void _set_tls(void *tls);
int main(int argc, char **argv, char **envp);

char **environ;

/* picolibc uses newlib's errno values; so does the kernel. */
_Static_assert(NH_EFAULT == EFAULT && NH_ENOSYS == ENOSYS &&
	       NH_ENOMEM == ENOMEM && NH_EINVAL == EINVAL &&
	       NH_EINTR == EINTR && NH_EBADMSG == EBADMSG && NH_EPIPE == EPIPE,
	       "errno values");

/* ---- the standard streams: line-buffered output to the console ---- */

#define OUTBUF	256

static char outbuf[OUTBUF];
static unsigned outlen;

void __nh_stdio_lock(void);	/* lib/posix/mutex.c: threads share the buffer */
void __nh_stdio_unlock(void);

static int out_flush(FILE *f)
{
	(void)f;
	__nh_stdio_lock();
	if (outlen) {
		nh_debug_write(outbuf, outlen);
		outlen = 0;
	}
	__nh_stdio_unlock();
	return 0;
}

static int out_put(char c, FILE *f)
{
	__nh_stdio_lock();
	outbuf[outlen++] = c;
	if (c == '\n' || outlen == OUTBUF)
		out_flush(f);
	__nh_stdio_unlock();
	return (unsigned char)c;
}

static int in_get(FILE *f)
{
	(void)f;
	return _FDEV_EOF;	/* no console input for programs yet */
}

static FILE streams = FDEV_SETUP_STREAM(out_put, in_get, out_flush, _FDEV_SETUP_RW);

/* exit() runs destructors but does not flush this stream itself. */
__attribute__((destructor)) static void flush_at_exit(void)
{
	out_flush(0);
}
FILE *const stdin = &streams;
FILE *const stdout = &streams;
FILE *const stderr = &streams;

/* ---- system glue ------------------------------------------------------ */

ssize_t write(int fd, const void *buf, size_t n)
{
	long r;

	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
	fflush(stdout);
	r = nh_debug_write(buf, n);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

ssize_t read(int fd, void *buf, size_t n)
{
	(void)buf;
	(void)n;
	if (fd != 0) {
		errno = EBADF;
		return -1;
	}
	return 0;	/* no console input for programs yet: end of file */
}

void *sbrk(ptrdiff_t incr)
{
	static uintptr_t cur;
	uintptr_t want;

	if (!cur)
		cur = (uintptr_t)nh_brk(0);
	want = cur + (uintptr_t)incr;
	if ((incr > 0 && want < cur) ||
	    (uintptr_t)nh_brk(want) != want) {
		errno = ENOMEM;
		return (void *)-1;
	}
	cur = want;
	return (void *)(want - (uintptr_t)incr);
}

void __nh_start(int argc, char **argv, char **envp)
{
	_set_tls(__tls_base);	/* the template, loaded in place, is ours */
	environ = envp;
	exit(main(argc, argv, envp));
}
