/*
 * Host tests for the frame pool (kernel/lib/framepool.c) over fake
 * physical memory.  Each fake RAM range is a host buffer ("window") filled
 * with a poison byte; phys_to_virt translates into the windows and aborts
 * on any other address.  A table of memory maps is checked against a model
 * computed here from the map alone: which pages are frames, where the
 * metadata goes (given by hand), which frames a fresh pool hands out and
 * in what order, that nothing outside the metadata is written.  Then
 * refcounting, invalid operations (no state change), too many frames, and
 * a seeded random alloc/ref/put run against a model of refcounts and of
 * the LIFO free list.  Output is KTAP; fixture arguments are ignored.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "ktap.h"
#include "lib/framepool.h"

#define PG		FRAME_SIZE
#define POISON		0xa5
#define MAX_WIN		4
#define RANDOM_OPS	100000

struct range {
	uint64_t base, size;
};

/* Fake RAM: [base, base + size) lives in buf. */
struct window {
	uint64_t base, size;
	unsigned char *buf;
};

static struct window win[MAX_WIN];
static unsigned nwin;

static void *fake_phys_to_virt(uint64_t pa)
{
	for (unsigned i = 0; i < nwin; i++)
		if (pa >= win[i].base && pa - win[i].base < win[i].size)
			return win[i].buf + (pa - win[i].base);
	fprintf(stderr, "phys_to_virt(0x%" PRIx64 "): no fake RAM there\n", pa);
	abort();
}

static void windows_map(const struct range *r, unsigned n)
{
	nwin = n;
	for (unsigned i = 0; i < n; i++) {
		win[i] = (struct window){ r[i].base, r[i].size, malloc(r[i].size) };
		if (!win[i].buf)
			abort();
		memset(win[i].buf, POISON, r[i].size);
	}
}

static void windows_unmap(void)
{
	for (unsigned i = 0; i < nwin; i++)
		free(win[i].buf);
	nwin = 0;
}

/* True if every byte of the windows outside [skip, skip_end) is poison. */
static bool windows_untouched(uint64_t skip, uint64_t skip_end)
{
	for (unsigned i = 0; i < nwin; i++) {
		for (uint64_t off = 0; off < win[i].size; off++) {
			uint64_t pa = win[i].base + off;

			if ((pa < skip || pa >= skip_end) && win[i].buf[off] != POISON) {
				ktap_diag("byte at 0x%" PRIx64 " written outside "
					  "the metadata", pa);
				return false;
			}
		}
	}
	return true;
}

/* ---- The model: what a pool over a platform must be, from the map. ---- */

/* Page [pa, pa + PG) lies wholly inside @r. */
static bool page_in(const struct range *r, uint64_t pa)
{
	return pa >= r->base && pa - r->base < r->size &&
	       r->size - (pa - r->base) >= PG;
}

static bool page_in_mem(const struct platform *p, unsigned n, uint64_t pa)
{
	for (unsigned i = 0; i < n; i++)
		if (page_in(&(struct range){ p->mem[i].base, p->mem[i].size }, pa))
			return true;
	return false;
}

static bool page_reserved(const struct platform *p, uint64_t pa)
{
	for (unsigned i = 0; i < p->nrsv; i++) {
		const struct plat_rsv *r = &p->rsv[i];

		if (r->size && r->base < pa + PG && pa < r->base + r->size)
			return true;
	}
	return false;
}

/* Call @fn on every page that is a frame of @p (in some memory range), ascending, once each. */
static void walk_pages(const struct platform *p,
		       void (*fn)(void *ctx, uint64_t pa), void *ctx)
{
	for (unsigned i = 0; i < p->nmem; i++) {
		struct range r = { p->mem[i].base, p->mem[i].size };
		uint64_t pa = (r.base + PG - 1) & ~(PG - 1);

		for (; page_in(&r, pa); pa += PG)
			if (!page_in_mem(p, i, pa))
				fn(ctx, pa);
	}
}

struct frame_list {
	const struct platform *p;
	bool free_only;			/* when building: skip the rest */
	uint64_t meta, meta_end;	/* when building: the metadata */
	uint64_t *pa;
	size_t n, cap;
};

