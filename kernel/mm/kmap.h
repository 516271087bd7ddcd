/*
 * The kernel address space (see memlayout.h): the image mapped with
 * per-section permissions, the direct map of RAM, and the MMIO window.
 * kmap_init() builds it once on the boot hart and switches to it; after
 * that the kernel half never changes at the root level.
 */
#ifndef NUTHATCH_KMAP_H
#define NUTHATCH_KMAP_H

#include <stddef.h>
#include <stdint.h>

#include "arch/riscv/memlayout.h"
#include "lib/platform.h"

/*
 * Build the kernel map for @p (whose reserved ranges must already include
 * the image) and switch this hart to it.  Returns 0 or -NH_ENOMEM when
 * the boot table pool runs dry.
 */
int kmap_init(const struct platform *p, uint64_t image_pa);

/*
 * Map device registers [pa, pa + size) into the MMIO window, or return the
 * existing mapping when a previous ioremap covers the range.  Mappings are
 * permanent.  NULL for a size of 0 or when the window is full.
 */
void *ioremap(uint64_t pa, size_t size);

/*
 * After frame_init: take page-table pages from the frame allocator, and
 * create now every table the stack area will need, so mapping a stack
 * later never allocates (and never looks like a leak).
 */
int kmap_use_frames(uint64_t prealloc_va, uint64_t prealloc_size);

/*
 * Map @n frames at @va (4 KiB each, kernel RW, global) / unmap them.  The
 * tables must exist (kmap_use_frames).  Unmapping flushes this hart's TLB
 * for the range; other harts are the caller's business.
 */
int kmap_map_pages(uint64_t va, const uint64_t *frames, unsigned n);
void kmap_unmap_pages(uint64_t va, unsigned n);

/* Physical address P through the direct map (RAM outside no-map only). */
static inline void *kmap_phys(uint64_t pa)
{
	return (void *)(DIRECT_MAP + pa);
}

/* The physical address behind a direct-map or image address. */
uint64_t kmap_to_phys(const void *va);

/* The root table's physical address (for sharing the kernel half). */
uint64_t kmap_root(void);

/* The root table itself (its kernel-half entries are what every address
 * space shares). */
const uint64_t *kmap_root_table(void);

/* How many boot page-table pages the kernel map used. */
unsigned kmap_table_pages(void);

#endif
