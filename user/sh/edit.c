/*
 * The line editor for an interactive shell, and its history.  While a
 * line is read the terminal is non-canonical and does not echo (ICANON
 * and ECHO off, VMIN 1, VTIME 0); the editor echoes itself with plain
 * VT100 sequences (\b, ESC[K, ESC[nC, ESC[nD), to stderr if that is a
 * terminal, else to the terminal it reads.  It assumes the prompt and
 * line fit on one row, a byte a column (no wide characters).
 *
 * Keys: printable characters insert at the cursor; Backspace (0x7f,
 * 0x08) and Delete (ESC[3~, ^D on a non-empty line) erase; Left/Right
 * (ESC[D, ESC[C, ^B, ^F), Home/End (ESC[H, ESC[F, ESC[1~, ESC[4~, ^A,
 * ^E) move; Up/Down (ESC[A, ESC[B, ^P, ^N) walk the history; ^U kills
 * the line, ^K its end; ^C abandons it; ^D on an empty line is EOF;
 * Enter submits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sh.h"

#define CTL(c)		((c) & 0x1f)
#define ESC		0x1b

static char *history[SH_HISTORY];	/* oldest first */
static int nhistory;

void edit_history_add(const char *line)
{
	if (nhistory && strcmp(history[nhistory - 1], line) == 0)
		return;
	if (nhistory == SH_HISTORY) {
		free(history[0]);
		memmove(history, history + 1, (SH_HISTORY - 1) * sizeof(history[0]));
		nhistory--;
	}
	history[nhistory++] = buf_strdup(line);
}

struct editor {
	int in, out;		/* the terminal, read and written */
	struct buf line;	/* what is typed */
	size_t pos;		/* the cursor, an index into line */
	struct buf echo;	/* for the terminal, written after each key */
	int hist;		/* the history entry shown; nhistory: the new line */
	char *draft;		/* the new line, while the history is shown */
	const char *nl;		/* a new line: "\n" where the terminal adds the \r */
};

enum { KEY_MORE, KEY_ENTER, KEY_EOF };

static void put(struct editor *e, const char *s, size_t n)
{
	buf_putn(&e->echo, s, n);
}

