/*
 * Self-tests of tasks and scheduling: context switches, create/exit
 * cycles, affinity, locks under contention, stack overflow and faults
 * killing only their task, wait queues, deadlines, interruption, stop and
 * continue, and (under icount) fair shares, nice weights and wake-up
 * preemption.
 */
#include <stdint.h>

#include <nuthatch/errno.h>

#include "core/boot.h"
#include "core/hart.h"
#include "sched/kstack.h"
#include "debug/ktest.h"
#include "lib/cmdline.h"
#include "sched/sched.h"
#include "core/spinlock.h"
#include "sched/task.h"
#include "sched/timer.h"
#include "sched/waitq.h"

long switch_probe(void (*yield)(void), uint64_t seed, long rounds);

static bool icount(void)
{
	char v[4];

	return cmdline_get(boot_platform.bootargs, "nuthatch.icount", v, sizeof(v));
}

/*
 * Shares and latencies are measured in the one-hart icount boot: with
 * several harts QEMU interleaves them on one thread, so the clock a hart
 * sees also moves while another hart runs (HARDWARE.md).  Returns the
 * reason to skip, or NULL.
 */
static const char *timing_skip(void)
{
	if (!icount())
		return "timing is checked in the icount boot";
	if (nharts_online > 1)
		return "timing is checked in the one-hart icount boot";
	return 0;
}

/* The mask of the @k-th online hart (indices may have holes when a hart
 * failed to start). */
static uint64_t hart_mask(unsigned k)
{
	for (unsigned i = 0; i < PLAT_MAX_HARTS; i++) {
		if (harts[i].online && k-- == 0)
			return 1ull << i;
	}
	return 1;
}

/* The index of the @k-th online hart. */
static unsigned hart_nth(unsigned k)
{
	return (unsigned)__builtin_ctzll(hart_mask(k));
}

/* Wait (sleeping) until *flag is non-zero or @ms pass; true if it is. */
static bool wait_flag(volatile int *flag, unsigned ms)
{
	uint64_t end = clock_ns() + ms * 1000000ull;

	while (!*flag && clock_ns() < end)
		task_sleep_ns(1000000);
	return *flag != 0;
}

static bool wait_state(struct task *t, enum task_state s, unsigned ms)
{
	uint64_t end = clock_ns() + ms * 1000000ull;

	while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != s && clock_ns() < end)
		task_sleep_ns(1000000);
	return t->state == s;
}

/* ---- context switch --------------------------------------------------- */

struct probe {
	uint64_t seed;
	long result;
};

static void probe_main(void *arg)
{
	struct probe *p = arg;

	p->result = switch_probe(sched_yield, p->seed, 200);
}

KTEST(TASK0001_switch_preserves_callee_saved)
{
	struct probe p[3] = { { 0x1111000000000000, -1 },
			      { 0x2222000000000000, -1 },
			      { 0x3333000000000000, -1 } };
	struct task *k[3];
	int err;

	for (int i = 0; i < 3; i++) {
		k[i] = kthread_create("probe", probe_main, &p[i], 0, &err);
		KT_EXPECT(t, k[i] != 0);
	}
	for (int i = 0; i < 3; i++) {
		if (k[i])
			task_join(k[i]);
		KT_EXPECT(t, p[i].result == 0);
	}
	KT_EXPECT(t, switch_probe(sched_yield, 0x4444000000000000, 50) == 0);
}

/* ---- create and exit ---------------------------------------------------- */

static void noop(void *arg)
{
	(void)arg;
}

static void exit_with(void *arg)
{
	task_exit((int)(intptr_t)arg);
}

KTEST(TASK0002_create_exit_2000_cycles)
{
	unsigned failed = 0, tasks = task_count();
	int err;

	for (int i = 0; i < 2000; i++) {
		struct task *k = kthread_create("cycle", noop, 0, 0, &err);

		if (!k || task_join(k) != 0)
			failed++;
	}
	KT_EXPECT(t, failed == 0);
	struct task *k = kthread_create("code", exit_with, (void *)(intptr_t)-42, 0, &err);
	KT_EXPECT(t, k && task_join(k) == -42);
	KT_EXPECT(t, task_count() == tasks);
}

