/*
 * Wait queues (see waitq.h).  A sleeper links itself on the queue and
 * marks itself asleep with the queue's lock held, then sleeps; a waker
 * unlinks it under the same lock and wakes it.  A sleeper woken by its
 * deadline or an interrupt unlinks itself.  Lock order: queue, then the
 * run queue of the sleeper's hart.
 */
#include "sched/waitq.h"

#include <nuthatch/errno.h>

#include "sched/sched.h"
#include "sched/task.h"
#include "sched/timer.h"

void waitq_init(struct waitq *q, const char *name)
{
	q->lock = (struct spinlock)SPINLOCK_INIT(name, RANK_WAITQ);
	list_init(&q->waiters);
}

int waitq_wait(struct waitq *q, bool interruptible, uint64_t deadline,
	       bool (*cond)(void *arg), void *arg)
{
	struct task *t = task_current();
	int state = interruptible ? TASK_SLEEPING : TASK_SLEEPING_UNINTR;
	int result = 0;
	irqflags_t f = spin_lock_irqsave(&q->lock);

	while (!cond(arg)) {
		if (deadline && clock_ns() >= deadline) {
			result = -NH_ETIMEDOUT;
			break;
		}
		list_add_tail(&q->waiters, &t->wait_node);
		sched_prepare_sleep(state, deadline);
		spin_unlock_irqrestore(&q->lock, f);
		schedule();
		f = spin_lock_irqsave(&q->lock);
		if (list_linked(&t->wait_node))
			list_del(&t->wait_node);
		result = t->wake_result;
		if (result) {	/* interrupted, timed out, or TASK_ERESTART */
			if (cond(arg))
				result = 0;
			break;
		}
	}
	spin_unlock_irqrestore(&q->lock, f);
	return result;
}

/* Unlink and wake sleepers until @max have woken; q->lock held. */
static unsigned wake_locked(struct waitq *q, unsigned max)
{
	unsigned n = 0;

	while (n < max && !list_empty(&q->waiters)) {
		struct task *t = container_of(q->waiters.next, struct task,
					      wait_node);

		list_del(&t->wait_node);
		n += sched_wake(t, 0, true);
	}
	return n;
}

static unsigned wake(struct waitq *q, unsigned max)
{
	irqflags_t f = spin_lock_irqsave(&q->lock);
	unsigned n = wake_locked(q, max);

	spin_unlock_irqrestore(&q->lock, f);
	return n;
}

bool waitq_wake_one_locked(struct waitq *q)
{
	return wake_locked(q, 1) == 1;
}

bool waitq_wake_one(struct waitq *q)
{
	return wake(q, 1) == 1;
}

unsigned waitq_wake_all(struct waitq *q)
{
	return wake(q, ~0u);
}

bool task_interrupt(struct task *t)
{
	return sched_wake(t, -NH_EINTR, false);
}

static bool never(void *arg)
{
	(void)arg;
	return false;
}

static int sleep_ns(uint64_t ns, bool interruptible)
{
	struct waitq q;
	uint64_t now = clock_ns();
	uint64_t deadline = ns > ~0ull - now ? ~0ull : now + ns;	/* saturate */

	waitq_init(&q, "sleep");
	return waitq_wait(&q, interruptible, deadline, never, 0);
}

int task_sleep_ns(uint64_t ns)
{
	sleep_ns(ns, false);
	return 0;
}

int task_sleep_ns_interruptible(uint64_t ns)
{
	return sleep_ns(ns, true);
}
