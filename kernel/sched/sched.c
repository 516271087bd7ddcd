/*
 * The scheduler (see sched.h for classes, locking and the preemption
 * model).  schedule_locked() is the one place a hart changes tasks: it
 * runs with interrupts off and the hart's run-queue lock held, switches,
 * and the task switched to releases the lock (sched_finish_switch).
 */
#include "sched/sched.h"

#include <nuthatch/errno.h>

#include "arch/riscv/asm.h"
#include "arch/riscv/trap.h"
#include "sched/exec.h"
#include "core/hart.h"
#include "mm/kmap.h"
#include "core/printk.h"
#include "sched/task.h"
#include "mm/vm.h"
#include "sched/timer.h"

#define WAKE_GRANULARITY_NS	1000000ull	/* a woken fair task preempts
						   one this far ahead of it */

void arch_resume_trampoline(void);	/* trap.S */


/* Fixed level p is bit 63 - p of fixed_mask (see top_fixed). */
#define FIXED_BIT(p)	(1ull << (63 - (p)))

/* 1024 / 1.25^nice, nice -20..19. */
static const uint32_t nice_weight[40] = {
	88818, 71054, 56843, 45475, 36380, 29104, 23283, 18626, 14901, 11921,
	9537, 7629, 6104, 4883, 3906, 3125, 2500, 2000, 1600, 1280,
	1024, 819, 655, 524, 419, 336, 268, 215, 172, 137,
	110, 88, 70, 56, 45, 36, 29, 23, 18, 15,
};


uint32_t sched_nice_weight(int nice)
{
	if (nice < NICE_MIN)
		nice = NICE_MIN;
	if (nice > NICE_MAX)
		nice = NICE_MAX;
	return nice_weight[nice - NICE_MIN];
}

void sched_init_hart(struct hart *h, struct task *idle)
{
	struct runqueue *rq = &h->rq;

	rq->lock = (struct spinlock)SPINLOCK_INIT("rq: one hart's queues", RANK_RQ);
	for (int p = 0; p < SCHED_FIXED_PRIOS; p++)
		list_init(&rq->fixed[p]);
	list_init(&rq->fair);
	list_init(&rq->sleepers);
	h->idle = idle;
	h->current = idle;
	idle->last_ticks = arch_ticks();
}

/* ---- run-queue primitives (rq lock held) ---------------------------- */

static void enqueue(struct runqueue *rq, struct task *t)
{
	struct list_node *pos;

	if (t->cls == SCHED_FIXED) {
		list_add_tail(&rq->fixed[t->prio], &t->rq_node);
		rq->fixed_mask |= FIXED_BIT(t->prio);
	} else {
		list_for_each(pos, &rq->fair) {
			if (container_of(pos, struct task, rq_node)->vruntime > t->vruntime)
				break;
		}
		list_insert_before(pos, &t->rq_node);
	}
	rq->nready++;
}

static void dequeue(struct runqueue *rq, struct task *t)
{
	list_del(&t->rq_node);
	if (t->cls == SCHED_FIXED && list_empty(&rq->fixed[t->prio]))
		rq->fixed_mask &= ~FIXED_BIT(t->prio);
	rq->nready--;
}

/*
 * The highest non-empty fixed level, or -1.  Level p is bit 63 - p of
 * fixed_mask, so the highest level is the lowest set bit, found with a
 * de Bruijn multiply (the U74 has no Zbb count instructions).
 */
static int top_fixed(const struct runqueue *rq)
{
	static const uint8_t debruijn[64] = {
		0, 1, 2, 53, 3, 7, 54, 27, 4, 38, 41, 8, 34, 55, 48, 28,
		62, 5, 39, 46, 44, 42, 22, 9, 24, 35, 59, 56, 49, 18, 29, 11,
		63, 52, 6, 26, 37, 40, 33, 47, 61, 45, 43, 21, 23, 58, 17, 10,
		51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12,
	};
	uint64_t m = rq->fixed_mask;

	if (!m)
		return -1;
	return 63 - debruijn[((m & -m) * 0x022fdd63cc95386dull) >> 58];
}

static struct task *first_fair(const struct runqueue *rq)
{
	return list_empty(&rq->fair) ? 0 :
	       container_of(rq->fair.next, struct task, rq_node);
}

