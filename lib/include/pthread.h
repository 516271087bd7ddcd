/*
 * <pthread.h> for Nuthatch (picolibc has none): threads made with clone
 * through the process server (lib/posix/pthread.c), futex mutexes and
 * condition variables (lib/posix/mutex.c).  A minimal set: create, join,
 * detach, exit, self, equal, once; attributes for the stack size and the
 * detach state; normal, recursive and error-checking mutexes.
 */
#ifndef _PTHREAD_H
#define _PTHREAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct __nh_pthread *pthread_t;

typedef struct {
	size_t stacksize;
	int detachstate;
} pthread_attr_t;

#define PTHREAD_CREATE_JOINABLE	0
#define PTHREAD_CREATE_DETACHED	1
#define PTHREAD_STACK_MIN	16384

#define PTHREAD_MUTEX_NORMAL		0
#define PTHREAD_MUTEX_RECURSIVE		1
#define PTHREAD_MUTEX_ERRORCHECK	2
#define PTHREAD_MUTEX_DEFAULT		PTHREAD_MUTEX_NORMAL

typedef struct {
	volatile uint32_t word;	/* 0 free, 1 held, 2 held with waiters */
	int type;		/* PTHREAD_MUTEX_* */
	void *owner;		/* recursive and error-checking: who holds it */
	unsigned count;		/* recursive: how deep */
} pthread_mutex_t;

typedef struct {
	int type;
} pthread_mutexattr_t;

#define PTHREAD_MUTEX_INITIALIZER	{ 0, PTHREAD_MUTEX_NORMAL, 0, 0 }

typedef struct {
	volatile uint32_t seq;	/* bumped by every signal and broadcast */
} pthread_cond_t;

typedef struct {
	int unused;
} pthread_condattr_t;

#define PTHREAD_COND_INITIALIZER	{ 0 }

typedef volatile uint32_t pthread_once_t;
#define PTHREAD_ONCE_INIT	0

int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		   void *(*start)(void *), void *arg);
int pthread_join(pthread_t thread, void **retval);
int pthread_detach(pthread_t thread);
void pthread_exit(void *retval) __attribute__((noreturn));
pthread_t pthread_self(void);
int pthread_equal(pthread_t a, pthread_t b);
int pthread_once(pthread_once_t *once, void (*fn)(void));

int pthread_attr_init(pthread_attr_t *attr);
int pthread_attr_destroy(pthread_attr_t *attr);
int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size);
int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size);
int pthread_attr_setdetachstate(pthread_attr_t *attr, int state);
int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state);

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr);
int pthread_mutex_destroy(pthread_mutex_t *m);
int pthread_mutex_lock(pthread_mutex_t *m);
int pthread_mutex_trylock(pthread_mutex_t *m);
int pthread_mutex_unlock(pthread_mutex_t *m);
int pthread_mutexattr_init(pthread_mutexattr_t *attr);
int pthread_mutexattr_destroy(pthread_mutexattr_t *attr);
int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type);
int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type);

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr);
int pthread_cond_destroy(pthread_cond_t *c);
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int pthread_cond_signal(pthread_cond_t *c);
int pthread_cond_broadcast(pthread_cond_t *c);

#ifdef __cplusplus
}
#endif

#endif
