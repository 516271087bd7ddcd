/*
 * The trap frame and trap dispatch.  Register slot n holds xn (slot 0
 * holds sepc instead of the zero register).
 */
#ifndef NUTHATCH_TRAP_H
#define NUTHATCH_TRAP_H

#include <stdint.h>

struct trap_frame {
	uint64_t regs[32];	/* [0] = sepc, [2] = sp at the trap */
	uint64_t sstatus;
	uint64_t scause;
	uint64_t stval;
	uint64_t pad;
};

_Static_assert(sizeof(struct trap_frame) == 36 * 8, "matches trap.S");

#define SCAUSE_INTERRUPT	(1ul << 63)

/* The name of an exception or interrupt cause. */
const char *trap_cause_name(uint64_t scause);

void trap_dispatch(struct trap_frame *tf);

#endif
