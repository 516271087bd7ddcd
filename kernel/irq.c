/*
 * Interrupt dispatch: the handler table for PLIC sources, and IPIs.
 */
#include "irq.h"

#include <nuthatch/errno.h>

#include "arch/riscv/trap.h"
#include "drivers/plic.h"
#include "hart.h"
#include "kstack.h"
#include "vm.h"
#include "spinlock.h"

struct irq_slot {
	irq_handler_t fn;	/* [irq_lock] for writers; read in dispatch */
	void *ctx;
	uint64_t count;		/* [a] */
};

static struct spinlock irq_lock = SPINLOCK_INIT("irq: handler table", RANK_IRQ);
static struct irq_slot slots[IRQ_MAX];

int irq_register(uint32_t irq, irq_handler_t fn, void *ctx)
{
	irqflags_t f;
	int err = 0;

	if (irq == 0 || irq >= IRQ_MAX || irq > plic_ndev() || !fn)
		return -NH_EINVAL;
	f = spin_lock_irqsave(&irq_lock);
	if (slots[irq].fn) {
		err = -NH_EBUSY;
	} else {
		slots[irq].ctx = ctx;
		__atomic_store_n(&slots[irq].fn, fn, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&irq_lock, f);
	if (!err)
		err = plic_enable(irq, hart_self()->hartid);
	return err;
}

void irq_unregister(uint32_t irq)
{
	irqflags_t f;

	if (irq == 0 || irq >= IRQ_MAX)
		return;
	plic_disable(irq, hart_self()->hartid);
	f = spin_lock_irqsave(&irq_lock);
	slots[irq].fn = 0;
	slots[irq].ctx = 0;
	spin_unlock_irqrestore(&irq_lock, f);
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
			fn(slots[irq].ctx);
		} else {
			plic_disable(irq, h->hartid);	/* nobody wants it */
		}
		plic_complete(h->hartid, irq);
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
