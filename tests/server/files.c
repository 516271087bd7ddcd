/*
 * The file server's tests (servers/fs through lib/posix/file.c and
 * dir.c): the initramfs's files, descriptor tables across fork and exec,
 * pipes (end of file, EPIPE, blocking, a killed reader or writer, a
 * 10 MiB pipeline), /dev, the working directory, and garbage requests.
 * Each checks the server's counts (clients, tables, descriptions, pipes,
 * blocked calls) before and after; the runner checks the kernel's.
 */
#define _GNU_SOURCE	/* dup3, pipe2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nuthatch/errno.h>

#include "archive.h"
#include "nhproto.h"
#include "nhtest.h"
#include "nuthatch.h"
#include "parts.h"
#include "proto/fs.h"

#define MiB		(1024 * 1024)

struct fs_counts fs_now(void)
{
	struct fs_counts c = { 0 };

	fs_stat(NH_FS_HANDLE, &c.clients, &c.tables, &c.files, &c.pipes, &c.waits);
	return c;
}

/* The server's counts as @before, allowing exits a moment to be heard. */
int fs_back(const struct fs_counts *before)
{
	struct fs_counts c;

	for (int i = 0; i < 200; i++) {
		c = fs_now();
		if (!memcmp(&c, before, sizeof(c)))
			return 1;
		nh_sleep_ns(10000000);
	}
	printf("# fs counts: clients %u -> %u, tables %u -> %u, files %u -> %u, pipes %u -> %u, "
	       "waits %u -> %u\n", before->clients, c.clients, before->tables, c.tables,
	       before->files, c.files, before->pipes, c.pipes, before->waits, c.waits);
	return 0;
}

/* The whole of @path through the file server into @buf (@room bytes):
 * its length, or -1. */
static long slurp(const char *path, char *buf, size_t room)
{
	int fd = open(path, O_RDONLY);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (got < room && (n = read(fd, buf + got, room - got > 1000 ? 1000 : room - got)) > 0)
		got += (size_t)n;
	close(fd);
	return (long)got;
}

static int lists(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += !strcmp(e->d_name, name);
	closedir(d);
	return n;
}

