/*
 * Spinlocks: test-and-set with acquire on lock and release on unlock
 * (amoswap.w.aq, then a release store), interrupts off while held.
 * Each lock names what it protects where it is declared.  Locks are not
 * recursive; a holder must not sleep.
 */
#ifndef NUTHATCH_SPINLOCK_H
#define NUTHATCH_SPINLOCK_H

#include <stdint.h>

#include "arch/riscv/arch.h"

struct spinlock {
	uint32_t locked;	/* [a] 0 free, 1 held */
	const char *name;	/* [I] for diagnostics */
};

#define SPINLOCK_INIT(n) { .locked = 0, .name = (n) }

static inline irqflags_t spin_lock_irqsave(struct spinlock *l)
{
	irqflags_t f = arch_irq_save();

	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			arch_cpu_relax();
	}
	return f;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, irqflags_t f)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	arch_irq_restore(f);
}

#endif
