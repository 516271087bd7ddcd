/*
 * The offsets the arch assembly uses, measured from the C structs: this
 * file is compiled to assembly only (never linked), and the Makefile turns
 * each "->NAME value" marker into a #define in
 * build/gen/arch/riscv/asm-offsets.h, which trap.S, switch.S and fp.S
 * include.  A field moved in C moves in the assembly with the next build.
 */
#include <stddef.h>

#include "arch/riscv/arch.h"
#include "arch/riscv/trap.h"
#include "core/hart.h"		/* a seam: trap entry reads struct hart */

#define OFFSET(sym, type, field) \
	__asm__ volatile("\n.ascii \"->" #sym " %0\"" : : "i"(offsetof(type, field)))
#define SIZE(sym, type) \
	__asm__ volatile("\n.ascii \"->" #sym " %0\"" : : "i"(sizeof(type)))

void asm_offsets(void);

void asm_offsets(void)
{
	SIZE(TF_SIZE, struct trap_frame);
	OFFSET(TF_REGS, struct trap_frame, regs);
	OFFSET(TF_SSTATUS, struct trap_frame, sstatus);
	OFFSET(TF_SCAUSE, struct trap_frame, scause);
	OFFSET(TF_STVAL, struct trap_frame, stval);
	OFFSET(TF_ORIG_A0, struct trap_frame, orig_a0);

	OFFSET(HART_KSTACK_LO, struct hart, kstack_lo);
	OFFSET(HART_KSTACK_HI, struct hart, kstack_hi);
	OFFSET(HART_KSTACK_GUARD, struct hart, kstack_guard);
	OFFSET(HART_OVERFLOW_SP, struct hart, overflow_sp);
	OFFSET(HART_TRAPPED_SP, struct hart, trapped_sp);

	OFFSET(FC_REGS, struct fault_catch, regs);

	OFFSET(CTX_RA, struct context, ra);
	OFFSET(CTX_SP, struct context, sp);
	OFFSET(CTX_S, struct context, s);

	OFFSET(FP_F, struct fpstate, f);
	OFFSET(FP_FCSR, struct fpstate, fcsr);
}
