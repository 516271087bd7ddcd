/*
 * The kernel's frame allocator: one struct frame_pool (lib/framepool.h)
 * built at boot from the device tree's memory, behind frame_lock.
 * frame_free_count() is what leak checks compare.
 */
#ifndef NUTHATCH_FRAME_H
#define NUTHATCH_FRAME_H

#include <stdint.h>

#include "arch/riscv/arch.h"

#include "lib/framepool.h"
#include "lib/platform.h"

/* Build the pool once on the boot hart, after kmap_init. */
int frame_init(const struct platform *p);

/* A frame's physical address (refcount 1), or 0 when memory is exhausted. */
uint64_t frame_alloc(void);
/* The same, zero-filled. */
uint64_t frame_alloc_zeroed(void);
/* Take or drop a reference: 0 or -NH_EINVAL for a frame not in use. */
int frame_ref(uint64_t pa);
int frame_put(uint64_t pa);
long frame_refcount(uint64_t pa);

/*
 * Many references at one lock: frame_batch_begin() takes the pool's lock,
 * frame_ref_held() adds a reference to a frame in use (as frame_ref),
 * frame_put_held() drops one (as frame_put), frame_batch_end() lets go.
 * Nothing else may be called in between.  The batch remembers the bank
 * it touched last, so that a count staying above zero changes inline.
 */
struct frame_batch {
	irqflags_t flags;
	uint64_t base, nframes;		/* the bank last touched (0: none) */
	struct frame_meta *meta;
};

void frame_batch_begin(struct frame_batch *b);
void frame_batch_end(struct frame_batch *b);
void frame_ref_slow(struct frame_batch *b, uint64_t pa);
void frame_put_slow(struct frame_batch *b, uint64_t pa);

static inline void frame_ref_held(struct frame_batch *b, uint64_t pa)
{
	uint64_t i = (pa - b->base) / FRAME_SIZE;
	uint32_t rc;

	if (i < b->nframes && !(pa & (FRAME_SIZE - 1)) &&
	    (rc = b->meta[i].refcount) - 1 < FRAME_RESERVED - 2)
		b->meta[i].refcount = rc + 1;
	else
		frame_ref_slow(b, pa);
}

static inline void frame_put_held(struct frame_batch *b, uint64_t pa)
{
	uint64_t i = (pa - b->base) / FRAME_SIZE;
	uint32_t rc;

	if (i < b->nframes && !(pa & (FRAME_SIZE - 1)) &&
	    (rc = b->meta[i].refcount) - 2 < FRAME_RESERVED - 2)
		b->meta[i].refcount = rc - 1;
	else
		frame_put_slow(b, pa);
}

/*
 * Frames in use chained by their owner (an address space's page tables):
 * frame_link_set(pa, next) makes @next (0: none) follow @pa, frame_link
 * gives it back.  The owner serialises; the pool does not look.
 */
void frame_link_set(uint64_t pa, uint64_t next);
uint64_t frame_link(uint64_t pa);

/* Reserved frames taken in as in use, count one each (frame_pool_adopt). */
int frame_adopt(uint64_t base, uint64_t size);

uint64_t frame_free_count(void);
uint64_t frame_usable_count(void);
/* Where the pool's metadata lives (for the boot summary). */
void frame_meta_range(uint64_t *base, uint64_t *size);

#endif
