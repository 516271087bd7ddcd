/*
 * The kernel's first instructions and its Linux RISC-V Image header.
 *
 * The loader (OpenSBI's fw_dynamic/fw_jump, or U-Boot's booti) jumps to
 * offset 0 in S-mode with a0 = hart id and a1 = the device tree's physical
 * address, with the MMU off, on whichever hart it chose.  The image may sit
 * at any 2 MiB-aligned physical address: everything here and in
 * early_mmu_setup() is PC-relative.  We build the boot page tables, turn
 * on Sv39 and continue at the fixed link address in the high half.
 */
#include "arch/riscv/asm.h"

	.section .head.text, "ax"
	.option push
	.option norvc
	.globl _start
_start:
	j	_start_kernel		/* code0 */
	.word	0			/* code1 */
	.dword	0x200000		/* text_offset from the start of RAM */
	.dword	_image_size		/* image_size: text through bss */
	.dword	0			/* flags: little endian */
	.word	(0 << 16) | 2		/* header version 0.2 */
	.word	0			/* res1 */
	.dword	0			/* res2 */
	.ascii	"RISCV\0\0\0"		/* magic (deprecated, still checked by some) */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0			/* res3 */
	.option pop

_start_kernel:
	csrw	CSR_SIE, zero
	csrw	CSR_SIP, zero
	csrw	CSR_SATP, zero
	csrr	s2, CSR_TIME		/* ticks at kernel entry */

	/* Only one hart may boot.  Others (no HSM, or a rogue loader) park. */
	lla	t0, boot_lottery
	li	t1, 1
	amoadd.w.aqrl t1, t1, (t0)
	bnez	t1, .Lpark

	mv	s0, a0			/* hart id */
	mv	s1, a1			/* DTB physical address */
	lla	sp, boot_stack_top

	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, (t0)
	addi	t0, t0, 8
	j	1b
2:
	/* a0 = satp for the boot tables, a1 = virtual - physical offset */
	mv	a0, s1
	lla	a1, _start
	call	early_mmu_setup
	beqz	a0, .Lpark		/* it said why on the SBI console */
	mv	s3, a1

	/* The identity map keeps the next fetch valid; then jump high. */
	sfence.vma
	csrw	CSR_SATP, a0
	sfence.vma
	lla	t0, .Lhigh
	add	t0, t0, s3
	jr	t0
.Lhigh:
	add	sp, sp, s3
	mv	a0, s0
	mv	a1, s1
	mv	a2, s2
	mv	a3, s3
	call	kmain
.Lpark:
	wfi
	j	.Lpark

	.section .data
	.balign	4
boot_lottery:				/* in .data: the bss clear must not reset it */
	.word	0

	.section .bss.boot, "aw", @nobits
	.balign	16
	.globl	boot_stack
boot_stack:
	.space	BOOT_STACK_SIZE
	.globl	boot_stack_top
boot_stack_top:

/*
 * Secondary harts, started through SBI HSM at this physical address with
 * a0 = hart id, a1 = dense hart index.  The boot hart filled in
 * smp_boot_info (satp of the kernel map, virtual - physical offset) and
 * smp_boot_sp[index] (the top of that hart's idle stack, virtual).  The
 * kernel map has no identity mapping, so stvec points at the virtual
 * address of .Lsec_high: the fetch after the satp write faults there.
 */
	.section .text
	.balign	4
	.globl	_start_secondary
_start_secondary:
	csrw	CSR_SIE, zero
	csrw	CSR_SIP, zero
	fence.i				/* the boot hart wrote code and data */
	lla	t0, smp_boot_info
	ld	t1, 0(t0)		/* satp */
	ld	t2, 8(t0)		/* virtual - physical */
	lla	t3, .Lsec_high
	add	t3, t3, t2
	csrw	CSR_STVEC, t3
	sfence.vma
	csrw	CSR_SATP, t1
	nop				/* not reached: the fetch faults */
	.balign	4
.Lsec_high:
	sfence.vma
	lla	t0, smp_boot_sp
	slli	t1, a1, 3
	add	t0, t0, t1
	ld	sp, 0(t0)
	mv	s0, zero
	call	smp_secondary_main	/* (hartid, index); does not return */
1:	wfi
	j	1b

	.section .data
	.balign	8
	.globl	smp_boot_info
smp_boot_info:
	.dword	0, 0
