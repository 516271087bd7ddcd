/*
 * The line discipline: input processing (c_iflag), canonical line editing
 * with echo (erase, word erase, kill, end of file, end of line), raw
 * input for VMIN, output processing (c_oflag), the termios requests and
 * the foreground group.  Linux's n_tty is the model for what each flag
 * does.  VTIME is not implemented (a read waits for VMIN bytes, or
 * returns at once when VMIN is 0); ISIG characters are recognised, echo
 * and flush the input, and are counted: sending the signal to the
 * foreground group is the hook the signals issue fills (tty_signal).
 */
#include <string.h>
#include <sys/ioctl.h>

#include <nuthatch/errno.h>
#include <nuthatch/ipc.h>

#include "console.h"
#include "nuthatch.h"

#define END_EOF		(1ull << 63)	/* a line ended by VEOF */
#define CTRL(c)		((c) & 0x1f)

struct con_tty con_tty;
#define T (&con_tty)

void tty_init(void)
{
	static const cc_t cc[NCCS] = {
		[VINTR] = CTRL('C'), [VQUIT] = CTRL('\\'), [VERASE] = 0x7f,
		[VKILL] = CTRL('U'), [VEOF] = CTRL('D'), [VMIN] = 1, [VTIME] = 0,
		[VSTART] = CTRL('Q'), [VSTOP] = CTRL('S'), [VSUSP] = CTRL('Z'),
		[VREPRINT] = CTRL('R'), [VWERASE] = CTRL('W'), [VLNEXT] = CTRL('V'),
		[VDISCARD] = CTRL('O'),
	};

	memset(T, 0, sizeof(*T));	/* every page of it now: none at a later first use */
	T->t = (struct termios){
		.c_iflag = ICRNL | IXON | IUTF8,
		.c_oflag = OPOST | ONLCR,
		.c_cflag = B115200 | CS8 | CREAD | HUPCL | CLOCAL,
		.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
		.c_ispeed = B115200, .c_ospeed = B115200,
	};
	memcpy(T->t.c_cc, cc, sizeof(cc));
	T->ws = (struct winsize){ .ws_row = 24, .ws_col = 80 };
	T->pgrp = 1;
	T->sid = 1;
}

static int lflag(tcflag_t f)
{
	return (T->t.c_lflag & f) != 0;
}

/* ---- output ------------------------------------------------------------ */

