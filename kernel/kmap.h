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

#include "memlayout.h"
#include "platform.h"

/*
 * Build the kernel map for @p (whose reserved ranges must already include
 * the image) and switch this hart to it.  Returns 0 or -NH_ENOMEM when
 * the boot table pool runs dry.
 */
int kmap_init(const struct platform *p, uint64_t image_pa);

/* Map device registers [pa, pa + size) uncached into the MMIO window. */
void *ioremap(uint64_t pa, size_t size);

/* Physical address P through the direct map (RAM outside no-map only). */
static inline void *kmap_phys(uint64_t pa)
{
	return (void *)(DIRECT_MAP + pa);
}

/* The physical address behind a direct-map or image address. */
uint64_t kmap_to_phys(const void *va);

/* The root table's physical address (for sharing the kernel half). */
uint64_t kmap_root(void);

/* How many boot page-table pages the kernel map used. */
unsigned kmap_table_pages(void);

#endif
