/*
 * CSR access for the arch layer only; generic code calls arch.h instead.
 */
#ifndef NUTHATCH_ARCH_CSR_H
#define NUTHATCH_ARCH_CSR_H

#include "arch/riscv/asm.h"

#define __csr_str(x) #x
#define csr_read(csr) ({ unsigned long __v; \
	__asm__ volatile("csrr %0, " __csr_str(csr) : "=r"(__v) :: "memory"); \
	__v; })
#define csr_write(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	__asm__ volatile("csrw " __csr_str(csr) ", %0" :: "rK"(__v) : "memory"); })
#define csr_set(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	__asm__ volatile("csrs " __csr_str(csr) ", %0" :: "rK"(__v) : "memory"); })
#define csr_clear(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	__asm__ volatile("csrc " __csr_str(csr) ", %0" :: "rK"(__v) : "memory"); })
#define csr_read_clear(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	__asm__ volatile("csrrc %0, " __csr_str(csr) ", %1" \
			 : "=r"(__v) : "rK"(__v) : "memory"); __v; })

#endif
