/*
 * Sv39 page-table construction.  Table pages come from the caller's
 * allocator, which also says how to reach a table page by its physical
 * address, so the same code serves the boot pool (reached through the
 * image) and the frame allocator (reached through the direct map).
 */
#ifndef NUTHATCH_PGTABLE_H
#define NUTHATCH_PGTABLE_H

#include <stdint.h>

#include "arch/riscv/pte.h"

enum pgt_prot {
	PGT_R = 1,
	PGT_W = 2,
	PGT_X = 4,
	PGT_U = 8,
	PGT_GLOBAL = 16,
};

/* A valid leaf's flags for @prot: A always, D (and R) with W; the U74
 * faults instead of setting A and D itself. */
static inline pte_t pgt_leaf_flags(unsigned prot)
{
	pte_t f = PTE_V | PTE_A;

	if (prot & PGT_R)
		f |= PTE_R;
	if (prot & PGT_W)
		f |= PTE_W | PTE_D | PTE_R;
	if (prot & PGT_X)
		f |= PTE_X;
	if (prot & PGT_U)
		f |= PTE_U;
	if (prot & PGT_GLOBAL)
		f |= PTE_G;
	return f;
}

struct pgt_alloc {
	/* A zeroed, page-aligned page's physical address, or 0 if none. */
	uint64_t (*alloc)(void *ctx);
	/* The kernel virtual address of a table page. */
	void *(*va)(void *ctx, uint64_t pa);
	void *ctx;
};

/*
 * Map [va, va + size) to [pa, pa + size) with @prot, using 1 GiB and
 * 2 MiB leaves where alignment and size allow.  All three must be page
 * aligned and va canonical.  Returns 0, -NH_EINVAL, -NH_ENOMEM, or
 * -NH_EEXIST if any page is already mapped (earlier pages stay mapped).
 */
int pgt_map(const struct pgt_alloc *a, uint64_t root_pa, uint64_t va,
	    uint64_t pa, uint64_t size, unsigned prot);

/* Make sure the root entry covering @va points at a (possibly empty) table. */
int pgt_prealloc(const struct pgt_alloc *a, uint64_t root_pa, uint64_t va);

/*
 * Make sure tables exist down to @level (0: the table holding 4 KiB leaves)
 * for every page of [va, va + size).  Returns 0, -NH_EINVAL, -NH_ENOMEM.
 */
int pgt_prealloc_range(const struct pgt_alloc *a, uint64_t root_pa,
		       uint64_t va, uint64_t size);

/*
 * Remove the 4 KiB leaf mapping @va; its old PTE is returned (0 if none was
 * mapped, or if a larger leaf covers @va: those are never split here).
 * Tables are kept.  The caller flushes TLBs.
 */
pte_t pgt_unmap_page(const struct pgt_alloc *a, uint64_t root_pa, uint64_t va);

/* The leaf PTE mapping @va (0 if none); *level gets its level. */
pte_t pgt_lookup(const struct pgt_alloc *a, uint64_t root_pa, uint64_t va,
		 int *level);

#endif
