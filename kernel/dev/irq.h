/*
 * Device interrupts: handlers registered per PLIC source, dispatched from
 * the supervisor external interrupt by claiming on this hart's PLIC
 * context; and software interrupts (IPIs) between harts.
 */
#ifndef NUTHATCH_IRQ_H
#define NUTHATCH_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#define IRQ_MAX	1024	/* PLIC sources 1..1023 */

typedef void (*irq_handler_t)(void *ctx);

/*
 * Route PLIC source @irq to @fn on the calling hart and enable it.
 * Returns 0, -NH_EINVAL (source out of range, no PLIC), -NH_EBUSY (taken).
 */
int irq_register(uint32_t irq, irq_handler_t fn, void *ctx);

/*
 * The same for a line whose handler cannot quiet the device itself (a
 * user driver will): after fn runs, the line stays claimed at the PLIC,
 * so it cannot fire again, until irq_complete(irq) from any hart.
 */
int irq_register_held(uint32_t irq, irq_handler_t fn, void *ctx);

/* Complete a held line that fired (at the PLIC context that claimed it);
 * false if it was not waiting for that. */
bool irq_complete(uint32_t irq);

/* Forget @irq's handler, complete it if held and claimed, then disable it
 * (at the hart it was registered on). */
void irq_unregister(uint32_t irq);

/* Interrupts taken from @irq since boot. */
uint64_t irq_count(uint32_t irq);

/* Send an IPI to @hartid (which must be online); 0 or -NH_EINVAL. */
int ipi_send(uint64_t hartid);

/* The interrupts entry_interrupt hands on: the controller's (claim,
 * handle, complete each pending line) and another hart's software one. */
void irq_external(void);
void ipi_interrupt(void);

#endif
