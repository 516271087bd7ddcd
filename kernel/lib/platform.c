/*
 * platform_parse(): the platform facts the kernel needs, read once from
 * the device tree through the checked reader in fdt.c.  Each fact has one
 * small collector (memory, harts, reserved ranges, /chosen, console, PLIC,
 * test device); the rules they apply to malformed-but-well-formed trees
 * are listed in platform.h.  platform_print() formats the result with
 * fmt_snprintf so the kernel and the host tools print the same bytes.
 */
#include "lib/platform.h"

#include "lib/fdt.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include <nuthatch/errno.h>
#include <stdarg.h>

#define U32_MAX	0xffffffffu
#define U64_MAX	0xffffffffffffffffull
#define IRQ_S_EXT	9u

/* A bus's #address-cells and #size-cells. */
struct cells {
	uint32_t ac, sc;
};

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool str_is(const struct fdt *f, int node, const char *prop,
		   const char *want)
{
	const char *s = fdt_prop_str(f, node, prop);

	return s && strcmp(s, want) == 0;
}

/* status absent, "okay" or "ok"; a malformed status is not okay. */
static bool node_enabled(const struct fdt *f, int node)
{
	uint32_t len;
	const char *s;

	if (!fdt_prop(f, node, "status", &len))
		return true;
	s = fdt_prop_str(f, node, "status");
	return s && (strcmp(s, "okay") == 0 || strcmp(s, "ok") == 0);
}

static bool is_compatible(const struct fdt *f, int node, const char *c)
{
	uint32_t len;
	const void *v = fdt_prop(f, node, "compatible", &len);

	return v && fdt_strlist_has(v, len, c);
}

static struct cells bus_cells(const struct fdt *f, int bus)
{
	struct cells c = { 2, 1 };

	fdt_prop_u32(f, bus, "#address-cells", &c.ac);
	fdt_prop_u32(f, bus, "#size-cells", &c.sc);
	return c;
}

static bool cells_ok(struct cells c)
{
	return c.ac >= 1 && c.ac <= 2 && c.sc <= 2;
}

/* Entry @i of @node's reg, decoded with its bus's cells @c. */
static bool reg_get(const struct fdt *f, int node, struct cells c,
		    uint32_t i, uint64_t *base, uint64_t *size)
{
	uint32_t len, esz = 4 * (c.ac + c.sc);
	const uint8_t *v = fdt_prop(f, node, "reg", &len);

	if (!v || !cells_ok(c) || i >= len / esz)
		return false;
	v += (size_t)i * esz;
	*base = fdt_cells(v, c.ac);
	*size = fdt_cells(v + 4 * c.ac, c.sc);
	return true;
}

/* Keep [base, base + size) only if non-empty and below 2^64. */
static bool range_ok(uint64_t base, uint64_t size)
{
	return size != 0 && size <= U64_MAX - base;
}

/* Map @addr through @bus's ranges into @up's address space. */
static bool translate_one(const struct fdt *f, int bus, int up,
			  uint64_t *addr)
{
	struct cells cc = bus_cells(f, bus), pc = bus_cells(f, up);
	uint32_t len, esz;
	const uint8_t *r = fdt_prop(f, bus, "ranges", &len);

	if (!r)
		return false;
	if (len == 0)
		return true;
	if (!cells_ok(cc) || cc.sc == 0 || !cells_ok(pc))
		return false;
	esz = 4 * (cc.ac + pc.ac + cc.sc);
	for (uint32_t i = 0; i < len / esz; i++, r += esz) {
		uint64_t cb = fdt_cells(r, cc.ac);
		uint64_t pb = fdt_cells(r + 4 * cc.ac, pc.ac);
		uint64_t sz = fdt_cells(r + 4 * (cc.ac + pc.ac), cc.sc);

		if (*addr >= cb && *addr - cb < sz) {
			if (*addr - cb > U64_MAX - pb)
				return false;
			*addr = pb + (*addr - cb);
			return true;
		}
	}
	return false;
}

/*
 * First reg entry of @node as a CPU physical address: decoded with the
 * parent's cells, then mapped through every ancestor bus's ranges.
 */
