/*
 * The trap frame, trap decode and expected-fault recovery.
 * Register slot n of the frame holds xn (slot 0 holds sepc instead of the
 * zero register).  trap.S saves the frame and calls trap_dispatch (or,
 * for system calls and user page faults, the entry layer's function
 * directly); trap_dispatch decodes and calls one entry/entry.h function
 * per kind of trap.
 */
#ifndef NUTHATCH_TRAP_H
#define NUTHATCH_TRAP_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/riscv/asm.h"

struct trap_frame {
	uint64_t regs[32];	/* [0] = sepc, [2] = sp at the trap */
	uint64_t sstatus;
	uint64_t scause;
	uint64_t stval;
	uint64_t orig_a0;	/* a system call's a0 at entry (restarts) */
};

#define SCAUSE_INTERRUPT	(1ul << 63)
#define IRQ_S_SOFT		1
#define IRQ_S_TIMER		5
#define IRQ_S_EXT		9

/*
 * Armed around a call that is expected to fault (self-tests now, user
 * copies later).  Registers are saved by fault_catch_call (trap.S); the
 * trap handler fills in what happened.
 */
struct fault_catch {
	uint64_t regs[14];	/* ra, sp, s0..s11 at the call */
	bool fired;
	bool quiet;		/* do not print the oops */
	uint64_t scause, stval, sepc;
};

/*
 * Call fn(arg) with @c armed on this hart.  Returns fn's result, or
 * -NH_EFAULT if fn faulted (then c->fired, c->scause, c->stval, c->sepc
 * say how, and an oops naming the address was printed unless c->quiet).
 * (entry/fault.c: arming and the decision to rewind.)
 */
long fault_catch(long (*fn)(void *), void *arg, struct fault_catch *c);

/* trap.S: save ra, sp, s0-s11 into @c, then call fn(arg). */
long fault_catch_call(long (*fn)(void *), void *arg, struct fault_catch *c);

/* Rewind @tf to the return of the fault_catch_call that armed @c, with
 * -NH_EFAULT as its result, recording in @c what happened. */
void trap_rewind(struct trap_frame *tf, struct fault_catch *c);

/* Did the trap in @tf come from user mode? */
static inline bool trap_is_user(const struct trap_frame *tf)
{
	return !(tf->sstatus & SSTATUS_SPP);
}

/* Was the frame in @tf saved by a system call (trap.S's ecall path)? */
static inline bool trap_is_syscall(const struct trap_frame *tf)
{
	return tf->scause == EXC_ECALL_U;
}

/* The name of an exception or interrupt cause, and of a frame slot. */
const char *trap_cause_name(uint64_t scause);
const char *trap_reg_name(unsigned slot);

/*
 * Frame records (the psABI's, with -fno-omit-frame-pointer): at fp - 8
 * the return address, at fp - 16 the caller's fp.
 */
static inline uint64_t trap_record_ra(uint64_t fp)
{
	return ((const uint64_t *)fp)[-1];
}

static inline uint64_t trap_record_fp(uint64_t fp)
{
	return ((const uint64_t *)fp)[-2];
}

/* From trap.S: every trap but a system call or a user page fault. */
void trap_dispatch(struct trap_frame *tf);

#endif
