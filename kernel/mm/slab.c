/*
 * Slab caches.  A slab is one frame, reached through the direct map:
 *   struct slab header | object 0 | object 1 | ...
 * A free object holds the link to the next free one.  Slabs with free
 * objects are on the cache's partial list (empty ones too, until
 * slab_settle); full ones on the full list.
 */
#include "mm/slab.h"

#include <stdbool.h>

#include <nuthatch/errno.h>

#include "mm/frame.h"
#include "mm/kmap.h"
#include "lib/kstring.h"

#define BITMAP_WORDS	((FRAME_SIZE / SLAB_MIN_OBJ + 63) / 64)

struct slab {
	struct slab *next, *prev;	/* [cache lock] partial or full list */
	struct slab_cache *cache;	/* [I] */
	void *free;			/* first free object */
	uint32_t inuse;
	uint64_t used[BITMAP_WORDS];	/* bit i: object i handed out */
};

static struct spinlock caches_lock = SPINLOCK_INIT("slab: the cache list", RANK_SLAB_LIST);
static struct slab_cache *caches;	/* [caches_lock] */

static uintptr_t objects_start(void)
{
	return (sizeof(struct slab) + SLAB_MIN_OBJ - 1) & ~(uintptr_t)(SLAB_MIN_OBJ - 1);
}

static bool registered(const struct slab_cache *c)
{
	for (const struct slab_cache *k = caches; k; k = k->next) {
		if (k == c)
			return true;
	}
	return false;
}

int slab_cache_init(struct slab_cache *c, const char *name, size_t size)
{
	irqflags_t f;

	if (size > SLAB_MAX_OBJ || size == 0)
		return -NH_EINVAL;
	f = spin_lock_irqsave(&caches_lock);
	if (registered(c)) {
		spin_unlock_irqrestore(&caches_lock, f);
		return -NH_EEXIST;
	}
	spin_unlock_irqrestore(&caches_lock, f);
	size = (size + SLAB_MIN_OBJ - 1) & ~(size_t)(SLAB_MIN_OBJ - 1);
	*c = (struct slab_cache){ .name = name, .objsize = (uint32_t)size };
	c->lock = (struct spinlock)SPINLOCK_INIT(name, RANK_SLAB);
	c->per_slab = (uint32_t)((FRAME_SIZE - objects_start()) / size);
	f = spin_lock_irqsave(&caches_lock);
	c->next = caches;
	caches = c;
	spin_unlock_irqrestore(&caches_lock, f);
	return 0;
}

static void list_del(struct slab **head, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = 0;
}

static void list_add(struct slab **head, struct slab *s)
{
	s->prev = 0;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
}

/* A fresh slab with every object on its free list; NULL if no frame. */
static struct slab *slab_new(struct slab_cache *c)
{
	uint64_t pa = frame_alloc();
	struct slab *s;
	uintptr_t obj;

	if (!pa)
		return 0;
	s = kmap_phys(pa);
	*s = (struct slab){ .cache = c };
	obj = (uintptr_t)s + objects_start();
	for (uint32_t i = 0; i < c->per_slab; i++, obj += c->objsize) {
		*(void **)obj = s->free;
		s->free = (void *)obj;
	}
	return s;
}

static uint32_t index_of(const struct slab *s, const void *obj)
{
	return (uint32_t)(((uintptr_t)obj - (uintptr_t)s - objects_start()) /
			  s->cache->objsize);
}

static void *take(struct slab_cache *c, struct slab *s)
{
	void *obj = s->free;
	uint32_t i = index_of(s, obj);

	s->free = *(void **)obj;
	s->used[i / 64] |= 1ull << (i % 64);
	s->inuse++;
	c->live++;
	if (!s->free) {
		list_del(&c->partial, s);
		list_add(&c->full, s);
	}
	return obj;
}

void *slab_alloc(struct slab_cache *c)
{
	irqflags_t f = spin_lock_irqsave(&c->lock);
	struct slab *s = c->partial;
	void *obj = 0;

	if (!s) {
		spin_unlock_irqrestore(&c->lock, f);
		s = slab_new(c);	/* frame_alloc outside our lock */
		f = spin_lock_irqsave(&c->lock);
		if (s) {
			list_add(&c->partial, s);
			c->nslabs++;
		}
		s = c->partial;
	}
	if (s)
		obj = take(c, s);
	spin_unlock_irqrestore(&c->lock, f);
	if (obj)
		memset(obj, 0, c->objsize);
	return obj;
}

/* Is @obj an object @c handed out?  Caller holds c->lock. */
static struct slab *owner(struct slab_cache *c, void *obj, uint32_t *idx)
{
	uintptr_t o = (uintptr_t)obj;
	struct slab *s = (struct slab *)(o & ~(FRAME_SIZE - 1));
	uintptr_t off = o - (uintptr_t)s;

	if (o < DIRECT_MAP || o >= DIRECT_MAP + DIRECT_MAP_SIZE ||
	    off < objects_start() || (off - objects_start()) % c->objsize)
		return 0;
	if (frame_refcount(kmap_to_phys(s)) != 1 || s->cache != c)
		return 0;
	*idx = index_of(s, obj);
	if (*idx >= c->per_slab || !(s->used[*idx / 64] & (1ull << (*idx % 64))))
		return 0;
	return s;
}

int slab_free(struct slab_cache *c, void *obj)
{
	irqflags_t f = spin_lock_irqsave(&c->lock);
	uint32_t i;
	struct slab *s = owner(c, obj, &i);

	if (!s) {
		spin_unlock_irqrestore(&c->lock, f);
		return -NH_EINVAL;
	}
	if (!s->free) {
		list_del(&c->full, s);
		list_add(&c->partial, s);
	}
	s->used[i / 64] &= ~(1ull << (i % 64));
	*(void **)obj = s->free;
	s->free = obj;
	s->inuse--;
	c->live--;
	spin_unlock_irqrestore(&c->lock, f);
	return 0;
}

/* Unlink @c's empty slabs into @out (a chain through ->next). */
static struct slab *take_empty(struct slab_cache *c)
{
	irqflags_t f = spin_lock_irqsave(&c->lock);
	struct slab *out = 0, *s = c->partial, *next;

	for (; s; s = next) {
		next = s->next;
		if (s->inuse == 0) {
			list_del(&c->partial, s);
			s->next = out;
			out = s;
			c->nslabs--;
		}
	}
	spin_unlock_irqrestore(&c->lock, f);
	return out;
}

void slab_settle(void)
{
	irqflags_t f = spin_lock_irqsave(&caches_lock);
	struct slab_cache *c = caches;

	spin_unlock_irqrestore(&caches_lock, f);	/* caches are never removed */
	for (; c; c = c->next) {
		struct slab *s = take_empty(c), *next;

		for (; s; s = next) {
			next = s->next;
			s->cache = 0;
			frame_put(kmap_to_phys(s));
		}
	}
}

void slab_for_each(void (*fn)(struct slab_cache *c, void *ctx), void *ctx)
{
	irqflags_t f = spin_lock_irqsave(&caches_lock);
	struct slab_cache *c = caches;

	spin_unlock_irqrestore(&caches_lock, f);
	for (; c; c = c->next)
		fn(c, ctx);
}