KTEST(TASK0003_create_rejects_bad_attributes)
{
	struct task_attr bad_prio = { .cls = SCHED_FIXED, .prio = SCHED_FIXED_PRIOS };
	struct task_attr bad_nice = { .cls = SCHED_FAIR, .nice = 20 };
	struct task_attr no_hart = { .cls = SCHED_FAIR, .allowed = 1ull << 63 };
	int err = 0;

	KT_EXPECT(t, !kthread_create("x", noop, 0, &bad_prio, &err) && err == -NH_EINVAL);
	KT_EXPECT(t, !kthread_create("x", noop, 0, &bad_nice, &err) && err == -NH_EINVAL);
	KT_EXPECT(t, !kthread_create("x", noop, 0, &no_hart, &err) && err == -NH_EINVAL);
	KT_EXPECT(t, sched_set_affinity(task_current(), 1ull << 63) == -NH_EINVAL);
	KT_EXPECT(t, sched_set_nice(task_current(), -21) == -NH_EINVAL);
	KT_EXPECT(t, sched_set_fixed(task_current(), -1) == -NH_EINVAL);
}

/* ---- affinity ------------------------------------------------------------- */

struct pinned {
	unsigned want;
	unsigned wrong;
};

static void pinned_main(void *arg)
{
	struct pinned *p = arg;

	for (int i = 0; i < 40; i++) {
		if (hart_self()->index != p->want)
			p->wrong++;
		if (i % 4 == 0)
			task_sleep_ns(500000);
		else
			sched_yield();
	}
}

KTEST(TASK0004_affinity_honoured)
{
	struct pinned p[PLAT_MAX_HARTS];
	struct task *k[PLAT_MAX_HARTS];
	unsigned n = nharts_online;
	int err;

	for (unsigned i = 0; i < n; i++) {
		struct task_attr a = { .cls = SCHED_FAIR, .allowed = hart_mask(i) };

		p[i] = (struct pinned){ .want = hart_nth(i) };
		k[i] = kthread_create("pinned", pinned_main, &p[i], &a, &err);
		KT_EXPECT(t, k[i] != 0);
	}
	for (unsigned i = 0; i < n; i++) {
		if (k[i])
			task_join(k[i]);
		KT_EXPECT(t, p[i].wrong == 0);
	}
	ktest_diag(t, "%u harts, each with a pinned thread", n);
}

/* ---- lock torture ------------------------------------------------------- */

static struct spinlock torture_lock = SPINLOCK_INIT("test: torture", RANK_TEST_INNER);
static volatile uint64_t torture_counter;
static uint64_t torture_atomic;
#define TORTURE_ROUNDS 20000

static void torture_main(void *arg)
{
	(void)arg;
	for (int i = 0; i < TORTURE_ROUNDS; i++) {
		irqflags_t f = spin_lock_irqsave(&torture_lock);
		uint64_t v = torture_counter;

		for (volatile int d = 0; d < 3; d++)
			;		/* widen the race window */
		torture_counter = v + 1;
		spin_unlock_irqrestore(&torture_lock, f);
		__atomic_fetch_add(&torture_atomic, 1, __ATOMIC_RELAXED);
	}
}

KTEST(TASK0005_lock_torture)
{
	unsigned n = nharts_online * 2;
	struct task *k[2 * PLAT_MAX_HARTS];
	int err;

	if (nharts_online < 2) {
		ktest_skip(t, "needs several harts");
		return;
	}
	torture_counter = 0;
	torture_atomic = 0;
	for (unsigned i = 0; i < n; i++) {
		struct task_attr a = { .cls = SCHED_FAIR, .allowed = hart_mask(i % nharts_online) };

		k[i] = kthread_create("torture", torture_main, 0, &a, &err);
		KT_EXPECT(t, k[i] != 0);
	}
	for (unsigned i = 0; i < n; i++) {
		if (k[i])
			task_join(k[i]);
	}
	KT_EXPECT(t, torture_counter == (uint64_t)n * TORTURE_ROUNDS);
	KT_EXPECT(t, torture_atomic == (uint64_t)n * TORTURE_ROUNDS);
	ktest_diag(t, "%u threads on %u harts: %lu increments", n, nharts_online,
		   (unsigned long)torture_counter);
}

