/*
 * Where command lines come from: a string (sh -c), a descriptor (a
 * script, or stdin that is no terminal) read with read(2), or the
 * terminal through the line editor with the "cwd # " prompt.  When the
 * descriptor is also the commands' stdin ("sh < file", "... | sh") no
 * byte past the line is kept: a pipe is read a byte at a time, a file
 * in chunks with the rest given back by lseek.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nuthatch.h"
#include "sh.h"

void input_string(struct input *in, const char *text)
{
	memset(in, 0, sizeof(*in));
	in->kind = INPUT_STRING;
	in->str = text;
}

void input_fd(struct input *in, int fd, int shared)
{
	memset(in, 0, sizeof(*in));
	in->kind = INPUT_FD;
	in->fd = fd;
	in->shared = shared;
	if (shared && lseek(fd, 0, SEEK_CUR) >= 0)
		in->shared = 2;	/* seekable: chunks, the rest given back */
}

void input_tty(struct input *in)
{
	memset(in, 0, sizeof(*in));
	in->kind = INPUT_TTY;
	in->fd = 0;
}

static char *string_line(struct input *in)
{
	const char *s = in->str + in->pos;
	size_t n = strcspn(s, "\n");
	struct buf b = { 0 };

	if (!*s)
		return NULL;
	buf_putn(&b, s, n);
	buf_putc(&b, '\n');
	in->pos += n + (s[n] == '\n');
	return buf_take(&b);
}

static ssize_t read_some(int fd, char *p, size_t n)
{
	ssize_t r;

	while ((r = read(fd, p, n)) < 0 && errno == EINTR)
		;
	return r;
}

/* More bytes into in->chunk; 0 at EOF or on an error. */
static size_t refill(struct input *in)
{
	size_t want = in->shared == 1 ? 1 : sizeof(in->chunk);
	ssize_t r = read_some(in->fd, in->chunk, want);

	in->next = 0;
	in->have = r > 0 ? (size_t)r : 0;
	return in->have;
}

/* A line from the descriptor: up to '\n', or what is left at EOF. */
static char *fd_line(struct input *in)
{
	struct buf b = { 0 };

	for (;;) {
		char *nl;
		size_t n;

		if (in->next == in->have && !refill(in))
			break;
		nl = memchr(in->chunk + in->next, '\n', in->have - in->next);
		n = nl ? (size_t)(nl - in->chunk) + 1 - in->next : in->have - in->next;
		buf_putn(&b, in->chunk + in->next, n);
		in->next += n;
		if (nl)
			break;
	}
	if (in->shared == 2 && in->next < in->have) {
		lseek(in->fd, -(off_t)(in->have - in->next), SEEK_CUR);
		in->next = in->have = 0;
	}
	if (b.len && b.s[b.len - 1] != '\n')
		buf_putc(&b, '\n');
	return b.len ? buf_take(&b) : NULL;
}

/* The prompt: the working directory, then " # " ("> " for more). */
static char *prompt(int more)
{
	char cwd[4096];
	struct buf b = { 0 };

	if (more)
		buf_puts(&b, "> ");
	else {
		buf_puts(&b, getcwd(cwd, sizeof(cwd)) ? cwd : "?");
		buf_puts(&b, " # ");
	}
	return buf_take(&b);
}

/* The boot's figure (make bench): the clock when the first prompt goes
 * out, under deterministic QEMU the instructions since reset, if init
 * was asked for it (nuthatch.bootstat). */
static void boot_figure(void)
{
	static int told;

	if (!told++ && getenv("NH_BOOTSTAT"))
		fprintf(stderr, "bench boot_to_prompt 1 %ld\n", nh_clock_ns());
}

static char *tty_line(struct input *in, int more)
{
	char *p = prompt(more), *line;
	struct buf b = { 0 };

	fflush(stdout);
	boot_figure();
	line = edit_readline(in->fd, p);
	free(p);
	if (!line)
		return NULL;
	if (*line)
		edit_history_add(line);
	buf_puts(&b, line);
	buf_putc(&b, '\n');
	free(line);
	return buf_take(&b);
}

char *input_line(struct input *in, int more)
{
	switch (in->kind) {
	case INPUT_STRING:
		return string_line(in);
	case INPUT_TTY:
		return tty_line(in, more);
	default:
		return fd_line(in);
	}
}

int input_at_end(struct input *in)
{
	if (in->kind != INPUT_STRING)
		return 0;
	return in->str[in->pos + strspn(in->str + in->pos, " \t\n")] == 0;
}
