/*
 * Platform facts, as read from the flattened device tree.
 *
 * The device tree handed over by the firmware in a1 is the only source of
 * truth for memory, harts, the console UART, the PLIC, the timebase and the
 * power-off device.  platform_parse() reads all of them into one plain
 * struct platform, so the rest of the kernel never walks the tree.
 *
 * The same source builds into the kernel and into the host tools
 * (build/host/dtinfo, the unit tests, the fuzzer): it is freestanding C,
 * uses no libc and allocates nothing.
 *
 * Guarantees (see docs/DESIGN.md, "The device-tree parser"):
 *  - platform_parse() never reads outside [blob, blob + avail), whatever
 *    the bytes are, and never recurses without bound.
 *  - It returns 0 and a fully filled struct, or a negative NH_E* code and
 *    a struct that must not be used.
 *  - Arrays are sorted: mem[] and rsv[] by base, harts[] ascending.
 *  - Strings in the struct are NUL-terminated copies (truncated to fit).
 *
 * Rules for trees that are well-formed but odd (kernel/fdt.h lists what
 * makes a blob structurally invalid; tests/host/ref_platform.c applies the
 * same rules through libfdt):
 *  - A string property is the bytes up to its first NUL; one without any
 *    NUL is treated as absent.  A stringlist's entries are its
 *    NUL-terminated strings; trailing bytes without a NUL are no entry.
 *  - status: absent, "okay" or "ok" is enabled; anything else, including
 *    a malformed value, is disabled.
 *  - A number property (reg-shift, reg-io-width, clock-frequency,
 *    riscv,ndev, #address-cells, #size-cells, phandle) counts only if it
 *    is exactly 4 bytes, else the default applies (0, 1, 0, 0, 2, 1, none).
 *    timebase-frequency and linux,initrd-start/-end take 4 or 8 bytes.
 *  - reg is decoded with the parent's #address-cells (must be 1 or 2) and
 *    #size-cells (0 to 2); other cell counts make the reg unusable (as if
 *    absent).  Entries are complete (address, size) tuples; a partial
 *    trailing entry is ignored.  Ranges of size 0 or whose end passes
 *    2^64 are dropped (memory, memreserve, reserved-memory, initrd, dtb).
 *  - Address translation maps only the base through each ancestor bus's
 *    ranges (first matching entry; empty ranges = identity); a bus with
 *    no ranges, no matching entry, bad cell counts or an overflowing
 *    result makes the node untranslatable (skipped).
 *  - memory: children of the root with device_type "memory", enabled,
 *    every reg entry.  Sorted by (base, size); overlaps are kept.
 *  - timebase: /cpus timebase-frequency, else the first child of /cpus
 *    with device_type "cpu" that has one (any status); 0 counts as absent.
 *  - harts: children of /cpus with device_type "cpu", enabled, mmu-type
 *    riscv,sv39/sv48/sv57, first reg address < 2^32 (with /cpus's
 *    cells).  A hart id seen twice is recorded once.
 *  - reserved: memreserve entries (the map ends at the first entry of size
 *    0), every reg entry of each enabled /reserved-memory child (its cells
 *    from /reserved-memory, no translation; children without reg are
 *    skipped), the blob, the initrd.  Sorted by (base, size, kind, nomap,
 *    name).
 *  - initrd: both properties valid and end > start, else no initrd.
 *  - console: stdout-path, else linux,stdout-path; the text before the
 *    first ':' is an absolute path or else the name of an /aliases
 *    property whose value is an absolute path; baud = the leading decimal
 *    digits after ':' (0 if none or > 2^32 - 1).  The node must be
 *    enabled, have a supported compatible entry (first one wins) and a
 *    translatable first reg entry; otherwise, the first node in tree order
 *    that satisfies those is the console, with baud 0.  irq = the first
 *    cell of interrupts (0 if shorter than 4 bytes).
 *  - PLIC and test device: the first node in tree order that is enabled,
 *    compatible and has a translatable reg.  interrupts-extended is read
 *    as (phandle, irq) pairs, odd trailing cell ignored; a pair counts
 *    when irq == 9 and the phandle (0 and ~0 never match; the first node
 *    with that "phandle", else "linux,phandle") is a node whose parent has
 *    device_type "cpu" and a valid hart id.  Sorted by (hartid, ctx).
 *  - devices: every enabled node, in tree order, whose first compatible
 *    entry is a non-empty string and whose first reg entry translates;
 *    irq = the first cell of interrupts (0 if shorter than 4 bytes).  The
 *    first PLAT_MAX_DEVS are kept, the rest only counted (not an error:
 *    a big SoC tree must still boot).
 *  - Any other table overflow gives -NH_ENOSPC; then, missing memory, usable
 *    hart or timebase gives -NH_ENOENT.
 */
#ifndef NUTHATCH_PLATFORM_H
#define NUTHATCH_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLAT_MAX_MEM	16	/* memory ranges */
#define PLAT_MAX_RSV	32	/* reserved ranges, all sources together */
#define PLAT_MAX_HARTS	64	/* usable harts */
#define PLAT_MAX_CTX	64	/* PLIC S-mode contexts */
#define PLAT_MAX_DEVS	64	/* devices recorded for device_open */
#define PLAT_STR	64	/* model, compatible, names */
#define PLAT_ARGS	512	/* bootargs */

