/*
 * Self-tests of boot and platform discovery: what the kernel learned from
 * the device tree is consistent with what it is running on, the kernel
 * map has the permissions memlayout.h promises, and the console and
 * formatting work.
 */
#include <stdint.h>

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"
#include "arch/riscv/pgtable.h"
#include "core/boot.h"
#include "dev/console.h"
#include "mm/kmap.h"
#include "debug/ktest.h"
#include "lib/cmdline.h"
#include "lib/asid.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

extern char _start[], _etext[], _rodata[], _data[], _end[];

static void *table_va(void *ctx, uint64_t pa)
{
	(void)ctx;
	/* Boot tables live in the image; others would be in the direct map. */
	if (pa >= boot_info.image_pa &&
	    pa < boot_info.image_pa + boot_info.image_size)
		return (void *)(pa - boot_info.image_pa + KERNEL_VA);
	return kmap_phys(pa);
}

static pte_t lookup(uint64_t va)
{
	const struct pgt_alloc a = { 0, table_va, 0 };
	int level;

	return pgt_lookup(&a, kmap_root(), va, &level);
}

KTEST(BOOT0001_boot_hart_is_usable)
{
	const struct platform *p = &boot_platform;
	bool found = false;

	for (unsigned i = 0; i < p->nharts; i++)
		found |= p->harts[i] == boot_info.boot_hart;
	KT_EXPECT(t, found);
	KT_EXPECT(t, p->nharts >= 1);
	for (unsigned i = 1; i < p->nharts; i++)
		KT_EXPECT(t, p->harts[i - 1] < p->harts[i]);
}

KTEST(BOOT0002_image_and_dtb_inside_ram_and_reserved)
{
	const struct platform *p = &boot_platform;
	bool in_ram = false, image_rsv = false, dtb_rsv = false;

	for (unsigned i = 0; i < p->nmem; i++) {
		in_ram |= boot_info.image_pa >= p->mem[i].base &&
			  boot_info.image_pa + boot_info.image_size <=
				  p->mem[i].base + p->mem[i].size;
	}
	for (unsigned i = 0; i < p->nrsv; i++) {
		image_rsv |= p->rsv[i].kind == PLAT_RSV_KERNEL &&
			     p->rsv[i].base == boot_info.image_pa;
		dtb_rsv |= p->rsv[i].kind == PLAT_RSV_DTB &&
			   p->rsv[i].base == boot_info.dtb_pa &&
			   p->rsv[i].size == p->dtb_size;
	}
	KT_EXPECT(t, in_ram);
	KT_EXPECT(t, image_rsv);
	KT_EXPECT(t, dtb_rsv);
	KT_EXPECT(t, (boot_info.image_pa & ((2u << 20) - 1)) == 0);
}

KTEST(BOOT0003_kernel_map_permissions)
{
	pte_t text = lookup((uint64_t)_start);
	pte_t ro = lookup((uint64_t)_rodata);
	pte_t data = lookup((uint64_t)_data);
	pte_t bss_end = lookup((uint64_t)_end - 1);

	KT_EXPECT(t, (text & (PTE_V | PTE_R | PTE_X)) == (PTE_V | PTE_R | PTE_X));
	KT_EXPECT(t, !(text & PTE_W));
	KT_EXPECT(t, (ro & (PTE_V | PTE_R)) == (PTE_V | PTE_R));
	KT_EXPECT(t, !(ro & (PTE_W | PTE_X)));
	KT_EXPECT(t, (data & (PTE_V | PTE_W | PTE_D)) == (PTE_V | PTE_W | PTE_D));
	KT_EXPECT(t, !(data & PTE_X));
	KT_EXPECT(t, (bss_end & PTE_W) && !(bss_end & PTE_X));
	KT_EXPECT(t, (text & PTE_A) && (ro & PTE_A) && (data & PTE_A));
	KT_EXPECT(t, !(text & PTE_U));
}

KTEST(BOOT0004_nothing_at_zero_and_no_text_alias)
{
	KT_EXPECT(t, lookup(0) == 0);
	KT_EXPECT(t, lookup(boot_info.dtb_pa) == 0);	/* identity map gone */
	/* The direct map leaves out the image: no writable alias of text. */
	KT_EXPECT(t, lookup(DIRECT_MAP + boot_info.image_pa) == 0);
}

