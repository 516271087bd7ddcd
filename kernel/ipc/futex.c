/*
 * Futexes (see futex.h for keys, buckets and why no wake-up is lost).
 * Entry points: futex_wait, futex_wake, futex_clear_tid (for the
 * reaper), futex_waiters (tests).  Relies on sched.c's sleep protocol
 * (mark asleep under the bucket lock, then schedule(); wakers wake under
 * the same lock) and on uaccess.c / vm.c to read and write the word.
 */
#include "ipc/futex.h"

#include <nuthatch/errno.h>

#include "sched/sched.h"
#include "core/spinlock.h"
#include "sched/task.h"
#include "sched/timer.h"
#include "mm/uaccess.h"
#include "mm/vm.h"

struct futex_bucket {
	struct spinlock lock;		/* the waiters list */
	struct list_node waiters;	/* struct futex_waiter node, FIFO */
};

static struct futex_bucket buckets[FUTEX_BUCKETS];

void futex_init(void)
{
	for (unsigned i = 0; i < FUTEX_BUCKETS; i++) {
		buckets[i].lock = (struct spinlock)SPINLOCK_INIT("futex bucket",
								 RANK_FUTEX);
		list_init(&buckets[i].waiters);
	}
}

static struct futex_bucket *bucket_of(const void *base, uint64_t off)
{
	uint64_t k = ((uintptr_t)base >> 6) ^ (off >> 2);

	k *= 0x9e3779b97f4a7c15ull;	/* Fibonacci hashing: the top bits mix */
	return &buckets[k >> (64 - __builtin_ctz(FUTEX_BUCKETS))];
}

static bool same_key(const struct futex_waiter *w, const void *base, uint64_t off)
{
	return w->base == base && w->off == off;
}

int futex_check_addr(uint64_t va)
{
	if (va & 3)
		return -NH_EINVAL;
	return uaccess_range_ok(va, sizeof(uint32_t)) ? 0 : -NH_EFAULT;
}

/* ---- waiting ------------------------------------------------------------ */

static void enqueue(struct futex_bucket *b, struct futex_waiter *w)
{
	irqflags_t f = spin_lock_irqsave(&b->lock);

	list_add_tail(&b->waiters, &w->node);
	spin_unlock_irqrestore(&b->lock, f);
}

/* Unlink @w unless a waker did; true if it was still queued. */
static bool dequeue(struct futex_bucket *b, struct futex_waiter *w)
{
	irqflags_t f = spin_lock_irqsave(&b->lock);
	bool queued = list_linked(&w->node);

	if (queued)
		list_del(&w->node);
	spin_unlock_irqrestore(&b->lock, f);
	return queued;
}

/* The word at @va in @s, read with no lock held (it may fault in). */
static int read_word(struct vmspace *s, uint64_t va, uint32_t *out)
{
	if (s == task_current()->space)
		return copy_from_user(out, va, sizeof(*out));
	return vm_read(s, va, out, sizeof(*out));
}

/*
 * Sleep while @w stays queued (a waker unlinks it), until @deadline or
 * an interruption.  0 if a waker unlinked it, whatever else happened
 * meanwhile; else what ended the sleep.  Unlinks @w either way.
 */
static int sleep_queued(struct futex_bucket *b, struct futex_waiter *w,
			uint64_t deadline)
{
	irqflags_t f = spin_lock_irqsave(&b->lock);
	int result = 0;

	while (list_linked(&w->node) && !result) {
		if (deadline && clock_ns() >= deadline) {
			result = -NH_ETIMEDOUT;
			break;
		}
		sched_prepare_sleep(TASK_SLEEPING, deadline);
		spin_unlock_irqrestore(&b->lock, f);
		schedule();
		f = spin_lock_irqsave(&b->lock);
		result = w->task->wake_result;
	}
	if (list_linked(&w->node))
		list_del(&w->node);
	else
		result = 0;	/* woken: that wins over a timeout or interrupt */
	spin_unlock_irqrestore(&b->lock, f);
	return result;
}

int futex_wait(struct vmspace *s, uint64_t va, uint32_t val, uint64_t deadline)
{
	struct futex_waiter w = { .task = task_current() };
	struct futex_bucket *b;
	uint32_t now;
	int err = futex_check_addr(va);

	if (err)
		return err;
	w.base = vm_futex_key(s, va, &w.off);
	b = bucket_of(w.base, w.off);
	enqueue(b, &w);		/* first queued, then read: futex.h */
	err = read_word(s, va, &now);
	if (!err && now != val)
		err = -NH_EAGAIN;
	if (err) {	/* a waker that unlinked us meanwhile did wake us */
		bool woken = !dequeue(b, &w);

		return woken && err == -NH_EAGAIN ? 0 : err;
	}
	return sleep_queued(b, &w, deadline);
}

/* ---- waking ------------------------------------------------------------- */

long futex_wake(struct vmspace *s, uint64_t va, uint32_t n)
{
	struct futex_bucket *b;
	struct list_node *pos, *next;
	const void *base;
	uint64_t off;
	irqflags_t f;
	long woken = 0;
	int err = futex_check_addr(va);

	if (err)
		return err;
	base = vm_futex_key(s, va, &off);
	b = bucket_of(base, off);
	f = spin_lock_irqsave(&b->lock);
	for (pos = b->waiters.next; pos != &b->waiters && woken < n; pos = next) {
		struct futex_waiter *w = container_of(pos, struct futex_waiter, node);

		next = pos->next;
		if (!same_key(w, base, off))
			continue;
		/* Unlinked, it counts as woken even if it has not slept yet:
		 * it will not (sleep_queued checks under this lock). */
		list_del(&w->node);
		sched_wake(w->task, 0, false);
		woken++;
	}
	spin_unlock_irqrestore(&b->lock, f);
	return woken;
}

unsigned futex_waiters(struct vmspace *s, uint64_t va)
{
	uint64_t off;
	const void *base = vm_futex_key(s, va, &off);
	struct futex_bucket *b = bucket_of(base, off);
	struct list_node *pos;
	irqflags_t f = spin_lock_irqsave(&b->lock);
	unsigned n = 0;

	list_for_each(pos, &b->waiters)
		n += same_key(container_of(pos, struct futex_waiter, node), base, off);
	spin_unlock_irqrestore(&b->lock, f);
	return n;
}

void futex_clear_tid(struct vmspace *s, uint64_t va)
{
	static const uint32_t zero;

	if (futex_check_addr(va))
		return;
	vm_write(s, va, &zero, sizeof(zero), 0);	/* not writable: skipped */
	futex_wake(s, va, 1);
}
