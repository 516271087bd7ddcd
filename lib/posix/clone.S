/*
 * clone(fn, stack, flags, arg, ptid, tls, ctid): the process server's
 * clone request (servers/proto/proc.tbl, label 2011) made by hand,
 * because the child starts on another stack: it begins right after the
 * ecall with the caller's registers but for sp (the new stack), tp
 * (with CLONE_SETTLS), a0 (the reply tag) and a1 (tid 0).  fn and arg
 * travel in s1 and s2 (saved for the caller here); the child calls
 * fn(arg) and its value is its exit status (SYS_exit: this task only).
 * ctid travels in the IPC buffer, which __nh_clone_buffer (pthread.c)
 * registers and fills; errors go through __nh_fail for errno.
 */
#include <nuthatch/sysno.h>

#define NH_PROC_HANDLE	1
#define CLONE_LABEL	2011
#define REQ_TAG		((CLONE_LABEL << 16) | 8)	/* ctid in the buffer */
#define REPLY_TAG	((CLONE_LABEL + 1) << 16)
#define ERROR_LABEL	0x7fffffffe000			/* NH_PROTO_ERROR */
#define EINVAL		22
#define EBADMSG		77

	.section .text
	.balign	4
	.globl	clone
	.type	clone, @function
clone:
	beqz	a0, 5f			/* no function or no stack: EINVAL */
	beqz	a1, 5f
	addi	sp, sp, -64
	sd	ra, 0(sp)
	sd	s1, 8(sp)
	sd	s2, 16(sp)
	sd	a1, 24(sp)		/* stack */
	sd	a2, 32(sp)		/* flags */
	sd	a4, 40(sp)		/* ptid */
	sd	a5, 48(sp)		/* tls */
	mv	s1, a0
	mv	s2, a3
	mv	a0, a6			/* __nh_clone_buffer(ctid, flags) */
	mv	a1, a2
	call	__nh_clone_buffer
	bnez	a0, 3f
	li	a0, NH_PROC_HANDLE
	li	a1, REQ_TAG
	lwu	a2, 32(sp)		/* flags: an int, as 32 bits */
	ld	a3, 24(sp)
	ld	a4, 48(sp)
	ld	a5, 40(sp)
	li	a6, 0
	li	a7, SYS_ipc_call
	ecall
	bltz	a0, 3f			/* the call failed: a0 is the code */
	li	t2, REPLY_TAG
	bne	a0, t2, 2f
	beqz	a1, 4f			/* tid 0: the child */
	sext.w	a0, a1			/* the parent: the child's tid */
	ld	ra, 0(sp)
	ld	s1, 8(sp)
	ld	s2, 16(sp)
	addi	sp, sp, 64
	ret
2:	srli	t2, a0, 16		/* an error reply: w0 is the code */
	li	t3, ERROR_LABEL
	li	a0, -EBADMSG
	bne	t2, t3, 3f
	mv	a0, a1
3:	ld	ra, 0(sp)
	ld	s1, 8(sp)
	ld	s2, 16(sp)
	addi	sp, sp, 64
	j	__nh_fail
4:	li	s0, 0			/* the child: no frames above fn's */
	mv	a0, s2
	jalr	s1
	li	a7, SYS_exit		/* fn's value is its status */
	ecall
	unimp
5:	li	a0, -EINVAL
	j	__nh_fail
	.size	clone, . - clone
