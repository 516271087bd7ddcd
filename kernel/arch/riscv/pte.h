/*
 * Sv39 page-table entries: the bits, the levels and the address split.
 * A virtual address has three 9-bit indices above a 12-bit offset and
 * must be the sign extension of bit 38.  Every valid leaf is created with
 * A set, and D set when writable: the U74 faults instead of setting them.
 */
#ifndef NUTHATCH_ARCH_PTE_H
#define NUTHATCH_ARCH_PTE_H

#include <stdint.h>

typedef uint64_t pte_t;

#define PTE_V	(1ul << 0)
#define PTE_R	(1ul << 1)
#define PTE_W	(1ul << 2)
#define PTE_X	(1ul << 3)
#define PTE_U	(1ul << 4)
#define PTE_G	(1ul << 5)
#define PTE_A	(1ul << 6)
#define PTE_D	(1ul << 7)
#define PTE_LEAF (PTE_R | PTE_W | PTE_X)
#define PTE_SW_KEPT	(1ul << 8)	/* RSW: a frame kept in a non-valid entry (vm.c) */

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1ul << PAGE_SHIFT)
#define PT_ENTRIES	512
#define PT_LEVELS	3
#define LEVEL_SHIFT(l)	(PAGE_SHIFT + 9 * (l))	/* l = 0 (4K), 1 (2M), 2 (1G) */
#define LEVEL_SIZE(l)	(1ul << LEVEL_SHIFT(l))
#define PT_INDEX(va, l)	(((va) >> LEVEL_SHIFT(l)) & (PT_ENTRIES - 1))

#define SATP_MODE_SV39	(8ul << 60)
#define SATP_PPN(pa)	((pa) >> PAGE_SHIFT)
#define SATP_ASID_SHIFT	44
#define SATP_ASID_MASK	0xfffful

static inline pte_t pte_make(uint64_t pa, uint64_t flags)
{
	return ((pa >> PAGE_SHIFT) << 10) | flags;
}

static inline uint64_t pte_pa(pte_t pte)
{
	return (pte >> 10) << PAGE_SHIFT;
}

static inline int pte_is_leaf(pte_t pte)
{
	return (pte & PTE_V) && (pte & PTE_LEAF);
}

#endif
