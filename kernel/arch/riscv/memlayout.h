/*
 * The kernel's virtual memory map (Sv39, upper half only; the lower half
 * belongs to user address spaces and is empty while the kernel runs alone).
 *
 *   0xffffffc000000000  direct map: physical address P at DIRECT_MAP + P,
 *                       for RAM only, never no-map ranges (128 GiB window)
 *   0xffffffe000000000  vmap area: per-task kernel stacks with guard pages
 *                       (8 GiB)
 *   0xfffffff000000000  MMIO window, handed out by ioremap() (1 GiB)
 *   0xffffffff80000000  the kernel image (text RX, rodata R, data+bss RW)
 *
 * Virtual 0 is never mapped.  The kernel half's top-level entries are
 * created once at boot (the vmap and MMIO windows get their second-level
 * tables then, even while empty), so every later address space can copy
 * root entries 256..511 and share the kernel map for good.
 */
#ifndef NUTHATCH_MEMLAYOUT_H
#define NUTHATCH_MEMLAYOUT_H

#define DIRECT_MAP	0xffffffc000000000ul
#define DIRECT_MAP_SIZE	0x0000002000000000ul
#define VMAP_BASE	0xffffffe000000000ul
#define VMAP_SIZE	0x0000000200000000ul	/* 8 GiB: 8 root entries */
#define MMIO_BASE	0xfffffff000000000ul
#define MMIO_SIZE	0x0000000040000000ul	/* 1 GiB: 1 root entry */
#define KERNEL_VA	0xffffffff80000000ul

#endif