static void count_page(void *ctx, uint64_t pa)
{
	(void)pa;
	((struct frame_list *)ctx)->cap++;
}

static void add_page(void *ctx, uint64_t pa)
{
	struct frame_list *l = ctx;

	if (!l->free_only ||
	    (!page_reserved(l->p, pa) && (pa < l->meta || pa >= l->meta_end)))
		l->pa[l->n++] = pa;
}

static uint64_t model_frames(const struct platform *p)
{
	struct frame_list l = { .p = p };

	walk_pages(p, count_page, &l);
	return l.cap;
}

static uint64_t model_meta_size(const struct platform *p)
{
	return (model_frames(p) * sizeof(struct frame_meta) + PG - 1) & ~(PG - 1);
}

static struct frame_list model_list(const struct platform *p, bool free_only,
				    uint64_t meta)
{
	struct frame_list l = { .p = p, .free_only = free_only, .meta = meta };

	l.meta_end = meta + model_meta_size(p);
	walk_pages(p, count_page, &l);
	l.pa = malloc((l.cap + 1) * sizeof(*l.pa));
	if (!l.pa)
		abort();
	walk_pages(p, add_page, &l);
	return l;
}

/* The frames a fresh pool must hand out, in order (ascending). */
static struct frame_list model_free(const struct platform *p, uint64_t meta)
{
	return model_list(p, true, meta);
}

