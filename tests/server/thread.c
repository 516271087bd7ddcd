/*
 * Threads and clone through the process server (servers/proc/clone.c,
 * fork.c; lib/posix/clone.S, pthread.c, mutex.c).  Each test runs its
 * threads in a forked child, which reports through its exit status, so
 * the test server itself stays single-threaded; every test also checks
 * the server's table before and after.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nuthatch/errno.h>

#include "nhtest.h"
#include "nuthatch.h"
#include "parts.h"

#define NTHREADS	4
#define ROUNDS		2000

struct shared {
	pthread_mutex_t lock;
	long counter;
	pid_t tids[NTHREADS];
	pid_t pids[NTHREADS];
	int errno_kept[NTHREADS];
};

static struct shared sh;

static void *worker(void *arg)
{
	long i = (long)arg;

	sh.tids[i] = gettid();
	sh.pids[i] = getpid();
	errno = 100 + (int)i;		/* errno is per thread (TLS) */
	for (int k = 0; k < ROUNDS; k++) {
		pthread_mutex_lock(&sh.lock);
		sh.counter++;
		pthread_mutex_unlock(&sh.lock);
		if (k % 256 == 0)
			nh_yield();
	}
	sh.errno_kept[i] = errno == 100 + (int)i;
	return (void *)(i * 10);
}

/* Exit code: 0 if all is well, else the number of the first failed check. */
static int threads_child(long arg)
{
	pthread_t t[NTHREADS];
	void *ret;

	(void)arg;
	memset(&sh, 0, sizeof(sh));
	pthread_mutex_init(&sh.lock, 0);
	errno = 7;
	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], 0, worker, (void *)i))
			return 1;
	for (long i = 0; i < NTHREADS; i++)
		if (pthread_join(t[i], &ret) || ret != (void *)(i * 10))
			return 2;
	if (sh.counter != NTHREADS * ROUNDS)
		return 3;
	for (int i = 0; i < NTHREADS; i++) {
		if (sh.pids[i] != getpid() || sh.tids[i] == getpid() || sh.tids[i] <= 1)
			return 4;
		for (int j = 0; j < i; j++)
			if (sh.tids[i] == sh.tids[j])
				return 5;
		if (!sh.errno_kept[i])
			return 6;
	}
	if (errno != 7 || gettid() != getpid())
		return 7;
	if (pthread_join(pthread_self(), &ret) != EDEADLK)
		return 8;
	return 0;
}

int thread_pthreads_share_memory_with_their_own_tids(void)
{
	struct proc_table before = proc_table_now();
	int ok = 1, status = -1;
	pid_t pid = proc_spawn_child(threads_child, 0);

	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid && proc_exited_with(status, 0));
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* ---- raw clone: the tid words, flags, errors -------------------------------- */

static char clone_stack[16384] __attribute__((aligned(16)));
static volatile uint32_t ptid_word, ctid_word;
static volatile int clone_ran;

/* Runs on clone_stack with the parent's tp: touches no libc. */
static int raw_fn(void *arg)
{
	clone_ran = (int)(long)arg;
	return 0;
}

/* Touches its stack at once (raw_fn, a leaf, may not). */
static int uses_its_stack(void *arg)
{
	volatile char buf[64];

	buf[0] = (char)(long)arg;
	return buf[0];
}

#define RAW_THREAD	(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_PARENT_SETTID | \
			 CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)

