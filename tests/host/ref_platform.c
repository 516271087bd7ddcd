/*
 * The test oracle: platform facts extracted with libfdt, following the
 * rules in kernel/lib/platform.h independently of kernel/lib/fdt.c and
 * kernel/lib/platform.c.  Tables are collected unbounded (up to REF_CAP),
 * then checked against the kernel's limits and sorted with qsort.
 */
#include <libfdt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_platform.h"
#include <nuthatch/errno.h>

#define REF_CAP 4096

struct ref {
	const void *fdt;
	struct platform *p;
	bool overflow;
};

static const char *ref_str(const void *fdt, int n, const char *name)
{
	int len;
	const char *v = fdt_getprop(fdt, n, name, &len);

	return v && len > 0 && memchr(v, 0, (size_t)len) ? v : NULL;
}

static bool ref_str_is(const void *fdt, int n, const char *name,
		       const char *want)
{
	const char *s = ref_str(fdt, n, name);

	return s && !strcmp(s, want);
}

static bool ref_u32(const void *fdt, int n, const char *name, uint32_t *out)
{
	int len;
	const fdt32_t *v = fdt_getprop(fdt, n, name, &len);

	if (!v || len != 4)
		return false;
	*out = fdt32_ld(v);
	return true;
}

static bool ref_num(const void *fdt, int n, const char *name, uint64_t *out)
{
	int len;
	const void *v = fdt_getprop(fdt, n, name, &len);

	if (!v || (len != 4 && len != 8))
		return false;
	*out = len == 4 ? fdt32_ld(v) : fdt64_ld(v);
	return true;
}

static bool ref_enabled(const void *fdt, int n)
{
	int len;

	if (!fdt_getprop(fdt, n, "status", &len))
		return true;
	return ref_str_is(fdt, n, "status", "okay") ||
	       ref_str_is(fdt, n, "status", "ok");
}

/* Is @want one complete NUL-terminated entry of the list? */
static bool ref_list_has(const char *v, int len, const char *want)
{
	int pos = 0;

	while (pos < len) {
		const char *end = memchr(v + pos, 0, (size_t)(len - pos));

		if (!end)
			return false;
		if (!strcmp(v + pos, want))
			return true;
		pos = (int)(end - v) + 1;
	}
	return false;
}

static bool ref_compat(const void *fdt, int n, const char *want)
{
	int len;
	const char *v = fdt_getprop(fdt, n, "compatible", &len);

	return v && ref_list_has(v, len, want);
}

static void ref_cells(const void *fdt, int bus, uint32_t *ac, uint32_t *sc)
{
	*ac = 2;
	*sc = 1;
	ref_u32(fdt, bus, "#address-cells", ac);
	ref_u32(fdt, bus, "#size-cells", sc);
}

static uint64_t ref_rd(const fdt32_t *c, uint32_t n)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < n; i++)
		v = v << 32 | fdt32_ld(c + i);
	return v;
}

static bool ref_reg(const void *fdt, int n, int bus, uint32_t idx,
		    uint64_t *base, uint64_t *size)
{
	uint32_t ac, sc;
	int len;
	const fdt32_t *v = fdt_getprop(fdt, n, "reg", &len);

	ref_cells(fdt, bus, &ac, &sc);
	if (!v || ac < 1 || ac > 2 || sc > 2)
		return false;
	if ((uint64_t)(idx + 1) * 4 * (ac + sc) > (uint64_t)len)
		return false;
	v += idx * (ac + sc);
	*base = ref_rd(v, ac);
	*size = ref_rd(v + ac, sc);
	return true;
}

static bool ref_range_ok(uint64_t base, uint64_t size)
{
	return size && base + size > base;
}

static bool ref_map(const void *fdt, int bus, int up, uint64_t *addr)
{
	uint32_t ac, sc, pac, psc;
	int len;
	const fdt32_t *r = fdt_getprop(fdt, bus, "ranges", &len);

	if (!r)
		return false;
	if (len == 0)
		return true;
	ref_cells(fdt, bus, &ac, &sc);
	ref_cells(fdt, up, &pac, &psc);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || pac < 1 || pac > 2 ||
	    psc > 2)
		return false;
	for (int i = 0; (i + 1) * 4 * (int)(ac + pac + sc) <= len; i++) {
		const fdt32_t *e = r + i * (ac + pac + sc);
		uint64_t cb = ref_rd(e, ac), pb = ref_rd(e + ac, pac);
		uint64_t sz = ref_rd(e + ac + pac, sc);

		if (*addr < cb || *addr - cb >= sz)
			continue;
		if (pb + (*addr - cb) < pb)
			return false;
		*addr = pb + (*addr - cb);
		return true;
	}
	return false;
}

