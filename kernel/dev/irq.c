/*
 * Interrupt dispatch: the handler table for PLIC sources, and IPIs.
 */
#include "dev/irq.h"

#include <nuthatch/errno.h>

#include "arch/riscv/trap.h"
#include "dev/plic.h"
#include "core/hart.h"
#include "sched/kstack.h"
#include "mm/vm.h"
#include "core/spinlock.h"

struct irq_slot {
	irq_handler_t fn;	/* [irq_lock] for writers; read in dispatch */
	void *ctx;
	bool held;		/* [irq_lock] completed by irq_complete, not dispatch */
	uint64_t hartid;	/* [irq_lock] whose PLIC context it is enabled on */
	int claimed;		/* [a] held and claimed, not yet completed */
	uint64_t count;		/* [a] */
};

static struct spinlock irq_lock = SPINLOCK_INIT("irq: handler table", RANK_IRQ);
static struct irq_slot slots[IRQ_MAX];

static int enroll(uint32_t irq, irq_handler_t fn, void *ctx, bool held)
{
	uint64_t hartid = hart_self()->hartid;
	irqflags_t f;
	int err = 0;

	if (irq == 0 || irq >= IRQ_MAX || irq > plic_ndev() || !fn)
		return -NH_EINVAL;
	f = spin_lock_irqsave(&irq_lock);
	if (slots[irq].fn) {
		err = -NH_EBUSY;
	} else {
		slots[irq].ctx = ctx;
		slots[irq].held = held;
		slots[irq].hartid = hartid;
		slots[irq].claimed = 0;
		__atomic_store_n(&slots[irq].fn, fn, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&irq_lock, f);
	if (!err)
		err = plic_enable(irq, hartid);
	return err;
}

int irq_register(uint32_t irq, irq_handler_t fn, void *ctx)
{
	return enroll(irq, fn, ctx, false);
}

int irq_register_held(uint32_t irq, irq_handler_t fn, void *ctx)
{
	return enroll(irq, fn, ctx, true);
}

bool irq_complete(uint32_t irq)
{
	struct irq_slot *sl = &slots[irq < IRQ_MAX ? irq : 0];

	if (irq == 0 || irq >= IRQ_MAX ||
	    !__atomic_exchange_n(&sl->claimed, 0, __ATOMIC_SEQ_CST))
		return false;
	plic_complete(sl->hartid, irq);	/* the context that claimed it */
	return true;
}

void irq_unregister(uint32_t irq)
{
	irqflags_t f;

	if (irq == 0 || irq >= IRQ_MAX)
		return;
	f = spin_lock_irqsave(&irq_lock);
	__atomic_store_n(&slots[irq].fn, 0, __ATOMIC_SEQ_CST);
	slots[irq].ctx = 0;
	spin_unlock_irqrestore(&irq_lock, f);
	irq_complete(irq);	/* while still enabled: the PLIC ignores a
				   completion for a disabled source */
	plic_disable(irq, slots[irq].hartid);
}

uint64_t irq_count(uint32_t irq)
{
	return irq < IRQ_MAX ? __atomic_load_n(&slots[irq].count,
					       __ATOMIC_RELAXED) : 0;
}

void irq_external(void)
{
	struct hart *h = hart_self();
	uint32_t irq;

	while ((irq = plic_claim(h->hartid)) != 0) {
		irq_handler_t fn = irq < IRQ_MAX ?
			__atomic_load_n(&slots[irq].fn, __ATOMIC_ACQUIRE) : 0;

		h->irqs++;
		if (fn) {
			__atomic_fetch_add(&slots[irq].count, 1, __ATOMIC_RELAXED);
			if (slots[irq].held) {	/* irq_complete finishes it */
				__atomic_store_n(&slots[irq].claimed, 1, __ATOMIC_SEQ_CST);
				/* Unregistered meanwhile?  Then either its
				 * irq_complete saw the claim, or we see it gone
				 * here: one of us completes the line. */
				if (!__atomic_load_n(&slots[irq].fn, __ATOMIC_SEQ_CST))
					irq_complete(irq);
				else
					fn(slots[irq].ctx);
				continue;
			}
			fn(slots[irq].ctx);
			plic_complete(h->hartid, irq);
		} else {	/* nobody wants it: complete, then mask */
			plic_complete(h->hartid, irq);
			plic_disable(irq, h->hartid);
		}
	}
}

int ipi_send(uint64_t hartid)
{
	return arch_send_ipi(hartid);
}

void ipi_interrupt(void)
{
	arch_ipi_clear();
	hart_self()->ipis++;
	kstack_sync_hart();	/* stacks may have been unmapped */
	vm_tlb_poll();		/* a space's translations may have changed */
}
