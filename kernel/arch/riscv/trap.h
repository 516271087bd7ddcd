/*
 * The trap frame, trap dispatch and expected-fault recovery.
 * Register slot n of the frame holds xn (slot 0 holds sepc instead of the
 * zero register).
 */
#ifndef NUTHATCH_TRAP_H
#define NUTHATCH_TRAP_H

#include <stdbool.h>
#include <stdint.h>

struct trap_frame {
	uint64_t regs[32];	/* [0] = sepc, [2] = sp at the trap */
	uint64_t sstatus;
	uint64_t scause;
	uint64_t stval;
	uint64_t orig_a0;	/* a system call's a0 at entry (restarts) */
};

_Static_assert(sizeof(struct trap_frame) == 36 * 8, "matches trap.S");

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
 */
long fault_catch(long (*fn)(void *), void *arg, struct fault_catch *c);

/* The name of an exception or interrupt cause. */
const char *trap_cause_name(uint64_t scause);

/* Interrupt handlers the arch layer calls (implemented by generic code). */
void timer_interrupt(void);
void ipi_interrupt(void);
void irq_external(void);

void trap_dispatch(struct trap_frame *tf);
int trap_user_page_fault(struct trap_frame *tf);

#endif
