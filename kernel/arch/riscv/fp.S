/*
 * User FP state: save and restore f0-f31 and fcsr.  The kernel itself is
 * built without F and D and never touches these registers, so a user
 * task's FP state stays live in the registers while the kernel runs on
 * its behalf, and is only saved when another user task needs them.
 *
 * void arch_fp_save(struct fpstate *s);  void arch_fp_restore(const struct fpstate *s);
 * struct fpstate (arch.h): f[32] (8 bytes each), then fcsr (4 bytes), at
 * the offsets asm-offsets.h measured.
 */
#include "arch/riscv/asm-offsets.h"	/* generated: build/gen/arch/riscv/ */

	.option	push
	.option	arch, +d
	.section .text
	.balign	4
	.globl	arch_fp_save
arch_fp_save:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	fsd	f\n, FP_F + \n*8(a0)
	.endr
	frcsr	t0
	sw	t0, FP_FCSR(a0)
	ret

	.globl	arch_fp_restore
arch_fp_restore:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	fld	f\n, FP_F + \n*8(a0)
	.endr
	lw	t0, FP_FCSR(a0)
	fscsr	t0
	ret
	.option	pop
