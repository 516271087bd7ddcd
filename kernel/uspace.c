/*
 * Simple user spaces (see uspace.h).  Tables come from the frame
 * allocator and are reached through the direct map.
 */
#include "uspace.h"

#include <nuthatch/errno.h>

#include "arch/riscv/pgtable.h"
#include "frame.h"
#include "kmap.h"
#include "lib/kstring.h"
#include "slab.h"
#include "arch/riscv/arch.h"
#include "uaccess.h"

#define KERNEL_HALF	(PT_ENTRIES / 2)

static struct slab_cache uspace_cache;

static uint64_t table_alloc(void *ctx)
{
	(void)ctx;
	return frame_alloc_zeroed();
}

static void *table_va(void *ctx, uint64_t pa)
{
	(void)ctx;
	return kmap_phys(pa);
}

static const struct pgt_alloc tables = { table_alloc, table_va, 0 };

struct uspace *uspace_create(int *err)
{
	struct uspace *u;
	uint64_t root;

	_Static_assert(sizeof(struct uspace) <= SLAB_MAX_OBJ, "one slab object");
	if (!uspace_cache.name)
		slab_cache_init(&uspace_cache, "uspace", sizeof(struct uspace));
	u = slab_alloc(&uspace_cache);
	root = u ? frame_alloc_zeroed() : 0;
	if (!root) {
		if (u)
			slab_free(&uspace_cache, u);
		*err = -NH_ENOMEM;
		return 0;
	}
	u->root_pa = root;
	u->refs = 1;
	u->lock = (struct spinlock)SPINLOCK_INIT("uspace: mappings", RANK_USPACE);
	/* The kernel half is shared: its root entries never change. */
	memcpy((pte_t *)kmap_phys(root) + KERNEL_HALF,
	       kmap_root_table() + KERNEL_HALF, KERNEL_HALF * sizeof(pte_t));
	return u;
}

static unsigned pgt_prot(unsigned prot)
{
	return PGT_U | (prot & USPACE_R ? PGT_R : 0) |
	       (prot & USPACE_W ? PGT_W : 0) | (prot & USPACE_X ? PGT_X : 0);
}

static int map_page(struct uspace *u, uint64_t va, unsigned prot,
		    const uint8_t *src, size_t len)
{
	uint64_t pa = frame_alloc_zeroed();
	int err;

	if (!pa)
		return -NH_ENOMEM;
	if (len)
		memcpy(kmap_phys(pa), src, len);
	err = pgt_map(&tables, u->root_pa, va, pa, PAGE_SIZE, pgt_prot(prot));
	if (err) {
		frame_put(pa);
		return err;
	}
	u->frames[u->nframes++] = pa;
	return 0;
}

/* uspace_map with the lock held. */
static int map_locked(struct uspace *u, uint64_t va, uint64_t size,
		      unsigned prot, const void *src, size_t len)
{
	if (u->nframes + size / PAGE_SIZE > USPACE_MAX_PAGES)
		return -NH_ENOSPC;
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		size_t n = len > off ? (len - off < PAGE_SIZE ? len - off : PAGE_SIZE) : 0;
		int err = map_page(u, va + off, prot, (const uint8_t *)src + off, n);

		if (err)
			return err;	/* what is mapped goes with the space */
		arch_tlb_flush_page(va + off);	/* an invalid entry may be cached */
	}
	return 0;
}

int uspace_map(struct uspace *u, uint64_t va, uint64_t size, unsigned prot,
	       const void *src, size_t len)
{
	irqflags_t f;
	int err;

	if ((va | size) & (PAGE_SIZE - 1) || !size || len > size ||
	    !uaccess_range_ok(va, size) || !(prot & (USPACE_R | USPACE_X)) ||
	    ((prot & USPACE_W) && (prot & USPACE_X)))
		return -NH_EINVAL;
	f = spin_lock_irqsave(&u->lock);
	err = map_locked(u, va, size, prot, src, len);
	spin_unlock_irqrestore(&u->lock, f);
	return err;
}

int uspace_write(struct uspace *u, uint64_t va, const void *src, size_t len)
{
	const uint8_t *from = src;

	while (len) {
		int level;
		pte_t pte = pgt_lookup(&tables, u->root_pa, va, &level);
		size_t in_page = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		size_t n = len < in_page ? len : in_page;

		if (!pte || level != 0)
			return -NH_EFAULT;
		memcpy((uint8_t *)kmap_phys(pte_pa(pte)) + (va & (PAGE_SIZE - 1)), from, n);
		va += n;
		from += n;
		len -= n;
	}
	return 0;
}

uint64_t uspace_brk(struct uspace *u, uint64_t end)
{
	uint64_t want = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), now;
	irqflags_t f = spin_lock_irqsave(&u->lock);
	unsigned before = u->nframes;
	int err = 0;

	if (!u->heap_mapped)
		u->heap_mapped = (u->brk_start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (end && end >= u->brk_start && end - u->brk_start <= USPACE_HEAP_MAX) {
		if (want > u->heap_mapped) {
			err = map_locked(u, u->heap_mapped, want - u->heap_mapped,
					 USPACE_R | USPACE_W, 0, 0);
			/* pages mapped stay mapped, also above a lowered brk */
			u->heap_mapped += (uint64_t)(u->nframes - before) * PAGE_SIZE;
		}
		if (!err)
			u->brk = end;
	}
	now = u->brk;
	spin_unlock_irqrestore(&u->lock, f);
	return now;
}

static void table_free(uint64_t pa)
{
	frame_put(pa);
}

void uspace_destroy(struct uspace *u)
{
	pgt_free_tables(&tables, u->root_pa, 0, KERNEL_HALF - 1, table_free);
	for (unsigned i = 0; i < u->nframes; i++)
		frame_put(u->frames[i]);
	frame_put(u->root_pa);
	slab_free(&uspace_cache, u);
}

void uspace_get(struct uspace *u)
{
	__atomic_fetch_add(&u->refs, 1, __ATOMIC_RELAXED);
}

void uspace_put(struct uspace *u)
{
	if (__atomic_sub_fetch(&u->refs, 1, __ATOMIC_ACQ_REL) == 0)
		uspace_destroy(u);
}
