/*
 * IPC stubs that move a whole message (struct nh_msg, nuthatch/ipc.h)
 * between memory and the registers of the ipc_* system calls:
 *   long nh_call(long ep, struct nh_msg *m)
 *   long nh_recv(long ep, struct nh_msg *m)
 *   long nh_reply(long reply, struct nh_msg *m)   (0: the implicit reply)
 *   long nh_reply_recv(long ep, struct nh_msg *m)
 * They return a0: the tag that arrived (also stored in m->tag), or a
 * negative -NH_E* code; the words, badge and grant are stored in *m.
 * t0 keeps m across the ecall (the kernel restores every register it
 * does not return a value in).
 */
#include <nuthatch/sysno.h>

.macro LOAD_MSG
	mv	t0, a1
	ld	a1, 0(t0)
	ld	a2, 8(t0)
	ld	a3, 16(t0)
	ld	a4, 24(t0)
	ld	a5, 32(t0)
	ld	a6, 48(t0)
.endm

.macro STORE_MSG
	bltz	a0, 1f
	sd	a0, 0(t0)
	sd	a1, 8(t0)
	sd	a2, 16(t0)
	sd	a3, 24(t0)
	sd	a4, 32(t0)
	sd	a5, 40(t0)
	sd	a6, 48(t0)
1:	ret
.endm

	.section .text
	.balign	4

	.globl	nh_call
nh_call:
	LOAD_MSG
	li	a7, SYS_ipc_call
	ecall
	STORE_MSG

	.globl	nh_recv
nh_recv:
	mv	t0, a1
	li	a7, SYS_ipc_recv
	ecall
	STORE_MSG

	.globl	nh_reply
nh_reply:
	LOAD_MSG
	li	a7, SYS_ipc_reply
	ecall
	ret

	.globl	nh_reply_recv
nh_reply_recv:
	LOAD_MSG
	li	a7, SYS_ipc_reply_recv
	ecall
	STORE_MSG
