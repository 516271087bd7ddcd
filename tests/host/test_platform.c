/*
 * Host tests for the device-tree parser (kernel/lib/fdt.c, kernel/lib/platform.c).
 *
 *   test_platform DIR...      every *.dtb in each DIR is a fixture
 *
 * For each fixture: platform_parse() must agree field by field with the
 * libfdt-based oracle (ref_platform.c); every truncation must be
 * rejected; seeded random byte flips must give an error or, when libfdt's
 * fdt_check_full() accepts the mutated blob, exactly the oracle's result.
 * Then hand-made blobs (tiny writer below) check each documented rule
 * with exact expectations.  Output is KTAP version 1.
 */
#include <dirent.h>
#include <libfdt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdt_why.h"
#include "hostile.h"
#include "ktap.h"
#include "lib/platform.h"
#include "ref_platform.h"
#include <nuthatch/errno.h>

#define MAX_FIXTURES	64
#define FLIPS		2000
#define BLOB_PA		0x82200000ull

struct fixture {
	char path[512];
	char name[128];
	uint8_t *blob;
	size_t len;
};

static struct fixture fixtures[MAX_FIXTURES];
static int nfixtures;
static struct platform mine, ref;

/* ---- comparing two results ---------------------------------------- */

#define DIFF(cond, ...) do { if (cond) { ktap_diag(__VA_ARGS__); return false; } } while (0)

static bool same_uart(const struct plat_uart *a, const struct plat_uart *b)
{
	DIFF(a->kind != b->kind || strcmp(a->compatible, b->compatible),
	     "console: %d %s vs ref %d %s", a->kind, a->compatible, b->kind,
	     b->compatible);
	DIFF(a->base != b->base || a->size != b->size,
	     "console reg 0x%llx+0x%llx vs ref 0x%llx+0x%llx",
	     (unsigned long long)a->base, (unsigned long long)a->size,
	     (unsigned long long)b->base, (unsigned long long)b->size);
	DIFF(a->reg_shift != b->reg_shift || a->reg_io_width != b->reg_io_width ||
	     a->irq != b->irq || a->clock_hz != b->clock_hz || a->baud != b->baud,
	     "console shift/width/irq/clock/baud %u/%u/%u/%u/%u vs ref "
	     "%u/%u/%u/%u/%u", a->reg_shift, a->reg_io_width, a->irq,
	     a->clock_hz, a->baud, b->reg_shift, b->reg_io_width, b->irq,
	     b->clock_hz, b->baud);
	return true;
}

static bool same_plic(const struct plat_plic *a, const struct plat_plic *b)
{
	DIFF(a->present != b->present || a->base != b->base ||
	     a->size != b->size || a->ndev != b->ndev || a->nctx != b->nctx,
	     "plic %d 0x%llx+0x%llx ndev %u nctx %u vs ref %d 0x%llx+0x%llx "
	     "ndev %u nctx %u", a->present, (unsigned long long)a->base,
	     (unsigned long long)a->size, a->ndev, a->nctx, b->present,
	     (unsigned long long)b->base, (unsigned long long)b->size,
	     b->ndev, b->nctx);
	for (unsigned i = 0; i < a->nctx; i++)
		DIFF(a->sctx[i].hartid != b->sctx[i].hartid ||
		     a->sctx[i].ctx != b->sctx[i].ctx,
		     "plic sctx[%u] %u:%u vs ref %u:%u", i, a->sctx[i].hartid,
		     a->sctx[i].ctx, b->sctx[i].hartid, b->sctx[i].ctx);
	return true;
}

static bool same_rsv(const struct platform *a, const struct platform *b)
{
	DIFF(a->nrsv != b->nrsv, "nrsv %u vs ref %u", a->nrsv, b->nrsv);
	for (unsigned i = 0; i < a->nrsv; i++) {
		const struct plat_rsv *x = &a->rsv[i], *y = &b->rsv[i];

		DIFF(x->base != y->base || x->size != y->size ||
		     x->kind != y->kind || x->nomap != y->nomap ||
		     strcmp(x->name, y->name),
		     "rsv[%u] 0x%llx+0x%llx k%d n%d %s vs ref 0x%llx+0x%llx "
		     "k%d n%d %s", i, (unsigned long long)x->base,
		     (unsigned long long)x->size, x->kind, x->nomap, x->name,
		     (unsigned long long)y->base, (unsigned long long)y->size,
		     y->kind, y->nomap, y->name);
	}
	return true;
}