static int raw_clone_child(long arg)
{
	int tid, status = -1;
	uint32_t w;

	(void)arg;
	ptid_word = ctid_word = 0;
	tid = clone(raw_fn, clone_stack + sizeof(clone_stack), RAW_THREAD, (void *)5,
		    &ptid_word, 0, &ctid_word);
	if (tid <= 1 || ptid_word != (uint32_t)tid)
		return 1;
	while ((w = ctid_word) != 0)		/* CHILD_SETTID, then cleared at its end */
		nh_futex_wait(&ctid_word, w, 0);
	if (clone_ran != 5)
		return 2;
	errno = 0;
	if (clone(raw_fn, clone_stack + sizeof(clone_stack), CLONE_VM | CLONE_THREAD, 0) != -1 ||
	    errno != EINVAL)
		return 3;			/* CLONE_THREAD needs CLONE_SIGHAND */
	if (clone(raw_fn, clone_stack + sizeof(clone_stack), CLONE_SIGHAND, 0) != -1 ||
	    errno != EINVAL)
		return 4;			/* CLONE_SIGHAND needs CLONE_VM */
	if (clone(raw_fn, clone_stack + sizeof(clone_stack), 0x2000 | SIGCHLD, 0) != -1 ||
	    errno != EINVAL)
		return 5;			/* CLONE_PTRACE: not known */
	if (clone(0, clone_stack + sizeof(clone_stack), SIGCHLD, 0) != -1 || errno != EINVAL)
		return 6;
	if (clone(raw_fn, 0, SIGCHLD, 0) != -1 || errno != EINVAL)
		return 7;
	if (clone(raw_fn, clone_stack + sizeof(clone_stack), RAW_THREAD, 0,
		  (uint32_t *)0x8, 0, &ctid_word) != -1 || errno != EFAULT)
		return 8;			/* a wild tid word: nothing started */
	if (clone_ran != 5)
		return 9;
	/* a stack in the kernel half: the child starts, faults, and dies */
	tid = clone(uses_its_stack, (void *)0xffffffc000001000ul, SIGCHLD, 0);
	if (tid <= 1 || waitpid(tid, &status, 0) != tid || !WIFSIGNALED(status) ||
	    WTERMSIG(status) != SIGSEGV)
		return 10;
	return 0;
}

int thread_clone_tid_words_and_bad_flags(void)
{
	struct proc_table before = proc_table_now();
	int ok = 1, status = -1;
	pid_t pid = proc_spawn_child(raw_clone_child, 0);

	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid && proc_exited_with(status, 0));
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* ---- clone as a process: copied memory, vfork, CLONE_PARENT ---------------- */

static volatile int cloned_word;

static int set_word(void *arg)
{
	cloned_word = (int)(long)arg;
	return 33;
}

static int sibling(void *arg)
{
	(void)arg;
	return getppid() == (pid_t)(long)cloned_word ? 44 : 45;
}

/* A middle process whose clone(CLONE_PARENT) child is its parent's. */
static int make_sibling(long grandparent)
{
	cloned_word = (int)grandparent;
	return clone(sibling, clone_stack + sizeof(clone_stack), CLONE_PARENT | SIGCHLD, 0) > 1
	       ? 0 : 1;
}

int thread_clone_makes_processes_too(void)
{
	struct proc_table before = proc_table_now();
	int ok = 1, status = -1;
	pid_t pid;

	cloned_word = 1;
	fflush(stdout);
	pid = clone(set_word, clone_stack + sizeof(clone_stack), SIGCHLD, (void *)2);
	EXPECT(pid > 1 && waitpid(pid, &status, 0) == pid && proc_exited_with(status, 33));
	EXPECT(cloned_word == 1);		/* its own copy of memory */
	pid = clone(set_word, clone_stack + sizeof(clone_stack), CLONE_VM | CLONE_VFORK | SIGCHLD,
		    (void *)3);
	EXPECT(pid > 1 && cloned_word == 3);	/* shared, and we were held */
	EXPECT(waitpid(pid, &status, 0) == pid && proc_exited_with(status, 33));
	pid = proc_spawn_child(make_sibling, getpid());
	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid && proc_exited_with(status, 0));
	pid = wait(&status);			/* the sibling is our child */
	EXPECT(pid > 1 && proc_exited_with(status, 44));
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* ---- the ends of a process with threads --------------------------------------- */

static void *sleeper(void *arg)
{
	while (nh_sleep_ns(1000000000) >= 0)
		;
	return arg;
}

static void *exits_process(void *arg)
{
	nh_sleep_ns(5000000);
	exit((int)(long)arg);
}

static void *faults(void *arg)
{
	volatile int *wild = arg;

	nh_sleep_ns(5000000);
	*wild = 1;
	return 0;
}

