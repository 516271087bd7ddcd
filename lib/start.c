/*
 * The C side of program start-up and the system glue picolibc needs:
 * thread-local storage (errno lives there, reached through tp), the
 * standard streams over descriptors 0, 1 and 2 (lib/posix/file.c's read
 * and write) and sbrk over the kernel's brk (_exit is lib/posix's).  Everything else comes from picolibc.  Threads
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
	       NH_EINTR == EINTR && NH_EBADMSG == EBADMSG && NH_EPIPE == EPIPE &&
	       NH_EXDEV == EXDEV && NH_ENOTDIR == ENOTDIR && NH_EISDIR == EISDIR &&
	       NH_ENFILE == ENFILE && NH_EMFILE == EMFILE && NH_ENOTTY == ENOTTY &&
	       NH_EFBIG == EFBIG && NH_ESPIPE == ESPIPE && NH_EROFS == EROFS &&
	       NH_ENOTEMPTY == ENOTEMPTY && NH_ENAMETOOLONG == ENAMETOOLONG,
	       "errno values");

/* ---- the standard streams: descriptors 0, 1 and 2 --------------------
 * stdout and stderr are line-buffered (a line is one write, so lines of
 * processes sharing a console or a pipe never mix) and flushed at exit;
 * stdin reads what one read gives (a line from the console, the bytes a
 * pipe holds) and hands it out a byte at a time. */

#define OUTBUF	256
#define INBUF	256

struct stream {
	FILE file;		/* first: picolibc's FILE * points here */
	int fd;
	unsigned len, pos;
	char buf[OUTBUF];
};

void __nh_stdio_lock(void);	/* lib/posix/mutex.c: threads share the buffers */
void __nh_stdio_unlock(void);

static struct stream *of(FILE *f)
{
	return (struct stream *)f;
}

static int out_flush(FILE *f)
{
	struct stream *s = of(f);
	int r = 0;

	__nh_stdio_lock();
	if (s->len && write(s->fd, s->buf, s->len) < 0)
		r = _FDEV_ERR;
	s->len = 0;
	__nh_stdio_unlock();
	return r;
}

static int out_put(char c, FILE *f)
{
	struct stream *s = of(f);
	int r = (unsigned char)c;

	__nh_stdio_lock();
	s->buf[s->len++] = c;
	if ((c == '\n' || s->len == OUTBUF) && out_flush(f))
		r = _FDEV_ERR;
	__nh_stdio_unlock();
	return r;
}

static int in_get(FILE *f)
{
	struct stream *s = of(f);
	int c;

	__nh_stdio_lock();
	if (s->pos == s->len) {
		ssize_t n = read(s->fd, s->buf, INBUF);

		s->pos = s->len = 0;
		if (n <= 0) {
			__nh_stdio_unlock();
			return n ? _FDEV_ERR : _FDEV_EOF;
		}
		s->len = (unsigned)n;
	}
	c = (unsigned char)s->buf[s->pos++];
	__nh_stdio_unlock();
	return c;
}

static struct stream in_stream = { .file = FDEV_SETUP_STREAM(0, in_get, 0, _FDEV_SETUP_READ), .fd = 0 };
static struct stream out_stream = { .file = FDEV_SETUP_STREAM(out_put, 0, out_flush, _FDEV_SETUP_WRITE), .fd = 1 };
static struct stream err_stream = { .file = FDEV_SETUP_STREAM(out_put, 0, out_flush, _FDEV_SETUP_WRITE), .fd = 2 };

/* exit() runs destructors but does not flush these streams itself. */
__attribute__((destructor)) static void flush_at_exit(void)
{
	out_flush(&out_stream.file);
	out_flush(&err_stream.file);
}
FILE *const stdin = &in_stream.file;
FILE *const stdout = &out_stream.file;
FILE *const stderr = &err_stream.file;

/* ---- system glue ------------------------------------------------------ */

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