static bool same_platform(const struct platform *a, const struct platform *b)
{
	DIFF(strcmp(a->model, b->model), "model '%s' vs ref '%s'", a->model,
	     b->model);
	DIFF(a->timebase_hz != b->timebase_hz || a->dtb_size != b->dtb_size,
	     "timebase/dtb_size differ");
	DIFF(a->nmem != b->nmem, "nmem %u vs ref %u", a->nmem, b->nmem);
	for (unsigned i = 0; i < a->nmem; i++)
		DIFF(a->mem[i].base != b->mem[i].base ||
		     a->mem[i].size != b->mem[i].size, "mem[%u] differs", i);
	DIFF(a->nharts != b->nharts, "nharts %u vs ref %u", a->nharts,
	     b->nharts);
	for (unsigned i = 0; i < a->nharts; i++)
		DIFF(a->harts[i] != b->harts[i], "harts[%u] %u vs ref %u", i,
		     a->harts[i], b->harts[i]);
	DIFF(strcmp(a->bootargs, b->bootargs), "bootargs differ");
	DIFF(a->has_initrd != b->has_initrd ||
	     a->initrd_start != b->initrd_start ||
	     a->initrd_end != b->initrd_end, "initrd differs");
	DIFF(a->has_console != b->has_console, "has_console %d vs ref %d",
	     a->has_console, b->has_console);
	DIFF(a->has_test != b->has_test || a->test_base != b->test_base,
	     "test device differs");
	DIFF(a->ndevs != b->ndevs || a->ndevs_dropped != b->ndevs_dropped,
	     "devices %u+%u vs ref %u+%u", a->ndevs, a->ndevs_dropped,
	     b->ndevs, b->ndevs_dropped);
	for (unsigned i = 0; i < a->ndevs; i++)
		DIFF(strcmp(a->devs[i].compatible, b->devs[i].compatible) ||
		     a->devs[i].base != b->devs[i].base ||
		     a->devs[i].size != b->devs[i].size ||
		     a->devs[i].irq != b->devs[i].irq, "devs[%u] (%s) differs",
		     i, a->devs[i].compatible);
	return same_rsv(a, b) && (!a->has_console ||
				  same_uart(&a->console, &b->console)) &&
	       same_plic(&a->plic, &b->plic);
}

/* ---- printing ----------------------------------------------------- */

struct text {
	char buf[16384];
	size_t len;
};

static void add_line(void *ctx, const char *s)
{
	struct text *t = ctx;
	int n = snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "%s\n", s);

	if (n > 0 && (size_t)n < sizeof(t->buf) - t->len)
		t->len += (size_t)n;
}

const char *print_of(const struct platform *p)
{
	static struct text t;

	t.len = 0;
	t.buf[0] = '\0';
	platform_print(p, add_line, &t);
	return t.buf;
}

/* ---- one blob against the oracle ---------------------------------- */

/*
 * Parse @blob[0..len) (an exact-size heap copy, so ASan sees any
 * overread).  Fine if rejected; if accepted (even with ENOENT/ENOSPC),
 * libfdt must accept the blob and the oracle must agree exactly.
 */
bool check_blob(const uint8_t *src, size_t len, struct tally *t,
		const char *what)
{
	uint8_t *b = malloc(len ? len : 1);
	bool ok = true;
	int rc, lc, rr;

	memcpy(b, src, len);
	rc = platform_parse(&mine, b, len, BLOB_PA);
	if (rc == 0)
		print_of(&mine);
	lc = len >= sizeof(struct fdt_header) ? fdt_check_full(b, len) : -1;
	if (rc == -NH_EBADMSG) {
		t->rejected++;
		if (lc == 0) {
			t->stricter++;
			if (getenv("TP_VERBOSE"))
				ktap_diag("%s: rejected (%s), libfdt accepts",
					  what, fdt_why(b, len));
		}
		goto out;
	}
	t->accepted++;
	if (lc != 0) {
		ktap_diag("%s: parser returned %d but libfdt rejects (%d)",
			  what, rc, lc);
		ok = false;
		goto out;
	}
	rr = ref_platform_parse(&ref, b, BLOB_PA);
	if (rr != rc) {
		ktap_diag("%s: parser %d, reference %d", what, rc, rr);
		ok = false;
	} else if (rc == 0 && !same_platform(&mine, &ref)) {
		ktap_diag("%s: results differ", what);
		ok = false;
	}
out:
	free(b);
	return ok;
}

/* ---- fixtures ----------------------------------------------------- */

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (n < 0 || fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct fixture *)a)->path,
		      ((const struct fixture *)b)->path);
}

