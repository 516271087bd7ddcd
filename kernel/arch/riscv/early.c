/*
 * Boot page tables, built before the MMU is on.
 *
 * Runs at whatever physical address the loader chose, so it may only use
 * PC-relative addressing: no pointers stored in data, no jump tables (the
 * file is built with -fno-jump-tables), no calls outside this file.
 * It maps three things and nothing else:
 *   - the image's own gigapages, identity mapped, so the instructions
 *     after the satp write still fetch;
 *   - the device tree's gigapages, identity mapped, so kmain can parse it
 *     before the final kernel map exists;
 *   - the image at KERNEL_VA in 2 MiB pages (so the load address need only
 *     be 2 MiB aligned, as the Image format requires on RV64).
 * kmain replaces these tables with the real kernel map (kernel/kmap.c).
 */
#include <stdint.h>

#include "arch/riscv/pte.h"
#include "arch/riscv/memlayout.h"

#define GIGA	LEVEL_SIZE(2)
#define MEGA	LEVEL_SIZE(1)
#define SV39_LOW_LIMIT	(1ul << 38)	/* identity VAs must stay below */
#define EARLY_FLAGS	(PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

struct early_result {
	uint64_t satp;		/* 0 on failure */
	uint64_t offset;	/* virtual minus physical for the image */
};

extern char _start[], _end[];

static pte_t early_root[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static pte_t early_image_l1[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));

static void early_puts(const char *s)
{
	while (*s) {
		register uint64_t a0 __asm__("a0") = (unsigned char)*s++;
		register uint64_t a7 __asm__("a7") = 1;	/* legacy putchar */
		__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "a1", "memory");
	}
}

static int early_identity(uint64_t pa, uint64_t size)
{
	uint64_t end = pa + size;

	if (end < pa || end > SV39_LOW_LIMIT)
		return -1;
	for (uint64_t g = pa & ~(GIGA - 1); g < end; g += GIGA)
		early_root[PT_INDEX(g, 2)] = pte_make(g, EARLY_FLAGS);
	return 0;
}

static uint32_t early_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t early_dtb_size(uint64_t dtb_pa)
{
	const uint8_t *h = (const uint8_t *)dtb_pa;

	if (dtb_pa == 0 || (dtb_pa & 7) || early_be32(h) != 0xd00dfeed)
		return 0;
	return early_be32(h + 4);
}

struct early_result early_mmu_setup(uint64_t dtb_pa, uint64_t load_pa)
{
	struct early_result r = { 0, KERNEL_VA - load_pa };
	uint64_t size = (uint64_t)(_end - _start);
	uint64_t dtb_size = early_dtb_size(dtb_pa);

	if (load_pa & (MEGA - 1)) {
		early_puts("nuthatch: image not 2 MiB aligned, halting\n");
		return r;
	}
	if (dtb_size == 0 || early_identity(dtb_pa, dtb_size) ||
	    early_identity(load_pa, size)) {
		early_puts("nuthatch: no usable device tree in a1, halting\n");
		return r;
	}
	early_root[PT_INDEX(KERNEL_VA, 2)] =
		pte_make((uint64_t)early_image_l1, PTE_V);
	for (uint64_t off = 0; off < size; off += MEGA)
		early_image_l1[PT_INDEX(KERNEL_VA + off, 1)] =
			pte_make(load_pa + off, EARLY_FLAGS | PTE_G);
	r.satp = SATP_MODE_SV39 | SATP_PPN((uint64_t)early_root);
	return r;
}
