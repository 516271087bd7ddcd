/*
 * Self-tests of futexes (futex.c) through the kernel interface, with
 * kernel threads waiting on a word of a space they do not run in (the
 * vm_read path): wake counts and keys, the word check, timeouts, bad
 * addresses, an interrupted waiter, clear-tid.  The user tests
 * (USRT0021-0027) cover the system calls, the copy_from_user path,
 * races across harts, task_interrupt and the restart rule.
 */
#include <nuthatch/errno.h>

#include "ipc/futex.h"
#include "debug/ktest.h"
#include "sched/task.h"
#include "sched/timer.h"
#include "mm/uaccess.h"
#include "mm/memobj.h"
#include "mm/vm.h"

#define MS		1000000ull
#define WORD_VA		0x10000000ul
#define WAITERS		3

struct fx_arg {
	struct vmspace *s;
	uint64_t va;
	int result;
};

static void fx_wait_main(void *p)
{
	struct fx_arg *a = p;

	a->result = futex_wait(a->s, a->va, 0, 0);
}

/* A space with one zeroed, writable page at WORD_VA. */
static struct vmspace *word_space(void)
{
	int err;
	struct vmspace *s = vm_create(&err);
	uint64_t va = WORD_VA;

	if (s && vm_map(s, &va, 4096, VM_READ | VM_WRITE, NH_MAP_FIXED, 0, 0)) {
		vm_put(s);
		s = 0;
	}
	return s;
}

static bool wait_queued(struct vmspace *s, uint64_t va, unsigned n)
{
	for (unsigned i = 0; i < 2000 && futex_waiters(s, va) != n; i++)
		task_sleep_ns(MS);
	return futex_waiters(s, va) == n;
}

static bool wait_asleep(struct task *k)
{
	for (unsigned i = 0; i < 2000 && k->state != TASK_SLEEPING; i++)
		task_sleep_ns(MS);
	return k->state == TASK_SLEEPING;
}

KTEST(FUTX0001_wake_counts_and_keys)
{
	struct vmspace *s = word_space(), *other = word_space();
	struct fx_arg a[WAITERS];
	struct task *k[WAITERS];
	int err;

	KT_EXPECT(t, s && other);
	if (!s || !other)
		goto out;
	for (unsigned i = 0; i < WAITERS; i++) {
		a[i] = (struct fx_arg){ .s = s, .va = WORD_VA, .result = 1 };
		k[i] = kthread_create("fxwait", fx_wait_main, &a[i], 0, &err);
		KT_EXPECT(t, k[i] != 0);
	}
	KT_EXPECT(t, wait_queued(s, WORD_VA, WAITERS));
	KT_EXPECT(t, futex_wake(other, WORD_VA, 10) == 0);	/* another space */
	KT_EXPECT(t, futex_wake(s, WORD_VA + 4, 10) == 0);	/* another word */
	KT_EXPECT(t, futex_wake(s, WORD_VA, 2) == 2);
	KT_EXPECT(t, futex_waiters(s, WORD_VA) == WAITERS - 2);
	KT_EXPECT(t, futex_wake(s, WORD_VA, ~0u) == WAITERS - 2);
	for (unsigned i = 0; i < WAITERS; i++) {
		if (k[i])
			task_join(k[i]);
		KT_EXPECT(t, a[i].result == 0);
	}
out:
	if (s)
		vm_put(s);
	if (other)
		vm_put(other);
}

