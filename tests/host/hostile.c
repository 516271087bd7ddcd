/*
 * Hand-made blobs for test_platform: a tiny FDT writer builds small trees,
 * some then patched into hostile shapes, each with the exact result the
 * rules in kernel/lib/fdt.h and kernel/lib/platform.h demand.  Every blob also
 * goes through check_blob(), so accepted ones must match the oracle.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile.h"
#include "ktap.h"
#include <nuthatch/errno.h>

#define PA 0x82200000ull

/* ---- a tiny FDT writer ------------------------------------------- */

struct w {
	uint8_t st[16384];
	size_t slen;
	char str[4096];
	size_t strlen_;
	uint64_t rsv[8][2];
	int nrsv;
	bool no_end;		/* leave out FDT_END */
};

struct blob {
	uint8_t *b;
	size_t len;
};

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void w_u32(struct w *w, uint32_t v)
{
	be32(w->st + w->slen, v);
	w->slen += 4;
}

static void w_bytes(struct w *w, const void *d, size_t n)
{
	if (n)
		memcpy(w->st + w->slen, d, n);
	w->slen += n;
	while (w->slen & 3)
		w->st[w->slen++] = 0;
}

static void w_begin(struct w *w, const char *name)
{
	w_u32(w, 1);
	w_bytes(w, name, strlen(name) + 1);
}

static void w_end(struct w *w)
{
	w_u32(w, 2);
}

static uint32_t w_stroff(struct w *w, const char *name)
{
	for (size_t off = 0; off < w->strlen_; off += strlen(w->str + off) + 1)
		if (!strcmp(w->str + off, name))
			return (uint32_t)off;
	memcpy(w->str + w->strlen_, name, strlen(name) + 1);
	w->strlen_ += strlen(name) + 1;
	return (uint32_t)(w->strlen_ - strlen(name) - 1);
}

static void w_prop(struct w *w, const char *name, const void *d, size_t n)
{
	w_u32(w, 3);
	w_u32(w, (uint32_t)n);
	w_u32(w, w_stroff(w, name));
	w_bytes(w, d, n);
}

static void w_str(struct w *w, const char *name, const char *s)
{
	w_prop(w, name, s, strlen(s) + 1);
}

/* A property of @n 32-bit cells. */
static void w_cells(struct w *w, const char *name, int n, ...)
{
	uint8_t d[256];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		be32(d + 4 * i, va_arg(ap, uint32_t));
	va_end(ap);
	w_prop(w, name, d, 4 * (size_t)n);
}

/* Header v17, then the reservation map, structure and strings blocks. */
static struct blob w_finish(struct w *w)
{
	size_t rsv = 40, st = rsv + 16 * ((size_t)w->nrsv + 1);
	size_t str = st + w->slen + (w->no_end ? 0 : 4);
	struct blob b = { NULL, str + w->strlen_ };

	if (!w->no_end)
		w_u32(w, 9);
	b.b = calloc(1, b.len);
	be32(b.b, 0xd00dfeed);
	be32(b.b + 4, (uint32_t)b.len);
	be32(b.b + 8, (uint32_t)st);
	be32(b.b + 12, (uint32_t)str);
	be32(b.b + 16, (uint32_t)rsv);
	be32(b.b + 20, 17);
	be32(b.b + 24, 16);
	be32(b.b + 32, (uint32_t)w->strlen_);
	be32(b.b + 36, (uint32_t)w->slen);
	for (int i = 0; i < w->nrsv; i++) {
		be32(b.b + rsv + 16 * i, (uint32_t)(w->rsv[i][0] >> 32));
		be32(b.b + rsv + 16 * i + 4, (uint32_t)w->rsv[i][0]);
		be32(b.b + rsv + 16 * i + 8, (uint32_t)(w->rsv[i][1] >> 32));
		be32(b.b + rsv + 16 * i + 12, (uint32_t)w->rsv[i][1]);
	}
	memcpy(b.b + st, w->st, w->slen);
	memcpy(b.b + str, w->str, w->strlen_);
	return b;
}

