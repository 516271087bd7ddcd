/*
 * Spinlocks: test-and-set with acquire on lock and release on unlock
 * (amoswap.w.aq, then a release store), interrupts off while held, so a
 * holder is never preempted and never interrupted on its own hart.
 *
 * Every lock has a static rank (enum lock_rank).  A hart may only take a
 * lock whose rank is higher than that of every lock it already holds, so
 * there is one global order and no deadlock between two of them.  The
 * checker (spinlock.c, in debug builds: NH_DEBUG=1, the default and what
 * make test runs; make bench builds NH_DEBUG=0) tracks the locks each hart holds,
 * catches a lock taken twice on one hart and an out-of-order acquisition,
 * and panics naming both locks (a self-test can catch the report instead).
 * Locks are not recursive; a holder must not sleep.
 */
#ifndef NUTHATCH_SPINLOCK_H
#define NUTHATCH_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/riscv/arch.h"

/* The global lock order: a lower rank is taken first. */
enum lock_rank {
	RANK_TEST_OUTER = 5,	/* self-tests only */
	RANK_VM = 8,		/* an address space (vm.c): taken holding no
				   other lock, so its holder may wait for TLB
				   shootdowns (waiters poll, see vm.h) */
	RANK_TASKS = 10,	/* the task list */
	RANK_HANDLES = 15,	/* a task's handle table (get() callbacks run under it) */
	RANK_TASKCTL = 17,	/* a task's pending space (task.h ctl_lock) */
	RANK_WAITQ = 20,	/* a wait queue */
	RANK_FUTEX = 23,	/* a futex bucket (futex.c): taken holding no
				   space lock; the run queue is taken under it */
	RANK_ENDPOINT = 25,	/* an IPC endpoint's queues (ipc.c) */
	RANK_REPLY = 26,	/* a reply object's caller (ipc.c) */
	RANK_RQ = 30,		/* a hart's run queue (one at a time) */
	RANK_SLAB = 40,		/* a slab cache */
	RANK_SLAB_LIST = 45,	/* the list of caches */
	RANK_VMSTACK = 50,	/* stack slots and per-hart stack caches */
	RANK_ASID = 35,		/* the ASID allocator (vm_tlb.c), under RQ at a switch */
	RANK_MEMOBJ = 55,	/* a memory object's frame directory */
	RANK_KMAP = 60,		/* kernel page tables, the MMIO window */
	RANK_FRAME = 70,	/* the frame pool */
	RANK_UIRQ = 75,		/* the table of user-bound interrupt lines (uirq.c) */
	RANK_IRQ = 80,		/* the interrupt handler table */
	RANK_PLIC = 85,		/* PLIC enable words */
	RANK_TEST_INNER = 88,	/* self-tests only */
	RANK_CONSOLE = 90,	/* the UART and console state: printing is allowed under any lock */
};

struct spinlock {
	uint32_t locked;	/* [a] 0 free, 1 held */
	int16_t owner;		/* [a] hart index + 1 of the holder, 0 free */
	uint8_t rank;		/* [I] enum lock_rank */
	const char *name;	/* [I] for diagnostics */
};

#define SPINLOCK_INIT(n, r) { .locked = 0, .owner = 0, .rank = (r), .name = (n) }

#ifndef NH_DEBUG
#define NH_DEBUG 1
#endif

/* struct hart's nheld (hart.h asserts the offset): locks this hart holds. */
#define HART_NHELD_OFFSET	32

static inline void lock_held_add(int d)
{
	*(unsigned *)((char *)arch_percpu() + HART_NHELD_OFFSET) += (unsigned)d;
}

#if NH_DEBUG
/* The order checker (spinlock.c).  False only when a self-test caught a
 * lock taken twice: do not spin. */
bool lock_check_acquire(struct spinlock *l);
void lock_note_acquired(struct spinlock *l);
void lock_note_released(struct spinlock *l);
#else
/* Release builds only count held locks (fault handling needs that). */
static inline bool lock_check_acquire(struct spinlock *l)
{
	(void)l;
	return true;
}

static inline void lock_note_acquired(struct spinlock *l)
{
	(void)l;
	lock_held_add(1);
}

static inline void lock_note_released(struct spinlock *l)
{
	(void)l;
	lock_held_add(-1);
}
#endif

static inline irqflags_t spin_lock_irqsave(struct spinlock *l)
{
	irqflags_t f = arch_irq_save();

	if (!lock_check_acquire(l))
		return f;
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			arch_cpu_relax();
	}
	lock_note_acquired(l);
	return f;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, irqflags_t f)
{
	lock_note_released(l);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	arch_irq_restore(f);
}

/*
 * spin_lock_irqsave, calling @poll while it waits: for locks whose holder
 * may wait for this hart to answer a request (the address-space lock and
 * TLB shootdowns).
 */
static inline irqflags_t spin_lock_irqsave_poll(struct spinlock *l,
						void (*poll)(void))
{
	irqflags_t f = arch_irq_save();

	if (!lock_check_acquire(l))
		return f;
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			poll();
	}
	lock_note_acquired(l);
	return f;
}

/* For code that already runs with interrupts off (the scheduler). */
static inline void spin_lock(struct spinlock *l)
{
	(void)spin_lock_irqsave(l);
}

static inline void spin_unlock(struct spinlock *l)
{
	lock_note_released(l);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