KTEST(FUTX0002_word_check_timeouts_and_bad_addresses)
{
	struct vmspace *s = word_space();
	uint32_t five = 5, v = 1;
	uint64_t t0;

	KT_EXPECT(t, s != 0);
	if (!s)
		return;
	KT_EXPECT(t, futex_wait(s, WORD_VA, 1, 0) == -NH_EAGAIN);	/* it is 0 */
	t0 = clock_ns();
	KT_EXPECT(t, futex_wait(s, WORD_VA, 0, t0 + 10 * MS) == -NH_ETIMEDOUT);
	KT_EXPECT(t, clock_ns() - t0 >= 10 * MS);
	KT_EXPECT(t, futex_wait(s, WORD_VA, 0, t0) == -NH_ETIMEDOUT);	/* past */
	KT_EXPECT(t, futex_wait(s, WORD_VA + 2, 0, 0) == -NH_EINVAL);
	KT_EXPECT(t, futex_wait(s, WORD_VA + 4096, 0, 0) == -NH_EFAULT);	/* unmapped */
	KT_EXPECT(t, futex_wait(s, USER_TOP, 0, 0) == -NH_EFAULT);
	KT_EXPECT(t, futex_wait(s, 0, 0, 0) == -NH_EFAULT);
	KT_EXPECT(t, futex_wake(s, USER_TOP - 2, 1) == -NH_EINVAL);
	KT_EXPECT(t, futex_wake(s, USER_TOP, 1) == -NH_EFAULT);
	KT_EXPECT(t, futex_waiters(s, WORD_VA) == 0);	/* none left queued */
	KT_EXPECT(t, vm_write(s, WORD_VA, &five, 4, 0) == 0);
	futex_clear_tid(s, WORD_VA);
	KT_EXPECT(t, vm_read(s, WORD_VA, &v, 4) == 0 && v == 0);
	vm_put(s);
}

KTEST(FUTX0003_interrupted_waiter_leaves_its_bucket)
{
	struct vmspace *s = word_space();
	struct fx_arg a = { .s = s, .va = WORD_VA, .result = 1 };
	struct task *k;
	int err;

	KT_EXPECT(t, s != 0);
	if (!s)
		return;
	k = kthread_create("fxintr", fx_wait_main, &a, 0, &err);
	KT_EXPECT(t, k != 0);
	if (k) {
		KT_EXPECT(t, wait_asleep(k));
		KT_EXPECT(t, task_interrupt(k));
		task_join(k);
	}
	KT_EXPECT(t, a.result == -NH_EINTR);
	KT_EXPECT(t, futex_waiters(s, WORD_VA) == 0);
	KT_EXPECT(t, futex_wake(s, WORD_VA, 1) == 0);
	vm_put(s);
}

/* A space with @o mapped at @va (@flags: shared or private). */
static struct vmspace *obj_space(struct memobj *o, uint64_t va, unsigned flags)
{
	int err;
	struct vmspace *s = vm_create(&err);

	if (s && vm_map(s, &va, 8192, VM_READ | VM_WRITE, NH_MAP_FIXED | flags, o, 0)) {
		vm_put(s);
		s = 0;
	}
	return s;
}

/* A word in a shared mapping is keyed by its object and offset: a waker
 * in another space, mapping it elsewhere, wakes the waiter; a private
 * copy of the same object, or another offset, does not. */
KTEST(FUTX0004_shared_mappings_meet_at_the_object)
{
	int err;
	struct memobj *o = memobj_create(8192, &err);
	struct vmspace *a = o ? obj_space(o, WORD_VA, NH_MAP_SHARED) : 0;
	struct vmspace *b = o ? obj_space(o, WORD_VA + 0x200000, NH_MAP_SHARED) : 0;
	struct vmspace *p = o ? obj_space(o, WORD_VA + 0x200000, NH_MAP_PRIVATE) : 0;
	struct fx_arg arg = { .s = a, .va = WORD_VA + 4096 + 8, .result = 1 };
	struct task *k = 0;

	KT_EXPECT(t, o && a && b && p);
	if (o && a && b && p)
		k = kthread_create("fxshare", fx_wait_main, &arg, 0, &err);
	KT_EXPECT(t, k != 0);
	if (k) {
		KT_EXPECT(t, wait_queued(a, arg.va, 1));
		KT_EXPECT(t, futex_waiters(b, WORD_VA + 0x200000 + 4096 + 8) == 1);
		KT_EXPECT(t, futex_wake(p, WORD_VA + 0x200000 + 4096 + 8, 1) == 0);
		KT_EXPECT(t, futex_wake(b, WORD_VA + 0x200000 + 8, 1) == 0);
		KT_EXPECT(t, futex_wake(b, WORD_VA + 0x200000 + 4096 + 8, 1) == 1);
		task_join(k);
		KT_EXPECT(t, arg.result == 0);
	}
	if (p)
		vm_put(p);
	if (b)
		vm_put(b);
	if (a)
		vm_put(a);
	if (o)
		memobj_put(o);
}
