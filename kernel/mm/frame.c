/*
 * The kernel's frame allocator: the one frame pool, its lock, and the
 * zeroing allocation.  Frames are reached through the direct map.
 */
#include "mm/frame.h"

#include <nuthatch/errno.h>

#include "mm/kmap.h"
#include "core/spinlock.h"

static struct spinlock frame_lock = SPINLOCK_INIT("frame: kpool", RANK_FRAME);
static struct frame_pool kpool;		/* [frame_lock] */

static void *direct(uint64_t pa)
{
	return kmap_phys(pa);
}

int frame_init(const struct platform *p)
{
	return frame_pool_init(&kpool, p, direct);
}

uint64_t frame_alloc(void)
{
	irqflags_t f = spin_lock_irqsave(&frame_lock);
	uint64_t pa = frame_pool_alloc(&kpool);

	spin_unlock_irqrestore(&frame_lock, f);
	return pa;
}

uint64_t frame_alloc_zeroed(void)
{
	uint64_t pa = frame_alloc();

	if (pa)
		arch_page_zero(kmap_phys(pa));
	return pa;
}

int frame_ref(uint64_t pa)
{
	irqflags_t f = spin_lock_irqsave(&frame_lock);
	int err = frame_pool_ref(&kpool, pa);

	spin_unlock_irqrestore(&frame_lock, f);
	return err;
}

int frame_put(uint64_t pa)
{
	irqflags_t f = spin_lock_irqsave(&frame_lock);
	int err = frame_pool_put(&kpool, pa);

	spin_unlock_irqrestore(&frame_lock, f);
	return err;
}

/* Without the lock: a snapshot, exact for a caller whose own reference
 * keeps the frame and who knows nobody else can add one (COW breaks). */
long frame_refcount(uint64_t pa)
{
	return frame_pool_refcount(&kpool, pa);
}

int frame_adopt(uint64_t base, uint64_t size)
{
	irqflags_t f = spin_lock_irqsave(&frame_lock);
	int err = frame_pool_adopt(&kpool, base, size);

	spin_unlock_irqrestore(&frame_lock, f);
	return err;
}

uint64_t frame_free_count(void)
{
	return __atomic_load_n(&kpool.nfree, __ATOMIC_RELAXED);
}

uint64_t frame_usable_count(void)
{
	return kpool.nusable;
}

void frame_meta_range(uint64_t *base, uint64_t *size)
{
	*base = kpool.meta_base;
	*size = kpool.meta_size;
}

void frame_batch_begin(struct frame_batch *b)
{
	const struct frame_bank *bk = &kpool.banks[0];	/* most frames' */

	b->flags = spin_lock_irqsave(&frame_lock);
	b->base = bk->base;
	b->nframes = bk->nframes;
	b->meta = bk->meta;
}

/* Point @b at @pa's bank (for the next frames, likely its neighbours). */
static void batch_bank(struct frame_batch *b, uint64_t pa)
{
	for (unsigned i = 0; i < kpool.nbanks; i++) {
		const struct frame_bank *bk = &kpool.banks[i];

		if (pa >= bk->base && (pa - bk->base) / FRAME_SIZE < bk->nframes) {
			b->base = bk->base;
			b->nframes = bk->nframes;
			b->meta = bk->meta;
		}
	}
}

/* (Most slow cases are a count at its end, in the bank the batch
 * already points at: a dying space's last reference to a page.) */
void frame_ref_slow(struct frame_batch *b, uint64_t pa)
{
	if ((pa - b->base) / FRAME_SIZE >= b->nframes)
		batch_bank(b, pa);
	frame_pool_ref(&kpool, pa);
}

void frame_put_slow(struct frame_batch *b, uint64_t pa)
{
	if ((pa - b->base) / FRAME_SIZE >= b->nframes)
		batch_bank(b, pa);
	frame_pool_put(&kpool, pa);
}

void frame_batch_end(struct frame_batch *b)
{
	spin_unlock_irqrestore(&frame_lock, b->flags);
}

/* No lock: only a frame's owner touches the link of a frame in use. */
void frame_link_set(uint64_t pa, uint64_t next)
{
	frame_pool_set_link(&kpool, pa, next);
}

uint64_t frame_link(uint64_t pa)
{
	return frame_pool_link(&kpool, pa);
}
