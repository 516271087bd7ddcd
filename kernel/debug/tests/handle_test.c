/*
 * Self-tests of handle tables (handle.c), on a dummy object type
 * (HANDLE_OBJ_TEST) that counts its references: the number encoding,
 * stale numbers after close and slot reuse, wrong types and missing
 * rights, rights that only shrink through dup and install, a full table
 * and reservations, put() callbacks never run under a lock, and a closed
 * table refusing new handles.  Every test drops every reference it takes
 * (the runner's leak check counts handles too).
 */
#include <stdint.h>

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"
#include "obj/handle.h"
#include "core/hart.h"
#include "debug/ktest.h"
#include "core/spinlock.h"

struct dummy {
	int refs;		/* [a] */
	int put_under_lock;	/* put() calls made with a spinlock held */
};

static unsigned held_here(void)
{
	irqflags_t f = arch_irq_save();
	unsigned n = hart_self()->nheld;

	arch_irq_restore(f);
	return n;
}

static void dummy_get(void *obj)
{
	__atomic_fetch_add(&((struct dummy *)obj)->refs, 1, __ATOMIC_RELAXED);
}

static void dummy_put(void *obj)
{
	struct dummy *d = obj;

	if (held_here())
		d->put_under_lock++;
	__atomic_fetch_sub(&d->refs, 1, __ATOMIC_RELAXED);
}

static uint64_t dummy_size(void *obj)
{
	(void)obj;
	return 12345;
}

static const struct handle_type_ops dummy_ops = {
	.get = dummy_get, .put = dummy_put, .size = dummy_size,
};

#define RW	(NH_RIGHT_READ | NH_RIGHT_WRITE)
#define RWG	(RW | NH_RIGHT_GRANT)

/* A fresh table (the dummy type registered), or NULL: the test fails. */
static struct handle_table *table(struct ktest_ctx *t)
{
	int err;
	struct handle_table *ht;

	handle_type_register(HANDLE_OBJ_TEST, &dummy_ops);
	ht = handle_table_create(&err);
	KT_EXPECT(t, ht && !err);
	return ht;
}

/* Free two tables of a test (either may be NULL); every reference to
 * @d is gone then, none dropped under a lock. */
static void destroy_both(struct ktest_ctx *t, struct handle_table *ht,
			 struct handle_table *to, const struct dummy *d)
{
	if (ht)
		handle_table_put(ht);
	if (to)
		handle_table_put(to);
	KT_EXPECT(t, d->refs == 0 && d->put_under_lock == 0);
}

KTEST(HNDL0001_numbers_encode_slot_and_generation)
{
	struct handle_table *ht = table(t);
	struct dummy d = { 0 };
	long a, b, c;

	if (!ht)
		return;
	a = handle_alloc(ht, HANDLE_OBJ_TEST, &d, RWG);
	b = handle_alloc(ht, HANDLE_OBJ_TEST, &d, RWG);
	KT_EXPECT(t, a == 1 && b == 2);		/* (0 << 16 | slot) + 1 */
	KT_EXPECT(t, d.refs == 2);
	KT_EXPECT(t, handle_close(ht, a) == 0);
	c = handle_alloc(ht, HANDLE_OBJ_TEST, &d, RWG);
	KT_EXPECT(t, c == (1 << SLOT_BITS | 0) + 1);	/* slot 0, generation 1 */
	KT_EXPECT(t, handle_live_count() >= 2);
	handle_table_put(ht);
	KT_EXPECT(t, d.refs == 0 && d.put_under_lock == 0);
}

