/*
 * Trap entry and exit, for traps from the kernel and from user mode.
 *
 * The tp/sscratch protocol: in the kernel, tp = this hart's struct hart
 * and sscratch = 0; in user mode, sscratch = struct hart and tp = the
 * user's TLS pointer.  The first instruction swaps them: a zero in tp
 * afterwards means the trap came from the kernel (then tp is restored
 * from sscratch).
 *
 * From the kernel: before anything is pushed, check that a frame fits
 * above the running task's stack bottom (hart->kstack_lo).  If not and sp
 * is within the guard below it, the stack overflowed: continue on the
 * hart's overflow stack, keeping the old sp for the oops.  sscratch holds
 * t0 meanwhile.
 *
 * From user mode: the frame goes at the top of the task's kernel stack
 * (hart->kstack_hi: a task in user mode has nothing on it), with the
 * user's sp and tp.
 *
 * Either way: a struct trap_frame (trap.h), then trap_dispatch(frame),
 * which decodes the trap and calls its entry/entry.h function; system
 * calls and user page faults call theirs from here.
 * The exit path looks at the saved sstatus.SPP: back to the kernel it
 * reloads every register but tp (per hart: the task may have moved to
 * another hart while preempted) and takes sp from the frame (a fault
 * rewind may have changed it); back to user mode it puts the struct hart
 * pointer in sscratch and reloads the user's tp too.
 *
 * fault_catch_call(fn, arg, catch) calls fn(arg) with catch armed: if fn
 * faults, trap_dispatch rewinds the frame to fault_catch_call's return
 * with a0 = -NH_EFAULT (entry/fault.c decides, trap_rewind does it).
 */
#include <nuthatch/sysno.h>
#include <nuthatch/vm.h>

#include "arch/riscv/asm.h"
#include "arch/riscv/asm-offsets.h"	/* generated: build/gen/arch/riscv/ */

/* Frame slot n holds xn (slot 0: sepc); a fault_catch's saved registers. */
#define REG(n)		(TF_REGS + (n) * 8)
#define FC_REG(n)	(FC_REGS + (n) * 8)

/* What C code may clobber (but t0, the scratch: its caller saves it), plus
 * gp: the system-call path saves only these. */
.macro SAVE_CALLER
	sd	ra, REG(1)(sp)
	sd	gp, REG(3)(sp)
	sd	t1, REG(6)(sp)
	sd	t2, REG(7)(sp)
	sd	a0, REG(10)(sp)
	sd	a1, REG(11)(sp)
	sd	a2, REG(12)(sp)
	sd	a3, REG(13)(sp)
	sd	a4, REG(14)(sp)
	sd	a5, REG(15)(sp)
	sd	a6, REG(16)(sp)
	sd	a7, REG(17)(sp)
	sd	t3, REG(28)(sp)
	sd	t4, REG(29)(sp)
	sd	t5, REG(30)(sp)
	sd	t6, REG(31)(sp)
.endm

.macro RESTORE_CALLER
	ld	ra, REG(1)(sp)
	ld	gp, REG(3)(sp)
	ld	t1, REG(6)(sp)
	ld	t2, REG(7)(sp)
	ld	a0, REG(10)(sp)
	ld	a1, REG(11)(sp)
	ld	a2, REG(12)(sp)
	ld	a3, REG(13)(sp)
	ld	a4, REG(14)(sp)
	ld	a5, REG(15)(sp)
	ld	a6, REG(16)(sp)
	ld	a7, REG(17)(sp)
	ld	t3, REG(28)(sp)
	ld	t4, REG(29)(sp)
	ld	t5, REG(30)(sp)
	ld	t6, REG(31)(sp)
.endm

/* The callee-saved registers. */
.macro SAVE_CALLEE
	sd	s0, REG(8)(sp)
	sd	s1, REG(9)(sp)
	sd	s2, REG(18)(sp)
	sd	s3, REG(19)(sp)
	sd	s4, REG(20)(sp)
	sd	s5, REG(21)(sp)
	sd	s6, REG(22)(sp)
	sd	s7, REG(23)(sp)
	sd	s8, REG(24)(sp)
	sd	s9, REG(25)(sp)
	sd	s10, REG(26)(sp)
	sd	s11, REG(27)(sp)
.endm

/* Every general register but sp (x2) and tp (x4) into the frame at sp. */
.macro SAVE_GPRS
	sd	t0, REG(5)(sp)
	SAVE_CALLER
	SAVE_CALLEE
.endm

.macro RESTORE_GPRS
	ld	t0, REG(5)(sp)
	RESTORE_CALLER
	ld	s0, REG(8)(sp)
	ld	s1, REG(9)(sp)
	ld	s2, REG(18)(sp)
	ld	s3, REG(19)(sp)
	ld	s4, REG(20)(sp)
	ld	s5, REG(21)(sp)
	ld	s6, REG(22)(sp)
	ld	s7, REG(23)(sp)
	ld	s8, REG(24)(sp)
	ld	s9, REG(25)(sp)
	ld	s10, REG(26)(sp)
	ld	s11, REG(27)(sp)
