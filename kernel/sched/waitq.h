/*
 * Wait queues: tasks sleep until a condition holds, interruptibly or
 * not, optionally until a deadline.  The condition is evaluated under the
 * queue's lock, and wakers change the state it reads and wake under the
 * same lock, so no wake-up is lost.
 */
#ifndef NUTHATCH_WAITQ_H
#define NUTHATCH_WAITQ_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/list.h"
#include "core/spinlock.h"

struct task;

struct waitq {
	struct spinlock lock;		/* protects waiters and the condition */
	struct list_node waiters;	/* struct task wait_node, FIFO */
};

void waitq_init(struct waitq *q, const char *name);

/*
 * Sleep until cond(arg) is true (checked with q->lock held), the task is
 * interrupted (when @interruptible: -NH_EINTR, or -TASK_ERESTART for a
 * task control stop or kill request) or clock_ns() passes
 * @deadline (when non-zero: -NH_ETIMEDOUT).  Returns 0 when cond held.
 */
int waitq_wait(struct waitq *q, bool interruptible, uint64_t deadline,
	       bool (*cond)(void *arg), void *arg);

/* Wake the first sleeper still asleep; true if one woke. */
bool waitq_wake_one(struct waitq *q);
/* The same with q->lock held, for callers that change the condition
 * and wake in one critical section. */
bool waitq_wake_one_locked(struct waitq *q);
/* Wake every sleeper; returns how many woke. */
unsigned waitq_wake_all(struct waitq *q);

/* Wake @t from an interruptible sleep with -NH_EINTR; true if it slept. */
bool task_interrupt(struct task *t);

/* Sleep for @ns (uninterruptible); returns 0. */
int task_sleep_ns(uint64_t ns);

/* Sleep for @ns interruptibly: -NH_ETIMEDOUT when it ran its length, or
 * what interrupted it (-NH_EINTR, TASK_ERESTART). */
int task_sleep_ns_interruptible(uint64_t ns);

#endif