KTEST(HNDL0002_stale_after_close_and_reuse)
{
	struct handle_table *ht = table(t);
	struct dummy d = { 0 }, e = { 0 };
	void *obj;
	long a, b;

	if (!ht)
		return;
	a = handle_alloc(ht, HANDLE_OBJ_TEST, &d, RWG);
	KT_EXPECT(t, handle_lookup(ht, a, HANDLE_OBJ_TEST, 0, &obj) == 0 && obj == &d);
	handle_put_obj(HANDLE_OBJ_TEST, obj);
	KT_EXPECT(t, handle_close(ht, a) == 0);
	KT_EXPECT(t, handle_close(ht, a) == -NH_EBADF);
	KT_EXPECT(t, handle_lookup(ht, a, HANDLE_OBJ_TEST, 0, &obj) == -NH_EBADF);
	b = handle_alloc(ht, HANDLE_OBJ_TEST, &e, RWG);	/* the same slot */
	KT_EXPECT(t, b > 0 && b != a && ((b - 1) & 0xffff) == ((a - 1) & 0xffff));
	KT_EXPECT(t, handle_lookup(ht, a, HANDLE_OBJ_TEST, 0, &obj) == -NH_EBADF);
	KT_EXPECT(t, handle_dup(ht, a, NH_RIGHT_READ) == -NH_EBADF);
	for (long bad = -2; bad <= 0; bad++)
		KT_EXPECT(t, handle_close(ht, bad) == -NH_EBADF);
	KT_EXPECT(t, handle_close(ht, NH_SELF_TASK) == -NH_EBADF);
	KT_EXPECT(t, handle_close(ht, NH_SELF_SPACE) == -NH_EBADF);
	KT_EXPECT(t, handle_close(ht, 2 * HANDLE_CHUNK_SLOTS + 1) == -NH_EBADF);	/* no such chunk */
	KT_EXPECT(t, handle_close(ht, (1l << 31) + 1) == -NH_EBADF);
	handle_table_put(ht);
	KT_EXPECT(t, d.refs == 0 && e.refs == 0);
}

KTEST(HNDL0003_wrong_type_and_missing_rights)
{
	struct handle_table *ht = table(t);
	struct dummy d = { 0 };
	struct nh_handle_info info;
	void *obj = 0;
	long a;

	if (!ht)
		return;
	a = handle_alloc(ht, HANDLE_OBJ_TEST, &d, NH_RIGHT_READ);
	KT_EXPECT(t, handle_lookup(ht, a, NH_OBJ_TASK, 0, &obj) == -NH_EBADF);
	KT_EXPECT(t, handle_lookup(ht, a, HANDLE_OBJ_TEST, NH_RIGHT_WRITE, &obj) ==
		  -NH_EACCES);
	KT_EXPECT(t, handle_info(ht, a, &info) == 0 && info.type == HANDLE_OBJ_TEST &&
		  info.rights == NH_RIGHT_READ && info.size == 12345);
	KT_EXPECT(t, handle_alloc(ht, 0, &d, 0) == -NH_EINVAL);
	KT_EXPECT(t, handle_alloc(ht, HANDLE_OBJ_TEST, &d, 0x100) == -NH_EINVAL);
	KT_EXPECT(t, d.refs == 1);
	handle_table_put(ht);
	KT_EXPECT(t, d.refs == 0);
}

KTEST(HNDL0004_dup_and_install_only_shrink)
{
	struct handle_table *ht = table(t), *to = table(t);
	struct dummy d = { 0 };
	struct nh_handle_info info;
	long a, r, n;

	if (!ht || !to)
		goto out;
	a = handle_alloc(ht, HANDLE_OBJ_TEST, &d, RWG);
	r = handle_dup(ht, a, NH_RIGHT_READ);
	KT_EXPECT(t, r > 0 && handle_info(ht, r, &info) == 0 &&
		  info.rights == NH_RIGHT_READ);
	KT_EXPECT(t, handle_dup(ht, r, NH_RIGHT_READ) == -NH_EACCES);	/* no GRANT */
	KT_EXPECT(t, handle_dup(ht, a, RWG | NH_RIGHT_MAP) == -NH_EACCES);
	KT_EXPECT(t, handle_install(ht, r, to, NH_RIGHT_READ) == -NH_EACCES);
	KT_EXPECT(t, handle_install(ht, a, to, NH_RIGHTS_ALL) == -NH_EACCES);
	n = handle_install(ht, a, to, NH_RIGHT_WRITE);
	KT_EXPECT(t, n == 1 && handle_info(to, n, &info) == 0 &&
		  info.rights == NH_RIGHT_WRITE);
	KT_EXPECT(t, d.refs == 3);
	handle_table_close_all(to);
	KT_EXPECT(t, handle_install(ht, a, to, NH_RIGHT_READ) == -NH_ESRCH);
	KT_EXPECT(t, handle_alloc(to, HANDLE_OBJ_TEST, &d, 0) == -NH_ESRCH);
	KT_EXPECT(t, d.refs == 2);
out:
	destroy_both(t, ht, to, &d);
}