KTEST(BOOT0005_direct_map_reaches_the_dtb)
{
	const uint8_t *h = kmap_phys(boot_info.dtb_pa);
	pte_t e = lookup((uint64_t)h);

	KT_EXPECT(t, (e & (PTE_V | PTE_R | PTE_W)) == (PTE_V | PTE_R | PTE_W));
	KT_EXPECT(t, !(e & PTE_X));
	KT_EXPECT(t, h[0] == 0xd0 && h[1] == 0x0d && h[2] == 0xfe && h[3] == 0xed);
	KT_EXPECT(t, kmap_to_phys(h) == boot_info.dtb_pa);
	KT_EXPECT(t, kmap_to_phys(_data) == boot_info.image_pa +
		     (uint64_t)(_data - _start));
}

KTEST(BOOT0006_console_on_the_dt_uart)
{
	if (!boot_platform.has_console) {
		KT_EXPECT(t, boot_info.console_err == -NH_ENODEV);
		return;
	}
	KT_EXPECT(t, boot_info.console_err == 0);
	KT_EXPECT(t, strncmp(console_backend(), "sbi", 3) != 0);
}

KTEST(BOOT0007_ioremap_rejects_bad_requests)
{
	KT_EXPECT(t, ioremap(0x10000000, 0) == 0);
	KT_EXPECT(t, ioremap(0x10000000, MMIO_SIZE) == 0);
	void *v = ioremap(boot_platform.console.base, 8);
	void *w = ioremap(boot_platform.console.base + 4, 4);
	KT_EXPECT(t, v != 0);
	KT_EXPECT(t, ((uint64_t)v & 0xfff) == (boot_platform.console.base & 0xfff));
	KT_EXPECT(t, w == (char *)v + 4);	/* mapped once, shared */
}

KTEST(BOOT0008_timer_runs)
{
	uint64_t a = arch_ticks();

	for (volatile int i = 0; i < 100000; i++)
		;
	KT_EXPECT(t, arch_ticks() > a);
	KT_EXPECT(t, boot_platform.timebase_hz > 0);
}

KTEST(LIB0001_fmt_formats)
{
	char b[64];

	KT_EXPECT(t, fmt_snprintf(b, sizeof(b), "%lx|%5d|%-3s|%c",
				  0xffffffff80000000ul, -42, "a", 'z') == 28);
	KT_EXPECT(t, strcmp(b, "ffffffff80000000|  -42|a  |z") == 0);
	KT_EXPECT(t, fmt_snprintf(b, 4, "%s", "truncated") == 9);
	KT_EXPECT(t, strcmp(b, "tru") == 0);
	KT_EXPECT(t, fmt_snprintf(b, sizeof(b), "%08x %#x %%", 0xbeef, 0) == 12);
	KT_EXPECT(t, strcmp(b, "0000beef 0 %") == 0);
}

KTEST(LIB0002_cmdline_words)
{
	char v[16];

	KT_EXPECT(t, cmdline_get("a=1 nuthatch.test=BOOT* b", "nuthatch.test",
				 v, sizeof(v)) && strcmp(v, "BOOT*") == 0);
	KT_EXPECT(t, cmdline_get("x  flag  ", "flag", v, sizeof(v)) && v[0] == 0);
	KT_EXPECT(t, !cmdline_get("flagger=1", "flag", v, sizeof(v)));
	KT_EXPECT(t, cmdline_glob("BOOT*", "BOOT0001_x"));
	KT_EXPECT(t, !cmdline_glob("BOOT?", "BOOT12"));
	KT_EXPECT(t, cmdline_glob("*map*", "BOOT0003_kernel_map_permissions"));
}

KTEST(BOOT0009_asid_bits_read_and_limited)
{
	struct asid_alloc a;
	uint64_t tag = 0;
	bool rolled;

	KT_EXPECT(t, boot_info.asid_bits_hw <= ASID_MAX_BITS);
	KT_EXPECT(t, boot_info.asid_bits <= boot_info.asid_bits_hw);
	KT_EXPECT(t, arch_asid_bits() == boot_info.asid_bits_hw);	/* repeatable */
	asid_init(&a, boot_info.asid_bits);
	KT_EXPECT(t, asid_get(&a, &tag, &rolled) == (boot_info.asid_bits ? 1u : 0u));
	ktest_diag(t, "%u ASID bits on this hart, %u in use",
		   boot_info.asid_bits_hw, boot_info.asid_bits);
}