static struct task *pick(struct runqueue *rq)
{
	int p = top_fixed(rq);
	struct task *t = p >= 0 ?
		container_of(rq->fixed[p].next, struct task, rq_node) :
		first_fair(rq);

	if (t) {
		dequeue(rq, t);
		if (t->cls == SCHED_FAIR && t->vruntime > rq->min_vruntime)
			rq->min_vruntime = t->vruntime;
	}
	return t;
}

/* Charge the running task for the time since it was last charged, up
 * to @now (timer ticks), as user time when @user (a tick that interrupted
 * user mode: sampled, like a tick-based kernel), else as system time.
 * No division: the switch path runs this. */
static inline __attribute__((always_inline)) void
account(struct hart *h, struct task *t, uint64_t now, bool user)
{
	uint64_t d = timer_delta_ns(now - t->last_ticks);

	t->last_ticks = now;
	if (t == h->idle)
		return;
	if (user)
		t->utime_ns += d;
	else
		t->stime_ns += d;
	if (t->cls == SCHED_FAIR) {
		struct task *f = first_fair(&h->rq);
		uint64_t low;

		/* d * NICE0_WEIGHT / weight, NICE0_WEIGHT being 2^10 */
		t->vruntime += (uint64_t)(((unsigned __int128)d * t->inv_weight) >> 22);
		low = f && f->vruntime < t->vruntime ? f->vruntime : t->vruntime;
		if (low > h->rq.min_vruntime)
			h->rq.min_vruntime = low;
	}
}

static bool preempts(struct hart *h, const struct task *t)
{
	const struct task *cur = h->current;

	if (cur == h->idle)
		return true;
	if (t->cls == SCHED_FIXED)
		return cur->cls != SCHED_FIXED || t->prio > cur->prio;
	return cur->cls == SCHED_FAIR &&
	       t->vruntime + WAKE_GRANULARITY_NS < cur->vruntime;
}

/* Ask hart @h to reschedule: an IPI, or on this hart a pending software
 * interrupt, taken (and acted on) as soon as interrupts are enabled. */
static void kick(struct hart *h)
{
	__atomic_store_n(&h->need_resched, true, __ATOMIC_RELEASE);
	if (h != hart_self())
		arch_send_ipi(h->hartid);
	else if (!h->kick_deferred)
		arch_self_ipi();
}

static void schedule_unlock(struct hart *h, bool voluntary, bool abandon);

void sched_defer_kick(void)
{
	hart_self()->kick_deferred++;
}

void sched_kick_point(irqflags_t f)
{
	struct hart *h = hart_self();

	h->kick_deferred--;
	if (!__atomic_load_n(&h->need_resched, __ATOMIC_ACQUIRE)) {
		arch_irq_restore(f);
		return;
	}
	if (!arch_irqs_were_on(f) || h->trap_depth || h->nheld || h->kick_deferred ||
	    h->current == h->idle) {
		arch_self_ipi();	/* not here: at the next chance */
		arch_irq_restore(f);
		return;
	}
	spin_lock(&h->rq.lock);
	schedule_unlock(h, false, false);	/* preempted, in task context */
	arch_irq_restore(f);
}

/*
 * Lock the run queue @t belongs to.  t->hart changes only under the lock
 * of the hart it leaves, so after locking, a still-matching t->hart is
 * stable until the unlock.
 */
static struct hart *lock_task_rq(struct task *t, irqflags_t *f)
{
	for (;;) {
		struct hart *h = &harts[__atomic_load_n(&t->hart, __ATOMIC_ACQUIRE)];

		*f = spin_lock_irqsave(&h->rq.lock);
		if (t->hart == h->index)
			return h;
		spin_unlock_irqrestore(&h->rq.lock, *f);
	}
}

bool sched_off_cpu(struct task *t)
{
	irqflags_t f;
	struct hart *h = lock_task_rq(t, &f);
	bool off = h->current != t;

	spin_unlock_irqrestore(&h->rq.lock, f);
	return off;
}

static bool allowed_on(const struct task *t, const struct hart *h)
{
	return (t->allowed >> h->index) & 1;
}

/* Where to queue @t: its last hart if allowed and online, else the
 * allowed online hart with the fewest ready tasks. */
static struct hart *select_hart(const struct task *t)
{
	struct hart *best = 0, *last = &harts[t->hart];