.endm

/* The CSRs into the frame (t0 already saved); user access off until
 * the return restores sstatus. */
.macro SAVE_CSRS
	csrr	t0, CSR_SEPC
	sd	t0, REG(0)(sp)
	li	t0, SSTATUS_SUM
	csrrc	t0, CSR_SSTATUS, t0
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, CSR_SCAUSE
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, CSR_STVAL
	sd	t0, TF_STVAL(sp)
.endm

	.section .text
	.balign	4
	.globl	trap_entry_kernel
trap_entry_kernel:
	csrrw	tp, CSR_SSCRATCH, tp
	bnez	tp, .Lfrom_user
	csrr	tp, CSR_SSCRATCH	/* from the kernel: tp was already ours */
	csrw	CSR_SSCRATCH, t0
	ld	t0, HART_KSTACK_LO(tp)
	addi	t0, t0, TF_SIZE + 64
	bltu	sp, t0, .Loverflow
.Lstack_ok:
	csrr	t0, CSR_SSCRATCH
	csrw	CSR_SSCRATCH, zero
	addi	sp, sp, -TF_SIZE
	SAVE_GPRS
	sd	tp, REG(4)(sp)
	addi	t0, sp, TF_SIZE
	sd	t0, REG(2)(sp)		/* sp at the trap */
	j	.Ldispatch
.Loverflow:
	/* Below the guard too: not the task's stack at all (the overflow
	 * stack itself, for one): carry on normally. */
	ld	t0, HART_KSTACK_GUARD(tp)
	bltu	sp, t0, .Lstack_ok
	sd	sp, HART_TRAPPED_SP(tp)
	ld	sp, HART_OVERFLOW_SP(tp)
	csrr	t0, CSR_SSCRATCH
	csrw	CSR_SSCRATCH, zero
	addi	sp, sp, -TF_SIZE
	SAVE_GPRS
	sd	tp, REG(4)(sp)
	ld	t0, HART_TRAPPED_SP(tp)
	sd	t0, REG(2)(sp)		/* the overflowing sp, for the oops */
	j	.Ldispatch

.Lfrom_user:
	sd	sp, HART_TRAPPED_SP(tp)
	ld	sp, HART_KSTACK_HI(tp)
	addi	sp, sp, -TF_SIZE
	sd	t0, REG(5)(sp)
	csrr	t0, CSR_SCAUSE
	addi	t0, t0, -EXC_ECALL_U
	beqz	t0, .Lsyscall
	csrr	t0, CSR_SCAUSE
	srli	t0, t0, 2
	addi	t0, t0, -3		/* 12, 13, 15: a page fault */
	beqz	t0, .Lpage_fault
	ld	t0, REG(5)(sp)
	SAVE_GPRS
	ld	t0, HART_TRAPPED_SP(tp)
	sd	t0, REG(2)(sp)		/* the user's sp */
	csrr	t0, CSR_SSCRATCH
	sd	t0, REG(4)(sp)		/* the user's tp */
	csrw	CSR_SSCRATCH, zero
	mv	s0, zero		/* end of the kernel's frame chain */
	j	.Ldispatch

	/*
	 * The system-call path saves every user register (so task control
	 * can read a blocked call's whole frame), and a0 once more as the
	 * frame's orig_a0 (a restarted call gets it back).  It skips
	 * stval.  entry_syscall returns 0 when nothing happened at the
	 * user boundary: then s0-s11, which C preserved, are still the
	 * user's, and only the rest is reloaded.  Otherwise (a switch, a
	 * tracer's writes, a new space) every register comes from the
	 * frame, through trap_return.
	 */
.Lsyscall:
	SAVE_CALLER
	SAVE_CALLEE
	sd	a0, TF_ORIG_A0(sp)		/* orig_a0 */
	ld	t0, HART_TRAPPED_SP(tp)
	sd	t0, REG(2)(sp)
	csrr	t0, CSR_SSCRATCH
	sd	t0, REG(4)(sp)
	csrw	CSR_SSCRATCH, zero
	csrr	t0, CSR_SEPC
	sd	t0, REG(0)(sp)
	li	t0, SSTATUS_SUM
	csrrc	t0, CSR_SSTATUS, t0
	sd	t0, TF_SSTATUS(sp)
	li	t0, EXC_ECALL_U
	sd	t0, TF_SCAUSE(sp)
	mv	a0, sp
	li	t0, SYS_ipc_call
	beq	a7, t0, .Lipc_call
	li	t0, SYS_ipc_reply_recv
	beq	a7, t0, .Lipc_reply_recv
.Lsyscall_slow:
	call	entry_syscall
	bnez	a0, trap_return		/* the slow way: every register */
	/* The fast way back to user mode: s0-s11 are still the user's, so
	 * only what C may clobber comes from the frame. */