static struct w *w_new(void)
{
	return calloc(1, sizeof(struct w));
}

/* ---- standard pieces ----------------------------------------------- */

static void std_root(struct w *w)
{
	w_begin(w, "");
	w_cells(w, "#address-cells", 1, 2);
	w_cells(w, "#size-cells", 1, 2);
	w_str(w, "model", "test,board");
}

static void std_cpu(struct w *w, uint32_t id, const char *mmu,
		    const char *status)
{
	char name[32];

	snprintf(name, sizeof(name), "cpu@%x", id);
	w_begin(w, name);
	w_str(w, "device_type", "cpu");
	w_cells(w, "reg", 1, id);
	if (mmu)
		w_str(w, "mmu-type", mmu);
	if (status)
		w_str(w, "status", status);
	w_begin(w, "interrupt-controller");
	w_cells(w, "#interrupt-cells", 1, 1);
	w_cells(w, "phandle", 1, 0x100 + id);
	w_str(w, "compatible", "riscv,cpu-intc");
	w_end(w);
	w_end(w);
}

static void std_cpus(struct w *w, int n)
{
	w_begin(w, "cpus");
	w_cells(w, "#address-cells", 1, 1);
	w_cells(w, "#size-cells", 1, 0);
	w_cells(w, "timebase-frequency", 1, 10000000);
	for (int i = 0; i < n; i++)
		std_cpu(w, (uint32_t)i, "riscv,sv39", NULL);
	w_end(w);
}

static void std_memory(struct w *w)
{
	w_begin(w, "memory@80000000");
	w_str(w, "device_type", "memory");
	w_cells(w, "reg", 4, 0, 0x80000000, 0, 0x8000000);
	w_end(w);
}

/* A complete, valid small tree: root, cpus(1), memory, end. */
static struct blob std_blob(void)
{
	struct w *w = w_new();
	struct blob b;

	std_root(w);
	std_cpus(w, 1);
	std_memory(w);
	w_end(w);
	b = w_finish(w);
	free(w);
	return b;
}

/* ---- expectations ---------------------------------------------------- */

static const char *strip_dtb(const char *text)
{
	static char out[16384];
	size_t o = 0;

	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l + 1) : strlen(l);

		if (!(n > 5 && !strncmp(l + n - 5, " dtb\n", 5)))
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%.*s",
					      (int)n, l);
		l += n;
	}
	out[o] = '\0';
	return out;
}

/*
 * Parse @b; the result must be @rc and, for rc == 0, platform_print()'s
 * output (without the dtb's own reserved line) must be @text.  Frees @b.
 */
static bool expect(struct blob b, int rc, const char *text, const char *what)
{
	static struct platform p;
	struct tally t = { 0, 0, 0 };
	bool ok = check_blob(b.b, b.len, &t, what);
	int got = platform_parse(&p, b.b, b.len, PA);

	if (got != rc) {
		ktap_diag("%s: got %d, want %d", what, got, rc);
		ok = false;
	} else if (rc == 0 && text && strcmp(strip_dtb(print_of(&p)), text)) {
		ktap_diag("%s: got\n%s# want\n%s", what,
			  strip_dtb(print_of(&p)), text);
		ok = false;
	}
	free(b.b);
	return ok;
}

#define STD_HEAD "platform: test,board timebase 10000000\n" \
		 "memory: 0x80000000-0x88000000 (128 MiB)\n"

static struct blob patched(size_t off, uint32_t v)
{
	struct blob b = std_blob();

	be32(b.b + off, v);
	return b;
}

/* ---- the tests --------------------------------------------------------- */

static bool t_std_tree(void)
{
	return expect(std_blob(), 0, STD_HEAD "harts: 0\nconsole: none\n",
		      "standard tree");
}

static bool t_bad_magic(void)
{
	return expect(patched(0, 0xd00dfeee), -NH_EBADMSG, NULL, "magic");
}