	if (allowed_on(t, last) && __atomic_load_n(&last->online, __ATOMIC_ACQUIRE))
		return last;
	for (unsigned i = 0; i < PLAT_MAX_HARTS; i++) {
		struct hart *h = &harts[i];

		if (!__atomic_load_n(&h->online, __ATOMIC_ACQUIRE) || !allowed_on(t, h))
			continue;
		if (!best || h->rq.nready < best->rq.nready)
			best = h;
	}
	return best;
}

/*
 * @t waits on @busy's queue: kick a hart that idles with nothing queued
 * and may run it, which then steals it (its idle loop steals when
 * woken), rather than let it wait while a hart sleeps.  A racy look at
 * the others: at worst a kick for nothing, or a steal at the next tick.
 */
static void kick_an_idle_hart(const struct hart *busy, const struct task *t)
{
	unsigned left = __atomic_load_n(&nharts_online, __ATOMIC_RELAXED);

	if (left < 2)	/* (one hart: nobody to kick) */
		return;
	for (unsigned i = 0; i < PLAT_MAX_HARTS && left; i++) {
		struct hart *o = &harts[i];

		if (!__atomic_load_n(&o->online, __ATOMIC_ACQUIRE))
			continue;
		left--;
		if (o == busy || !allowed_on(t, o) ||
		    __atomic_load_n(&o->rq.nready, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&o->current, __ATOMIC_RELAXED) != o->idle)
			continue;
		kick(o);
		return;
	}
}

/*
 * Queue a READY task that is on no run queue and no hart (new, stolen,
 * migrating, continued) on hart t->hart, which the caller set while
 * holding the lock of the hart it left, if any.  Kick if it should run,
 * else an idle hart that may take it.
 */
static void place(struct task *t, uint64_t vbase_old)
{
	irqflags_t f;
	struct hart *h = lock_task_rq(t, &f);
	bool k = false;

	if (t->stop_pending) {		/* stopped while in transit */
		task_set_state(t, TASK_STOPPED);
	} else {
		if (t->cls == SCHED_FAIR) {	/* keep its lag relative to the queue */
			uint64_t lag = t->vruntime > vbase_old ? t->vruntime - vbase_old : 0;

			t->vruntime = h->rq.min_vruntime + lag;
		}
		enqueue(&h->rq, t);
		k = preempts(h, t);
	}
	spin_unlock_irqrestore(&h->rq.lock, f);
	if (k)
		kick(h);
	else if (!t->stop_pending)
		kick_an_idle_hart(h, t);
}

void sched_start(struct task *t)
{
	t->hart = select_hart(t)->index;	/* not yet visible to anyone */
	t->vruntime = 0;
	place(t, 0);
}

void sched_start_stopped(struct task *t)
{
	t->hart = select_hart(t)->index;	/* not yet visible to anyone */
	t->vruntime = 0;
	task_set_state(t, TASK_STOPPED);
}

/* ---- switching ------------------------------------------------------- */

static void fence_stack(struct hart *h, struct task *t, uint64_t bit)
{
	for (uintptr_t va = t->stack.lo; va < t->stack.hi; va += 4096)
		arch_tlb_flush_page(va);
	__atomic_fetch_and(&t->stack_flush, ~bit, __ATOMIC_RELEASE);
}

static inline void fence_stack_if_new(struct hart *h, struct task *t)
{
	uint64_t bit = 1ull << h->index;

	if (__atomic_load_n(&t->stack_flush, __ATOMIC_ACQUIRE) & bit)
		fence_stack(h, t, bit);
}

/*
 * Lazy FP.  The registers hold the state of h->fp_owner, valid if that
 * task's fp_hart names this hart too (it may have run elsewhere since).
 * A user task leaving a hart saves them if it owns them and changed
 * them (sstatus.FS dirty), so t->fp is current for every task not
 * running.  A user task arriving runs with FP on (clean) if its state is
 * still in the registers, else with FP off: its first FP instruction
 * traps (illegal instruction) and sched_fp_first_use loads it.  FS lives
 * in the user frame's sstatus, which the return to user mode restores.
 */
static bool fp_live(const struct hart *h, const struct task *t)
{
	return h->fp_owner == t && t->fp_hart == h->index + 1;
}

static void set_user_fs(struct task *t, uint64_t fs)
{
	struct trap_frame *tf = task_user_frame_mapped(t);

	tf->sstatus = (tf->sstatus & ~(uint64_t)SSTATUS_FS) | fs;
}

