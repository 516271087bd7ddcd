/*
 * The narrow seam between generic kernel code and RISC-V.  Generic code
 * never touches a CSR or writes inline assembly; it calls these.
 */
#ifndef NUTHATCH_ARCH_H
#define NUTHATCH_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/riscv/csr.h"

typedef unsigned long irqflags_t;

/* Disable interrupts on this hart; returns the previous state. */
static inline irqflags_t arch_irq_save(void)
{
	return csr_read_clear(CSR_SSTATUS, SSTATUS_SIE) & SSTATUS_SIE;
}

static inline void arch_irq_restore(irqflags_t flags)
{
	if (flags & SSTATUS_SIE)
		csr_set(CSR_SSTATUS, SSTATUS_SIE);
}

static inline void arch_wait_for_interrupt(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

static inline void arch_cpu_relax(void)
{
	__asm__ volatile("nop" ::: "memory");	/* Zihintpause is not universal */
}

/* The platform timer, in timebase ticks (the DT's timebase-frequency). */
static inline uint64_t arch_ticks(void)
{
	return csr_read(CSR_TIME);
}

/* Order device (MMIO) accesses: all prior I/O before all later I/O. */
static inline void arch_io_barrier(void)
{
	__asm__ volatile("fence io, io" ::: "memory");
}

/* Forget every cached translation on this hart. */
static inline void arch_tlb_flush_local(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}

/* Install @root_pa as this hart's page-table root and flush its TLB. */
void arch_switch_root(uint64_t root_pa);

/* Install the kernel trap vector on this hart. */
void arch_trap_init(void);

/* Stop this hart for good (interrupts off, wfi forever). */
__attribute__((noreturn)) void arch_halt(void);

#endif