/* ---- overflow and faults kill only their task ----------------------------- */

static volatile int counting, counter_stop;
static volatile uint64_t counter;

static void counter_main(void *arg)
{
	(void)arg;
	counting = 1;
	while (!counter_stop) {
		counter++;
		if ((counter & 1023) == 0)
			sched_yield();
	}
}

static volatile long recurse_limit = ~0ul >> 1;	/* never reached */

/* Recurse until the stack overflows (each frame holds 256 bytes). */
static long recurse(long depth)
{
	volatile char pad[256];

	pad[0] = (char)depth;
	if (depth >= recurse_limit)
		return pad[0];
	return recurse(depth + 1) + pad[0];
}

static void overflow_main(void *arg)
{
	(void)arg;
	recurse(0);
}

static volatile uintptr_t bad_address = 8;

static void null_main(void *arg)
{
	(void)arg;
	*(volatile int *)bad_address = 1;
}

static struct task *start_counter(void)
{
	unsigned other = nharts_online > 1 ? 1 : 0;
	struct task_attr a = { .cls = SCHED_FAIR, .allowed = hart_mask(other) };
	int err;

	counting = counter_stop = 0;
	counter = 0;
	return kthread_create("counter", counter_main, 0, &a, &err);
}

static bool still_counting(void)
{
	uint64_t c = counter;

	task_sleep_ns(5000000);
	return counter > c;
}

KTEST(TASK0006_stack_overflow_kills_only_the_task)
{
	unsigned stacks = kstack_in_use();
	struct task *c = start_counter(), *o;
	int err;

	KT_EXPECT(t, c && wait_flag(&counting, 1000));
	o = kthread_create("overflow", overflow_main, 0, 0, &err);
	KT_EXPECT(t, o != 0);
	if (o)
		KT_EXPECT(t, task_join(o) == -NH_EFAULT);
	KT_EXPECT(t, still_counting());
	counter_stop = 1;
	if (c)
		task_join(c);
	KT_EXPECT(t, kstack_in_use() == stacks);
}

KTEST(TASK0007_fault_kills_only_the_task)
{
	struct task *c = start_counter(), *o;
	int err;

	KT_EXPECT(t, c && wait_flag(&counting, 1000));
	o = kthread_create("nullptr", null_main, 0, 0, &err);
	KT_EXPECT(t, o && task_join(o) == -NH_EFAULT);
	KT_EXPECT(t, still_counting());
	counter_stop = 1;
	if (c)
		task_join(c);
}

/* ---- wait queues -------------------------------------------------------- */

static struct waitq tq;
static int tokens;		/* [tq.lock] */
static volatile int woke;

static bool take_token(void *arg)
{
	(void)arg;
	if (tokens == 0)
		return false;
	tokens--;
	return true;
}

static void token_main(void *arg)
{
	(void)arg;
	if (waitq_wait(&tq, false, 0, take_token, 0) == 0)
		__atomic_fetch_add(&woke, 1, __ATOMIC_RELAXED);
}

static void give_tokens(int n)
{
	irqflags_t f = spin_lock_irqsave(&tq.lock);

	tokens += n;
	spin_unlock_irqrestore(&tq.lock, f);
}

KTEST(TASK0008_waitq_wake_one_and_all)
{
	struct task *k[3];
	int err;

	waitq_init(&tq, "test: tq");
	tokens = 0;
	woke = 0;
	KT_EXPECT(t, !waitq_wake_one(&tq));	/* nobody there */
	for (int i = 0; i < 3; i++) {
		k[i] = kthread_create("sleeper", token_main, 0, 0, &err);
		KT_EXPECT(t, k[i] && wait_state(k[i], TASK_SLEEPING_UNINTR, 1000));
	}
	give_tokens(1);
	KT_EXPECT(t, waitq_wake_one(&tq));
	task_sleep_ns(5000000);
	KT_EXPECT(t, woke == 1);
	give_tokens(2);
	KT_EXPECT(t, waitq_wake_all(&tq) == 2);
	for (int i = 0; i < 3; i++) {
		if (k[i])
			task_join(k[i]);
	}
	KT_EXPECT(t, woke == 3);
}