static inline __attribute__((always_inline)) void fp_save(struct hart *h, struct task *t)
{
	if (fp_live(h, t) && arch_fp_dirty()) {
		arch_fp_save(&t->fp);
		arch_fp_enable(true);	/* clean: memory matches */
		set_user_fs(t, SSTATUS_FS_CLEAN);
	}
}

void sched_fp_save(struct task *t)
{
	fp_save(hart_self(), t);
}

void sched_fp_forget(struct task *t)
{
	t->fp_hart = 0;
	if (t == task_current())
		set_user_fs(t, 0);	/* off: the next use loads t->fp */
}

bool sched_fp_first_use(struct trap_frame *tf)
{
	struct hart *h = hart_self();
	struct task *t = h->current;

	if ((tf->sstatus & SSTATUS_FS) || !t->space)
		return false;	/* FP was on: a truly illegal instruction */
	arch_fp_enable(true);
	arch_fp_restore(&t->fp);
	arch_fp_enable(true);
	h->fp_owner = t;
	t->fp_hart = h->index + 1;
	tf->sstatus |= SSTATUS_FS_CLEAN;
	return true;
}

static inline __attribute__((always_inline)) void
switch_fp(struct hart *h, struct task *prev, struct task *next)
{
	if (prev->space)
		fp_save(h, prev);
	if (next->space) {
		vm_tlb_code_sync(h);
		set_user_fs(next, fp_live(h, next) ? SSTATUS_FS_CLEAN : 0);
	}
}

/* Everything of a switch but the registers: @next becomes current.
 * (Inlined: the switch path is measured to the instruction.) */
static inline __attribute__((always_inline)) void switch_prepare(struct hart *h, struct task *prev, struct task *next,
			   bool voluntary, uint64_t now)
{
	if (voluntary)
		prev->nvcsw++;
	else
		prev->nivcsw++;
	task_set_state(next, TASK_RUNNING);
	next->last_ticks = now;
	fence_stack_if_new(h, next);
	if (prev->space || next->space) {	/* kernel to kernel: nothing */
		vm_switch(h, next->space);
		switch_fp(h, prev, next);
	}
	h->current = next;
	hart_set_stack(h, next->stack.lo, next->stack.hi, next->stack.slot != ~0u);
	h->rq.switches++;
}

/* Switch to @next: save prev's registers unless it @abandons its stack
 * (it resumes at the continuation already in prev->ctx). */
static void switch_to(struct hart *h, struct task *prev, struct task *next,
		      bool voluntary, uint64_t now, bool abandon)
{
	switch_prepare(h, prev, next, voluntary, now);
	h->switched_from = prev;
	if (abandon)
		arch_context_load(&next->ctx);
	arch_context_switch(&prev->ctx, &next->ctx);
}

/*
 * Put the outgoing task where its state says.  Returns a task that must
 * move to another hart after the switch (its affinity changed), or NULL.
 */
static struct task *put_prev(struct hart *h, struct task *prev)
{
	if (prev == h->idle)
		return 0;
	if (prev->state == TASK_RUNNING || prev->state == TASK_READY) {
		task_set_state(prev, prev->stop_pending ? TASK_STOPPED : TASK_READY);
		if (prev->state == TASK_STOPPED)
			return 0;
		if (!allowed_on(prev, h)) {	/* its affinity changed */
			prev->hart = select_hart(prev)->index;
			return prev;
		}
		enqueue(&h->rq, prev);
	}
	return 0;
}


/*
 * Change tasks.  Called with interrupts off and h->rq.lock held; returns
 * with the lock released and interrupts still off, on whatever hart the
 * caller runs when it is switched back to.  A task that @abandons its
 * stack never returns here: it resumes at its continuation (prev->ctx),
 * which releases the lock (sched_finish_switch) like any switched-to task.
 */
static void schedule_unlock(struct hart *h, bool voluntary, bool abandon)
{
	struct task *prev = h->current, *next;
	uint64_t now = arch_ticks();

	account(h, prev, now, false);
	__atomic_store_n(&h->need_resched, false, __ATOMIC_RELAXED);
	h->migrating = put_prev(h, prev);
	next = pick(&h->rq);
	if (!next)
		next = h->idle;
	if (next == prev) {
		if (prev != h->idle)
			task_set_state(prev, TASK_RUNNING);
		if (abandon) {		/* back into its own continuation */
			h->switched_from = 0;
			arch_context_load(&prev->ctx);
		}
		spin_unlock(&h->rq.lock);
		return;
	}
	switch_to(h, prev, next, voluntary, now, abandon);
	sched_finish_switch();
}

