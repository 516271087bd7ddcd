/*
 * Building the kernel address space.  Page-table pages come from a small
 * pool in bss (the frame allocator does not exist yet); they are reached
 * through the image mapping, which is valid under both the boot tables
 * and the final ones.  The direct map covers RAM minus no-map ranges and
 * minus the image itself, so no writable alias of kernel text exists.
 */
#include "mm/kmap.h"

#include <stdbool.h>

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"
#include "arch/riscv/pgtable.h"
#include "lib/kstring.h"
#include "mm/frame.h"
#include "core/printk.h"
#include "core/spinlock.h"

#define BOOT_PT_PAGES	64

extern char _start[], _etext[], _rodata[], _erodata[], _data[], _end[];

static uint8_t boot_pt_pool[BOOT_PT_PAGES][PAGE_SIZE]
	__attribute__((aligned(PAGE_SIZE)));
static unsigned boot_pt_used;	/* [kmap_lock] after boot */
static uint64_t image_offset;	/* [I] image VA minus PA */
static uint64_t root_pa;	/* [I] */
static uint64_t mmio_next = MMIO_BASE;	/* [kmap_lock] */
static struct spinlock kmap_lock = SPINLOCK_INIT("kmap: pool, mmio window", RANK_KMAP);

static uint64_t image_va_to_pa(const void *va)
{
	return (uint64_t)va - image_offset;
}

static bool use_frames;		/* [I] after kmap_use_frames */

static uint64_t pool_alloc(void *ctx)
{
	(void)ctx;
	if (use_frames)
		return frame_alloc_zeroed();
	if (boot_pt_used == BOOT_PT_PAGES)
		return 0;
	return image_va_to_pa(boot_pt_pool[boot_pt_used++]);	/* zero: bss */
}

/* Boot-pool tables are in the image; frame tables in the direct map. */
static void *pool_va(void *ctx, uint64_t pa)
{
	(void)ctx;
	if (pa >= (uint64_t)_start - image_offset &&
	    pa < (uint64_t)_end - image_offset)
		return (void *)(pa + image_offset);
	return kmap_phys(pa);
}

static const struct pgt_alloc pool = { pool_alloc, pool_va, 0 };

uint64_t kmap_to_phys(const void *va)
{
	uint64_t v = (uint64_t)va;

	if (v >= KERNEL_VA)
		return image_va_to_pa(va);
	return v - DIRECT_MAP;
}

uint64_t kmap_root(void)
{
	return root_pa;
}

const uint64_t *kmap_root_table(void)
{
	return pool_va(0, root_pa);
}

unsigned kmap_table_pages(void)
{
	return boot_pt_used;
}

static int map_image_part(const char *from, const char *to, unsigned prot)
{
	uint64_t size = (uint64_t)(to - from);

	size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	return pgt_map(&pool, root_pa, (uint64_t)from, image_va_to_pa(from),
		       size, prot | PGT_GLOBAL);
}

static int map_image(void)
{
	int err = map_image_part(_start, _rodata, PGT_R | PGT_X);

	if (!err)
		err = map_image_part(_rodata, _data, PGT_R);
	if (!err)
		err = map_image_part(_data, _end, PGT_R | PGT_W);
	return err;
}

