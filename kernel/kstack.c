/*
 * Kernel stacks in the stack area (see kstack.h).  kstack_lock guards the
 * slot bitmap and the per-hart caches.
 */
#include "kstack.h"

#include <nuthatch/errno.h>

#include "frame.h"
#include "hart.h"
#include "kmap.h"
#include "lib/kstring.h"
#include "spinlock.h"

static struct spinlock kstack_lock = SPINLOCK_INIT("kstack: slots, caches", RANK_VMSTACK);
static uint64_t slot_used[KSTACK_SLOTS / 64];	/* [kstack_lock] */
static unsigned in_use;				/* [kstack_lock] */
static struct cache {
	unsigned n;
	struct kstack s[KSTACK_CACHE];
} caches[PLAT_MAX_HARTS];			/* [kstack_lock] */

static uintptr_t slot_lo(unsigned slot)
{
	return KSTACK_AREA + (uintptr_t)slot * KSTACK_SLOT + KSTACK_GUARD;
}

static long slot_take(void)
{
	for (unsigned w = 0; w < KSTACK_SLOTS / 64; w++) {
		if (slot_used[w] != ~0ull) {
			unsigned b = (unsigned)__builtin_ctzll(~slot_used[w]);

			slot_used[w] |= 1ull << b;
			return w * 64 + b;
		}
	}
	return -NH_ENOSPC;
}

static void slot_give(unsigned slot)
{
	slot_used[slot / 64] &= ~(1ull << (slot % 64));
}

static void put_frames(const uint64_t *frames, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		frame_put(frames[i]);
}

/* New frames in a new slot.  Called without kstack_lock. */
static int stack_new(struct kstack *s)
{
	irqflags_t f;
	long slot;
	int err;

	for (unsigned i = 0; i < KSTACK_PAGES; i++) {
		s->frames[i] = frame_alloc_zeroed();
		if (!s->frames[i]) {
			put_frames(s->frames, i);
			return -NH_ENOMEM;
		}
	}
	f = spin_lock_irqsave(&kstack_lock);
	slot = slot_take();
	spin_unlock_irqrestore(&kstack_lock, f);
	if (slot < 0) {
		put_frames(s->frames, KSTACK_PAGES);
		return (int)slot;
	}
	s->slot = (unsigned)slot;
	s->lo = slot_lo(s->slot);
	s->hi = s->lo + KSTACK_SIZE;
	err = kmap_map_pages(s->lo, s->frames, KSTACK_PAGES);
	if (err) {
		kmap_unmap_pages(s->lo, KSTACK_PAGES);
		f = spin_lock_irqsave(&kstack_lock);
		slot_give(s->slot);
		spin_unlock_irqrestore(&kstack_lock, f);
		put_frames(s->frames, KSTACK_PAGES);
	}
	return err;
}

int kstack_alloc(struct kstack *s, bool *fresh)
{
	struct cache *c = &caches[hart_self()->index];
	irqflags_t f = spin_lock_irqsave(&kstack_lock);
	int err = 0;

	*fresh = c->n == 0;
	if (c->n)
		*s = c->s[--c->n];
	spin_unlock_irqrestore(&kstack_lock, f);
	if (*fresh)
		err = stack_new(s);
	if (!err) {
		f = spin_lock_irqsave(&kstack_lock);
		in_use++;
		spin_unlock_irqrestore(&kstack_lock, f);
	}
	return err;
}

/* Bytes used: the stack grows down from hi, and was all zero once. */
static uint32_t used_bytes(const struct kstack *s)
{
	const uint64_t *w = (const uint64_t *)s->lo;
	unsigned i = 0, n = KSTACK_SIZE / 8;

	while (i + 8 <= n && (w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] |
			      w[i + 5] | w[i + 6] | w[i + 7]) == 0)
		i += 8;
	while (i < n && w[i] == 0)
		i++;
	return (uint32_t)((n - i) * 8);
}

/* Unmap, flush every online hart, then free.  Called without kstack_lock. */
static void stack_release(struct kstack *s)
{
	struct hart *self = hart_self();
	irqflags_t f;

	kmap_unmap_pages(s->lo, KSTACK_PAGES);
	for (unsigned i = 0; i < PLAT_MAX_HARTS; i++) {
		if (&harts[i] != self && __atomic_load_n(&harts[i].online, __ATOMIC_ACQUIRE))
			arch_tlb_flush_remote(harts[i].hartid, s->lo, KSTACK_SIZE);
	}
	put_frames(s->frames, KSTACK_PAGES);
	f = spin_lock_irqsave(&kstack_lock);
	slot_give(s->slot);
	spin_unlock_irqrestore(&kstack_lock, f);
}

uint32_t kstack_free(struct kstack *s)
{
	struct cache *c = &caches[hart_self()->index];
	uint32_t used = used_bytes(s);
	bool cached = false;
	irqflags_t f;

	if (__atomic_load_n(&c->n, __ATOMIC_RELAXED) < KSTACK_CACHE)
		memset((void *)(s->hi - used), 0, used);  /* all zero again */
	f = spin_lock_irqsave(&kstack_lock);
	in_use--;
	if (c->n < KSTACK_CACHE && (used == 0 ||
				    *(uint64_t *)(s->hi - used) == 0)) {
		c->s[c->n++] = *s;	/* (zeroed above: only this hart fills c) */
		cached = true;
	}
	spin_unlock_irqrestore(&kstack_lock, f);
	if (!cached)
		stack_release(s);
	return used;
}

void kstack_drain(void)
{
	for (unsigned h = 0; h < PLAT_MAX_HARTS; h++) {
		for (;;) {
			struct kstack s;
			irqflags_t f = spin_lock_irqsave(&kstack_lock);
			bool got = caches[h].n > 0;

			if (got)
				s = caches[h].s[--caches[h].n];
			spin_unlock_irqrestore(&kstack_lock, f);
			if (!got)
				break;
			stack_release(&s);
		}
	}
}

unsigned kstack_in_use(void)
{
	return __atomic_load_n(&in_use, __ATOMIC_RELAXED);
}

long kstack_guard_slot(uintptr_t addr)
{
	uintptr_t off;

	if (addr < KSTACK_AREA || addr >= KSTACK_AREA + (uintptr_t)KSTACK_SLOTS * KSTACK_SLOT)
		return -1;
	off = (addr - KSTACK_AREA) % KSTACK_SLOT;
	return off < KSTACK_GUARD ? (long)((addr - KSTACK_AREA) / KSTACK_SLOT) : -1;
}