static bool ref_reg_cpu(const void *fdt, int n, uint64_t *base,
			uint64_t *size)
{
	int bus = fdt_parent_offset(fdt, n);

	if (bus < 0 || !ref_reg(fdt, n, bus, 0, base, size))
		return false;
	while (bus != 0) {
		int up = fdt_parent_offset(fdt, bus);

		if (up < 0 || !ref_map(fdt, bus, up, base))
			return false;
		bus = up;
	}
	return true;
}

static int cmp_range(const void *a, const void *b)
{
	const struct plat_range *x = a, *y = b;

	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return x->size < y->size ? -1 : x->size > y->size;
}

static int cmp_rsv(const void *a, const void *b)
{
	const struct plat_rsv *x = a, *y = b;

	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->nomap != y->nomap)
		return x->nomap ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_ctx(const void *a, const void *b)
{
	const struct plat_plic_ctx *x = a, *y = b;

	if (x->hartid != y->hartid)
		return x->hartid < y->hartid ? -1 : 1;
	return x->ctx < y->ctx ? -1 : x->ctx > y->ctx;
}

static void ref_add_mem(struct ref *r, uint64_t base, uint64_t size)
{
	struct platform *p = r->p;

	if (!ref_range_ok(base, size))
		return;
	if (p->nmem == PLAT_MAX_MEM) {
		r->overflow = true;
		return;
	}
	p->mem[p->nmem++] = (struct plat_range){ base, size };
}

static void ref_rsv(struct ref *r, uint64_t base, uint64_t size,
		    enum plat_rsv_kind kind, bool nomap, const char *name)
{
	struct platform *p = r->p;
	struct plat_rsv *e;

	if (!ref_range_ok(base, size))
		return;
	if (p->nrsv == PLAT_MAX_RSV) {
		r->overflow = true;
		return;
	}
	e = &p->rsv[p->nrsv++];
	*e = (struct plat_rsv){ .base = base, .size = size, .kind = kind,
				.nomap = nomap };
	snprintf(e->name, sizeof(e->name), "%s", name);
}

static void ref_memory(struct ref *r)
{
	const void *fdt = r->fdt;
	uint64_t b, s;
	int n;

	fdt_for_each_subnode(n, fdt, 0) {
		if (!ref_str_is(fdt, n, "device_type", "memory") ||
		    !ref_enabled(fdt, n))
			continue;
		for (uint32_t i = 0; ref_reg(fdt, n, 0, i, &b, &s); i++)
			ref_add_mem(r, b, s);
	}
}

static bool ref_hartid(const void *fdt, int cpus, int cpu, uint32_t *id)
{
	uint64_t b, s;

	if (!ref_reg(fdt, cpu, cpus, 0, &b, &s) || b > 0xffffffffu)
		return false;
	*id = (uint32_t)b;
	return true;
}

static void ref_add_hart(struct ref *r, uint32_t id)
{
	struct platform *p = r->p;

	for (unsigned i = 0; i < p->nharts; i++)
		if (p->harts[i] == id)
			return;
	if (p->nharts == PLAT_MAX_HARTS)
		r->overflow = true;
	else
		p->harts[p->nharts++] = id;
}

static void ref_cpus(struct ref *r)
{
	const void *fdt = r->fdt;
	int cpus = fdt_path_offset(fdt, "/cpus");
	uint64_t tb = 0;
	uint32_t id;
	int n;

	if (cpus < 0)
		return;
	if (!ref_num(fdt, cpus, "timebase-frequency", &tb) || !tb) {
		tb = 0;
		fdt_for_each_subnode(n, fdt, cpus) {
			if (ref_str_is(fdt, n, "device_type", "cpu") &&
			    ref_num(fdt, n, "timebase-frequency", &tb) && tb)
				break;
			tb = 0;
		}
	}
	r->p->timebase_hz = tb;
	fdt_for_each_subnode(n, fdt, cpus) {
		const char *mmu = ref_str(fdt, n, "mmu-type");

		if (!ref_str_is(fdt, n, "device_type", "cpu") ||
		    !ref_enabled(fdt, n) || !mmu ||
		    (strcmp(mmu, "riscv,sv39") && strcmp(mmu, "riscv,sv48") &&
		     strcmp(mmu, "riscv,sv57")))
			continue;
		if (ref_hartid(fdt, cpus, n, &id))
			ref_add_hart(r, id);
	}
}