static int map_direct(uint64_t base, uint64_t end)
{
	base = (base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	end &= ~(PAGE_SIZE - 1);
	if (end <= base)
		return 0;
	if (end > DIRECT_MAP_SIZE) {
		kprintf("kmap: RAM 0x%lx-0x%lx beyond the direct map, skipped\n",
			base, end);
		return 0;
	}
	return pgt_map(&pool, root_pa, DIRECT_MAP + base, base, end - base,
		       PGT_R | PGT_W | PGT_GLOBAL);
}

static bool excluded(const struct plat_rsv *r)
{
	return r->nomap || r->kind == PLAT_RSV_KERNEL;
}

/*
 * Map one RAM range minus the excluded reserved ranges (rsv[] is sorted),
 * starting no lower than @floor (where the previous range ended: the DT
 * may list overlapping ranges).
 */
static int map_ram_range(const struct platform *p, const struct plat_range *m,
			 uint64_t floor)
{
	uint64_t cur = m->base > floor ? m->base : floor, end = m->base + m->size;

	for (unsigned i = 0; i < p->nrsv; i++) {
		const struct plat_rsv *r = &p->rsv[i];
		uint64_t rb = r->base & ~(PAGE_SIZE - 1);
		uint64_t re = (r->base + r->size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

		if (!excluded(r) || re <= cur || rb >= end)
			continue;
		if (rb > cur) {
			int err = map_direct(cur, rb);

			if (err)
				return err;
		}
		cur = re;
	}
	return cur < end ? map_direct(cur, end) : 0;
}

static int prealloc_windows(void)
{
	int err = 0;

	for (uint64_t va = VMAP_BASE; !err && va < VMAP_BASE + VMAP_SIZE;
	     va += LEVEL_SIZE(2))
		err = pgt_prealloc(&pool, root_pa, va);
	if (!err)
		err = pgt_prealloc(&pool, root_pa, MMIO_BASE);
	return err;
}

int kmap_init(const struct platform *p, uint64_t image_pa)
{
	uint64_t floor = 0;
	int err;

	image_offset = KERNEL_VA - image_pa;
	root_pa = pool_alloc(0);
	err = map_image();
	for (unsigned i = 0; !err && i < p->nmem; i++) {
		err = map_ram_range(p, &p->mem[i], floor);
		if (p->mem[i].base + p->mem[i].size > floor)
			floor = p->mem[i].base + p->mem[i].size;
	}
	if (!err)
		err = prealloc_windows();
	if (err)
		return err;
	arch_switch_root(root_pa);
	return 0;
}

#define IOMAPS	32
static struct iomap {
	uint64_t pa, len, va;
} iomaps[IOMAPS];			/* [kmap_lock] */
static unsigned niomaps;		/* [kmap_lock] */

/* An existing mapping covering [pa, pa + size), or 0. */
static uint64_t iomap_find(uint64_t pa, uint64_t size)
{
	for (unsigned i = 0; i < niomaps; i++) {
		const struct iomap *m = &iomaps[i];

		if (pa >= m->pa && pa - m->pa + size <= m->len)
			return m->va + (pa - m->pa);
	}
	return 0;
}

void *ioremap(uint64_t pa, size_t size)
{
	uint64_t hit;
	uint64_t off = pa & (PAGE_SIZE - 1);
	uint64_t len = (off + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	irqflags_t f = spin_lock_irqsave(&kmap_lock);
	uint64_t va = mmio_next;
	int err = -NH_ENOSPC;

	hit = size && size <= MMIO_SIZE ? iomap_find(pa, size) : 0;
	if (hit) {	/* the device is mapped already: share it */
		spin_unlock_irqrestore(&kmap_lock, f);
		return (void *)hit;
	}
	if (len >= LEVEL_SIZE(1)) {	/* same offset in a 2 MiB page: big leaves */
		uint64_t mask = LEVEL_SIZE(1) - 1;

		va = ((va + mask) & ~mask) + ((pa - off) & mask);
	}
	if (root_pa && size && va <= MMIO_BASE + MMIO_SIZE &&
	    len <= MMIO_BASE + MMIO_SIZE - va)
		err = pgt_map(&pool, root_pa, va, pa - off, len,
			      PGT_R | PGT_W | PGT_GLOBAL);
	if (!err) {
		mmio_next = va + len;
		if (niomaps < IOMAPS)
			iomaps[niomaps++] = (struct iomap){ pa - off, len, va };
		arch_tlb_flush_local();	/* an invalid entry may be cached */
	}
	spin_unlock_irqrestore(&kmap_lock, f);
	if (err)
		return 0;
	return (void *)(va + off);
}

int kmap_use_frames(uint64_t prealloc_va, uint64_t prealloc_size)
{
	irqflags_t f = spin_lock_irqsave(&kmap_lock);
	int err;

	use_frames = true;
	err = pgt_prealloc_range(&pool, root_pa, prealloc_va, prealloc_size);
	spin_unlock_irqrestore(&kmap_lock, f);
	return err;
}

int kmap_map_pages(uint64_t va, const uint64_t *frames, unsigned n)
{
	irqflags_t f = spin_lock_irqsave(&kmap_lock);
	int err = 0;

	for (unsigned i = 0; i < n && !err; i++)
		err = pgt_map(&pool, root_pa, va + i * PAGE_SIZE, frames[i],
			      PAGE_SIZE, PGT_R | PGT_W | PGT_GLOBAL);
	spin_unlock_irqrestore(&kmap_lock, f);
	return err;
}

void kmap_unmap_pages(uint64_t va, unsigned n)
{
	irqflags_t f = spin_lock_irqsave(&kmap_lock);

	for (unsigned i = 0; i < n; i++) {
		pgt_unmap_page(&pool, root_pa, va + i * PAGE_SIZE);
		arch_tlb_flush_page(va + i * PAGE_SIZE);
	}
	spin_unlock_irqrestore(&kmap_lock, f);
}
