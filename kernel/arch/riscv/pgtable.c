/*
 * Sv39 page-table construction: walk, allocate intermediate tables, and
 * install leaves with A (and D when writable) already set.
 */
#include "arch/riscv/pgtable.h"

#include <stdbool.h>

#include <nuthatch/errno.h>

static bool va_canonical(uint64_t va)
{
	uint64_t top = va >> 38;

	return top == 0 || top == (1ul << 26) - 1;
}

/* The slot for @va at @level, creating tables above it as needed. */
static int walk_create(const struct pgt_alloc *a, uint64_t root_pa,
		       uint64_t va, int level, pte_t **slot)
{
	pte_t *t = a->va(a->ctx, root_pa);

	for (int l = PT_LEVELS - 1; l > level; l--) {
		pte_t *e = &t[PT_INDEX(va, l)];

		if (!(*e & PTE_V)) {
			uint64_t pa = a->alloc(a->ctx);

			if (!pa)
				return -NH_ENOMEM;
			*e = pte_make(pa, PTE_V);
		} else if (pte_is_leaf(*e)) {
			return -NH_EEXIST;
		}
		t = a->va(a->ctx, pte_pa(*e));
	}
	*slot = &t[PT_INDEX(va, level)];
	return 0;
}

static int best_level(uint64_t va, uint64_t pa, uint64_t size)
{
	for (int l = PT_LEVELS - 1; l > 0; l--) {
		uint64_t s = LEVEL_SIZE(l);

		if (((va | pa) & (s - 1)) == 0 && size >= s)
			return l;
	}
	return 0;
}

int pgt_map(const struct pgt_alloc *a, uint64_t root_pa, uint64_t va,
	    uint64_t pa, uint64_t size, unsigned prot)
{
	if (((va | pa | size) & (PAGE_SIZE - 1)) || !va_canonical(va) ||
	    !va_canonical(va + size - 1) || !(prot & (PGT_R | PGT_W | PGT_X)))
		return -NH_EINVAL;
	while (size) {
		int l = best_level(va, pa, size);
		pte_t *slot;
		int err = walk_create(a, root_pa, va, l, &slot);

		if (err)
			return err;
		if (*slot & PTE_V)
			return -NH_EEXIST;
		*slot = pte_make(pa, pgt_leaf_flags(prot));
		va += LEVEL_SIZE(l);
		pa += LEVEL_SIZE(l);
		size -= LEVEL_SIZE(l);
	}
	return 0;
}

int pgt_prealloc(const struct pgt_alloc *a, uint64_t root_pa, uint64_t va)
{
	pte_t *slot;

	if (!va_canonical(va))
		return -NH_EINVAL;
	return walk_create(a, root_pa, va, PT_LEVELS - 2, &slot);
}

pte_t pgt_lookup(const struct pgt_alloc *a, uint64_t root_pa, uint64_t va,
		 int *level)
{
	pte_t *t = a->va(a->ctx, root_pa);

	for (int l = PT_LEVELS - 1; l >= 0; l--) {
		pte_t e = t[PT_INDEX(va, l)];

		if (!(e & PTE_V))
			return 0;
		if (pte_is_leaf(e)) {
			*level = l;
			return e;
		}
		t = a->va(a->ctx, pte_pa(e));
	}
	return 0;
}

int pgt_prealloc_range(const struct pgt_alloc *a, uint64_t root_pa,
		       uint64_t va, uint64_t size)
{
	uint64_t end = va + size;
	pte_t *slot;

	if ((va & (PAGE_SIZE - 1)) || !va_canonical(va) || end < va)
		return -NH_EINVAL;
	for (; va < end; va += LEVEL_SIZE(1)) {
		int err = walk_create(a, root_pa, va, 0, &slot);

		if (err)
			return err;
	}
	return 0;
}

pte_t pgt_unmap_page(const struct pgt_alloc *a, uint64_t root_pa, uint64_t va)
{
	pte_t *t = a->va(a->ctx, root_pa), old;

	for (int l = PT_LEVELS - 1; l > 0; l--) {
		pte_t e = t[PT_INDEX(va, l)];

		if (!(e & PTE_V) || pte_is_leaf(e))
			return 0;
		t = a->va(a->ctx, pte_pa(e));
	}
	old = t[PT_INDEX(va, 0)];
	t[PT_INDEX(va, 0)] = 0;
	return old;
}
