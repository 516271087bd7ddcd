/*
 * Constants shared by assembly and C in the RISC-V arch layer: CSR
 * numbers, status bits and the boot stack size.
 */
#ifndef NUTHATCH_ARCH_ASM_H
#define NUTHATCH_ARCH_ASM_H

#define CSR_SSTATUS	0x100
#define CSR_SIE		0x104
#define CSR_STVEC	0x105
#define CSR_SSCRATCH	0x140
#define CSR_SEPC	0x141
#define CSR_SCAUSE	0x142
#define CSR_STVAL	0x143
#define CSR_SIP		0x144
#define CSR_SATP	0x180
#define CSR_TIME	0xc01

/* Exception causes (scause, interrupt bit clear) the kernel tells apart. */
#define EXC_ILLEGAL_INSN	2
#define EXC_ECALL_U		8
#define EXC_INST_PAGE_FAULT	12
#define EXC_LOAD_PAGE_FAULT	13
#define EXC_STORE_PAGE_FAULT	15

#define SSTATUS_SIE	(1 << 1)
#define SSTATUS_SPIE	(1 << 5)
#define SSTATUS_SPP	(1 << 8)
#define SSTATUS_SUM	(1 << 18)
#define SSTATUS_FS	(3 << 13)
#define SSTATUS_FS_INITIAL	(1 << 13)
#define SSTATUS_FS_CLEAN	(2 << 13)
#define CSR_SCOUNTEREN	0x106
#define SCOUNTEREN_TM	(1 << 1)

#define SIE_SSIE	(1 << 1)
#define SIE_STIE	(1 << 5)
#define SIE_SEIE	(1 << 9)

#define BOOT_STACK_SIZE	16384

#endif
