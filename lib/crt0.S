/*
 * The first instructions of a Nuthatch user program.  The kernel enters
 * at _start with sp pointing at the System V initial stack: argc, argv[]
 * (NULL-terminated), envp[] (NULL-terminated), then the auxiliary vector
 * (type, value pairs, AT_NULL last).  gp is set for linker relaxation;
 * __nh_start (start.c) does the rest in C.
 */
	.section .text.init, "ax"
	.globl	_start
_start:
	.option	push
	.option	norelax
	lla	gp, __global_pointer$
	.option	pop
	ld	a0, 0(sp)		/* argc */
	addi	a1, sp, 8		/* argv */
	slli	t0, a0, 3
	add	a2, a1, t0
	addi	a2, a2, 8		/* envp: past argv's NULL */
	mv	s0, zero		/* the end of the frame chain */
	andi	sp, sp, -16
	call	__nh_start
1:	j	1b
