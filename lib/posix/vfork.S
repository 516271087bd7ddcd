/*
 * vfork: the process server's vfork request (servers/proto/proc.tbl,
 * label 2010) made without a stack frame.  The child runs in the
 * parent's memory on the parent's stack while the parent is held, so
 * the parent's way back must not depend on stack memory below its
 * caller's frame, which the child's calls overwrite: the return address
 * stays in t1 across the ecall (the kernel restores every register it
 * does not return a value in, and the child starts with the parent's
 * registers).  The child marks itself in __nh_vforked (pipe.c: it must
 * not change the parent's tables of pipe rings), the parent unmarks.  Errors go through __nh_fail (process.c, posix.h) for errno.
 */
#include <nuthatch/sysno.h>

#define NH_PROC_HANDLE	1
#define VFORK_LABEL	2010
#define REPLY_TAG	((VFORK_LABEL + 1) << 16)	/* no buffer */
#define ERROR_LABEL	0x7fffffffe000			/* NH_PROTO_ERROR */

	.section .text
	.balign	4
	.globl	vfork
vfork:
	mv	t1, ra
	li	a0, NH_PROC_HANDLE
	li	a1, VFORK_LABEL << 16
	li	a2, 0
	li	a3, 0
	li	a4, 0
	li	a5, 0
	li	a6, 0
	li	a7, SYS_ipc_call
	ecall
	mv	ra, t1
	bltz	a0, 2f			/* the call failed: a0 is the code */
	li	t2, REPLY_TAG
	bne	a0, t2, 1f
	sext.w	a0, a1			/* the pid: 0 in the child */
	seqz	t2, a0			/* __nh_vforked: 1 in the child, 0 again */
	la	t3, __nh_vforked	/* in the parent once it runs (pipe.c) */
	sw	t2, 0(t3)
	ret
1:	srli	t2, a0, 16		/* an error reply: w0 is the code */
	li	t3, ERROR_LABEL
	li	a0, -77			/* -NH_EBADMSG: not the reply */
	bne	t2, t3, 2f
	mv	a0, a1
2:	j	__nh_fail
