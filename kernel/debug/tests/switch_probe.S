/*
 * long switch_probe(void (*yield)(void), uint64_t seed, long rounds)
 * Load s0-s11 with seed + 1..12, call yield() @rounds times, and return a
 * bitmask of the registers that no longer hold their value (0: the
 * context switches preserved every callee-saved register).  The caller's
 * s-registers are saved and restored around it.
 */
	.section .text
	.balign	4
	.globl	switch_probe
switch_probe:
	addi	sp, sp, -128
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	sd	s2, 24(sp)
	sd	s3, 32(sp)
	sd	s4, 40(sp)
	sd	s5, 48(sp)
	sd	s6, 56(sp)
	sd	s7, 64(sp)
	sd	s8, 72(sp)
	sd	s9, 80(sp)
	sd	s10, 88(sp)
	sd	s11, 96(sp)
	sd	a0, 104(sp)		/* yield */
	sd	a1, 112(sp)		/* seed */
	sd	a2, 120(sp)		/* rounds left */
	addi	s0, a1, 1
	addi	s1, a1, 2
	addi	s2, a1, 3
	addi	s3, a1, 4
	addi	s4, a1, 5
	addi	s5, a1, 6
	addi	s6, a1, 7
	addi	s7, a1, 8
	addi	s8, a1, 9
	addi	s9, a1, 10
	addi	s10, a1, 11
	addi	s11, a1, 12
1:	ld	t0, 120(sp)
	beqz	t0, 2f
	addi	t0, t0, -1
	sd	t0, 120(sp)
	ld	t0, 104(sp)
	jalr	t0
	j	1b
2:	ld	t1, 112(sp)
	li	a0, 0
	.macro	check reg, n
	addi	t2, t1, \n + 1
	beq	\reg, t2, 3f
	li	t2, 1 << \n
	or	a0, a0, t2
3:
	.endm
	check	s0, 0
	check	s1, 1
	check	s2, 2
	check	s3, 3
	check	s4, 4
	check	s5, 5
	check	s6, 6
	check	s7, 7
	check	s8, 8
	check	s9, 9
	check	s10, 10
	check	s11, 11
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	ld	s2, 24(sp)
	ld	s3, 32(sp)
	ld	s4, 40(sp)
	ld	s5, 48(sp)
	ld	s6, 56(sp)
	ld	s7, 64(sp)
	ld	s8, 72(sp)
	ld	s9, 80(sp)
	ld	s10, 88(sp)
	ld	s11, 96(sp)
	addi	sp, sp, 128
	ret
