/*
 * Notification self-tests (NTFY): coalescing, poll, one waiter woken per
 * signal, interrupted waits, the bound-receiver hook, and signals from
 * another hart.  Waiters are kernel threads; the user-level tests in
 * tests/server/server.c cover the system calls and the restart rule.
 */
#include <nuthatch/errno.h>

#include "core/hart.h"
#include "debug/ktest.h"
#include "ipc/notify.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "sched/timer.h"
#include "sched/waitq.h"

/* Sleep until @t is in state @s (at most @ms). */
static bool reaches(struct task *t, enum task_state s, unsigned ms)
{
	uint64_t end = clock_ns() + ms * 1000000ull;

	while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != s && clock_ns() < end)
		task_sleep_ns(1000000);
	return t->state == s;
}

static bool until(volatile uint64_t *v, uint64_t want, unsigned ms)
{
	uint64_t end = clock_ns() + ms * 1000000ull;

	while (__atomic_load_n(v, __ATOMIC_ACQUIRE) != want && clock_ns() < end)
		task_sleep_ns(1000000);
	return *v == want;
}

KTEST(NTFY0001_signals_coalesce_and_poll_clears)
{
	int err;
	struct notify *n = notify_create(&err);
	uint64_t bits = 0;

	KT_EXPECT(t, n != 0);
	if (!n)
		return;
	KT_EXPECT(t, notify_poll(n) == 0);
	notify_signal(n, 1);
	notify_signal(n, 2);
	notify_signal(n, 1ull << 40);
	notify_signal(n, 0);	/* nothing */
	KT_EXPECT(t, notify_wait(n, &bits) == 0 && bits == (3 | 1ull << 40));
	KT_EXPECT(t, notify_poll(n) == 0);
	notify_signal(n, 8);
	notify_signal(n, 8);
	KT_EXPECT(t, notify_poll(n) == 8);
	KT_EXPECT(t, notify_poll(n) == 0);
	notify_put(n);
}

struct waiter {
	struct notify *n;
	uint64_t wakes;		/* [a] signals this waiter took */
	uint64_t bits;		/* [a] their union */
	int rounds;
	int last_err;
};

static void waiter_main(void *arg)
{
	struct waiter *w = arg;

	for (int i = 0; i < w->rounds; i++) {
		uint64_t b;

		w->last_err = notify_wait(w->n, &b);
		if (w->last_err)
			break;
		__atomic_fetch_or(&w->bits, b, __ATOMIC_RELAXED);
		__atomic_fetch_add(&w->wakes, 1, __ATOMIC_RELEASE);
	}
	task_exit(w->last_err);
}

/* Two waiters, one signal at a time: each signal wakes exactly one, the
 * one that waited longest (FIFO), which takes the bits. */
KTEST(NTFY0002_one_waiter_woken_per_signal)
{
	int err;
	struct notify *n = notify_create(&err);
	struct waiter a = { .n = n, .rounds = 2 }, b = { .n = n, .rounds = 2 };
	struct task *ta, *tb;

	if (!n)
		return (void)KT_EXPECT(t, n != 0);
	ta = kthread_create("ntfy-a", waiter_main, &a, 0, &err);
	KT_EXPECT(t, ta && reaches(ta, TASK_SLEEPING, 1000));
	tb = kthread_create("ntfy-b", waiter_main, &b, 0, &err);
	KT_EXPECT(t, tb && reaches(tb, TASK_SLEEPING, 1000));
	for (int round = 0; round < 2 && ta && tb; round++) {
		notify_signal(n, 1u << (2 * round));
		KT_EXPECT(t, until(&a.wakes, round + 1, 1000));
		KT_EXPECT(t, reaches(ta, round ? TASK_DEAD : TASK_SLEEPING, 1000));
		KT_EXPECT(t, b.wakes == (uint64_t)round);
		notify_signal(n, 2u << (2 * round));
		KT_EXPECT(t, until(&b.wakes, round + 1, 1000));
		KT_EXPECT(t, a.wakes == (uint64_t)round + 1);
	}
	KT_EXPECT(t, a.bits == 5 && b.bits == 10);
	KT_EXPECT(t, ta && task_join(ta) == 0);
	KT_EXPECT(t, tb && task_join(tb) == 0);
	KT_EXPECT(t, notify_poll(n) == 0);
	notify_put(n);
}

/* An interrupted wait returns -NH_EINTR and loses no bits: a signal
 * after it is still there for the next wait or poll. */
KTEST(NTFY0003_interrupted_wait_keeps_the_word)
{
	int err;
	struct notify *n = notify_create(&err);
	struct waiter w = { .n = n, .rounds = 1 };
	struct task *tw;

	if (!n)
		return (void)KT_EXPECT(t, n != 0);
	tw = kthread_create("ntfy-intr", waiter_main, &w, 0, &err);
	KT_EXPECT(t, tw && reaches(tw, TASK_SLEEPING, 1000));
	KT_EXPECT(t, tw && task_interrupt(tw));
	KT_EXPECT(t, tw && task_join(tw) == -NH_EINTR);
	KT_EXPECT(t, w.wakes == 0);
	notify_signal(n, 4);
	KT_EXPECT(t, notify_poll(n) == 4);
	notify_put(n);
}