/* Every frame of a pool over @p, ascending. */
static struct frame_list model_all(const struct platform *p)
{
	return model_list(p, false, 0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool list_has(const struct frame_list *l, uint64_t pa)
{
	return bsearch(&pa, l->pa, l->n, sizeof(*l->pa), cmp_u64) != NULL;
}

/* ---- Memory maps and what a fresh pool over each must look like. ---- */

struct pool_case {
	const char *name;
	struct range mem[4];
	unsigned nmem;
	struct range rsv[6];
	unsigned nrsv;
	bool nomap;
	struct range win[2];	/* fake RAM; size 0: the memory ranges */
	int want_err;
	uint64_t want_meta;	/* by hand */
	uint64_t want_usable;	/* by hand */
};

#define B0	0x80000000ull
#define LO	0x40000000ull
#define HI	0x100000000ull
#define TOP	0xffffffffff000000ull

static const struct pool_case cases[] = {
	{ "single_bank", { { B0, 0x400000 } }, 1, { { 0 } }, 0, false,
	  { { 0 } }, 0, B0, 1022 },
	{ "rsv_overlapping", { { B0, 0x400000 } }, 1,
	  { { B0 + 0x100000, 0x10000 }, { B0 + 0x108000, 0x10000 },
	    { B0 + 0x10c000, 0x1000 } }, 3, false, { { 0 } }, 0, B0, 998 },
	{ "rsv_touching", { { B0, 0x400000 } }, 1,
	  { { B0, 0x1000 }, { B0 + 0x1000, 0x1000 },
	    { B0 + 0x200000, 0x3000 }, { B0 + 0x203000, 0x2000 } }, 4, false,
	  { { 0 } }, 0, B0 + 0x2000, 1015 },
	{ "rsv_unaligned", { { B0, 0x400000 } }, 1,
	  { { B0 + 0x10, 0x10 }, { B0 + 0x300800, 0x1000 },
	    { B0 + 0x310fff, 2 }, { B0 + 0x320001, 1 } }, 4, false,
	  { { 0 } }, 0, B0 + 0x1000, 1016 },
	{ "rsv_whole_bank", { { B0, 0x100000 }, { B0 + 0x10000000, 0x100000 } }, 2,
	  { { B0, 0x100000 } }, 1, false, { { 0 } }, 0, B0 + 0x10000000, 255 },
	{ "rsv_past_bank_end", { { B0, 0x400000 }, { B0 + 0x800000, 0x100000 } }, 2,
	  { { B0 + 0x3fe800, 0x402000 } }, 1, false, { { 0 } }, 0, B0, 1274 },
	{ "rsv_before_first_bank", { { B0, 0x400000 } }, 1,
	  { { 0x1000, 0x2000 }, { B0 - 0x10000, 0x12000 } }, 2, false,
	  { { 0 } }, 0, B0 + 0x2000, 1020 },
	{ "rsv_zero_size", { { B0, 0x400000 } }, 1,
	  { { B0 + 0x1000, 0 }, { B0 + 0x3800, 0 }, { B0 + 0x10000000, 0 } }, 3,
	  false, { { 0 } }, 0, B0, 1022 },
	{ "rsv_nomap", { { B0, 0x400000 } }, 1, { { B0, 0x200000 } }, 1, true,
	  { { 0 } }, 0, B0 + 0x200000, 510 },
	{ "two_banks_gap", { { LO, 0x100000 }, { HI, 0x200000 } }, 2,
	  { { HI + 0x80000, 0x1000 } }, 1, false, { { 0 } }, 0, LO, 765 },
	{ "meta_later_span", { { LO, 0x400000 }, { HI, 0x400000 } }, 2,
	  { { LO + 0x2000, 0x1000 } }, 1, false, { { 0 } }, 0, LO + 0x3000, 2043 },
	{ "meta_later_bank", { { LO, 0x2000 }, { HI, 0x400000 } }, 2,
	  { { 0 } }, 0, false, { { 0 } }, 0, HI, 1023 },
	{ "meta_fits_nowhere", { { B0, 0x400000 } }, 1,
	  { { B0 + 0x1000, 0x1000 }, { B0 + 0x3000, 0x3fd000 } }, 2, false,
	  { { 0 } }, -NH_ENOMEM, 0, 0 },
	{ "all_reserved", { { B0, 0x100000 } }, 1, { { B0, 0x100000 } }, 1, false,
	  { { 0 } }, -NH_ENOMEM, 0, 0 },
	{ "no_memory", { { 0 } }, 0, { { 0 } }, 0, false,
	  { { 0 } }, -NH_ENOMEM, 0, 0 },
	{ "sub_page_memory", { { B0 + 0x800, 0x800 } }, 1, { { 0 } }, 0, false,
	  { { B0, 0x2000 } }, -NH_ENOMEM, 0, 0 },
	{ "mem_unaligned", { { B0 + 0x800, 0x100000 } }, 1, { { 0 } }, 0, false,
	  { { B0, 0x101000 } }, 0, B0 + 0x1000, 254 },
	{ "mem_overlapping",
	  { { B0, 0x200000 }, { B0 + 0x100000, 0x200000 },
	    { B0 + 0x100000, 0x200000 }, { B0 + 0x180000, 0x10000 } }, 4,
	  { { B0 + 0x180000, 0x1000 } }, 1, false, { { B0, 0x300000 } },
	  0, B0, 765 },
	{ "bank_8gib", { { B0, 0x200000000 } }, 1, { { B0, 0x200000 } }, 1, true,
	  { { B0 + 0x200000, 0x1000000 } }, 0, B0 + 0x200000,
	  0x200000 - 512 - 4096 },
	{ "bank_at_top_of_space", { { TOP, 0xffffff } }, 1,
	  { { TOP + 0xf00000, 0xfffff } }, 1, false, { { 0 } }, 0, TOP, 3832 },
};

static struct platform *case_platform(const struct pool_case *c)
{
	struct platform *p = calloc(1, sizeof(*p));

	if (!p)
		abort();
	p->nmem = c->nmem;
	for (unsigned i = 0; i < c->nmem; i++)
		p->mem[i] = (struct plat_range){ c->mem[i].base, c->mem[i].size };
	p->nrsv = c->nrsv;
	for (unsigned i = 0; i < c->nrsv; i++)
		p->rsv[i] = (struct plat_rsv){ .base = c->rsv[i].base,
					       .size = c->rsv[i].size,
					       .kind = PLAT_RSV_NODE,
					       .nomap = c->nomap };
	return p;
}

static void case_windows(const struct pool_case *c)
{
	if (c->win[0].size)
		windows_map(c->win, c->win[1].size ? 2 : 1);
	else
		windows_map(c->mem, c->nmem);
}

static bool expect_u64(const char *what, uint64_t got, uint64_t want)
{
	if (got == want)
		return true;
	ktap_diag("%s: got 0x%" PRIx64 ", want 0x%" PRIx64, what, got, want);
	return false;
}

/* Refcounts of every frame, and -EINVAL just outside each memory range. */
static bool check_refcounts(const struct frame_pool *pool,
			    const struct platform *p, const struct frame_list *l)
{
	struct frame_list all = model_all(p);
	bool ok = true;

	for (size_t i = 0; i < all.n && ok; i++) {
		uint64_t pa = all.pa[i];
		long want = list_has(l, pa) ? 0 : (long)FRAME_RESERVED;

		ok = expect_u64("refcount", frame_pool_refcount(pool, pa), want);
	}
	free(all.pa);
	for (unsigned i = 0; i < p->nmem && ok; i++) {
		uint64_t below = (p->mem[i].base & ~(PG - 1)) - PG;
		uint64_t end = p->mem[i].base + p->mem[i].size;
		uint64_t probes[] = { below, below + PG, end & ~(PG - 1), 0 };

		for (size_t k = 0; k < sizeof(probes) / sizeof(probes[0]); k++)
			if (!page_in_mem(p, p->nmem, probes[k]))
				ok &= expect_u64("refcount outside",
						 frame_pool_refcount(pool, probes[k]),
						 (uint64_t)-NH_EINVAL);
	}
	return ok;
}

/* A fresh pool hands out exactly @l, in order, then 0. */
static bool check_drain(struct frame_pool *pool, const struct frame_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		uint64_t pa = frame_pool_alloc(pool);

		if (pa != l->pa[i] || frame_pool_refcount(pool, pa) != 1) {
			ktap_diag("alloc %zu: got 0x%" PRIx64 ", want 0x%" PRIx64,
				  i, pa, l->pa[i]);
			return false;
		}
	}
	return expect_u64("alloc when empty", frame_pool_alloc(pool), 0) &&
	       expect_u64("nfree when empty", pool->nfree, 0);
}

/* Free all of @l, then the pool reallocates last-freed first. */
static bool check_refill(struct frame_pool *pool, const struct frame_list *l)
{
	bool ok = true;

	for (size_t i = 0; i < l->n && ok; i++)
		ok = expect_u64("put", frame_pool_put(pool, l->pa[i]), 0);
	ok = ok && expect_u64("nfree after freeing all", pool->nfree, l->n);
	for (size_t i = l->n; i > 0 && ok; i--)
		ok = expect_u64("realloc (LIFO)", frame_pool_alloc(pool), l->pa[i - 1]);
	ok = ok && expect_u64("alloc when empty again", frame_pool_alloc(pool), 0);
	for (size_t i = 0; i < l->n && ok; i++)
		ok = expect_u64("put", frame_pool_put(pool, l->pa[i]), 0);
	return ok && expect_u64("nfree restored", pool->nfree, l->n);
}

static bool check_fresh(struct frame_pool *pool, const struct platform *p,
			const struct pool_case *c)
{
	struct frame_list l = model_free(p, c->want_meta);
	uint64_t meta_end = c->want_meta + model_meta_size(p);
	bool ok;

	ok = expect_u64("model's free frames", l.n, c->want_usable) &&
	     expect_u64("meta_base", pool->meta_base, c->want_meta) &&
	     expect_u64("meta_size", pool->meta_size, model_meta_size(p)) &&
	     expect_u64("nusable", pool->nusable, l.n) &&
	     expect_u64("nfree", pool->nfree, l.n) &&
	     windows_untouched(c->want_meta, meta_end) &&
	     check_refcounts(pool, p, &l) && check_drain(pool, &l) &&
	     check_refill(pool, &l) && windows_untouched(c->want_meta, meta_end);
	free(l.pa);
	return ok;
}

static bool run_case(const struct pool_case *c)
{
	struct platform *p = case_platform(c);
	struct frame_pool pool;
	int err;
	bool ok;

	case_windows(c);
	err = frame_pool_init(&pool, p, fake_phys_to_virt);
	ok = expect_u64("frame_pool_init", (uint64_t)err, (uint64_t)c->want_err);
	if (ok && err)
		ok = windows_untouched(0, 0);
	else if (ok)
		ok = check_fresh(&pool, p, c);
	windows_unmap();
	free(p);
	return ok;
}

/* 2^32 frames (16 TiB) do not fit 32-bit indices; nothing is written. */
static bool test_too_many_frames(void)
{
	struct platform *p = calloc(1, sizeof(*p));
	struct frame_pool pool;
	bool ok;

	if (!p)
		abort();
	p->nmem = 2;
	p->mem[0] = (struct plat_range){ B0, 0x80000000000ull };
	p->mem[1] = (struct plat_range){ B0 + 0x100000000000ull, 0x80000000000ull };
	ok = expect_u64("init 2 x 8 TiB", frame_pool_init(&pool, p, fake_phys_to_virt),
			(uint64_t)-NH_ERANGE);
	p->nmem = 1;
	p->mem[0].size = 0x100000000000ull;
	ok &= expect_u64("init 16 TiB", frame_pool_init(&pool, p, fake_phys_to_virt),
			 (uint64_t)-NH_ERANGE);
	free(p);
	return ok;
}

/* ---- Refcounts and invalid operations on a small pool. ---- */

/* 256 frames at B0: metadata at B0 (1 page), B0 + 0x80000 reserved. */
static const struct pool_case small = {
	"small", { { B0, 0x100000 } }, 1, { { B0 + 0x80000, 0x1000 } }, 1,
	false, { { 0 } }, 0, B0, 254,
};

static bool small_pool(struct frame_pool *pool, struct platform **pp)
{
	*pp = case_platform(&small);
	case_windows(&small);
	return expect_u64("init", frame_pool_init(pool, *pp, fake_phys_to_virt), 0);
}

static void small_done(struct platform *p)
{
	windows_unmap();
	free(p);
}

static bool test_refcount_lifecycle(void)
{
	struct frame_pool pool;
	struct platform *p;
	uint64_t a;
	bool ok = small_pool(&pool, &p);

	a = frame_pool_alloc(&pool);
	ok = ok && expect_u64("first frame", a, B0 + PG) &&
	     expect_u64("rc after alloc", frame_pool_refcount(&pool, a), 1) &&
	     expect_u64("nfree after alloc", pool.nfree, 253) &&
	     expect_u64("ref", frame_pool_ref(&pool, a), 0) &&
	     expect_u64("rc after ref", frame_pool_refcount(&pool, a), 2) &&
	     expect_u64("put", frame_pool_put(&pool, a), 0) &&
	     expect_u64("rc after put", frame_pool_refcount(&pool, a), 1) &&
	     expect_u64("nfree at rc 1", pool.nfree, 253) &&
	     expect_u64("last put", frame_pool_put(&pool, a), 0) &&
	     expect_u64("rc after last put", frame_pool_refcount(&pool, a), 0) &&
	     expect_u64("nfree restored", pool.nfree, 254) &&
	     expect_u64("realloc", frame_pool_alloc(&pool), a);
	small_done(p);
	return ok;
}

/* Reserved frames taken in as frames in use (the initramfs), all or
 * nothing; the pool's metadata, free frames and strays are refused. */
static bool test_adopt(void)
{
	struct frame_pool pool;
	struct platform *p;
	uint64_t r = B0 + 0x80000;	/* the small case's reserved frame */
	bool ok = small_pool(&pool, &p);

	ok = ok && expect_u64("metadata", frame_pool_adopt(&pool, B0, PG), (uint64_t)-NH_EINVAL) &&
	     expect_u64("a free frame", frame_pool_adopt(&pool, B0 + PG, PG), (uint64_t)-NH_EINVAL) &&
	     expect_u64("reserved and free", frame_pool_adopt(&pool, r, 2 * PG),
			(uint64_t)-NH_EINVAL) &&
	     expect_u64("rc untouched", frame_pool_refcount(&pool, r), FRAME_RESERVED) &&
	     expect_u64("unaligned", frame_pool_adopt(&pool, r + 8, PG), (uint64_t)-NH_EINVAL) &&
	     expect_u64("empty", frame_pool_adopt(&pool, r, 0), (uint64_t)-NH_EINVAL) &&
	     expect_u64("outside", frame_pool_adopt(&pool, 0x1000, PG), (uint64_t)-NH_EINVAL) &&
	     expect_u64("past the bank", frame_pool_adopt(&pool, B0 + 0xff000, 2 * PG),
			(uint64_t)-NH_EINVAL) &&
	     expect_u64("adopt", frame_pool_adopt(&pool, r, PG), 0) &&
	     expect_u64("rc 1", frame_pool_refcount(&pool, r), 1) &&
	     expect_u64("usable", pool.nusable, 255) &&
	     expect_u64("nfree kept", pool.nfree, 254) &&
	     expect_u64("again", frame_pool_adopt(&pool, r, PG), (uint64_t)-NH_EINVAL) &&
	     expect_u64("ref", frame_pool_ref(&pool, r), 0) &&
	     expect_u64("put", frame_pool_put(&pool, r), 0) &&
	     expect_u64("last put", frame_pool_put(&pool, r), 0) &&
	     expect_u64("freed", pool.nfree, 255) &&
	     expect_u64("rc 0", frame_pool_refcount(&pool, r), 0) &&
	     expect_u64("allocated next", frame_pool_alloc(&pool), r);
	small_done(p);
	return ok;
}

/* Frames in use chain through their links; a freed frame's link is the
 * free list's again, and frames not in use refuse a link. */
static bool test_links(void)
{
	struct frame_pool pool;
	struct platform *p;
	uint64_t a, b, c;
	bool ok = small_pool(&pool, &p);

	a = frame_pool_alloc(&pool);
	b = frame_pool_alloc(&pool);
	c = frame_pool_alloc(&pool);
	ok = ok && expect_u64("fresh link", frame_pool_link(&pool, a), 0) &&
	     expect_u64("link a->b", frame_pool_set_link(&pool, a, b), 0) &&
	     expect_u64("link b->c", frame_pool_set_link(&pool, b, c), 0) &&
	     expect_u64("a's", frame_pool_link(&pool, a), b) &&
	     expect_u64("b's", frame_pool_link(&pool, b), c) &&
	     expect_u64("c's", frame_pool_link(&pool, c), 0) &&
	     expect_u64("rc kept", frame_pool_refcount(&pool, b), 1) &&
	     expect_u64("put c", frame_pool_put(&pool, c), 0) &&
	     expect_u64("to a free frame", frame_pool_set_link(&pool, a, c),
			(uint64_t)-NH_EINVAL) &&
	     expect_u64("of a free frame", frame_pool_set_link(&pool, c, 0),
			(uint64_t)-NH_EINVAL) &&
	     expect_u64("free frame's link hidden", frame_pool_link(&pool, c), 0) &&
	     expect_u64("outside", frame_pool_set_link(&pool, 0x1000, 0),
			(uint64_t)-NH_EINVAL) &&
	     expect_u64("unaligned", frame_pool_set_link(&pool, a + 8, 0),
			(uint64_t)-NH_EINVAL) &&
	     expect_u64("end the chain", frame_pool_set_link(&pool, a, 0), 0) &&
	     expect_u64("a's ended", frame_pool_link(&pool, a), 0) &&
	     expect_u64("realloc c", frame_pool_alloc(&pool), c) &&
	     expect_u64("realloc's link", frame_pool_link(&pool, c), 0) &&
	     expect_u64("put a", frame_pool_put(&pool, a), 0) &&
	     expect_u64("put b", frame_pool_put(&pool, b), 0) &&
	     expect_u64("put c", frame_pool_put(&pool, c), 0) &&
	     expect_u64("nfree restored", pool.nfree, 254);
	small_done(p);
	return ok;
}

struct snapshot {
	struct frame_pool pool;
	unsigned char meta[PG];
};

static void take(struct snapshot *s, const struct frame_pool *pool)
{
	s->pool = *pool;
	memcpy(s->meta, fake_phys_to_virt(pool->meta_base), PG);
}

/* @op(pa) fails with -EINVAL and changes nothing (pool nor metadata). */
static bool expect_einval(struct frame_pool *pool, const char *what,
			  int (*op)(struct frame_pool *, uint64_t), uint64_t pa)
{
	struct snapshot before, after;
	int err;

	take(&before, pool);
	err = op(pool, pa);
	take(&after, pool);
	if (err == -NH_EINVAL && memcmp(&before, &after, sizeof(before)) == 0)
		return true;
	ktap_diag("%s of 0x%" PRIx64 ": returned %d or changed state", what, pa, err);
	return false;
}

static bool test_invalid_ops(void)
{
	struct frame_pool pool;
	struct platform *p;
	bool ok = small_pool(&pool, &p);
	uint64_t live = frame_pool_alloc(&pool), freed = frame_pool_alloc(&pool);
	const uint64_t bad[] = {
		live + PG,		/* free, never allocated */
		freed,			/* free again */
		B0 + 0x80000,		/* reserved */
		B0,			/* metadata */
		live + 8, live + 0x800, live + PG - 1,	/* unaligned */
		B0 - PG, B0 + 0x100000, 0, 0xfffffffffffff000ull, /* outside */
	};

	ok &= expect_u64("put", frame_pool_put(&pool, freed), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok &= expect_einval(&pool, "put", frame_pool_put, bad[i]);
		ok &= expect_einval(&pool, "ref", frame_pool_ref, bad[i]);
	}
	ok &= expect_u64("rc live", frame_pool_refcount(&pool, live), 1);
	ok &= expect_u64("rc free", frame_pool_refcount(&pool, freed), 0);
	ok &= expect_u64("rc reserved", frame_pool_refcount(&pool, B0 + 0x80000),
			 FRAME_RESERVED);
	ok &= expect_u64("rc metadata", frame_pool_refcount(&pool, B0), FRAME_RESERVED);
	ok &= expect_u64("rc unaligned", frame_pool_refcount(&pool, live + 8),
			 (uint64_t)-NH_EINVAL);
	ok &= expect_u64("rc outside", frame_pool_refcount(&pool, B0 + 0x100000),
			 (uint64_t)-NH_EINVAL);
	small_done(p);
	return ok;
}

/* ---- Random operations against a model. ---- */

/* Two banks with a gap, reserved pages in each: 184 usable frames. */
static const struct pool_case rnd = {
	"random", { { LO, 0x40000 }, { HI, 0x80000 } }, 2,
	{ { LO + 0x10800, 0x2000 }, { HI + 0x40000, 0x4000 } }, 2,
	true, { { 0 } }, 0, LO, 184,
};

struct model {
	struct frame_list all;	/* every frame of the pool, ascending */
	uint32_t *rc;		/* expected refcount, by index in all */
	uint64_t *stack;	/* expected free list, top last */
	size_t nstack;
	uint64_t rng;
	unsigned long allocs, empty, refs, frees, einval;
};

static uint64_t rnd_next(struct model *m)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng;
}

