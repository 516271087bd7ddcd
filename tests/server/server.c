/*
 * The in-tree test server: the root task of test builds.  It runs the
 * kernel self-tests (through the test-only system calls, each leak-checked
 * by the kernel) and the user-space test catalogue below (each test
 * spawning its own programs, leak-checked here with the kernel's
 * counters), and prints one KTAP stream ending "N passed, N failed", then
 * powers off with the verdict.  argv[1] is the nuthatch.test= pattern
 * (comma-separated globs).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nuthatch/errno.h>

#include "nhtest.h"
#include "nuthatch.h"
#include "parts.h"

#define MAX_KTESTS	256
#define NAME_MAX	64

struct utest {
	const char *name;
	int (*fn)(void);	/* NH_TEST_PASS or _FAIL; diagnostics as "# " lines */
};

static const char *const no_env[] = { 0 };

/* ---- helpers ------------------------------------------------------------ */

static int glob(const char *p, const char *s)
{
	if (!*p)
		return !*s;
	if (*p == '*')
		return glob(p + 1, s) || (*s && glob(p, s + 1));
	return *s && (*p == '?' || *p == *s) && glob(p + 1, s + 1);
}

static int selected(const char *patterns, const char *name)
{
	char one[NAME_MAX];

	while (*patterns) {
		size_t n = strcspn(patterns, ",");

		if (n < sizeof(one)) {
			memcpy(one, patterns, n);
			one[n] = '\0';
			if (glob(one, name))
				return 1;
		}
		patterns += n + (patterns[n] == ',');
	}
	return 0;
}

/* Spawn @path with @argv, wait and close its handle; fills @e.  Returns
 * the first error or 0. */
static long run(const char *path, const char *const argv[],
		const char *const envp[], struct nh_exit *e)
{
	long h = ts_spawn(path, argv, envp ? envp : no_env), r, c;

	if (h < 0)
		return h;
	r = nh_task_wait(h, e);
	c = nh_handle_close(h);
	return r ? r : c;
}

/* Run @path with @argv and expect it to end normally with 0; 1 if it
 * did (else the failing step, its exit code, is reported). */
static int runs_clean(const char *path, const char *const argv[])
{
	struct nh_exit e = { 0 };
	long r = run(path, argv, 0, &e);

	if (!r && e.reason == NH_EXIT_NORMAL && e.code == 0)
		return 1;
	printf("# %s %s: spawn %ld, exit reason %d, code (failed step) %ld\n", path,
	       argv[1] ? argv[1] : "", r, (int)e.reason, (long)e.code);
	return 0;
}

int wait_state(long t, uint32_t state)
{
	struct nh_task_info info;

	for (int i = 0; i < 20000; i++) {
		if (nh_task_info(t, &info) == 0 && info.state == state)
			return 1;
		nh_sleep_ns(100000);
	}
	return 0;
}

int expect(int ok, const char *what)
{
	if (!ok)
		printf("# expected: %s\n", what);
	return ok;
}

/* ---- the user-space catalogue ------------------------------------------ */

