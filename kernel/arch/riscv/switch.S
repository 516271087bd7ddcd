/*
 * Context switch between kernel stacks, and the first code a new task runs.
 *
 * arch_context_switch(from, to): save ra, sp, s0-s11 into *from, load them
 * from *to, return into the other task.  Caller-saved registers are the
 * compiler's to save around the call.  struct context (task.h): ra, sp,
 * s0..s11.
 */
	.section .text
	.balign	4
	.globl	arch_context_switch
arch_context_switch:
	sd	ra, 0*8(a0)
	sd	sp, 1*8(a0)
	sd	s0, 2*8(a0)
	sd	s1, 3*8(a0)
	sd	s2, 4*8(a0)
	sd	s3, 5*8(a0)
	sd	s4, 6*8(a0)
	sd	s5, 7*8(a0)
	sd	s6, 8*8(a0)
	sd	s7, 9*8(a0)
	sd	s8, 10*8(a0)
	sd	s9, 11*8(a0)
	sd	s10, 12*8(a0)
	sd	s11, 13*8(a0)
	mv	a0, a1
	/* fall through */

/*
 * arch_context_load(to): load *to and return into it, saving nothing: the
 * caller's stack is abandoned (a task that blocks with a continuation).
 */
	.globl	arch_context_load
arch_context_load:
	ld	ra, 0*8(a0)
	ld	sp, 1*8(a0)
	ld	s0, 2*8(a0)
	ld	s1, 3*8(a0)
	ld	s2, 4*8(a0)
	ld	s3, 5*8(a0)
	ld	s4, 6*8(a0)
	ld	s5, 7*8(a0)
	ld	s6, 8*8(a0)
	ld	s7, 9*8(a0)
	ld	s8, 10*8(a0)
	ld	s9, 11*8(a0)
	ld	s10, 12*8(a0)
	ld	s11, 13*8(a0)
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