KTEST(HNDL0005_full_table_and_reservations)
{
	struct handle_table *ht = table(t);
	struct dummy d = { 0 };
	uint64_t live = handle_live_count();
	long h = 0, r;
	int n = 0;

	if (!ht)
		return;
	while ((h = handle_alloc(ht, HANDLE_OBJ_TEST, &d, RW)) > 0)
		n++;
	KT_EXPECT(t, h == -NH_ENOSPC && n == HANDLE_SLOTS);
	KT_EXPECT(t, d.refs == HANDLE_SLOTS);	/* the failed one took none */
	KT_EXPECT(t, handle_live_count() == live + HANDLE_SLOTS);
	KT_EXPECT(t, handle_reserve(ht) == -NH_ENOSPC);
	KT_EXPECT(t, handle_close(ht, 5) == 0);
	r = handle_reserve(ht);
	KT_EXPECT(t, r == (1 << SLOT_BITS | 4) + 1);	/* slot 4, its next generation */
	KT_EXPECT(t, handle_close(ht, r) == -NH_EBADF);	/* not open yet */
	if (r > 0) {
		handle_unreserve(ht, r);
		r = handle_reserve(ht);		/* never given: the same number */
		KT_EXPECT(t, r == (1 << SLOT_BITS | 4) + 1);
		dummy_get(&d);
		handle_commit(ht, r, HANDLE_OBJ_TEST, &d, NH_RIGHT_READ);
		KT_EXPECT(t, handle_close(ht, r) == 0);
	}
	handle_table_put(ht);
	KT_EXPECT(t, d.refs == 0 && handle_live_count() == live);
}

KTEST(HNDL0006_put_runs_without_locks_held)
{
	struct handle_table *ht = table(t);
	struct dummy d = { 0 };
	struct nh_handle_info info;
	long a, b;

	if (!ht)
		return;
	a = handle_alloc(ht, HANDLE_OBJ_TEST, &d, RWG);
	b = handle_dup(ht, a, RW);
	KT_EXPECT(t, handle_dup(ht, a, NH_RIGHTS_ALL) == -NH_EACCES);	/* drops one */
	KT_EXPECT(t, handle_info(ht, b, &info) == 0);	/* drops one */
	KT_EXPECT(t, handle_close(ht, a) == 0);
	handle_table_put(ht);	/* closes b */
	KT_EXPECT(t, d.refs == 0);
	KT_EXPECT(t, d.put_under_lock == 0);
	{	/* the probe itself notices a lock */
		static struct spinlock l = SPINLOCK_INIT("handle test", RANK_TEST_OUTER);
		irqflags_t f = spin_lock_irqsave(&l);

		dummy_get(&d);
		dummy_put(&d);
		spin_unlock_irqrestore(&l, f);
		KT_EXPECT(t, d.put_under_lock == 1);
	}
}

/* Slots past the first chunk: the table grows a frame at a time, numbers
 * stay dense and lowest-first, and every chunk is freed with the table. */
