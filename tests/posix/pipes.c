/* Pipes and descriptors: pipe, pipe2, dup, dup2, dup3, fcntl, EOF and
 * EPIPE, non-blocking ends, and big, atomic and chained transfers across
 * fork. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* pipe2, dup3 */
#endif
#include <fcntl.h>
#include <sys/ioctl.h>
#include <stdlib.h>
#include <unistd.h>

#include "posixtest.h"

/* The access mode, and O_NONBLOCK if it is set. */
#define FL(fd)	fl_words(fd, O_NONBLOCK, "O_NONBLOCK")

#define CHUNK		4096		/* Linux's PIPE_BUF; picolibc's header says 512 */
#define BULK		(1 << 20)
#define WRITERS		4
#define RECORDS		200
#define CHAIN		(256 << 10)

/* The lowest descriptor at or above @from that is not open. */
static int lowest_free(int from)
{
	while (fcntl(from, F_GETFD) >= 0)
		from++;
	return from;
}

#define SUM0	2166136261u	/* FNV-1a's start */

/* FNV-1a, continued from @h. */
static unsigned sum(unsigned h, const unsigned char *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* @n bytes from byte @i on of the data the big transfers move. */
static void fill(unsigned char *p, size_t i, size_t n)
{
	for (; n--; i++)
		*p++ = (unsigned char)(i * 7 + (i >> 12));
}

/* Up to @n bytes, short only at EOF or an error. */
static size_t read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n && (r = read(fd, (char *)buf + got, n - got)) > 0)
		got += r;
	return got;
}

static int write_full(int fd, const void *buf, size_t n)
{
	ssize_t r;

	for (size_t done = 0; done < n; done += r)
		if ((r = write(fd, (const char *)buf + done, n - done)) <= 0)
			return -1;
	return 0;
}

static void basics(void)
{
	int low = lowest_free(0), next = lowest_free(low + 1), p[2], ready = -1, r;
	char buf[16] = "";

	SAY("pipe", pipe(p));
	printf("read end is the lowest free fd %d, write end the next %d\n", p[0] == low,
	       p[1] == next);
	printf("write 5: %ld\n", (long)write(p[1], "hello", 5));
	r = ioctl(p[0], FIONREAD, &ready);
	printf("FIONREAD: %d, its value %d\n", r, ready);
	printf("read: %ld \"%s\"\n", (long)read(p[0], buf, sizeof(buf) - 1), buf);
	r = ioctl(p[0], FIONREAD, &ready);
	printf("FIONREAD after: %d, its value %d\n", r, ready);
	SAY("read on the write end", read(p[1], buf, 1));
	SAY("write on the read end", write(p[0], "x", 1));
	SAY("lseek on a pipe", lseek(p[0], 0, SEEK_CUR));
	SAY("read of fd 999", read(999, buf, 1));
	SAY("close the read end", close(p[0]));
	SAY("close it again", close(p[0]));
	SAY("close the write end", close(p[1]));
}

static void eof(void)
{
	int p[2], gate[2];
	char buf[8] = "";
	pid_t pid;

	pipe(p);
	pipe(gate);
	pid = spawn();
	if (pid == 0) {
		close(p[0]);
		close(gate[1]);
		write(p[1], "hi", 2);
		close(p[1]);
		_exit(read(gate[0], buf, 1) == 0 ? 4 : 5);
	}
	close(p[1]);
	close(gate[0]);
	printf("from a child that then closes its end: %ld", (long)read_full(p[0], buf, 2));
	printf(" \"%.2s\", then EOF %ld while it lives\n", buf, (long)read(p[0], buf, 1));
	close(gate[1]);
	reap("that child, after its own EOF", pid);
	close(p[0]);
	pipe(p);
	pid = spawn();
	if (pid == 0) {
		close(p[0]);
		write(p[1], "bye", 3);
		_exit(0);
	}
	close(p[1]);
	printf("from a child that exits: %ld", (long)read_full(p[0], buf, 3));
	printf(" \"%.3s\", then EOF %ld\n", buf, (long)read(p[0], buf, 1));
	reap("the exiting child", pid);
	close(p[0]);
}