int fs_files_of_the_initramfs(void)
{
	static char buf[256 * 1024];
	struct fs_counts before = fs_now();
	struct srv_file f;
	struct stat st;
	int ok = 1, fd, dir;

	EXPECT(slurp("/bin/script", buf, sizeof(buf)) == 24 &&
	       !memcmp(buf, "#!/bin/argvis one two  \n", 24));	/* exact, not page-rounded */
	EXPECT(stat("/bin/script", &st) == 0 && st.st_size == 24 && S_ISREG(st.st_mode));
	EXPECT(stat("/etc/empty", &st) == 0 && st.st_size == 0);	/* an empty file opens */
	EXPECT(slurp("/etc/empty", buf, sizeof(buf)) == 0);
	/* every byte of a program as the archive has it */
	EXPECT(ts_archive_open() == 0 && srv_archive_find("/bin/hello", &f) == 0);
	EXPECT(slurp("/bin/hello", buf, sizeof(buf)) == (long)f.size &&
	       !memcmp(buf, f.data, f.size));
	EXPECT(lists("/bin", "hello") == 1 && lists("/bin", ".") == 1 && lists("/", "..") == 1);
	EXPECT(lists("/", "sbin") == 1 && lists("/sbin", "fs") == 1 && lists("/bin", "nonesuch") == 0);
	/* read-only: nothing is written or made */
	EXPECT(open("/bin/hello", O_WRONLY) == -1 && errno == EROFS);
	EXPECT(open("/bin/hello", O_RDONLY | O_TRUNC) == -1 && errno == EROFS);
	EXPECT(open("/bin/new", O_WRONLY | O_CREAT, 0644) == -1 && errno == EROFS);
	EXPECT(open("/nodir/new", O_WRONLY | O_CREAT, 0644) == -1 && errno == ENOENT);
	EXPECT(open("/bin/hello", O_RDONLY | O_CREAT | O_EXCL, 0644) == -1 && errno == EEXIST);
	EXPECT(open("/bin/hello", O_ACCMODE) == -1 && errno == EINVAL);
	EXPECT(access("/bin/hello", W_OK) == -1 && errno == EROFS);
	EXPECT(open("/bin/hello/", O_RDONLY) == -1 && errno == ENOTDIR);
	memset(buf, 'a', 5000);
	buf[0] = '/';
	buf[5000] = 0;
	EXPECT(open(buf, O_RDONLY) == -1 && errno == ENAMETOOLONG);
	/* openat from a directory descriptor */
	dir = open("/bin", O_RDONLY | O_DIRECTORY);
	EXPECT(dir >= 0);
	fd = openat(dir, "script", O_RDONLY);
	EXPECT(fd >= 0 && read(fd, buf, 3) == 3 && !memcmp(buf, "#!/", 3));
	EXPECT(openat(fd, "x", O_RDONLY) == -1 && errno == ENOTDIR);	/* not a directory */
	EXPECT(openat(999, "x", O_RDONLY) == -1 && errno == EBADF);
	EXPECT(openat(999, "/bin/script", O_RDONLY) >= 0);	/* absolute: dirfd unused */
	EXPECT(openat(dir, "../sbin/../bin/./script", O_RDONLY) >= 0);
	for (int i = 3; i < 10; i++)
		close(i);
	EXPECT(fs_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* Opens /dev/null until the table is full: how many it got. */
static int fill_table(void)
{
	int n = 0;

	while (open("/dev/null", O_RDONLY) >= 0)
		n++;
	return errno == EMFILE ? n : -1;
}

static int child_reads_two(long fd)
{
	char c[2];

	return read((int)fd, c, 2) == 2 && c[0] == 'L' && c[1] == 'F' ? 0 : 1;
}

/* What /bin/fdcheck says of descriptors @a and @b after an exec. */
static int fdcheck(int a, int b)
{
	char sa[8], sb[8], *argv[] = { "fdcheck", sa, sb, 0 };
	int status = -1;
	pid_t pid;

	snprintf(sa, sizeof(sa), "%d", a);
	snprintf(sb, sizeof(sb), "%d", b);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execv("/bin/fdcheck", argv);
		_exit(99);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int fs_descriptor_tables_across_fork_and_exec(void)
{
	struct fs_counts before = fs_now();
	int ok = 1, fd, keep, shut, n, status = -1;
	char buf[4];
	pid_t pid;

	/* EMFILE at the table's end (1024, with 0, 1 and 2 open), and back */
	n = fill_table();
	EXPECT(n == 1024 - 3);
	EXPECT(dup(0) == -1 && errno == EMFILE);
	for (int i = 3; i < 1024; i++)
		close(i);
	EXPECT(dup2(0, 1023) == 1023 && close(1023) == 0);
	EXPECT(dup2(0, 1024) == -1 && errno == EBADF);
	EXPECT(fcntl(0, F_DUPFD, 1024) == -1 && errno == EINVAL);
	EXPECT(fcntl(0, F_DUPFD, 500) == 500 && close(500) == 0);
	/* a child's read moves the parent's offset: one description */
	fd = open("/bin/hello", O_RDONLY);
	EXPECT(fd >= 0 && read(fd, buf, 2) == 2);
	pid = proc_spawn_child(child_reads_two, fd);
	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid && proc_exited_with(status, 0));
	EXPECT(lseek(fd, 0, SEEK_CUR) == 4);
	close(fd);
	/* close-on-exec is per descriptor, kept by fork, honoured by exec */
	keep = open("/dev/null", O_RDONLY);
	shut = open("/dev/null", O_RDONLY | O_CLOEXEC);
	EXPECT(keep > 2 && shut > 2 && fdcheck(keep, shut) == 1);
	EXPECT(fcntl(shut, F_SETFD, 0) == 0 && fdcheck(keep, shut) == 3);
	EXPECT(fcntl(keep, F_SETFD, FD_CLOEXEC) == 0 && fdcheck(keep, shut) == 2);
	EXPECT(dup3(keep, shut, O_CLOEXEC) == shut && fdcheck(keep, shut) == 0);
	EXPECT(dup2(keep, shut) == shut && fdcheck(keep, shut) == 2);	/* dup2 clears it */
	close(keep);
	close(shut);
	EXPECT(fs_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int writes_forever(long fd)
{
	static char chunk[4096];

	memset(chunk, 'w', sizeof(chunk));
	for (;;)
		if (write((int)fd, chunk, sizeof(chunk)) < 0)
			return 1;
}

/* @fds: the read end, and the write end << 16.  The empty write takes
 * the write side's lock once (the lock's owner name is learnt then), so
 * that when the read sleeps it sleeps in the ring, holding its lock. */
static int reads_once(long fds)
{
	char c = 0;

	if (write((int)(fds >> 16), &c, 0) != 0)
		return 4;
	return read((int)(fds & 0xffff), &c, 1) == 1 ? 2 : 3;
}

/* Bytes ready in @fd (FIONREAD), or -1. */
static int ready(int fd)
{
	int n = -1;

	return ioctl(fd, FIONREAD, &n) ? -1 : n;
}

static int killed_by(pid_t pid, int sig)
{
	int status = -1;

	if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status) || WTERMSIG(status) != sig) {
		printf("# wait status 0x%x, wanted signal %d\n", (unsigned)status, sig);
		return 0;
	}
	return 1;
}

/* Is @pid asleep (its /proc stat's state S)?  Waits up to 5 s. */
static int asleep(pid_t pid)
{
	char path[40], line[256];
	long n = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 2500; i++, nh_sleep_ns(2000000)) {
		n = slurp(path, line, sizeof(line) - 1);
		line[n > 0 ? n : 0] = 0;
		if (n > 0 && strrchr(line, ')') && strrchr(line, ')')[2] == 'S')
			return 1;
	}
	return 0;
}

/* A child killed while it sleeps in a pipe call, holding its side's lock
 * of the ring: the file server frees the lock as the child ends, no byte
 * is lost or half there, and the pipe works on for the others (the
 * writes and reads after are non-blocking: a lock still held would be
 * EAGAIN, not a hang). */
static int killed_mid_call(void)
{
	static char buf[70000];
	int p[2], ok = 1;
	long got = 0, n;
	pid_t pid;

	EXPECT(pipe(p) == 0);
	pid = proc_spawn_child(writes_forever, p[1]);	/* sleeps once 64 KiB are in */
	for (int i = 0; i < 2500 && ready(p[0]) < 64 * 1024; i++)
		nh_sleep_ns(2000000);
	EXPECT(ready(p[0]) == 64 * 1024 && asleep(pid));	/* asleep in its next write */
	EXPECT(kill(pid, SIGKILL) == 0 && killed_by(pid, SIGKILL));
	EXPECT(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0 && fcntl(p[1], F_SETFL, O_NONBLOCK) == 0);
	while ((n = read(p[0], buf + got, sizeof(buf) - (size_t)got)) > 0)
		got += n;
	EXPECT(got == 64 * 1024 && errno == EAGAIN);	/* what it had put in, whole */
	EXPECT(write(p[1], "ok", 2) == 2 && read(p[0], buf, 10) == 2 && !memcmp(buf, "ok", 2));
	EXPECT(fcntl(p[0], F_SETFL, 0) == 0);
	/* a reader killed while it waits takes nothing with it */
	pid = proc_spawn_child(reads_once, p[0] | (long)p[1] << 16);
	EXPECT(asleep(pid));
	EXPECT(kill(pid, SIGTERM) == 0 && killed_by(pid, SIGTERM));
	EXPECT(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
	EXPECT(write(p[1], "xyz", 3) == 3 && read(p[0], buf, 10) == 3 && !memcmp(buf, "xyz", 3));
	close(p[0]);
	close(p[1]);
	return ok;
}

static int writes_then_exits(long fd)
{
	return write((int)fd, "hello", 5) == 5 ? 0 : 1;
}

int fs_pipes_end_of_file_epipe_and_killed_callers(void)
{
	struct fs_counts before = fs_now();
	int ok = 1, p[2], status = -1;
	char buf[16];
	pid_t pid;

	EXPECT(pipe(p) == 0);
	pid = proc_spawn_child(writes_then_exits, p[1]);
	close(p[1]);
	/* the parent blocks until the child writes, then sees the end */
	EXPECT(read(p[0], buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5));
	EXPECT(read(p[0], buf, sizeof(buf)) == 0);
	EXPECT(waitpid(pid, &status, 0) == pid && proc_exited_with(status, 0));
	close(p[0]);
	/* no reader: EPIPE (SIGPIPE comes with signals) */
	EXPECT(pipe(p) == 0 && close(p[0]) == 0);
	EXPECT(write(p[1], "x", 1) == -1 && errno == EPIPE);
	close(p[1]);
	EXPECT(pipe2(p, O_NONBLOCK) == 0);
	EXPECT(read(p[0], buf, 1) == -1 && errno == EAGAIN);
	close(p[0]);
	close(p[1]);
	EXPECT(pipe2(p, O_APPEND) == -1 && errno == EINVAL);
	EXPECT(killed_mid_call());
	EXPECT(fs_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* @n bytes from @fd, however the pipe hands them out: 1 if all came. */
static int read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n && (r = read(fd, (char *)buf + got, n - got)) > 0)
		got += (size_t)r;
	return got == n;
}

/* The pipeline's data: a known sequence, and its checksum. */
static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 131 + (i >> 12) * 7);
}