KTEST(HNDL0007_table_grows_by_chunks)
{
	struct handle_table *ht = table(t);
	struct dummy d = { 0 };
	unsigned n = 3 * HANDLE_CHUNK_SLOTS + 5;
	void *obj;
	long h = 0;

	if (!ht)
		return;
	for (unsigned i = 0; i < n; i++) {
		h = handle_alloc(ht, HANDLE_OBJ_TEST, &d, RWG);
		if (h != (long)i + 1)
			break;
	}
	KT_EXPECT(t, h == (long)n && d.refs == (int)n && ht->nchunks == 4);
	KT_EXPECT(t, handle_lookup(ht, 2 * HANDLE_CHUNK_SLOTS + 7, HANDLE_OBJ_TEST, 0,
				   &obj) == 0 && obj == &d);
	handle_put_obj(HANDLE_OBJ_TEST, obj);
	KT_EXPECT(t, handle_close(ht, HANDLE_CHUNK_SLOTS + 1) == 0);
	h = handle_alloc(ht, HANDLE_OBJ_TEST, &d, RWG);	/* the lowest free slot */
	KT_EXPECT(t, h == (1 << SLOT_BITS | HANDLE_CHUNK_SLOTS) + 1);
	KT_EXPECT(t, handle_lookup(ht, 4 * HANDLE_CHUNK_SLOTS + 1, HANDLE_OBJ_TEST, 0,
				   &obj) == -NH_EBADF);	/* beyond the chunks */
	handle_table_put(ht);	/* the runner's leak check: frames back */
	KT_EXPECT(t, d.refs == 0 && d.put_under_lock == 0);
}

/* install_at: the number asked for, or why not; growth to reach it. */
KTEST(HNDL0008_install_at_a_chosen_number)
{
	struct handle_table *ht = table(t), *to = table(t);
	struct dummy d = { 0 };
	struct nh_handle_info info;
	long a, far = (3l << SLOT_BITS | (2 * HANDLE_CHUNK_SLOTS + 9)) + 1;

	if (!ht || !to)
		goto out;
	a = handle_alloc(ht, HANDLE_OBJ_TEST, &d, RWG);
	KT_EXPECT(t, handle_install_at(ht, a, to, RW, 0, 5) == 5);
	KT_EXPECT(t, handle_install_at(ht, a, to, RW, 0, 5) == -NH_EEXIST);
	KT_EXPECT(t, handle_install_at(ht, a, to, RWG | NH_RIGHT_MAP, 0, 6) == -NH_EACCES);
	KT_EXPECT(t, handle_install_at(ht, a, to, RW, 0x80, 6) == -NH_EINVAL);
	KT_EXPECT(t, handle_install_at(ht, a, to, RW, 0, 0) == -NH_EINVAL);
	KT_EXPECT(t, handle_install_at(ht, a, to, RW, 0, NH_SELF_TASK) == -NH_EINVAL);
	KT_EXPECT(t, handle_install_at(ht, a + 1, to, RW, 0, 6) == -NH_EBADF);
	KT_EXPECT(t, handle_install_at(ht, a, to, RW, NH_HANDLE_CLOEXEC, far) == far);
	KT_EXPECT(t, to->nchunks == 3 && handle_info(to, far, &info) == 0 &&
		  info.rights == RW && info.flags == NH_HANDLE_CLOEXEC);
	KT_EXPECT(t, handle_close(to, far) == 0);	/* its slot is at gen 4 now */
	KT_EXPECT(t, handle_install_at(ht, a, to, RW, 0, far) == -NH_EINVAL);
	KT_EXPECT(t, handle_install_at(ht, a, to, RW, 0, far + (1l << SLOT_BITS)) ==
		  far + (1l << SLOT_BITS));
	KT_EXPECT(t, handle_alloc(to, HANDLE_OBJ_TEST, &d, RW) == 1);	/* lowest free */
	KT_EXPECT(t, d.refs == 4);
	/* NH_HANDLE_REPLACE: over an open number in one step, the old
	 * reference dropped; never over a stale number or another generation */
	KT_EXPECT(t, handle_install_at(ht, a, to, NH_RIGHT_READ, NH_HANDLE_REPLACE, 5) == 5);
	KT_EXPECT(t, d.refs == 4 && handle_info(to, 5, &info) == 0 &&
		  info.rights == NH_RIGHT_READ && info.flags == 0);
	KT_EXPECT(t, handle_install_at(ht, a, to, RW, NH_HANDLE_REPLACE, far) == -NH_EINVAL);
	KT_EXPECT(t, handle_install_at(ht, a, to, RW, NH_HANDLE_REPLACE,
				       5 + (1l << SLOT_BITS)) == -NH_EEXIST);
	KT_EXPECT(t, handle_install_at(ht, a, to, RW, NH_HANDLE_REPLACE | NH_HANDLE_CLOEXEC, 7) == 7);
	KT_EXPECT(t, d.refs == 5 && handle_info(to, 7, &info) == 0 &&
		  info.flags == NH_HANDLE_CLOEXEC);
	handle_table_close_all(to);
	KT_EXPECT(t, handle_install_at(ht, a, to, RW, 0, 9) == -NH_ESRCH);
	KT_EXPECT(t, d.refs == 1);
out:
	destroy_both(t, ht, to, &d);
}