/* After a switch: release the run queue, then deal with the task left. */
void sched_finish_switch(void)
{
	struct hart *h = hart_self();
	struct task *prev = h->switched_from;
	struct task *move = h->migrating;
	bool dead = prev && prev->state == TASK_DEAD;	/* before others see it */
	uint64_t vbase = h->rq.min_vruntime;

	h->switched_from = 0;
	h->migrating = 0;
	spin_unlock(&h->rq.lock);
	if (dead)
		task_dead_off_hart(prev);
	if (move)
		place(move, vbase);
}

void schedule(void)
{
	irqflags_t f = arch_irq_save();
	struct hart *h = hart_self();

	if (h->nheld)
		panic("schedule() with %s held", NH_DEBUG ? h->held[0]->name : "a spinlock");
	spin_lock(&h->rq.lock);
	schedule_unlock(h, true, false);
	arch_irq_restore(f);
}

void sched_yield(void)
{
	schedule();
}

/* The context a task blocked with @cont resumes at (the trampoline sets
 * s0 itself and reads nothing else). */
static inline void set_continuation(struct hart *h, struct task *t, long (*cont)(void))
{
	t->ctx.ra = (uint64_t)arch_resume_trampoline;
	t->ctx.sp = h->kstack_hi - TRAP_FRAME_SIZE;
	t->ctx.s[1] = (uint64_t)cont;
}

void sched_block(long (*cont)(void))
{
	struct hart *h;
	struct task *t;

	arch_irq_save();
	h = hart_self();
	t = h->current;
	if (h->nheld)
		panic("sched_block() with %s held", NH_DEBUG ? h->held[0]->name : "a spinlock");
	set_continuation(h, t, cont);
	spin_lock(&h->rq.lock);
	schedule_unlock(h, true, true);
	panic("sched_block: returned");
}

/* ---- direct switches (IPC's fast path) ------------------------------ */

void sched_direct_unlock(void)
{
	spin_unlock(&hart_self()->rq.lock);
}

struct hart *sched_direct_try(const struct task *next)
{
	struct hart *h = hart_self();
	const struct task *prev = h->current;
	bool ok;

	spin_lock(&h->rq.lock);
	ok = next->hart == h->index && next->state == TASK_SLEEPING &&
	     !next->wake_at && !next->stop_pending && allowed_on(next, h) &&
	     /* it returns to user mode without the boundary's work check */
	     !__atomic_load_n(&next->work, __ATOMIC_ACQUIRE) &&
	     !(__atomic_load_n(&prev->work, __ATOMIC_ACQUIRE) & TASK_WORK_INTR) &&
	     !__atomic_load_n(&h->need_resched, __ATOMIC_RELAXED) &&
	     (next->cls == SCHED_FIXED ? top_fixed(&h->rq) <= next->prio
				       : !h->rq.fixed_mask);	/* fair: it takes
								   the caller's turn */
	if (ok)
		return h;
	spin_unlock(&h->rq.lock);
	return 0;
}

void sched_direct_switch(struct hart *h, struct task *next, long (*cont)(void))
{
	struct task *prev = h->current;
	uint64_t now = arch_ticks();

	account(h, prev, now, false);
	set_continuation(h, prev, cont);
	prev->wake_result = 0;
	prev->state = TASK_SLEEPING;	/* RUNNING -> SLEEPING and */
	next->state = TASK_RUNNING;	/* SLEEPING -> RUNNING: both legal */
	next->wake_result = 0;
	switch_prepare(h, prev, next, true, now);
}

void sched_trap_exit(bool interrupted_with_irqs_on)
{
	struct hart *h = hart_self();

	if (!__atomic_load_n(&h->need_resched, __ATOMIC_ACQUIRE) ||
	    !interrupted_with_irqs_on || h->trap_depth != 1 || h->nheld)
		return;
	h->trap_depth--;	/* the next task is not inside this trap */
	spin_lock(&h->rq.lock);
	schedule_unlock(h, false, false);
	hart_self()->trap_depth++;
}