static bool reg_cpu(const struct fdt *f, int node, uint64_t *base,
		    uint64_t *size)
{
	int chain[FDT_MAX_DEPTH];
	int n = fdt_lineage(f, node, chain, FDT_MAX_DEPTH);

	if (n < 2 || !reg_get(f, node, bus_cells(f, chain[n - 2]), 0,
			      base, size))
		return false;
	for (int i = n - 2; i >= 1; i--)
		if (!translate_one(f, chain[i], chain[i - 1], base))
			return false;
	return true;
}

static int add_mem(struct platform *p, uint64_t base, uint64_t size)
{
	unsigned i;

	if (!range_ok(base, size))
		return 0;
	if (p->nmem == PLAT_MAX_MEM)
		return -NH_ENOSPC;
	for (i = p->nmem; i > 0; i--) {
		const struct plat_range *r = &p->mem[i - 1];

		if (r->base < base || (r->base == base && r->size <= size))
			break;
		p->mem[i] = *r;
	}
	p->mem[i] = (struct plat_range){ base, size };
	p->nmem++;
	return 0;
}

static int parse_memory(const struct fdt *f, struct platform *p)
{
	struct cells c = bus_cells(f, 0);
	uint64_t base, size;
	int err = 0;

	for (int n = fdt_first_child(f, 0); n >= 0 && !err;
	     n = fdt_next_sibling(f, n)) {
		if (!str_is(f, n, "device_type", "memory") ||
		    !node_enabled(f, n))
			continue;
		for (uint32_t i = 0; !err && reg_get(f, n, c, i, &base, &size);
		     i++)
			err = add_mem(p, base, size);
	}
	return err;
}

static bool mmu_ok(const struct fdt *f, int cpu)
{
	return str_is(f, cpu, "mmu-type", "riscv,sv39") ||
	       str_is(f, cpu, "mmu-type", "riscv,sv48") ||
	       str_is(f, cpu, "mmu-type", "riscv,sv57");
}

/* Hart id of @cpu: first reg address (parent @cpus's cells), < 2^32. */
static bool cpu_hartid(const struct fdt *f, int cpus, int cpu, uint32_t *id)
{
	uint64_t a, s;

	if (!reg_get(f, cpu, bus_cells(f, cpus), 0, &a, &s) || a > U32_MAX)
		return false;
	*id = (uint32_t)a;
	return true;
}

static int add_hart(struct platform *p, uint32_t id)
{
	unsigned i;

	for (i = 0; i < p->nharts; i++)
		if (p->harts[i] == id)
			return 0;
	if (p->nharts == PLAT_MAX_HARTS)
		return -NH_ENOSPC;
	for (i = p->nharts; i > 0 && p->harts[i - 1] > id; i--)
		p->harts[i] = p->harts[i - 1];
	p->harts[i] = id;
	p->nharts++;
	return 0;
}

static int parse_harts(const struct fdt *f, struct platform *p, int cpus)
{
	uint32_t id;
	int err = 0;

	for (int n = fdt_first_child(f, cpus); n >= 0 && !err;
	     n = fdt_next_sibling(f, n)) {
		if (str_is(f, n, "device_type", "cpu") && node_enabled(f, n) &&
		    mmu_ok(f, n) && cpu_hartid(f, cpus, n, &id))
			err = add_hart(p, id);
	}
	return err;
}

static void parse_timebase(const struct fdt *f, struct platform *p, int cpus)
{
	uint64_t hz = 0;

	if (fdt_prop_u64(f, cpus, "timebase-frequency", &hz) && hz)
		goto found;
	for (int n = fdt_first_child(f, cpus); n >= 0;
	     n = fdt_next_sibling(f, n)) {
		if (str_is(f, n, "device_type", "cpu") &&
		    fdt_prop_u64(f, n, "timebase-frequency", &hz) && hz)
			goto found;
	}
	return;
found:
	p->timebase_hz = hz;
}

static bool rsv_before(const struct plat_rsv *a, const struct plat_rsv *b)
{
	if (a->base != b->base)
		return a->base < b->base;
	if (a->size != b->size)
		return a->size < b->size;
	if (a->kind != b->kind)
		return a->kind < b->kind;
	if (a->nomap != b->nomap)
		return !a->nomap;
	return strcmp(a->name, b->name) < 0;
}