static bool t_bad_version(void)
{
	bool ok = expect(patched(20, 15), -NH_EBADMSG, NULL, "version 15");
	struct blob b = std_blob();

	ok &= expect(patched(24, 18), -NH_EBADMSG, NULL, "last_comp 18");
	be32(b.b + 20, 16);
	be32(b.b + 24, 17);
	ok &= expect(b, -NH_EBADMSG, NULL, "version 16 < last_comp 17");
	b = std_blob();
	be32(b.b + 20, 16);
	be32(b.b + 36, 0xdeadbeef);	/* v16: size_dt_struct unused */
	ok &= expect(b, 0, STD_HEAD "harts: 0\nconsole: none\n", "v16");
	return ok & expect(patched(20, 42), 0, NULL, "version 42, compat 16");
}

static bool t_totalsize(void)
{
	static struct platform p;
	struct blob b = std_blob();
	bool ok = platform_parse(&p, b.b, b.len - 1, PA) == -NH_EBADMSG;

	be32(b.b + 4, (uint32_t)b.len + 1);
	ok &= expect(b, -NH_EBADMSG, NULL, "totalsize > avail");
	return ok & expect(patched(4, 39), -NH_EBADMSG, NULL, "totalsize 39");
}

static bool t_strings_beyond(void)
{
	struct blob b = std_blob();
	bool ok;

	be32(b.b + 12, (uint32_t)b.len + 4);
	ok = expect(b, -NH_EBADMSG, NULL, "off_dt_strings past end");
	b = std_blob();
	be32(b.b + 32, 0xfffffff0u);
	ok &= expect(b, -NH_EBADMSG, NULL, "size_dt_strings wraps");
	b = std_blob();
	be32(b.b + 36, 0xffffffffu);
	return ok & expect(b, -NH_EBADMSG, NULL, "size_dt_struct too big");
}

static bool t_overlap(void)
{
	struct blob b = std_blob();
	bool ok;

	be32(b.b + 12, rd32(b.b + 8));		/* strings = struct */
	ok = expect(b, -NH_EBADMSG, NULL, "strings over struct");
	b = std_blob();
	be32(b.b + 8, 40);			/* struct over rsvmap */
	ok &= expect(b, -NH_EBADMSG, NULL, "struct over rsvmap");
	b = std_blob();
	be32(b.b + 16, 32);			/* rsvmap inside header */
	ok &= expect(b, -NH_EBADMSG, NULL, "rsvmap in header");
	b = std_blob();
	be32(b.b + 8, rd32(b.b + 8) + 2);	/* misaligned struct */
	return ok & expect(b, -NH_EBADMSG, NULL, "misaligned struct");
}

static bool t_unterminated_name(void)
{
	struct w *w = w_new();
	struct blob b;

	w_begin(w, "");
	w_u32(w, 1);
	memcpy(w->st + w->slen, "abcdefgh", 8);	/* no NUL, no FDT_END */
	w->slen += 8;
	w->no_end = true;
	w_str(w, "x", "y");	/* only to fill the strings block */
	w->slen -= 16;		/* ... but drop the property itself */
	b = w_finish(w);
	free(w);
	return expect(b, -NH_EBADMSG, NULL, "unterminated node name");
}

static bool t_unterminated_propname(void)
{
	struct blob b = std_blob();

	/* The last string ("reg"... whichever is last) loses its NUL. */
	be32(b.b + 32, rd32(b.b + 32) - 1);
	return expect(b, -NH_EBADMSG, NULL, "unterminated property name");
}

static struct blob nested(int levels)
{
	struct w *w = w_new();
	struct blob b;

	std_root(w);
	std_cpus(w, 1);
	std_memory(w);
	for (int i = 0; i < levels; i++)
		w_begin(w, "n");
	for (int i = 0; i < levels; i++)
		w_end(w);
	w_end(w);
	b = w_finish(w);
	free(w);
	return b;
}

