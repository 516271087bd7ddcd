/*
 * Fixed-size object pools for the servers' tables (pool.h): objects come
 * from malloc in chunks and go back to the pool, never to malloc, so the
 * table's memory, once grown, stays (as the kernel keeps its slabs) and
 * is reserved at start for the usual load.  picolibc's malloc gives
 * memory at the heap's top back to the kernel on free; without pools
 * the frames of a table that grew and shrank would come and go with
 * every burst of requests (and look like a leak to a test counting them).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

#define POOL_CHUNK	64

struct pool_free {
	struct pool_free *next;
};

static int pool_grow(struct pool *p)
{
	size_t size = p->size < sizeof(struct pool_free) ? sizeof(struct pool_free) : p->size;
	uint8_t *chunk = malloc(POOL_CHUNK * size);

	if (!chunk)
		return -1;
	memset(chunk, 0, POOL_CHUNK * size);	/* its pages present now */
	for (unsigned i = 0; i < POOL_CHUNK; i++) {
		struct pool_free *f = (struct pool_free *)(chunk + i * size);

		f->next = p->free;
		p->free = f;
	}
	p->capacity += POOL_CHUNK;
	return 0;
}

void *pool_take(struct pool *p)
{
	struct pool_free *f;

	if (!p->free && pool_grow(p))
		return 0;
	f = p->free;
	p->free = f->next;
	return f;
}

void *pool_get(struct pool *p)
{
	void *obj = pool_take(p);

	if (obj)
		memset(obj, 0, p->size);
	return obj;
}

void pool_put(struct pool *p, void *obj)
{
	struct pool_free *f = obj;

	if (!obj)
		return;
	f->next = p->free;
	p->free = f;
}

int pool_reserve(struct pool *p, unsigned n)
{
	while (p->capacity < n)
		if (pool_grow(p))
			return -1;
	return 0;
}
