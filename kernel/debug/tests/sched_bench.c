/*
 * Scheduler benchmarks: a context switch between two kernel threads
 * (yield ping-pong on one hart), task create+exit (create, run, exit,
 * reap, join), and a wake-up round trip through wait queues.
 */
#include <stdint.h>

#include "debug/bench.h"
#include "core/hart.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "sched/timer.h"
#include "sched/waitq.h"

static uint64_t yields;

static void yielder(void *arg)
{
	(void)arg;
	for (uint64_t i = 0; i < yields; i++)
		sched_yield();
}

/*
 * Two equal fixed-priority threads on hart 0: each yield switches.  The
 * measuring thread creates both at a higher priority, so neither starts
 * before the other exists, then steps down and sleeps in task_join.
 * (The figure includes the two creations and exits: 0.1 % at 20,000.)
 */
KBENCH(ctx_switch_yield, 20000)
{
	struct task_attr a = { .cls = SCHED_FIXED, .prio = 20, .allowed = 1 };
	struct task *self = task_current(), *x, *y;
	uint64_t start;
	int err;

	if (sched_set_affinity(self, 1) || sched_set_fixed(self, 30))
		return 0;
	yields = iters / 2;
	x = kthread_create("ping", yielder, 0, &a, &err);
	y = kthread_create("pong", yielder, 0, &a, &err);
	start = clock_ns();
	sched_set_nice(self, 0);	/* ping and pong take the hart */
	if (!x || !y)
		return 0;
	task_join(x);
	task_join(y);
	return clock_ns() - start;
}

static void noop(void *arg)
{
	(void)arg;
}

KBENCH(task_create_exit, 2000)
{
	struct task_attr a = { .cls = SCHED_FAIR, .allowed = 1 };
	uint64_t start = clock_ns();
	int err;

	for (uint64_t i = 0; i < iters; i++) {
		struct task *t = kthread_create("noop", noop, 0, &a, &err);

		if (!t)
			return 0;
		task_join(t);
	}
	return clock_ns() - start;
}

static struct waitq ping_q, pong_q;
static uint64_t ball, rounds;	/* [ping_q/pong_q locks] */

static bool ball_odd(void *arg)
{
	(void)arg;
	return ball & 1;
}

static bool ball_even(void *arg)
{
	(void)arg;
	return !(ball & 1);
}

static void pass_ball(struct waitq *q)
{
	irqflags_t f = spin_lock_irqsave(&q->lock);

	ball++;
	spin_unlock_irqrestore(&q->lock, f);
	waitq_wake_one(q);
}

static struct task_attr pong_attr = { .cls = SCHED_FIXED, .prio = 20, .allowed = 1 };

static void ponger(void *arg)
{
	(void)arg;
	for (uint64_t i = 0; i < rounds; i++) {
		waitq_wait(&ping_q, false, 0, ball_odd, 0);
		pass_ball(&pong_q);
	}
}

/* A round trip: wake a sleeping thread, sleep until it wakes us back. */
static uint64_t round_trips(uint64_t iters, uint64_t partner_harts)
{
	struct task *p;
	uint64_t start;
	int err;

	waitq_init(&ping_q, "bench: ping");
	waitq_init(&pong_q, "bench: pong");
	ball = 0;
	rounds = iters;
	pong_attr.allowed = partner_harts;
	p = kthread_create("ponger", ponger, 0, &pong_attr, &err);
	if (!p || sched_set_affinity(task_current(), 1) || sched_set_fixed(task_current(), 20))
		return 0;
	start = clock_ns();
	for (uint64_t i = 0; i < iters; i++) {
		pass_ball(&ping_q);
		waitq_wait(&pong_q, false, 0, ball_even, 0);
	}
	start = clock_ns() - start;
	task_join(p);
	sched_set_nice(task_current(), 0);
	return start;
}

KBENCH(wake_round_trip, 10000)
{
	return round_trips(iters, 1);
}

/* The same with the partner on hart 1 (wall time only: see PERF.md). */
KBENCH(xhart_wake_round_trip, 10000)
{
	if (nharts_online < 2)
		return 0;
	return round_trips(iters, 2);
}
