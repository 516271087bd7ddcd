/*
 * A pool of physical frames (4 KiB pages of RAM): the pure bookkeeping
 * behind the kernel's frame allocator (kernel/frame.c), also built for
 * the host and tested there over fake memory maps.
 *
 * The pool covers every memory range of a struct platform minus every
 * reserved range, and minus its own metadata (8 bytes per frame, carved
 * from the first free span that holds it, so it is sized from the memory
 * found).  Allocation and free are O(1): a LIFO free list threaded through
 * the metadata, built in ascending address order.  Each frame has a
 * reference count: alloc gives 1, ref adds one, put drops one and frees at
 * zero.  Frames that were never free (reserved ranges, the metadata) are
 * FRAME_RESERVED and refuse ref and put; so do free frames.
 *
 * No locking here: the caller serialises (the kernel holds frame_lock).
 */
#ifndef NUTHATCH_FRAMEPOOL_H
#define NUTHATCH_FRAMEPOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/platform.h"

#define FRAME_SIZE	4096ul
#define FRAME_NONE	0xffffffffu	/* end of the free list */
#define FRAME_RESERVED	0xffffffffu	/* refcount of a frame never free */

struct frame_meta {
	uint32_t refcount;	/* 0 free, FRAME_RESERVED, else users */
	uint32_t next;		/* free list link (global index) when free */
};

struct frame_bank {
	uint64_t base;		/* physical address of the first frame */
	uint64_t nframes;
	uint32_t first;		/* global index of the first frame */
	struct frame_meta *meta;	/* nframes entries */
};

struct frame_pool {
	unsigned nbanks;
	struct frame_bank banks[PLAT_MAX_MEM];
	uint32_t free_head;	/* global index or FRAME_NONE */
	uint32_t free_tail;	/* used while building the list */
	uint64_t nfree;
	uint64_t nusable;	/* frames that were free at init */
	uint64_t meta_base, meta_size;	/* where the metadata lives */
	void *(*phys_to_virt)(uint64_t pa);
};

/*
 * Build @pool over @p's memory minus its reserved ranges.  Returns 0,
 * -NH_ENOMEM (no memory, or no free span holds the metadata), or
 * -NH_ERANGE (more frames than 32-bit indices reach).
 */
int frame_pool_init(struct frame_pool *pool, const struct platform *p,
		    void *(*phys_to_virt)(uint64_t pa));

/* A frame with refcount 1, or 0 when none is free. */
uint64_t frame_pool_alloc(struct frame_pool *pool);

/* 0, or -NH_EINVAL: not a frame of this pool, reserved, or free. */
int frame_pool_ref(struct frame_pool *pool, uint64_t pa);
int frame_pool_put(struct frame_pool *pool, uint64_t pa);

/* The count (0 free, FRAME_RESERVED), or -NH_EINVAL outside the pool. */
long frame_pool_refcount(const struct frame_pool *pool, uint64_t pa);

/*
 * Take the reserved frames of [@base, @base + @size) (page aligned, in
 * the pool's banks, none of the pool's metadata) into the pool as frames
 * in use, each with a count of one: their holder's, who may put them
 * back like any other (the kernel's initramfs: its pages become a memory
 * object's without a copy).  All or nothing: 0, or -NH_EINVAL (unaligned,
 * outside the banks, the metadata, or a frame not reserved).
 */
int frame_pool_adopt(struct frame_pool *pool, uint64_t base, uint64_t size);

/*
 * An in-use frame's link word (a free frame's holds the free list): its
 * owner may chain frames it holds through it, e.g. an address space's
 * page tables, so that they are freed without a walk.  0 ends a chain.
 * -NH_EINVAL for a frame not in use.  A frame's link is FRAME_NONE (0
 * here) when it is allocated.
 */
int frame_pool_set_link(struct frame_pool *pool, uint64_t pa, uint64_t next);
uint64_t frame_pool_link(const struct frame_pool *pool, uint64_t pa);

#endif
