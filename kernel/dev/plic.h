/*
 * The RISC-V PLIC: source priorities, per-context enables and threshold,
 * claim and complete.  Context numbers come from the DT's
 * interrupts-extended (struct plat_plic), never from a formula.
 */
#ifndef NUTHATCH_PLIC_H
#define NUTHATCH_PLIC_H

#include <stdint.h>

#include "lib/platform.h"

/* Map the PLIC and quiesce it.  -NH_ENODEV when the platform has none. */
int plic_init(const struct platform *p);

/* Open the calling hart's S context (threshold 0).  -NH_ENOENT if none. */
int plic_hart_init(uint64_t hartid);

/* Number of interrupt sources (riscv,ndev); 0 without a PLIC. */
uint32_t plic_ndev(void);

int plic_enable(uint32_t irq, uint64_t hartid);
void plic_disable(uint32_t irq, uint64_t hartid);

/* The highest-priority pending source for @hartid's context, or 0. */
uint32_t plic_claim(uint64_t hartid);
void plic_complete(uint64_t hartid, uint32_t irq);

#endif