int platform_reserve(struct platform *p, uint64_t base, uint64_t size,
		     enum plat_rsv_kind kind, bool nomap, const char *name)
{
	struct plat_rsv r = { .base = base, .size = size, .kind = kind,
			      .nomap = nomap };
	unsigned i;

	if (!range_ok(base, size))
		return 0;
	if (p->nrsv == PLAT_MAX_RSV)
		return -NH_ENOSPC;
	copy_str(r.name, sizeof(r.name), name ? name : "");
	for (i = p->nrsv; i > 0 && rsv_before(&r, &p->rsv[i - 1]); i--)
		p->rsv[i] = p->rsv[i - 1];
	p->rsv[i] = r;
	p->nrsv++;
	return 0;
}

static int parse_memreserve(const struct fdt *f, struct platform *p)
{
	uint64_t base, size;
	int err = 0;

	for (unsigned i = 0; !err && fdt_rsv(f, i, &base, &size) == 0; i++)
		err = platform_reserve(p, base, size, PLAT_RSV_MEMRESERVE,
				       false, "memreserve");
	return err;
}

static int parse_rsv_node(const struct fdt *f, struct platform *p, int n,
			  struct cells c)
{
	uint32_t len;
	bool nomap = fdt_prop(f, n, "no-map", &len) != NULL;
	uint64_t base, size;
	int err = 0;

	for (uint32_t i = 0; !err && reg_get(f, n, c, i, &base, &size); i++)
		err = platform_reserve(p, base, size, PLAT_RSV_NODE, nomap,
				       fdt_name(f, n));
	return err;
}

static int parse_reserved(const struct fdt *f, struct platform *p)
{
	int rm = fdt_path(f, "/reserved-memory", 16);
	struct cells c;
	int err = parse_memreserve(f, p);

	if (err || rm < 0)
		return err;
	c = bus_cells(f, rm);
	for (int n = fdt_first_child(f, rm); n >= 0 && !err;
	     n = fdt_next_sibling(f, n)) {
		if (node_enabled(f, n))
			err = parse_rsv_node(f, p, n, c);
	}
	return err;
}

static int parse_chosen(const struct fdt *f, struct platform *p, int chosen)
{
	const char *args = fdt_prop_str(f, chosen, "bootargs");
	uint64_t s, e;

	if (args)
		copy_str(p->bootargs, sizeof(p->bootargs), args);
	if (!fdt_prop_u64(f, chosen, "linux,initrd-start", &s) ||
	    !fdt_prop_u64(f, chosen, "linux,initrd-end", &e) || e <= s)
		return 0;
	p->has_initrd = true;
	p->initrd_start = s;
	p->initrd_end = e;
	return platform_reserve(p, s, e - s, PLAT_RSV_INITRD, false, "initrd");
}

static const struct {
	const char *compat;
	enum plat_uart_kind kind;
} uarts[] = {
	{ "ns16550a", PLAT_UART_NS16550A },
	{ "snps,dw-apb-uart", PLAT_UART_DW_APB },
	{ "sifive,uart0", PLAT_UART_SIFIVE },
};

static enum plat_uart_kind uart_kind(const char *compat)
{
	for (size_t i = 0; i < sizeof(uarts) / sizeof(uarts[0]); i++)
		if (strcmp(compat, uarts[i].compat) == 0)
			return uarts[i].kind;
	return PLAT_UART_NONE;
}

/* The first entry of @node's compatible list that has a driver. */
static bool uart_pick(const struct fdt *f, int node, struct plat_uart *u)
{
	uint32_t len;
	const char *v = fdt_prop(f, node, "compatible", &len);

	while (v && len > 0) {
		size_t n = strnlen(v, len);

		if (n == len)
			return false;
		u->kind = uart_kind(v);
		if (u->kind != PLAT_UART_NONE) {
			copy_str(u->compatible, sizeof(u->compatible), v);
			return true;
		}
		v += n + 1;
		len -= (uint32_t)(n + 1);
	}
	return false;
}

