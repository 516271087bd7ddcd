/*
 * Trap decode: what scause says, handed to the entry layer (entry/entry.h)
 * as one call per kind with its arguments; the names of causes and
 * registers, for oopses; and the rewind of a frame to an armed
 * fault_catch_call.  No policy lives here: whether a fault is resolved,
 * forwarded, fatal or survived is entry/'s decision.
 */
#include "arch/riscv/trap.h"

#include <nuthatch/errno.h>
#include <nuthatch/vm.h>

#include "arch/riscv/asm.h"
#include "entry/entry.h"

static const char *const exc_names[] = {
	[0] = "instruction address misaligned",
	[1] = "instruction access fault",
	[2] = "illegal instruction",
	[3] = "breakpoint",
	[4] = "load address misaligned",
	[5] = "load access fault",
	[6] = "store address misaligned",
	[7] = "store access fault",
	[8] = "environment call from U-mode",
	[9] = "environment call from S-mode",
	[12] = "instruction page fault",
	[13] = "load page fault",
	[15] = "store page fault",
};

static const char *const irq_names[] = {
	[IRQ_S_SOFT] = "supervisor software interrupt",
	[IRQ_S_TIMER] = "supervisor timer interrupt",
	[IRQ_S_EXT] = "supervisor external interrupt",
};

const char *trap_cause_name(uint64_t scause)
{
	uint64_t code = scause & ~SCAUSE_INTERRUPT;
	const char *const *t = exc_names;
	uint64_t n = sizeof(exc_names) / sizeof(exc_names[0]);

	if (scause & SCAUSE_INTERRUPT) {
		t = irq_names;
		n = sizeof(irq_names) / sizeof(irq_names[0]);
	}
	if (code < n && t[code])
		return t[code];
	return "unknown cause";
}

const char *trap_reg_name(unsigned slot)
{
	static const char *const abi[32] = {
		"pc", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1",
		"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3",
		"s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
		"t5", "t6",
	};

	return slot < 32 ? abi[slot] : "?";
}

void trap_rewind(struct trap_frame *tf, struct fault_catch *c)
{
	static const int slot[14] = { 1, 2, 8, 9, 18, 19, 20, 21, 22, 23,
				      24, 25, 26, 27 };

	c->fired = true;
	c->scause = tf->scause;
	c->stval = tf->stval;
	c->sepc = tf->regs[0];
	for (int i = 0; i < 14; i++)
		tf->regs[slot[i]] = c->regs[i];
	tf->regs[0] = c->regs[0];	/* resume at the caller's return */
	tf->regs[10] = (uint64_t)-NH_EFAULT;
}

/* The access a page-fault cause asks for, or 0 for other causes.  (A
 * user page fault is decoded the same way in trap.S, for speed.) */
static unsigned fault_access(uint64_t scause)
{
	switch (scause) {
	case EXC_INST_PAGE_FAULT:
		return NH_PROT_EXEC;
	case EXC_LOAD_PAGE_FAULT:
		return NH_PROT_READ;
	case EXC_STORE_PAGE_FAULT:
		return NH_PROT_WRITE;
	default:
		return 0;
	}
}

static enum entry_irq irq_of(uint64_t scause)
{
	switch (scause & ~SCAUSE_INTERRUPT) {
	case IRQ_S_TIMER:
		return ENTRY_IRQ_TIMER;
	case IRQ_S_SOFT:
		return ENTRY_IRQ_IPI;
	case IRQ_S_EXT:
		return ENTRY_IRQ_EXTERNAL;
	default:
		return ENTRY_IRQ_UNKNOWN;
	}
}

/* Every other trap but a system call, the whole frame saved. */
void trap_dispatch(struct trap_frame *tf)
{
	if (tf->scause & SCAUSE_INTERRUPT)
		entry_interrupt(tf, irq_of(tf->scause));
	else if (trap_is_user(tf))
		entry_user_fault(tf, tf->scause == EXC_ILLEGAL_INSN ?
				 ENTRY_FAULT_ILLEGAL_INSN : ENTRY_FAULT_OTHER);
	else
		entry_kernel_fault(tf, tf->stval, fault_access(tf->scause),
				   tf->sstatus & SSTATUS_SUM);
}