static int returns_status_from_main(void)
{
	const char *const argv[] = { "hello", "one", "two", 0 };
	struct nh_exit e;
	int ok = 1;

	EXPECT(run("/bin/hello", argv, 0, &e) == 0);
	EXPECT(e.code == 7 && e.reason == NH_EXIT_NORMAL);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

#define ARGS_MAX	4096	/* execve's strings: one IPC buffer (lib/posix) */

static char strings[24][600];

/* argv/envp entry i: "<i>:" then @len letters 'a' + i % 26. */
static const char *make_arg(int slot, int i, int len)
{
	int n = snprintf(strings[slot], sizeof(strings[slot]), "%d:", i);

	memset(strings[slot] + n, 'a' + i % 26, (size_t)len);
	strings[slot][n + len] = '\0';
	return strings[slot];
}

static size_t strings_len(const char *path, char *const argv[], char *const envp[])
{
	size_t n = strlen(path) + 1;

	for (int i = 0; argv[i]; i++)
		n += strlen(argv[i]) + 1;
	for (int i = 0; envp[i]; i++)
		n += strlen(envp[i]) + 1;
	return n;
}

/* execve's limit exactly (the path and every string, each NUL-ended, in
 * 4,096 bytes): the program gets them intact; one byte more is E2BIG,
 * and the caller runs on. */
static int argv_envp_intact_at_limits(void)
{
	static const char path[] = "/bin/argcheck";
	char *argv[10], *envp[3];
	int ok = 1, i, status = -1;
	size_t used;
	pid_t pid;

	argv[0] = "argcheck";
	for (i = 1; i <= 6; i++)
		argv[i] = (char *)make_arg(i, i, 500);
	argv[7] = (char *)make_arg(7, 7, 0);
	argv[8] = 0;
	envp[0] = (char *)make_arg(20, 0, 300);
	envp[1] = (char *)make_arg(21, 1, 300);
	envp[2] = 0;
	used = strings_len(path, argv, envp);
	argv[7] = (char *)make_arg(7, 7, (int)(ARGS_MAX - used));	/* to the byte */
	EXPECT(strings_len(path, argv, envp) == ARGS_MAX);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(99);
	}
	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0);
	argv[7] = (char *)make_arg(7, 7, (int)(ARGS_MAX - used) + 1);	/* one past */
	errno = 0;
	EXPECT(execve(path, argv, envp) == -1 && errno == E2BIG);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int faults_end_only_that_program(void)
{
	static const struct { const char *kind; unsigned long cause; } f[] = {
		{ "load", 13 }, { "store", 15 }, { "fetch", 12 }, { "illegal", 2 },
	};
	struct nh_exit e;
	int ok = 1;

	for (unsigned i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *const argv[] = { "fault", f[i].kind, 0 };

		EXPECT(run("/bin/fault", argv, 0, &e) == 0);
		EXPECT(e.reason == NH_EXIT_FAULT && e.code == -EFAULT &&
		       e.cause == f[i].cause);
	}
	{	/* QEMU emulates misaligned loads; a U74 traps them */
		const char *const argv[] = { "fault", "misaligned", 0 };

		EXPECT(run("/bin/fault", argv, 0, &e) == 0);
		EXPECT(e.reason == NH_EXIT_FAULT ? e.cause == 4 || e.cause == 5 : e.code >= 0);
	}
	{
		const char *const argv[] = { "hello", "one", "two", 0 };

		EXPECT(run("/bin/hello", argv, 0, &e) == 0 && e.code == 7);
	}
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int printf_long_and_wide(void)
{
	const char *const argv[] = { "printf", 0 };
	int ok = 1;

	EXPECT(runs_clean("/bin/printf", argv));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int bad_pointers_get_efault(void)
{
	const char *const argv[] = { "hello", 0 };
	struct nh_exit e;
	int ok = 1;

	EXPECT(nh_debug_write((void *)0, 8) == -NH_EFAULT);
	EXPECT(nh_debug_write((void *)0xffffffc000000000ul, 8) == -NH_EFAULT);
	EXPECT(nh_test_counters((void *)0x10) == -NH_EFAULT);
	EXPECT(nh_test_counters((void *)0xffffffff80000000ul) == -NH_EFAULT);
	EXPECT(nh_test_ktest_name(0, (char *)-8, 16) == -NH_EFAULT);
	EXPECT(nh_test_ktest_run((const char *)0x3ffffffff0ul, 32) == -NH_EFAULT);
	EXPECT(nh_task_create(NH_SELF_SPACE, (const struct nh_task_start *)0x10) == -NH_EFAULT);
	EXPECT(nh_task_create(NH_SELF_SPACE, (const struct nh_task_start *)0xffffffc000000000ul) ==
	       -NH_EFAULT);
	EXPECT(nh_task_wait(9999, &e) == -NH_EBADF);
	EXPECT(nh_task_wait(NH_SELF_TASK, &e) == -NH_EDEADLK);
	EXPECT(nh_test_ktest_run("NO_SUCH_TEST", 12) == -NH_ENOENT);
	EXPECT(ts_spawn("/bin/nonesuch", argv, no_env) == -NH_ENOENT);
	EXPECT(ts_spawn("/bin/corrupt", argv, no_env) == -NH_ENOEXEC);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static volatile long shared_counter, self_wait_result, pseudo_wait_result,
	my_handle, self_waited;
static char thread_stacks[2][4096] __attribute__((aligned(16)));

/* Runs as a thread of the server: no libc (its tp is not set up). */
static void thread_main(long arg)
{
	for (long i = 0; i < arg; i++)
		__atomic_fetch_add(&shared_counter, 1, __ATOMIC_RELAXED);
	if (arg % 2 == 0) {	/* waiting for itself must not hang */
		while (!__atomic_load_n(&my_handle, __ATOMIC_ACQUIRE))
			nh_yield();
		/* my_handle: installed in its own table, naming itself */
		self_wait_result = nh_task_wait(my_handle, (struct nh_exit *)0);
		pseudo_wait_result = nh_task_wait(NH_SELF_TASK, (struct nh_exit *)0);
		__atomic_store_n(&self_waited, 1, __ATOMIC_RELEASE);
	}
	nh_exit(40 + (int)arg % 2);
}

static int threads_share_memory(void)
{
	struct nh_exit e;
	long h[2];
	int ok = 1;

	shared_counter = 0;
	my_handle = 0;
	self_waited = 0;
	h[0] = ts_thread(thread_main, thread_stacks[0] + 4096, 1000);
	h[1] = ts_thread(thread_main, thread_stacks[1] + 4096, 1001);
	EXPECT(h[0] > 0 && h[1] > 0);
	/* a thread has its own table: give it a handle to itself */
	__atomic_store_n(&my_handle, h[0] > 0 ? nh_handle_install(h[0], h[0], NH_RIGHT_READ) : 0,
			 __ATOMIC_RELEASE);
	EXPECT(my_handle > 0);
	EXPECT(h[1] > 0 && nh_task_wait(h[1], &e) == 0 && e.code == 41);
	while (h[0] > 0 && my_handle > 0 && !__atomic_load_n(&self_waited, __ATOMIC_ACQUIRE))
		nh_yield();	/* let it try to wait for itself first */
	EXPECT(h[0] > 0 && nh_task_wait(h[0], &e) == 0 && e.code == 40);
	EXPECT(shared_counter == 2001);
	EXPECT(self_wait_result == -NH_EDEADLK);
	EXPECT(pseudo_wait_result == -NH_EDEADLK);
	EXPECT(nh_handle_close(h[0]) == 0 && nh_handle_close(h[1]) == 0);
	EXPECT(ts_thread(thread_main, thread_stacks[0] + 8, 1) == -NH_EINVAL);
	EXPECT(ts_thread((void (*)(long))0, thread_stacks[0] + 4096, 1) ==
	       -NH_EINVAL);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static volatile long share_m, share_m2, share_info, share_close, share_go;

/* A thread sharing the server's handle table: sees its handles, makes
 * one the creator sees, closes one of the creator's.  No libc. */
static void sharer_main(long arg)
{
	struct nh_handle_info info;

	(void)arg;
	share_info = nh_handle_info(share_m, &info);
	share_close = nh_handle_close(share_m);
	__atomic_store_n(&share_m2, nh_memobj_create(4096), __ATOMIC_RELEASE);
	while (!__atomic_load_n(&share_go, __ATOMIC_ACQUIRE))
		nh_yield();
	nh_exit(7);
}

static int threads_share_a_handle_table(void)
{
	struct nh_task_start st = { .pc = (uint64_t)sharer_main,
		.sp = (uint64_t)(thread_stacks[0] + 4096), .name = "sharer",
		.flags = NH_START_SHARE_HANDLES };
	struct nh_handle_info info;
	struct nh_exit e;
	long h, m;
	int ok = 1;

	share_m2 = share_go = 0;
	share_info = share_close = 1;
	share_m = nh_memobj_create(4096);
	EXPECT(share_m > 0);
	h = nh_task_create(NH_SELF_SPACE, &st);
	EXPECT(h > 0);
	if (h <= 0)
		return NH_TEST_FAIL;
	while (!__atomic_load_n(&share_m2, __ATOMIC_ACQUIRE))
		nh_yield();
	EXPECT(share_info == 0 && share_close == 0);	/* ours, seen and closed there */
	EXPECT(nh_handle_info(share_m, &info) == -NH_EBADF);
	EXPECT(share_m2 > 0 && nh_handle_info(share_m2, &info) == 0 &&
	       info.type == NH_OBJ_MEMOBJ);		/* its, seen here */
	EXPECT(nh_handle_close(share_m2) == 0);
	__atomic_store_n(&share_go, 1, __ATOMIC_RELEASE);
	EXPECT(nh_task_wait(h, &e) == 0 && e.code == 7);
	/* its exit left the table open: it was not the last user */
	m = nh_memobj_create(4096);
	EXPECT(m > 0 && nh_handle_close(m) == 0);
	EXPECT(nh_handle_close(h) == 0);
	st.flags = NH_START_SHARE_HANDLES | 8;		/* an unknown flag */
	EXPECT(nh_task_create(NH_SELF_SPACE, &st) == -NH_EINVAL);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* The newc header field @i (8 hex digits) of the entry at @h. */
static uint64_t cpio_field(const char *h, int i)
{
	uint64_t v = 0;

	for (int k = 0; k < 8; k++) {
		char c = h[6 + 8 * i + k];

		v = v * 16 + (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

/* Where @path's data lies in the archive at @a (@len bytes), or 0. */
static const char *archive_find(const char *a, uint64_t len, const char *path,
				uint64_t *size)
{
	for (uint64_t off = 0; off + 110 <= len; ) {
		const char *h = a + off;
		uint64_t namesize = cpio_field(h, 11), filesize = cpio_field(h, 6);
		uint64_t data = (off + 110 + namesize + 3) & ~3ull;

		if (memcmp(h, "070701", 6) || data > len)
			return 0;
		if (!strcmp(h + 110, "TRAILER!!!"))
			return 0;
		if (!strcmp(h + 110, path)) {
			*size = filesize;
			return a + data;
		}
		off = (data + filesize + 3) & ~3ull;
	}
	return 0;
}

/* initrd_archive: the whole archive as one read-only object, its exact
 * length; a file in it has the bytes initrd_open gives; it cannot be
 * mapped writable shared; a wild pointer gets EFAULT and no handle. */
static int initrd_archive_maps_the_whole_archive(void)
{
	uint64_t len = 0, size = 0;
	long h = nh_initrd_archive(&len), f = nh_initrd_open("/bin/hello");
	struct nh_handle_info info;
	const char *a = 0, *file = 0, *copy = 0;
	int ok = 1;

	EXPECT(h > 0 && f > 0 && len > 110 && len % 4 == 0);
	if (h <= 0 || f <= 0)
		return NH_TEST_FAIL;
	EXPECT(nh_handle_info(h, &info) == 0 && info.type == NH_OBJ_MEMOBJ &&
	       info.size == ((len + 4095) & ~4095ull) &&
	       info.rights == (NH_RIGHT_READ | NH_RIGHT_MAP | NH_RIGHT_GRANT));
	a = nh_mmap_object(0, len, PROT_READ, MAP_SHARED, h, 0);
	EXPECT(a != MAP_FAILED);
	if (a != MAP_FAILED) {
		EXPECT(!memcmp(a, "070701", 6));	/* the first entry's header */
		file = archive_find(a, len, "bin/hello", &size);
		EXPECT(file && size > 0);
		copy = nh_mmap_object(0, size, PROT_READ, MAP_SHARED, f, 0);
		EXPECT(copy != MAP_FAILED && file && !memcmp(file, copy, size));
		if (copy != MAP_FAILED)
			munmap((void *)copy, size);
		munmap((void *)a, len);
	}
	EXPECT(nh_mmap_object(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, h, 0) == MAP_FAILED);
	EXPECT(nh_initrd_archive((uint64_t *)8) == -NH_EFAULT);
	EXPECT(nh_handle_close(h) == 0 && nh_handle_close(f) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static long frames_free(void)
{
	struct nh_counters c;

	return nh_test_counters(&c) ? -1 : (long)c.free_frames;
}

/* memobj_read, memobj_write, memobj_punch: bytes across a page edge,
 * holes read as zeros and make no frame, punch drops whole pages and
 * zeroes the ends; bad offsets, wild pointers, missing rights, the
 * wrong kind of handle and a read-only object are refused. */
static int memobj_copies_without_a_mapping(void)
{
	long o = nh_memobj_create(64 * 1024), ro, arch;
	uint64_t len = 0;
	long f0 = frames_free(), f1;
	char buf[16] = { 0 };
	int ok = 1;

	EXPECT(o > 0 && nh_memobj_write(o, 4093, "hello", 5) == 0);	/* across a page edge */
	f1 = frames_free();
	EXPECT(f0 - f1 == 4);	/* the object's directory, a table, two pages */
	EXPECT(nh_memobj_read(o, 4093, buf, 5) == 0 && !memcmp(buf, "hello", 5));
	memset(buf, 1, sizeof(buf));
	EXPECT(nh_memobj_read(o, 20000, buf, 16) == 0 && !memcmp(buf, (char[16]){ 0 }, 16));
	EXPECT(frames_free() == f1);	/* a hole stays one */
	EXPECT(nh_memobj_punch(o, 4096, 4096) == 0 && frames_free() == f1 + 1);
	EXPECT(nh_memobj_read(o, 4093, buf, 5) == 0 && !memcmp(buf, "hel\0\0", 5));
	EXPECT(nh_memobj_punch(o, 0, 4094) == 0 && frames_free() == f1 + 1);	/* a part: zeroed */
	EXPECT(nh_memobj_read(o, 4093, buf, 5) == 0 && !memcmp(buf, "\0el\0\0", 5));
	EXPECT(nh_memobj_write(o, 0, buf, 0) == 0 && nh_memobj_read(o, 0, buf, 0) == 0);
	/* bad input */
	EXPECT(nh_memobj_write(o, 64 * 1024, "x", 1) == -NH_EINVAL);	/* past the end */
	EXPECT(nh_memobj_read(o, 64 * 1024 - 1, buf, 2) == -NH_EINVAL);
	EXPECT(nh_memobj_read(o, ~0ull, buf, 2) == -NH_EINVAL);	/* wraps */
	EXPECT(nh_memobj_punch(o, 64 * 1024 + 4096, 1) == -NH_EINVAL);
	EXPECT(nh_memobj_write(o, 0, (void *)0x10, 8) == -NH_EFAULT);
	EXPECT(nh_memobj_read(o, 0, (void *)0xffffffff80000000ul, 8) == -NH_EFAULT);
	ro = nh_handle_dup(o, NH_RIGHT_READ);
	EXPECT(ro > 0 && nh_memobj_write(ro, 0, "x", 1) == -NH_EACCES &&
	       nh_memobj_punch(ro, 0, 4096) == -NH_EACCES && nh_memobj_read(ro, 4093, buf, 1) == 0);
	EXPECT(nh_memobj_read(1, 0, buf, 1) == -NH_EBADF);	/* the process server's endpoint */
	EXPECT(nh_memobj_read(99999, 0, buf, 1) == -NH_EBADF);
	arch = nh_initrd_archive(&len);
	EXPECT(arch > 0 && nh_memobj_read(arch, 0, buf, 6) == 0 && !memcmp(buf, "070701", 6));
	EXPECT(nh_memobj_write(arch, 0, "x", 1) == -NH_EACCES);	/* read-only */
	nh_handle_close(arch);
	nh_handle_close(ro);
	EXPECT(nh_handle_close(o) == 0 && frames_free() == f0);	/* every page back */
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int heap_grows_shrinks_and_regrows(void)
{
	const char *const argv[] = { "heap", 0 };
	int ok = 1;

	EXPECT(runs_clean("/bin/heap", argv));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* ---- handles ---- */

static const char *const hello_argv[] = { "hello", "one", "two", 0 };

static int handle_bad_stale_and_pseudo(void)
{
	struct nh_handle_info info = { 0 };
	struct nh_exit e = { 0 };
	long h, h2, d;
	int ok = 1;

	EXPECT(nh_handle_close(12345) == -NH_EBADF);	/* never existed */
	EXPECT(nh_handle_close(0) == -NH_EBADF);
	EXPECT(nh_handle_close(-1) == -NH_EBADF);
	EXPECT(nh_handle_info(1l << 40, &info) == -NH_EBADF);
	EXPECT(nh_handle_dup(0x7ffffffd, NH_RIGHT_READ) == -NH_EBADF);
	EXPECT(nh_task_wait(NH_SELF_SPACE, &e) == -NH_EBADF);	/* not a task */
	h = ts_spawn("/bin/hello", hello_argv, no_env);
	EXPECT(h > 0 && h < NH_SELF_TASK);
	EXPECT(nh_handle_info(h, &info) == 0 && info.type == NH_OBJ_TASK &&
	       info.rights == (NH_RIGHT_READ | NH_RIGHT_CONTROL | NH_RIGHT_GRANT) &&
	       info.size == 0);
	EXPECT(nh_handle_info(h, (struct nh_handle_info *)0x10) == -NH_EFAULT);
	EXPECT(nh_task_wait(h, &e) == 0 && e.code == 7);
	EXPECT(nh_handle_close(h) == 0);
	EXPECT(nh_handle_close(h) == -NH_EBADF);	/* stale */
	EXPECT(nh_handle_info(h, &info) == -NH_EBADF);
	EXPECT(nh_task_wait(h, &e) == -NH_EBADF);
	h2 = ts_spawn("/bin/hello", hello_argv, no_env);	/* reuses the slot */
	EXPECT(h2 > 0 && h2 != h);
	EXPECT(nh_task_wait(h, &e) == -NH_EBADF);	/* still stale */
	EXPECT(nh_handle_dup(h, NH_RIGHT_READ) == -NH_EBADF);
	EXPECT(nh_task_wait(h2, &e) == 0 && e.code == 7);
	EXPECT(nh_handle_close(h2) == 0);
	/* pseudo-handles: info and dup work, close does not */
	EXPECT(nh_handle_close(NH_SELF_TASK) == -NH_EBADF);
	EXPECT(nh_handle_close(NH_SELF_SPACE) == -NH_EBADF);
	EXPECT(nh_handle_info(NH_SELF_TASK, &info) == 0 && info.type == NH_OBJ_TASK &&
	       info.rights == NH_RIGHTS_ALL);
	d = nh_handle_dup(NH_SELF_TASK, NH_RIGHT_READ);
	EXPECT(d > 0 && d < NH_SELF_TASK);
	EXPECT(nh_handle_info(d, &info) == 0 && info.rights == NH_RIGHT_READ);
	EXPECT(nh_task_wait(d, &e) == -NH_EDEADLK);
	EXPECT(nh_handle_close(d) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int handle_rights_only_shrink(void)
{
	struct nh_exit e = { 0 };
	long h = ts_spawn("/bin/hello", hello_argv, no_env), r, g, w;
	int ok = 1;

	EXPECT(h > 0);
	r = nh_handle_dup(h, NH_RIGHT_READ);
	g = nh_handle_dup(h, NH_RIGHT_GRANT);
	EXPECT(r > 0 && g > 0);
	EXPECT(nh_handle_dup(r, NH_RIGHT_READ) == -NH_EACCES);	/* no GRANT */
	EXPECT(nh_handle_dup(h, NH_RIGHTS_ALL) == -NH_EACCES);	/* widened */
	EXPECT(nh_handle_dup(g, NH_RIGHT_READ | NH_RIGHT_GRANT) == -NH_EACCES);
	EXPECT(nh_handle_dup(h, 0x100) == -NH_EACCES);	/* no such right */
	EXPECT(nh_handle_install(r, h, NH_RIGHT_READ) == -NH_EACCES);	/* no CONTROL */
	EXPECT(nh_handle_install(h, r, NH_RIGHT_READ) == -NH_EACCES);	/* no GRANT */
	EXPECT(nh_handle_install(NH_SELF_TASK, h, NH_RIGHTS_ALL) == -NH_EACCES);
	w = nh_handle_install(NH_SELF_TASK, g, 0);	/* into its own table */
	EXPECT(w > 0);
	EXPECT(nh_task_wait(g, &e) == -NH_EACCES);	/* waiting needs READ */
	EXPECT(nh_task_wait(r, &e) == 0 && e.code == 7);
	EXPECT(nh_task_wait(r, &e) == 0 && e.code == 7);	/* again, at once */
	EXPECT(nh_handle_close(h) == 0 && nh_handle_close(r) == 0);
	EXPECT(nh_handle_close(g) == 0 && nh_handle_close(w) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* A program fills its own table (64 Ki slots, growing a frame per
 * chunk); everything it holds goes back when it ends (the runner's leak
 * check counts the frames). */
static int handle_table_full(void)
{
	const char *const argv[] = { "handlefill", 0 };
	struct nh_counters before, after;
	struct nh_exit e = { 0 };
	long c;
	int ok = 1;

	nh_test_counters(&before);
	c = ts_spawn("/bin/handlefill", argv, no_env);
	EXPECT(c > 0 && nh_task_wait(c, &e) == 0);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 0);
	if (e.code)
		printf("# handlefill: check %ld failed\n", (long)e.code);
	EXPECT(nh_handle_close(c) == 0);
	nh_test_counters(&after);
	EXPECT(after.handles == before.handles);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int handle_close_frees_dead_task(void)
{
	struct nh_counters c0, c;
	struct nh_exit e = { 0 };
	long h, d;
	int ok = 1;

	nh_test_counters(&c0);
	h = ts_spawn("/bin/hello", hello_argv, no_env);
	EXPECT(h > 0 && nh_task_wait(h, &e) == 0 && e.code == 7);
	d = nh_handle_dup(h, NH_RIGHT_READ);
	EXPECT(d > 0);
	nh_test_counters(&c);
	EXPECT(c.tasks == c0.tasks + 1);	/* dead, held by two handles */
	EXPECT(nh_handle_close(h) == 0);
	nh_test_counters(&c);
	EXPECT(c.tasks == c0.tasks + 1);	/* still held by d */
	EXPECT(nh_task_wait(d, &e) == 0 && e.code == 7);
	EXPECT(nh_handle_close(d) == 0);
	nh_test_counters(&c);
	EXPECT(c.tasks == c0.tasks && c.handles == c0.handles);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int handle_install_into_child(void)
{
	const char *const helper[] = { "handles", 0 };
	struct nh_exit e = { 0 };
	long h = ts_spawn("/bin/hello", hello_argv, no_env);
	long c = ts_spawn("/bin/handles", helper, no_env);
	long r = c > 0 ? nh_handle_dup(c, NH_RIGHT_READ | NH_RIGHT_GRANT) : -1;
	long sr = nh_handle_dup(NH_SELF_SPACE, NH_RIGHT_READ);
	int ok = 1;

	EXPECT(h > 0 && c > 0 && r > 0);
	EXPECT(nh_handle_install(c, h, NH_RIGHTS_ALL) == -NH_EACCES);	/* widened */
	EXPECT(nh_handle_install(r, h, NH_RIGHT_READ) == -NH_EACCES);	/* no CONTROL */
	EXPECT(sr > 0 && nh_handle_install(c, sr, NH_RIGHT_READ) == -NH_EACCES);	/* no GRANT */
	/* its table was empty: 1, then 2 (handle.h's encoding) */
	EXPECT(nh_handle_install(c, c, NH_RIGHT_READ) == 1);	/* itself */
	EXPECT(nh_handle_install(c, h, NH_RIGHT_READ) == 2);
	EXPECT(nh_task_wait(c, &e) == 0 && e.reason == NH_EXIT_NORMAL && e.code == 0);
	if (e.code)
		printf("# handles: check %ld failed\n", (long)e.code);
	EXPECT(nh_handle_install(c, h, NH_RIGHT_READ) == -NH_ESRCH);	/* it is dead */
	EXPECT(nh_task_wait(h, &e) == 0 && e.code == 7);
	EXPECT(nh_handle_close(h) == 0 && nh_handle_close(c) == 0 &&
	       nh_handle_close(r) == 0 && nh_handle_close(sr) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}


/* ---- address spaces and memory objects ---------------------------------- */

#define FIXED_VA	0x2000000000ul
#define PAGE		4096

static int mappings_from_a_program(void)
{
	const char *const maps[] = { "mem", "maps", 0 };
	const char *const unmapped[] = { "mem", "unmapped", 0 };
	const char *const readonly[] = { "mem", "readonly", 0 };
	const char *const limit[] = { "mem", "limit", 0 };
	struct nh_exit e;
	int ok = 1;

	EXPECT(runs_clean("/bin/mem", maps));
	EXPECT(run("/bin/mem", unmapped, 0, &e) == 0);
	EXPECT(e.reason == NH_EXIT_FAULT && e.cause == 15 && e.addr == FIXED_VA);
	EXPECT(run("/bin/mem", readonly, 0, &e) == 0);
	EXPECT(e.reason == NH_EXIT_FAULT && e.cause == 15 && e.addr == FIXED_VA);
	EXPECT(run("/bin/mem", limit, 0, &e) == 0);
	EXPECT(e.reason == NH_EXIT_OOM && e.code == -ENOMEM && e.cause == 15);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/*
 * Clone our own space: the clone sees the data as it was, our writes after
 * the clone stay ours and its writes stay its own; a shared mapping stays
 * shared.
 */
static int clone_cow_private_and_shared(void)
{
	char *priv = mmap(0, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *shr = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char buf[8] = { 0 };
	struct nh_region r;
	long c;
	int ok = 1;

	EXPECT(priv != MAP_FAILED && shr != MAP_FAILED);
	if (priv == MAP_FAILED || shr == MAP_FAILED)
		return NH_TEST_FAIL;
	strcpy(priv + 3 * PAGE, "before");
	strcpy(shr, "shared");
	c = nh_space_clone(NH_SELF_SPACE);
	EXPECT(c > 0);
	strcpy(priv + 3 * PAGE, "after!");	/* a COW break on our side */
	EXPECT(nh_space_read(c, (uintptr_t)priv + 3 * PAGE, buf, 7) == 0 && !strcmp(buf, "before"));
	EXPECT(nh_space_write(c, (uintptr_t)priv + 5 * PAGE, "theirs", 7) == 0);
	EXPECT(priv[5 * PAGE] == 0);		/* theirs stays theirs */
	EXPECT(nh_space_write(c, (uintptr_t)shr + 8, "both", 5) == 0);
	EXPECT(!strcmp(shr + 8, "both"));	/* shared stays shared */
	EXPECT(nh_space_query(c, (uintptr_t)shr, &r) == 0 && r.kind == NH_REGION_SHARED &&
	       r.start == (uintptr_t)shr && r.end == (uintptr_t)shr + 2 * PAGE);
	EXPECT(nh_space_query(c, (uintptr_t)priv, &r) == 0 && r.kind == NH_REGION_ANON &&
	       r.resident == 2);
	EXPECT(nh_handle_close(c) == 0);
	EXPECT(munmap(priv, 8 * PAGE) == 0 && munmap(shr, 2 * PAGE) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int space_calls_check_rights(void)
{
	long ro = nh_handle_dup(NH_SELF_SPACE, NH_RIGHT_READ), tsk = nh_handle_dup(NH_SELF_TASK, NH_RIGHT_READ);
	long obj = nh_initrd_open("/bin/hello"), sp = nh_space_create(), stale;
	struct nh_handle_info info;
	uint32_t magic = 0;
	long va;
	int ok = 1;

	EXPECT(ro > 0 && tsk > 0 && obj > 0 && sp > 0);
	EXPECT(nh_map(ro, 0, PAGE, NH_PROT_READ, 0, 0, 0) == -EACCES);
	EXPECT(nh_space_write(ro, (uintptr_t)&magic, "x", 1) == -EACCES);
	EXPECT(nh_space_read(ro, (uintptr_t)&magic, &magic, 4) == 0);
	EXPECT(nh_space_limit(ro, 1) == -EACCES);
	EXPECT(nh_map(tsk, 0, PAGE, NH_PROT_READ, 0, 0, 0) == -EBADF);	/* a task */
	EXPECT(nh_map(obj, 0, PAGE, NH_PROT_READ, 0, 0, 0) == -EBADF);	/* an object */
	EXPECT(nh_map(sp, 0, PAGE, NH_PROT_READ, 0, tsk, 0) == -EBADF);
	EXPECT(nh_handle_info(obj, &info) == 0 && info.type == NH_OBJ_MEMOBJ &&
	       !(info.rights & NH_RIGHT_WRITE) && info.size >= PAGE);
	/* the file's bytes, mapped privately into the new space, read back */
	va = nh_map(sp, 0, PAGE, NH_PROT_READ, 0, obj, 0);
	EXPECT(va > 0 && nh_space_read(sp, va, &magic, 4) == 0 && magic == 0x464c457f);
	EXPECT(nh_map(sp, 0, PAGE, NH_PROT_READ | NH_PROT_WRITE, NH_MAP_SHARED, obj, 0) == -EACCES);
	EXPECT(nh_map(sp, 0, PAGE, NH_PROT_READ, 0, obj, info.size + PAGE) == -EINVAL);
	{	/* protect never gives more than the mapper's rights allowed */
		long mo = nh_memobj_create(PAGE), mro = mo > 0 ? nh_handle_dup(mo, NH_RIGHT_READ | NH_RIGHT_MAP) : -1;
		long v1 = nh_map(sp, 0, PAGE, NH_PROT_READ, NH_MAP_SHARED, mro, 0);
		long v2 = nh_map(sp, 0, PAGE, NH_PROT_READ, NH_MAP_SHARED, mo, 0);

		EXPECT(v1 > 0 && nh_space_protect(sp, v1, PAGE, NH_PROT_READ | NH_PROT_WRITE) == -EACCES);
		EXPECT(v2 > 0 && nh_space_protect(sp, v2, PAGE, NH_PROT_READ | NH_PROT_WRITE) == 0);
		EXPECT(nh_handle_close(mo) == 0 && nh_handle_close(mro) == 0);
	}
	stale = sp;
	EXPECT(nh_handle_close(sp) == 0);
	EXPECT(nh_map(stale, 0, PAGE, NH_PROT_READ, 0, 0, 0) == -EBADF);
	EXPECT(nh_handle_close(ro) == 0 && nh_handle_close(tsk) == 0 && nh_handle_close(obj) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* A system call made by hand: a7 = @n, a0..a2 as given, whatever the C
 * calling convention would have done with them. */
static long raw_call3(long n, uint64_t a0, uint64_t a1, uint64_t a2)
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r2 __asm__("a2") = a2;
	register long r7 __asm__("a7") = n;

	__asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
	return (long)r0;
}

/* The typed ABI: a 32-bit argument that is not sign-extended (a register
 * no C caller could have produced) is refused before the handler runs;
 * the same value sign-extended goes through. */
static int syscalls_refuse_unextended_32_bit_arguments(void)
{
	long h;
	int ok = 1;

	EXPECT(raw_call3(SYS_handle_dup, NH_SELF_TASK, 1ull << 32 | NH_RIGHT_READ, 0) == -EINVAL);
	EXPECT(raw_call3(SYS_handle_dup, NH_SELF_TASK, 0xffffffffull, 0) == -EINVAL);
	EXPECT(raw_call3(SYS_handle_dup, NH_SELF_TASK, ~0ull, 0) == -EACCES);	/* -1: every right */
	h = raw_call3(SYS_handle_dup, NH_SELF_TASK, NH_RIGHT_READ, 0);
	EXPECT(h > 0 && nh_handle_close(h) == 0);
	EXPECT(raw_call3(SYS_irq_bind, 1ull << 32 | 1, 0, 0) == -EINVAL);
	EXPECT(raw_call3(SYS_futex_wake, (uintptr_t)&ok, 1ull << 40, 0) == -EINVAL);
	EXPECT(raw_call3(SYS_futex_wake, (uintptr_t)&ok, 1, 0) == 0);	/* nobody waits */
	EXPECT(raw_call3(SYS_exit, 1ull << 32, 0, 0) == -EINVAL);	/* and it lives on */
	EXPECT(raw_call3(SYS_COUNT, 0, 0, 0) == -ENOSYS && raw_call3(-1, 0, 0, 0) == -ENOSYS);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int space_calls_refuse_hostile_arguments(void)
{
	long sp = nh_space_create(), va;
	char name[200];
	int ok = 1;

	EXPECT(sp > 0);
	va = nh_map(sp, 0x10000000, 4 * PAGE, NH_PROT_READ, NH_MAP_FIXED, 0, 0);
	EXPECT(va == 0x10000000);
	EXPECT(nh_map(sp, 0x10001000, PAGE, NH_PROT_READ, NH_MAP_FIXED, 0, 0) == -EEXIST);
	EXPECT(nh_map(sp, 0x10100001, PAGE, NH_PROT_READ, NH_MAP_FIXED, 0, 0) == -EINVAL);
	EXPECT(nh_map(sp, 0xfffffffffffff000ul, 2 * PAGE, NH_PROT_READ, NH_MAP_FIXED, 0, 0) == -EINVAL);
	EXPECT(nh_map(sp, 0xffffffc000000000ul, PAGE, NH_PROT_READ, NH_MAP_FIXED, 0, 0) == -EINVAL);
	EXPECT(nh_map(sp, 0, 0, NH_PROT_READ, 0, 0, 0) == -EINVAL);
	EXPECT(nh_map(sp, 0, PAGE, 1ul << 20, 0, 0, 0) == -EINVAL);
	EXPECT(nh_map(sp, 0, PAGE, NH_PROT_WRITE | NH_PROT_EXEC, 0, 0, 0) == -EINVAL);
	EXPECT(nh_map(sp, 0, 1ul << 62, NH_PROT_READ, 0, 0, 0) == -ENOMEM);
	EXPECT(nh_map(sp, 0, PAGE, NH_PROT_READ, 0x100, 0, 0) == -EINVAL);	/* kernel-only flag */
	EXPECT(nh_space_map(sp, (const struct nh_map *)0) == -EFAULT);
	EXPECT(nh_space_map(sp, (const struct nh_map *)0xffffffc000000000ul) == -EFAULT);
	EXPECT(nh_space_unmap(sp, 0x10000000, 0) == -EINVAL);
	EXPECT(nh_space_unmap(sp, 0xfffffffffffff000ul, 2 * PAGE) == -EINVAL);
	EXPECT(nh_space_protect(sp, 0x10000000, 8 * PAGE, NH_PROT_READ) == -ENOMEM);
	EXPECT(nh_space_protect(sp, 0x10000000, PAGE, 0x1000) == -EINVAL);
	EXPECT(nh_space_query(sp, 0x10000000, (void *)0xffffffff80000000ul) == -EFAULT);
	EXPECT(nh_space_read(sp, 0x10000000, 0, 8) == -EFAULT);
	EXPECT(nh_space_read(sp, 0x10000000, name, 1ul << 40) == -EFAULT);
	EXPECT(nh_space_read(sp, 0x20000000, name, 8) == -EFAULT);	/* unmapped */
	EXPECT(nh_space_write(sp, 0x10000000, name, 8) == -EFAULT);	/* read-only */
	EXPECT(nh_initrd_open((const char *)0x10) == -EFAULT);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	EXPECT(nh_initrd_open(name) == -ENAMETOOLONG);
	EXPECT(nh_initrd_open("/bin/none") == -ENOENT);
	EXPECT(nh_memobj_create(0) == -EINVAL && nh_memobj_create(1ul << 40) == -EINVAL);
	EXPECT(nh_space_clone(123456) == -EBADF);
	EXPECT(nh_handle_close(sp) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}


/* ---- task control through handles --------------------------------------- */

static volatile long forked_value = 5;
char child_stack[8192] __attribute__((aligned(16)));

/* Runs in a clone of our space: its own copy of forked_value. */
static void child_add(long arg)
{
	forked_value += arg;
	nh_exit((int)forked_value);
}

static void child_spin(long arg)
{
	(void)arg;
	for (;;)
		forked_value++;
}

static void child_exit_42(long arg)
{
	(void)arg;
	nh_exit(42);
}

long tp_now(void)
{
	long tp;

	__asm__ volatile("mv %0, tp" : "=r"(tp));
	return tp;
}

/* A task in a fresh clone of our space, running @fn(@a0). */
long fork_like(void (*fn)(long), long a0, uint32_t flags)
{
	struct nh_task_start st = { .pc = (uintptr_t)fn, .a0 = (uint64_t)a0,
		.sp = (uintptr_t)child_stack + sizeof(child_stack),
		.tp = (uint64_t)tp_now(), .sched = { .cls = NH_SCHED_FAIR },
		.flags = flags, .name = "child" };
	long c = nh_space_clone(NH_SELF_SPACE), t;

	if (c < 0)
		return c;
	t = nh_task_create(c, &st);
	nh_handle_close(c);	/* the task keeps the space */
	return t;
}

static int fork_like_clone_and_task_create(void)
{
	struct nh_task_info info;
	struct nh_exit e;
	long t = fork_like(child_add, 100, 0);
	int ok = 1;

	EXPECT(t > 0);
	EXPECT(nh_task_wait(t, &e) == 0 && e.reason == NH_EXIT_NORMAL && e.code == 105);
	EXPECT(forked_value == 5);	/* its write was its own */
	EXPECT(nh_task_info(t, &info) == 0 && info.state == NH_TASK_DEAD);
	EXPECT(nh_handle_close(t) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int task_calls_suspend_regs_kill(void)
{
	struct nh_regs r;
	struct nh_sched p;
	struct nh_task_info info;
	struct nh_exit e;
	long t = fork_like(child_spin, 0, NH_START_SUSPENDED), ro;
	int ok = 1;

	EXPECT(t > 0);
	ro = nh_handle_dup(t, NH_RIGHT_READ);
	EXPECT(nh_task_regs_get(t, &r) == 0 && r.x[0] == (uintptr_t)child_spin);
	EXPECT(nh_task_info(t, &info) == 0 && info.state == NH_TASK_STOPPED &&
	       info.resident_pages > 0);
	EXPECT(nh_task_resume(ro) == -EACCES && nh_task_kill(ro) == -EACCES &&
	       nh_task_regs_set(ro, &r) == -EACCES);
	EXPECT(nh_task_resume(t) == 0);
	EXPECT(nh_task_regs_get(t, &r) == -EBUSY || r.x[0] == (uintptr_t)child_spin);
	EXPECT(nh_task_suspend(t) == 0);
	EXPECT(nh_task_regs_get(t, &r) == 0 && r.x[0] >= (uintptr_t)child_spin &&
	       r.x[0] < (uintptr_t)child_spin + 64);	/* inside its loop */
	r.x[0] = (uintptr_t)child_exit_42;
	EXPECT(nh_task_regs_set(t, &r) == 0);
	r.x[0] = 0xffffffff80000000ul;
	EXPECT(nh_task_regs_set(t, &r) == -EINVAL);
	EXPECT(nh_task_sched_get(t, &p) == 0 && p.cls == NH_SCHED_FAIR);
	p.nice = 40;
	EXPECT(nh_task_sched_set(t, &p) == -EINVAL);
	p.nice = 5;
	EXPECT(nh_task_sched_set(t, &p) == 0);
	EXPECT(nh_task_regs_set(t, (void *)0xffffffff80000000ul) == -EFAULT);
	EXPECT(nh_task_sched_set(t, (void *)0) == -EFAULT);
	EXPECT(nh_task_regs_get(t, (void *)0xffffffff80000000ul) == -EFAULT);
	EXPECT(nh_task_resume(t) == 0);
	EXPECT(nh_task_wait(t, &e) == 0 && e.reason == NH_EXIT_NORMAL && e.code == 42);
	EXPECT(nh_handle_close(t) == 0 && nh_handle_close(ro) == 0);
	t = fork_like(child_spin, 0, 0);
	EXPECT(t > 0 && nh_task_kill(t) == 0);
	EXPECT(nh_task_wait(t, &e) == 0 && e.reason == NH_EXIT_KILLED);
	EXPECT(nh_handle_close(t) == 0);
	EXPECT(nh_task_wait(NH_SELF_TASK, &e) == -EDEADLK);
	EXPECT(nh_task_suspend(NH_SELF_TASK) == -EDEADLK);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int task_create_refuses_bad_input(void)
{
	struct nh_task_start st = { .pc = (uintptr_t)child_exit_42,
		.sp = (uintptr_t)child_stack + sizeof(child_stack) };
	long ro = nh_handle_dup(NH_SELF_SPACE, NH_RIGHT_READ | NH_RIGHT_MAP);
	int ok = 1;

	EXPECT(nh_task_create(ro, &st) == -EACCES);	/* no CONTROL */
	EXPECT(nh_task_create(NH_SELF_TASK, &st) == -EBADF);	/* not a space */
	EXPECT(nh_task_create(NH_SELF_SPACE, (void *)0x10) == -EFAULT);
	st.pc = 0xffffffff80000000ul;
	EXPECT(nh_task_create(NH_SELF_SPACE, &st) == -EINVAL);
	st.pc = (uintptr_t)child_exit_42;
	st.flags = 0x80;
	EXPECT(nh_task_create(NH_SELF_SPACE, &st) == -EINVAL);
	st.flags = 0;
	st.sched.cls = 7;
	EXPECT(nh_task_create(NH_SELF_SPACE, &st) == -EINVAL);
	EXPECT(nh_handle_close(ro) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* exec's primitive: a running task and a stopped one move to a new space. */
static int task_set_space_on_running_and_stopped(void)
{
	struct nh_exit e;
	int ok = 1;

	for (int suspended = 0; suspended < 2; suspended++) {
		long t = fork_like(child_spin, 0, suspended ? NH_START_SUSPENDED : 0);
		long s = nh_space_clone(NH_SELF_SPACE);

		EXPECT(t > 0 && s > 0);
		EXPECT(nh_task_set_space(t, s, 0xffffffff80000000ul, 0x1000) == -EINVAL);
		EXPECT(nh_task_set_space(t, s, (uintptr_t)child_exit_42,
					 (uintptr_t)child_stack + sizeof(child_stack)) == 0);
		if (suspended)
			EXPECT(nh_task_resume(t) == 0);
		EXPECT(nh_task_wait(t, &e) == 0 && e.reason == NH_EXIT_NORMAL && e.code == 42);
		EXPECT(nh_handle_close(t) == 0 && nh_handle_close(s) == 0);
	}
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* Runs after task_set_space in a child given handles 9 (close-on-exec)
 * and 11: 40 when only 9 was closed by the switch. */
static void child_cloexec_check(long arg)
{
	struct nh_handle_info i;
	int code = 40;

	(void)arg;
	if (nh_handle_info(9, &i) != -NH_EBADF)
		code += 1;
	if (nh_handle_info(11, &i) != 0 || i.flags != 0)
		code += 2;
	nh_exit(code);
}

/* A process server's handle calls: install at a chosen number, close in
 * another task, and close-on-exec honoured by task_set_space. */
static int handles_at_numbers_close_in_and_cloexec(void)
{
	struct nh_handle_info info;
	struct nh_exit e = { 0 };
	long c = fork_like(child_spin, 0, NH_START_SUSPENDED);
	long h = nh_handle_dup(NH_SELF_TASK, NH_RIGHT_READ | NH_RIGHT_GRANT);
	long r = c > 0 ? nh_handle_dup(c, NH_RIGHT_READ | NH_RIGHT_GRANT) : -1;
	long s = nh_space_clone(NH_SELF_SPACE);
	int ok = 1;

	EXPECT(c > 0 && h > 0 && r > 0 && s > 0);
	EXPECT(nh_handle_install_at(c, h, NH_RIGHT_READ, 0, 7) == 7);
	EXPECT(nh_handle_install_at(c, h, NH_RIGHT_READ, 0, 7) == -NH_EEXIST);
	EXPECT(nh_handle_install_at(c, h, NH_RIGHTS_ALL, 0, 8) == -NH_EACCES);
	EXPECT(nh_handle_install_at(r, h, NH_RIGHT_READ, 0, 8) == -NH_EACCES);
	EXPECT(nh_handle_install_at(c, h, NH_RIGHT_READ, 0, 0) == -NH_EINVAL);
	EXPECT(nh_handle_install_at(c, h, NH_RIGHT_READ, 0, -5) == -NH_EINVAL);
	EXPECT(nh_handle_install_at(c, h, NH_RIGHT_READ, 0x200, 8) == -NH_EINVAL);
	EXPECT(nh_handle_install_at(c, 12345, NH_RIGHT_READ, 0, 8) == -NH_EBADF);
	EXPECT(nh_handle_close_in(c, 7) == 0);
	EXPECT(nh_handle_close_in(c, 7) == -NH_EBADF);
	EXPECT(nh_handle_close_in(r, 7) == -NH_EACCES);
	EXPECT(nh_handle_install_at(c, h, NH_RIGHT_READ, NH_HANDLE_CLOEXEC, 9) == 9);
	EXPECT(nh_handle_install_at(c, h, NH_RIGHT_READ, 0, 11) == 11);
	EXPECT(nh_handle_set_flags(h, NH_HANDLE_CLOEXEC) == 0);
	EXPECT(nh_handle_info(h, &info) == 0 && info.flags == NH_HANDLE_CLOEXEC);
	EXPECT(nh_handle_set_flags(h, 0x8) == -NH_EINVAL);
	EXPECT(nh_handle_set_flags(NH_SELF_TASK, NH_HANDLE_CLOEXEC) == -NH_EBADF);
	EXPECT(nh_handle_set_flags(h, 0) == 0);
	EXPECT(nh_task_set_space(c, s, (uintptr_t)child_cloexec_check,
				 (uintptr_t)child_stack + sizeof(child_stack)) == 0);
	EXPECT(nh_task_resume(c) == 0);
	EXPECT(nh_task_wait(c, &e) == 0 && e.reason == NH_EXIT_NORMAL && e.code == 40);
	EXPECT(nh_handle_close(c) == 0 && nh_handle_close(h) == 0 &&
	       nh_handle_close(r) == 0 && nh_handle_close(s) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* In a clone of our space: empty the heap, move its start, grow it.
 * 50 when every step did what exec's server needs of it. */
static void child_moves_its_heap(long arg)
{
	uint64_t base = 0x3000000000ul;
	struct nh_space_stat st;
	volatile char *p;

	(void)arg;
	if (nh_space_stat(NH_SELF_SPACE, &st) != 0 || st.brk < st.brk_start)
		nh_exit(1);
	if ((uint64_t)nh_brk(st.brk + 4096) != st.brk + 4096)	/* in use now */
		nh_exit(2);
	if (nh_space_set_brk(NH_SELF_SPACE, base) != -NH_EBUSY)
		nh_exit(3);
	if ((uint64_t)nh_brk(st.brk_start) != st.brk_start)	/* empty again */
		nh_exit(4);
	if (nh_space_set_brk(NH_SELF_SPACE, 0) != -NH_EINVAL ||
	    nh_space_set_brk(NH_SELF_SPACE, 0x3ffffff000ul) != -NH_EINVAL)
		nh_exit(5);	/* outside, or no room for the heap above it */
	if (nh_space_set_brk(NH_SELF_SPACE, base) != 0)
		nh_exit(6);
	if (nh_space_stat(NH_SELF_SPACE, &st) != 0 || st.brk_start != base ||
	    st.brk != base || (uint64_t)nh_brk(0) != base)
		nh_exit(7);
	if ((uint64_t)nh_brk(base + 8192) != base + 8192)
		nh_exit(8);
	p = (volatile char *)base;
	p[8191] = 9;
	nh_exit(p[8191] == 9 ? 50 : 9);
}

/* What a server needs to finish an exec: the heap where its image ends,
 * the task renamed, and the old image's clear-tid word forgotten. */
static int exec_support_heap_name_and_clear_tid(void)
{
	static volatile uint32_t word = 7;
	struct nh_task_info info;
	struct nh_exit e = { 0 };
	long c = fork_like(child_moves_its_heap, 0, 0);
	long r, s;
	uint32_t seen = 0;
	int ok = 1;

	EXPECT(c > 0 && nh_task_wait(c, &e) == 0 && e.code == 50);
	if (e.code != 50)
		printf("# child_moves_its_heap: step %ld\n", (long)e.code);
	EXPECT(nh_handle_close(c) == 0);
	c = fork_like(child_spin, 0, NH_START_SUSPENDED);
	r = c > 0 ? nh_handle_dup(c, NH_RIGHT_READ) : -1;
	s = nh_space_clone(NH_SELF_SPACE);
	EXPECT(c > 0 && r > 0 && s > 0);
	EXPECT(nh_space_set_brk(r, 0x3000000000ul) == -NH_EBADF);	/* a task */
	EXPECT(nh_task_set_name(c, "renamed-at-exec-time", 20) == 0);
	EXPECT(nh_task_info(c, &info) == 0 && strcmp(info.name, "renamed-at-exec") == 0);
	EXPECT(nh_task_set_name(c, "ab", 1) == 0);
	EXPECT(nh_task_info(c, &info) == 0 && strcmp(info.name, "a") == 0);
	EXPECT(nh_task_set_name(r, "x", 1) == -NH_EACCES);
	EXPECT(nh_task_set_name(c, (const char *)8, 4) == -NH_EFAULT);
	EXPECT(nh_task_info(c, &info) == 0 && strcmp(info.name, "a") == 0);
	EXPECT(nh_task_clear_tid(c, (uint32_t *)&word) == 0);
	EXPECT(nh_task_set_space(c, s, (uintptr_t)child_exit_42,
				 (uintptr_t)child_stack + sizeof(child_stack)) == 0);
	EXPECT(nh_task_resume(c) == 0);
	EXPECT(nh_task_wait(c, &e) == 0 && e.code == 42);
	EXPECT(nh_space_read(s, (uintptr_t)&word, (void *)&seen, 4) == 0 && seen == 7);
	EXPECT(nh_handle_close(c) == 0 && nh_handle_close(r) == 0 &&
	       nh_handle_close(s) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* Waits on handle 3 (installed there) again after each -EINTR; exits 70
 * plus the number of those once it ended killed. */
static void child_waits_on_3(long arg)
{
	struct nh_exit e = { 0 };
	long r;
	int eintr = 0;

	(void)arg;
	while ((r = nh_task_wait(3, &e)) == -NH_EINTR)
		eintr++;
	nh_exit(r == 0 && e.reason == NH_EXIT_KILLED ? 70 + eintr : (int)r);
}

/* A task blocked in task_wait stops, is interrupted and killed like any
 * other sleeper: no process can make itself unkillable by waiting. */
static int task_wait_ends_on_stop_interrupt_and_kill(void)
{
	struct nh_task_info info;
	struct nh_exit e = { 0 };
	long b = fork_like(child_spin, 0, 0), a, a2;
	int ok = 1;

	a = fork_like(child_waits_on_3, 0, NH_START_SUSPENDED);
	a2 = fork_like(child_waits_on_3, 0, NH_START_SUSPENDED);
	EXPECT(a > 0 && a2 > 0 && b > 0);
	EXPECT(nh_handle_install_at(a, b, NH_RIGHT_READ, 0, 3) == 3);
	EXPECT(nh_handle_install_at(a2, b, NH_RIGHT_READ, 0, 3) == 3);
	EXPECT(nh_task_resume(a) == 0 && nh_task_resume(a2) == 0);
	EXPECT(wait_state(a, NH_TASK_SLEEPING) && wait_state(a2, NH_TASK_SLEEPING));
	EXPECT(nh_task_suspend(a) == 0);	/* a stop ends the wait... */
	EXPECT(nh_task_info(a, &info) == 0 && info.state == NH_TASK_STOPPED);
	EXPECT(nh_task_resume(a) == 0);		/* ...which then runs again */
	EXPECT(wait_state(a, NH_TASK_SLEEPING));
	EXPECT(nh_task_interrupt(a) == 0);	/* -EINTR, and it waits again */
	EXPECT(nh_task_kill(a2) == 0);		/* the kill ends the waiter */
	EXPECT(nh_task_wait(a2, &e) == 0 && e.reason == NH_EXIT_KILLED);
	EXPECT(nh_task_kill(b) == 0);
	EXPECT(nh_task_wait(a, &e) == 0 && e.reason == NH_EXIT_NORMAL && e.code == 71);
	EXPECT(nh_task_wait(b, &e) == 0 && e.reason == NH_EXIT_KILLED);
	EXPECT(nh_handle_close(a) == 0 && nh_handle_close(a2) == 0 &&
	       nh_handle_close(b) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* task_stop asks and returns: the server learns of the stop later. */
static int task_stop_returns_at_once(void)
{
	struct nh_task_info info;
	struct nh_regs regs;
	struct nh_exit e = { 0 };
	long t = fork_like(child_spin, 0, 0);
	long r = t > 0 ? nh_handle_dup(t, NH_RIGHT_READ) : -1;
	long me = nh_handle_dup(NH_SELF_TASK, NH_RIGHT_CONTROL);
	int ok = 1;

	EXPECT(t > 0 && r > 0 && me > 0);
	EXPECT(nh_task_stop(NH_SELF_TASK) == -NH_EDEADLK);
	EXPECT(nh_task_stop(me) == -NH_EDEADLK);	/* by any handle */
	EXPECT(nh_task_stop(t) == 0);
	EXPECT(wait_state(t, NH_TASK_STOPPED));
	EXPECT(nh_task_regs_get(t, &regs) == 0);
	EXPECT(nh_task_stop(t) == 0);		/* already stopped: still 0 */
	EXPECT(nh_task_stop(r) == -NH_EACCES);
	EXPECT(nh_task_stop(12345) == -NH_EBADF);
	EXPECT(nh_task_resume(t) == 0);
	EXPECT(nh_task_info(t, &info) == 0 && info.state != NH_TASK_STOPPED);
	EXPECT(nh_task_kill(t) == 0 && nh_task_wait(t, &e) == 0);
	EXPECT(nh_task_stop(t) == -NH_ESRCH);	/* dead */
	EXPECT(nh_handle_close(t) == 0 && nh_handle_close(me) == 0 &&
	       nh_handle_close(r) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* ---- futexes -------------------------------------------------------------- */

#define MS		1000000ul
#define FX_THREADS	4
#define FX_ROUNDS	20000

static char fx_stacks[FX_THREADS][8192] __attribute__((aligned(16)));

/* A thread of ours (no libc: it shares our tp) running @fn(@arg) from
 * stack @slot, on hart @hart if that hart is online, else anywhere. */
static long fx_thread(void (*fn)(long), long arg, unsigned slot, unsigned hart)
{
	struct nh_task_start st = { .pc = (uintptr_t)fn, .a0 = (uint64_t)arg,
		.sp = (uintptr_t)fx_stacks[slot] + sizeof(fx_stacks[slot]),
		.tp = (uint64_t)tp_now(),
		.sched = { .cls = NH_SCHED_FAIR, .allowed = 1ul << hart },
		.name = "fx" };
	long t = nh_task_create(NH_SELF_SPACE, &st);

	if (t == -EINVAL) {	/* no such hart here */
		st.sched.allowed = 0;
		t = nh_task_create(NH_SELF_SPACE, &st);
	}
	return t;
}

/* Wait for thread @t, close its handle; its exit code, or -1000. */
static long fx_join(long t)
{
	struct nh_exit e;
	long r = nh_task_wait(t, &e);

	nh_handle_close(t);
	return r == 0 && e.reason == NH_EXIT_NORMAL ? e.code : -1000;
}

static int futex_refusals_and_timeouts(void)
{
	static uint32_t word = 1;
	long ro = nh_handle_dup(NH_SELF_SPACE, NH_RIGHT_READ), t0;
	int ok = 1;

	EXPECT(nh_futex_wait(&word, 2, 0) == -EAGAIN);	/* at once */
	EXPECT(nh_futex_wake(&word, 1) == 0 && nh_futex_wake(&word, ~0u) == 0);
	EXPECT(nh_futex_wait((uint32_t *)((char *)&word + 1), 1, 0) == -EINVAL);
	EXPECT(nh_futex_wake((uint32_t *)((char *)&word + 2), 1) == -EINVAL);
	EXPECT(nh_futex_wait((uint32_t *)0x3000000000ul, 0, 0) == -EFAULT);	/* unmapped */
	EXPECT(nh_futex_wait((uint32_t *)0, 0, 0) == -EFAULT);
	EXPECT(nh_futex_wait((uint32_t *)0xffffffc000000000ul, 0, 0) == -EFAULT);
	EXPECT(nh_futex_wake((uint32_t *)0xffffffc000000000ul, 1) == -EFAULT);
	EXPECT(nh_futex_wake_in(NH_SELF_SPACE, 0xffffffff80000000ul, 1) == -EFAULT);
	EXPECT(nh_futex_wake_in(NH_SELF_SPACE, (uintptr_t)&word, 1) == 0);
	EXPECT(nh_futex_wake_in(ro, (uintptr_t)&word, 1) == -EACCES);
	EXPECT(nh_futex_wake_in(NH_SELF_TASK, (uintptr_t)&word, 1) == -EBADF);
	t0 = nh_clock_ns();
	EXPECT(nh_futex_wait(&word, 1, 20 * MS) == -ETIMEDOUT);
	EXPECT(nh_clock_ns() - t0 >= (long)(20 * MS));
	EXPECT(nh_handle_close(ro) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static volatile uint32_t fx_word;
static volatile long fx_result;

/* Wait on fx_word while it is 0; exit with the last wait's result. */
static void fx_waiter(long timeout)
{
	long r = 0;

	while (__atomic_load_n(&fx_word, __ATOMIC_ACQUIRE) == 0) {
		r = nh_futex_wait(&fx_word, 0, (uint64_t)timeout);
		fx_result = r;
		if (r == -EINTR || r == -ETIMEDOUT)
			break;
	}
	nh_exit((int)-r);
}

static int futex_thread_waits_and_is_woken(void)
{
	long t;
	int ok = 1;

	fx_word = 0;
	fx_result = 1;
	t = fx_thread(fx_waiter, 0, 0, 1);
	EXPECT(t > 0);
	EXPECT(wait_state(t, NH_TASK_SLEEPING));
	EXPECT(nh_futex_wake(&fx_word, 1) == 1);	/* woken, still 0: waits again */
	EXPECT(wait_state(t, NH_TASK_SLEEPING));
	__atomic_store_n(&fx_word, 1, __ATOMIC_RELEASE);
	EXPECT(nh_futex_wake(&fx_word, 5) == 1);
	EXPECT(fx_join(t) == 0 && fx_result == 0);
	EXPECT(nh_futex_wake(&fx_word, 5) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* A futex mutex (0 free, 1 held, 2 held with waiters). */
static volatile uint32_t fx_mutex, fx_start;
static volatile long fx_count, fx_timeouts, fx_sleeps;

static void fx_lock(volatile uint32_t *m)
{
	uint32_t c = 0;

	if (__atomic_compare_exchange_n(m, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(m, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		/* a lost wake-up would show as a timeout */
		long r = nh_futex_wait(m, 2, 2000 * MS);

		if (r == -ETIMEDOUT)
			__atomic_fetch_add(&fx_timeouts, 1, __ATOMIC_RELAXED);
		else if (r == 0)
			__atomic_fetch_add(&fx_sleeps, 1, __ATOMIC_RELAXED);
		c = __atomic_exchange_n(m, 2, __ATOMIC_ACQUIRE);
	}
}

static void fx_unlock(volatile uint32_t *m)
{
	if (__atomic_fetch_sub(m, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(m, 0, __ATOMIC_RELEASE);
		nh_futex_wake(m, 1);
	}
}

static void fx_contender(long rounds)
{
	while (!__atomic_load_n(&fx_start, __ATOMIC_ACQUIRE))	/* all at once */
		nh_futex_wait(&fx_start, 0, 0);
	for (long i = 0; i < rounds; i++) {
		long c;

		fx_lock(&fx_mutex);
		c = fx_count;	/* not atomic: the mutex guards it */
		if (i % 16 == 0)
			nh_yield();	/* contention even on one hart */
		for (volatile int d = 0; d < 20; d++)
			;	/* and a wider window across harts */
		fx_count = c + 1;
		fx_unlock(&fx_mutex);
	}
	nh_exit(0);
}

static int futex_mutex_races_across_harts(void)
{
	long t[FX_THREADS], t0, took;
	int ok = 1;

	fx_mutex = 0;
	fx_count = 0;
	fx_timeouts = 0;
	fx_sleeps = 0;
	fx_start = 0;
	for (unsigned i = 0; i < FX_THREADS; i++)
		t[i] = fx_thread(fx_contender, FX_ROUNDS, i, i);
	for (unsigned i = 0; i < FX_THREADS; i++)
		EXPECT(t[i] > 0 && wait_state(t[i], NH_TASK_SLEEPING));
	t0 = nh_clock_ns();
	__atomic_store_n(&fx_start, 1, __ATOMIC_RELEASE);
	EXPECT(nh_futex_wake(&fx_start, ~0u) == FX_THREADS);
	for (unsigned i = 0; i < FX_THREADS; i++)
		EXPECT(t[i] > 0 && fx_join(t[i]) == 0);
	took = nh_clock_ns() - t0;
	EXPECT(fx_count == FX_THREADS * FX_ROUNDS);
	EXPECT(fx_timeouts == 0);
	EXPECT(fx_mutex == 0);
	EXPECT(took < 60000 * (long)MS);
	printf("# %d rounds on %d threads in %ld ms, %ld sleeps\n", FX_ROUNDS,
	       FX_THREADS, took / (long)MS, (long)fx_sleeps);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* In a clone of our space: wait on its copy of fx_word. */
static void fx_clone_waiter(long arg)
{
	(void)arg;
	while (fx_word == 0)
		nh_futex_wait(&fx_word, 0, 0);
	nh_exit((int)fx_word);
}

static int futex_wake_in_a_clone(void)
{
	struct nh_task_start st = { .pc = (uintptr_t)fx_clone_waiter,
		.sp = (uintptr_t)child_stack + sizeof(child_stack),
		.tp = (uint64_t)tp_now(), .sched = { .cls = NH_SCHED_FAIR },
		.name = "fxclone" };
	uint32_t seven = 7;
	long c, ro, t;
	int ok = 1;

	fx_word = 0;
	c = nh_space_clone(NH_SELF_SPACE);
	ro = nh_handle_dup(c, NH_RIGHT_READ);
	t = nh_task_create(c, &st);
	EXPECT(c > 0 && ro > 0 && t > 0);
	EXPECT(wait_state(t, NH_TASK_SLEEPING));
	EXPECT(nh_futex_wake(&fx_word, 1) == 0);	/* our space: another key */
	EXPECT(nh_futex_wake_in(ro, (uintptr_t)&fx_word, 1) == -EACCES);
	EXPECT(nh_space_write(c, (uintptr_t)&fx_word, &seven, 4) == 0);
	EXPECT(nh_futex_wake_in(c, (uintptr_t)&fx_word, 1) == 1);
	EXPECT(fx_join(t) == 7);
	EXPECT(fx_word == 0);
	EXPECT(nh_handle_close(ro) == 0 && nh_handle_close(c) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static volatile uint32_t fx_tid;

/* Ask to have fx_tid cleared at our death, linger, die. */
static void fx_tid_thread(long arg)
{
	long r = nh_task_clear_tid(NH_SELF_TASK, (uint32_t *)&fx_tid);

	nh_sleep_ns(20 * MS);	/* so the joiner is asleep on the word */
	nh_exit(r == 0 ? (int)arg : 99);
}

static int futex_clear_tid_wakes_the_joiner(void)
{
	long t, ro, r = 1;
	uint32_t v;
	int ok = 1, sleeps = 0;

	fx_tid = 1234;
	t = fx_thread(fx_tid_thread, 5, 0, 1);
	EXPECT(t > 0);
	ro = nh_handle_dup(t, NH_RIGHT_READ);
	EXPECT(nh_task_clear_tid(ro, (uint32_t *)&fx_tid) == -EACCES);
	EXPECT(nh_task_clear_tid(t, (uint32_t *)((char *)&fx_tid + 2)) == -EINVAL);
	EXPECT(nh_task_clear_tid(t, (uint32_t *)0xffffffc000000000ul) == -EINVAL);
	while ((v = __atomic_load_n(&fx_tid, __ATOMIC_ACQUIRE)) != 0 && sleeps < 100) {
		r = nh_futex_wait(&fx_tid, v, 5000 * MS);
		sleeps++;
	}
	EXPECT(fx_tid == 0);
	EXPECT(r == 0 || r == -EAGAIN);	/* woken, not timed out */
	EXPECT(fx_join(t) == 5);
	EXPECT(nh_handle_close(ro) == 0);
	/* setting and clearing one's own */
	EXPECT(nh_task_clear_tid(NH_SELF_TASK, (uint32_t *)&fx_tid) == 0);
	EXPECT(nh_task_clear_tid(NH_SELF_TASK, 0) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static volatile long fx_go, fx_started;

/* Spin in user mode until fx_go, then wait on fx_word for 50 ms. */
static void fx_spin_then_wait(long arg)
{
	(void)arg;
	__atomic_store_n(&fx_started, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&fx_go, __ATOMIC_ACQUIRE))
		;
	nh_exit((int)-nh_futex_wait(&fx_word, 0, 50 * MS));
}

static void fx_sleeper(long arg)
{
	nh_exit((int)-nh_sleep_ns((uint64_t)arg));
}

static int task_interrupt_aborts_a_blocked_call(void)
{
	long t, ro, t0;
	int ok = 1;

	fx_word = 0;
	fx_result = 1;
	t = fx_thread(fx_waiter, 0, 0, 1);
	ro = nh_handle_dup(t, NH_RIGHT_READ);
	EXPECT(t > 0 && ro > 0);
	EXPECT(wait_state(t, NH_TASK_SLEEPING));
	EXPECT(nh_task_interrupt(ro) == -EACCES);
	EXPECT(nh_task_interrupt(t) == 0);
	EXPECT(fx_join(t) == EINTR && fx_result == -EINTR);
	EXPECT(nh_handle_close(ro) == 0);
	/* any interruptible sleep */
	t0 = nh_clock_ns();
	t = fx_thread(fx_sleeper, 10000 * (long)MS, 0, 1);
	EXPECT(t > 0 && wait_state(t, NH_TASK_SLEEPING));
	EXPECT(nh_task_interrupt(t) == 0);
	EXPECT(fx_join(t) == EINTR);
	EXPECT(nh_clock_ns() - t0 < 5000 * (long)MS);
	/* in user mode it only reaches the call in progress: none */
	fx_go = 0;
	fx_started = 0;
	t = fx_thread(fx_spin_then_wait, 0, 0, 1);
	EXPECT(t > 0);
	for (int i = 0; i < 2000 && !__atomic_load_n(&fx_started, __ATOMIC_ACQUIRE); i++)
		nh_sleep_ns(MS);
	EXPECT(fx_started);
	EXPECT(nh_task_interrupt(t) == 0);
	nh_sleep_ns(30 * MS);	/* it passes its boundary (ticks, the IPI) */
	__atomic_store_n(&fx_go, 1, __ATOMIC_RELEASE);
	EXPECT(fx_join(t) == ETIMEDOUT);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int futex_wait_restarts_after_suspend(void)
{
	struct nh_regs r;
	long t;
	int ok = 1;

	fx_word = 0;
	fx_result = 1;
	t = fx_thread(fx_waiter, 0, 0, 1);
	EXPECT(t > 0);
	EXPECT(wait_state(t, NH_TASK_SLEEPING));
	EXPECT(nh_task_suspend(t) == 0);
	EXPECT(nh_task_regs_get(t, &r) == 0 && r.x[17] == SYS_futex_wait &&
	       r.x[10] == (uintptr_t)&fx_word);	/* back on the ecall */
	EXPECT(nh_task_resume(t) == 0);
	EXPECT(wait_state(t, NH_TASK_SLEEPING));
	nh_sleep_ns(20 * MS);
	EXPECT(fx_result == 1);	/* the wait never returned */
	__atomic_store_n(&fx_word, 1, __ATOMIC_RELEASE);
	EXPECT(nh_futex_wake(&fx_word, 1) == 1);
	EXPECT(fx_join(t) == 0 && fx_result == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}


/* ---- notifications and user drivers ------------------------------------- */

static volatile long waited[2];
static char waiter_stacks[2][4096] __attribute__((aligned(16)));

/* A task in our own space: wait on the notification handle it was given
 * (in its own table, a0), record the result, exit with it. */
static void notify_waiter(long h)
{
	long slot = h >> 16, r = nh_notify_wait(h & 0xffff);

	waited[slot] = r;
	nh_exit((int)r);
}

/* A waiter task for notification @n (installed with READ), suspended until
 * resumed; slot 0 or 1 picks its stack and result. */
static long start_waiter(long n, int slot)
{
	struct nh_task_start st = { .pc = (uintptr_t)notify_waiter,
		.sp = (uintptr_t)waiter_stacks[slot] + sizeof(waiter_stacks[slot]),
		.tp = (uint64_t)tp_now(), .sched = { .cls = NH_SCHED_FAIR },
		.flags = NH_START_SUSPENDED, .name = "waiter" };
	struct nh_regs r;
	long t = nh_task_create(NH_SELF_SPACE, &st), h;

	if (t < 0)
		return t;
	h = nh_handle_install(t, n, NH_RIGHT_READ);
	waited[slot] = -1000;
	if (h < 0 || h > 0xffff || nh_task_regs_get(t, &r) != 0)
		return -1;
	r.x[10] = (uint64_t)h | (uint64_t)slot << 16;
	if (nh_task_regs_set(t, &r) != 0 || nh_task_resume(t) != 0)
		return -1;
	return t;
}

/* Is task @t asleep (in a wait) within a second? */
static int sleeping(long t)
{
	struct nh_task_info info;

	for (int i = 0; i < 100; i++) {
		if (nh_task_info(t, &info) == 0 && info.state == NH_TASK_SLEEPING)
			return 1;
		nh_sleep_ns(10000000);
	}
	return 0;
}

static int notify_signals_coalesce_and_poll(void)
{
	long n = nh_notify_create();
	int ok = 1;

	EXPECT(n > 0);
	EXPECT(nh_notify_poll(n) == 0);
	EXPECT(nh_notify_signal(n, 1) == 0 && nh_notify_signal(n, 2) == 0 &&
	       nh_notify_signal(n, 1ul << 40) == 0);
	EXPECT(nh_notify_wait(n) == (long)(3 | 1ul << 40));
	EXPECT(nh_notify_poll(n) == 0);
	EXPECT(nh_notify_signal(n, 1ul << 63) == -EINVAL);
	EXPECT(nh_notify_signal(n, 0) == 0 && nh_notify_poll(n) == 0);
	EXPECT(nh_notify_signal(n, 0x10) == 0 && nh_notify_poll(n) == 0x10);
	EXPECT(nh_handle_close(n) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int notify_rights_and_bad_handles(void)
{
	long n = nh_notify_create(), ro, wo;
	struct nh_handle_info info;
	int ok = 1;

	EXPECT(n > 0);
	ro = nh_handle_dup(n, NH_RIGHT_READ);
	wo = nh_handle_dup(n, NH_RIGHT_WRITE);
	EXPECT(nh_handle_info(n, &info) == 0 && info.type == NH_OBJ_NOTIFY);
	EXPECT(nh_notify_signal(ro, 1) == -EACCES);
	EXPECT(nh_notify_wait(wo) == -EACCES && nh_notify_poll(wo) == -EACCES);
	EXPECT(nh_notify_signal(wo, 4) == 0 && nh_notify_poll(ro) == 4);
	EXPECT(nh_notify_signal(NH_SELF_TASK, 1) == -EBADF);
	EXPECT(nh_notify_wait(NH_SELF_SPACE) == -EBADF);
	EXPECT(nh_notify_poll(12345) == -EBADF);
	EXPECT(nh_handle_close(ro) == 0 && nh_handle_close(wo) == 0);
	EXPECT(nh_notify_poll(ro) == -EBADF && nh_notify_signal(wo, 1) == -EBADF);
	EXPECT(nh_handle_close(n) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* Two waiters: each signal wakes one, the first to wait first. */
static int notify_wakes_one_waiter_per_signal(void)
{
	long n = nh_notify_create(), a, b;
	struct nh_exit e;
	int ok = 1;

	EXPECT(n > 0);
	a = start_waiter(n, 0);
	EXPECT(a > 0 && sleeping(a));
	b = start_waiter(n, 1);
	EXPECT(b > 0 && sleeping(b));
	EXPECT(nh_notify_signal(n, 1) == 0);
	EXPECT(nh_task_wait(a, &e) == 0 && e.code == 1 && waited[0] == 1);
	EXPECT(waited[1] == -1000 && sleeping(b));
	EXPECT(nh_notify_signal(n, 2) == 0);
	EXPECT(nh_task_wait(b, &e) == 0 && e.code == 2 && waited[1] == 2);
	EXPECT(nh_handle_close(a) == 0 && nh_handle_close(b) == 0);
	EXPECT(nh_handle_close(n) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* A suspend interrupts a wait without the program seeing it (the call
 * restarts after the resume); a kill ends the waiter. */
static int notify_wait_restarts_after_suspend_ends_on_kill(void)
{
	long n = nh_notify_create(), t;
	struct nh_exit e;
	int ok = 1;

	EXPECT(n > 0);
	t = start_waiter(n, 0);
	EXPECT(t > 0 && sleeping(t));
	EXPECT(nh_task_suspend(t) == 0 && waited[0] == -1000);
	EXPECT(nh_task_resume(t) == 0 && sleeping(t) && waited[0] == -1000);
	EXPECT(nh_notify_signal(n, 0x40) == 0);
	EXPECT(nh_task_wait(t, &e) == 0 && e.reason == NH_EXIT_NORMAL &&
	       e.code == 0x40);
	EXPECT(nh_handle_close(t) == 0);
	t = start_waiter(n, 1);
	EXPECT(t > 0 && sleeping(t));
	EXPECT(nh_task_kill(t) == 0);
	EXPECT(nh_task_wait(t, &e) == 0 && e.reason == NH_EXIT_KILLED &&
	       waited[1] == -1000);
	EXPECT(nh_handle_close(t) == 0 && nh_handle_close(n) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* QEMU virt's goldfish RTC (hw/rtc/goldfish_rtc.c). */
#define RTC_TIME_LOW		0x00
#define RTC_TIME_HIGH		0x04
#define RTC_ALARM_LOW		0x08
#define RTC_ALARM_HIGH		0x0c
#define RTC_IRQ_ENABLED		0x10
#define RTC_ALARM_STATUS	0x18
#define RTC_CLEAR_INTERRUPT	0x1c

static uint32_t rtc_rd(volatile uint8_t *r, unsigned off)
{
	return *(volatile uint32_t *)(r + off);
}

static void rtc_wr(volatile uint8_t *r, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(r + off) = v;
}

/* Arm an alarm @ns ahead, wait for its interrupt, quiet the device, ack. */
static int rtc_alarm_once(volatile uint8_t *r, long n, long irq)
{
	uint64_t now = rtc_rd(r, RTC_TIME_LOW);	/* latches TIME_HIGH */
	uint64_t at = ((now | (uint64_t)rtc_rd(r, RTC_TIME_HIGH) << 32)) + 3000000;
	int ok = 1;

	rtc_wr(r, RTC_ALARM_HIGH, (uint32_t)(at >> 32));
	rtc_wr(r, RTC_ALARM_LOW, (uint32_t)at);	/* arms it */
	EXPECT(rtc_rd(r, RTC_ALARM_STATUS) == 1);
	EXPECT(nh_notify_wait(n) == 0x100);
	EXPECT(rtc_rd(r, RTC_ALARM_STATUS) == 0);	/* it went off */
	rtc_wr(r, RTC_CLEAR_INTERRUPT, 1);
	EXPECT(nh_irq_ack(irq) == 0);
	EXPECT(nh_notify_poll(n) == 0);	/* one firing, one signal */
	return ok;
}

static int rtc_interrupt_reaches_a_user_driver_twice(void)
{
	struct nh_device d;
	long obj = nh_device_open("google,goldfish-rtc", &d), n, irq, va;
	volatile uint8_t *r;
	int ok = 1;

	if (obj == -ENODEV) {
		printf("# no goldfish RTC on this board\n");
		return NH_TEST_SKIP;
	}
	EXPECT(obj > 0 && d.size >= 0x1000 && d.irq != 0);
	va = nh_map(NH_SELF_SPACE, 0, d.size, NH_PROT_READ | NH_PROT_WRITE,
		    NH_MAP_SHARED, obj, 0);
	EXPECT(va > 0);
	n = nh_notify_create();
	irq = nh_irq_bind(d.irq, n, 0x100);
	EXPECT(n > 0 && irq > 0);
	if (va <= 0 || irq <= 0)
		return NH_TEST_FAIL;
	r = (volatile uint8_t *)va;
	rtc_wr(r, RTC_IRQ_ENABLED, 1);
	ok &= rtc_alarm_once(r, n, irq);
	ok &= rtc_alarm_once(r, n, irq);	/* the ack let the line fire again */
	rtc_wr(r, RTC_IRQ_ENABLED, 0);
	EXPECT(nh_space_unmap(NH_SELF_SPACE, (uint64_t)va, d.size) == 0);
	EXPECT(nh_handle_close(irq) == 0 && nh_handle_close(n) == 0 &&
	       nh_handle_close(obj) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int irq_bind_and_device_open_errors(void)
{
	struct nh_device d;
	long obj = nh_device_open("google,goldfish-rtc", &d), n = nh_notify_create();
	long irq, ro = nh_handle_dup(n, NH_RIGHT_READ | NH_RIGHT_GRANT);
	int ok = 1;

	EXPECT(nh_device_open("no,such-device", &d) == -ENODEV);
	EXPECT(nh_device_open((const char *)0x10, &d) == -EFAULT);
	EXPECT(nh_irq_bind(0, n, 1) == -EINVAL && nh_irq_bind(5000, n, 1) == -EINVAL);
	EXPECT(nh_irq_ack(n) == -EBADF && nh_irq_ack(NH_SELF_TASK) == -EBADF);
	if (obj == -ENODEV) {	/* not QEMU virt: the rest needs its tree */
		EXPECT(nh_handle_close(ro) == 0 && nh_handle_close(n) == 0);
		return ok ? NH_TEST_PASS : NH_TEST_FAIL;
	}
	EXPECT(obj > 0);
	EXPECT(nh_device_open("google,goldfish-rtc", (void *)0x10) == -EFAULT);
	EXPECT(nh_device_open("ns16550a", &d) == -EPERM);	/* the console */
	EXPECT(nh_irq_bind(10, n, 1) == -EBUSY);		/* its line: the console server has it */
	EXPECT(nh_map(NH_SELF_SPACE, 0, 4096, NH_PROT_READ, 0, obj, 0) == -EINVAL);
	EXPECT(nh_irq_bind(11, NH_SELF_TASK, 1) == -EBADF);
	EXPECT(nh_irq_bind(11, 12345, 1) == -EBADF);
	EXPECT(nh_irq_bind(11, ro, 1) == -EACCES);
	EXPECT(nh_irq_bind(11, n, 0) == -EINVAL);
	irq = nh_irq_bind(11, n, 1);
	EXPECT(irq > 0 && nh_irq_bind(11, n, 2) == -EBUSY);
	EXPECT(nh_irq_ack(irq) == 0);	/* nothing waiting: harmless */
	EXPECT(nh_handle_close(irq) == 0);
	irq = nh_irq_bind(11, n, 2);	/* closing unbound it */
	EXPECT(irq > 0 && nh_handle_close(irq) == 0);
	EXPECT(nh_handle_close(ro) == 0 && nh_handle_close(n) == 0 &&
	       nh_handle_close(obj) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}



/* ---- a notification bound to an endpoint -------------------------------- */

/* Receive on the endpoint handle in a0 once; exit with the bits if a
 * notification came, else 1000 + what came. */
static void bound_receiver(long ep)
{
	struct nh_msg m = { 0 };
	long r = nh_recv(ep, &m);

	nh_exit(r == (long)NH_IPC_TAG(NH_IPC_NOTIFY, 0) ? (int)m.w[0] : 1000 + (int)r);
}

static int endpoint_receives_bound_notifications(void)
{
	long ep = nh_endpoint_create(), n = nh_notify_create(), n2 = nh_notify_create();
	long ro = nh_handle_dup(n2, NH_RIGHT_WRITE), t, inst;
	struct nh_msg m = { 0 };
	struct nh_regs r;
	struct nh_exit e;
	int ok = 1;

	EXPECT(ep > 0 && n > 0 && n2 > 0 && ro > 0);
	EXPECT(nh_endpoint_bind_notify(ep, ro) == -EACCES);	/* no READ */
	EXPECT(nh_endpoint_bind_notify(ep, n) == 0);
	EXPECT(nh_endpoint_bind_notify(ep, n) == -EBUSY);	/* bound already */
	/* bits pending before the receive: it returns them at once */
	EXPECT(nh_notify_signal(n, 0x5) == 0);
	EXPECT(nh_recv(ep, &m) == (long)NH_IPC_TAG(NH_IPC_NOTIFY, 0) && m.w[0] == 0x5);
	/* a receiver blocked on the endpoint wakes for a signal */
	t = fork_like(bound_receiver, 0, NH_START_SUSPENDED);
	inst = t > 0 ? nh_handle_install(t, ep, NH_RIGHT_READ) : -1;
	EXPECT(inst > 0 && nh_task_regs_get(t, &r) == 0);
	r.x[10] = (uint64_t)inst;
	EXPECT(nh_task_regs_set(t, &r) == 0 && nh_task_resume(t) == 0);
	nh_sleep_ns(5000000);		/* let it block */
	EXPECT(nh_notify_signal(n, 0x30) == 0);
	EXPECT(nh_task_wait(t, &e) == 0 && e.reason == NH_EXIT_NORMAL && e.code == 0x30);
	EXPECT(nh_endpoint_bind_notify(ep, 0) == 0);		/* unbind */
	EXPECT(nh_endpoint_bind_notify(ep, n2) == 0);		/* another one now */
	EXPECT(nh_handle_close(t) == 0 && nh_handle_close(ep) == 0 &&
	       nh_handle_close(n) == 0 && nh_handle_close(n2) == 0 && nh_handle_close(ro) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}


/* ---- garbage into every system call ----------------------------------- */

#define FUZZ_BUDGET	20000	/* calls in all */
#define FUZZ_ROUNDS	200	/* programs at most (a round may end early) */

/* Run /bin/fuzz for @budget calls from @seed, interrupting whatever call
 * blocks; how it ended in *e.  0, or -1 if it did not end in 10 s. */
static int fuzz_round(long budget, long seed, struct nh_exit *e)
{
	char b[24], s[24];
	const char *const argv[] = { "fuzz", b, s, 0 };
	struct nh_task_info info;
	long h;
	int i;

	snprintf(b, sizeof(b), "%ld", budget);
	snprintf(s, sizeof(s), "%ld", seed);
	h = ts_spawn("/bin/fuzz", argv, no_env);
	if (h < 0)
		return -1;
	for (i = 0; i < 10000; i++) {
		if (nh_task_info(h, &info) == 0 && info.state == NH_TASK_DEAD)
			break;
		nh_task_interrupt(h);	/* a call that blocks gives up */
		nh_sleep_ns(1000000);
	}
	if (i == 10000)
		nh_task_kill(h);
	nh_task_wait(h, e);
	nh_handle_close(h);
	return i == 10000 ? -1 : 0;
}

static int fuzz_every_syscall(void)
{
	long total = 0, rounds = 0, ended[6] = { 0 };
	const char *const hello[] = { "hello", "one", "two", 0 };
	static uint32_t word;
	struct nh_msg m = { 0 };
	struct nh_exit e;
	long ep, badged, n;
	int ok = 1;

	while (total < FUZZ_BUDGET && rounds < FUZZ_ROUNDS) {
		EXPECT(fuzz_round(FUZZ_BUDGET - total, rounds + 1, &e) == 0);
		rounds++;
		ended[e.reason >= 1 && e.reason <= 5 ? e.reason : 0]++;
		total += e.reason == NH_EXIT_NORMAL && e.code > 0 ? e.code : 1;
		if (!ok)
			break;
	}
	printf("# fuzz: %ld calls in %ld rounds: %ld finished, %ld faulted, %ld killed, "
	       "%ld out of memory\n", total, rounds, ended[NH_EXIT_NORMAL],
	       ended[NH_EXIT_FAULT], ended[NH_EXIT_KILLED], ended[NH_EXIT_OOM]);
	EXPECT(total >= FUZZ_BUDGET);
	/* and everything still answers */
	EXPECT(run("/bin/hello", hello, 0, &e) == 0 && e.code == 7);
	ep = nh_endpoint_create();
	badged = ep > 0 ? nh_endpoint_mint(ep, 9, NH_RIGHT_WRITE) : -1;
	n = nh_notify_create();
	EXPECT(ep > 0 && badged > 0 && n > 0);
	EXPECT(nh_notify_signal(n, 1) == 0 && nh_notify_poll(n) == 1);
	EXPECT(nh_futex_wake(&word, 1) == 0);
	EXPECT(nh_call(12345, &m) == -EBADF);
	EXPECT(nh_handle_close(badged) == 0 && nh_handle_close(ep) == 0 &&
	       nh_handle_close(n) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static const struct utest catalogue[] = {
	{ "USRT0001_program_returns_status_from_main", returns_status_from_main },
	{ "USRT0002_argv_envp_intact_at_limits", argv_envp_intact_at_limits },
	{ "USRT0003_faults_end_only_that_program", faults_end_only_that_program },
	{ "USRT0004_printf_long_and_wide", printf_long_and_wide },
	{ "USRT0005_bad_pointers_get_efault", bad_pointers_get_efault },
	{ "USRT0006_threads_share_the_callers_memory", threads_share_memory },
	{ "USRT0007_heap_grows_shrinks_and_regrows", heap_grows_shrinks_and_regrows },
	{ "USRT0008_handle_bad_stale_and_pseudo", handle_bad_stale_and_pseudo },
	{ "USRT0009_handle_rights_only_shrink", handle_rights_only_shrink },
	{ "USRT0010_handle_table_full_starts_nothing", handle_table_full },
	{ "USRT0011_handle_close_frees_dead_task", handle_close_frees_dead_task },
	{ "USRT0012_handle_install_into_child", handle_install_into_child },
	{ "USRT0013_mappings_from_a_program", mappings_from_a_program },
	{ "USRT0014_clone_cow_private_and_shared", clone_cow_private_and_shared },
	{ "USRT0015_space_calls_check_rights", space_calls_check_rights },
	{ "USRT0016_space_calls_refuse_hostile_arguments", space_calls_refuse_hostile_arguments },
	{ "USRT0017_fork_like_clone_and_task_create", fork_like_clone_and_task_create },
	{ "USRT0018_task_calls_suspend_regs_kill", task_calls_suspend_regs_kill },
	{ "USRT0019_task_create_refuses_bad_input", task_create_refuses_bad_input },
	{ "USRT0020_task_set_space_on_running_and_stopped", task_set_space_on_running_and_stopped },
	{ "USRT0021_futex_refusals_and_timeouts", futex_refusals_and_timeouts },
	{ "USRT0022_futex_thread_waits_and_is_woken", futex_thread_waits_and_is_woken },
	{ "USRT0023_futex_mutex_races_across_harts", futex_mutex_races_across_harts },
	{ "USRT0024_futex_wake_in_a_clone", futex_wake_in_a_clone },
	{ "USRT0025_futex_clear_tid_wakes_the_joiner", futex_clear_tid_wakes_the_joiner },
	{ "USRT0026_task_interrupt_aborts_a_blocked_call", task_interrupt_aborts_a_blocked_call },
	{ "USRT0027_futex_wait_restarts_after_suspend", futex_wait_restarts_after_suspend },
	{ "USRT0028_notify_signals_coalesce_and_poll", notify_signals_coalesce_and_poll },
	{ "USRT0029_notify_rights_and_bad_handles", notify_rights_and_bad_handles },
	{ "USRT0030_notify_wakes_one_waiter_per_signal", notify_wakes_one_waiter_per_signal },
	{ "USRT0031_notify_wait_restarts_after_suspend_ends_on_kill", notify_wait_restarts_after_suspend_ends_on_kill },
	{ "USRT0032_rtc_interrupt_reaches_a_user_driver_twice", rtc_interrupt_reaches_a_user_driver_twice },
	{ "USRT0033_irq_bind_and_device_open_errors", irq_bind_and_device_open_errors },
	{ "USRT0034_endpoint_receives_bound_notifications", endpoint_receives_bound_notifications },
	{ "USRT0035_fuzz_every_syscall_then_everything_answers", fuzz_every_syscall },
	{ "USRT0036_ipc_round_trips_at_size_limits", ipc_round_trips_at_size_limits },
	{ "USRT0037_ipc_badges_cannot_be_forged", ipc_badges_cannot_be_forged },
	{ "USRT0038_ipc_grants_reduce_rights", ipc_grants_reduce_rights },
	{ "USRT0039_ipc_deferred_replies_out_of_order", ipc_deferred_replies_out_of_order },
	{ "USRT0040_ipc_server_death_and_last_receiver", ipc_server_death_and_last_receiver },
	{ "USRT0041_ipc_storm_of_callers", ipc_storm_of_callers },
	{ "USRT0042_ipc_fault_events_resume_regs_kill", ipc_fault_events_resume_regs_kill },
	{ "USRT0043_ipc_exit_events_carry_the_record", ipc_exit_events_carry_the_record },
	{ "USRT0044_ipc_abort_and_restart", ipc_abort_and_restart },
	{ "USRT0045_ipc_garbage_refused", ipc_garbage_refused },
	{ "USRT0046_ipc_new_registers_abandon_a_waiting_call", ipc_new_registers_abandon_a_waiting_call },
	{ "USRT0047_ipc_fast_path_keeps_registers", ipc_fast_path_keeps_registers },
	{ "USRT0048_ipc_blocked_tasks_move_harts", ipc_blocked_tasks_move_harts },
	{ "USRT0049_ipc_waiting_receiver_takes_its_new_space", ipc_waiting_receiver_takes_its_new_space },
	{ "USRT0050_ipc_queued_call_answered_fast", ipc_queued_call_answered_fast },
	{ "USRT0051_ipc_fast_path_with_bound_notification", ipc_fast_path_with_bound_notification },
	{ "USRT0052_ipc_chaos", ipc_chaos },
	{ "USRT0053_proto_stubs_typed_round_trips", proto_stubs_typed_round_trips },
	{ "USRT0054_proto_stub_reply_with_a_handle", proto_stub_reply_with_a_handle },
	{ "USRT0055_libserver_deferred_reply_answered_later", libserver_deferred_reply_answered_later },
	{ "USRT0056_libserver_refuses_garbage_and_keeps_serving", libserver_refuses_garbage_and_keeps_serving },
	{ "USRT0057_syscalls_refuse_unextended_32_bit_arguments", syscalls_refuse_unextended_32_bit_arguments },
	{ "USRT0058_handles_at_numbers_close_in_and_cloexec", handles_at_numbers_close_in_and_cloexec },
	{ "USRT0059_exec_support_heap_name_and_clear_tid", exec_support_heap_name_and_clear_tid },
	{ "USRT0060_ipc_reply_regs_show_the_blocked_caller", ipc_reply_regs_show_the_blocked_caller },
	{ "USRT0061_task_wait_ends_on_stop_interrupt_and_kill", task_wait_ends_on_stop_interrupt_and_kill },
	{ "USRT0062_task_stop_returns_at_once", task_stop_returns_at_once },
	{ "USRT0063_ipc_exit_events_overtake_queued_callers", ipc_exit_events_overtake_queued_callers },
	{ "USRT0064_proto_regs_stub_refuses_bad_replies", proto_regs_stub_refuses_bad_replies },
	{ "USRT0065_threads_share_a_handle_table", threads_share_a_handle_table },
	{ "USRT0066_initrd_archive_maps_the_whole_archive", initrd_archive_maps_the_whole_archive },
	{ "USRT0067_memobj_copies_without_a_mapping", memobj_copies_without_a_mapping },
	{ "PROC0001_fork_wait_and_exit_status", proc_fork_wait_and_exit_status },
	{ "PROC0002_wait_nohang_options_and_echild", proc_wait_nohang_options_and_echild },
	{ "PROC0003_exec_runs_a_program_in_the_child", proc_exec_runs_a_program_in_the_child },
	{ "PROC0004_exec_errors_leave_the_caller_as_it_was", proc_exec_errors_leave_the_caller_as_it_was },
	{ "PROC0005_exec_refuses_a_corpus_of_corrupt_elfs", proc_exec_refuses_a_corpus_of_corrupt_elfs },
	{ "PROC0006_faults_end_the_child_with_a_signal", proc_faults_end_the_child_with_a_signal },
	{ "PROC0007_orphans_go_to_init_which_reaps_them", proc_orphans_go_to_init_which_reaps_them },
	{ "PROC0008_thousand_forks_get_unique_pids", proc_thousand_forks_get_unique_pids },
	{ "PROC0009_hundred_children_exit_at_once", proc_hundred_children_exit_at_once },
	{ "PROC0010_waitpid_by_process_group", proc_waitpid_by_process_group },
	{ "PROC0011_sessions_and_groups_follow_posix", proc_sessions_and_groups_follow_posix },
	{ "PROC0012_process_server_refuses_garbage", proc_server_refuses_garbage },
	{ "PROC0013_vfork_holds_the_parent_until_exec_or_exit", proc_vfork_holds_the_parent_until_exec_or_exit },
	{ "PROC0014_ordinary_processes_lack_server_powers", proc_ordinary_processes_lack_server_powers },
	{ "PROC0015_pthreads_share_memory_with_their_own_tids", thread_pthreads_share_memory_with_their_own_tids },
	{ "PROC0016_clone_tid_words_and_bad_flags", thread_clone_tid_words_and_bad_flags },
	{ "PROC0017_clone_makes_processes_too", thread_clone_makes_processes_too },
	{ "PROC0018_exit_fault_and_exec_end_every_thread", thread_exit_fault_and_exec_end_every_thread },
	{ "PROC0019_the_leader_may_end_first", thread_the_leader_may_end_first },
	{ "PROC0020_waitid_reports_siginfo_and_wnowait_keeps_the_zombie", proc_waitid_reports_siginfo_and_wnowait_keeps_the_zombie },
	{ "PROC0021_clocks_and_sleeps", posix_clocks_and_sleeps },
	{ "PROC0022_times_and_rusage_count_children", posix_times_and_rusage_count_children },
	{ "PROC0023_sysconf_and_uname", posix_sysconf_and_uname },
	{ "PROC0024_pids_wrap_at_pid_max_and_run_out", proc_pids_wrap_at_pid_max_and_run_out },
	{ "PROC0025_exec_runs_scripts_through_their_interpreter", proc_exec_runs_scripts_through_their_interpreter },
	{ "PROC0026_an_interrupted_wait_reaps_nothing", proc_an_interrupted_wait_reaps_nothing },
	{ "PROC0027_forks_race_the_end_of_their_process", thread_forks_race_the_end_of_their_process },
	{ "PROC0028_kill_ends_processes_with_the_signal", proc_kill_ends_processes_with_the_signal },
	{ "POSX0001_differential_programs", posix_differential_programs },
	{ "FS0001_files_of_the_initramfs", fs_files_of_the_initramfs },
	{ "FS0002_descriptor_tables_across_fork_and_exec", fs_descriptor_tables_across_fork_and_exec },
	{ "FS0003_pipes_end_of_file_epipe_and_killed_callers", fs_pipes_end_of_file_epipe_and_killed_callers },
	{ "FS0004_ten_mib_through_a_three_stage_pipeline", fs_ten_mib_through_a_three_stage_pipeline },
	{ "FS0005_devices_and_the_working_directory", fs_devices_and_the_working_directory },
	{ "FS0006_file_server_refuses_garbage", fs_file_server_refuses_garbage },
	{ "FS0007_tmp_files_directories_and_their_pages", fs_tmp_files_directories_and_their_pages },
	{ "FS0008_exec_through_the_file_server", fs_exec_through_the_file_server },
	{ "FS0009_proc_files_in_linux_formats", procfs_files_in_linux_formats },
	{ "FS0010_proc_many_processes_threads_and_garbage", procfs_many_processes_threads_and_garbage },
	{ "FS0011_large_reads_come_from_a_mapping", fs_large_reads_come_from_a_mapping },
	{ "FS0012_pipe_ring_header_garbage", fs_pipe_ring_header_garbage },
	{ "CONS0001_terminal_attributes_and_requests", con_terminal_attributes_and_requests },
	{ "CONS0002_reads_that_must_not_wait", con_reads_that_must_not_wait },
	{ "CONS0003_garbage_and_the_kernels_handover", con_garbage_and_the_kernels_handover },
	{ "CMD0001_every_program_helps_and_refuses_bad_options",
	  cmd_every_program_helps_and_refuses_bad_options },
	{ "CMD0002_ps_lists_processes_and_kernel_threads", cmd_ps_lists_processes_and_kernel_threads },
};

/* ---- the runner ----------------------------------------------------------- */

static char knames[MAX_KTESTS][NAME_MAX];

static int differ(const struct nh_counters *a, const struct nh_counters *b)
{
	return a->free_frames != b->free_frames || a->live_objects != b->live_objects ||
	       a->tasks != b->tasks || a->stacks != b->stacks || a->handles != b->handles;
}

/*
 * Before a kernel test counts what the system holds: the tail of our last
 * line (the console server closes the reply it answered a moment after
 * the answer) is over once the counters stay put for a millisecond.
 */
static void settle(void)
{
	struct nh_counters a, b;

	nh_test_counters(&a);
	for (int i = 0; i < 20; i++) {
		nh_sleep_ns(1000000);
		nh_test_counters(&b);
		if (!differ(&a, &b))
			return;
		a = b;
	}
}

static int leak_checked(const struct utest *t)
{
	struct nh_counters before, after;
	int v;

	/* The baseline too waits for the last test's tail (a child's task
	 * and space freed on another hart a moment after its wait; under
	 * TCG a hart may not run for some milliseconds). */
	nh_test_counters(&before);
	for (int i = 0; i < 10; i++) {
		nh_sleep_ns(10000000);
		nh_test_counters(&after);
		if (!differ(&before, &after))
			break;
		before = after;
	}
	v = t->fn();
	nh_test_counters(&after);
	/* Work still in flight on other harts (a task that ended there and is
	 * not yet with the reaper, say) may finish a moment later: a real
	 * leak is still there after 100 ms. */
	for (int i = 0; i < 10 && differ(&before, &after); i++) {
		nh_sleep_ns(10000000);
		nh_test_counters(&after);
		if (!differ(&before, &after))
			printf("# %s: settled after %d ms\n", t->name, 10 * (i + 1));
	}
	if (differ(&before, &after)) {
		printf("# %s: leak: %ld frames, %ld objects, %ld tasks, %ld stacks, "
		       "%ld handles\n",
		       t->name, (long)(before.free_frames - after.free_frames),
		       (long)(after.live_objects - before.live_objects),
		       (long)(after.tasks - before.tasks),
		       (long)(after.stacks - before.stacks),
		       (long)(after.handles - before.handles));
		printf("# %s: (own space %ld -> %ld frames, spaces %ld -> %ld, "
		       "memory objects %ld -> %ld)\n", t->name,
		       (long)before.own_frames, (long)after.own_frames,
		       (long)before.spaces, (long)after.spaces,
		       (long)before.memobjs, (long)after.memobjs);
		v = NH_TEST_FAIL;
	}
	return v;
}

static void result(unsigned num, const char *name, int v, unsigned *failed)
{
	if (v == NH_TEST_SKIP)
		printf("ok %u %s # SKIP (see above)\n", num, name);
	else
		printf("%s %u %s\n", v == NH_TEST_PASS ? "ok" : "not ok", num, name);
	*failed += v != NH_TEST_PASS && v != NH_TEST_SKIP;
}

int main(int argc, char **argv)
{
	const char *pattern = argc > 1 ? argv[1] : "*";
	unsigned nk = 0, total = 0, num = 0, failed = 0;
	long count = nh_test_ktest_count();

	for (long i = 0; i < count && nk < MAX_KTESTS; i++) {
		if (nh_test_ktest_name((unsigned long)i, knames[nk], NAME_MAX) > 0 &&
		    selected(pattern, knames[nk]))
			nk++;
	}
	total = nk;
	for (unsigned i = 0; i < sizeof(catalogue) / sizeof(catalogue[0]); i++)
		total += selected(pattern, catalogue[i].name);
	/* The archive the bare programs come from (spawn.c), mapped for good
	 * before any test counts what it holds. */
	if (ts_archive_open())
		printf("# no initramfs archive: programs are read by initrd_open\n");
	printf("KTAP version 1\n1..%u\n", total);
	for (unsigned i = 0; i < nk; i++) {
		settle();
		result(++num, knames[i],
		       (int)nh_test_ktest_run(knames[i], strlen(knames[i])), &failed);
	}
	for (unsigned i = 0; i < sizeof(catalogue) / sizeof(catalogue[0]); i++) {
		if (selected(pattern, catalogue[i].name))
			result(++num, catalogue[i].name, leak_checked(&catalogue[i]),
			       &failed);
	}
	if (total == 0) {
		printf("# no test matches \"%s\"\n", pattern);
		failed = 1;
	}
	printf("%u passed, %u failed\n", total - (total ? failed : 0), failed);
	fflush(stdout);
	nh_test_poweroff(failed != 0);
}
