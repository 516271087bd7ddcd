/*
 * Threads over the process server's clone (lib/posix/clone.S): each
 * pthread gets one mapping holding a guard page, its stack, its IPC
 * page (the process server's stubs need one per task), its TLS block
 * (picolibc's errno lives there) and its descriptor.  The descriptor's
 * tid word is set by CLONE_PARENT_SETTID and cleared by the kernel when
 * the thread's task ends (CLONE_CHILD_CLEARTID), with a futex wake:
 * pthread_join sleeps on it, then unmaps the thread.  A detached
 * thread's mapping is unmapped by a later pthread_create once its tid
 * word is 0.  Also gettid, and what clone.S calls.
 */
#include <errno.h>
#include <picotls.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "posix.h"
#include "proto/proc.h"

#define PAGE		4096ul
#define STACK_DEFAULT	(256 * 1024ul)
#define THREAD_FLAGS	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
			 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | \
			 CLONE_CHILD_CLEARTID)

struct __nh_pthread {
	void *(*fn)(void *);
	void *arg, *ret;
	volatile uint32_t tid;		/* 0 once its task ended (the kernel) */
	int detached;
	void *map;			/* the whole mapping; 0 for the first thread */
	void *ipc;			/* its IPC page */
	size_t map_len;
	struct __nh_pthread *next;	/* detached, waiting to be unmapped */
};

extern __thread void *__nh_thread_ipc_page;	/* process.c */
long __nh_need_buffer(void);			/* process.c */
int __nh_multithreaded;				/* process.c's _exit reads it */

static __thread struct __nh_pthread *self;
static struct __nh_pthread first;		/* the process's first thread */
static struct __nh_pthread *detached;		/* under detached_lock */
static pthread_mutex_t detached_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- clone.S's helpers ---------------------------------------------- */

long __nh_clone_buffer(uint64_t ctid, int flags);
long __nh_clone_buffer(uint64_t ctid, int flags)
{
	long r = __nh_need_buffer();

	if (r)
		return r;
	memcpy(nh_proto_buf(), &ctid, sizeof(ctid));
	if (flags & CLONE_THREAD)
		__nh_multithreaded = 1;
	return 0;
}

pid_t gettid(void)
{
	int32_t tid = -1;
	long r = proc_gettid(NH_PROC_HANDLE, &tid);

	return r ? (pid_t)__nh_fail(r) : tid;
}

/* ---- attributes --------------------------------------------------------- */

int pthread_attr_init(pthread_attr_t *a)
{
	*a = (pthread_attr_t){ .stacksize = STACK_DEFAULT, .detachstate = PTHREAD_CREATE_JOINABLE };
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *a)
{
	(void)a;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *a, size_t size)
{
	if (size < PTHREAD_STACK_MIN)
		return EINVAL;
	a->stacksize = size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size)
{
	*size = a->stacksize;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *a, int state)
{
	if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)
		return EINVAL;
	a->detachstate = state;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state)
{
	*state = a->detachstate;
	return 0;
}

/* ---- creation and the end ---------------------------------------------- */

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) & ~(to - 1);
}

/* Unmap the detached threads that have ended. */
static void reap_detached(void)
{
	struct __nh_pthread **pp = &detached;

	pthread_mutex_lock(&detached_lock);
	while (*pp) {
		struct __nh_pthread *t = *pp;

		if (__atomic_load_n(&t->tid, __ATOMIC_ACQUIRE)) {
			pp = &t->next;
			continue;
		}
		*pp = t->next;
		munmap(t->map, t->map_len);
	}
	pthread_mutex_unlock(&detached_lock);
}

static int thread_start(void *arg)
{
	struct __nh_pthread *t = arg;

	self = t;
	__nh_thread_ipc_page = t->ipc;
	pthread_exit(t->fn(t->arg));
}

/*
 * The mapping, low to high: a guard page, the stack, the IPC page, the
 * TLS block, the descriptor.  0 or ENOMEM.
 */
static int thread_map(size_t stack, struct __nh_pthread **out, void **ipc, void **tls)
{
	size_t tls_len = round_up(_tls_size() + 64, 64);
	size_t len = PAGE + round_up(stack, PAGE) + PAGE + round_up(tls_len + sizeof(**out), PAGE);
	char *m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return EAGAIN;
	mprotect(m, PAGE, PROT_NONE);
	*ipc = m + PAGE + round_up(stack, PAGE);
	*tls = (char *)*ipc + PAGE;
	*out = (struct __nh_pthread *)((char *)*tls + tls_len);
	**out = (struct __nh_pthread){ .map = m, .map_len = len };
	return 0;
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		   void *(*fn)(void *), void *arg)
{
	pthread_attr_t dflt;
	struct __nh_pthread *t;
	void *ipc, *tls;
	int err;

	if (!attr)
		pthread_attr_init(&dflt);
	attr = attr ? attr : &dflt;
	reap_detached();
	err = thread_map(attr->stacksize, &t, &ipc, &tls);
	if (err)
		return err;
	_init_tls(tls);
	t->fn = fn;
	t->arg = arg;
	t->detached = attr->detachstate == PTHREAD_CREATE_DETACHED;
	t->ipc = ipc;
	if (clone(thread_start, ipc, THREAD_FLAGS, t, &t->tid, tls, &t->tid) < 0) {
		err = errno == ENOMEM ? EAGAIN : errno;
		munmap(t->map, t->map_len);
		return err;
	}
	if (t->detached) {
		pthread_mutex_lock(&detached_lock);
		t->next = detached;
		detached = t;
		pthread_mutex_unlock(&detached_lock);
	}
	*thread = t;
	return 0;
}

void pthread_exit(void *ret)
{
	pthread_self()->ret = ret;
	for (;;)
		nh_exit(0);		/* this task only; the kernel clears tid */
}

pthread_t pthread_self(void)
{
	return self ? self : &first;
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}

int pthread_join(pthread_t t, void **ret)
{
	uint32_t tid;

	if (t == pthread_self())
		return EDEADLK;
	if (t == &first || t->detached)
		return EINVAL;
	while ((tid = __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE)) != 0)
		nh_futex_wait(&t->tid, tid, 0);
	if (ret)
		*ret = t->ret;
	munmap(t->map, t->map_len);
	return 0;
}

int pthread_detach(pthread_t t)
{
	if (t == &first || t->detached)
		return EINVAL;
	pthread_mutex_lock(&detached_lock);
	t->detached = 1;
	t->next = detached;
	detached = t;
	pthread_mutex_unlock(&detached_lock);
	return 0;
}

/* 0: not run; 1: running; 2: done (waiters sleep on 1). */
int pthread_once(pthread_once_t *once, void (*fn)(void))
{
	uint32_t v = 0;

	if (__atomic_load_n(once, __ATOMIC_ACQUIRE) == 2)
		return 0;
	if (__atomic_compare_exchange_n(once, &v, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
		fn();
		__atomic_store_n(once, 2, __ATOMIC_RELEASE);
		nh_futex_wake(once, UINT32_MAX >> 1);
		return 0;
	}
	while ((v = __atomic_load_n(once, __ATOMIC_ACQUIRE)) == 1)
		nh_futex_wait(once, 1, 0);
	return 0;
}
