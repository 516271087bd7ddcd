/*
 * The narrow seam between generic kernel code and RISC-V.  Generic code
 * never touches a CSR or writes inline assembly; it calls these.
 */
#ifndef NUTHATCH_ARCH_H
#define NUTHATCH_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/pte.h"

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

/* Were interrupts on when @flags was saved? */
static inline bool arch_irqs_were_on(irqflags_t flags)
{
	return flags & SSTATUS_SIE;
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

/* Make this hart's instruction fetches see earlier stores (new code). */
static inline void arch_fence_i(void)
{
	__asm__ volatile("fence.i" ::: "memory");
}

/* Forget every cached translation on this hart. */
static inline void arch_tlb_flush_local(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}

/* This hart's per-hart data pointer (kept in tp while in the kernel). */
static inline void *arch_percpu(void)
{
	void *p;

	__asm__ volatile("mv %0, tp" : "=r"(p));
	return p;
}

static inline void arch_set_percpu(void *p)
{
	__asm__ volatile("mv tp, %0" :: "r"(p) : "memory");
	csr_write(CSR_SSCRATCH, 0);	/* 0 in sscratch: "trapped from the kernel" */
}

/* Enable or disable the three supervisor interrupt sources. */
void arch_irq_sources_enable(void);

/* Program this hart's timer to fire at @deadline (timebase ticks). */
void arch_timer_program(uint64_t deadline);

/* Send a software interrupt to the hart with id @hartid; 0 or -NH_E*. */
int arch_send_ipi(uint64_t hartid);

/* Make a software interrupt pending on this hart. */
static inline void arch_self_ipi(void)
{
	csr_set(CSR_SIP, SIE_SSIE);
}

/* Acknowledge this hart's pending software interrupt. */
void arch_ipi_clear(void);

/* Enable interrupts on this hart. */
static inline void arch_irq_enable(void)
{
	csr_set(CSR_SSTATUS, SSTATUS_SIE);
}

/* Forget this hart's cached translation of @va. */
static inline void arch_tlb_flush_page(uint64_t va)
{
	__asm__ volatile("sfence.vma %0" :: "r"(va) : "memory");
}

/* Forget this hart's translations of @va under @asid (not global ones). */
static inline void arch_tlb_flush_page_asid(uint64_t va, uint64_t asid)
{
	__asm__ volatile("sfence.vma %0, %1" :: "r"(va), "r"(asid) : "memory");
}

/* Forget this hart's non-global translations under @asid. */
static inline void arch_tlb_flush_asid(uint64_t asid)
{
	__asm__ volatile("sfence.vma zero, %0" :: "r"(asid) : "memory");
}

/* Copy / zero one aligned 4 KiB page (page.S). */
void arch_page_copy(void *dst, const void *src);
void arch_page_zero(void *dst);


/* Make hart @hartid forget translations of [va, va + size) (SBI RFENCE). */
int arch_tlb_flush_remote(uint64_t hartid, uint64_t va, uint64_t size);

/* Start hart @hartid at physical @entry with a1 = @opaque (SBI HSM). */
int arch_hart_start(uint64_t hartid, uint64_t entry, uint64_t opaque);

/* How many satp.ASID bits this hart implements (write ones, read back;
 * 0 on the U74).  Kernel mappings are global, so this is safe anywhere. */
unsigned arch_asid_bits(void);

/* The satp value that installs @root_pa. */
static inline uint64_t arch_satp(uint64_t root_pa)
{
	return SATP_MODE_SV39 | SATP_PPN(root_pa);
}

/* Install @root_pa with @asid; no fence (the caller knows what is cached). */
static inline void arch_set_root(uint64_t root_pa, uint64_t asid)
{
	csr_write(CSR_SATP, arch_satp(root_pa) | asid << SATP_ASID_SHIFT);
}

/* Let the kernel touch user pages (sstatus.SUM), or stop it. */
static inline void arch_user_access(bool on)
{
	if (on)
		csr_set(CSR_SSTATUS, SSTATUS_SUM);
	else
		csr_clear(CSR_SSTATUS, SSTATUS_SUM);
}

/* sstatus for a first entry to user mode: SPP user, SPIE set, FS on
 * (Initial: the caller has loaded zeroed FP registers). */
unsigned long arch_user_sstatus(void);

/* A kernel context: the callee-saved registers, as arch_context_switch
 * (switch.S) saves them. */
struct context {
	uint64_t ra, sp;
	uint64_t s[12];
};

/* Save the running context into @from and run @to; load @to, abandoning
 * the running one. */
void arch_context_switch(struct context *from, struct context *to);
__attribute__((noreturn)) void arch_context_load(const struct context *to);

/* User FP state (fp.S); the kernel never uses FP registers itself. */
struct fpstate {
	uint64_t f[32];
	uint32_t fcsr;
};
void arch_fp_save(struct fpstate *s);
void arch_fp_restore(const struct fpstate *s);

/* Has the FP state in the registers changed since it was loaded? */
static inline bool arch_fp_dirty(void)
{
	return (csr_read(CSR_SSTATUS) & SSTATUS_FS) == SSTATUS_FS;
}

/* Turn FP on (clean: registers match memory) or off for this hart. */
static inline void arch_fp_enable(bool on)
{
	csr_clear(CSR_SSTATUS, SSTATUS_FS);
	if (on)
		csr_set(CSR_SSTATUS, SSTATUS_FS_CLEAN);
}

struct trap_frame;
/* Leave for user mode through @tf (interrupts off).  Never returns. */
__attribute__((noreturn)) void arch_enter_user(struct trap_frame *tf);

/* Install @root_pa as this hart's page-table root and flush its TLB. */
void arch_switch_root(uint64_t root_pa);

/* Install the kernel trap vector on this hart. */
void arch_trap_init(void);

/* Stop this hart for good (interrupts off, wfi forever). */
__attribute__((noreturn)) void arch_halt(void);

#endif
