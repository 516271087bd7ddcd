/*
 * Frame pool bookkeeping (see framepool.h).  Initialisation, in order:
 * banks from the memory ranges; the metadata placed in the first free span
 * that holds it; every frame marked reserved; then each free span (memory
 * minus reserved minus metadata) appended to the free list in ascending
 * order, so a fresh pool hands out ascending addresses.
 */
#include "lib/framepool.h"

#include <nuthatch/errno.h>

/* Saturates at the last frame boundary, which no bank reaches. */
static uint64_t up(uint64_t x)
{
	if (x > ~(FRAME_SIZE - 1))
		return ~(FRAME_SIZE - 1);
	return (x + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
}

static uint64_t down(uint64_t x)
{
	return x & ~(FRAME_SIZE - 1);
}

/*
 * The next free span of @m at or after @from: [*b, *e), page aligned, not
 * touching any reserved range of @p nor the pool's metadata (empty
 * reserved ranges touch nothing).  Returns false when none is left.
 */
static bool next_free_span(const struct frame_pool *pool,
			   const struct platform *p, const struct plat_range *m,
			   uint64_t from, uint64_t *b, uint64_t *e)
{
	uint64_t lo = up(from > m->base ? from : m->base);
	uint64_t end = down(m->base + m->size);
	bool moved = true;

	while (moved && lo < end) {
		moved = false;
		for (unsigned i = 0; i < p->nrsv; i++) {
			uint64_t rb = down(p->rsv[i].base);
			uint64_t re = up(p->rsv[i].base + p->rsv[i].size);

			if (p->rsv[i].size && rb <= lo && re > lo) {
				lo = re;
				moved = true;
			}
		}
		if (pool->meta_size && pool->meta_base <= lo &&
		    pool->meta_base + pool->meta_size > lo) {
			lo = pool->meta_base + pool->meta_size;
			moved = true;
		}
	}
	if (lo >= end)
		return false;
	*b = lo;
	*e = end;
	for (unsigned i = 0; i < p->nrsv; i++) {
		uint64_t rb = down(p->rsv[i].base);

		if (p->rsv[i].size && rb > lo && rb < *e)
			*e = rb;
	}
	if (pool->meta_size && pool->meta_base > lo && pool->meta_base < *e)
		*e = pool->meta_base;
	return true;
}

/* Banks from the memory ranges (sorted by base); overlaps are trimmed. */
static int make_banks(struct frame_pool *pool, const struct platform *p)
{
	uint64_t total = 0, prev_end = 0;

	for (unsigned i = 0; i < p->nmem; i++) {
		struct frame_bank *bk = &pool->banks[pool->nbanks];
		uint64_t b = up(p->mem[i].base), e = down(p->mem[i].base + p->mem[i].size);

		if (b < prev_end)
			b = prev_end;
		if (e <= b)
			continue;
		prev_end = e;
		bk->base = b;
		bk->nframes = (e - b) / FRAME_SIZE;
		bk->first = (uint32_t)total;
		total += bk->nframes;
		pool->nbanks++;
		if (total >= FRAME_NONE)
			return -NH_ERANGE;
	}
	pool->meta_size = up(total * sizeof(struct frame_meta));
	return pool->nbanks ? 0 : -NH_ENOMEM;
}

/* Put the metadata in the first free span large enough for it. */
static int place_meta(struct frame_pool *pool, const struct platform *p)
{
	uint64_t need = pool->meta_size, b, e;

	pool->meta_size = 0;	/* not yet placed: spans ignore it */
	for (unsigned i = 0; i < p->nmem; i++) {
		uint64_t from = p->mem[i].base;

		while (next_free_span(pool, p, &p->mem[i], from, &b, &e)) {
			if (e - b >= need) {
				pool->meta_base = b;
				pool->meta_size = need;
				return 0;
			}
			from = e;
		}
	}
	return -NH_ENOMEM;
}

/* Each bank's metadata array (its entries are set by frame_pool_init:
 * free frames by append_span, the rest by reserve_frames). */
static void assign_meta(struct frame_pool *pool)
{
	struct frame_meta *m = pool->phys_to_virt(pool->meta_base);

	for (unsigned i = 0; i < pool->nbanks; i++)
		pool->banks[i].meta = m + pool->banks[i].first;
}

/* Frames [from, to) of @bk are no one's to allocate. */
static void reserve_frames(struct frame_bank *bk, uint64_t from, uint64_t to)
{
	for (uint64_t f = from; f < to && f < bk->nframes; f++)
		bk->meta[f] = (struct frame_meta){ FRAME_RESERVED, FRAME_NONE };
}

static struct frame_bank *bank_of(struct frame_pool *pool, uint64_t pa,
				  uint64_t *idx)
{
	for (unsigned i = 0; i < pool->nbanks; i++) {
		struct frame_bank *bk = &pool->banks[i];

		if (pa >= bk->base && (pa - bk->base) / FRAME_SIZE < bk->nframes) {
			*idx = (pa - bk->base) / FRAME_SIZE;
			return bk;
		}
	}
	return 0;
}

static struct frame_meta *meta_of_index(struct frame_pool *pool, uint32_t g,
					uint64_t *pa)
{
	for (unsigned i = 0; i < pool->nbanks; i++) {
		struct frame_bank *bk = &pool->banks[i];

		if (g >= bk->first && g - bk->first < bk->nframes) {
			*pa = bk->base + (uint64_t)(g - bk->first) * FRAME_SIZE;
			return &bk->meta[g - bk->first];
		}
	}
	return 0;
}

/* Push frame (bank, idx) onto the free list. */
static void push_free(struct frame_pool *pool, struct frame_bank *bk,
		      uint64_t idx)
{
	bk->meta[idx].refcount = 0;
	bk->meta[idx].next = pool->free_head;
	pool->free_head = bk->first + (uint32_t)idx;
	pool->nfree++;
}

/* Append [b, e) (inside one bank: frame_pool_init walks spans of a
 * bank's range) to the tail of the free list (init only), linking each
 * frame to the next directly: one bank lookup a span, not one a frame. */
static void append_span(struct frame_pool *pool, uint64_t b, uint64_t e)
{
	uint64_t idx, pa, n;
	struct frame_bank *bk = bank_of(pool, b, &idx);
	struct frame_meta *tail;

	if (!bk || b >= e)
		return;
	n = (e - b) / FRAME_SIZE;
	if (n > bk->nframes - idx)
		n = bk->nframes - idx;
	tail = pool->free_tail == FRAME_NONE ? 0 : meta_of_index(pool, pool->free_tail, &pa);
	for (uint64_t k = 0; k < n; k++) {
		uint32_t g = bk->first + (uint32_t)(idx + k);

		if (tail)
			tail->next = g;
		else
			pool->free_head = g;
		tail = &bk->meta[idx + k];
		*tail = (struct frame_meta){ 0, FRAME_NONE };
	}
	if (n)
		pool->free_tail = bk->first + (uint32_t)(idx + n - 1);
	pool->nfree += n;
}

int frame_pool_init(struct frame_pool *pool, const struct platform *p,
		    void *(*phys_to_virt)(uint64_t pa))
{
	uint64_t b, e;
	int err;

	*pool = (struct frame_pool){ .free_head = FRAME_NONE,
				     .free_tail = FRAME_NONE,
				     .phys_to_virt = phys_to_virt };
	err = make_banks(pool, p);
	if (!err)
		err = place_meta(pool, p);
	if (err)
		return err;
	assign_meta(pool);
	for (unsigned i = 0; i < pool->nbanks; i++) {
		struct frame_bank *bk = &pool->banks[i];
		struct plat_range r = { bk->base, bk->nframes * FRAME_SIZE };
		uint64_t from = r.base;

		/* one pass: each frame's entry written once, free or reserved */
		while (next_free_span(pool, p, &r, from, &b, &e)) {
			reserve_frames(bk, (from - bk->base) / FRAME_SIZE, (b - bk->base) / FRAME_SIZE);
			append_span(pool, b, e);
			from = e;
		}
		reserve_frames(bk, (from - bk->base) / FRAME_SIZE, bk->nframes);
	}
	pool->nusable = pool->nfree;
	return 0;
}

uint64_t frame_pool_alloc(struct frame_pool *pool)
{
	uint64_t pa = 0;
	struct frame_meta *m;

	if (pool->free_head == FRAME_NONE)
		return 0;
	m = meta_of_index(pool, pool->free_head, &pa);
	pool->free_head = m->next;
	m->refcount = 1;
	m->next = FRAME_NONE;
	pool->nfree--;
	return pa;
}

/* Validate @pa as a frame of @pool in use. */
static struct frame_meta *live_meta(struct frame_pool *pool, uint64_t pa,
				    struct frame_bank **bkp, uint64_t *idx)
{
	struct frame_bank *bk;

	if (pa & (FRAME_SIZE - 1))
		return 0;
	bk = bank_of(pool, pa, idx);
	if (!bk || bk->meta[*idx].refcount == 0 ||
	    bk->meta[*idx].refcount == FRAME_RESERVED)
		return 0;
	*bkp = bk;
	return &bk->meta[*idx];
}

int frame_pool_ref(struct frame_pool *pool, uint64_t pa)
{
	struct frame_bank *bk;
	uint64_t idx;
	struct frame_meta *m = live_meta(pool, pa, &bk, &idx);

	if (!m || m->refcount >= FRAME_RESERVED - 1)
		return -NH_EINVAL;
	m->refcount++;
	return 0;
}

int frame_pool_put(struct frame_pool *pool, uint64_t pa)
{
	struct frame_bank *bk;
	uint64_t idx;
	struct frame_meta *m = live_meta(pool, pa, &bk, &idx);

	if (!m)
		return -NH_EINVAL;
	if (--m->refcount == 0)
		push_free(pool, bk, idx);
	return 0;
}

int frame_pool_adopt(struct frame_pool *pool, uint64_t base, uint64_t size)
{
	uint64_t idx;
	struct frame_bank *bk = bank_of(pool, base, &idx);

	if ((base | size) & (FRAME_SIZE - 1) || !size || !bk ||
	    idx + size / FRAME_SIZE > bk->nframes ||
	    (base < pool->meta_base + pool->meta_size && pool->meta_base < base + size))
		return -NH_EINVAL;
	for (uint64_t i = 0; i < size / FRAME_SIZE; i++)
		if (bk->meta[idx + i].refcount != FRAME_RESERVED)
			return -NH_EINVAL;
	for (uint64_t i = 0; i < size / FRAME_SIZE; i++)
		bk->meta[idx + i] = (struct frame_meta){ 1, FRAME_NONE };
	pool->nusable += size / FRAME_SIZE;	/* they may be freed later */
	return 0;
}

/* The global index of the frame at @pa (in a bank). */
static uint32_t index_of(const struct frame_pool *pool, uint64_t pa)
{
	for (unsigned i = 0; i < pool->nbanks; i++) {
		const struct frame_bank *bk = &pool->banks[i];

		if (pa >= bk->base && (pa - bk->base) / FRAME_SIZE < bk->nframes)
			return bk->first + (uint32_t)((pa - bk->base) / FRAME_SIZE);
	}
	return FRAME_NONE;
}

int frame_pool_set_link(struct frame_pool *pool, uint64_t pa, uint64_t next)
{
	struct frame_bank *bk;
	uint64_t idx, nidx;
	struct frame_meta *m = live_meta(pool, pa, &bk, &idx);
	uint32_t g = FRAME_NONE;

	if (!m || (next && !live_meta(pool, next, &bk, &nidx)))
		return -NH_EINVAL;
	if (next)
		g = index_of(pool, next);
	m->next = g;
	return 0;
}

uint64_t frame_pool_link(const struct frame_pool *pool, uint64_t pa)
{
	struct frame_bank *bk;
	uint64_t idx, next = 0;
	const struct frame_meta *m = live_meta((struct frame_pool *)pool, pa, &bk, &idx);

	if (!m || m->next == FRAME_NONE)
		return 0;
	meta_of_index((struct frame_pool *)pool, m->next, &next);
	return next;
}

long frame_pool_refcount(const struct frame_pool *pool, uint64_t pa)
{
	uint64_t idx;
	const struct frame_bank *bk = bank_of((struct frame_pool *)pool, pa, &idx);

	if (!bk || (pa & (FRAME_SIZE - 1)))
		return -NH_EINVAL;
	return (long)bk->meta[idx].refcount;
}
