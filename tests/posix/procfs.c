/* /proc: the listing of processes and of one process's directory,
 * /proc/PID/stat in Linux's format (fields, comm, state, ids), status's
 * "Key:\tvalue" lines, cmdline across an exec, the states of a child
 * blocked in read and of a zombie, the entry gone once reaped, modes,
 * lseek and byte-at-a-time reads, and the errors of paths that are not
 * there.  Only what both systems agree on is printed: no pids, times,
 * sizes or addresses, only facts about them. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "posixtest.h"

/* /proc/PID/stat's fields, numbered from 1 as in proc(5). */
enum {
	F_STATE = 3, F_PPID = 4, F_PGRP = 5, F_SESSION = 6, F_UTIME = 14,
	F_STIME = 15, F_PRIORITY = 18, F_NICE = 19, F_THREADS = 20,
	F_STARTTIME = 22, F_VSIZE = 23, F_RSS = 24, F_RSSLIM = 25,
	F_LAST = 52,	/* exit_code */
};

#define STAT_BYTES	1024
#define POLL_TRIES	500	/* of POLL_US each: 5 s at most */
#define POLL_US		10000

struct pstat {
	char buf[STAT_BYTES];
	char comm[32];
	char *f[F_LAST + 1];	/* f[F_STATE].. as strings, "?" if missing */
	int after;		/* how many fields follow the ')' */
	int newline;		/* the text ends with "\n" */
	long pid;
};

static char self[512];	/* this program's absolute path (posix_self) */

/* "/proc/PID/LEAF", or "/proc/self/LEAF" for pid 0 (no leaf if empty). */
static const char *proc_path(char *out, size_t size, pid_t pid, const char *leaf)
{
	char who[16] = "self";

	if (pid)
		snprintf(who, sizeof(who), "%d", (int)pid);
	snprintf(out, size, "/proc/%s%s%s", who, *leaf ? "/" : "", leaf);
	return out;
}

/* Read @fd to its end (or @size - 1 bytes) @chunk bytes a call, into
 * @buf, NUL-terminated: the length, or -1 and errno. */
static long fill(int fd, char *buf, size_t size, size_t chunk)
{
	size_t n = 0, room;
	long r = 0;

	while ((room = size - 1 - n) > 0 && (r = read(fd, buf + n, room < chunk ? room : chunk)) > 0)
		n += r;
	buf[n] = 0;
	return r < 0 ? -1 : (long)n;
}

static long slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	long n;

	if (fd < 0) {
		buf[0] = 0;
		return -1;
	}
	n = fill(fd, buf, size, size);
	close(fd);
	return n;
}

/* Split the text in @ps->buf, "pid (comm) state ppid ...": 0, or -1 if
 * it does not have all the fields (the missing ones "?"). */
static int parse_stat(struct pstat *ps, long len)
{
	char *lp = strchr(ps->buf, '('), *rp = strrchr(ps->buf, ')'), *tok;

	for (int i = 0; i <= F_LAST; i++)
		ps->f[i] = "?";
	ps->newline = len > 0 && ps->buf[len - 1] == '\n';
	ps->after = 0;
	ps->comm[0] = 0;
	if (!lp || !rp || rp < lp)
		return -1;
	ps->pid = strtol(ps->buf, 0, 10);
	snprintf(ps->comm, sizeof(ps->comm), "%.*s", (int)(rp - lp - 1), lp + 1);
	for (tok = strtok(rp + 1, " \n"); tok; tok = strtok(0, " \n"))
		if (ps->after++ < F_LAST - 2)
			ps->f[F_STATE + ps->after - 1] = tok;
	return ps->after == F_LAST - 2 ? 0 : -1;
}

static int read_stat(pid_t pid, struct pstat *ps)
{
	char path[64];
	long n = slurp(proc_path(path, sizeof(path), pid, "stat"), ps->buf, sizeof(ps->buf));
	int r = parse_stat(ps, n);

	return n < 0 ? -1 : r;
}

/* @pid's state letter once it is @want, or the last one seen ('?' if
 * its stat could not be read). */
static char wait_state(pid_t pid, char want)
{
	struct pstat ps;
	char state = '?';

	for (int i = 0; i < POLL_TRIES && state != want; i++) {
		state = read_stat(pid, &ps) == 0 ? ps.f[F_STATE][0] : '?';
		if (state != want)
			usleep(POLL_US);
	}
	return state;
}

/* The value of @text's "@key:\t..." line, or "" if it has none; four
 * buffers in turn, so that one printf may show several. */
