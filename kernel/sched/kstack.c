/*
 * Kernel stacks in the stack area (see kstack.h).  kstack_lock guards the
 * slot bitmap and the per-hart caches.
 */
#include "sched/kstack.h"

#include <nuthatch/errno.h>

#include "mm/frame.h"
#include "core/hart.h"
#include "mm/kmap.h"
#include "lib/kstring.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "sched/timer.h"
#include "sched/waitq.h"
_Static_assert(KSTACK_GUARD == KSTACK_GUARD_SIZE, "core/hart.h");


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
	irqflags_t f = spin_lock_irqsave(&kstack_lock);
	struct cache *c = &caches[hart_self()->index];
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

/*
 * Bytes used: the stack grows down from hi and was all zero once.  The
 * scan samples one word in every 128 bytes from the bottom up, then finds
 * the exact lowest written word in the 128 bytes below the first sample
 * hit: a frame reaching deeper without writing its sampled word is
 * missed, so the mark may be low by less than 128 bytes.  (A full scan
 * costs 5,000 instructions per exit; this about 250.)  It reads through
 * the direct map: this hart may never have run on the stack, so its own
 * view of the stack area may be stale.
 */
#define SAMPLE_WORDS	16

static uint32_t used_bytes(const struct kstack *s)
{
	for (unsigned p = 0; p < KSTACK_PAGES; p++) {
		const uint64_t *w = kmap_phys(s->frames[p]);

		for (unsigned g = 0; g < 512; g += 4 * SAMPLE_WORDS) {
			const uint64_t *x = w + g + SAMPLE_WORDS - 1;

			/* (Four samples a test: most of a stack is never touched.) */
			if (!(x[0] | x[SAMPLE_WORDS] | x[2 * SAMPLE_WORDS] | x[3 * SAMPLE_WORDS]))
				continue;
			for (unsigned i = g + SAMPLE_WORDS - 1;; i += SAMPLE_WORDS) {
				unsigned j = i + 1 - SAMPLE_WORDS;

				if (!w[i])
					continue;
				while (!w[j])	/* ends at i at the latest */
					j++;
				return (uint32_t)(KSTACK_SIZE - p * 4096 - j * 8);
			}
		}
	}
	return 0;
}

/* Zero the top @used bytes again, through the direct map. */
static void zero_used(const struct kstack *s, uint32_t used)
{
	for (unsigned p = KSTACK_PAGES; p-- > 0 && used; ) {
		uint32_t n = used < 4096 ? used : 4096;

		memset((char *)kmap_phys(s->frames[p]) + 4096 - n, 0, n);
		used -= n;
	}
}

/*
 * Batched shootdown.  An unmapped stack waits on the pending ring with a
 * new flush generation; every hart, at its next IPI (sent, not waited
 * for) or timer interrupt, sees the generation move, fences its TLB and
 * records the generation it has seen.
 * A pending stack's frames and slot are reused only once every online
 * hart has seen its generation, so no hart can still reach them.  No
 * cross-hart call is ever waited on.
 */
static uint64_t flush_gen;		/* [a] */
static struct pending {
	struct kstack s;
	uint64_t gen;
} pend[KSTACK_PENDING];			/* [kstack_lock] */
static unsigned npend;			/* [kstack_lock] */

void kstack_sync_hart(void)
{
	struct hart *h = hart_self();
	uint64_t g = __atomic_load_n(&flush_gen, __ATOMIC_ACQUIRE);

	if (h->kstack_gen_seen != g) {
		arch_tlb_flush_local();
		__atomic_store_n(&h->kstack_gen_seen, g, __ATOMIC_RELEASE);
	}
}

/* The oldest generation some online hart may not have fenced yet. */
static uint64_t gen_seen_by_all(void)
{
	uint64_t low = ~0ull;

	for (unsigned i = 0; i < PLAT_MAX_HARTS; i++) {
		uint64_t g;

		if (!__atomic_load_n(&harts[i].online, __ATOMIC_ACQUIRE))
			continue;
		g = __atomic_load_n(&harts[i].kstack_gen_seen, __ATOMIC_ACQUIRE);
		if (g < low)
			low = g;
	}
	return low;
}

/* Free the pending stacks every hart has fenced; how many are left. */
static unsigned reclaim(void)
{
	struct kstack done[KSTACK_PENDING];
	unsigned ndone = 0, left;
	irqflags_t f;
	uint64_t safe;

	kstack_sync_hart();
	safe = gen_seen_by_all();
	f = spin_lock_irqsave(&kstack_lock);
	for (unsigned i = 0; i < npend; ) {
		if (pend[i].gen <= safe) {
			done[ndone++] = pend[i].s;
			slot_give(pend[i].s.slot);
			pend[i] = pend[--npend];
		} else {
			i++;
		}
	}
	left = npend;
	spin_unlock_irqrestore(&kstack_lock, f);
	for (unsigned i = 0; i < ndone; i++)
		put_frames(done[i].frames, KSTACK_PAGES);
	return left;
}

/* Wait (sleeping) until at most @max stacks are pending. */
static void reclaim_until(unsigned max)
{
	while (reclaim() > max)
		task_sleep_ns(1000000000ull / timer_hz());
}

/* Ask the other harts to fence now rather than at their next tick: an
 * IPI, not waited for (its handler calls kstack_sync_hart). */
static void nudge_others(void)
{
	irqflags_t f = arch_irq_save();
	struct hart *self = hart_self();

	for (unsigned i = 0; i < PLAT_MAX_HARTS; i++) {
		if (&harts[i] != self && __atomic_load_n(&harts[i].online, __ATOMIC_ACQUIRE))
			arch_send_ipi(harts[i].hartid);
	}
	arch_irq_restore(f);
}

/* Unmap @s and queue it for reuse after every hart has fenced it. */
static void stack_release(struct kstack *s)
{
	irqflags_t f;
	bool queued = false;

	kmap_unmap_pages(s->lo, KSTACK_PAGES);	/* fences this hart */
	while (!queued) {
		f = spin_lock_irqsave(&kstack_lock);
		if (npend < KSTACK_PENDING) {
			pend[npend].s = *s;
			pend[npend++].gen = __atomic_add_fetch(&flush_gen, 1,
							       __ATOMIC_ACQ_REL);
			queued = true;
		}
		spin_unlock_irqrestore(&kstack_lock, f);
		if (!queued)
			reclaim_until(KSTACK_PENDING - 1);
	}
	nudge_others();
	reclaim();
}

bool kstack_free_cached(struct kstack *s, uint32_t *used)
{
	irqflags_t f = spin_lock_irqsave(&kstack_lock);
	struct cache *c = &caches[hart_self()->index];	/* interrupts off */
	bool room = c->n < KSTACK_CACHE;

	spin_unlock_irqrestore(&kstack_lock, f);
	if (!room)	/* (only this hart adds to its cache: it stays so) */
		return false;
	*used = kstack_free(s);
	return true;
}

uint32_t kstack_free(struct kstack *s)
{
	uint32_t used = used_bytes(s);
	bool cached = false;
	struct cache *c;
	irqflags_t f;

	zero_used(s, used);
	f = spin_lock_irqsave(&kstack_lock);
	c = &caches[hart_self()->index];	/* interrupts off: no migration */
	in_use--;
	if (c->n < KSTACK_CACHE) {
		c->s[c->n++] = *s;
		cached = true;
	}
	spin_unlock_irqrestore(&kstack_lock, f);
	if (!cached)
		stack_release(s);
	return used;
}

void kstack_drain(void)
{
	kstack_drain_caches();
	reclaim_until(0);
}

void kstack_drain_caches(void)
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
