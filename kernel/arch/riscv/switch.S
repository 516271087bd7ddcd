/*
 * Context switch between kernel stacks, and the first code a new task runs.
 *
 * arch_context_switch(from, to): save ra, sp, s0-s11 into *from, load them
 * from *to, return into the other task.  Caller-saved registers are the
 * compiler's to save around the call.  struct context (arch.h): ra, sp,
 * s0..s11; offsets from asm-offsets.h.
 */
#include "arch/riscv/asm-offsets.h"	/* generated: build/gen/arch/riscv/ */

	.section .text
	.balign	4
	.globl	arch_context_switch
arch_context_switch:
	sd	ra, CTX_RA(a0)
	sd	sp, CTX_SP(a0)
	sd	s0, CTX_S + 0*8(a0)
	sd	s1, CTX_S + 1*8(a0)
	sd	s2, CTX_S + 2*8(a0)
	sd	s3, CTX_S + 3*8(a0)
	sd	s4, CTX_S + 4*8(a0)
	sd	s5, CTX_S + 5*8(a0)
	sd	s6, CTX_S + 6*8(a0)
	sd	s7, CTX_S + 7*8(a0)
	sd	s8, CTX_S + 8*8(a0)
	sd	s9, CTX_S + 9*8(a0)
	sd	s10, CTX_S + 10*8(a0)
	sd	s11, CTX_S + 11*8(a0)
	mv	a0, a1
	/* fall through */

/*
 * arch_context_load(to): load *to and return into it, saving nothing: the
 * caller's stack is abandoned (a task that blocks with a continuation).
 */
	.globl	arch_context_load
arch_context_load:
	ld	ra, CTX_RA(a0)
	ld	sp, CTX_SP(a0)
	ld	s0, CTX_S + 0*8(a0)
	ld	s1, CTX_S + 1*8(a0)
	ld	s2, CTX_S + 2*8(a0)
	ld	s3, CTX_S + 3*8(a0)
	ld	s4, CTX_S + 4*8(a0)
	ld	s5, CTX_S + 5*8(a0)
	ld	s6, CTX_S + 6*8(a0)
	ld	s7, CTX_S + 7*8(a0)
	ld	s8, CTX_S + 8*8(a0)
	ld	s9, CTX_S + 9*8(a0)
	ld	s10, CTX_S + 10*8(a0)
	ld	s11, CTX_S + 11*8(a0)
	ret

/*
 * A new task's context has ra = arch_task_trampoline, s0 = 0 (ends the
 * frame chain), s1 = its struct task.  The C side does the rest.
 */
	.globl	arch_task_trampoline
arch_task_trampoline:
	mv	a0, s1
	call	task_first_run		/* does not return */
1:	j	1b
