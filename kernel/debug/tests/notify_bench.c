/*
 * Notification benchmark: one signal that wakes a waiter blocked on the
 * same hart, which takes the bits and blocks again.  The waiter has the
 * higher fixed priority, so each signal preempts the signaller at once:
 * one operation is a signal, a wake-up, two switches and a wait.
 */
#include <stdint.h>

#include "debug/bench.h"
#include "ipc/notify.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "sched/timer.h"

static uint64_t taken;	/* waits that returned bits */

static void bench_waiter(void *arg)
{
	struct notify *n = arg;
	uint64_t bits;

	while (notify_wait(n, &bits) == 0 && !(bits & 2))
		taken++;
}

KBENCH(notify_signal_wake, 10000)
{
	struct task_attr a = { .cls = SCHED_FIXED, .prio = 30, .allowed = 1 };
	struct task *self = task_current(), *w;
	struct notify *n;
	uint64_t start;
	int err;

	if (sched_set_affinity(self, 1) || sched_set_fixed(self, 20))
		return 0;
	n = notify_create(&err);
	w = n ? kthread_create("bench-waiter", bench_waiter, n, &a, &err) : 0;
	if (!w) {
		if (n)
			notify_put(n);
		sched_set_nice(self, 0);
		return 0;
	}
	taken = 0;	/* the waiter ran first and sleeps now */
	start = clock_ns();
	for (uint64_t i = 0; i < iters; i++)
		notify_signal(n, 1);
	start = clock_ns() - start;
	notify_signal(n, 2);	/* stop */
	task_join(w);
	notify_put(n);
	sched_set_nice(self, 0);
	return taken == iters ? start : 0;
}
