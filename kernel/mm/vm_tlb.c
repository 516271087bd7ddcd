/*
 * Address spaces on harts (see vm.h): installing a space with its ASID,
 * and the TLB-flush rules.
 *
 * A hart flushes a space's translations when it (1) starts an ASID
 * generation (all of them), (2) installs a space whose pending bit for it
 * is set, (3) first installs a space under a freshly allocated ASID, and
 * (4) without ASID bits, installs any space other than the last one.  A
 * change that takes permissions away marks every hart pending and waits
 * for the harts running the space right now: they answer an IPI, or the
 * poll in a lock or wait loop, by flushing.
 */
#include "mm/vm.h"

#include "arch/riscv/arch.h"
#include "core/hart.h"
#include "mm/kmap.h"
#include "lib/asid.h"
#include "core/printk.h"

#define FLUSH_PAGES_MAX	16	/* more than this: flush the whole ASID */

static struct spinlock asid_lock = SPINLOCK_INIT("vm: ASID allocator", RANK_ASID);
static struct asid_alloc asids;		/* [asid_lock] */
static uint64_t kernel_root_pa;		/* [I] */
uint64_t vm_tlb_code_gen;		/* [a] (vm.h) */
static struct vm_tlb_stats stats;	/* [a] */

void vm_tlb_init(unsigned asid_bits)
{
	asid_init(&asids, asid_bits);
	kernel_root_pa = kmap_root();
	stats.bits = asids.bits;
	for (unsigned i = 0; i < PLAT_MAX_HARTS; i++)
		harts[i].asid_gen = asids.generation;	/* boot flushed them */
}