static void *execs(void *arg)
{
	char *const argv[] = { "hello", "one", "two", 0 };

	(void)arg;
	nh_sleep_ns(5000000);
	execv("/bin/hello", argv);
	return 0;
}

static void *returns_9(void *arg)
{
	(void)arg;
	nh_sleep_ns(20000000);
	return (void *)9;
}

/* Sleepers, then one more thread doing what @how says while the main
 * thread sleeps (how 0: the main thread exits). */
static int group_child(long how)
{
	void *(*last[])(void *) = { 0, exits_process, faults, execs };
	pthread_t t;

	for (int i = 0; i < 3; i++)
		if (pthread_create(&t, 0, sleeper, 0))
			return 100;
	if (how == 0)
		exit(5);			/* main thread: exit_group */
	if (pthread_create(&t, 0, last[how], how == 2 ? (void *)8 : (void *)6))
		return 101;
	for (;;)
		nh_sleep_ns(1000000000);
}

int thread_exit_fault_and_exec_end_every_thread(void)
{
	static const struct {
		int how, wanted_exit, wanted_signal;
	} cases[] = {
		{ 0, 5, 0 },		/* exit in the main thread */
		{ 1, 6, 0 },		/* exit in another thread */
		{ 2, -1, SIGSEGV },	/* a fault in one kills them all */
		{ 3, 7, 0 },		/* exec in another thread: hello's status */
	};
	struct proc_table before = proc_table_now();
	int ok = 1;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int status = -1;
		pid_t pid = proc_spawn_child(group_child, cases[i].how);

		EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid);
		if (cases[i].wanted_signal)
			EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == cases[i].wanted_signal);
		else
			EXPECT(proc_exited_with(status, cases[i].wanted_exit));
	}
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int leader_ends_first(long arg)
{
	pthread_t t;

	(void)arg;
	if (pthread_create(&t, 0, returns_9, 0))
		return 100;
	pthread_exit(0);
}

/* The leader ends first (pthread_exit); the process lives on until its
 * last thread ends, and its status is the leader's (0), as in Linux. */
int thread_the_leader_may_end_first(void)
{
	struct proc_table before = proc_table_now();
	int ok = 1, status = -1;
	pid_t pid = proc_spawn_child(leader_ends_first, 0);

	nh_sleep_ns(5000000);
	EXPECT(pid > 0 && waitpid(pid, &status, WNOHANG) == 0);	/* still running */
	EXPECT(waitpid(pid, &status, 0) == pid && proc_exited_with(status, 0));
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* ---- forks the server builds while others come and go ------------------------- */

#define FORKERS		3

/* Forks and reaps children until the process ends around it. */
static void *fork_loop(void *arg)
{
	(void)arg;
	for (;;) {
		pid_t c = fork();

		if (c == 0)
			_exit(0);
		if (c > 0)
			waitpid(c, 0, 0);
	}
	return 0;
}

/* Threads forking in a loop; after @ms milliseconds the main thread
 * ends the process (exit_group) while forks are being built. */
static int forkers_then_exit(long ms)
{
	pthread_t t;

	for (int i = 0; i < FORKERS; i++)
		if (pthread_create(&t, 0, fork_loop, 0))
			return 100;
	nh_sleep_ns((uint64_t)ms * 1000000);
	exit(4);
}

/* A process of forking threads.  The server builds a fork's space and
 * task with its lock let go (servers/proc/fork.c): a caller that ends
 * meanwhile (its process exits) gets no child, and nothing leaks:
 * children already made are reparented to init and reaped, and the
 * table comes back.  Several such processes at once, with a process of
 * plain forks beside them, keep every serving thread busy. */
int thread_forks_race_the_end_of_their_process(void)
{
	struct proc_table before = proc_table_now();
	pid_t pids[4];
	int ok = 1;

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 4; i++)
			pids[i] = proc_spawn_child(forkers_then_exit, 5 + 7 * i + round);
		for (int i = 0; i < 4; i++) {
			int status = -1;

			EXPECT(pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i]);
			EXPECT(proc_exited_with(status, 4));
		}
	}
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}