static bool t_nesting(void)
{
	bool ok = expect(nested(31), 0, NULL, "depth 32");

	ok &= expect(nested(32), -NH_EBADMSG, NULL, "depth 33");
	return ok & expect(nested(99), -NH_EBADMSG, NULL, "depth 100");
}

static bool t_missing_end(void)
{
	struct w *w = w_new();
	struct blob b;

	std_root(w);
	std_cpus(w, 1);
	std_memory(w);
	w_end(w);
	w->no_end = true;
	b = w_finish(w);
	free(w);
	return expect(b, -NH_EBADMSG, NULL, "missing FDT_END");
}

static bool t_prop_outside(void)
{
	struct w *w = w_new();
	struct blob b;
	bool ok;

	std_root(w);
	std_cpus(w, 1);
	std_memory(w);
	w_end(w);
	w_str(w, "stray", "x");
	b = w_finish(w);
	free(w);
	ok = expect(b, -NH_EBADMSG, NULL, "property after the root");
	w = w_new();
	w_str(w, "stray", "x");
	std_root(w);
	std_cpus(w, 1);
	std_memory(w);
	w_end(w);
	b = w_finish(w);
	free(w);
	return ok & expect(b, -NH_EBADMSG, NULL, "property before the root");
}

static bool t_bad_token(void)
{
	struct w *w = w_new();
	struct blob b;

	std_root(w);
	std_cpus(w, 1);
	w_u32(w, 5);
	std_memory(w);
	w_end(w);
	b = w_finish(w);
	free(w);
	return expect(b, -NH_EBADMSG, NULL, "token 5");
}

/* A standard tree plus a /chosen built by @fill. */
static struct blob with_chosen(void (*fill)(struct w *, int), int arg)
{
	struct w *w = w_new();
	struct blob b;

	std_root(w);
	std_cpus(w, 1);
	std_memory(w);
	w_begin(w, "chosen");
	fill(w, arg);
	w_end(w);
	w_end(w);
	b = w_finish(w);
	free(w);
	return b;
}

static void initrd_cells(struct w *w, int kind)
{
	switch (kind) {
	case 0:		/* QEMU: 32-bit cells */
		w_cells(w, "linux,initrd-start", 1, 0x84000000);
		w_cells(w, "linux,initrd-end", 1, 0x84100000);
		break;
	case 1:		/* U-Boot: 64-bit */
		w_cells(w, "linux,initrd-start", 2, 1, 0x00000000);
		w_cells(w, "linux,initrd-end", 2, 1, 0x00200000);
		break;
	case 2:		/* mixed */
		w_cells(w, "linux,initrd-start", 1, 0x84000000);
		w_cells(w, "linux,initrd-end", 2, 0, 0x84001000);
		break;
	case 3:		/* end == start */
		w_cells(w, "linux,initrd-start", 1, 0x84000000);
		w_cells(w, "linux,initrd-end", 1, 0x84000000);
		break;
	default:	/* 3-cell end: not a number */
		w_cells(w, "linux,initrd-start", 1, 0x84000000);
		w_cells(w, "linux,initrd-end", 3, 0, 0, 0x84100000);
		break;
	}
	w_str(w, "bootargs", "console=ttyS0 quiet");
}

static bool t_initrd(void)
{
	const char *h = STD_HEAD "harts: 0\nconsole: none\n";
	char want[512];
	bool ok;

	snprintf(want, sizeof(want), "%sreserved: 0x84000000-0x84100000 "
		 "initrd\nbootargs: console=ttyS0 quiet\ninitrd: "
		 "0x84000000-0x84100000\n", h);
	ok = expect(with_chosen(initrd_cells, 0), 0, want, "initrd 32-bit");
	snprintf(want, sizeof(want), "%sreserved: 0x100000000-0x100200000 "
		 "initrd\nbootargs: console=ttyS0 quiet\ninitrd: "
		 "0x100000000-0x100200000\n", h);
	ok &= expect(with_chosen(initrd_cells, 1), 0, want, "initrd 64-bit");
	snprintf(want, sizeof(want), "%sreserved: 0x84000000-0x84001000 "
		 "initrd\nbootargs: console=ttyS0 quiet\ninitrd: "
		 "0x84000000-0x84001000\n", h);
	ok &= expect(with_chosen(initrd_cells, 2), 0, want, "initrd mixed");
	snprintf(want, sizeof(want), "%sbootargs: console=ttyS0 quiet\n", h);
	ok &= expect(with_chosen(initrd_cells, 3), 0, want, "initrd empty");
	return ok & expect(with_chosen(initrd_cells, 4), 0, want,
			   "initrd 12-byte end");
}