static void model_init(struct model *m, const struct platform *p)
{
	struct frame_list usable = model_free(p, rnd.want_meta);

	*m = (struct model){ .all = model_all(p), .rng = 0x9e3779b97f4a7c15ull };
	m->rc = malloc(m->all.n * sizeof(*m->rc));
	m->stack = malloc(m->all.n * sizeof(*m->stack));
	if (!m->rc || !m->stack)
		abort();
	for (size_t i = 0; i < m->all.n; i++)
		m->rc[i] = list_has(&usable, m->all.pa[i]) ? 0 : FRAME_RESERVED;
	for (size_t i = usable.n; i > 0; i--)
		m->stack[m->nstack++] = usable.pa[i - 1];
	free(usable.pa);
}

static void model_free_all(struct model *m)
{
	free(m->all.pa);
	free(m->rc);
	free(m->stack);
}

static size_t index_of(const struct model *m, uint64_t pa)
{
	const uint64_t *hit = bsearch(&pa, m->all.pa, m->all.n,
				      sizeof(*m->all.pa), cmp_u64);

	return hit ? (size_t)(hit - m->all.pa) : m->all.n;
}

static bool op_alloc(struct frame_pool *pool, struct model *m)
{
	uint64_t want = m->nstack ? m->stack[--m->nstack] : 0;
	uint64_t got = frame_pool_alloc(pool);

	if (!expect_u64("alloc", got, want))
		return false;
	if (got) {
		m->rc[index_of(m, got)] = 1;
		m->allocs++;
	} else {
		m->empty++;
	}
	return expect_u64("rc after alloc", frame_pool_refcount(pool, got),
			  got ? 1 : (uint64_t)-NH_EINVAL);
}