static const char *field(const char *text, const char *key)
{
	static char bufs[4][128];
	static unsigned turn;
	char *out = bufs[turn++ % 4];
	size_t k = strlen(key);

	out[0] = 0;
	for (const char *l = text; l; l = strchr(l, '\n'), l = l ? l + 1 : 0)
		if (strncmp(l, key, k) == 0 && l[k] == ':' && l[k + 1] == '\t') {
			snprintf(out, sizeof(bufs[0]), "%.*s", (int)strcspn(l + k + 2, "\n"), l + k + 2);
			break;
		}
	return out;
}

/* Whether directory @dir has an entry @name (-1 if it cannot be read). */
static int dir_has(const char *dir, const char *name)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int found = 0;

	if (!d)
		return -1;
	while (!found && (de = readdir(d)))
		found = strcmp(de->d_name, name) == 0;
	closedir(d);
	return found;
}

static int listed(pid_t pid)
{
	char name[16];

	snprintf(name, sizeof(name), "%d", (int)pid);
	return dir_has("/proc", name);
}

/* @pid's directory has the three files both systems have. */
static void show_dir(const char *label, pid_t pid)
{
	char path[64];

	proc_path(path, sizeof(path), pid, "");
	printf("%s has stat %d, status %d, cmdline %d\n", label, dir_has(path, "stat"),
	       dir_has(path, "status"), dir_has(path, "cmdline"));
}

static void listing(void)
{
	printf("/proc has . %d, .. %d, self %d, our pid %d\n", dir_has("/proc", "."),
	       dir_has("/proc", ".."), dir_has("/proc", "self"), listed(getpid()));
	show_dir("/proc/self", 0);
	show_dir("/proc/OURPID", getpid());
}

static void self_stat(void)
{
	struct pstat ps, bypid;

	SAY("read /proc/self/stat", read_stat(0, &ps));
	printf("fields after the comm %d, ends with a newline %d, comm (%s)\n", ps.after,
	       ps.newline, ps.comm);
	printf("pid matches %d, ppid %d, pgrp %d, session %d\n", ps.pid == getpid(),
	       atol(ps.f[F_PPID]) == getppid(), atol(ps.f[F_PGRP]) == getpgrp(),
	       atol(ps.f[F_SESSION]) == getsid(0));
	printf("state %s, priority %s, nice %s, threads %s, rsslim %s\n", ps.f[F_STATE],
	       ps.f[F_PRIORITY], ps.f[F_NICE], ps.f[F_THREADS], ps.f[F_RSSLIM]);
	printf("utime+stime >= 0 %d, vsize > 0 %d, rss > 0 %d\n",
	       atol(ps.f[F_UTIME]) + atol(ps.f[F_STIME]) >= 0, strtoull(ps.f[F_VSIZE], 0, 10) > 0,
	       atol(ps.f[F_RSS]) > 0);
	SAY("read /proc/OURPID/stat", read_stat(getpid(), &bypid));
	printf("the same pid %d and comm %d\n", bypid.pid == ps.pid, strcmp(bypid.comm, ps.comm) == 0);
}

static void self_status(void)
{
	char text[4096];
	struct pstat ps;
	long id[4] = { -1, -1, -1, -1 };
	const char *rss;
	int n;

	read_stat(0, &ps);
	SAY("read /proc/self/status", slurp("/proc/self/status", text, sizeof(text)));
	printf("Name is the comm %d, State: %s, Threads: %s\n",
	       strcmp(field(text, "Name"), ps.comm) == 0, field(text, "State"),
	       field(text, "Threads"));
	printf("Pid matches %d, PPid %d, Tgid %d\n", atol(field(text, "Pid")) == getpid(),
	       atol(field(text, "PPid")) == getppid(), atol(field(text, "Tgid")) == getpid());
	n = sscanf(field(text, "Uid"), "%ld\t%ld\t%ld\t%ld", &id[0], &id[1], &id[2], &id[3]);
	printf("Uid: %d ids, real %d, effective %d, saved %d, fs %d\n", n, id[0] == getuid(),
	       id[1] == geteuid(), id[2] == geteuid(), id[3] == geteuid());
	rss = field(text, "VmRSS");
	printf("VmRSS present %d, in kB %d\n", *rss != 0,
	       strlen(rss) > 3 && strcmp(rss + strlen(rss) - 3, " kB") == 0);
}

/* One read, then again after lseek, then a byte a call: the same fields,
 * and the same "pid (comm) state". */