/* /aliases, /chosen and a /soc with two UARTs; @v selects the variant. */
static struct blob uart_tree(int v)
{
	struct w *w = w_new();
	struct blob b;

	std_root(w);
	std_cpus(w, 1);
	std_memory(w);
	w_begin(w, "aliases");
	w_str(w, "serial0", "/soc/serial@10000000");
	w_str(w, "serial1", "/soc/uart@10010000");
	w_end(w);
	w_begin(w, "chosen");
	if (v == 0)
		w_str(w, "stdout-path", "serial0:115200n8");
	if (v == 1)
		w_str(w, "linux,stdout-path", "/soc/serial:9600");
	if (v == 2)
		w_str(w, "stdout-path", "serial1");
	w_end(w);
	w_begin(w, "soc");
	w_cells(w, "#address-cells", 1, 2);
	w_cells(w, "#size-cells", 1, 2);
	w_prop(w, "ranges", NULL, 0);
	w_begin(w, "uart@10010000");
	w_prop(w, "compatible", "vendor,x\0sifive,uart0\0ns16550a", 31);
	w_cells(w, "reg", 4, 0, 0x10010000, 0, 0x1000);
	w_cells(w, "interrupts", 2, 4, 5);
	if (v == 2)
		w_str(w, "status", "disabled");
	w_end(w);
	w_begin(w, "serial@10000000");
	w_prop(w, "compatible", "starfive,jh7110-uart\0snps,dw-apb-uart", 38);
	w_cells(w, "reg", 4, 0, 0x10000000, 0, 0x10000);
	w_cells(w, "reg-shift", 1, 2);
	w_cells(w, "reg-io-width", 1, 4);
	w_cells(w, "clock-frequency", 1, 24000000);
	w_cells(w, "interrupts", 1, 32);
	w_end(w);
	w_end(w);
	w_end(w);
	b = w_finish(w);
	free(w);
	return b;
}

static bool t_stdout_alias(void)
{
	const char *dw = STD_HEAD "harts: 0\n"
		"console: snps,dw-apb-uart @ 0x10000000 shift 2 width 4\n"
		"uart: irq 32 clock 24000000 baud %s\n";
	char want[512];
	bool ok;

	snprintf(want, sizeof(want), dw, "115200");
	ok = expect(uart_tree(0), 0, want, "alias with options");
	snprintf(want, sizeof(want), dw, "9600");
	ok &= expect(uart_tree(1), 0, want, "legacy path, short name");
	snprintf(want, sizeof(want), dw, "0");
	ok &= expect(uart_tree(2), 0, want, "disabled stdout: fallback");
	return ok & expect(uart_tree(3), 0, STD_HEAD "harts: 0\n"
			   "console: sifive,uart0 @ 0x10010000 shift 0 width 1\n"
			   "uart: irq 4 clock 0 baud 0\n", "no stdout-path");
}

/* UART behind buses: @v 0 = two levels of real ranges, 1 = no ranges. */
static struct blob bus_tree(int v)
{
	struct w *w = w_new();
	struct blob b;