/* Fill @u from @node if it is an enabled, supported, addressable UART. */
static bool uart_decode(const struct fdt *f, int node, struct plat_uart *u)
{
	uint32_t len;
	const uint8_t *irq;

	*u = (struct plat_uart){ .reg_io_width = 1 };
	if (!node_enabled(f, node) || !uart_pick(f, node, u) ||
	    !reg_cpu(f, node, &u->base, &u->size))
		return false;
	fdt_prop_u32(f, node, "reg-shift", &u->reg_shift);
	fdt_prop_u32(f, node, "reg-io-width", &u->reg_io_width);
	fdt_prop_u32(f, node, "clock-frequency", &u->clock_hz);
	irq = fdt_prop(f, node, "interrupts", &len);
	if (irq && len >= 4)
		u->irq = fdt_be32(irq);
	return true;
}

/* Leading decimal digits of @s[0..len); 0 if none or above 2^32 - 1. */
static uint32_t parse_baud(const char *s, size_t len)
{
	uint64_t v = 0;

	for (size_t i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > U32_MAX)
			return 0;
	}
	return (uint32_t)v;
}

/* Resolve an alias name through /aliases to a node. */
static int alias_node(const struct fdt *f, const char *name, size_t len)
{
	int aliases = fdt_path(f, "/aliases", 8);
	uint32_t vlen;
	const char *v;

	if (aliases < 0)
		return -NH_ENOENT;
	v = fdt_prop_n(f, aliases, name, len, &vlen);
	if (!v || strnlen(v, vlen) == vlen)
		return -NH_ENOENT;
	return fdt_path(f, v, strlen(v));
}

/* The node stdout-path names, and the options after ':' in *opts. */
static int stdout_node(const struct fdt *f, int chosen, const char **opts,
		       size_t *olen)
{
	const char *sp = fdt_prop_str(f, chosen, "stdout-path");
	size_t len, plen;

	if (!sp)
		sp = fdt_prop_str(f, chosen, "linux,stdout-path");
	if (!sp)
		return -NH_ENOENT;
	len = strlen(sp);
	for (plen = 0; plen < len && sp[plen] != ':'; plen++)
		;
	*opts = sp + plen + (plen < len);
	*olen = len - plen - (plen < len);
	if (plen == 0)
		return -NH_ENOENT;
	if (sp[0] == '/')
		return fdt_path(f, sp, plen);
	return alias_node(f, sp, plen);
}

static void parse_console(const struct fdt *f, struct platform *p,
			  int chosen)
{
	const char *opts = "";
	size_t olen = 0;
	int depth = 0;
	int node = chosen >= 0 ? stdout_node(f, chosen, &opts, &olen) : -1;

	if (node >= 0 && uart_decode(f, node, &p->console)) {
		p->console.baud = parse_baud(opts, olen);
		p->has_console = true;
		return;
	}
	for (node = 0; node >= 0; node = fdt_walk(f, node, &depth)) {
		if (uart_decode(f, node, &p->console)) {
			p->has_console = true;
			return;
		}
	}
	p->console = (struct plat_uart){ .kind = PLAT_UART_NONE };
}

static int first_enabled_compat(const struct fdt *f, const char *c1,
				const char *c2, uint64_t *base, uint64_t *size)
{
	int depth = 0;

	for (int n = 0; n >= 0; n = fdt_walk(f, n, &depth)) {
		if ((is_compatible(f, n, c1) || (c2 && is_compatible(f, n, c2)))
		    && node_enabled(f, n) && reg_cpu(f, n, base, size))
			return n;
	}
	return -NH_ENOENT;
}

/* Hart id of the cpu whose interrupt controller has @phandle. */
static bool intc_hart(const struct fdt *f, uint32_t phandle, uint32_t *hart)
{
	int chain[FDT_MAX_DEPTH];
	int node = fdt_by_phandle(f, phandle);
	int n = node >= 0 ? fdt_lineage(f, node, chain, FDT_MAX_DEPTH) : -1;

	if (n < 3 || !str_is(f, chain[n - 2], "device_type", "cpu"))
		return false;
	return cpu_hartid(f, chain[n - 3], chain[n - 2], hart);
}