static void ref_reserved(struct ref *r, uint64_t blob_pa)
{
	const void *fdt = r->fdt;
	int rm = fdt_path_offset(fdt, "/reserved-memory");
	uint64_t b, s;
	int n, len;

	for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
		fdt_get_mem_rsv(fdt, i, &b, &s);
		ref_rsv(r, b, s, PLAT_RSV_MEMRESERVE, false, "memreserve");
	}
	if (rm >= 0) {
		fdt_for_each_subnode(n, fdt, rm) {
			bool nomap = fdt_getprop(fdt, n, "no-map", &len);

			if (!ref_enabled(fdt, n))
				continue;
			for (uint32_t i = 0; ref_reg(fdt, n, rm, i, &b, &s); i++)
				ref_rsv(r, b, s, PLAT_RSV_NODE, nomap,
					fdt_get_name(fdt, n, NULL));
		}
	}
	ref_rsv(r, blob_pa, fdt_totalsize(fdt), PLAT_RSV_DTB, false, "dtb");
}

static void ref_chosen(struct ref *r, int chosen)
{
	const void *fdt = r->fdt;
	const char *args = ref_str(fdt, chosen, "bootargs");
	uint64_t s, e;

	if (args)
		snprintf(r->p->bootargs, sizeof(r->p->bootargs), "%s", args);
	if (ref_num(fdt, chosen, "linux,initrd-start", &s) &&
	    ref_num(fdt, chosen, "linux,initrd-end", &e) && e > s) {
		r->p->has_initrd = true;
		r->p->initrd_start = s;
		r->p->initrd_end = e;
		ref_rsv(r, s, e - s, PLAT_RSV_INITRD, false, "initrd");
	}
}

static bool ref_uart(const void *fdt, int n, struct plat_uart *u)
{
	static const char *const names[] = { "ns16550a", "snps,dw-apb-uart",
					     "sifive,uart0" };
	static const enum plat_uart_kind kinds[] = {
		PLAT_UART_NS16550A, PLAT_UART_DW_APB, PLAT_UART_SIFIVE };
	int len, pos = 0;
	const char *v = fdt_getprop(fdt, n, "compatible", &len);
	const fdt32_t *irq;

	memset(u, 0, sizeof(*u));
	u->reg_io_width = 1;
	if (!v || !ref_enabled(fdt, n))
		return false;
	while (pos < len && u->kind == PLAT_UART_NONE) {
		if (!memchr(v + pos, 0, (size_t)(len - pos)))
			return false;
		for (int k = 0; k < 3; k++)
			if (!strcmp(v + pos, names[k])) {
				u->kind = kinds[k];
				snprintf(u->compatible, sizeof(u->compatible),
					 "%s", names[k]);
			}
		pos += (int)strlen(v + pos) + 1;
	}
	if (u->kind == PLAT_UART_NONE || !ref_reg_cpu(fdt, n, &u->base, &u->size))
		return false;
	ref_u32(fdt, n, "reg-shift", &u->reg_shift);
	ref_u32(fdt, n, "reg-io-width", &u->reg_io_width);
	ref_u32(fdt, n, "clock-frequency", &u->clock_hz);
	irq = fdt_getprop(fdt, n, "interrupts", &len);
	if (irq && len >= 4)
		u->irq = fdt32_ld(irq);
	return true;
}

static uint32_t ref_baud(const char *opts)
{
	unsigned long long v = 0;

	for (; *opts >= '0' && *opts <= '9'; opts++) {
		v = v * 10 + (unsigned)(*opts - '0');
		if (v > 0xffffffffull)
			return 0;
	}
	return (uint32_t)v;
}

static int ref_stdout(const void *fdt, int chosen, const char **opts)
{
	const char *sp = ref_str(fdt, chosen, "stdout-path");
	const char *colon, *v;
	int plen, al;

	if (!sp)
		sp = ref_str(fdt, chosen, "linux,stdout-path");
	if (!sp)
		return -1;
	colon = strchr(sp, ':');
	plen = colon ? (int)(colon - sp) : (int)strlen(sp);
	*opts = colon ? colon + 1 : "";
	if (plen == 0)
		return -1;
	if (sp[0] == '/')
		return fdt_path_offset_namelen(fdt, sp, plen);
	al = fdt_path_offset(fdt, "/aliases");
	if (al < 0)
		return -1;
	v = fdt_getprop_namelen(fdt, al, sp, plen, &al);
	if (!v || al <= 0 || !memchr(v, 0, (size_t)al) || v[0] != '/')
		return -1;
	return fdt_path_offset(fdt, v);
}

static void ref_console(struct ref *r, int chosen)
{
	const void *fdt = r->fdt;
	struct platform *p = r->p;
	const char *opts = "";
	int n = chosen >= 0 ? ref_stdout(fdt, chosen, &opts) : -1;

	if (n >= 0 && ref_uart(fdt, n, &p->console)) {
		p->console.baud = ref_baud(opts);
		p->has_console = true;
		return;
	}
	for (n = 0; n >= 0; n = fdt_next_node(fdt, n, NULL)) {
		if (ref_uart(fdt, n, &p->console)) {
			p->has_console = true;
			return;
		}
	}
	memset(&p->console, 0, sizeof(p->console));
}