	std_root(w);
	std_cpus(w, 1);
	std_memory(w);
	w_begin(w, "chosen");
	w_str(w, "stdout-path", "/soc/bus@8000/serial@200:57600");
	w_end(w);
	w_begin(w, "soc");
	w_cells(w, "#address-cells", 1, 1);
	w_cells(w, "#size-cells", 1, 1);
	if (v == 0)	/* child 0x0.. -> parent 0x1_0000_0000.. and 0x0 */
		w_cells(w, "ranges", 8, 0x0, 0x1, 0x0, 0x1000,
			0x8000, 0x0, 0x10000000, 0x100000);
	w_begin(w, "bus@8000");
	w_cells(w, "#address-cells", 1, 1);
	w_cells(w, "#size-cells", 1, 1);
	w_cells(w, "ranges", 3, 0x0, 0x8000, 0x1000);
	w_begin(w, "serial@200");
	w_str(w, "compatible", "ns16550a");
	w_cells(w, "reg", 2, 0x200, 0x100);
	w_end(w);
	w_end(w);
	w_end(w);
	w_end(w);
	b = w_finish(w);
	free(w);
	return b;
}

static bool t_ranges(void)
{
	bool ok = expect(bus_tree(0), 0, STD_HEAD "harts: 0\n"
			 "console: ns16550a @ 0x10000200 shift 0 width 1\n"
			 "uart: irq 0 clock 0 baud 57600\n", "two-level ranges");

	return ok & expect(bus_tree(1), 0, STD_HEAD "harts: 0\n"
			   "console: none\n", "bus without ranges");
}

static bool t_partial_reg(void)
{
	struct w *w = w_new();
	struct blob b;

	std_root(w);
	std_cpus(w, 1);
	w_begin(w, "memory@80000000");
	w_str(w, "device_type", "memory");
	w_cells(w, "reg", 7, 0, 0x80000000, 0, 0x8000000, 0, 0x90000000, 0);
	w_end(w);
	w_begin(w, "memory@0");
	w_str(w, "device_type", "memory");
	w_cells(w, "reg", 8, 0, 0x0, 0, 0x0, 0xffffffff, 0xfffff000, 0, 0x1000);
	w_end(w);
	w_end(w);
	b = w_finish(w);
	free(w);
	return expect(b, 0, STD_HEAD "harts: 0\nconsole: none\n",
		      "partial trailing entry, empty and wrapping ranges");
}

static struct blob plic_tree(void)
{
	struct w *w = w_new();
	struct blob b;

	std_root(w);
	w_begin(w, "cpus");
	w_cells(w, "#address-cells", 1, 1);
	w_cells(w, "#size-cells", 1, 0);
	w_cells(w, "timebase-frequency", 1, 10000000);
	std_cpu(w, 0, NULL, "disabled");
	std_cpu(w, 1, "riscv,sv39", NULL);
	std_cpu(w, 2, "riscv,sv39", NULL);
	w_end(w);
	std_memory(w);
	w_begin(w, "soc");
	w_cells(w, "#address-cells", 1, 2);
	w_cells(w, "#size-cells", 1, 2);
	w_prop(w, "ranges", NULL, 0);
	w_begin(w, "interrupt-controller@c000000");
	w_prop(w, "compatible", "vendor,plic\0sifive,plic-1.0.0", 30);
	w_cells(w, "reg", 4, 0, 0xc000000, 0, 0x4000000);
	w_cells(w, "riscv,ndev", 1, 136);
	w_cells(w, "phandle", 1, 0x50);
	w_cells(w, "interrupts-extended", 15,
		0x100, 0xffffffff,	/* ctx 0: hart 0 M-mode, rewritten */
		0x102, 9,		/* ctx 1: hart 2 S */
		0x101, 0xffffffff,	/* ctx 2 */
		0x101, 9,		/* ctx 3: hart 1 S */
		0x777, 9,		/* ctx 4: unknown phandle */
		0x50, 9,		/* ctx 5: not a cpu intc */
		0xffffffff, 9,		/* ctx 6: invalid phandle */
		0x100);			/* odd trailing cell */
	w_end(w);
	w_begin(w, "test@100000");
	w_prop(w, "compatible", "sifive,test1\0sifive,test0\0syscon", 33);
	w_cells(w, "reg", 4, 0, 0x100000, 0, 0x1000);
	w_end(w);
	w_end(w);
	w_end(w);
	b = w_finish(w);
	free(w);
	return b;
}

