/*
 * /proc's tests: the file server serves it with the process server's
 * answers (servers/fs/procfs.c, servers/proc/procfs.c).  Each file in
 * Linux's format for ourselves, a child that exec'd, a zombie and a
 * thread; the listing with more processes than one answer's piece
 * holds; Linux's errors; and the server's counts before and after.
 * tests/posix/procfs.c holds the same facts against the host's Linux.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nhtest.h"
#include "nuthatch.h"
#include "parts.h"
#include "proto/fs.h"

#define MANY		200	/* more pids than one piece of the answer holds (128) */
#define STAT_FIELDS	52

/* The whole of @path into @buf (NUL-ended, @room bytes): its length, or -errno. */
static long slurp(const char *path, char *buf, size_t room)
{
	int fd = open(path, O_RDONLY);
	size_t got = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -errno;
	while (got < room - 1 && (n = read(fd, buf + got, room - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = 0;
	return n < 0 ? -errno : (long)got;
}

static long slurpf(char *buf, size_t room, const char *fmt, int pid)
{
	char path[64];

	snprintf(path, sizeof(path), fmt, pid);
	return slurp(path, buf, room);
}

/* Field @i (1-based) of a stat line, as a number; the state (3) as its letter. */
static long long stat_field(const char *line, int i)
{
	const char *p = strrchr(line, ')');
	long long v = 0;

	if (i < 3 || !p)
		return i == 1 ? atoll(line) : -1;
	p += 2;
	if (i == 3)
		return *p;
	for (int f = 3; f < i && p; f++)
		p = strchr(p, ' '), p = p ? p + 1 : 0;
	if (p)
		v = atoll(p);
	return p ? v : -1;
}

static int stat_fields(const char *line)
{
	const char *p = strrchr(line, ')');
	int n = 2;

	for (; p && *p; p++)
		n += *p == ' ';
	return n;
}

/* @key's line in a status file holds @value. */
static int has_line(const char *status, const char *key, const char *value)
{
	char want[96];

	snprintf(want, sizeof(want), "\n%s:\t%s\n", key, value);
	return strstr(status, want) || (!strncmp(status, want + 1, strlen(want) - 1));
}

static int has_num(const char *status, const char *key, long v)
{
	char s[24];

	snprintf(s, sizeof(s), "%ld", v);
	return has_line(status, key, s);
}

static int self_files(void)
{
	static char buf[4096];
	int ok = 1;

	EXPECT(slurp("/proc/self/stat", buf, sizeof(buf)) > 0);
	EXPECT(stat_field(buf, 1) == getpid() && stat_field(buf, 3) == 'R');
	EXPECT(stat_field(buf, 4) == getppid() && stat_field(buf, 5) == getpgrp());
	EXPECT(stat_fields(buf) == STAT_FIELDS && buf[strlen(buf) - 1] == '\n');
	EXPECT(stat_field(buf, 20) == 1 && stat_field(buf, 24) > 0);	/* threads, rss */
	EXPECT(slurp("/proc/self/status", buf, sizeof(buf)) > 0);
	EXPECT(has_num(buf, "Pid", getpid()) && has_num(buf, "Tgid", getpid()));
	EXPECT(has_num(buf, "PPid", getppid()) && has_line(buf, "State", "R (running)"));
	EXPECT(has_line(buf, "Threads", "1") && strstr(buf, "\nVmRSS:\t"));
	return ok;
}

/* A child that exec'd: its cmdline is the new argv, its comm the file's. */
static int exec_child_files(void)
{
	static char buf[4096];
	static const char want[] = "sleep\0" "30\0";
	int ok = 1, status, tries = 0;
	pid_t pid;
	long n;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sleep", "sleep", "30", (char *)0);
		_exit(127);
	}
	EXPECT(pid > 0);
	do
		n = slurpf(buf, sizeof(buf), "/proc/%d/cmdline", pid), nh_sleep_ns(2000000);
	while (++tries < 500 && !(n == sizeof(want) - 1 && !memcmp(buf, want, (size_t)n)));
	EXPECT(n == sizeof(want) - 1 && !memcmp(buf, want, sizeof(want) - 1));
	EXPECT(slurpf(buf, sizeof(buf), "/proc/%d/stat", pid) > 0);
	EXPECT(strstr(buf, " (sleep) ") && stat_field(buf, 4) == getpid());
	kill(pid, SIGKILL);
	EXPECT(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status));
	return ok;
}

/* A zombie: state Z, its wait status last; reaped: no more. */
static int zombie_files(void)
{
	static char buf[4096];
	siginfo_t si;
	int ok = 1, status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(5);
	EXPECT(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == 0);
	EXPECT(slurpf(buf, sizeof(buf), "/proc/%d/stat", pid) > 0);
	EXPECT(stat_field(buf, 3) == 'Z' && stat_field(buf, STAT_FIELDS) == 5 << 8);
	EXPECT(slurpf(buf, sizeof(buf), "/proc/%d/status", pid) > 0);
	EXPECT(has_line(buf, "State", "Z (zombie)") && !strstr(buf, "VmRSS"));
	EXPECT(slurpf(buf, sizeof(buf), "/proc/%d/cmdline", pid) == 0);
	EXPECT(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 5);
	EXPECT(slurpf(buf, sizeof(buf), "/proc/%d/stat", pid) == -ENOENT);
	return ok;
}

/* The names in @dir, "."/".." apart, counted; @want among them? */
static int names_in(const char *dir, const char *want, int *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	*count = 0;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		++*count;
		found |= !strcmp(e->d_name, want);
	}
	if (d)
		closedir(d);
	return found;
}

