/*
 * Terminals: ioctl (the terminal requests of sys/ioctl.h, which the file
 * server passes to the console server for /dev/console and refuses with
 * ENOTTY elsewhere), isatty, and termios over it: tcgetattr, tcsetattr,
 * tcflush, tcdrain, tcgetpgrp, tcsetpgrp, tcgetsid, cfmakeraw and the
 * speed calls.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "posix.h"
#include "proto/fs.h"

/* How many bytes a request sends, and how many it takes back. */
static int sizes(unsigned long req, size_t *in, size_t *out)
{
	*in = *out = 0;
	switch (req) {
	case TCGETS:
		*out = sizeof(struct termios);
		return 0;
	case TCSETS: case TCSETSW: case TCSETSF:
		*in = sizeof(struct termios);
		return 0;
	case TCFLSH: case TIOCSPGRP:
		*in = sizeof(int);
		return 0;
	case TIOCGPGRP: case TIOCGSID:
		*out = sizeof(int);
		return 0;
	case TIOCGWINSZ:
		*out = sizeof(struct winsize);
		return 0;
	case TIOCSWINSZ:
		*in = sizeof(struct winsize);
		return 0;
	case TIOCSCTTY: case TIOCNOTTY:
		return 0;
	case FIONREAD:
		*out = sizeof(int);
		return 0;
	default:
		return -NH_ENOTTY;
	}
}

static long request(int fd, unsigned long req, void *arg)
{
	size_t in, out, got;
	long r = sizes(req, &in, &out);
	int value;

	if (!r)
		r = __nh_fs_buffer();
	if (r < 0)
		return r == -NH_ENOSYS ? -NH_ENOTTY : r;
	if (req == TCFLSH || req == TIOCSCTTY) {	/* these take the int itself */
		value = (int)(long)arg;
		arg = &value;
		in = req == TCFLSH ? sizeof(int) : 0;
	}
	got = out;
	r = fs_ioctl(NH_FS_HANDLE, fd, (uint32_t)req, arg, in, arg, &got);
	if (!r && got != out)
		r = -NH_EIO;
	return r;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	long r;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	r = request(fd, req, arg);
	return r < 0 ? (int)__nh_fail(r) : 0;
}

int isatty(int fd)
{
	struct termios t;

	return tcgetattr(fd, &t) == 0;
}

int tcgetattr(int fd, struct termios *t)
{
	return ioctl(fd, TCGETS, t);
}

int tcsetattr(int fd, int how, const struct termios *t)
{
	static const unsigned long reqs[] = { TCSETS, TCSETSW, TCSETSF };

	if (how < TCSANOW || how > TCSAFLUSH) {
		errno = EINVAL;
		return -1;
	}
	return ioctl(fd, reqs[how], t);
}

int tcflush(int fd, int queue)
{
	return ioctl(fd, TCFLSH, (void *)(long)queue);
}

int tcdrain(int fd)
{
	struct termios t;

	return tcgetattr(fd, &t);	/* output is written before write returns */
}

pid_t tcgetpgrp(int fd)
{
	int pgrp;

	return ioctl(fd, TIOCGPGRP, &pgrp) ? -1 : pgrp;
}

int tcsetpgrp(int fd, pid_t pgrp)
{
	int v = pgrp;

	return ioctl(fd, TIOCSPGRP, &v);
}

pid_t tcgetsid(int fd)
{
	int sid;

	return ioctl(fd, TIOCGSID, &sid) ? -1 : sid;
}

void cfmakeraw(struct termios *t)
{
	t->c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t->c_oflag &= ~(tcflag_t)OPOST;
	t->c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t->c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	t->c_cflag |= CS8;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
}

speed_t cfgetispeed(const struct termios *t)
{
	return t->c_ispeed;
}

speed_t cfgetospeed(const struct termios *t)
{
	return t->c_ospeed;
}

int cfsetispeed(struct termios *t, speed_t s)
{
	t->c_ispeed = s;
	return 0;
}

int cfsetospeed(struct termios *t, speed_t s)
{
	t->c_ospeed = s;
	t->c_cflag = (t->c_cflag & ~(tcflag_t)CBAUD) | (s & CBAUD);
	return 0;
}
