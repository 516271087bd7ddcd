/*
 * Fixed-size object pools (pool.c) for the servers' tables: objects come
 * from malloc in chunks, go back to their pool and never to malloc, and
 * a server reserves its usual load at start, so that its memory does not
 * grow and shrink with each burst of requests.
 */
#ifndef LIBSERVER_POOL_H
#define LIBSERVER_POOL_H

#include <stddef.h>

struct pool {
	size_t size;		/* of one object */
	void *free;		/* the free list, through each object's first word */
	unsigned capacity;	/* objects made so far, free or not */
};

#define POOL_INIT(type)	{ .size = sizeof(type) }

void *pool_get(struct pool *p);			/* zeroed; 0: ENOMEM */
void *pool_take(struct pool *p);		/* as it was left: for buffers */
void pool_put(struct pool *p, void *obj);	/* (0: nothing) */
int pool_reserve(struct pool *p, unsigned n);	/* 0 or -1 */

#endif