static bool t_plic(void)
{
	return expect(plic_tree(), 0, STD_HEAD "harts: 1 2\nconsole: none\n"
		      "plic: 0xc000000 ndev 136 contexts 1:3 2:1\n"
		      "test: 0x100000\n", "plic contexts");
}

static struct blob harts_tree(int v)
{
	struct w *w = w_new();
	struct blob b;

	std_root(w);
	w_begin(w, "cpus");
	w_cells(w, "#address-cells", 1, 1);
	w_cells(w, "#size-cells", 1, 0);
	if (v != 1)
		w_cells(w, "timebase-frequency", 1, 10000000);
	std_cpu(w, 0, "riscv,none", NULL);
	std_cpu(w, 1, NULL, NULL);
	std_cpu(w, 2, "riscv,sv39", "disabled");
	std_cpu(w, 3, "riscv,sv32", "okay");
	if (v != 2) {
		std_cpu(w, 7, "riscv,sv57", "ok");
		std_cpu(w, 4, "riscv,sv48", "okay");
		std_cpu(w, 4, "riscv,sv39", NULL);	/* duplicate id */
	}
	if (v == 1) {
		w_begin(w, "cpu@9");
		w_str(w, "device_type", "cpu");
		w_cells(w, "timebase-frequency", 2, 1, 0);
		w_end(w);
	}
	w_end(w);
	std_memory(w);
	w_end(w);
	b = w_finish(w);
	free(w);
	return b;
}

static bool t_harts(void)
{
	bool ok = expect(harts_tree(0), 0, STD_HEAD "harts: 4 7\n"
			 "console: none\n", "hart filters");

	ok &= expect(harts_tree(1), 0,
		     "platform: test,board timebase 4294967296\n"
		     "memory: 0x80000000-0x88000000 (128 MiB)\n"
		     "harts: 4 7\nconsole: none\n", "timebase on a cpu, 64-bit");
	return ok & expect(harts_tree(2), -NH_ENOENT, NULL, "no usable hart");
}

static bool t_missing_facts(void)
{
	struct w *w = w_new();
	struct blob b;
	bool ok;

	std_root(w);
	std_cpus(w, 1);
	w_end(w);
	b = w_finish(w);
	ok = expect(b, -NH_ENOENT, NULL, "no memory");
	memset(w, 0, sizeof(*w));
	w_begin(w, "");
	w_cells(w, "#address-cells", 1, 3);
	std_cpus(w, 1);
	std_memory(w);
	w_end(w);
	b = w_finish(w);
	free(w);
	return ok & expect(b, -NH_ENOENT, NULL, "#address-cells 3");
}

static bool t_overflow(void)
{
	struct w *w = w_new();
	struct blob b;

	std_root(w);
	std_cpus(w, 1);
	for (uint32_t i = 0; i < PLAT_MAX_MEM + 1; i++) {
		char name[32];

		snprintf(name, sizeof(name), "memory@%x", 0x80000000 + i * 0x1000000);
		w_begin(w, name);
		w_str(w, "device_type", "memory");
		w_cells(w, "reg", 4, 0, 0x80000000 + i * 0x1000000, 0, 0x1000000);
		w_end(w);
	}
	w_end(w);
	b = w_finish(w);
	free(w);
	return expect(b, -NH_ENOSPC, NULL, "17 memory ranges");
}