static int add_ctx(struct plat_plic *pl, uint32_t hart, uint32_t ctx)
{
	unsigned i;

	if (pl->nctx == PLAT_MAX_CTX)
		return -NH_ENOSPC;
	for (i = pl->nctx; i > 0; i--) {
		const struct plat_plic_ctx *c = &pl->sctx[i - 1];

		if (c->hartid < hart || (c->hartid == hart && c->ctx <= ctx))
			break;
		pl->sctx[i] = *c;
	}
	pl->sctx[i] = (struct plat_plic_ctx){ hart, ctx };
	pl->nctx++;
	return 0;
}

static int parse_plic(const struct fdt *f, struct platform *p)
{
	struct plat_plic *pl = &p->plic;
	int n = first_enabled_compat(f, "sifive,plic-1.0.0", "riscv,plic0",
				     &pl->base, &pl->size);
	uint32_t len, hart;
	const uint8_t *ie;
	int err = 0;

	if (n < 0) {
		pl->base = pl->size = 0;
		return 0;
	}
	pl->present = true;
	fdt_prop_u32(f, n, "riscv,ndev", &pl->ndev);
	ie = fdt_prop(f, n, "interrupts-extended", &len);
	for (uint32_t i = 0; ie && !err && i < len / 8; i++) {
		if (fdt_be32(ie + 8 * i + 4) == IRQ_S_EXT &&
		    intc_hart(f, fdt_be32(ie + 8 * i), &hart))
			err = add_ctx(pl, hart, i);
	}
	return err;
}

static void parse_test(const struct fdt *f, struct platform *p)
{
	uint64_t size;

	p->has_test = first_enabled_compat(f, "sifive,test0", NULL,
					   &p->test_base, &size) >= 0;
	if (!p->has_test)
		p->test_base = 0;
}

/* Record @n as a device if it qualifies (see platform.h). */
static void add_device(const struct fdt *f, struct platform *p, int n)
{
	struct plat_device d = { .irq = 0 };
	const uint8_t *irq;
	const char *c = fdt_prop_str(f, n, "compatible");
	uint32_t len;

	if (!c || !*c || !node_enabled(f, n) || !reg_cpu(f, n, &d.base, &d.size))
		return;
	if (p->ndevs == PLAT_MAX_DEVS) {
		p->ndevs_dropped++;
		return;
	}
	copy_str(d.compatible, sizeof(d.compatible), c);
	irq = fdt_prop(f, n, "interrupts", &len);
	if (irq && len >= 4)
		d.irq = fdt_be32(irq);
	p->devs[p->ndevs++] = d;
}

static void parse_devices(const struct fdt *f, struct platform *p)
{
	int depth = 0;

	for (int n = 0; n >= 0; n = fdt_walk(f, n, &depth))
		add_device(f, p, n);
}

static void parse_model(const struct fdt *f, struct platform *p)
{
	const char *m = fdt_prop_str(f, 0, "model");

	if (m)
		copy_str(p->model, sizeof(p->model), m);
}

/* Collect every fact; stops at the first table overflow. */
static int collect(const struct fdt *f, struct platform *p, uint64_t blob_pa)
{
	int cpus = fdt_path(f, "/cpus", 5);
	int chosen = fdt_path(f, "/chosen", 7);
	int err;

	parse_model(f, p);
	if (cpus >= 0)
		parse_timebase(f, p, cpus);
	err = parse_memory(f, p);
	if (!err && cpus >= 0)
		err = parse_harts(f, p, cpus);
	if (!err)
		err = parse_reserved(f, p);
	if (!err && chosen >= 0)
		err = parse_chosen(f, p, chosen);
	if (!err)
		err = platform_reserve(p, blob_pa, f->totalsize, PLAT_RSV_DTB,
				       false, "dtb");
	if (err)
		return err;
	parse_console(f, p, chosen);
	parse_test(f, p);
	parse_devices(f, p);
	return parse_plic(f, p);
}

int platform_parse(struct platform *p, const void *blob, size_t avail,
		   uint64_t blob_pa)
{
	struct fdt f;
	int err;

	memset(p, 0, sizeof(*p));
	err = fdt_open(&f, blob, avail);
	if (err)
		return err;
	p->dtb_size = f.totalsize;
	err = collect(&f, p, blob_pa);
	if (err)
		return err;
	if (p->nmem == 0 || p->nharts == 0 || p->timebase_hz == 0)
		return -NH_ENOENT;
	return 0;
}