struct bound {
	uint64_t calls;		/* [a] */
	struct notify *n;
	uint64_t seen;		/* bits the receiver picked up */
};

static void bound_fn(void *ctx)
{
	struct bound *b = ctx;

	b->seen |= notify_poll(b->n);	/* no notification lock held here */
	__atomic_fetch_add(&b->calls, 1, __ATOMIC_RELEASE);
}

/* With a bound receiver: a signal that finds no waiter calls it (with the
 * bits already recorded); a signal that wakes a waiter does not. */
KTEST(NTFY0004_bound_receiver_hook)
{
	int err;
	struct notify *n = notify_create(&err);
	struct bound b = { .n = n };
	struct waiter w = { .n = n, .rounds = 1 };
	struct task *tw;

	if (!n)
		return (void)KT_EXPECT(t, n != 0);
	KT_EXPECT(t, notify_bind(n, bound_fn, &b) == 0);
	KT_EXPECT(t, notify_bind(n, bound_fn, &b) == -NH_EBUSY);
	KT_EXPECT(t, notify_bind(n, 0, 0) == -NH_EINVAL);
	notify_signal(n, 0x30);
	KT_EXPECT(t, b.calls == 1 && b.seen == 0x30);
	tw = kthread_create("ntfy-bound", waiter_main, &w, 0, &err);
	KT_EXPECT(t, tw && reaches(tw, TASK_SLEEPING, 1000));
	notify_signal(n, 1);
	KT_EXPECT(t, tw && task_join(tw) == 0 && w.bits == 1);
	KT_EXPECT(t, b.calls == 1);
	notify_unbind(n);
	notify_signal(n, 2);
	KT_EXPECT(t, b.calls == 1 && notify_poll(n) == 2);
	KT_EXPECT(t, notify_bind(n, bound_fn, &b) == 0);
	notify_unbind(n);
	notify_put(n);
}

static void signaller_main(void *arg)
{
	struct notify *n = arg;

	for (unsigned i = 0; i < 64; i++)
		notify_signal(n, 1ull << i);
	task_exit(0);
}

/* Signals from another hart while this one waits: every bit arrives,
 * none twice, across however many wake-ups it took. */
KTEST(NTFY0005_signals_from_another_hart)
{
	struct task_attr attr = { .cls = SCHED_FAIR, .allowed = 2 };
	int err;
	struct notify *n;
	struct task *s;
	uint64_t got = 0, bits;
	unsigned wakes = 0;

	if (nharts_online < 2)
		return ktest_skip(t, "one hart");
	n = notify_create(&err);
	if (!n)
		return (void)KT_EXPECT(t, n != 0);
	s = kthread_create("ntfy-sig", signaller_main, n, &attr, &err);
	KT_EXPECT(t, s != 0);
	while (s && got != ~0ull && notify_wait(n, &bits) == 0) {
		KT_EXPECT(t, !(got & bits));
		got |= bits;
		wakes++;
	}
	KT_EXPECT(t, got == ~0ull && wakes >= 1 && wakes <= 64);
	KT_EXPECT(t, s && task_join(s) == 0);
	notify_put(n);
}

/*
 * A signal that wakes a waiter of higher priority on this hart switches
 * to it before notify_signal returns (sched_kick_point), unless it comes
 * with a lock held: then the waiter runs once the lock (and interrupts)
 * are released, never inside it.
 */
KTEST(NTFY0006_a_preempting_waiter_runs_at_once)
{
	static struct spinlock l = SPINLOCK_INIT("test: held over a signal", RANK_TEST_OUTER);
	struct task_attr fixed = { .cls = SCHED_FIXED, .prio = 30 };
	struct task *self = task_current(), *tw = 0;
	struct waiter a = { .rounds = 2 };
	uint64_t seen;
	irqflags_t f;
	int err;

	a.n = notify_create(&err);
	fixed.allowed = 1ull << hart_self()->index;
	if (a.n && !sched_set_affinity(self, fixed.allowed) && !sched_set_fixed(self, 20))
		tw = kthread_create("ntfy-hi", waiter_main, &a, &fixed, &err);
	KT_EXPECT(t, tw && reaches(tw, TASK_SLEEPING, 1000));
	if (tw) {
		notify_signal(a.n, 1);
		KT_EXPECT(t, __atomic_load_n(&a.wakes, __ATOMIC_ACQUIRE) == 1);
		f = spin_lock_irqsave(&l);
		notify_signal(a.n, 2);
		seen = __atomic_load_n(&a.wakes, __ATOMIC_ACQUIRE);
		spin_unlock_irqrestore(&l, f);
		KT_EXPECT(t, seen == 1);	/* not under the lock */
		KT_EXPECT(t, __atomic_load_n(&a.wakes, __ATOMIC_ACQUIRE) == 2);
		KT_EXPECT(t, task_join(tw) == 0 && a.bits == 3);
	}
	sched_set_nice(self, 0);
	sched_set_affinity(self, hart_online_mask());
	if (a.n)
		notify_put(a.n);
}