static void count(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

/* Forget what this hart holds of its installed space. */
static void flush_installed(struct hart *h)
{
	if (asids.bits) {
		arch_tlb_flush_asid(h->vm_asid);
		count(&stats.flush_asid);
	} else {
		arch_tlb_flush_local();
		count(&stats.flush_all);
	}
}

/*
 * The ASID @s runs under on @h.  *full: this hart must flush everything
 * (a generation it has not flushed for); *fresh: the ASID was just
 * allocated to @s.
 */
static uint64_t take_asid(struct hart *h, struct vmspace *s, bool *full,
			  bool *fresh)
{
	bool rolled = false;
	uint64_t asid;

	spin_lock(&asid_lock);
	*fresh = !asid_current(&asids, s->asid_tag);
	asid = asid_get(&asids, &s->asid_tag, &rolled);
	if (rolled)
		count(&stats.rollovers);
	*full = h->asid_gen != asids.generation;
	h->asid_gen = asids.generation;
	stats.generation = asids.generation;
#if NH_DEBUG
	/* The flush rule: never run a tag of another generation. */
	if (asids.bits && !asid_current(&asids, s->asid_tag))
		panic("vm: space %lu runs a stale ASID tag", s->id);
#endif
	spin_unlock(&asid_lock);
	return asid;
}

/* Install @next, now active here (@bit), with @asid; flush what the
 * rules say: @full everything, or its ASID when @pending or @fresh. */
static inline __attribute__((always_inline)) void
set_root(struct hart *h, struct vmspace *next, uint64_t bit, uint64_t asid, bool full,
	 bool fresh)
{
	/* Clear, then flush: a request after the clear sees us active. */
	bool pending = __atomic_fetch_and(&next->pending, ~bit, __ATOMIC_SEQ_CST) & bit;

	if (!asids.bits)
		full = full || pending || h->vm_last_id != next->id;
	arch_set_root(next->root_pa, asid);
	h->vm_asid = asid;
	h->vm_last_id = next->id;
	if (full) {
		arch_tlb_flush_local();
		count(&stats.flush_all);
	} else if (pending || fresh) {
		arch_tlb_flush_asid(asid);
		count(&stats.flush_asid);
	}
#if NH_DEBUG
	/* The flush rule: nothing pending for a space this hart now runs,
	 * unless a shootdown is setting it right now (it will IPI us). */
	if ((__atomic_load_n(&next->pending, __ATOMIC_SEQ_CST) & bit) &&
	    !__atomic_load_n(&next->shooting, __ATOMIC_SEQ_CST))
		panic("vm: hart %u runs space %lu with a flush pending", h->index, next->id);
#endif
}

/* install's way when the tag may need the allocator, or no ASIDs. */
static __attribute__((noinline)) void install_slow(struct hart *h, struct vmspace *next,
						   uint64_t bit)
{
	bool full = false, fresh = false;
	uint64_t asid = asids.bits ? take_asid(h, next, &full, &fresh) : 0;

	set_root(h, next, bit, asid, full, fresh);
}

/* Install @next on @h.  The usual case takes no lock: the space's tag is
 * of the generation this hart has flushed for. */
static void install(struct hart *h, struct vmspace *next)
{
	uint64_t bit = 1ull << h->index;
	uint64_t gen = __atomic_load_n(&asids.generation, __ATOMIC_ACQUIRE);
	uint64_t tag;

	if (!(__atomic_load_n(&next->ran_on, __ATOMIC_RELAXED) & bit))
		__atomic_fetch_or(&next->ran_on, bit, __ATOMIC_SEQ_CST);
	__atomic_fetch_or(&next->active, bit, __ATOMIC_SEQ_CST);
	tag = __atomic_load_n(&next->asid_tag, __ATOMIC_RELAXED);
	if (!asids.bits || h->asid_gen != gen || asid_generation_of(&asids, tag) != gen)
		install_slow(h, next, bit);
	else
		set_root(h, next, bit, asid_of(&asids, tag), false, false);
}

void vm_switch(struct hart *h, struct vmspace *next)
{
	struct vmspace *prev = h->vm;

	if (prev == next)
		return;
	if (prev)
		__atomic_fetch_and(&prev->active, ~(1ull << h->index), __ATOMIC_SEQ_CST);
	h->vm = next;
	if (next)
		install(h, next);
	else
		arch_set_root(kernel_root_pa, 0);	/* kernel entries are global */
}

static void flush_range_here(struct hart *h, uint64_t va, uint64_t len)
{
	if (len > FLUSH_PAGES_MAX * 4096ul) {
		flush_installed(h);
		return;
	}
	for (uint64_t a = va; a < va + len; a += 4096) {
		if (asids.bits)
			arch_tlb_flush_page_asid(a, h->vm_asid);
		else
			arch_tlb_flush_page(a);
	}
}

void vm_tlb_poll(void)
{
	struct hart *h = hart_self();
	struct vmspace *s = h->vm;
	uint64_t bit = 1ull << h->index;

	vm_tlb_code_sync(h);
	if (s && (__atomic_load_n(&s->pending, __ATOMIC_SEQ_CST) & bit)) {
		__atomic_fetch_and(&s->pending, ~bit, __ATOMIC_SEQ_CST);
		flush_installed(h);
	}
}

void vm_tlb_shootdown(struct vmspace *s, uint64_t va, uint64_t len)
{
	struct hart *me = hart_self();
	uint64_t bit = 1ull << me->index;
	uint64_t others, targets;

	/* No other hart ever installed it: only this one can hold entries.
	 * (One that installs it from now on walks the changed tables.) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(&s->ran_on, __ATOMIC_SEQ_CST) & ~bit)) {
		if (me->vm == s)
			flush_range_here(me, va, len);
		else
			__atomic_fetch_or(&s->pending, bit, __ATOMIC_SEQ_CST);
		return;
	}
	others = hart_online_mask() & ~bit;
	__atomic_fetch_add(&s->shooting, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_or(&s->pending, others | (me->vm == s ? 0 : bit),
			  __ATOMIC_SEQ_CST);
	if (me->vm == s)
		flush_range_here(me, va, len);
	targets = __atomic_load_n(&s->active, __ATOMIC_SEQ_CST) & others;
	for (uint64_t m = targets; m; m &= m - 1) {
		arch_send_ipi(harts[__builtin_ctzll(m)].hartid);
		count(&stats.ipis);
	}
	while (targets) {
		vm_tlb_poll();		/* answer theirs while we wait */
		arch_cpu_relax();
		targets &= __atomic_load_n(&s->pending, __ATOMIC_SEQ_CST) &
			   __atomic_load_n(&s->active, __ATOMIC_SEQ_CST);
	}
	__atomic_fetch_sub(&s->shooting, 1, __ATOMIC_SEQ_CST);
}

void vm_tlb_stats(struct vm_tlb_stats *out)
{
	out->flush_all = __atomic_load_n(&stats.flush_all, __ATOMIC_RELAXED);
	out->flush_asid = __atomic_load_n(&stats.flush_asid, __ATOMIC_RELAXED);
	out->rollovers = __atomic_load_n(&stats.rollovers, __ATOMIC_RELAXED);
	out->ipis = __atomic_load_n(&stats.ipis, __ATOMIC_RELAXED);
	out->generation = stats.generation;
	out->bits = stats.bits;
}
