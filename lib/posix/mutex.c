/*
 * Locks over futexes: one futex mutex (0 free, 1 held, 2 held with
 * sleepers: a release that finds 2 wakes one), and on it pthread's
 * mutexes (normal, recursive, error-checking) and condition variables,
 * and the locks picolibc takes around malloc and stdio (its retargetable
 * locking: struct __lock and the __retarget_lock_* calls, which replace
 * picolibc's empty ones).  A thread is known by its tp, which every
 * pthread has its own of.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/lock.h>

#include "nuthatch.h"

/* ---- the futex mutex ---------------------------------------------------------- */

static void word_lock(volatile uint32_t *w)
{
	uint32_t c = 0;

	if (__atomic_compare_exchange_n(w, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		nh_futex_wait(w, 2, 0);
		c = __atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE);
	}
}

static int word_trylock(volatile uint32_t *w)
{
	uint32_t c = 0;

	return __atomic_compare_exchange_n(w, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static void word_unlock(volatile uint32_t *w)
{
	if (__atomic_exchange_n(w, 0, __ATOMIC_RELEASE) == 2)
		nh_futex_wake(w, 1);
}

static void *me(void)
{
	return __builtin_thread_pointer();
}

/* ---- pthread mutexes -------------------------------------------------------- */

int pthread_mutexattr_init(pthread_mutexattr_t *a)
{
	a->type = PTHREAD_MUTEX_DEFAULT;
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *a)
{
	(void)a;
	return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type)
{
	if (type < PTHREAD_MUTEX_NORMAL || type > PTHREAD_MUTEX_ERRORCHECK)
		return EINVAL;
	a->type = type;
	return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *type)
{
	*type = a->type;
	return 0;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	*m = (pthread_mutex_t){ .type = a ? a->type : PTHREAD_MUTEX_DEFAULT };
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	return m->word ? EBUSY : 0;
}

/* The owner's second lock: 0 to go on and take it, else the answer. */
static int relock(pthread_mutex_t *m)
{
	if (m->type == PTHREAD_MUTEX_NORMAL || m->owner != me())
		return -1;
	if (m->type == PTHREAD_MUTEX_ERRORCHECK)
		return EDEADLK;
	m->count++;
	return 0;
}

static void owned(pthread_mutex_t *m)
{
	m->owner = me();
	m->count = 1;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	int r = relock(m);

	if (r >= 0)
		return r;
	word_lock(&m->word);
	owned(m);
	return 0;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	int r = relock(m);

	if (r >= 0)
		return r == EDEADLK ? EBUSY : r;
	if (!word_trylock(&m->word))
		return EBUSY;
	owned(m);
	return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	if (m->type != PTHREAD_MUTEX_NORMAL && m->owner != me())
		return EPERM;
	if (m->type == PTHREAD_MUTEX_RECURSIVE && --m->count)
		return 0;
	m->owner = 0;
	word_unlock(&m->word);
	return 0;
}

/* ---- condition variables ----------------------------------------------------- */

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	(void)a;
	c->seq = 0;
	return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	(void)c;
	return 0;
}

/* Sleeps unless a signal came after the mutex was let go (seq moved). */
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	uint32_t seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
	unsigned depth = m->count;

	m->count = 1;
	pthread_mutex_unlock(m);
	nh_futex_wait(&c->seq, seq, 0);
	word_lock(&m->word);	/* as contended: a later unlock wakes the next */
	__atomic_store_n(&m->word, 2, __ATOMIC_RELAXED);
	owned(m);
	m->count = depth;
	return 0;
}

int pthread_cond_signal(pthread_cond_t *c)
{
	__atomic_fetch_add(&c->seq, 1, __ATOMIC_RELEASE);
	nh_futex_wake(&c->seq, 1);
	return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	__atomic_fetch_add(&c->seq, 1, __ATOMIC_RELEASE);
	nh_futex_wake(&c->seq, UINT32_MAX >> 1);
	return 0;
}

/* ---- picolibc's locks (sys/lock.h): all recursive ------------------------------ */

struct __lock {
	volatile uint32_t word;
	void *owner;
	unsigned count;
};

struct __lock __lock___libc_recursive_mutex;

static void rlock(struct __lock *l)
{
	if (l->owner == me()) {
		l->count++;
		return;
	}
	word_lock(&l->word);
	l->owner = me();
	l->count = 1;
}

static int rtrylock(struct __lock *l)
{
	if (l->owner == me()) {
		l->count++;
		return 0;
	}
	if (!word_trylock(&l->word))
		return -1;
	l->owner = me();
	l->count = 1;
	return 0;
}

static void runlock(struct __lock *l)
{
	if (--l->count)
		return;
	l->owner = 0;
	word_unlock(&l->word);
}

/* picolibc names a plain and a recursive form of each; here every lock
 * is recursive, so each plain form is the recursive one under another
 * name. */
void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	*lock = calloc(1, sizeof(struct __lock));
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	free(lock);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	if (lock)
		rlock(lock);
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	return lock ? rtrylock(lock) : 0;
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	if (lock)
		runlock(lock);
}

#define SAME_AS(f)	__attribute__((alias(#f)))
void __retarget_lock_init(_LOCK_T *lock) SAME_AS(__retarget_lock_init_recursive);
void __retarget_lock_close(_LOCK_T lock) SAME_AS(__retarget_lock_close_recursive);
void __retarget_lock_acquire(_LOCK_T lock) SAME_AS(__retarget_lock_acquire_recursive);
int __retarget_lock_try_acquire(_LOCK_T lock) SAME_AS(__retarget_lock_try_acquire_recursive);
void __retarget_lock_release(_LOCK_T lock) SAME_AS(__retarget_lock_release_recursive);

/* For lib/start.c's console stream. */
void __nh_stdio_lock(void);
void __nh_stdio_unlock(void);
static struct __lock stdio_lock;

void __nh_stdio_lock(void)
{
	rlock(&stdio_lock);
}

void __nh_stdio_unlock(void)
{
	runlock(&stdio_lock);
}