void tty_write(const void *buf, size_t n)
{
	const char *s = buf;
	size_t from = 0;

	if (!(T->t.c_oflag & OPOST)) {
		port_write(buf, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *with = 0;

		if (s[i] == '\n' && (T->t.c_oflag & ONLCR))
			with = "\r\n";
		else if (s[i] == '\r' && (T->t.c_oflag & OCRNL))
			with = "\n";
		if (!with)
			continue;
		port_write(s + from, i - from);
		port_write(with, strlen(with));
		from = i + 1;
	}
	port_write(s + from, n - from);
}

/* Echo one input byte: a control character as ^X with ECHOCTL. */
static void echo_char(unsigned char c)
{
	char two[2] = { '^', (char)(c ^ 0x40) };

	if (!lflag(ECHO))
		return;
	if (lflag(ECHOCTL) && (c < 0x20 || c == 0x7f) && c != '\t' && c != '\n')
		tty_write(two, 2);
	else
		tty_write(&c, 1);
}

/* How many columns the echo of @c took. */
static int echo_width(unsigned char c)
{
	return lflag(ECHOCTL) && (c < 0x20 || c == 0x7f) && c != '\t' ? 2 : 1;
}

/* ---- the line being edited --------------------------------------------- */

static void erase_one(void)
{
	unsigned char c;

	if (!T->nline)
		return;
	c = (unsigned char)T->line[--T->nline];
	if (!lflag(ECHO) || !lflag(ECHOE))
		return;
	for (int w = echo_width(c); w > 0; w--)
		tty_write("\b \b", 3);
}

static void erase_word(void)
{
	while (T->nline && T->line[T->nline - 1] == ' ')
		erase_one();
	while (T->nline && T->line[T->nline - 1] != ' ')
		erase_one();
}

static void kill_line(unsigned char c)
{
	if (lflag(ECHO) && lflag(ECHOK) && !lflag(ECHOKE)) {
		T->nline = 0;
		echo_char(c);
		tty_write("\n", 1);
		return;
	}
	while (T->nline)
		erase_one();
}

static uint32_t in_room(void)
{
	return CON_IN_SIZE - (T->head - T->tail);
}

/* The edited line (and @delim, unless 0) becomes readable; @eof: VEOF. */
static void commit_line(int delim, int eof)
{
	uint32_t need = T->nline + (delim >= 0);

	if (in_room() < need || T->ehead - T->etail == CON_ENDS)
		return;		/* full: the line stays being edited */
	for (uint32_t i = 0; i < T->nline; i++)
		T->in[T->head++ % CON_IN_SIZE] = T->line[i];
	if (delim >= 0)
		T->in[T->head++ % CON_IN_SIZE] = (char)delim;
	T->ends[T->ehead++ % CON_ENDS] = T->head | (eof ? END_EOF : 0);
	T->nline = 0;
}

static void canon_input(unsigned char c)
{
	const cc_t *cc = T->t.c_cc;

	if (c == cc[VERASE] && c)
		erase_one();
	else if (c == cc[VWERASE] && c && lflag(IEXTEN))
		erase_word();
	else if (c == cc[VKILL] && c)
		kill_line(c);
	else if (c == cc[VEOF] && c)
		commit_line(-1, 1);
	else if (c == '\n' || (c == cc[VEOL] && c) || (c == cc[VEOL2] && c && lflag(IEXTEN))) {
		if (lflag(ECHO) || (c == '\n' && lflag(ECHONL)))
			tty_write(&c, 1);
		commit_line(c, 0);
	} else if (T->nline < CON_LINE_MAX) {
		T->line[T->nline++] = (char)c;
		echo_char(c);
	} else {
		port_write("\a", 1);	/* the line is full */
	}
}

static void raw_input(unsigned char c)
{
	if (!in_room())
		return;
	T->in[T->head++ % CON_IN_SIZE] = (char)c;
	echo_char(c);
}

static void flush_input(void)
{
	T->nline = 0;
	T->tail = T->head;
	T->etail = T->ehead;
}

/* The hook the signals issue fills: send @sig to the foreground group. */
static void tty_signal(int sig)
{
	(void)sig;
	T->signals++;
}

/* VINTR, VQUIT, VSUSP under ISIG: 1 if @c was one. */
static int isig_input(unsigned char c)
{
	static const int slots[] = { VINTR, VQUIT, VSUSP };
	static const int sigs[] = { 2, 3, 20 };	/* Linux's SIGINT, SIGQUIT, SIGTSTP */

	for (int i = 0; i < 3; i++) {
		if (c != T->t.c_cc[slots[i]] || !c)
			continue;
		if (!lflag(NOFLSH))
			flush_input();
		echo_char(c);
		tty_signal(sigs[i]);
		return 1;
	}
	return 0;
}

void tty_input(int ch)
{
	unsigned char c = (unsigned char)ch;
	tcflag_t i = T->t.c_iflag;

	T->rx++;
	if (i & ISTRIP)
		c &= 0x7f;
	if (c == '\r') {
		if (i & IGNCR)
			return;
		if (i & ICRNL)
			c = '\n';
	} else if (c == '\n' && (i & INLCR)) {
		c = '\r';
	}
	if (lflag(ISIG) && isig_input(c))
		return;
	if (lflag(ICANON))
		canon_input(c);
	else
		raw_input(c);
}

/* ---- reads -------------------------------------------------------------- */

uint32_t tty_lines(void)
{
	return T->ehead - T->etail;
}

/* What a read of @count may take now: its length (maybe 0 for end of
 * file or VMIN 0), or -1 if it must wait. */
static long ready(uint32_t count)
{
	uint32_t avail = T->head - T->tail;

	if (lflag(ICANON)) {
		if (T->ehead == T->etail)
			return -1;
		uint32_t end = (uint32_t)T->ends[T->etail % CON_ENDS];
		uint32_t n = end - T->tail;

		return n < count ? n : count;
	}
	if (avail < (T->t.c_cc[VMIN] < count ? T->t.c_cc[VMIN] : count))
		return -1;
	return avail < count ? avail : count;
}

/* Take @n bytes a read got (a canonical line's end goes when reached). */
static void consume(uint32_t n)
{
	T->tail += n;
	if (lflag(ICANON) && T->ehead != T->etail &&
	    T->tail == (uint32_t)T->ends[T->etail % CON_ENDS])
		T->etail++;
}

/* Answer @reply with what a read of @count gets now: 1 answered (or its
 * caller gone, nothing taken), 0 must wait. */
static int answer(long reply, uint32_t count)
{
	char buf[4096];
	long n = ready(count);

	if (n < 0)
		return 0;
	for (long k = 0; k < n; k++)
		buf[k] = T->in[(T->tail + (uint32_t)k) % CON_IN_SIZE];
	if (con_answer_read(reply, buf, (size_t)n) == 0)
		consume((uint32_t)n);
	return 1;
}

long tty_read(long reply, uint32_t count, int nonblock)
{
	struct con_waiter *w = 0;

	if (count > 4096)
		count = 4096;
	if (!T->nwait && answer(reply, count))
		return 0;
	if (nonblock)
		return -NH_EAGAIN;
	for (int i = 0; i < CON_WAITERS && !w; i++)
		w = T->wait[i].reply ? 0 : &T->wait[i];
	if (!w)
		return -NH_EAGAIN;
	*w = (struct con_waiter){ .reply = reply, .count = count, .cookie = ++T->next_cookie };
	if (nh_ipc_reply_notify(reply, CON_SERVE_HANDLE, w->cookie) < 0) {
		w->reply = 0;	/* gone already, or no memory for the notice */
		return -NH_ENOMEM;
	}
	T->nwait++;
	return 0;
}

/* The oldest waiter (cookies grow), or 0. */
static struct con_waiter *oldest(void)
{
	struct con_waiter *o = 0;

	for (int i = 0; i < CON_WAITERS; i++) {
		struct con_waiter *w = &T->wait[i];

		if (w->reply && (!o || w->cookie < o->cookie))
			o = w;
	}
	return o;
}

void tty_serve(void)
{
	struct con_waiter *w;

	while ((w = oldest()) && answer(w->reply, w->count)) {
		w->reply = 0;
		T->nwait--;
	}
}

void tty_cancel(uint64_t cookie)
{
	for (int i = 0; i < CON_WAITERS; i++) {
		struct con_waiter *w = &T->wait[i];

		if (w->reply && w->cookie == cookie) {
			nh_handle_close(w->reply);
			w->reply = 0;
			T->nwait--;
		}
	}
}

/* ---- requests ------------------------------------------------------------ */

/* Bytes typed ahead in non-canonical mode and not yet read become the
 * start of the line being edited when canonical mode comes back (as
 * Linux's n_tty: they can be erased, and a read waits for the line). */
static void reopen_line(void)
{
	while (T->tail != T->head && T->nline < CON_LINE_MAX)
		T->line[T->nline++] = T->in[T->tail++ % CON_IN_SIZE];
	T->tail = T->head;
}

/* New settings: a canonical line being edited becomes readable when
 * canonical mode ends; lines queued lose their ends when it ends. */
static void set_attr(const struct termios *n, int flush)
{
	int was = lflag(ICANON);

	T->t = *n;
	if (flush)
		flush_input();
	if (was && !lflag(ICANON)) {
		commit_line(-1, 0);
		T->etail = T->ehead;
	}
	if (!was && lflag(ICANON))
		reopen_line();
}

static long set_int(const void *arg, size_t len, int32_t *to)
{
	int32_t v;

	if (len != sizeof(v))
		return -NH_EINVAL;
	memcpy(&v, arg, sizeof(v));
	if (v <= 0)
		return -NH_EINVAL;
	*to = v;
	return 0;
}

static long flush_req(const void *arg, size_t len)
{
	int32_t q;

	if (len != sizeof(q))
		return -NH_EINVAL;
	memcpy(&q, arg, sizeof(q));
	if (q != TCIFLUSH && q != TCOFLUSH && q != TCIOFLUSH)
		return -NH_EINVAL;
	if (q != TCOFLUSH)
		flush_input();	/* (output is never queued) */
	return 0;
}

static long give(void *out, size_t *out_len, const void *v, size_t len)
{
	memcpy(out, v, len);
	*out_len = len;
	return 0;
}

long tty_ioctl(int32_t pid, uint32_t cmd, const void *arg, size_t arg_len, void *out,
	       size_t *out_len)
{
	(void)pid;
	*out_len = 0;
	switch (cmd) {
	case TCGETS:
		return give(out, out_len, &T->t, sizeof(T->t));
	case TCSETS: case TCSETSW: case TCSETSF:
		if (arg_len != sizeof(struct termios))
			return -NH_EINVAL;
		set_attr(arg, cmd == TCSETSF);
		return 0;
	case TCFLSH:
		return flush_req(arg, arg_len);
	case TIOCGPGRP:
		return give(out, out_len, &T->pgrp, sizeof(T->pgrp));
	case TIOCSPGRP:
		return set_int(arg, arg_len, &T->pgrp);
	case TIOCGSID:
		return give(out, out_len, &T->sid, sizeof(T->sid));
	case TIOCGWINSZ:
		return give(out, out_len, &T->ws, sizeof(T->ws));
	case TIOCSWINSZ:
		if (arg_len != sizeof(T->ws))
			return -NH_EINVAL;
		memcpy(&T->ws, arg, sizeof(T->ws));
		return 0;
	case TIOCSCTTY: case TIOCNOTTY:
		return 0;	/* one terminal, session 1's: sessions with the signals issue */
	default:
		return -NH_ENOTTY;
	}
}