static void load_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		ktap_diag("fixture directory %s: not found", dir);
		return;
	}
	while ((e = readdir(d)) && nfixtures < MAX_FIXTURES) {
		size_t n = strlen(e->d_name);
		struct fixture *fx = &fixtures[nfixtures];

		if (n < 5 || strcmp(e->d_name + n - 4, ".dtb"))
			continue;
		snprintf(fx->path, sizeof(fx->path), "%s/%s", dir, e->d_name);
		snprintf(fx->name, sizeof(fx->name), "%.*s", (int)(n - 4),
			 e->d_name);
		for (char *c = fx->name; *c; c++)
			if (*c == '#' || *c == ' ')
				*c = '_';
		nfixtures++;
	}
	closedir(d);
}

/* Known first lines of the shared fixtures (platform.h's format). */
static const struct {
	const char *name;
	const char *head;
} expected[] = {
	{ "jh7110-starfive-visionfive-2-v1.3b",
	  "platform: StarFive VisionFive 2 v1.3B timebase 4000000\n"
	  "memory: 0x40000000-0x140000000 (4096 MiB)\n"
	  "harts: 1 2 3 4\n"
	  "console: snps,dw-apb-uart @ 0x10000000 shift 2 width 4\n"
	  "reserved: 0x82200000-0x82207c73 dtb\n"
	  "uart: irq 32 clock 0 baud 115200\n"
	  "plic: 0xc000000 ndev 136 contexts 1:2 2:4 3:6 4:8\n" },
	{ "qemu-virt-smp1-128M",
	  "platform: riscv-virtio,qemu timebase 10000000\n"
	  "memory: 0x80000000-0x88000000 (128 MiB)\n"
	  "harts: 0\n"
	  "console: ns16550a @ 0x10000000 shift 0 width 1\n" },
	{ "qemu-virt-smp1-1G",
	  "platform: riscv-virtio,qemu timebase 10000000\n"
	  "memory: 0x80000000-0xc0000000 (1024 MiB)\n"
	  "harts: 0\n"
	  "console: ns16550a @ 0x10000000 shift 0 width 1\n" },
	{ "qemu-virt-smp4-128M",
	  "platform: riscv-virtio,qemu timebase 10000000\n"
	  "memory: 0x80000000-0x88000000 (128 MiB)\n"
	  "harts: 0 1 2 3\n"
	  "console: ns16550a @ 0x10000000 shift 0 width 1\n"
	  "reserved: 0x82200000-0x822014ce dtb\n"
	  "uart: irq 10 clock 3686400 baud 0\n"
	  "plic: 0xc000000 ndev 96 contexts 0:1 1:3 2:5 3:7\n"
	  "test: 0x100000\n" },
	{ "qemu-virt-smp4-1G",
	  "platform: riscv-virtio,qemu timebase 10000000\n"
	  "memory: 0x80000000-0xc0000000 (1024 MiB)\n"
	  "harts: 0 1 2 3\n"
	  "console: ns16550a @ 0x10000000 shift 0 width 1\n" },
};

static bool check_expected(const struct fixture *fx, const char *out)
{
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		if (strcmp(fx->name, expected[i].name))
			continue;
		if (strncmp(out, expected[i].head, strlen(expected[i].head))) {
			ktap_diag("got:\n%s# want to start with:\n%s", out,
				  expected[i].head);
			return false;
		}
	}
	return true;
}

static bool test_fixture(const struct fixture *fx)
{
	int rc, lc, rr;

	if (!fx->blob) {
		ktap_diag("%s: cannot read", fx->path);
		return false;
	}
	rc = platform_parse(&mine, fx->blob, fx->len, BLOB_PA);
	lc = fdt_check_full(fx->blob, fx->len);
	rr = lc == 0 ? ref_platform_parse(&ref, fx->blob, BLOB_PA) : lc;
	if (rc != 0 || rr != 0) {
		ktap_diag("%s: parser %d, libfdt %d, reference %d", fx->name,
			  rc, lc, rr);
		return false;
	}
	return same_platform(&mine, &ref) && check_expected(fx, print_of(&mine));
}

static uint32_t get32(const uint8_t *b, size_t off)
{
	return (uint32_t)b[off] << 24 | (uint32_t)b[off + 1] << 16 |
	       (uint32_t)b[off + 2] << 8 | b[off + 3];
}