static bool never(void *arg)
{
	(void)arg;
	return false;
}

KTEST(TASK0009_sleep_and_deadlines)
{
	struct waitq q;
	uint64_t start = clock_ns(), slept;
	uint64_t tick = 1000000000ull / timer_hz();

	task_sleep_ns(20000000);
	slept = clock_ns() - start;
	KT_EXPECT(t, slept >= 20000000);
	if (icount())
		KT_EXPECT(t, slept < 20000000 + tick / 10);	/* timer set for it */
	waitq_init(&q, "test: q");
	start = clock_ns();
	KT_EXPECT(t, waitq_wait(&q, true, start + 5000000, never, 0) == -NH_ETIMEDOUT);
	KT_EXPECT(t, clock_ns() >= start + 5000000);
	KT_EXPECT(t, waitq_wait(&q, true, start, never, 0) == -NH_ETIMEDOUT);
	ktest_diag(t, "a 20 ms sleep took %lu us", slept / 1000);
}

static struct waitq iq;
static volatile int release_unintr;

static bool released(void *arg)
{
	(void)arg;
	return release_unintr != 0;
}

static void intr_main(void *arg)
{
	(void)arg;
	task_exit(waitq_wait(&iq, true, 0, never, 0));
}

static void unintr_main(void *arg)
{
	(void)arg;
	task_exit(waitq_wait(&iq, false, 0, released, 0));
}

KTEST(TASK0010_interruptible_and_uninterruptible)
{
	struct task *i, *u;
	int err;

	waitq_init(&iq, "test: iq");
	release_unintr = 0;
	i = kthread_create("intr", intr_main, 0, 0, &err);
	u = kthread_create("unintr", unintr_main, 0, 0, &err);
	KT_EXPECT(t, i && u);
	if (!i || !u)
		return;
	KT_EXPECT(t, wait_state(i, TASK_SLEEPING, 1000));
	KT_EXPECT(t, wait_state(u, TASK_SLEEPING_UNINTR, 1000));
	KT_EXPECT(t, task_interrupt(i));
	KT_EXPECT(t, !task_interrupt(u));	/* not interruptible */
	KT_EXPECT(t, task_join(i) == -NH_EINTR);
	task_sleep_ns(2000000);
	KT_EXPECT(t, u->state == TASK_SLEEPING_UNINTR);
	irqflags_t f = spin_lock_irqsave(&iq.lock);
	release_unintr = 1;
	spin_unlock_irqrestore(&iq.lock, f);
	waitq_wake_all(&iq);
	KT_EXPECT(t, task_join(u) == 0);
}

KTEST(TASK0011_stop_and_continue)
{
	struct task *c = start_counter();
	uint64_t frozen;
	int err;

	KT_EXPECT(t, c && wait_flag(&counting, 1000));
	if (!c)
		return;
	KT_EXPECT(t, sched_stop(c) == 0);
	KT_EXPECT(t, wait_state(c, TASK_STOPPED, 1000));
	frozen = counter;
	task_sleep_ns(10000000);
	KT_EXPECT(t, counter == frozen);
	KT_EXPECT(t, sched_continue(c) == 0);
	KT_EXPECT(t, still_counting());
	counter_stop = 1;
	task_get(c);
	task_join(c);
	KT_EXPECT(t, c->state == TASK_DEAD);
	KT_EXPECT(t, sched_stop(c) == -NH_EINVAL && sched_continue(c) == -NH_EINVAL);
	task_put(c);
	struct task *d = kthread_create("noop", noop, 0, 0, &err);
	KT_EXPECT(t, d != 0);
	if (d)
		task_join(d);
}

/* ---- lock ranks ------------------------------------------------------------ */