/* Close-on-exec: only flagged handles close; copies start unflagged. */
KTEST(HNDL0009_close_on_exec)
{
	struct handle_table *ht = table(t);
	struct dummy d = { 0 };
	struct nh_handle_info info;
	long a, b, c;

	if (!ht)
		return;
	a = handle_alloc(ht, HANDLE_OBJ_TEST, &d, RWG);
	b = handle_alloc(ht, HANDLE_OBJ_TEST, &d, RWG);
	KT_EXPECT(t, handle_set_flags(ht, b, NH_HANDLE_CLOEXEC) == 0);
	KT_EXPECT(t, handle_set_flags(ht, b, 0x40) == -NH_EINVAL);
	KT_EXPECT(t, handle_set_flags(ht, 77, NH_HANDLE_CLOEXEC) == -NH_EBADF);
	c = handle_dup(ht, b, RW);
	KT_EXPECT(t, handle_info(ht, c, &info) == 0 && info.flags == 0);
	KT_EXPECT(t, handle_info(ht, b, &info) == 0 && info.flags == NH_HANDLE_CLOEXEC);
	KT_EXPECT(t, handle_set_flags(ht, a, NH_HANDLE_CLOEXEC) == 0 && ht->ncloexec == 2);
	KT_EXPECT(t, handle_set_flags(ht, a, 0) == 0 && ht->ncloexec == 1);
	handle_table_close_exec(ht);
	KT_EXPECT(t, handle_info(ht, b, &info) == -NH_EBADF && ht->ncloexec == 0);
	KT_EXPECT(t, handle_info(ht, a, &info) == 0 && handle_info(ht, c, &info) == 0);
	KT_EXPECT(t, d.refs == 2);
	handle_table_put(ht);
	KT_EXPECT(t, d.refs == 0 && d.put_under_lock == 0);
}

KTEST(HNDL0010_a_shared_table_closes_when_its_last_user_leaves)
{
	struct handle_table *ht = table(t);
	struct dummy d = { 0 };
	struct nh_handle_info info;
	long a;

	if (!ht)
		return;
	a = handle_alloc(ht, HANDLE_OBJ_TEST, &d, RW);
	handle_table_share(ht);		/* a second task uses it */
	handle_table_leave(ht);		/* the first exits: nothing closes */
	KT_EXPECT(t, handle_info(ht, a, &info) == 0 && d.refs == 1);
	KT_EXPECT(t, handle_alloc(ht, HANDLE_OBJ_TEST, &d, RW) > 0 && d.refs == 2);
	handle_table_leave(ht);		/* the last: every handle closes */
	KT_EXPECT(t, d.refs == 0 && d.put_under_lock == 0);
	KT_EXPECT(t, handle_info(ht, a, &info) == -NH_EBADF);
	KT_EXPECT(t, handle_alloc(ht, HANDLE_OBJ_TEST, &d, RW) == -NH_ESRCH && d.refs == 0);
	handle_table_put(ht);		/* one task object freed: the table stays */
	KT_EXPECT(t, handle_info(ht, a, &info) == -NH_EBADF);
	handle_table_put(ht);		/* the last: freed (the leak check) */
}
