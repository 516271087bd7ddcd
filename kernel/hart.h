/*
 * Per-hart data.  Each hart that runs the kernel has one struct hart; while
 * it runs in the kernel, tp points at it and sscratch is 0 (trap entry
 * relies on this to tell a trap from the kernel from one from user mode,
 * where sscratch will hold the struct hart pointer and tp the user's TLS).
 * Fields tagged [h] are touched only by the owning hart; [I] immutable
 * after hart_init_boot / hart bring-up.
 */
#ifndef NUTHATCH_HART_H
#define NUTHATCH_HART_H

#include <stdint.h>

#include "arch/riscv/arch.h"
#include "platform.h"

struct fault_catch;

struct hart {
	uint64_t hartid;		/* [I] the platform's hart id */
	unsigned index;			/* [I] dense index, boot hart = 0 */
	uintptr_t stack_lo, stack_hi;	/* [I] this hart's boot/idle stack */
	uint64_t timer_ticks;		/* [h] timer interrupts taken */
	uint64_t timer_deadline;	/* [h] next programmed deadline */
	uint64_t ipis;			/* [h] software interrupts taken */
	uint64_t irqs;			/* [h] external interrupts taken */
	struct fault_catch *fault_catch; /* [h] armed expected-fault recovery */
};

extern struct hart harts[PLAT_MAX_HARTS];
extern unsigned nharts_online;

/* The calling hart's struct (from tp). */
static inline struct hart *hart_self(void)
{
	return (struct hart *)arch_percpu();
}

/* Set up the boot hart's struct and point tp at it. */
void hart_init_boot(uint64_t hartid, uintptr_t stack_lo, uintptr_t stack_hi);

#endif