static void epipe(void)
{
	int p[2];
	pid_t pid;

	signal(SIGPIPE, SIG_IGN);
	pipe(p);
	close(p[0]);
	SAY("write with no reader", write(p[1], "x", 1));
	close(p[1]);
	pipe(p);
	pid = spawn();
	if (pid == 0)
		_exit(0);	/* takes its copy of the read end with it */
	close(p[0]);
	reap("the only other reader", pid);
	SAY("write after the last reader exits", write(p[1], "x", 1));
	close(p[1]);
}

static void dups(void)
{
	int p[2], low, fd, fd2, r;
	char buf[4] = "";

	pipe(p);
	low = lowest_free(0);
	fd = dup(p[0]);
	printf("dup gives the lowest free fd %d, %s, %s\n", fd == low, fd_flags(fd), FL(fd));
	printf("dup2 onto itself gives it back %d\n", dup2(p[0], p[0]) == p[0]);
	fd2 = dup(p[1]);
	r = dup2(p[0], fd2);
	printf("dup2 onto an open write end %d, it is now %s\n", r == fd2, FL(fd2));
	write(p[1], "z", 1);
	printf("and reads the pipe: %ld \"%.1s\"\n", (long)read(fd2, buf, 1), buf);
	SAY("dup2 of a bad fd", dup2(999, fd2));
	printf("which leaves the target open: %s\n", FL(fd2));
	SAY("dup2 onto -1", dup2(p[0], -1));
	SAY("dup of a bad fd", dup(999));
	SAY("dup3 onto itself", dup3(p[0], p[0], 0));
	SAY("dup3 with O_NONBLOCK", dup3(p[0], fd, O_NONBLOCK));
	r = dup3(p[0], fd, O_CLOEXEC);
	printf("dup3 O_CLOEXEC gives the target %d, %s\n", r == fd, fd_flags(fd));
	r = dup2(p[1], fd);
	printf("dup2 over it again %d, %s\n", r == fd, fd_flags(fd));
	close(fd);
	close(fd2);
	close(p[0]);
	close(p[1]);
}

static void fcntls(void)
{
	int p[2], want, fd, fd2;
	char c;

	pipe(p);
	want = lowest_free(10);
	fd = fcntl(p[0], F_DUPFD, 10);
	printf("F_DUPFD 10 gives the lowest free at or above 10 %d, %s\n", fd == want,
	       fd_flags(fd));
	want = lowest_free(10);
	fd2 = fcntl(p[0], F_DUPFD_CLOEXEC, 10);
	printf("F_DUPFD_CLOEXEC 10: the next %d, %s\n", fd2 == want, fd_flags(fd2));
	SAY("F_DUPFD -1", fcntl(p[0], F_DUPFD, -1));
	SAY("F_SETFD FD_CLOEXEC", fcntl(p[0], F_SETFD, FD_CLOEXEC));
	printf("F_GETFD: %s, on its dup %s\n", fd_flags(p[0]), fd_flags(fd));
	SAY("F_SETFD 0", fcntl(p[0], F_SETFD, 0));
	printf("F_GETFD: %s\n", fd_flags(p[0]));
	SAY("F_GETFD of fd 999", fcntl(999, F_GETFD));
	printf("F_GETFL: read end %s, write end %s\n", fl_words(p[0], O_NONBLOCK, "O_NONBLOCK"), fl_words(p[1], O_NONBLOCK, "O_NONBLOCK"));
	SAY("F_SETFL O_WRONLY|O_NONBLOCK on the read end",
	    fcntl(p[0], F_SETFL, O_WRONLY | O_NONBLOCK));
	printf("F_GETFL: %s, and on its dup (one description) %s\n", fl_words(p[0], O_NONBLOCK, "O_NONBLOCK"),
	       FL(fd));
	SAY("read of the empty pipe", read(fd, &c, 1));
	SAY("F_SETFL 0", fcntl(fd, F_SETFL, 0));
	printf("F_GETFL: %s\n", fl_words(p[0], O_NONBLOCK, "O_NONBLOCK"));
	SAY("fcntl of command 9999", fcntl(p[0], 9999, 0));
	close(fd);
	close(fd2);
	close(p[0]);
	close(p[1]);
}