.Lfast_return:
	ld	t0, REG(0)(sp)
	csrw	CSR_SEPC, t0
	ld	t0, TF_SSTATUS(sp)
	csrw	CSR_SSTATUS, t0
	csrw	CSR_SSCRATCH, tp
	ld	t0, REG(5)(sp)
	RESTORE_CALLER
	ld	tp, REG(4)(sp)
	ld	sp, REG(2)(sp)
	sret

	/*
	 * IPC's fast path (ipc_fast.c), interrupts still off.  It returns
	 * NULL (then the call goes the usual way; a0-a7 are reloaded from
	 * the frame), or the frame of the task it switched to, at the top of
	 * that task's stack: the run queue is released once we are off the
	 * stack of the task that left (sched.h, direct switches).
	 */
.Lipc_call:
	call	ipc_fast_call
	j	1f
.Lipc_reply_recv:
	call	ipc_fast_reply_recv
1:	beqz	a0, 2f
	mv	sp, a0
	call	sched_direct_unlock
	j	trap_return
2:	mv	a0, sp
	j	.Lsyscall_slow

	/*
	 * A page fault from user mode: most are resolved (zero-fill, COW)
	 * and the task goes straight back, so like a system call only what
	 * C may clobber is saved first.  Decoded here (stval, and the access
	 * scause names), it goes to entry_user_page_fault, which returns 0 for
	 * that fast way; otherwise (not resolved, or work at the user
	 * boundary) s0-s11, still the user's, join the frame and its verdict
	 * goes to entry_user_page_fault_finish in a1.
	 */
.Lpage_fault:
	SAVE_CALLER
	ld	t0, HART_TRAPPED_SP(tp)
	sd	t0, REG(2)(sp)
	csrr	t0, CSR_SSCRATCH
	sd	t0, REG(4)(sp)
	csrw	CSR_SSCRATCH, zero
	SAVE_CSRS			/* leaves stval in t0 */
	mv	a0, t0			/* decode: the address, and the access */
	ld	t1, TF_SCAUSE(sp)
	li	a1, NH_PROT_WRITE
	li	t0, EXC_STORE_PAGE_FAULT
	beq	t1, t0, 1f
	li	a1, NH_PROT_READ
	li	t0, EXC_LOAD_PAGE_FAULT
	beq	t1, t0, 1f
	li	a1, NH_PROT_EXEC
1:	call	entry_user_page_fault
	beqz	a0, .Lfast_return
	SAVE_CALLEE
	mv	s0, zero		/* end of the kernel's frame chain */
	mv	a1, a0
	mv	a0, sp
	call	entry_user_page_fault_finish
	j	trap_return

.Ldispatch:
	SAVE_CSRS
	mv	a0, sp
	call	trap_dispatch
	/* fall through */

	.globl	trap_return
trap_return:				/* sp = the frame */
	ld	t0, REG(0)(sp)
	csrw	CSR_SEPC, t0
	ld	t0, TF_SSTATUS(sp)
	csrw	CSR_SSTATUS, t0
	andi	t0, t0, SSTATUS_SPP
	bnez	t0, .Lto_kernel
	csrw	CSR_SSCRATCH, tp	/* back to user: sscratch = struct hart */
	RESTORE_GPRS
	ld	tp, REG(4)(sp)
	ld	sp, REG(2)(sp)
	sret
.Lto_kernel:
	RESTORE_GPRS
	ld	sp, REG(2)(sp)		/* the frame's sp: a rewind may change it */
	sret

	/*
	 * Where a task blocked with a continuation resumes (sched_block):
	 * sp = its user frame, s1 = the continuation.  entry_syscall_resume
	 * finishes the call; every register then comes from the frame.
	 */
	.globl	arch_resume_trampoline
arch_resume_trampoline:
	mv	s0, zero		/* end of the kernel's frame chain */
	mv	a0, sp
	mv	a1, s1
	call	entry_syscall_resume
	j	trap_return

	/* void arch_enter_user(struct trap_frame *tf): sret through tf */
	.globl	arch_enter_user
arch_enter_user:
	mv	sp, a0
	j	trap_return

	/* long fault_catch_call(long (*fn)(void *), void *arg, struct fault_catch *c) */
	.globl	fault_catch_call
fault_catch_call:
	sd	ra, FC_REG(0)(a2)
	sd	sp, FC_REG(1)(a2)
	sd	s0, FC_REG(2)(a2)
	sd	s1, FC_REG(3)(a2)
	sd	s2, FC_REG(4)(a2)
	sd	s3, FC_REG(5)(a2)
	sd	s4, FC_REG(6)(a2)
	sd	s5, FC_REG(7)(a2)
	sd	s6, FC_REG(8)(a2)
	sd	s7, FC_REG(9)(a2)
	sd	s8, FC_REG(10)(a2)
	sd	s9, FC_REG(11)(a2)
	sd	s10, FC_REG(12)(a2)
	sd	s11, FC_REG(13)(a2)
	addi	sp, sp, -16
	sd	ra, 8(sp)
	sd	a2, 0(sp)
	mv	t0, a0
	mv	a0, a1
	jalr	t0
	ld	ra, 8(sp)
	addi	sp, sp, 16
	ret
