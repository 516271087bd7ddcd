/*
 * procbench: the process-level benchmarks, run by init when the boot
 * arguments say nuthatch.ubench=PATTERN (tools/bench.py, make bench).
 * Under -icount shift=0 the clock counts guest instructions, so a
 * figure is instructions per operation:
 *   bench <name> <iterations> <instructions_per_op>
 * then "bench: done, N run, M failed", and it powers off.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nuthatch.h"

static int failed, run;

static int glob(const char *p, const char *s)
{
	if (!*p)
		return !*s;
	if (*p == '*')
		return glob(p + 1, s) || (*s && glob(p, s + 1));
	return *s && (*p == '?' || *p == *s) && glob(p + 1, s + 1);
}

static void report(const char *name, long iters, long start)
{
	long ns = nh_clock_ns() - start;

	printf("bench %s %ld %ld\n", name, iters, ns / iters);
	run++;
}

static int reap(pid_t pid)
{
	int status = -1;

	if (pid <= 0 || waitpid(pid, &status, 0) != pid || status != 0) {
		printf("bench: child %d: wait status 0x%x\n", pid, (unsigned)status);
		failed++;
		return 0;
	}
	return 1;
}

/* @spawn (fork or vfork), the child _exit(0)s, wait: @iters times. */
static void spawn_exit_wait(const char *name, long iters, pid_t (*spawn)(void))
{
	long start = nh_clock_ns();

	for (long i = 0; i < iters; i++) {
		pid_t pid = spawn();

		if (pid == 0)
			_exit(0);
		if (!reap(pid))
			return;
	}
	report(name, iters, start);
}

static void fork_exit_wait(const char *name, long iters)
{
	spawn_exit_wait(name, iters, fork);
}

static void vfork_exit_wait(const char *name, long iters)
{
	spawn_exit_wait(name, iters, vfork);
}

static void fork_exec_wait(const char *name, long iters)
{
	char *const argv[] = { "true", 0 };
	long start = nh_clock_ns();

	for (long i = 0; i < iters; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execv("/bin/true", argv);
			_exit(127);
		}
		if (!reap(pid))
			return;
	}
	report(name, iters, start);
}

static void getppid_loop(const char *name, long iters)
{
	long start = nh_clock_ns();

	for (long i = 0; i < iters; i++)
		if (getppid() != 1)
			failed++;
	report(name, iters, start);
}

/* fork+exit+wait of a parent with @mib MiB of dirty anonymous memory. */
static void fork_dirty(const char *name, long iters, size_t mib)
{
	size_t len = mib << 20;
	char *m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED) {
		printf("bench: %s: no memory\n", name);
		failed++;
		return;
	}
	for (size_t off = 0; off < len; off += 4096)
		m[off] = 1;
	fork_exit_wait(name, iters);
	munmap(m, len);
}

/* One loop of @iters fork+exit+wait in a child of ours; its wall time. */
static long loop_in_child(long iters)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		for (long i = 0; i < iters; i++) {
			pid_t c = fork();

			if (c == 0)
				_exit(0);
			if (c < 0 || waitpid(c, 0, 0) != c)
				_exit(1);
		}
		_exit(0);
	}
	return pid;
}

/* One byte there and back between two processes over two pipes: the
 * figure is one round trip (two writes, two reads, two wake-ups). */
static void pipe_round_trip(const char *name, long iters)
{
	int ab[2], ba[2];
	char c = 'x';
	long start;
	pid_t pid;

	if (pipe(ab) || pipe(ba)) {
		failed++;
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(ab[1]);	/* else its own end keeps the pipe from its end of file */
		close(ba[0]);
		while (read(ab[0], &c, 1) == 1 && write(ba[1], &c, 1) == 1)
			;
		_exit(0);
	}
	start = nh_clock_ns();
	for (long i = 0; i < iters; i++)
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1) {
			failed++;
			break;
		}
	report(name, iters, start);
	close(ab[1]);
	reap(pid);
	close(ab[0]);
	close(ba[0]);
	close(ba[1]);
}