KTEST(LOCK0001_rank_checker_reports)
{
	static struct spinlock outer = SPINLOCK_INIT("test: outer", RANK_TEST_OUTER);
	static struct spinlock inner = SPINLOCK_INIT("test: inner", RANK_TEST_INNER);
	irqflags_t f = arch_irq_save();	/* stay on this hart */
	struct hart *h = hart_self();
	unsigned before = h->lock_violations;

	h->lock_catch = true;
	spin_lock(&outer);
	spin_lock(&inner);		/* in order: fine */
	spin_unlock(&inner);
	spin_unlock(&outer);
	KT_EXPECT(t, h->lock_violations == before);
	spin_lock(&inner);
	spin_lock(&outer);		/* out of order: reported */
	spin_unlock(&outer);
	KT_EXPECT(t, h->lock_violations == before + 1);
	spin_lock(&inner);		/* twice on one hart: reported, not taken */
	KT_EXPECT(t, h->lock_violations == before + 2);
	spin_unlock(&inner);
	h->lock_catch = false;
	KT_EXPECT(t, h->nheld == 0 && inner.locked == 0 && outer.locked == 0);
	arch_irq_restore(f);
}

/* ---- timing (icount boots only: guest time is instructions) ----------- */

static volatile int spin_stop;

struct spinner {
	uint64_t loops;
};

static void spinner_main(void *arg)
{
	struct spinner *s = arg;

	while (!spin_stop)
		s->loops++;
}

/* Run @n spinners with @nices pinned to hart 0 for @ms; loops in s[]. */
static void run_spinners(struct ktest_ctx *t, struct spinner *s,
			 const int *nices, int n, unsigned ms)
{
	struct task *k[8];
	int err;

	spin_stop = 0;
	for (int i = 0; i < n; i++) {
		struct task_attr a = { .cls = SCHED_FAIR, .nice = nices[i],
				       .allowed = hart_mask(0) };

		s[i].loops = 0;
		k[i] = kthread_create("spinner", spinner_main, &s[i], &a, &err);
		KT_EXPECT(t, k[i] != 0);
	}
	task_sleep_ns(ms * 1000000ull);
	spin_stop = 1;
	for (int i = 0; i < n; i++) {
		if (k[i])
			task_join(k[i]);
	}
}

/* Is @got within @pct percent of @want? */
static bool within(uint64_t got, uint64_t want, unsigned pct)
{
	uint64_t slack = want * pct / 100;

	return got + slack >= want && got <= want + slack;
}

KTEST(SCHED0001_equal_nice_share_one_hart)
{
	struct spinner s[3];
	const int nices[3] = { 0, 0, 0 };
	uint64_t total = 0;

	if (timing_skip()) {
		ktest_skip(t, timing_skip());
		return;
	}
	run_spinners(t, s, nices, 3, 300);
	for (int i = 0; i < 3; i++)
		total += s[i].loops;
	for (int i = 0; i < 3; i++) {
		ktest_diag(t, "spinner %d: %lu loops (%lu%%)", i, s[i].loops,
			   s[i].loops * 100 / (total ? total : 1));
		KT_EXPECT(t, within(s[i].loops, total / 3, 10));
	}
}

KTEST(SCHED0002_nice_weights_split_the_hart)
{
	struct spinner s[2];
	const int nices[2] = { 0, 5 };
	uint64_t w0 = sched_nice_weight(0), w5 = sched_nice_weight(5);

	if (timing_skip()) {
		ktest_skip(t, timing_skip());
		return;
	}
	run_spinners(t, s, nices, 2, 400);
	ktest_diag(t, "nice 0: %lu loops, nice 5: %lu loops, weights %lu:%lu",
		   s[0].loops, s[1].loops, w0, w5);
	/* s0 / s1 should be w0 / w5, within 15 %. */
	KT_EXPECT(t, within(s[0].loops * w5, s[1].loops * w0, 15));
}

static struct waitq pq;
static volatile int prio_go;
static volatile uint64_t woken_at;

static bool go_set(void *arg)
{
	(void)arg;
	return prio_go != 0;
}

static void high_main(void *arg)
{
	(void)arg;
	waitq_wait(&pq, false, 0, go_set, 0);
	woken_at = clock_ns();
}

