/*
 * The process server's serving threads (proc.h): one a hart, each held
 * to its hart, with its own struct srv, IPC page, stack and TLS block;
 * the lock every message is handled under (libserver's enter and leave
 * hooks), and what runs outside it (proc_unlock, proc_close_later).
 */
#include <pthread.h>
#include <stdio.h>
#include <picotls.h>	/* (after a libc header: it needs picolibc.h) */

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "proc.h"
#include "proto/proc_server.h"

#define THREADS_MAX	8		/* serving threads at most */
#define THREAD_STACK	(64 * 1024)	/* as deep as main.c's warm_stack */
#define PAGE		4096

/* The lock every message is handled under (see proc.h). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static __thread struct srv *self_srv;

/* A serving thread after the first: its loop's state, its IPC buffer. */
struct worker {
	struct srv srv;
	void *buf;
};
static struct worker workers[THREADS_MAX];

/* Their stacks, IPC pages and TLS blocks, in the bss rather than mapped:
 * pages of those not started are never touched, and the mapping area
 * (where exec maps the files it reads) keeps the layout it has with one
 * thread, so the tables under it are the ones the first exec made. */
#define TLS_ROOM	PAGE		/* picolibc's TLS block, rounded */
#define THREAD_AREA	(THREAD_STACK + PAGE + TLS_ROOM)
static char areas[THREADS_MAX - 1][THREAD_AREA] __attribute__((aligned(PAGE)));

struct srv *proc_self_srv(void)
{
	return self_srv ? self_srv : &proc_srv.srv;
}

static void enter(struct srv *s)
{
	(void)s;
	pthread_mutex_lock(&lock);
}

/* Handles proc_close_later keeps for leave; past LATER_MAX, closed at once. */
#define LATER_MAX	16
static __thread long later[LATER_MAX];
static __thread unsigned nlater;

static void leave(struct srv *s)
{
	(void)s;
	pthread_mutex_unlock(&lock);
	while (nlater)
		nh_handle_close(later[--nlater]);
}

void proc_unlock(void)
{
	if (proc_srv.srv.enter)
		pthread_mutex_unlock(&lock);
}

void proc_lock(void)
{
	if (proc_srv.srv.enter)
		pthread_mutex_lock(&lock);
}

void proc_close_later(long h)
{
	if (proc_srv.srv.enter && nlater < LATER_MAX)
		later[nlater++] = h;
	else
		nh_handle_close(h);
}

/* A serving thread's life: the first thread's loop, on its own hart. */
__attribute__((noreturn)) static void worker_main(long i)
{
	struct worker *w = &workers[i];
	long r = srv_init(&w->srv, proc_srv.ep, w->buf, &proc_proto);

	self_srv = &w->srv;
	w->srv.who = proc_srv.srv.who;	/* the first thread's hooks */
	w->srv.event = proc_srv.srv.event;
	w->srv.enter = enter;
	w->srv.leave = leave;
	if (!r)
		r = srv_run(&w->srv);
	printf("proc: thread %ld: the endpoint failed: %ld\n", i, r);
	for (;;)
		nh_exit(1);
}

/*
 * One serving thread a hart, each held to its hart, so that a caller's
 * request is taken on its own hart by IPC's fast path (it prefers a
 * receiver there).  Each has a stack (touched now, like warm_stack's: a
 * large request must not grow the server), an IPC page and a TLS block,
 * mapped at once.  The first thread is the one already running.
 */
void proc_start_threads(void)
{
	struct nh_sys_info info = { 0 };
	struct nh_sched sched = { .cls = NH_SCHED_FAIR, .allowed = 1 };

	proc_srv.nthreads = 1;
	if (nh_sys_info(&info) || info.harts_online < 2)
		return;
	if (_tls_size() + 64 > TLS_ROOM) {	/* (as pthread's: 64 to spare) */
		printf("proc: TLS too large for the serving threads: one thread\n");
		return;
	}
	nh_task_sched_set(NH_SELF_TASK, &sched);
	proc_srv.srv.enter = enter;	/* (one thread needs no lock) */
	proc_srv.srv.leave = leave;
	for (unsigned i = 1; i < info.harts_online && i < THREADS_MAX; i++) {
		char *m = areas[i - 1];
		struct nh_task_start st = { .pc = (uint64_t)worker_main, .a0 = i,
			.sched = { .cls = NH_SCHED_FAIR, .allowed = 1ull << i },
			.flags = NH_START_SHARE_HANDLES, .name = "proc" };
		long t;

		for (size_t off = 0; off < THREAD_AREA; off += PAGE)
			m[off] = 0;
		workers[i].buf = m + THREAD_STACK;
		_init_tls(m + THREAD_STACK + PAGE);
		st.sp = (uint64_t)(m + THREAD_STACK);
		st.tp = (uint64_t)(m + THREAD_STACK + PAGE);
		t = nh_task_create(NH_SELF_SPACE, &st);
		if (t < 0)
			break;
		nh_handle_close(t);	/* (it lives as long as the server) */
		proc_srv.nthreads++;
	}
}
