/*
 * Trap dispatch.  For now every trap taken in the kernel is fatal: it
 * prints an oops (cause and stval by name, registers) and powers off with
 * the panic verdict.  Interrupts and fixups arrive with their subsystems.
 */
#include "arch/riscv/trap.h"

#include "arch/riscv/arch.h"
#include "printk.h"

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
	[1] = "supervisor software interrupt",
	[5] = "supervisor timer interrupt",
	[9] = "supervisor external interrupt",
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

static void oops(const struct trap_frame *tf)
{
	static const char *const abi[32] = {
		"pc", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1",
		"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3",
		"s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
		"t5", "t6",
	};

	kprintf("oops: %s (scause 0x%lx) at pc 0x%lx, stval 0x%lx\n",
		trap_cause_name(tf->scause), tf->scause, tf->regs[0], tf->stval);
	for (int i = 0; i < 32; i += 4)
		kprintf("  %-3s %016lx  %-3s %016lx  %-3s %016lx  %-3s %016lx\n",
			abi[i], tf->regs[i], abi[i + 1], tf->regs[i + 1],
			abi[i + 2], tf->regs[i + 2], abi[i + 3], tf->regs[i + 3]);
	kprintf("  sstatus %016lx\n", tf->sstatus);
}

void trap_dispatch(struct trap_frame *tf)
{
	oops(tf);
	panic("unhandled trap in the kernel");
}