/* One output line under construction (bounded; truncates silently). */
struct line {
	char buf[1600];
	size_t len;
};

static void __attribute__((format(printf, 2, 3)))
lput(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->buf) - 1)
		return;
	va_start(ap, fmt);
	n = fmt_vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	l->len += (size_t)n;
	if (l->len > sizeof(l->buf) - 1)
		l->len = sizeof(l->buf) - 1;
}

static void print_ranges(const struct platform *p, struct line *l,
			 void (*line)(void *, const char *), void *ctx)
{
	for (unsigned i = 0; i < p->nmem; i++) {
		const struct plat_range *r = &p->mem[i];

		l->len = 0;
		lput(l, "memory: 0x%llx-0x%llx (%llu MiB)",
		     (unsigned long long)r->base,
		     (unsigned long long)(r->base + r->size),
		     (unsigned long long)(r->size >> 20));
		line(ctx, l->buf);
	}
}

static void print_console(const struct platform *p, struct line *l)
{
	const struct plat_uart *u = &p->console;

	l->len = 0;
	if (!p->has_console) {
		lput(l, "console: none");
		return;
	}
	lput(l, "console: %s @ 0x%llx shift %u width %u", u->compatible,
	     (unsigned long long)u->base, u->reg_shift, u->reg_io_width);
}

static void print_reserved(const struct platform *p, struct line *l,
			   void (*line)(void *, const char *), void *ctx)
{
	for (unsigned i = 0; i < p->nrsv; i++) {
		const struct plat_rsv *r = &p->rsv[i];

		l->len = 0;
		lput(l, "reserved: 0x%llx-0x%llx %s%s",
		     (unsigned long long)r->base,
		     (unsigned long long)(r->base + r->size), r->name,
		     r->nomap ? " no-map" : "");
		line(ctx, l->buf);
	}
}

static void print_plic(const struct platform *p, struct line *l)
{
	const struct plat_plic *pl = &p->plic;

	l->len = 0;
	lput(l, "plic: 0x%llx ndev %u contexts",
	     (unsigned long long)pl->base, pl->ndev);
	for (unsigned i = 0; i < pl->nctx; i++)
		lput(l, " %u:%u", pl->sctx[i].hartid, pl->sctx[i].ctx);
}

static void print_extras(const struct platform *p, struct line *l,
			 void (*line)(void *, const char *), void *ctx)
{
	if (p->has_console) {
		l->len = 0;
		lput(l, "uart: irq %u clock %u baud %u", p->console.irq,
		     p->console.clock_hz, p->console.baud);
		line(ctx, l->buf);
	}
	if (p->plic.present) {
		print_plic(p, l);
		line(ctx, l->buf);
	}
	if (p->has_test) {
		l->len = 0;
		lput(l, "test: 0x%llx", (unsigned long long)p->test_base);
		line(ctx, l->buf);
	}
	if (p->bootargs[0]) {
		l->len = 0;
		lput(l, "bootargs: %s", p->bootargs);
		line(ctx, l->buf);
	}
	if (p->has_initrd) {
		l->len = 0;
		lput(l, "initrd: 0x%llx-0x%llx",
		     (unsigned long long)p->initrd_start,
		     (unsigned long long)p->initrd_end);
		line(ctx, l->buf);
	}
}

void platform_print(const struct platform *p,
		    void (*line)(void *ctx, const char *text), void *ctx)
{
	struct line l = { .len = 0 };

	lput(&l, "platform: %s timebase %llu", p->model,
	     (unsigned long long)p->timebase_hz);
	line(ctx, l.buf);
	print_ranges(p, &l, line, ctx);
	l.len = 0;
	lput(&l, "harts:");
	for (unsigned i = 0; i < p->nharts; i++)
		lput(&l, " %u", p->harts[i]);
	line(ctx, l.buf);
	print_console(p, &l);
	line(ctx, l.buf);
	print_reserved(p, &l, line, ctx);
	print_extras(p, &l, line, ctx);
}
