/*
 * Fixed-size kernel objects: slab caches over frames.
 *
 * A cache hands out objects of one size (tasks, address spaces, endpoints
 * ... one cache per type) from slabs, each one frame: a header followed by
 * the objects.  Allocation and free are O(1) (a per-slab free list, and a
 * per-slab bitmap that catches double frees and foreign pointers).  Each
 * cache counts its live objects; slab_settle() gives empty slabs back to
 * the frame allocator, so leak checks compare free frames and live counts
 * before and after a test.  Every cache is on one global list for that.
 */
#ifndef NUTHATCH_SLAB_H
#define NUTHATCH_SLAB_H

#include <stddef.h>
#include <stdint.h>

#include "core/spinlock.h"

#define SLAB_MIN_OBJ	16
#define SLAB_MAX_OBJ	2048	/* one object per slab frame, at worst */

struct slab;

struct slab_cache {
	const char *name;		/* [I] */
	uint32_t objsize;		/* [I] rounded up to 16 */
	uint32_t per_slab;		/* [I] objects per slab */
	struct spinlock lock;		/* protects the fields below */
	struct slab *partial;		/* slabs with a free object */
	struct slab *full;		/* slabs without */
	uint64_t live;			/* objects handed out */
	uint64_t nslabs;		/* slabs held, empty ones included */
	struct slab_cache *next;	/* [caches_lock] the global list */
};

/*
 * Set up @c for objects of @size bytes and put it on the global list.
 * Returns 0, -NH_EINVAL for a size of 0 or over SLAB_MAX_OBJ (smaller
 * sizes are rounded up to 16), or -NH_EEXIST if @c is already set up.
 * Caches live for ever (they are static objects of their subsystems).
 */
int slab_cache_init(struct slab_cache *c, const char *name, size_t size);

/* A zeroed object, or NULL when memory is exhausted. */
void *slab_alloc(struct slab_cache *c);

/*
 * Give @obj back.  Returns 0, or -NH_EINVAL when @obj was not handed out
 * by @c (foreign pointer, misaligned, or already free); nothing changes.
 */
int slab_free(struct slab_cache *c, void *obj);

/* Give every cache's empty slabs back to the frame allocator. */
void slab_settle(void);

/* Call @fn for each cache (for leak checks and listings). */
void slab_for_each(void (*fn)(struct slab_cache *c, void *ctx), void *ctx);

#endif