/* ref (@put false) or put of frame @i of the model. */
static bool op_ref_put(struct frame_pool *pool, struct model *m, size_t i,
		       bool put)
{
	uint64_t pa = m->all.pa[i];
	bool live = m->rc[i] != 0 && m->rc[i] != FRAME_RESERVED;
	int err = put ? frame_pool_put(pool, pa) : frame_pool_ref(pool, pa);

	if (!expect_u64(put ? "put" : "ref", (uint64_t)err,
			live ? 0 : (uint64_t)-NH_EINVAL))
		return false;
	if (!live) {
		m->einval++;
	} else if (!put) {
		m->rc[i]++;
		m->refs++;
	} else if (--m->rc[i] == 0) {
		m->stack[m->nstack++] = pa;
		m->frees++;
	}
	return expect_u64("rc after ref/put", frame_pool_refcount(pool, pa), m->rc[i]);
}

/* An address that is no frame: unaligned, or outside both banks. */
static bool op_bogus(struct frame_pool *pool, struct model *m)
{
	static const uint64_t outside[] = { 0, LO - PG, LO + 0x40000, HI - PG,
					    HI + 0x80000 };
	uint64_t r = rnd_next(m);
	uint64_t pa = r & 1 ? m->all.pa[(r >> 1) % m->all.n] + 1 + (r >> 32) % (PG - 1)
			    : outside[(r >> 1) % 5];
	int (*op)(struct frame_pool *, uint64_t) = r & 2 ? frame_pool_put : frame_pool_ref;

	m->einval++;
	return expect_einval(pool, "bogus op", op, pa);
}