static void put32(uint8_t *b, size_t off, uint32_t v)
{
	b[off] = (uint8_t)(v >> 24);
	b[off + 1] = (uint8_t)(v >> 16);
	b[off + 2] = (uint8_t)(v >> 8);
	b[off + 3] = (uint8_t)v;
}

/*
 * Every truncation n < totalsize: (a) the whole buffer with avail = n,
 * (b) an exact n-byte copy keeping the header, both must be rejected;
 * (c) an exact copy whose header claims totalsize = n: error or oracle.
 */
static bool test_truncate(const struct fixture *fx)
{
	struct tally t = { 0, 0, 0 };
	uint32_t total = fx->len >= 8 ? get32(fx->blob, 4) : 0;
	bool ok = total > 0 && total <= fx->len;

	for (uint32_t n = 0; ok && n < total; n++) {
		uint8_t *cut = malloc(n ? n : 1);
		char what[64];

		memcpy(cut, fx->blob, n);
		if (platform_parse(&mine, fx->blob, n, BLOB_PA) != -NH_EBADMSG ||
		    platform_parse(&mine, cut, n, BLOB_PA) != -NH_EBADMSG) {
			ktap_diag("truncated at %u not rejected", n);
			ok = false;
		}
		if (n >= 8)
			put32(cut, 4, n);
		snprintf(what, sizeof(what), "totalsize %u", n);
		ok &= check_blob(cut, n, &t, what);
		free(cut);
	}
	ktap_diag("%s: %u truncations, patched-totalsize: %u rejected, %u "
		  "accepted", fx->name, total, t.rejected, t.accepted);
	return ok;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t seed_of(const char *name)
{
	uint64_t h = 1469598103934665603ull;

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 1099511628211ull;
	return h ? h : 1;
}

/* Pick a byte to flip: anywhere, in the header, or in the struct block. */
static size_t flip_pos(const struct fixture *fx, uint64_t *s, int mode)
{
	uint32_t soff = get32(fx->blob, 8), ssize = get32(fx->blob, 36);

	if (mode == 1)
		return rng_next(s) % 40;
	if (mode == 2 && soff < fx->len && ssize && ssize <= fx->len - soff)
		return soff + rng_next(s) % ssize;
	return rng_next(s) % fx->len;
}

static bool test_flips(const struct fixture *fx)
{
	struct tally t = { 0, 0, 0 };
	uint64_t s = seed_of(fx->name);
	uint8_t *m = malloc(fx->len);
	bool ok = fx->len >= 40;

	for (int i = 0; ok && i < FLIPS; i++) {
		int nflip = 1 + (int)(rng_next(&s) % 4);
		char what[96];

		memcpy(m, fx->blob, fx->len);
		for (int k = 0; k < nflip; k++)
			m[flip_pos(fx, &s, i % 3)] ^= (uint8_t)(1 + rng_next(&s) % 255);
		snprintf(what, sizeof(what), "%s flip #%d", fx->name, i);
		ok &= check_blob(m, fx->len, &t, what + 0);
	}
	free(m);
	ktap_diag("%s: %d mutations: %u rejected (%u of them libfdt accepts), "
		  "%u accepted and equal to the oracle", fx->name, FLIPS,
		  t.rejected, t.stricter, t.accepted);
	return ok;
}

int main(int argc, char **argv)
{
	int ntests;

	for (int i = 1; i < argc; i++)
		load_dir(argv[i]);
	qsort(fixtures, (size_t)nfixtures, sizeof(fixtures[0]), by_name);
	for (int i = 0; i < nfixtures; i++)
		fixtures[i].blob = slurp(fixtures[i].path, &fixtures[i].len);
	ntests = 3 * nfixtures + (int)hostile_ntests + 1;
	ktap_begin(ntests);
	for (int i = 0; i < nfixtures; i++) {
		char name[192];
		const struct fixture *fx = &fixtures[i];

		snprintf(name, sizeof(name), "fixture_%s", fx->name);
		ktap_result(test_fixture(fx), name);
		snprintf(name, sizeof(name), "truncate_%s", fx->name);
		ktap_result(fx->blob && test_truncate(fx), name);
		snprintf(name, sizeof(name), "flip_%s", fx->name);
		ktap_result(fx->blob && test_flips(fx), name);
	}
	ktap_result(nfixtures > 0, "fixtures_found");
	for (size_t i = 0; i < hostile_ntests; i++)
		ktap_result(hostile_tests[i].fn(), hostile_tests[i].name);
	for (int i = 0; i < nfixtures; i++)
		free(fixtures[i].blob);
	return ktap_end();
}