static void reading(void)
{
	struct pstat a, b, c;
	int fd = open("/proc/self/stat", O_RDONLY);

	parse_stat(&a, fill(fd, a.buf, sizeof(a.buf), sizeof(a.buf)));
	printf("lseek 0: %ld\n", (long)lseek(fd, 0, SEEK_SET));
	parse_stat(&b, fill(fd, b.buf, sizeof(b.buf), sizeof(b.buf)));
	printf("read again: fields %d, then at the end %ld\n", b.after, (long)read(fd, b.buf, 1));
	lseek(fd, 0, SEEK_SET);
	parse_stat(&c, fill(fd, c.buf, sizeof(c.buf), 1));
	printf("a byte a call: fields %d, ends with a newline %d, the same pid, comm and state %d\n",
	       c.after, c.newline, c.pid == a.pid && strcmp(c.comm, a.comm) == 0 &&
	       strcmp(c.f[F_STATE], a.f[F_STATE]) == 0);
	close(fd);
}

/* What stat says of @path: a directory or regular (with its size), and
 * its permission bits. */
static void show_mode(const char *label, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		printf("stat %s: -1 %s\n", label, errname(errno));
		return;
	}
	printf("stat %s: directory %d, regular %d", label, S_ISDIR(st.st_mode) != 0,
	       S_ISREG(st.st_mode) != 0);
	if (S_ISREG(st.st_mode))
		printf(" of size %ld", (long)st.st_size);
	printf(", mode %03o\n", (unsigned)(st.st_mode & 0777));
}

static void metadata(void)
{
	char path[64];

	show_mode("/proc/self", "/proc/self");
	show_mode("/proc/OURPID", proc_path(path, sizeof(path), getpid(), ""));
	show_mode("/proc/self/stat", "/proc/self/stat");
}

static void errors(void)
{
	SAY("open /proc/999999999/stat", open("/proc/999999999/stat", O_RDONLY));
	SAY("open /proc/notapid", open("/proc/notapid", O_RDONLY));
	SAY("open /proc/self/nonexistent", open("/proc/self/nonexistent", O_RDONLY));
	SAY("open /proc/self/stat/x", open("/proc/self/stat/x", O_RDONLY));
}

/* A child blocked in read on an empty pipe sleeps; SIGKILL ends it. */
static void sleeping(void)
{
	struct pstat me, ps;
	int p[2];
	char c;
	pid_t pid;

	pipe(p);
	pid = spawn();
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) < 0 ? 2 : 1);
	}
	printf("a child blocked in read: state %c\n", wait_state(pid, 'S'));
	read_stat(0, &me);
	SAY("read its stat", read_stat(pid, &ps));
	printf("its ppid is us %d, pgrp ours %d, comm ours %d, started no earlier %d\n",
	       atol(ps.f[F_PPID]) == getpid(), atol(ps.f[F_PGRP]) == getpgrp(),
	       strcmp(ps.comm, me.comm) == 0,
	       strtoull(ps.f[F_STARTTIME], 0, 10) >= strtoull(me.f[F_STARTTIME], 0, 10));
	printf("listed in /proc %d\n", listed(pid));
	show_dir("its directory", pid);
	kill(pid, SIGKILL);
	reap("SIGKILL", pid);
	close(p[0]);
	close(p[1]);
}

/* An exited child is a zombie until reaped; then its entry is gone. */
static void zombie(void)
{
	char path[64], text[4096];
	siginfo_t si;
	pid_t pid = spawn();

	if (pid == 0)
		_exit(3);
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	printf("an exited child: state %c\n", wait_state(pid, 'Z'));
	slurp(proc_path(path, sizeof(path), pid, "status"), text, sizeof(text));
	printf("its status State: %s\n", field(text, "State"));
	reap("reaped", pid);
	SAY("then open its stat", open(proc_path(path, sizeof(path), pid, "stat"), O_RDONLY));
	printf("listed in /proc %d\n", listed(pid));
}

/* In the exec'd child: /proc/self/cmdline is argv, each NUL-terminated. */
static int cmdline_child(int argc, char **argv)
{
	char buf[1024];
	long n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	int count = 0;

	printf("cmdline: %ld bytes past argv[0], which matches %d, ends with NUL %d\n",
	       n - (long)strlen(argv[0]) - 1, n > 0 && strcmp(buf, argv[0]) == 0,
	       n > 0 && buf[n - 1] == 0);
	printf("the rest:");
	for (char *s = buf; s < buf + n; s += strlen(s) + 1, count++)
		if (s != buf)
			printf(" [%s]", s);
	printf("\n%d strings, argc %d\n", count, argc);
	return 7;
}

static void cmdline(void)
{
	char *argv[] = { self, "cmdline-child", "two words", "", "-x", 0 };
	pid_t pid = spawn();

	if (pid == 0) {
		execv(self, argv);
		_exit(99);
	}
	reap("the cmdline child", pid);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "cmdline-child") == 0)
		return cmdline_child(argc, argv);
	posix_self(argv[0], self, sizeof(self));
	listing();
	self_stat();
	self_status();
	reading();
	metadata();
	errors();
	sleeping();
	zombie();
	cmdline();
	return 0;
}