static void pipe2s(void)
{
	static unsigned char buf[1024];
	long total = 0, back = 0;
	ssize_t r;
	int p[2];

	SAY("pipe2 O_CLOEXEC", pipe2(p, O_CLOEXEC));
	printf("ends: %s %s, %s %s\n", fd_flags(p[0]), fd_flags(p[1]), fl_words(p[0], O_NONBLOCK, "O_NONBLOCK"),
	       fl_words(p[1], O_NONBLOCK, "O_NONBLOCK"));
	close(p[0]);
	close(p[1]);
	SAY("pipe2 O_APPEND", pipe2(p, O_APPEND));
	SAY("pipe2 O_NONBLOCK", pipe2(p, O_NONBLOCK));
	printf("ends: %s %s, %s, %s\n", fd_flags(p[0]), fd_flags(p[1]), fl_words(p[0], O_NONBLOCK, "O_NONBLOCK"),
	       fl_words(p[1], O_NONBLOCK, "O_NONBLOCK"));
	SAY("read of the empty pipe", read(p[0], buf, 1));
	memset(buf, 'n', sizeof(buf));
	while ((r = write(p[1], buf, sizeof(buf))) > 0)
		total += r;
	printf("writing until it is full: %s, held at least 4096 bytes %d\n", errname(errno),
	       total >= 4096);
	while ((r = read(p[0], buf, sizeof(buf))) > 0)
		back += r;
	printf("drained: %s, all of it %d\n", errname(errno), back == total);
	close(p[1]);
	printf("read with the writer gone: %ld\n", (long)read(p[0], buf, 1));
	close(p[0]);
}

static void bulk(void)
{
	static unsigned char buf[CHUNK];
	unsigned h = SUM0;
	int p[2];
	pid_t pid;

	pipe(p);
	pid = spawn();
	if (pid == 0) {
		long total = 0;
		ssize_t n;

		close(p[1]);
		while ((n = read(p[0], buf, sizeof(buf))) > 0) {
			h = sum(h, buf, n);
			total += n;
		}
		printf("child received %ld bytes, checksum %08x\n", total, h);
		fflush(stdout);
		_exit(0);
	}
	close(p[0]);
	for (size_t off = 0; off < BULK; off += CHUNK) {
		fill(buf, off, CHUNK);
		h = sum(h, buf, CHUNK);
		if (write_full(p[1], buf, CHUNK) < 0)
			break;
	}
	close(p[1]);
	reap("the receiver", pid);
	printf("parent sent %d bytes, checksum %08x\n", BULK, h);
}

