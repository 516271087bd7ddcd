/*
 * Whole-page copy and fill, 256 bytes per loop turn: the cost of a COW
 * break and a zero-fill is mostly these loops.
 */
#include "arch/riscv/asm.h"

	.section .text
	.balign	4

	/* void arch_page_copy(void *dst, const void *src): 4 KiB, aligned */
	.globl	arch_page_copy
arch_page_copy:
	li	t6, 4096
	add	t6, a1, t6
1:
	ld	a2, 0(a1)
	ld	a3, 8(a1)
	ld	a4, 16(a1)
	ld	a5, 24(a1)
	ld	a6, 32(a1)
	ld	a7, 40(a1)
	ld	t0, 48(a1)
	ld	t1, 56(a1)
	sd	a2, 0(a0)
	sd	a3, 8(a0)
	sd	a4, 16(a0)
	sd	a5, 24(a0)
	sd	a6, 32(a0)
	sd	a7, 40(a0)
	sd	t0, 48(a0)
	sd	t1, 56(a0)
	ld	a2, 64(a1)
	ld	a3, 72(a1)
	ld	a4, 80(a1)
	ld	a5, 88(a1)
	ld	a6, 96(a1)
	ld	a7, 104(a1)
	ld	t0, 112(a1)
	ld	t1, 120(a1)
	sd	a2, 64(a0)
	sd	a3, 72(a0)
	sd	a4, 80(a0)
	sd	a5, 88(a0)
	sd	a6, 96(a0)
	sd	a7, 104(a0)
	sd	t0, 112(a0)
	sd	t1, 120(a0)
	ld	a2, 128(a1)
	ld	a3, 136(a1)
	ld	a4, 144(a1)
	ld	a5, 152(a1)
	ld	a6, 160(a1)
	ld	a7, 168(a1)
	ld	t0, 176(a1)
	ld	t1, 184(a1)
	sd	a2, 128(a0)
	sd	a3, 136(a0)
	sd	a4, 144(a0)
	sd	a5, 152(a0)
	sd	a6, 160(a0)
	sd	a7, 168(a0)
	sd	t0, 176(a0)
	sd	t1, 184(a0)
	ld	a2, 192(a1)
	ld	a3, 200(a1)
	ld	a4, 208(a1)
	ld	a5, 216(a1)
	ld	a6, 224(a1)
	ld	a7, 232(a1)
	ld	t0, 240(a1)
	ld	t1, 248(a1)
	sd	a2, 192(a0)
	sd	a3, 200(a0)
	sd	a4, 208(a0)
	sd	a5, 216(a0)
	sd	a6, 224(a0)
	sd	a7, 232(a0)
	sd	t0, 240(a0)
	sd	t1, 248(a0)
	addi	a1, a1, 256
	addi	a0, a0, 256
	bne	a1, t6, 1b
	ret

	/* void arch_page_zero(void *dst): 4 KiB, aligned */
	.globl	arch_page_zero
arch_page_zero:
	li	t6, 4096
	add	t6, a0, t6
1:
	sd	zero, 0(a0)
	sd	zero, 8(a0)
	sd	zero, 16(a0)
	sd	zero, 24(a0)
	sd	zero, 32(a0)
	sd	zero, 40(a0)
	sd	zero, 48(a0)
	sd	zero, 56(a0)
	sd	zero, 64(a0)
	sd	zero, 72(a0)
	sd	zero, 80(a0)
	sd	zero, 88(a0)
	sd	zero, 96(a0)
	sd	zero, 104(a0)
	sd	zero, 112(a0)
	sd	zero, 120(a0)
	sd	zero, 128(a0)
	sd	zero, 136(a0)
	sd	zero, 144(a0)
	sd	zero, 152(a0)
	sd	zero, 160(a0)
	sd	zero, 168(a0)
	sd	zero, 176(a0)
	sd	zero, 184(a0)
	sd	zero, 192(a0)
	sd	zero, 200(a0)
	sd	zero, 208(a0)
	sd	zero, 216(a0)
	sd	zero, 224(a0)
	sd	zero, 232(a0)
	sd	zero, 240(a0)
	sd	zero, 248(a0)
	addi	a0, a0, 256
	bne	a0, t6, 1b
	ret