static int ref_find(const void *fdt, const char *c1, const char *c2,
		    uint64_t *base, uint64_t *size)
{
	for (int n = 0; n >= 0; n = fdt_next_node(fdt, n, NULL))
		if ((ref_compat(fdt, n, c1) || (c2 && ref_compat(fdt, n, c2))) &&
		    ref_enabled(fdt, n) && ref_reg_cpu(fdt, n, base, size))
			return n;
	return -1;
}

static bool ref_intc_hart(const void *fdt, uint32_t ph, uint32_t *hart)
{
	int intc = fdt_node_offset_by_phandle(fdt, ph);
	int cpu = intc > 0 ? fdt_parent_offset(fdt, intc) : -1;
	int cpus = cpu > 0 ? fdt_parent_offset(fdt, cpu) : -1;

	if (cpus < 0 || !ref_str_is(fdt, cpu, "device_type", "cpu"))
		return false;
	return ref_hartid(fdt, cpus, cpu, hart);
}

static void ref_plic(struct ref *r)
{
	const void *fdt = r->fdt;
	struct plat_plic *pl = &r->p->plic;
	int n = ref_find(fdt, "sifive,plic-1.0.0", "riscv,plic0", &pl->base,
			 &pl->size);
	const fdt32_t *ie;
	uint32_t hart;
	int len;

	if (n < 0) {
		pl->base = pl->size = 0;
		return;
	}
	pl->present = true;
	ref_u32(fdt, n, "riscv,ndev", &pl->ndev);
	ie = fdt_getprop(fdt, n, "interrupts-extended", &len);
	for (int i = 0; ie && (i + 1) * 8 <= len; i++) {
		if (fdt32_ld(ie + 2 * i + 1) != 9 ||
		    !ref_intc_hart(fdt, fdt32_ld(ie + 2 * i), &hart))
			continue;
		if (pl->nctx == PLAT_MAX_CTX) {
			r->overflow = true;
			return;
		}
		pl->sctx[pl->nctx++] = (struct plat_plic_ctx){ hart, (uint32_t)i };
	}
}

/* Devices: enabled nodes with a non-empty first compatible string and a
 * translatable reg, in tree order; the first PLAT_MAX_DEVS kept. */
static void ref_devices(struct ref *r)
{
	const void *fdt = r->fdt;
	struct platform *p = r->p;

	for (int n = 0; n >= 0; n = fdt_next_node(fdt, n, NULL)) {
		struct plat_device d = { .irq = 0 };
		const char *c = ref_str(fdt, n, "compatible");
		const fdt32_t *irq;
		int len;

		if (!c || !*c || !ref_enabled(fdt, n) ||
		    !ref_reg_cpu(fdt, n, &d.base, &d.size))
			continue;
		if (p->ndevs == PLAT_MAX_DEVS) {
			p->ndevs_dropped++;
			continue;
		}
		snprintf(d.compatible, sizeof(d.compatible), "%s", c);
		irq = fdt_getprop(fdt, n, "interrupts", &len);
		if (irq && len >= 4)
			d.irq = fdt32_ld(irq);
		p->devs[p->ndevs++] = d;
	}
}

static void ref_sort(struct platform *p)
{
	qsort(p->mem, p->nmem, sizeof(p->mem[0]), cmp_range);
	qsort(p->rsv, p->nrsv, sizeof(p->rsv[0]), cmp_rsv);
	qsort(p->harts, p->nharts, sizeof(p->harts[0]), cmp_u32);
	qsort(p->plic.sctx, p->plic.nctx, sizeof(p->plic.sctx[0]), cmp_ctx);
}

int ref_platform_parse(struct platform *p, const void *fdt, uint64_t blob_pa)
{
	struct ref r = { .fdt = fdt, .p = p, .overflow = false };
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *model = ref_str(fdt, 0, "model");
	uint64_t size;

	memset(p, 0, sizeof(*p));
	p->dtb_size = fdt_totalsize(fdt);
	if (model)
		snprintf(p->model, sizeof(p->model), "%s", model);
	ref_cpus(&r);
	ref_memory(&r);
	ref_reserved(&r, blob_pa);
	if (chosen >= 0)
		ref_chosen(&r, chosen);
	ref_console(&r, chosen);
	p->has_test = ref_find(fdt, "sifive,test0", NULL, &p->test_base,
			       &size) >= 0;
	if (!p->has_test)
		p->test_base = 0;
	ref_devices(&r);
	ref_plic(&r);
	if (r.overflow)
		return -NH_ENOSPC;
	ref_sort(p);
	if (!p->nmem || !p->nharts || !p->timebase_hz)
		return -NH_ENOENT;
	return 0;
}