static void atomic(void)
{
	static unsigned char rec[CHUNK];
	int p[2], count[WRITERS] = { 0 }, mixed = 0;
	pid_t pid[WRITERS];
	size_t n;

	pipe(p);
	for (int i = 0; i < WRITERS; i++) {
		pid[i] = spawn();
		if (pid[i] == 0) {
			close(p[0]);
			memset(rec, 'A' + i, CHUNK);
			for (int k = 0; k < RECORDS; k++)
				if (write(p[1], rec, CHUNK) != CHUNK)
					_exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	while ((n = read_full(p[0], rec, CHUNK)) == CHUNK) {
		int c = rec[0] - 'A';

		/* one letter throughout: each byte equals the next */
		if (c < 0 || c >= WRITERS || memcmp(rec, rec + 1, CHUNK - 1) != 0)
			mixed++;
		else
			count[c]++;
	}
	close(p[0]);
	printf("records: A %d B %d C %d D %d, no interleaving %d, leftover %ld\n", count[0],
	       count[1], count[2], count[3], mixed == 0, (long)n);
	for (int i = 0; i < WRITERS; i++) {
		char label[16];

		snprintf(label, sizeof(label), "writer %c", 'A' + i);
		reap(label, pid[i]);
	}
}

/* Stage A of the chain: each chunk on as it comes, plus one. */
static void pass_on(int in, int out)
{
	static unsigned char buf[CHUNK];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			buf[i]++;
		if (write_full(out, buf, n) < 0)
			_exit(1);
	}
	_exit(0);
}

/* Stage B: all of it first (so that the parent can write everything
 * before it reads), then on, xored with 0x5a. */
static void keep_then_pass(int in, int out)
{
	static unsigned char buf[CHAIN];
	size_t got = read_full(in, buf, sizeof(buf));

	for (size_t i = 0; i < got; i++)
		buf[i] ^= 0x5a;
	_exit(write_full(out, buf, got) < 0 ? 2 : 0);
}

static void pipeline(void)
{
	static unsigned char buf[CHUNK];
	unsigned want = SUM0, h = SUM0;
	int p1[2], p2[2], p3[2];
	pid_t a, b;
	size_t n, total = 0;

	pipe(p1);
	pipe(p2);
	pipe(p3);
	a = spawn();
	if (a == 0) {
		close(p1[1]);
		close(p2[0]);
		close(p3[0]);
		close(p3[1]);
		pass_on(p1[0], p2[1]);
	}
	b = spawn();
	if (b == 0) {
		close(p1[0]);
		close(p1[1]);
		close(p2[1]);
		close(p3[0]);
		keep_then_pass(p2[0], p3[1]);
	}
	close(p1[0]);
	close(p2[0]);
	close(p2[1]);
	close(p3[1]);
	for (size_t off = 0; off < CHAIN; off += CHUNK) {
		fill(buf, off, CHUNK);
		if (write_full(p1[1], buf, CHUNK) < 0)
			break;
		for (size_t i = 0; i < CHUNK; i++)
			buf[i] = (unsigned char)(buf[i] + 1) ^ 0x5a;
		want = sum(want, buf, CHUNK);
	}
	close(p1[1]);
	while ((n = read_full(p3[0], buf, CHUNK)) > 0) {
		h = sum(h, buf, n);
		total += n;
	}
	close(p3[0]);
	printf("pipeline: %ld bytes back, checksum %08x, as expected %d\n", (long)total, h,
	       h == want);
	reap("stage A", a);
	reap("stage B", b);
}

/* A pipe's ends across fork: one description, read from by both. */
static void shared(void)
{
	char buf[8] = "";
	int p[2];
	pid_t pid;

	pipe(p);
	write(p[1], "abcdef", 6);
	pid = spawn();
	if (pid == 0) {
		if (read_full(p[0], buf, 3) != 3 || memcmp(buf, "abc", 3) != 0)
			_exit(1);
		fcntl(p[0], F_SETFL, O_NONBLOCK);
		fcntl(p[0], F_SETFD, FD_CLOEXEC);
		_exit(0);
	}
	reap("a child reads 3 bytes and sets O_NONBLOCK and FD_CLOEXEC", pid);
	printf("the parent then reads %ld \"%s\"\n", (long)read(p[0], buf, sizeof(buf) - 1), buf);
	printf("and sees %s, %s\n", fl_words(p[0], O_NONBLOCK, "O_NONBLOCK"), fd_flags(p[0]));
	SAY("read of the empty pipe", read(p[0], buf, 1));
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	basics();
	eof();
	epipe();
	dups();
	fcntls();
	pipe2s();
	bulk();
	atomic();
	pipeline();
	shared();
	return 0;
}