/* Where a reserved range came from. */
enum plat_rsv_kind {
	PLAT_RSV_MEMRESERVE,	/* the FDT header's memory reservation block */
	PLAT_RSV_NODE,		/* a /reserved-memory child with a reg */
	PLAT_RSV_DTB,		/* the device tree blob itself */
	PLAT_RSV_INITRD,	/* /chosen linux,initrd-start .. -end */
	PLAT_RSV_KERNEL,	/* the kernel image (added by the caller) */
};

struct plat_range {
	uint64_t base;
	uint64_t size;
};

struct plat_rsv {
	uint64_t base;
	uint64_t size;
	enum plat_rsv_kind kind;
	bool nomap;		/* "no-map": never map it, not even directly */
	char name[PLAT_STR];	/* node name, or "memreserve", "dtb"... */
};

/* Console UART drivers the kernel knows, chosen by DT compatible. */
enum plat_uart_kind {
	PLAT_UART_NONE,
	PLAT_UART_NS16550A,	/* "ns16550a" (QEMU virt) */
	PLAT_UART_DW_APB,	/* "snps,dw-apb-uart" (JH7110) */
	PLAT_UART_SIFIVE,	/* "sifive,uart0" (QEMU sifive_u) */
};

struct plat_uart {
	enum plat_uart_kind kind;
	char compatible[PLAT_STR];	/* the compatible entry matched */
	uint64_t base;			/* CPU physical address */
	uint64_t size;
	uint32_t reg_shift;		/* "reg-shift", default 0 */
	uint32_t reg_io_width;		/* "reg-io-width", default 1 */
	uint32_t irq;			/* first "interrupts" cell, 0 if none */
	uint32_t clock_hz;		/* "clock-frequency", 0 if none */
	uint32_t baud;			/* from stdout-path options, 0 if none */
};

/* One PLIC context that delivers supervisor external interrupts. */
struct plat_plic_ctx {
	uint32_t hartid;
	uint32_t ctx;		/* index in interrupts-extended = context id */
};

struct plat_plic {
	bool present;
	uint64_t base;
	uint64_t size;
	uint32_t ndev;		/* "riscv,ndev" */
	unsigned nctx;		/* S-mode contexts, sorted by hartid */
	struct plat_plic_ctx sctx[PLAT_MAX_CTX];
};

/* A device node user drivers may ask for (device_open). */
struct plat_device {
	char compatible[PLAT_STR];	/* first compatible entry */
	uint64_t base;			/* first reg entry, CPU physical */
	uint64_t size;
	uint32_t irq;			/* first "interrupts" cell, 0 if none */
};

struct platform {
	char model[PLAT_STR];		/* /model, "" if absent */
	uint64_t timebase_hz;		/* /cpus timebase-frequency */

	unsigned nmem;
	struct plat_range mem[PLAT_MAX_MEM];

	unsigned nrsv;
	struct plat_rsv rsv[PLAT_MAX_RSV];

	/* Harts that are enabled and have an mmu-type of sv39 or wider. */
	unsigned nharts;
	uint32_t harts[PLAT_MAX_HARTS];

	char bootargs[PLAT_ARGS];	/* /chosen bootargs, "" if absent */
	bool has_initrd;
	uint64_t initrd_start, initrd_end;

	bool has_console;
	struct plat_uart console;	/* from /chosen stdout-path */

	struct plat_plic plic;

	bool has_test;			/* a "sifive,test0" device */
	uint64_t test_base;

	uint64_t dtb_size;		/* header totalsize */

	/* Devices in tree order (see "devices" above); ndevs_dropped counts
	 * those past the table, which are not an error. */
	unsigned ndevs, ndevs_dropped;
	struct plat_device devs[PLAT_MAX_DEVS];
};

/*
 * Parse the blob at @blob, of which at most @avail bytes may be read.
 * @blob_pa is the blob's physical address, used only to record it as
 * reserved (the host tools pass 0 and get a reservation at 0).
 * Returns 0, or -NH_EBADMSG for a blob that cannot be trusted,
 * -NH_ENOSPC when a fixed-size table overflows, -NH_ENOENT when a
 * mandatory fact (memory, a usable hart, timebase) is missing.
 */
int platform_parse(struct platform *p, const void *blob, size_t avail,
		   uint64_t blob_pa);

/*
 * Record [base, base + size) as reserved, keeping rsv[] sorted.
 * An empty range, or one whose end passes 2^64, is ignored (returns 0).
 * Returns 0 or -NH_ENOSPC.
 */
int platform_reserve(struct platform *p, uint64_t base, uint64_t size,
		     enum plat_rsv_kind kind, bool nomap, const char *name);

/*
 * Print the platform summary, one line per call of @line (without the
 * trailing newline).  The first lines are exactly:
 *   platform: <model> timebase <Hz>
 *   memory: 0x<start>-0x<end> (<N> MiB)    one per range; end exclusive
 *   harts: <usable hart ids, ascending, single spaces>
 *   console: <compatible> @ 0x<addr> shift <reg-shift> width <reg-io-width>
 * ("console: none" without one), followed by, in this order:
 *   reserved: 0x<start>-0x<end> <name>[ no-map]   one per range
 *   uart: irq <n> clock <Hz> baud <n>              if there is a console
 *   plic: 0x<base> ndev <n> contexts <hart>:<ctx>...   if present
 *   test: 0x<base>                                 if present
 *   bootargs: <text>                               if not empty
 *   initrd: 0x<start>-0x<end>                      if present
 */
void platform_print(const struct platform *p,
		    void (*line)(void *ctx, const char *text), void *ctx);

#endif