static void flush(struct editor *e)
{
	size_t done = 0;
	ssize_t r;

	while (done < e->echo.len) {
		r = write(e->out, e->echo.s + done, e->echo.len - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	e->echo.len = 0;
}

/* The cursor @n columns left ('D') or right ('C'); nothing for 0. */
static void move(struct editor *e, size_t n, char dir)
{
	char seq[24];

	if (n == 0)
		return;
	if (n == 1 && dir == 'D') {
		put(e, "\b", 1);
		return;
	}
	put(e, seq, (size_t)snprintf(seq, sizeof(seq), "\033[%zu%c", n, dir));
}

/* The line from the cursor on written again (and the old end cleared),
 * the cursor back where it was. */
static void redraw_tail(struct editor *e, int clear)
{
	put(e, e->line.s + e->pos, e->line.len - e->pos);
	if (clear)
		put(e, "\033[K", 3);
	move(e, e->line.len - e->pos, 'D');
}

static void go_to(struct editor *e, size_t pos)
{
	if (pos < e->pos)
		move(e, e->pos - pos, 'D');
	else
		move(e, pos - e->pos, 'C');
	e->pos = pos;
}

static void insert(struct editor *e, char c)
{
	buf_putc(&e->line, 0);	/* room for one more */
	memmove(e->line.s + e->pos + 1, e->line.s + e->pos, e->line.len - 1 - e->pos);
	e->line.s[e->pos] = c;
	put(e, &c, 1);
	e->pos++;
	if (e->pos < e->line.len)
		redraw_tail(e, 0);
}

/* The character at the cursor removed (the cursor stays). */
static void erase_here(struct editor *e)
{
	if (e->pos == e->line.len)
		return;
	memmove(e->line.s + e->pos, e->line.s + e->pos + 1, e->line.len - e->pos);
	e->line.len--;
	redraw_tail(e, 1);
}

static void erase_left(struct editor *e)
{
	if (e->pos == 0)
		return;
	go_to(e, e->pos - 1);
	erase_here(e);
}

/* The whole line replaced by @text, the cursor at its end. */
static void replace(struct editor *e, const char *text)
{
	go_to(e, 0);
	put(e, "\033[K", 3);
	e->line.len = 0;
	buf_puts(&e->line, text);
	put(e, e->line.s, e->line.len);
	e->pos = e->line.len;
}

static void kill_end(struct editor *e)
{
	put(e, "\033[K", 3);
	e->line.len = e->pos;
	buf_cstr(&e->line);
}

/* One step older (@dir -1) or newer (+1) in the history. */
static void history_step(struct editor *e, int dir)
{
	int to = e->hist + dir;

	if (to < 0 || to > nhistory)
		return;
	if (e->hist == nhistory) {
		free(e->draft);
		e->draft = buf_strdup(buf_cstr(&e->line));
	}
	e->hist = to;
	replace(e, to == nhistory ? e->draft : history[to]);
}

static int read_byte(struct editor *e, unsigned char *c)
{
	ssize_t r;

	while ((r = read(e->in, c, 1)) < 0 && errno == EINTR)
		;
	return r == 1;
}

/* The final byte of an ESC [ or ESC O sequence, digits before it in *num. */
static int sequence(struct editor *e, int *num)
{
	unsigned char c;

	*num = 0;
	while (read_byte(e, &c)) {
		if (c >= '0' && c <= '9')
			*num = *num * 10 + (c - '0');
		else if (c != ';')
			return c;
	}
	return -1;
}

/* An escape sequence, its ESC read already. */
static void escape(struct editor *e)
{
	unsigned char c;
	int num, key;

	if (!read_byte(e, &c) || (c != '[' && c != 'O'))
		return;
	key = sequence(e, &num);
	if (key == '~')
		key = num == 1 || num == 7 ? 'H' : num == 4 || num == 8 ? 'F' : num == 3 ? 'X' : 0;
	switch (key) {
	case 'A': history_step(e, -1); break;
	case 'B': history_step(e, +1); break;
	case 'C': go_to(e, e->pos < e->line.len ? e->pos + 1 : e->pos); break;
	case 'D': go_to(e, e->pos ? e->pos - 1 : 0); break;
	case 'H': go_to(e, 0); break;
	case 'F': go_to(e, e->line.len); break;
	case 'X': erase_here(e); break;
	}
}

/* A control character other than ESC. */
static int control(struct editor *e, unsigned char c)
{
	switch (c) {
	case '\r': case '\n': put(e, e->nl, strlen(e->nl)); return KEY_ENTER;
	case 0x7f: case '\b': erase_left(e); break;
	case CTL('A'): go_to(e, 0); break;
	case CTL('E'): go_to(e, e->line.len); break;
	case CTL('B'): go_to(e, e->pos ? e->pos - 1 : 0); break;
	case CTL('F'): go_to(e, e->pos < e->line.len ? e->pos + 1 : e->pos); break;
	case CTL('P'): history_step(e, -1); break;
	case CTL('N'): history_step(e, +1); break;
	case CTL('U'): replace(e, ""); break;
	case CTL('K'): kill_end(e); break;
	case CTL('C'):
		e->line.len = 0;
		put(e, "^C", 2);
		put(e, e->nl, strlen(e->nl));
		return KEY_ENTER;
	case CTL('D'):
		if (e->line.len == 0)
			return KEY_EOF;
		erase_here(e);
		break;
	}
	return KEY_MORE;
}

static int key(struct editor *e)
{
	unsigned char c;

	if (!read_byte(e, &c))
		return e->line.len ? KEY_ENTER : KEY_EOF;
	if (c == ESC)
		escape(e);
	else if (c < 0x20 || c == 0x7f)
		return control(e, c);
	else
		insert(e, (char)c);
	return KEY_MORE;
}

/* Without termios (no terminal after all): a line as the driver gives it. */
static char *plain_readline(int fd, const char *prompt)
{
	struct buf b = { 0 };
	char c = 0;

	write(2, prompt, strlen(prompt));
	while (read(fd, &c, 1) == 1 && c != '\n')
		buf_putc(&b, c);
	if (!b.len && c != '\n')
		return NULL;
	return buf_take(&b);
}

static int edit(struct editor *e, const char *prompt)
{
	int k;

	put(e, prompt, strlen(prompt));
	flush(e);
	while ((k = key(e)) == KEY_MORE)
		flush(e);
	if (k == KEY_EOF)
		put(e, e->nl, strlen(e->nl));
	flush(e);
	return k;
}

char *edit_readline(int fd, const char *prompt)
{
	struct editor e = { .in = fd, .out = isatty(2) ? 2 : fd, .hist = nhistory };
	struct termios saved, raw;
	int k;

	if (tcgetattr(fd, &saved) < 0)
		return plain_readline(fd, prompt);
	e.nl = (saved.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR) ? "\n" : "\r\n";
	raw = saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG);	/* ^C discards the line here */
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tcsetattr(fd, TCSANOW, &raw);
	k = edit(&e, prompt);
	tcsetattr(fd, TCSANOW, &saved);
	buf_free(&e.echo);
	free(e.draft);
	if (k == KEY_EOF) {
		buf_free(&e.line);
		return NULL;
	}
	return buf_take(&e.line);
}