void sched_user_return(void)
{
	struct hart *h = hart_self();
	struct task *t = h->current;

	if (!__atomic_load_n(&h->need_resched, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&h->rq.lock);
	t->user_parked = true;		/* sched_notify_work may stop it here */
	schedule_unlock(h, false, false);
	t->user_parked = false;		/* RUNNING again: nobody reads it now */
}

bool sched_stop_current(void)
{
	struct hart *h = hart_self();
	struct task *t = h->current;
	irqflags_t f = spin_lock_irqsave(&h->rq.lock);
	bool stop = __atomic_load_n(&t->work, __ATOMIC_ACQUIRE) & TASK_WORK_STOP;

	if (stop)
		task_set_state(t, TASK_STOPPED);
	spin_unlock_irqrestore(&h->rq.lock, f);
	return stop;
}

void sched_switch_space(struct vmspace *u)
{
	irqflags_t f = arch_irq_save();
	struct hart *h = hart_self();

	spin_lock(&h->current->ctl_lock);	/* (others read it under it) */
	h->current->space = u;
	spin_unlock(&h->current->ctl_lock);
	vm_switch(h, u);
	vm_tlb_code_sync(h);
	arch_irq_restore(f);
}

void sched_exit(void)
{
	struct hart *h;

	arch_irq_save();
	h = hart_self();
	spin_lock(&h->rq.lock);
	task_set_state(h->current, TASK_DEAD);
	schedule_unlock(h, true, false);
	panic("a dead task was switched back to");
}

/* ---- the tick, sleeping and waking ------------------------------------ */

/* Make a sleeping @t READY (rq lock of its hart held).  Returns whether
 * the hart should reschedule. */
static bool wake_locked(struct hart *h, struct task *t, int result)
{
	t->wake_result = result;
	if (list_linked(&t->sleep_node))
		list_del(&t->sleep_node);
	t->wake_at = 0;
	if (t->stop_pending) {
		task_set_state(t, TASK_STOPPED);
		return false;
	}
	task_set_state(t, TASK_READY);
	if (h->current == t)	/* it has not switched away yet */
		return false;
	if (t->cls == SCHED_FAIR && t->vruntime + WAKE_GRANULARITY_NS < h->rq.min_vruntime)
		t->vruntime = h->rq.min_vruntime - WAKE_GRANULARITY_NS;
	enqueue(&h->rq, t);
	return preempts(h, t);
}

static void expire_sleepers(struct hart *h, uint64_t now)
{
	while (!list_empty(&h->rq.sleepers)) {
		struct task *t = container_of(h->rq.sleepers.next, struct task,
					      sleep_node);

		if (t->wake_at > now)
			break;
		if (wake_locked(h, t, -NH_ETIMEDOUT))
			h->need_resched = true;
	}
}

static bool tick_wants_switch(struct hart *h)
{
	struct task *cur = h->current, *f;
	int top = top_fixed(&h->rq);

	if (cur == h->idle)
		return h->rq.nready > 0;
	if (cur->cls == SCHED_FIXED)
		return top >= cur->prio;	/* round-robin at equal priority */
	if (top >= 0)
		return true;
	f = first_fair(&h->rq);
	return f && f->vruntime < cur->vruntime;
}

uint64_t sched_timer(bool tick)
{
	struct hart *h = hart_self();
	uint64_t next = 0;

	if (!h->current)
		return 0;	/* before the scheduler is up on this hart */
	spin_lock(&h->rq.lock);
	account(h, h->current, arch_ticks(), h->trap_from_user);
	expire_sleepers(h, clock_ns());
	if (tick && tick_wants_switch(h))
		h->need_resched = true;
	if (!list_empty(&h->rq.sleepers))
		next = container_of(h->rq.sleepers.next, struct task, sleep_node)->wake_at;
	spin_unlock(&h->rq.lock);
	return next;
}

bool sched_wake(struct task *t, int result, bool uninterruptible_too)
{
	irqflags_t f;
	struct hart *h = lock_task_rq(t, &f);
	bool woke = t->state == TASK_SLEEPING ||
		    (uninterruptible_too && t->state == TASK_SLEEPING_UNINTR);
	bool move = woke && !allowed_on(t, h) && h->current != t &&
		    !t->stop_pending;	/* its affinity changed while asleep */
	bool k = false;
	uint64_t vbase = h->rq.min_vruntime;

	if (move) {
		t->wake_result = result;
		if (list_linked(&t->sleep_node))
			list_del(&t->sleep_node);
		t->wake_at = 0;
		task_set_state(t, TASK_READY);
		t->hart = select_hart(t)->index;
	} else if (woke) {
		k = wake_locked(h, t, result);
	}
	spin_unlock_irqrestore(&h->rq.lock, f);
	if (move)
		place(t, vbase);
	if (k)
		kick(h);
	return woke;
}

void sched_prepare_sleep(int state, uint64_t deadline)
{
	struct hart *h = hart_self();
	struct task *t = h->current;
	irqflags_t f = spin_lock_irqsave(&h->rq.lock);
	uint64_t w = __atomic_load_n(&t->work, __ATOMIC_ACQUIRE);
	struct list_node *pos;

	t->wake_result = 0;
	if (state == TASK_SLEEPING && (w & TASK_WORK_INTR)) {
		t->wake_result = task_work_sleep_result(w);	/* taskctl asked first */
		spin_unlock_irqrestore(&h->rq.lock, f);
		return;
	}
	task_set_state(t, (enum task_state)state);
	t->wake_at = deadline;
	if (deadline) {
		list_for_each(pos, &h->rq.sleepers) {
			if (container_of(pos, struct task, sleep_node)->wake_at > deadline)
				break;
		}
		list_insert_before(pos, &t->sleep_node);
		timer_wake_at(deadline);
	}
	spin_unlock_irqrestore(&h->rq.lock, f);
}

int sched_sleep(int state, uint64_t deadline)
{
	sched_prepare_sleep(state, deadline);
	schedule();
	return task_current()->wake_result;
}

/* ---- stopping, affinity, classes -------------------------------------- */

int sched_stop(struct task *t)
{
	irqflags_t f;
	struct hart *h = lock_task_rq(t, &f);
	bool k = false;

	if (t->state == TASK_DEAD || t == h->idle) {
		spin_unlock_irqrestore(&h->rq.lock, f);
		return -NH_EINVAL;
	}
	t->stop_pending = true;
	if (t->state == TASK_READY && list_linked(&t->rq_node)) {
		dequeue(&h->rq, t);
		task_set_state(t, TASK_STOPPED);
	} else if (t->state == TASK_RUNNING) {
		k = true;	/* it stops at its next switch */
	}
	spin_unlock_irqrestore(&h->rq.lock, f);
	if (k)
		kick(h);
	return 0;
}

int sched_continue(struct task *t)
{
	irqflags_t f;
	struct hart *h = lock_task_rq(t, &f);
	bool stopped = t->state == TASK_STOPPED, requeue = false;
	bool dead = t->state == TASK_DEAD;
	uint64_t vbase = h->rq.min_vruntime;

	t->stop_pending = false;
	if (stopped) {
		task_set_state(t, TASK_READY);
		/* Still current on its hart (stopped before it switched away):
		 * its own schedule() queues it.  Otherwise queue it here. */
		if (h->current != t) {
			t->hart = select_hart(t)->index;
			requeue = true;
		}
	}
	spin_unlock_irqrestore(&h->rq.lock, f);
	if (requeue)
		place(t, vbase);
	return dead ? -NH_EINVAL : 0;
}

/* Stop @t where it waits, parked at its user boundary, if a stop is all
 * it is asked for (rq lock held).  True if it is STOPPED now. */
static bool stop_parked(struct runqueue *rq, struct task *t, uint64_t work)
{
	if (t->state != TASK_READY || !t->user_parked || !list_linked(&t->rq_node) ||
	    (work & ~TASK_WORK_STOP) || !(work & TASK_WORK_STOP))
		return false;
	dequeue(rq, t);
	task_set_state(t, TASK_STOPPED);
	return true;
}

bool sched_notify_work(struct task *t)
{
	irqflags_t f;
	struct hart *h = lock_task_rq(t, &f);
	uint64_t w = __atomic_load_n(&t->work, __ATOMIC_ACQUIRE);
	bool wake = t->state == TASK_SLEEPING && (w & TASK_WORK_INTR);
	bool poke = t->state == TASK_RUNNING && h->current == t && h != hart_self();
	bool stopped = !wake && !poke && stop_parked(&h->rq, t, w);

	spin_unlock_irqrestore(&h->rq.lock, f);
	if (wake)
		sched_wake(t, task_work_sleep_result(w), false);
	if (poke)	/* any trap from user mode passes the work check */
		arch_send_ipi(h->hartid);
	return stopped;
}

int sched_set_affinity(struct task *t, uint64_t mask)
{
	irqflags_t f;
	struct hart *h;
	bool requeue = false, k = false;
	uint64_t vbase;

	if (!(mask & hart_online_mask()))
		return -NH_EINVAL;
	h = lock_task_rq(t, &f);
	if (t == h->idle) {
		spin_unlock_irqrestore(&h->rq.lock, f);
		return -NH_EINVAL;
	}
	vbase = h->rq.min_vruntime;
	t->allowed = mask;
	if (!allowed_on(t, h)) {
		if (t->state == TASK_READY && list_linked(&t->rq_node)) {
			dequeue(&h->rq, t);
			t->hart = select_hart(t)->index;
			requeue = true;
		} else if (t->state == TASK_RUNNING) {
			k = true;	/* moves at its next switch */
		}
	}
	spin_unlock_irqrestore(&h->rq.lock, f);
	if (k)
		kick(h);
	if (requeue)
		place(t, vbase);
	return 0;
}

/* Change scheduling parameters of a task that is not queued right now,
 * or requeue it around the change. */
static int set_params(struct task *t, enum sched_class cls, int prio, int nice)
{
	irqflags_t f;
	struct hart *h = lock_task_rq(t, &f);
	bool queued = t->state == TASK_READY && list_linked(&t->rq_node);

	if (queued)
		dequeue(&h->rq, t);
	t->cls = cls;
	t->prio = prio;
	t->nice = nice;
	t->weight = sched_nice_weight(nice);
	t->inv_weight = (uint32_t)((1ull << 32) / t->weight);
	if (queued)
		enqueue(&h->rq, t);
	spin_unlock_irqrestore(&h->rq.lock, f);
	kick(h);
	return 0;
}

int sched_set_fixed(struct task *t, int prio)
{
	if (prio < 0 || prio >= SCHED_FIXED_PRIOS)
		return -NH_EINVAL;
	return set_params(t, SCHED_FIXED, prio, t->nice);
}

int sched_set_nice(struct task *t, int nice)
{
	if (nice < NICE_MIN || nice > NICE_MAX)
		return -NH_EINVAL;
	return set_params(t, SCHED_FAIR, 0, nice);
}

/* ---- idle and stealing -------------------------------------------------- */

/* A ready task on @from that may run on @to, dequeued; NULL if none. */
static struct task *steal_from(struct hart *from, struct hart *to)
{
	irqflags_t f = spin_lock_irqsave(&from->rq.lock);
	struct task *found = 0;
	struct list_node *n;

	for (int p = SCHED_FIXED_PRIOS - 1; p >= 0 && !found; p--) {	/* by priority */
		list_for_each(n, &from->rq.fixed[p]) {
			if (allowed_on(container_of(n, struct task, rq_node), to)) {
				found = container_of(n, struct task, rq_node);
				break;
			}
		}
	}
	if (!found) {
		list_for_each(n, &from->rq.fair) {
			if (allowed_on(container_of(n, struct task, rq_node), to)) {
				found = container_of(n, struct task, rq_node);
				break;
			}
		}
	}
	if (found) {
		dequeue(&from->rq, found);
		found->hart = to->index;	/* under the lock of the hart it leaves */
	}
	spin_unlock_irqrestore(&from->rq.lock, f);
	return found;
}

static bool steal(struct hart *h)
{
	for (unsigned i = 1; i < PLAT_MAX_HARTS; i++) {
		struct hart *o = &harts[(h->index + i) % PLAT_MAX_HARTS];
		struct task *t;

		if (!__atomic_load_n(&o->online, __ATOMIC_ACQUIRE) ||
		    __atomic_load_n(&o->rq.nready, __ATOMIC_RELAXED) == 0)
			continue;
		t = steal_from(o, h);
		if (t) {
			place(t, o->rq.min_vruntime);
			return true;
		}
	}
	return false;
}

void sched_idle(void)
{
	struct hart *h = hart_self();

	for (;;) {
		arch_irq_save();
		if (h->rq.nready || steal(h)) {
			schedule();
		} else if (!__atomic_load_n(&h->need_resched, __ATOMIC_ACQUIRE)) {
			arch_wait_for_interrupt();	/* wakes on a pending interrupt */
		}
		arch_irq_enable();		/* take it */
	}
}
