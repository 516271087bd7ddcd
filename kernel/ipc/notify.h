/*
 * Notifications: an object holding a 64-bit word of signal bits, the
 * asynchronous half of IPC.  notify_signal(bits) ORs bits into the word
 * and wakes one waiter; notify_wait blocks (interruptibly) until the word
 * is non-zero, then returns it and clears it in one step; notify_poll
 * does the same without blocking (0 when nothing is pending).  Signals
 * coalesce: three signals before a wait give one wake-up with the union
 * of their bits.  Interrupt lines bound to a notification (uirq.h) signal
 * it from the interrupt handler.
 *
 * Invariant: a waiter sleeps only while the word is zero (it checks the
 * word under the lock before sleeping and the signaller sets it under the
 * same lock), so no signal is lost; each signal wakes at most one waiter,
 * and the woken waiter takes the whole word, so a second waiter sleeps on
 * until the next signal.
 *
 * Binding (for endpoints, ipc.c): a notification may be bound to another
 * receiver with notify_bind(n, fn, ctx).  Then a signal that finds no
 * waiter on the notification itself calls fn(ctx) after the bits are
 * recorded, with no notification lock held, so the bound receiver (a task
 * blocked receiving on an endpoint) can wake and pick the bits up with
 * notify_poll.  fn may run on any hart and in interrupt context; it must
 * not sleep.  notify_unbind returns only once no call of fn that saw the
 * binding is still running (a count of calls in flight), so ctx may go
 * right after it (the endpoint holds a reference on the notification and
 * unbinds before it goes).
 *
 * Locking: the word and the binding are protected by the wait queue's
 * lock (RANK_WAITQ), taken with no other lock held; it is never held
 * while bound_fn runs.  Lifetime: refcounted ([a] refs); handles,
 * interrupt bindings and the creator each hold one.
 */
#ifndef NUTHATCH_NOTIFY_H
#define NUTHATCH_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "sched/waitq.h"

struct notify {
	int refs;			/* [a] handles, bindings, the creator */
	struct waitq wq;		/* its lock protects the fields below */
	uint64_t word;			/* [wq.lock] pending bits */
	void (*bound_fn)(void *ctx);	/* [wq.lock] a bound receiver, or NULL */
	void *bound_ctx;		/* [wq.lock] */
	int calling;			/* [a] bound_fn calls in flight */
};

/*
 * Bits pending, read without the lock: a hint for IPC's fast path, which
 * blocks a receiver only if none are (a signal racing with it finds the
 * receiver waiting through the bound hook, under the endpoint lock).
 */
static inline bool notify_pending(const struct notify *n)
{
	return __atomic_load_n(&n->word, __ATOMIC_RELAXED) != 0;
}

/* Set up the cache and register NH_OBJ_NOTIFY (boot). */
void notify_init(void);

/* A new notification (one reference, the caller's), or NULL (-NH_ENOMEM). */
struct notify *notify_create(int *err);

void notify_get(struct notify *n);
void notify_put(struct notify *n);

/*
 * OR @bits into the word; if they were non-zero, wake one waiter, or if
 * none sleeps, call the bound receiver.  Safe in interrupt context.
 * Signalling 0 changes nothing.
 */
void notify_signal(struct notify *n, uint64_t bits);

/*
 * Sleep interruptibly until the word is non-zero; returns it (> 0 as a
 * 64-bit value, which may have the top bit set: callers compare with 0
 * through *bits) in *bits and clears it: 0, or -NH_EINTR, or
 * -TASK_ERESTART (a stop or kill request; the call restarts).
 */
int notify_wait(struct notify *n, uint64_t *bits);

/* The word, cleared; 0 if nothing was pending.  Never sleeps. */
uint64_t notify_poll(struct notify *n);

/* Bind the notification to a receiver (one at a time: -NH_EBUSY), and
 * undo it. */
int notify_bind(struct notify *n, void (*fn)(void *ctx), void *ctx);
void notify_unbind(struct notify *n);

/* Live notifications (leak checks and tests). */
uint64_t notify_live(void);

#endif