/* Linux's errors, and paths relative to a /proc directory. */
static int errors_and_paths(void)
{
	char buf[128], cwd[64], want[64];
	int ok = 1, fd, n;

	EXPECT(slurp("/proc/0/stat", buf, sizeof(buf)) == -ENOENT);
	EXPECT(slurp("/proc/01/stat", buf, sizeof(buf)) == -ENOENT);	/* no leading zero */
	EXPECT(slurp("/proc/4194305/stat", buf, sizeof(buf)) == -ENOENT);
	EXPECT(slurp("/proc/self/stat/x", buf, sizeof(buf)) == -ENOTDIR);
	EXPECT(slurp("/proc/self/environ", buf, sizeof(buf)) == -ENOENT);
	EXPECT(access("/proc/99999", F_OK) < 0 && errno == ENOENT);
	EXPECT(access("/proc/self/stat", R_OK | W_OK) == 0);	/* uid 0, as on Linux */
	EXPECT(chdir("/proc/99999") < 0 && errno == ENOENT);
	fd = open("/proc/self/stat", O_WRONLY);
	EXPECT(fd >= 0 && write(fd, "x", 1) < 0 && errno == EINVAL);
	close(fd);
	EXPECT(mkdir("/proc/x", 0755) < 0 && errno == ENOENT);
	EXPECT(open("/proc/x", O_CREAT | O_WRONLY, 0644) < 0 && errno == ENOENT);
	EXPECT(unlink("/proc/self/stat") < 0 && errno == EPERM);
	EXPECT(names_in("/proc/self", "cmdline", &n) && n == 3);
	EXPECT(chdir("/proc/self") == 0 && getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "/proc/%d", (int)getpid());
	EXPECT(!strcmp(cwd, want) && slurp("stat", buf, sizeof(buf)) > 0);
	EXPECT(stat_field(buf, 1) == getpid());
	EXPECT(chdir("/") == 0);
	return ok;
}

int procfs_files_in_linux_formats(void)
{
	struct fs_counts fs;
	struct proc_table pt;
	int ok = 1;

	fs = fs_now();
	pt = proc_table_now();
	EXPECT(self_files());
	EXPECT(exec_child_files());
	EXPECT(zombie_files());
	EXPECT(errors_and_paths());
	EXPECT(fs_back(&fs));
	EXPECT(proc_table_back(&pt));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static volatile int thread_tid, thread_go;

static void *thread_main(void *arg)
{
	(void)arg;
	thread_tid = gettid();
	while (!thread_go)
		nh_sleep_ns(1000000);
	return 0;
}

/* /proc/TID of a thread: its own pid field, its process's Tgid; unlisted. */
static int thread_files(void)
{
	static char buf[4096];
	char name[16];
	pthread_t t;
	int ok = 1, n;

	thread_tid = 0, thread_go = 0;
	EXPECT(pthread_create(&t, 0, thread_main, 0) == 0);
	while (!thread_tid)
		nh_sleep_ns(1000000);
	EXPECT(thread_tid != getpid());
	EXPECT(slurpf(buf, sizeof(buf), "/proc/%d/stat", thread_tid) > 0);
	EXPECT(stat_field(buf, 1) == thread_tid && stat_field(buf, 20) == 2);
	EXPECT(slurpf(buf, sizeof(buf), "/proc/%d/status", thread_tid) > 0);
	EXPECT(has_num(buf, "Pid", thread_tid) && has_num(buf, "Tgid", getpid()));
	snprintf(name, sizeof(name), "%d", thread_tid);
	EXPECT(!names_in("/proc", name, &n));
	thread_go = 1;
	EXPECT(pthread_join(t, 0) == 0);
	return ok;
}

/* MANY children asleep (in the kernel, not in a server, whose room for
 * blocked calls is not this test's to grow): every one listed, in one
 * directory that took several pieces to say. */
static int many_listed(void)
{
	static pid_t kids[MANY];
	char name[16];
	int ok = 1, n = 0, listed = 0, total = 0, status;

	fflush(stdout);
	for (; ok && n < MANY; n++) {
		kids[n] = fork();
		if (kids[n] == 0)
			for (;;)
				nh_sleep_ns(60ull * 1000000000);
		EXPECT(kids[n] > 0);
	}
	n -= !ok;
	for (int i = 0; i < n; i += 19) {	/* a sample: a full scan is 200 listings */
		snprintf(name, sizeof(name), "%d", (int)kids[i]);
		listed += names_in("/proc", name, &total);
	}
	EXPECT(listed == (n + 18) / 19 && total > MANY);
	for (int i = 0; i < n; i++) {
		kill(kids[i], SIGKILL);
		EXPECT(waitpid(kids[i], &status, 0) == kids[i] && WTERMSIG(status) == SIGKILL);
	}
	return ok;
}

int procfs_many_processes_threads_and_garbage(void)
{
	uint32_t next = 1, what;
	int32_t pid, caller;
	struct fs_counts fs;
	struct proc_table pt;
	int ok = 1, n;

	fs = fs_now();
	pt = proc_table_now();
	EXPECT(thread_files());
	EXPECT(many_listed());
	/* the answers are the process server's alone */
	EXPECT(fs_ctl_proc(NH_FS_HANDLE, 0, 0, 0, 0, &next, &pid, &what, &caller) == -NH_EACCES);
	EXPECT(fs_ctl_proc(NH_FS_HANDLE, 1, 1, "x", 1, &next, &pid, &what, &caller) == -NH_EACCES);
	EXPECT(names_in("/proc", "1", &n) && n >= 3);	/* and it serves on */
	EXPECT(fs_back(&fs));
	EXPECT(proc_table_back(&pt));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}