static bool t_strings(void)
{
	struct w *w = w_new();
	struct blob b;

	w_begin(w, "");
	w_prop(w, "model", "no-nul", 6);
	std_cpus(w, 1);
	w_begin(w, "memory@80000000");
	w_prop(w, "device_type", "memory", 6);	/* no NUL: absent */
	w_cells(w, "reg", 3, 0, 0x80000000, 0x1000000);
	w_end(w);
	w_begin(w, "memory@90000000");
	w_str(w, "device_type", "memory");
	w_prop(w, "status", "okay", 4);		/* no NUL: not okay */
	w_cells(w, "reg", 3, 0, 0x90000000, 0x1000000);
	w_end(w);
	w_begin(w, "memory@a0000000");
	w_str(w, "device_type", "memory");
	w_cells(w, "reg", 3, 0, 0xa0000000, 0x1000000);	/* 2/1 default */
	w_end(w);
	w_end(w);
	b = w_finish(w);
	free(w);
	return expect(b, 0, "platform:  timebase 10000000\n"
		      "memory: 0xa0000000-0xa1000000 (16 MiB)\n"
		      "harts: 0\nconsole: none\n", "strings without NUL");
}

static bool t_reserved(void)
{
	struct w *w = w_new();
	struct blob b;

	w->rsv[0][0] = 0x80000000;
	w->rsv[0][1] = 0x80000;
	w->rsv[1][0] = 0x87000000;
	w->rsv[1][1] = 0x1000;
	w->nrsv = 2;
	std_root(w);
	std_cpus(w, 1);
	std_memory(w);
	w_begin(w, "reserved-memory");
	w_cells(w, "#address-cells", 1, 1);
	w_cells(w, "#size-cells", 1, 1);
	w_prop(w, "ranges", NULL, 0);
	w_begin(w, "mmode_resv0@80000000");
	w_cells(w, "reg", 2, 0x80000000, 0x40000);
	w_end(w);
	w_begin(w, "fb@86000000");
	w_cells(w, "reg", 4, 0x86000000, 0x100000, 0x86800000, 0x1000);
	w_prop(w, "no-map", NULL, 0);
	w_end(w);
	w_begin(w, "dyn-pool");
	w_cells(w, "size", 1, 0x100000);
	w_end(w);
	w_begin(w, "off@85000000");
	w_cells(w, "reg", 2, 0x85000000, 0x1000);
	w_str(w, "status", "disabled");
	w_end(w);
	w_end(w);
	w_end(w);
	b = w_finish(w);
	free(w);
	return expect(b, 0, STD_HEAD "harts: 0\nconsole: none\n"
		      "reserved: 0x80000000-0x80040000 mmode_resv0@80000000\n"
		      "reserved: 0x80000000-0x80080000 memreserve\n"
		      "reserved: 0x86000000-0x86100000 fb@86000000 no-map\n"
		      "reserved: 0x86800000-0x86801000 fb@86000000 no-map\n"
		      "reserved: 0x87000000-0x87001000 memreserve\n",
		      "reserved ranges");
}

const struct hostile_test hostile_tests[] = {
	{ "hostile_standard_tree", t_std_tree },
	{ "hostile_bad_magic", t_bad_magic },
	{ "hostile_bad_version", t_bad_version },
	{ "hostile_totalsize_beyond_avail", t_totalsize },
	{ "hostile_strings_beyond_end", t_strings_beyond },
	{ "hostile_overlapping_blocks", t_overlap },
	{ "hostile_unterminated_node_name", t_unterminated_name },
	{ "hostile_unterminated_prop_name", t_unterminated_propname },
	{ "hostile_nesting_depth", t_nesting },
	{ "hostile_missing_fdt_end", t_missing_end },
	{ "hostile_prop_outside_node", t_prop_outside },
	{ "hostile_bad_token", t_bad_token },
	{ "rule_initrd_cells", t_initrd },
	{ "rule_stdout_path_alias", t_stdout_alias },
	{ "rule_ranges_translation", t_ranges },
	{ "rule_partial_reg_entry", t_partial_reg },
	{ "rule_plic_contexts", t_plic },
	{ "rule_harts", t_harts },
	{ "rule_missing_facts", t_missing_facts },
	{ "rule_table_overflow", t_overflow },
	{ "rule_strings_without_nul", t_strings },
	{ "rule_reserved_ranges", t_reserved },
};

const size_t hostile_ntests = sizeof(hostile_tests) / sizeof(hostile_tests[0]);
