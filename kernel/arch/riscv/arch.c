/*
 * Arch entry points that are not inline: root switching, halting and the
 * trap vector.
 */
#include "arch/riscv/arch.h"

#include <nuthatch/errno.h>

#include "arch/riscv/pte.h"
#include "arch/riscv/sbi.h"

extern char trap_entry_kernel[];

void arch_switch_root(uint64_t root_pa)
{
	__asm__ volatile("sfence.vma" ::: "memory");
	csr_write(CSR_SATP, arch_satp(root_pa));
	__asm__ volatile("sfence.vma" ::: "memory");
}

void arch_trap_init(void)
{
	csr_write(CSR_STVEC, (unsigned long)trap_entry_kernel);
	csr_write(CSR_SCOUNTEREN, SCOUNTEREN_TM);	/* user code may rdtime */
	csr_clear(CSR_SSTATUS, SSTATUS_FS);		/* FP off in the kernel */
}

void arch_halt(void)
{
	arch_irq_save();
	for (;;)
		arch_wait_for_interrupt();
}

void arch_irq_sources_enable(void)
{
	csr_set(CSR_SIE, SIE_SSIE | SIE_STIE | SIE_SEIE);
}

void arch_timer_program(uint64_t deadline)
{
	if (sbi_info()->time)
		sbi_call(SBI_EXT_TIME, 0, (long)deadline, 0, 0);
	else
		sbi_call(0, 0, (long)deadline, 0, 0);	/* legacy set_timer */
}

int arch_send_ipi(uint64_t hartid)
{
	struct sbi_ret r;

	__asm__ volatile("fence rw, rw" ::: "memory");	/* stores before the IPI */
	r = sbi_call(SBI_EXT_IPI, 0, 1, (long)hartid, 0);
	return r.error ? -NH_EINVAL : 0;
}

void arch_ipi_clear(void)
{
	csr_clear(CSR_SIP, SIE_SSIE);
}

int arch_tlb_flush_remote(uint64_t hartid, uint64_t va, uint64_t size)
{
	struct sbi_ret r;

	if (!sbi_info()->rfence)
		return -NH_ENOSYS;
	r = sbi_call4(SBI_EXT_RFENCE, 1, 1, (long)hartid, (long)va, (long)size);
	return r.error ? -NH_EIO : 0;
}

int arch_hart_start(uint64_t hartid, uint64_t entry, uint64_t opaque)
{
	struct sbi_ret r;

	if (!sbi_info()->hsm)
		return -NH_ENOSYS;
	r = sbi_call(SBI_EXT_HSM, 0, (long)hartid, (long)entry, (long)opaque);
	return r.error ? -NH_EIO : 0;
}

unsigned long arch_user_sstatus(void)
{
	unsigned long s = csr_read(CSR_SSTATUS);

	s &= ~(SSTATUS_SPP | SSTATUS_SIE | SSTATUS_FS | SSTATUS_SUM);
	return s | SSTATUS_SPIE | SSTATUS_FS_INITIAL;
}


unsigned arch_asid_bits(void)
{
	unsigned long satp = csr_read(CSR_SATP), got;
	unsigned bits = 0;

	csr_write(CSR_SATP, satp | SATP_ASID_MASK << SATP_ASID_SHIFT);
	got = (csr_read(CSR_SATP) >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
	csr_write(CSR_SATP, satp);
	__asm__ volatile("sfence.vma" ::: "memory");
	while (got & 1) {	/* implemented bits are the low ones */
		bits++;
		got >>= 1;
	}
	return bits;
}