/* Stage: copy @in to @out until end of file, in odd-sized pieces. */
static int relay(int in, int out)
{
	static char buf[5000];
	ssize_t n;

	while ((n = read(in, buf, 1 + (size_t)(rand() % (int)sizeof(buf)))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return 1;
	return n ? 2 : 0;
}

/* Stage: sum what comes until end of file and write the sum back. */
static int summer(int in, int out)
{
	static uint8_t buf[4096];
	uint64_t sum = 0, len = 0;
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++, len++)
			sum = sum * 31 + buf[i];
	return write(out, &sum, 8) == 8 && write(out, &len, 8) == 8 ? 0 : 1;
}

static pid_t stage(int (*fn)(int, int), int in, int out, const int *shut, int nshut)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < nshut; i++)
			close(shut[i]);
		_exit(fn(in, out));
	}
	return pid;
}

int fs_ten_mib_through_a_three_stage_pipeline(void)
{
	static uint8_t chunk[8192];
	struct fs_counts before = fs_now();
	int ok = 1, a[2], b[2], c[2], status = -1;
	uint64_t want = 0, got[2] = { 0 };
	pid_t p1, p2;

	EXPECT(pipe(a) == 0 && pipe(b) == 0 && pipe(c) == 0);
	int all[] = { a[0], a[1], b[0], b[1], c[0], c[1] };
	int shut1[] = { a[1], b[0], c[0], c[1] }, shut2[] = { a[0], a[1], b[1], c[0] };

	p1 = stage(relay, a[0], b[1], shut1, 4);
	p2 = stage(summer, b[0], c[1], shut2, 4);
	for (int i = 0; i < 6; i++)
		if (all[i] != a[1] && all[i] != c[0])
			close(all[i]);
	for (size_t off = 0; off < 10 * MiB; off += sizeof(chunk)) {
		for (size_t i = 0; i < sizeof(chunk); i++) {
			chunk[i] = pattern(off + i);
			want = want * 31 + chunk[i];
		}
		if (write(a[1], chunk, sizeof(chunk)) != sizeof(chunk)) {
			ok = 0;
			break;
		}
	}
	close(a[1]);
	EXPECT(read_full(c[0], got, 16) && got[0] == want && got[1] == 10 * MiB);
	close(c[0]);
	EXPECT(waitpid(p1, &status, 0) == p1 && proc_exited_with(status, 0));
	EXPECT(waitpid(p2, &status, 0) == p2 && proc_exited_with(status, 0));
	EXPECT(fs_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

int fs_devices_and_the_working_directory(void)
{
	struct fs_counts before = fs_now();
	char buf[64], *cwd = 0;
	int ok = 1, fd, p[2];
	struct stat st;

	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 1, sizeof(buf));
	EXPECT(fd >= 0 && read(fd, buf, sizeof(buf)) == sizeof(buf) && !buf[0] && !buf[63]);
	EXPECT(lseek(fd, 100, SEEK_SET) == 0);	/* a device's offset stays 0 */
	close(fd);
	fd = open("/dev/null", O_RDWR);
	EXPECT(fd >= 0 && write(fd, buf, 10) == 10 && read(fd, buf, 10) == 0);
	EXPECT(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == (1 << 8 | 3));
	EXPECT(!isatty(fd) && errno == ENOTTY);
	close(fd);
	EXPECT(isatty(1) && write(1, "# a line to the console\n", 24) == 24);
	EXPECT(pipe(p) == 0 && fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode) && !isatty(p[0]));
	close(p[0]);
	close(p[1]);
	EXPECT(chdir("/bin") == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, "/bin"));
	EXPECT(access("hello", X_OK) == 0 && stat("./script", &st) == 0 && st.st_size == 24);
	EXPECT(chdir("..") == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, "/"));
	EXPECT(chdir("..") == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, "/"));	/* the root's parent */
	fd = open("/dev", O_RDONLY | O_DIRECTORY);
	EXPECT(fd >= 0 && fchdir(fd) == 0 && (cwd = getcwd(0, 0)) && !strcmp(cwd, "/dev"));
	free(cwd);
	EXPECT(getcwd(buf, 4) == 0 && errno == ERANGE);
	EXPECT(chdir("/bin/hello") == -1 && errno == ENOTDIR);
	EXPECT(chdir("/") == 0);
	close(fd);
	EXPECT(fs_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* One raw message to the file server; its reply's tag, w0 in *@w0. */
static long raw(uint64_t label, uint64_t w0, uint64_t w1, unsigned len, long *w0_out)
{
	struct nh_msg m = { .tag = NH_IPC_TAG(label, len), .w = { w0, w1 } };
	long r = nh_call(NH_FS_HANDLE, &m);

	*w0_out = (long)m.w[0];
	return r < 0 ? r : (long)m.tag;
}

static int error_reply(long tag, long w0, long err)
{
	return tag >= 0 && NH_IPC_LABEL((uint64_t)tag) == NH_PROTO_ERROR && w0 == err;
}

int fs_file_server_refuses_garbage(void)
{
	struct fs_counts before = fs_now();
	char buf[8];
	size_t len = sizeof(buf);
	int32_t fd = 0;
	struct stat st;
	long t, w0;
	int ok = 1;

	EXPECT(nh_proto_buf() || access("/", F_OK) == 0);	/* a buffer registered */
	t = raw(FS_BASE + FS_COUNT, 0, 0, 0, &w0);
	EXPECT(error_reply(t, w0, -NH_ENOSYS));
	t = raw(FS_CLOSE, 0, 1, 0, &w0);	/* a word past its arguments */
	EXPECT(error_reply(t, w0, -NH_EBADMSG));
	t = raw(NH_IPC_EXIT, 0, 0, 0, &w0);	/* a forged kernel event */
	EXPECT(error_reply(t, w0, -NH_ENOSYS));
	EXPECT(fs_ctl_fork(NH_FS_HANDLE, getpid(), 99999, 0) == -NH_EACCES);	/* not the process server */
	EXPECT(fs_ctl_exit(NH_FS_HANDLE, getpid()) == -NH_EACCES);
	EXPECT(fs_ctl_exec(NH_FS_HANDLE, 1) == -NH_EACCES);
	EXPECT(fs_read(NH_FS_HANDLE, -1, 8, &(uint32_t){ 0 }, buf, &len) == -NH_EBADF);
	EXPECT(fs_read(NH_FS_HANDLE, 1 << 30, 8, &(uint32_t){ 0 }, buf, &len) == -NH_EBADF);
	EXPECT(fs_openat(NH_FS_HANDLE, AT_FDCWD, 0, 0, "/bin\0x", 6, &fd) == -NH_EINVAL);
	EXPECT(fs_openat(NH_FS_HANDLE, AT_FDCWD, 0x80000000u, 0, "/bin", 4, &fd) == -NH_EINVAL);
	EXPECT(fs_fstatat(NH_FS_HANDLE, AT_FDCWD, 0x40, "/", 1, &st) == -NH_EINVAL);
	fd = open("/etc/empty", O_RDONLY);
	EXPECT(fd > 2 && fs_lseek(NH_FS_HANDLE, fd, 99, 0, &(int64_t){ 0 }) == -NH_EINVAL);
	close(fd);
	EXPECT(fs_lseek(NH_FS_HANDLE, 0, SEEK_SET, 0, &(int64_t){ 0 }) == -NH_ESPIPE);	/* a tty */
	EXPECT(fs_fcntl(NH_FS_HANDLE, 0, 999, 0, &(int64_t){ 0 }) == -NH_EINVAL);
	EXPECT(fs_dup3(NH_FS_HANDLE, 0, 5, 0x1, &fd) == -NH_EINVAL);
	EXPECT(fs_dup3(NH_FS_HANDLE, 0, 0, 0, &fd) == -NH_EINVAL);
	EXPECT(fs_pipe2(NH_FS_HANDLE, 0x1, &fd, &fd, &(uint64_t){ 0 }, &(long){ 0 }) == -NH_EINVAL);
	EXPECT(fs_chdir(NH_FS_HANDLE, 0, "/", 1) == -NH_EINVAL);
	EXPECT(fs_faccessat(NH_FS_HANDLE, AT_FDCWD, 64, "/", 1) == -NH_EINVAL);
	fd = open("/bin/hello", O_RDONLY);
	len = sizeof(buf);
	EXPECT(fs_getdents(NH_FS_HANDLE, fd, 64, buf, &len) == -NH_ENOTDIR);
	EXPECT(fs_pread(NH_FS_HANDLE, fd, 4, -5, buf, &len) == -NH_EINVAL);
	close(fd);
	fd = open("/", O_RDONLY);
	len = sizeof(buf);
	EXPECT(fs_getdents(NH_FS_HANDLE, fd, 8, buf, &len) == -NH_EINVAL);	/* no room for one */
	close(fd);
	/* and it serves on */
	EXPECT(access("/bin/hello", R_OK) == 0);
	EXPECT(fs_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* The frames the system has free now (the kernel's counters). */
static long free_frames(void)
{
	struct nh_counters c;

	return nh_test_counters(&c) ? -1 : (long)c.free_frames;
}

/* 1,000 files in one directory: made, listed, read, removed. */
static int thousand_files(void)
{
	char name[32], buf[16];
	int ok = 1, n = 0, fd;
	struct dirent *e;
	DIR *d;

	EXPECT(mkdir("/tmp/many", 0755) == 0);
	for (int i = 0; i < 1000 && ok; i++) {
		snprintf(name, sizeof(name), "/tmp/many/f%d", i);
		fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		ok &= fd >= 0 && write(fd, name + 10, strlen(name + 10)) == (ssize_t)strlen(name + 10);
		close(fd);
	}
	EXPECT(ok);
	d = opendir("/tmp/many");
	while (d && (e = readdir(d)))
		n++;
	if (d)
		closedir(d);
	EXPECT(n == 1002);
	EXPECT(slurp("/tmp/many/f737", buf, sizeof(buf)) == 4 && !memcmp(buf, "f737", 4));
	EXPECT(rmdir("/tmp/many") == -1 && errno == ENOTEMPTY);
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "/tmp/many/f%d", i);
		ok &= unlink(name) == 0;
	}
	EXPECT(ok && rmdir("/tmp/many") == 0);
	return ok;
}

/* A 64 MiB file written and read back; its pages come back when it goes. */
static int big_file(void)
{
	static uint32_t chunk[16384];
	long before = free_frames(), mid;
	int ok = 1, fd = open("/tmp/big", O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct stat st;

	EXPECT(fd >= 0);
	for (uint32_t off = 0; ok && off < 64 * MiB; off += sizeof(chunk)) {
		for (uint32_t i = 0; i < 16384; i++)
			chunk[i] = off + i * 4;
		ok &= write(fd, chunk, sizeof(chunk)) == sizeof(chunk);
	}
	EXPECT(ok && fstat(fd, &st) == 0 && st.st_size == 64 * MiB);
	mid = free_frames();
	EXPECT(before - mid >= 16384);		/* it holds its pages ... */
	EXPECT(lseek(fd, 0, SEEK_SET) == 0);
	for (uint32_t off = 0; ok && off < 64 * MiB; off += sizeof(chunk)) {
		ok &= read(fd, chunk, sizeof(chunk)) == sizeof(chunk);
		for (uint32_t i = 0; ok && i < 16384; i += 1021)
			ok &= chunk[i] == off + i * 4;
	}
	EXPECT(ok);
	EXPECT(unlink("/tmp/big") == 0 && free_frames() < before - 16000);	/* ... while open */
	close(fd);
	EXPECT(free_frames() >= before - 4);	/* ... and gives them back at its close */
	return ok;
}

/* Holes stay holes: a write far out makes no pages before it. */
static int sparse_file(void)
{
	long before = free_frames();
	int ok = 1, fd = open("/tmp/sparse", O_RDWR | O_CREAT | O_EXCL, 0600);
	char buf[8] = "x";

	EXPECT(fd >= 0 && pwrite(fd, "end", 3, 512 * MiB) == 3);
	EXPECT(free_frames() >= before - 8);	/* a page and its tables */
	EXPECT(pread(fd, buf, 8, 100 * MiB) == 8 && !memcmp(buf, "\0\0\0\0\0\0\0\0", 8));
	EXPECT(free_frames() >= before - 8);	/* reading a hole makes none */
	EXPECT(ftruncate(fd, 10) == 0 && pread(fd, buf, 8, 5) == 5);
	EXPECT(pwrite(fd, "ab", 2, 20) == 2 && pread(fd, buf, 8, 10) == 8 &&
	       !memcmp(buf, "\0\0\0\0\0\0\0\0", 8));	/* past the cut: zeros */
	EXPECT(pwrite(fd, "x", 1, 1ull << 30) == -1 && errno == EFBIG);
	EXPECT(ftruncate(fd, -1) == -1 && errno == EINVAL);
	close(fd);
	EXPECT(unlink("/tmp/sparse") == 0 && free_frames() >= before - 2);
	return ok;
}

int fs_tmp_files_directories_and_their_pages(void)
{
	struct fs_counts before = fs_now();
	char buf[16];
	int ok = 1, fd;
	struct stat st;

	fd = open("/tmp/a", O_WRONLY | O_CREAT | O_TRUNC, 0666);
	EXPECT(fd >= 0 && write(fd, "hello", 5) == 5 && close(fd) == 0);
	EXPECT(stat("/tmp/a", &st) == 0 && st.st_size == 5 && (st.st_mode & 0777) == 0644);
	EXPECT(open("/tmp/a", O_WRONLY | O_CREAT | O_EXCL, 0644) == -1 && errno == EEXIST);
	fd = open("/tmp/a", O_WRONLY | O_APPEND);
	EXPECT(fd >= 0 && lseek(fd, 0, SEEK_SET) == 0 && write(fd, "!", 1) == 1 && close(fd) == 0);
	EXPECT(slurp("/tmp/a", buf, sizeof(buf)) == 6 && !memcmp(buf, "hello!", 6));
	EXPECT(mkdir("/tmp/d", 0777) == 0 && stat("/tmp/d", &st) == 0 &&
	       (st.st_mode & 0777) == 0755 && S_ISDIR(st.st_mode));
	EXPECT(rename("/tmp/a", "/tmp/d/b") == 0 && access("/tmp/a", F_OK) == -1 &&
	       slurp("/tmp/d/b", buf, sizeof(buf)) == 6);
	EXPECT(rename("/tmp/d", "/tmp/d/e") == -1 && errno == EINVAL);
	EXPECT(rename("/tmp/d/b", "/bin/b") == -1 && errno == EXDEV);
	EXPECT(rename("/bin/hello", "/bin/h2") == -1 && errno == EROFS);
	EXPECT(unlink("/bin/hello") == -1 && errno == EROFS);
	EXPECT(mkdir("/bin/x", 0755) == -1 && errno == EROFS);
	EXPECT(rmdir("/tmp/d") == -1 && errno == ENOTEMPTY);
	EXPECT(unlink("/tmp/d") == -1 && errno == EISDIR);
	EXPECT(rmdir("/tmp/d/b") == -1 && errno == ENOTDIR);
	/* a removed working directory: nothing in it, no path */
	EXPECT(chdir("/tmp/d") == 0 && unlink("b") == 0 && rmdir("/tmp/d") == 0);
	EXPECT(open("x", O_RDONLY | O_CREAT, 0644) == -1 && errno == ENOENT);
	EXPECT(getcwd(buf, sizeof(buf)) == 0 && errno == ENOENT && chdir("/") == 0);
	EXPECT(truncate("/bin/hello", 0) == -1 && errno == EROFS);
	EXPECT(truncate("/tmp", 0) == -1 && errno == EISDIR);
	EXPECT(sparse_file());
	EXPECT(big_file());
	EXPECT(thousand_files());
	EXPECT(fs_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* Copy @from to @to with @mode; 0 or -1. */
static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[4096];
	int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, mode);
	ssize_t n = 0;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	close(in);
	close(out);
	return in < 0 || out < 0 || n < 0 ? -1 : 0;
}

/* @path run with @arg in a child: its wait status, or -1. */
static int run_status(const char *path, const char *arg)
{
	char *const argv[] = { (char *)path, (char *)arg, 0 };
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execv(path, argv);
		_exit(100 + errno % 100);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid ? status : -1;
}

/*
 * exec finds its file through the file server: a program and a "#!"
 * script in /tmp, a relative path from the working directory, and the
 * refusals (no x bit: EACCES; an empty file: ENOEXEC).  A RAM file's
 * bytes are copied into the image, so rewriting the file later changes
 * nothing that runs.
 */
int fs_exec_through_the_file_server(void)
{
	struct fs_counts before = fs_now();
	char dir[] = "/tmp/execXXXXXX", prog[64], script[64], plain[64], empty[64];
	int ok = 1, fd;

	EXPECT(mkdtemp(dir) != 0);
	snprintf(prog, sizeof(prog), "%s/false", dir);
	snprintf(script, sizeof(script), "%s/script", dir);
	snprintf(plain, sizeof(plain), "%s/plain", dir);
	snprintf(empty, sizeof(empty), "%s/empty", dir);
	EXPECT(copy_file("/bin/false", prog, 0755) == 0 && copy_file("/bin/false", plain, 0644) == 0);
	fd = open(script, O_CREAT | O_WRONLY, 0755);
	EXPECT(fd >= 0 && write(fd, "#!/bin/true\n", 12) == 12 && close(fd) == 0);
	fd = open(empty, O_CREAT | O_WRONLY, 0755);
	EXPECT(fd >= 0 && close(fd) == 0);
	EXPECT(proc_exited_with(run_status(prog, 0), 1));
	EXPECT(proc_exited_with(run_status(script, 0), 0));
	EXPECT(chdir(dir) == 0 && proc_exited_with(run_status("./false", 0), 1) && chdir("/") == 0);
	EXPECT(proc_exited_with(run_status(plain, 0), 100 + EACCES % 100));
	EXPECT(proc_exited_with(run_status(empty, 0), 100 + ENOEXEC % 100));
	EXPECT(unlink(prog) == 0 && unlink(script) == 0 && unlink(plain) == 0 &&
	       unlink(empty) == 0 && rmdir(dir) == 0);
	EXPECT(fs_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* A child that reads on from where its parent's shared description is:
 * @fd's next 8 KiB must be the file's from @at on (exit 0). */
static int reads_on(long arg)
{
	static char got[8192];
	struct srv_file f;
	int fd = (int)(arg & 0xffff);
	long at = arg >> 16;

	if (srv_archive_find("/bin/testserver", &f) || read(fd, got, sizeof(got)) != sizeof(got))
		return 1;
	return memcmp(got, f.data + at, sizeof(got)) ? 2 : 0;
}

/*
 * A large read of an initramfs file comes from a mapping of it
 * (lib/posix/mapped.c) with no bytes through the file server: the bytes
 * are the archive's, the description's offset is the server's as ever
 * (lseek, a dup, a forked child reading on), small reads after it stay
 * exact, a descriptor replaced by dup2 reads what it is now, and the
 * requests refuse what is no initramfs file.
 */
int fs_large_reads_come_from_a_mapping(void)
{
	static char buf[70000];
	struct fs_counts before = fs_now();
	struct srv_file f;
	uint64_t base = 0, size = 0, at = 0;
	uint32_t got = 0;
	struct nh_space_stat ss0, ss1;
	long obj = 0;
	int ok = 1, fd, d, p[2], status;
	pid_t pid;

	EXPECT(ts_archive_open() == 0 && srv_archive_find("/bin/testserver", &f) == 0);
	EXPECT(nh_space_stat(NH_SELF_SPACE, &ss0) == 0);
	EXPECT(f.size > 3 * sizeof(buf));
	fd = open("/bin/testserver", O_RDONLY);
	EXPECT(fd >= 0 && read(fd, buf, 3) == 3 && !memcmp(buf, f.data, 3));	/* small: as before */
	EXPECT(read(fd, buf, sizeof(buf)) == sizeof(buf) && !memcmp(buf, f.data + 3, sizeof(buf)));
	EXPECT(lseek(fd, 0, SEEK_CUR) == 3 + (off_t)sizeof(buf));
	EXPECT(read(fd, buf, 5) == 5 && !memcmp(buf, f.data + 3 + sizeof(buf), 5));
	d = dup(fd);	/* the same description: its offset moves for both */
	EXPECT(d >= 0 && read(d, buf, 9000) == 9000 && !memcmp(buf, f.data + 70008, 9000));
	EXPECT(lseek(fd, 0, SEEK_CUR) == 79008);
	pid = proc_spawn_child(reads_on, d | 79008l << 16);
	EXPECT(waitpid(pid, &status, 0) == pid && proc_exited_with(status, 0));
	EXPECT(lseek(fd, -20, SEEK_END) == (off_t)f.size - 20);
	EXPECT(read(fd, buf, sizeof(buf)) == 20 && !memcmp(buf, f.data + f.size - 20, 20));
	EXPECT(read(fd, buf, sizeof(buf)) == 0);	/* end of file */
	EXPECT(pipe(p) == 0 && dup2(p[0], d) == d && write(p[1], "pipe", 4) == 4);
	EXPECT(read(d, buf, sizeof(buf)) == 4 && !memcmp(buf, "pipe", 4));	/* what d is now */
	/* the requests refuse what is no initramfs file */
	EXPECT(fs_map_file(NH_FS_HANDLE, p[0], &base, &size, &obj) == -NH_ENODEV);
	EXPECT(fs_read_map(NH_FS_HANDLE, p[0], 10, &at, &got) == -NH_ENODEV);
	EXPECT(fs_read_map(NH_FS_HANDLE, 999, 10, &at, &got) == -NH_EBADF);
	close(p[0]);
	close(p[1]);
	close(d);
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	EXPECT(fd >= 0 && read(fd, buf, sizeof(buf)) == sizeof(buf) && !buf[0] && !buf[69999]);
	close(fd);
	EXPECT(nh_space_stat(NH_SELF_SPACE, &ss1) == 0);
	EXPECT(ss1.regions == ss0.regions);	/* the mappings went with their descriptors */
	EXPECT(fs_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/*
 * A ring's header is shared with every user of the pipe, so a corrupt
 * one (another user's stray writes) must not make a read or write copy
 * wildly: its byte counts are trusted only up to the ring's size (EIO
 * past it), and the file server's page (the ends' counts) is read-only
 * in the users' own mappings.
 */
int fs_pipe_ring_header_garbage(void)
{
	struct fs_counts before = fs_now();
	struct nh_pipe_ring *g;
	uint64_t ino = 0;
	uint32_t end = 9, head;
	long obj = 0, va;
	char buf[8];
	int ok = 1, p[2], null;

	EXPECT(pipe(p) == 0 && write(p[1], "ab", 2) == 2);
	EXPECT(fs_pipe_ring(NH_FS_HANDLE, p[0], &end, &ino, &obj) == 0 && end == 0 && obj > 0);
	va = nh_map(NH_SELF_SPACE, 0, NH_PIPE_OBJECT, NH_PROT_READ | NH_PROT_WRITE,
		    NH_MAP_SHARED, obj, 0);
	EXPECT(va > 0);
	nh_handle_close(obj);
	g = (struct nh_pipe_ring *)(va + NH_PIPE_RING);
	head = g->head;
	EXPECT(g->tail - head == 2);
	g->tail = head + 0x7fff0000u;	/* more than the ring holds */
	EXPECT(read(p[0], buf, sizeof(buf)) == -1 && errno == EIO);
	EXPECT(write(p[1], "c", 1) == -1 && errno == EIO);
	g->tail = head + 2;		/* whole again: it works on */
	EXPECT(read(p[0], buf, sizeof(buf)) == 2 && !memcmp(buf, "ab", 2));
	EXPECT(fs_pipe_ring(NH_FS_HANDLE, 999, &end, &ino, &obj) == -NH_EBADF);
	null = open("/dev/null", O_RDONLY);	/* no pipe */
	EXPECT(fs_pipe_ring(NH_FS_HANDLE, null, &end, &ino, &obj) == -NH_EBADF);
	close(null);
	nh_space_unmap(NH_SELF_SPACE, (uint64_t)va, NH_PIPE_OBJECT);
	close(p[0]);
	close(p[1]);
	EXPECT(fs_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}
