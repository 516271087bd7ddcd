/*
 * Arch entry points that are not inline: root switching, halting and the
 * trap vector.
 */
#include "arch/riscv/arch.h"

#include "arch/riscv/pte.h"

extern char trap_entry_kernel[];

void arch_switch_root(uint64_t root_pa)
{
	__asm__ volatile("sfence.vma" ::: "memory");
	csr_write(CSR_SATP, SATP_MODE_SV39 | SATP_PPN(root_pa));
	__asm__ volatile("sfence.vma" ::: "memory");
}

void arch_trap_init(void)
{
	csr_write(CSR_STVEC, (unsigned long)trap_entry_kernel);
}

void arch_halt(void)
{
	arch_irq_save();
	for (;;)
		arch_wait_for_interrupt();
}
