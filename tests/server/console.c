/*
 * The console server's tests (servers/console, through the file
 * server's /dev/console and lib/posix/tty.c): termios and the terminal
 * requests with their errors, reads that must not wait (O_NONBLOCK, VMIN
 * 0), a reader killed while it waits (its cancel notice frees the slot),
 * garbage requests; and the kernel's handover calls (console_claim and
 * console_log_read) refusing what they must.  Nobody types during a test
 * run: input itself is the host-driven console suite's (tools/testsuite.py).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nhtest.h"
#include "nuthatch.h"
#include "parts.h"
#include "proto/fs.h"

struct con_counts {
	uint32_t readers, lines;
	uint64_t rx, tx, lost;
};

static int con_now(struct con_counts *c)
{
	return (int)fs_console_stat(NH_FS_HANDLE, &c->readers, &c->lines, &c->rx, &c->tx,
				    &c->lost);
}

/* Wait (up to 2 s) until the console has @readers reads waiting. */
static int readers_become(uint32_t readers)
{
	struct con_counts c = { 0 };

	for (int i = 0; i < 200; i++) {
		if (!con_now(&c) && c.readers == readers)
			return 1;
		nh_sleep_ns(10000000);
	}
	printf("# console readers: %u, wanted %u\n", c.readers, readers);
	return 0;
}

static int defaults_are_linux(const struct termios *t)
{
	return (t->c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG) &&
	       (t->c_iflag & ICRNL) && (t->c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR) &&
	       t->c_cc[VMIN] == 1 && t->c_cc[VERASE] == 0x7f && t->c_cc[VEOF] == 4 &&
	       t->c_cc[VINTR] == 3 && t->c_cc[VKILL] == 21;
}

static int not_a_terminal(int fd)
{
	struct termios t;

	errno = 0;
	return !isatty(fd) && errno == ENOTTY && tcgetattr(fd, &t) == -1 && errno == ENOTTY;
}

int con_terminal_attributes_and_requests(void)
{
	struct termios t, saved, back;
	struct winsize ws;
	int ok = 1, fd = open("/dev/null", O_RDWR), p[2];
	pid_t pgrp;

	EXPECT(isatty(0) && isatty(1) && isatty(2));
	EXPECT(tcgetattr(0, &saved) == 0 && defaults_are_linux(&saved));
	t = saved;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 3;
	EXPECT(tcsetattr(0, TCSANOW, &t) == 0 && tcgetattr(1, &back) == 0 &&
	       !memcmp(&t, &back, sizeof(t)));	/* one terminal behind 0 and 1 */
	EXPECT(tcsetattr(0, 7, &t) == -1 && errno == EINVAL);
	EXPECT(tcsetattr(0, TCSADRAIN, &saved) == 0 && tcgetattr(0, &back) == 0 &&
	       !memcmp(&saved, &back, sizeof(t)));
	EXPECT(not_a_terminal(fd) && pipe(p) == 0 && not_a_terminal(p[0]));
	EXPECT(tcgetattr(99, &t) == -1 && errno == EBADF);
	EXPECT(ioctl(0, 0x5499, &t) == -1 && errno == ENOTTY);
	EXPECT(ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 24 && ws.ws_col == 80);
	EXPECT((pgrp = tcgetpgrp(0)) > 0 && tcsetpgrp(0, getpgrp()) == 0 &&
	       tcgetpgrp(0) == getpgrp() && tcsetpgrp(0, 0) == -1 && errno == EINVAL);
	EXPECT(tcsetpgrp(0, pgrp) == 0 && tcgetsid(0) > 0);
	EXPECT(tcflush(0, TCIFLUSH) == 0 && tcflush(0, 9) == -1 && errno == EINVAL);
	EXPECT(pread(0, &t, 1, 0) == -1 && errno == ESPIPE);
	close(fd);
	close(p[0]);
	close(p[1]);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* A child that waits to read the console, then is killed. */
static int killed_reader(void)
{
	int ok = 1, status = 0;
	char c;
	pid_t pid = fork();

	if (pid == 0) {
		_exit(read(0, &c, 1) == 1 ? 0 : 1);
	}
	EXPECT(pid > 0 && readers_become(1));
	EXPECT(kill(pid, SIGKILL) == 0 && waitpid(pid, &status, 0) == pid &&
	       WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT(readers_become(0));	/* the cancel notice freed its place */
	return ok;
}

int con_reads_that_must_not_wait(void)
{
	struct termios saved, t;
	struct con_counts before = { 0 }, after = { 0 };
	char buf[16];
	int ok = 1, fd = open("/dev/console", O_RDWR | O_NONBLOCK);

	EXPECT(con_now(&before) == 0 && before.readers == 0);
	EXPECT(fd >= 0 && read(fd, buf, sizeof(buf)) == -1 && errno == EAGAIN);
	EXPECT(tcgetattr(0, &saved) == 0);
	t = saved;
	t.c_lflag &= ~(tcflag_t)ICANON;
	t.c_cc[VMIN] = 0;
	EXPECT(tcsetattr(0, TCSANOW, &t) == 0 && read(0, buf, sizeof(buf)) == 0);
	EXPECT(tcsetattr(0, TCSANOW, &saved) == 0);
	ok &= killed_reader();
	EXPECT(write(fd, "# through the console server\n", 29) == 29);
	EXPECT(con_now(&after) == 0 && after.tx >= before.tx + 29 && after.lost == 0);
	close(fd);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

int con_garbage_and_the_kernels_handover(void)
{
	char big[300], out[64];
	size_t out_len = sizeof(out);
	struct nh_console c;
	long n = nh_notify_create(), lost = 0;
	int ok = 1;

	memset(big, 0, sizeof(big));
	EXPECT(fs_ioctl(NH_FS_HANDLE, 0, TCSETS, big, 10, out, &out_len) == -NH_EINVAL);
	out_len = sizeof(out);
	EXPECT(fs_ioctl(NH_FS_HANDLE, 0, TCSETS, big, sizeof(big), out, &out_len) == -NH_EINVAL);
	out_len = sizeof(out);
	EXPECT(fs_ioctl(NH_FS_HANDLE, 0, TIOCSPGRP, big, 2, out, &out_len) == -NH_EINVAL);
	out_len = sizeof(out);
	out_len = 8;	/* too little room for the answer */
	EXPECT(fs_ioctl(NH_FS_HANDLE, 0, TCGETS, 0, 0, out, &out_len) == -NH_E2BIG);
	/* The console server holds the claim: one at a time. */
	EXPECT(n > 0 && nh_console_claim(n, 1, &c) == -NH_EBUSY);
	EXPECT(nh_console_claim(n, 0, &c) == -NH_EINVAL);
	EXPECT(nh_console_claim(12345, 1, &c) == -NH_EBADF);
	EXPECT(nh_console_log_read(n, out, sizeof(out), (uint64_t *)&lost) == -NH_EBADF ||
	       nh_console_log_read(n, out, sizeof(out), (uint64_t *)&lost) == -NH_EACCES);
	EXPECT(nh_console_log_read(12345, out, sizeof(out), (uint64_t *)&lost) == -NH_EBADF);
	EXPECT(nh_device_open("ns16550a", &(struct nh_device){ 0 }) == -NH_EPERM ||
	       nh_device_open("sifive,uart0", &(struct nh_device){ 0 }) == -NH_EPERM);
	/* registers stay the kernel's to give: the claim gave them */
	EXPECT(nh_handle_close(n) == 0);
	EXPECT(isatty(1));	/* and the console still answers */
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}