/* 64 KiB writes into a pipe a child drains: the figure is per 64 KiB
 * (bytes per instruction: 65536 over it). */
static void pipe_throughput(const char *name, long iters)
{
	static char buf[64 * 1024];
	int p[2];
	long start;
	pid_t pid;

	if (pipe(p)) {
		failed++;
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		while (read(p[0], buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	start = nh_clock_ns();
	for (long i = 0; i < iters; i++)
		if (write(p[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			failed++;
			break;
		}
	report(name, iters, start);
	close(p[1]);
	reap(pid);
}

/* open, one read of @size bytes, close of an initramfs file (procbench
 * itself, 29 KiB, or the test server, 225 KiB, for the larger reads). */
static void open_read_close_n(const char *name, long iters, size_t size)
{
	static char buf[64 * 1024];
	const char *path = size > 4096 ? "/bin/testserver" : "/bin/procbench";
	long start = nh_clock_ns();

	for (long i = 0; i < iters; i++) {
		int fd = open(path, O_RDONLY);

		if (fd < 0 || read(fd, buf, size) != (ssize_t)size || close(fd)) {
			failed++;
			return;
		}
	}
	report(name, iters, start);
}

static void open_read_close(const char *name, long iters)
{
	open_read_close_n(name, iters, 4096);
}

static void open_read_close_16k(const char *name, long iters)
{
	open_read_close_n(name, iters, 16 * 1024);
}

static void open_read_close_64k(const char *name, long iters)
{
	open_read_close_n(name, iters, 64 * 1024);
}

/*
 * Wall time, not instructions (run it on -smp 2 without icount): one
 * fork+exit+wait loop alone, then two at once in two processes; the
 * ratio of the two throughputs (2.0: the server serialises nothing).
 */
static void fork_pair(const char *name, long iters)
{
	long t0 = nh_clock_ns(), t1, t2;
	pid_t a = loop_in_child(iters), b;

	if (!reap(a))
		return;
	t1 = nh_clock_ns() - t0;
	t0 = nh_clock_ns();
	a = loop_in_child(iters);
	b = loop_in_child(iters);
	if (!reap(a) || !reap(b))
		return;
	t2 = nh_clock_ns() - t0;
	printf("bench %s %ld %ld.%02ld   (wall: one loop %ld ns, two loops %ld ns)\n", name, iters,
	       2 * t1 / t2, (2 * t1 * 100 / t2) % 100, t1, t2);
	run++;
}

int main(int argc, char **argv)
{
	const char *pattern = argc > 1 ? argv[1] : "*";
	static const struct {
		const char *name;
		long iters;
		size_t mib;
		void (*fn)(const char *, long);
	} simple[] = {
		{ "fork_exit_wait", 200, 0, fork_exit_wait },
		{ "fork_exec_wait", 50, 0, fork_exec_wait },
		{ "vfork_exit_wait", 200, 0, vfork_exit_wait },
		{ "getppid", 2000, 0, getppid_loop },
		{ "fork_dirty_1m", 50, 1, 0 },
		{ "fork_dirty_8m", 20, 8, 0 },
		{ "fork_dirty_64m", 5, 64, 0 },
		{ "pipe_round_trip", 1000, 0, pipe_round_trip },
		{ "pipe_throughput_64k", 100, 0, pipe_throughput },
		{ "open_read_close_4k", 500, 0, open_read_close },
		{ "open_read_close_16k", 200, 0, open_read_close_16k },
		{ "open_read_close_64k", 100, 0, open_read_close_64k },
	};

	if (!strcmp(pattern, "fork_pair_ratio"))	/* wall time: only when named */
		fork_pair(pattern, 300);
	for (unsigned i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (!glob(pattern, simple[i].name))
			continue;
		if (simple[i].fn)
			simple[i].fn(simple[i].name, simple[i].iters);
		else
			fork_dirty(simple[i].name, simple[i].iters, simple[i].mib);
	}
	printf("bench: done, %d run, %d failed\n", run, failed);
	fflush(stdout);
	nh_test_poweroff(failed != 0);
	return 0;
}