KTEST(SCHED0003_woken_fixed_priority_runs_within_a_tick)
{
	struct task_attr hi = { .cls = SCHED_FIXED, .prio = 10, .allowed = hart_mask(0) };
	struct spinner s[1];
	struct task *hog, *h;
	uint64_t sent, tick = 1000000000ull / timer_hz();
	struct task_attr fair0 = { .cls = SCHED_FAIR, .allowed = hart_mask(0) };
	int err;

	if (timing_skip()) {
		ktest_skip(t, timing_skip());
		return;
	}
	waitq_init(&pq, "test: pq");
	prio_go = 0;
	woken_at = 0;
	spin_stop = 0;
	hog = kthread_create("hog", spinner_main, &s[0], &fair0, &err);
	h = kthread_create("high", high_main, 0, &hi, &err);
	KT_EXPECT(t, hog && h && wait_state(h, TASK_SLEEPING_UNINTR, 1000));
	task_sleep_ns(3 * tick);		/* the hog has the hart */
	irqflags_t f = spin_lock_irqsave(&pq.lock);
	prio_go = 1;
	spin_unlock_irqrestore(&pq.lock, f);
	sent = clock_ns();
	waitq_wake_all(&pq);
	if (h)
		task_join(h);
	spin_stop = 1;
	if (hog)
		task_join(hog);
	ktest_diag(t, "woken after %lu us (tick %lu us)", (woken_at - sent) / 1000,
		   tick / 1000);
	KT_EXPECT(t, woken_at >= sent && woken_at - sent < tick);
}

/* ---- migration under preemption ------------------------------------------ */

struct migrant {
	unsigned mismatches;
	unsigned migrations;
};

static volatile int migrate_stop;

/* Spin, checking that the hart we find ourselves on says we run there. */
static void migrant_main(void *arg)
{
	struct migrant *m = arg;
	struct task *me = task_current();
	unsigned last = hart_self()->index;
	uint64_t n = 0;

	while (!migrate_stop) {
		struct hart *h = hart_self();

		if (h->current != me)
			m->mismatches++;
		if (h->index != last) {
			m->migrations++;
			last = h->index;
		}
		if ((++n & 8191) == 0 && (me->id & 1))
			task_sleep_ns(100000);	/* leave a hart idle: stealing */
	}
}

KTEST(TASK0012_migration_keeps_per_hart_state_right)
{
	unsigned n = nharts_online + 2, moves = 0;
	struct migrant m[PLAT_MAX_HARTS + 2];
	struct task *k[PLAT_MAX_HARTS + 2];
	int err;

	if (nharts_online < 2) {
		ktest_skip(t, "needs several harts");
		return;
	}
	migrate_stop = 0;
	for (unsigned i = 0; i < n; i++) {
		m[i] = (struct migrant){ 0 };
		k[i] = kthread_create("migrant", migrant_main, &m[i], 0, &err);
		KT_EXPECT(t, k[i] != 0);
	}
	for (unsigned round = 0; round < 40; round++) {	/* 200 ms */
		struct task *v = k[round % n];

		if (v)	/* move a running thread: the affinity path */
			sched_set_affinity(v, hart_mask((round / n + 1) % nharts_online));
		task_sleep_ns(5000000);
	}
	migrate_stop = 1;
	for (unsigned i = 0; i < n; i++) {
		if (k[i])
			task_join(k[i]);
		KT_EXPECT(t, m[i].mismatches == 0);
		moves += m[i].migrations;
	}
	KT_EXPECT(t, moves > 0);
	ktest_diag(t, "%u threads on %u harts, %u migrations seen", n,
		   nharts_online, moves);
}

/* ---- accounting ------------------------------------------------------------ */

static void deep_main(void *arg)
{
	volatile uint8_t buf[3000];

	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i | 1);
	*(volatile uint8_t *)arg = buf[7];
	sched_yield();
}

KTEST(TASK0013_accounting_and_stack_high_water_mark)
{
	uint8_t sink = 0;
	struct task *k;
	int err;

	k = kthread_create("deep", deep_main, &sink, 0, &err);
	KT_EXPECT(t, k != 0);
	if (!k)
		return;
	task_get(k);
	task_join(k);
	ktest_diag(t, "stack high-water mark %u bytes, %lu voluntary switches",
		   k->stack_hwm, (unsigned long)k->nvcsw);
	KT_EXPECT(t, k->stack_hwm >= 3000 && k->stack_hwm < 4096);
	KT_EXPECT(t, k->nvcsw >= 1);		/* the yield, and the exit */
	KT_EXPECT(t, k->stime_ns > 0);
	KT_EXPECT(t, k->state == TASK_DEAD && k->reaped);
	task_put(k);
}
