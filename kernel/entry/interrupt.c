/*
 * Interrupts, from either mode: each kind to its handler, inside the
 * trap bracket.  An interrupt from user mode is charged to the task's
 * user time (hart->trap_from_user, read by the scheduler's accounting).
 */
#include "entry/entry.h"

#include "arch/riscv/trap.h"
#include "core/hart.h"
#include "core/printk.h"
#include "dev/irq.h"
#include "entry/boundary.h"
#include "entry/oops.h"
#include "sched/timer.h"

void entry_interrupt(struct trap_frame *tf, enum entry_irq irq)
{
	struct hart *h = boundary_enter();

	h->trap_from_user = trap_is_user(tf);
	switch (irq) {
	case ENTRY_IRQ_TIMER:
		timer_interrupt();
		break;
	case ENTRY_IRQ_IPI:
		ipi_interrupt();
		break;
	case ENTRY_IRQ_EXTERNAL:
		irq_external();
		break;
	case ENTRY_IRQ_UNKNOWN:
		oops_print(tf);
		panic("unexpected interrupt");
	}
	boundary_leave(tf);
}