static bool random_step(struct frame_pool *pool, struct model *m)
{
	uint64_t r = rnd_next(m);
	unsigned pick = r % 100;
	size_t i = (r >> 8) % m->all.n;

	if (pick < 35)
		return op_alloc(pool, m);
	if (pick < 55)
		return op_ref_put(pool, m, i, false);
	if (pick < 95)
		return op_ref_put(pool, m, i, true);
	return op_bogus(pool, m);
}

static bool model_matches(const struct frame_pool *pool, const struct model *m)
{
	bool ok = expect_u64("nfree", pool->nfree, m->nstack);

	for (size_t i = 0; i < m->all.n && ok; i++)
		ok = expect_u64("refcount", frame_pool_refcount(pool, m->all.pa[i]),
				m->rc[i]);
	return ok;
}

static bool test_random_model(void)
{
	struct platform *p = case_platform(&rnd);
	struct frame_pool pool;
	struct model m;
	bool ok;

	case_windows(&rnd);
	model_init(&m, p);
	ok = expect_u64("init", frame_pool_init(&pool, p, fake_phys_to_virt), 0) &&
	     expect_u64("model usable", m.nstack, rnd.want_usable);
	for (long n = 0; n < RANDOM_OPS && ok; n++) {
		ok = random_step(&pool, &m) &&
		     expect_u64("nfree", pool.nfree, m.nstack);
		if (ok && n % 1024 == 0)
			ok = model_matches(&pool, &m);
	}
	ok = ok && model_matches(&pool, &m) &&
	     windows_untouched(pool.meta_base, pool.meta_base + pool.meta_size);
	ktap_diag("%d ops: %lu allocs, %lu when empty, %lu refs, %lu frees, "
		  "%lu -EINVAL", RANDOM_OPS, m.allocs, m.empty, m.refs, m.frees,
		  m.einval);
	model_free_all(&m);
	windows_unmap();
	free(p);
	return ok;
}

int main(void)
{
	size_t ncases = sizeof(cases) / sizeof(cases[0]);

	ktap_begin((int)ncases + 6);
	for (size_t i = 0; i < ncases; i++)
		ktap_result(run_case(&cases[i]), cases[i].name);
	ktap_result(test_too_many_frames(), "too_many_frames");
	ktap_result(test_refcount_lifecycle(), "refcount_lifecycle");
	ktap_result(test_links(), "links");
	ktap_result(test_adopt(), "adopt");
	ktap_result(test_invalid_ops(), "invalid_ops");
	ktap_result(test_random_model(), "random_model");
	return ktap_end();
}
