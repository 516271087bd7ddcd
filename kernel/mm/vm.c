/*
 * Address spaces (see vm.h): regions and their kinds, page faults,
 * copy-on-write clones, and the map/unmap/protect/query operations.
 *
 * Leaves come in two forms: valid (a normal 4 KiB user leaf) and kept
 * (V clear, PTE_SW_KEPT set, the frame still named): what a page of a
 * PROT_NONE region holds, and what unmapping leaves for the moment
 * between clearing a leaf and the shootdown that makes its frame safe to
 * give back.  Either form holds one frame reference and counts as
 * resident.
 */
#include "mm/vm.h"

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"
#include "arch/riscv/pgtable.h"
#include "mm/frame.h"
#include "obj/handle.h"
#include "core/hart.h"
#include "mm/kmap.h"
#include "lib/kstring.h"
#include "mm/memobj.h"
#include "mm/slab.h"

#define KERNEL_HALF	(PT_ENTRIES / 2)
#define PAGE_MASK	(PAGE_SIZE - 1)
#define VM_MAX_REGIONS	1024
#define PROT_ALL	(VM_READ | VM_WRITE | VM_EXEC)

static struct slab_cache space_cache, region_cache;
static uint64_t next_space_id = 1;	/* [a] */
static uint64_t live_spaces;		/* [a] */

/* ---- pages ---------------------------------------------------------- */

static void page_copy(uint64_t dst_pa, uint64_t src_pa)
{
	arch_page_copy(kmap_phys(dst_pa), kmap_phys(src_pa));
}

static void page_zero(uint64_t pa)
{
	arch_page_zero(kmap_phys(pa));
}

/* A user leaf for @prot (VM_* are PGT_*'s R, W, X), or a kept one for none. */
static inline pte_t leaf(uint64_t pa, unsigned prot)
{
	_Static_assert(VM_READ == PGT_R && VM_WRITE == PGT_W && VM_EXEC == PGT_X,
		       "the same permission bits");
	if (!(prot & PROT_ALL))
		return pte_make(pa, PTE_SW_KEPT);
	return pte_make(pa, pgt_leaf_flags((prot & PROT_ALL) | PGT_U));
}

/* The 4 KiB leaf slot of @va, or NULL if a table above it is missing. */
static pte_t *walk_present(const struct vmspace *s, uint64_t va)
{
	const pte_t *t = kmap_phys(s->root_pa);
	pte_t e = t[PT_INDEX(va, 2)];

	if (!(e & PTE_V))
		return 0;
	e = ((const pte_t *)kmap_phys(pte_pa(e)))[PT_INDEX(va, 1)];
	if (!(e & PTE_V))
		return 0;
	return (pte_t *)kmap_phys(pte_pa(e)) + PT_INDEX(va, 0);
}

/* walk() when a table is missing: create the tables down to the leaf. */
static pte_t *walk_create(struct vmspace *s, uint64_t va)
{
	pte_t *t = kmap_phys(s->root_pa);

	for (int l = PT_LEVELS - 1; l > 0; l--) {
		pte_t *e = &t[PT_INDEX(va, l)];

		if (!(*e & PTE_V)) {
			uint64_t pa = frame_alloc_zeroed();

			if (!pa)
				return 0;
			*e = pte_make(pa, PTE_V);
			frame_link_set(pa, s->table_list);
			s->table_list = pa;
			s->tables++;
		}
		t = kmap_phys(pte_pa(*e));
	}
	return &t[PT_INDEX(va, 0)];
}

/* The 4 KiB leaf slot of @va, creating tables if @create; NULL if there
 * is none (or no memory for one). */
static inline pte_t *walk(struct vmspace *s, uint64_t va, bool create)
{
	pte_t *slot = walk_present(s, va);

	return slot || !create ? slot : walk_create(s, va);
}

/* ---- spaces --------------------------------------------------------- */

static irqflags_t vm_lock(struct vmspace *s)
{
	return spin_lock_irqsave_poll(&s->lock, vm_tlb_poll);
}

static void vm_unlock(struct vmspace *s, irqflags_t f)
{
	spin_unlock_irqrestore(&s->lock, f);
}

static int charge_limit(struct vmspace *s, int64_t delta)
{
	return delta > 0 && s->limit && s->resident + (uint64_t)delta > s->limit ?
	       -NH_ENOMEM : 0;
}

/* @n resident pages fewer. */
static void uncharge(struct vmspace *s, uint64_t n)
{
	if (n) {
		s->resident -= n;
		s->charge(s, -(int64_t)n);
	}
}

static void space_get(void *s)
{
	vm_get(s);
}

static void space_put(void *s)
{
	vm_put(s);
}

void vm_init(void)
{
	static const struct handle_type_ops ops = { .get = space_get, .put = space_put };

	slab_cache_init(&space_cache, "vmspace", sizeof(struct vmspace));
	slab_cache_init(&region_cache, "vm_region", sizeof(struct vm_region));
	handle_type_register(NH_OBJ_SPACE, &ops);
}

struct vmspace *vm_create(int *err)
{
	struct vmspace *s = slab_alloc(&space_cache);
	uint64_t root = s ? frame_alloc_zeroed() : 0;

	if (!root) {
		if (s)
			slab_free(&space_cache, s);
		*err = -NH_ENOMEM;
		return 0;
	}
	*s = (struct vmspace){ .root_pa = root, .refs = 1, .charge = charge_limit,
		.lock = SPINLOCK_INIT("vm: space", RANK_VM) };
	s->id = __atomic_fetch_add(&next_space_id, 1, __ATOMIC_RELAXED);
	list_init(&s->regions);
	/* The kernel half is shared: its root entries never change. */
	memcpy((pte_t *)kmap_phys(root) + KERNEL_HALF,
	       kmap_root_table() + KERNEL_HALF, KERNEL_HALF * sizeof(pte_t));
	__atomic_fetch_add(&live_spaces, 1, __ATOMIC_RELAXED);
	return s;
}

void vm_get(struct vmspace *s)
{
	__atomic_fetch_add(&s->refs, 1, __ATOMIC_RELAXED);
}


int vm_translate(struct vmspace *s, uint64_t va, uint64_t *pa, unsigned *prot)
{
	irqflags_t f = vm_lock(s);
	pte_t *slot = va < VM_USER_HI ? walk(s, va, false) : 0;
	pte_t e = slot ? *slot : 0;

	vm_unlock(s, f);
	if (!e)
		return -NH_ENOENT;
	*pa = pte_pa(e);
	*prot = (e & PTE_V) ? ((e & PTE_R ? VM_READ : 0) | (e & PTE_W ? VM_WRITE : 0) |
			       (e & PTE_X ? VM_EXEC : 0)) : 0;
	return 0;
}

uint64_t vm_live_spaces(void)
{
	return __atomic_load_n(&live_spaces, __ATOMIC_RELAXED);
}

/* ---- regions -------------------------------------------------------- */

static struct vm_region *region_at(struct list_node *n)
{
	return container_of(n, struct vm_region, node);
}

/* The lowest region ending above @va, or NULL. */
static struct vm_region *first_above(struct vmspace *s, uint64_t va)
{
	struct list_node *n;

	list_for_each(n, &s->regions) {
		if (region_at(n)->end > va)
			return region_at(n);
	}
	return 0;
}

static struct vm_region *find(struct vmspace *s, uint64_t va)
{
	struct vm_region *r = s->hint;

	if (r && r->start <= va && va < r->end)
		return r;
	r = first_above(s, va);
	if (!r || r->start > va)
		return 0;
	s->hint = r;
	return r;
}

static struct vm_region *next_of(struct vmspace *s, struct vm_region *r)
{
	return r->node.next == &s->regions ? 0 : region_at(r->node.next);
}

static bool range_free(struct vmspace *s, uint64_t lo, uint64_t hi)
{
	struct vm_region *r = first_above(s, lo);

	return !r || r->start >= hi;
}

static void insert(struct vmspace *s, struct vm_region *nr)
{
	struct vm_region *r = first_above(s, nr->start);

	if (r)
		list_insert_before(&r->node, &nr->node);
	else
		list_add_tail(&s->regions, &nr->node);
	s->nregions++;
}

static struct vm_region *region_new(const struct vm_region *tmpl)
{
	struct vm_region *r = slab_alloc(&region_cache);

	if (r) {
		*r = *tmpl;
		r->node = (struct list_node){ 0, 0 };
		if (r->obj)
			memobj_get(r->obj);
	}
	return r;
}

static void region_remove(struct vmspace *s, struct vm_region *r)
{
	if (s->hint == r)
		s->hint = 0;
	for (int i = 0; i < VM_FUTEX_HINTS; i++)
		if (s->futex_hint[i] == r)
			s->futex_hint[i] = 0;
	list_del(&r->node);
	s->nregions--;
	if (r->obj)
		memobj_put(r->obj);
	slab_free(&region_cache, r);
}

/* Split @r at @a (inside it): the upper part becomes a new region. */
static int split(struct vmspace *s, struct vm_region *r, uint64_t a)
{
	struct vm_region *hi;

	if (a <= r->start || a >= r->end)
		return 0;
	if (s->nregions >= VM_MAX_REGIONS || !(hi = region_new(r)))
		return -NH_ENOMEM;
	hi->start = a;
	hi->offset = r->offset + (a - r->start);
	r->end = a;
	insert(s, hi);
	return 0;
}

/* Make region boundaries fall at @lo and @hi. */
static int carve(struct vmspace *s, uint64_t lo, uint64_t hi)
{
	struct vm_region *r = find(s, lo);
	int err = r ? split(s, r, lo) : 0;

	r = find(s, hi - 1);
	return err ? err : r ? split(s, r, hi) : 0;
}

/* ---- region kinds ---------------------------------------------------- */

static uint64_t obj_index(const struct vm_region *r, uint64_t va)
{
	return (r->offset + (va - r->start)) / PAGE_SIZE;
}

static int anon_fill(struct vm_region *r, uint64_t va, unsigned access,
		     uint64_t *pa, unsigned *prot)
{
	(void)va;
	(void)access;
	*pa = frame_alloc();
	if (!*pa)
		return -NH_ENOMEM;
	page_zero(*pa);
	*prot = r->prot;
	return 0;
}

/* A private view of an object: read in place, copy on a write. */
static int private_fill(struct vm_region *r, uint64_t va, unsigned access,
			uint64_t *pa, unsigned *prot)
{
	uint64_t src;
	int err = memobj_page(r->obj, obj_index(r, va), !r->obj->readonly, &src);

	if (err)
		return err == -NH_ENOENT ? -NH_EFAULT : err;
	if (access & VM_WRITE) {
		*pa = frame_alloc();
		if (!*pa)
			return -NH_ENOMEM;
		page_copy(*pa, src);
		*prot = r->prot;
		return 0;
	}
	frame_ref(src);
	*pa = src;
	*prot = r->prot & ~VM_WRITE;
	return 0;
}

/* Does @r hold frame references on its leaves (not a device's MMIO)? */
static bool refs_frames(const struct vm_region *r)
{
	return !memobj_is_device(r->obj);
}

static int shared_fill(struct vm_region *r, uint64_t va, unsigned access,
		       uint64_t *pa, unsigned *prot)
{
	int err = memobj_page(r->obj, obj_index(r, va), true, pa);

	(void)access;
	if (err)
		return err == -NH_ENOENT ? -NH_EFAULT : err;
	if (refs_frames(r))
		frame_ref(*pa);
	*prot = r->prot;
	return 0;
}

static const struct vm_region_ops anon_ops = { NH_REGION_ANON, anon_fill, true };
static const struct vm_region_ops private_ops = { NH_REGION_PRIVATE, private_fill, true };
static const struct vm_region_ops shared_ops = { NH_REGION_SHARED, shared_fill, false };

/* ---- faults ----------------------------------------------------------- */

static int fill(struct vmspace *s, struct vm_region *r, uint64_t va,
		unsigned access, pte_t *slot)
{
	unsigned prot;
	uint64_t pa;
	int err = s->charge(s, 1);

	if (err)
		return err;
	err = r->ops->fill(r, va, access, &pa, &prot);
	if (err) {
		s->charge(s, -1);
		return err;
	}
	*slot = leaf(pa, prot);
	s->resident++;
	if (prot & VM_EXEC)
		vm_tlb_code_written();
	return 0;
}

/*
 * Leaf @va of @s lost permissions or its frame: no hart may keep the old
 * entry.  The common case inline: a space only this hart ever installed,
 * and installed here now, needs just a local flush.
 */
static void forget_page(struct vmspace *s, uint64_t va)
{
	struct hart *h = hart_self();

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (h->vm == s &&
	    !(__atomic_load_n(&s->ran_on, __ATOMIC_RELAXED) & ~(1ull << h->index)))
		arch_tlb_flush_page(va);
	else
		vm_tlb_shootdown(s, va, PAGE_SIZE);
}

/*
 * A write to a present private page: keep the frame if this space is its
 * only user (set W if the region allows it), else copy it; other harts
 * must forget the old frame before it can go.
 */
static int break_cow(struct vmspace *s, struct vm_region *r, uint64_t va,
		     pte_t *slot)
{
	uint64_t old = pte_pa(*slot), copy;

	if (frame_refcount(old) == 1) {
		*slot = leaf(old, r->prot);
		return 0;
	}
	copy = frame_alloc();
	if (!copy)
		return -NH_ENOMEM;
	page_copy(copy, old);
	*slot = leaf(copy, r->prot);
	forget_page(s, va);
	frame_put(old);
	return 0;
}

static bool allowed(const struct vm_region *r, unsigned access)
{
	if ((access & VM_WRITE) && r->obj && r->obj->readonly && !r->ops->cow)
		return false;	/* a read-only object's frames stay as they are */
	return (access & VM_FORCE) || !(access & PROT_ALL & ~r->prot);
}

/* vm_fault with the lock held; @va page aligned. */
static int fault_locked(struct vmspace *s, uint64_t va, unsigned access)
{
	struct vm_region *r = find(s, va);
	pte_t *slot;

	if (!r || !allowed(r, access))
		return -NH_EFAULT;
	slot = walk(s, va, true);
	if (!slot)
		return -NH_ENOMEM;
	if (!*slot)
		return fill(s, r, va, access, slot);
	if (!(*slot & PTE_V))	/* kept: PROT_NONE; a forced read may look */
		return (access & (VM_FORCE | VM_WRITE)) == VM_FORCE ? 0 : -NH_EFAULT;
	if ((access & VM_WRITE) && r->ops->cow &&
	    (!(*slot & PTE_W) || (access & VM_FORCE)))
		return break_cow(s, r, va, slot);
	return 0;	/* another hart got there first, or a stale entry */
}

int vm_fault(struct vmspace *s, uint64_t va, unsigned access)
{
	irqflags_t f;
	int err;

	if (va < VM_USER_LO || va >= VM_USER_HI)
		return -NH_EFAULT;
	f = vm_lock(s);
	err = fault_locked(s, va & ~PAGE_MASK, access);
	vm_unlock(s, f);
	if (!err)	/* an invalid or weaker entry may be cached here */
		arch_tlb_flush_page(va & ~PAGE_MASK);
	if (!err && (access & VM_EXEC))
		vm_tlb_poll();	/* fence.i if code was written since this hart's last */
	return err;
}

/* ---- kernel copies ----------------------------------------------------- */

static int copy_page_part(struct vmspace *s, uint64_t va, uint8_t *buf,
			  size_t n, unsigned access)
{
	irqflags_t f = vm_lock(s);
	struct vm_region *r = find(s, va);
	int err = r && !refs_frames(r) ? -NH_EFAULT :	/* MMIO: never by copy */
		  fault_locked(s, va & ~PAGE_MASK, access);
	pte_t *slot = err ? 0 : walk(s, va, false);
	uint8_t *page = slot ? (uint8_t *)kmap_phys(pte_pa(*slot)) : 0;

	if (page && (access & VM_WRITE))
		memcpy(page + (va & PAGE_MASK), buf, n);
	else if (page)
		memcpy(buf, page + (va & PAGE_MASK), n);
	if (page && (access & VM_WRITE) && (*slot & PTE_X))
		vm_tlb_code_written();
	vm_unlock(s, f);
	return err;
}

static int copy_range(struct vmspace *s, uint64_t va, uint8_t *buf,
		      size_t len, unsigned access)
{
	if (va + len < va || va < VM_USER_LO || va + len > VM_USER_HI)
		return -NH_EFAULT;
	while (len) {
		size_t n = PAGE_SIZE - (va & PAGE_MASK);
		int err;

		n = n < len ? n : len;
		err = copy_page_part(s, va, buf, n, access);
		if (err)
			return err;
		va += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int vm_read(struct vmspace *s, uint64_t va, void *dst, size_t len)
{
	return copy_range(s, va, dst, len, VM_READ);
}

int vm_write(struct vmspace *s, uint64_t va, const void *src, size_t len,
	     unsigned force)
{
	return copy_range(s, va, (uint8_t *)src, len, VM_WRITE | (force & VM_FORCE));
}

/* ---- leaves over a range --------------------------------------------- */

/*
 * Call @fn on every non-empty leaf slot of [lo, hi), skipping absent
 * tables; a non-zero return stops the walk and is returned.
 */
static int for_each_leaf(struct vmspace *s, uint64_t lo, uint64_t hi,
			 int (*fn)(struct vmspace *, pte_t *, uint64_t, void *),
			 void *ctx)
{
	uint64_t va = lo;

	while (va < hi) {
		uint64_t next = (va + LEVEL_SIZE(1)) & ~(LEVEL_SIZE(1) - 1);
		pte_t *slot = walk(s, va, false);

		if (!slot) {	/* no leaf table: the whole 2 MiB is empty */
			va = next;
			continue;
		}
		for (; va < hi && va < next; va += PAGE_SIZE, slot++) {
			int r = *slot ? fn(s, slot, va, ctx) : 0;

			if (r)
				return r;
		}
	}
	return 0;
}

/* A leaf whose frame no one else holds (not a memory object's page,
 * not shared with a clone): one the space's growth took from the pool. */
static int leaf_owned(struct vmspace *s, pte_t *slot, uint64_t va, void *ctx)
{
	(void)s, (void)va;
	if (frame_refcount(pte_pa(*slot)) == 1)
		++*(uint64_t *)ctx;
	return 0;
}

uint64_t vm_frames_held(struct vmspace *s)
{
	irqflags_t f = vm_lock(s);
	uint64_t n = s->tables;

	for (struct vm_region *r = first_above(s, 0); r; r = next_of(s, r))
		if (refs_frames(r))
			for_each_leaf(s, r->start, r->end, leaf_owned, &n);
	vm_unlock(s, f);
	return n;
}

/* Unmapping, step one: keep the frame, drop the translation. */
static int leaf_clear(struct vmspace *s, pte_t *slot, uint64_t va, void *ctx)
{
	(void)s, (void)va, (void)ctx;
	*slot = pte_make(pte_pa(*slot), PTE_SW_KEPT);
	return 0;
}

/* Step two, after the shootdown: give the frame back (@ctx: its region). */
static int leaf_release(struct vmspace *s, pte_t *slot, uint64_t va, void *ctx)
{
	(void)va;
	if (refs_frames(ctx))
		frame_put(pte_pa(*slot));
	*slot = 0;
	uncharge(s, 1);
	return 0;
}

static int leaf_count(struct vmspace *s, pte_t *slot, uint64_t va, void *ctx)
{
	(void)s, (void)slot, (void)va;
	++*(uint64_t *)ctx;
	return 0;
}

/* Remove every leaf of [lo, hi) (region boundaries fall at lo and hi)
 * and give the frames back; leaves exist only inside regions. */
static void release_range(struct vmspace *s, uint64_t lo, uint64_t hi)
{
	for_each_leaf(s, lo, hi, leaf_clear, 0);
	vm_tlb_shootdown(s, lo, hi - lo);
	for (struct vm_region *r = first_above(s, lo); r && r->start < hi;
	     r = next_of(s, r))
		for_each_leaf(s, r->start, r->end, leaf_release, r);
}

/* ---- map, unmap, protect, query -------------------------------------- */

static bool range_ok(uint64_t va, uint64_t len)
{
	return len && !((va | len) & PAGE_MASK) && va >= VM_USER_LO &&
	       va + len > va && va + len <= VM_USER_HI;
}

static bool prot_ok(unsigned prot)
{
	return !(prot & ~PROT_ALL) &&
	       (prot & (VM_WRITE | VM_EXEC)) != (VM_WRITE | VM_EXEC);
}

/* The lowest free [a, a + len) at or above @from. */
static int find_free(struct vmspace *s, uint64_t from, uint64_t len, uint64_t *va)
{
	uint64_t a = from;

	for (struct vm_region *r = first_above(s, a); r; r = next_of(s, r)) {
		if (r->start >= a + len)
			break;
		a = r->end > a ? r->end : a;
	}
	if (a + len < a || a + len > VM_USER_HI)
		return -NH_ENOMEM;
	*va = a;
	return 0;
}

/* What protect may ever give a mapping: never W on a shared mapping of
 * an object its mapper may not write (or nobody may), never X on device
 * registers. */
static unsigned max_prot(const struct memobj *obj, bool shared, unsigned flags)
{
	unsigned max = PROT_ALL;

	if (shared && obj && (obj->readonly || (flags & VM_MAP_OBJ_NOWRITE)))
		max &= ~VM_WRITE;
	if (memobj_is_device(obj))
		max &= ~VM_EXEC;
	return max;
}

/* The region template of a mapping request. */
static int map_template(struct vm_region *t, unsigned prot, unsigned flags,
			struct memobj *obj, uint64_t off, uint64_t len)
{
	bool shared = flags & NH_MAP_SHARED;

	if ((flags & ~(NH_MAP_FIXED | NH_MAP_SHARED | NH_MAP_PRIVATE | NH_MAP_POPULATE |
		       VM_MAP_OBJ_NOWRITE)) ||
	    (shared && (flags & NH_MAP_PRIVATE)) || !prot_ok(prot) ||
	    (obj && ((off & PAGE_MASK) || off + len < off ||
		     off + len > obj->npages * PAGE_SIZE)) || (!obj && off))
		return -NH_EINVAL;
	if (shared && obj && obj->readonly && (prot & VM_WRITE))
		return -NH_EACCES;
	if (memobj_is_device(obj) && (!shared || (prot & VM_EXEC)))
		return -NH_EINVAL;	/* registers are never copied or run */
	*t = (struct vm_region){ .prot = prot, .obj = obj, .offset = off,
		.maxprot = max_prot(obj, shared, flags),
		.ops = !obj ? &anon_ops : shared ? &shared_ops : &private_ops };
	return (prot & ~t->maxprot) ? -NH_EACCES : 0;
}

/* NH_MAP_POPULATE: the pages of @r's object present now entered at once,
 * each as its first fault would (a page with no frame yet, or no room
 * for a table or under the charge limit: left to its fault). */
static void populate(struct vmspace *s, struct vm_region *r)
{
	for (uint64_t va = r->start; va < r->end; va += PAGE_SIZE) {
		pte_t *slot = walk(s, va, true);
		uint64_t pa;

		if (!slot || s->charge(s, 1))
			return;
		if (*slot || memobj_page(r->obj, obj_index(r, va), false, &pa)) {
			s->charge(s, -1);
			continue;
		}
		if (refs_frames(r))
			frame_ref(pa);
		*slot = leaf(pa, r->prot);
		s->resident++;
		if (r->prot & VM_EXEC)
			vm_tlb_code_written();
	}
}

int vm_map(struct vmspace *s, uint64_t *va, uint64_t len, unsigned prot,
	   unsigned flags, struct memobj *obj, uint64_t off)
{
	struct vm_region t, *r;
	irqflags_t f;
	int err = map_template(&t, prot, flags, obj, off, len);

	if (!err && (flags & NH_MAP_FIXED) && !range_ok(*va, len))
		err = -NH_EINVAL;
	if (!err && (!len || (len & PAGE_MASK) || (*va & PAGE_MASK)))
		err = -NH_EINVAL;
	if (err)
		return err;
	f = vm_lock(s);
	if (flags & NH_MAP_FIXED)
		err = range_free(s, *va, *va + len) ? 0 : -NH_EEXIST;
	else
		err = find_free(s, *va > VM_MMAP_BASE ? *va : VM_MMAP_BASE, len, va);
	if (!err && s->nregions >= VM_MAX_REGIONS)
		err = -NH_ENOMEM;
	t.start = *va;
	t.end = *va + len;
	r = err ? 0 : region_new(&t);
	if (r)
		insert(s, r);
	if (r && (flags & NH_MAP_POPULATE) && r->ops == &shared_ops && r->prot)
		populate(s, r);	/* (a new region: no hart has its entries cached) */
	vm_unlock(s, f);
	return err ? err : r ? 0 : -NH_ENOMEM;
}

/* vm_unmap with the lock held. */
static int unmap_locked(struct vmspace *s, uint64_t lo, uint64_t hi)
{
	struct vm_region *r, *next;
	int err = carve(s, lo, hi);

	if (err)
		return err;
	release_range(s, lo, hi);
	for (r = first_above(s, lo); r && r->start < hi; r = next) {
		next = next_of(s, r);
		region_remove(s, r);
	}
	return 0;
}

int vm_unmap(struct vmspace *s, uint64_t va, uint64_t len)
{
	irqflags_t f;
	int err;

	if (!range_ok(va, len))
		return -NH_EINVAL;
	f = vm_lock(s);
	err = unmap_locked(s, va, va + len);
	vm_unlock(s, f);
	return err;
}

/* Is [lo, hi) mapped throughout? */
static bool covered(struct vmspace *s, uint64_t lo, uint64_t hi)
{
	uint64_t a = lo;

	for (struct vm_region *r = first_above(s, lo); r && a < hi; r = next_of(s, r)) {
		if (r->start > a)
			return false;
		a = r->end;
	}
	return a >= hi;
}

struct reprot {
	const struct vm_region *r;
	bool exec;
};

static int leaf_reprot(struct vmspace *s, pte_t *slot, uint64_t va, void *ctx)
{
	struct reprot *p = ctx;
	unsigned prot = p->r->prot;

	(void)s, (void)va;
	if (p->r->ops->cow)	/* write access comes back through a fault */
		prot &= ~VM_WRITE;
	*slot = leaf(pte_pa(*slot), prot);
	p->exec |= prot & VM_EXEC;
	return 0;
}

static int protect_locked(struct vmspace *s, uint64_t lo, uint64_t hi,
			  unsigned prot)
{
	struct reprot p = { 0, false };
	int err;

	if (!covered(s, lo, hi))
		return -NH_ENOMEM;
	for (struct vm_region *r = first_above(s, lo); r && r->start < hi; r = next_of(s, r)) {
		if (prot & ~r->maxprot)
			return -NH_EACCES;	/* more than its mapper could have */
	}
	err = carve(s, lo, hi);
	for (struct vm_region *r = first_above(s, lo); !err && r && r->start < hi;
	     r = next_of(s, r)) {
		r->prot = prot;
		p.r = r;
		for_each_leaf(s, r->start, r->end, leaf_reprot, &p);
	}
	if (p.exec)	/* before the shootdown: its IPI handlers fence.i */
		vm_tlb_code_written();
	vm_tlb_shootdown(s, lo, hi - lo);
	return err;
}

int vm_protect(struct vmspace *s, uint64_t va, uint64_t len, unsigned prot)
{
	irqflags_t f;
	int err;

	if (!range_ok(va, len) || !prot_ok(prot))
		return -NH_EINVAL;
	f = vm_lock(s);
	err = protect_locked(s, va, va + len, prot);
	vm_unlock(s, f);
	return err;
}

int vm_query(struct vmspace *s, uint64_t va, struct nh_region *out)
{
	irqflags_t f = vm_lock(s);
	struct vm_region *r = first_above(s, va);
	uint64_t n = 0;

	if (r) {
		for_each_leaf(s, r->start, r->end, leaf_count, &n);
		*out = (struct nh_region){ r->start, r->end, r->prot, r->ops->kind,
					   r->offset, n };
	}
	vm_unlock(s, f);
	return r ? 0 : -NH_ENOENT;
}

const void *vm_futex_key(struct vmspace *s, uint64_t va, uint64_t *off)
{
	irqflags_t f = vm_lock(s);
	struct vm_region *r = 0, **h = s->futex_hint;
	const void *base = s;

	/* its own hints (faults move find's): a pipe's two sides are two rings */
	for (int i = 0; i < VM_FUTEX_HINTS && !r; i++)
		if (h[i] && h[i]->start <= va && va < h[i]->end)
			r = h[i];
	if (!r) {
		r = find(s, va);
		memmove(h + 1, h, (VM_FUTEX_HINTS - 1) * sizeof(*h));
		h[0] = r;
	}

	*off = va;
	if (r && r->ops == &shared_ops) {
		base = r->obj;
		*off = r->offset + (va - r->start);
	}
	vm_unlock(s, f);
	return base;
}

/* ---- clone ------------------------------------------------------------ */

/*
 * Copy the leaves [lo, hi) of one 2 MiB table from @src to @dst: private
 * ones lose W in both, shared ones are copied as they are; each frame
 * gains a reference when @refs (not for a device's MMIO pages).  Returns
 * how many.
 */
static uint64_t clone_leaves(pte_t *src, pte_t *dst, unsigned lo, unsigned hi,
			     bool cow, bool refs)
{
	uint64_t n = 0;
	struct frame_batch b;

	frame_batch_begin(&b);
	for (unsigned i = lo; i < hi; i++) {
		pte_t e = src[i];

		if (!e)
			continue;
		if (cow && (e & PTE_W))
			src[i] = e &= ~(pte_t)PTE_W;
		dst[i] = e;
		if (refs)
			frame_ref_held(&b, pte_pa(e));
		n++;
	}
	frame_batch_end(&b);
	return n;
}

static int clone_region(struct vmspace *p, struct vmspace *c,
			const struct vm_region *r, bool *downgraded)
{
	struct vm_region *nr = region_new(r);

	if (!nr)
		return -NH_ENOMEM;
	list_add_tail(&c->regions, &nr->node);
	c->nregions++;
	for (uint64_t va = r->start, next; va < r->end; va = next) {
		pte_t *src = walk(p, va, false), *dst;
		unsigned lo = PT_INDEX(va, 0), hi;

		next = (va + LEVEL_SIZE(1)) & ~(LEVEL_SIZE(1) - 1);
		next = next < r->end ? next : r->end;
		hi = lo + (unsigned)((next - va) / PAGE_SIZE);
		if (!src)
			continue;
		dst = walk(c, va, true);
		if (!dst)
			return -NH_ENOMEM;
		c->resident += clone_leaves(src - lo, dst - lo, lo, hi, r->ops->cow,
					      refs_frames(r));
		*downgraded |= r->ops->cow;
	}
	return 0;
}

struct vmspace *vm_clone(struct vmspace *p, int *err)
{
	struct vmspace *c = vm_create(err);
	bool downgraded = false, charged;
	irqflags_t f;

	if (!c)
		return 0;
	f = vm_lock(p);
	c->charge = p->charge;
	c->limit = p->limit;
	c->brk_start = p->brk_start;
	c->brk = p->brk;
	*err = c->charge(c, (int64_t)p->resident);
	charged = !*err;
	for (struct list_node *n = p->regions.next; !*err && n != &p->regions; n = n->next)
		*err = clone_region(p, c, region_at(n), &downgraded);
	if (downgraded)
		vm_tlb_shootdown(p, VM_USER_LO, VM_USER_HI - VM_USER_LO);
	if (charged && c->resident < p->resident)	/* charged in full, not all came */
		c->charge(c, -(int64_t)(p->resident - c->resident));
	vm_unlock(p, f);
	if (*err) {
		vm_put(c);
		return 0;
	}
	return c;
}

/* ---- heap, limits, the end -------------------------------------------- */

static uint64_t page_up(uint64_t a)
{
	return (a + PAGE_MASK) & ~PAGE_MASK;
}

/* Grow the heap's pages from @lo to @hi. */
static int heap_grow(struct vmspace *s, uint64_t lo, uint64_t hi)
{
	struct vm_region *r = lo > VM_USER_LO ? find(s, lo - 1) : 0;
	struct vm_region t = { .start = lo, .end = hi, .ops = &anon_ops,
			       .prot = VM_READ | VM_WRITE, .maxprot = PROT_ALL };

	if (!range_free(s, lo, hi))
		return -NH_ENOMEM;
	if (r && r->end == lo && r->ops == &anon_ops && r->prot == t.prot) {
		r->end = hi;	/* the heap's region goes on */
		return 0;
	}
	if (s->nregions >= VM_MAX_REGIONS || !(r = region_new(&t)))
		return -NH_ENOMEM;
	insert(s, r);
	return 0;
}

uint64_t vm_brk(struct vmspace *s, uint64_t end)
{
	irqflags_t f = vm_lock(s);
	uint64_t old = page_up(s->brk), want = page_up(end), now;
	int err = 0;

	if (end && s->brk_start >= VM_USER_LO && end >= s->brk_start &&
	    end - s->brk_start <= VM_BRK_MAX && want <= VM_USER_HI) {
		if (want > old)
			err = heap_grow(s, old, want);
		else if (want < old)
			err = unmap_locked(s, want, old);
		if (!err)
			s->brk = end;
	}
	now = s->brk;
	vm_unlock(s, f);
	return now;
}

int vm_set_brk(struct vmspace *s, uint64_t start)
{
	irqflags_t f;
	int err = 0;

	if (start < VM_USER_LO || start >= VM_USER_HI ||
	    VM_USER_HI - start < VM_BRK_MAX)
		return -NH_EINVAL;
	f = vm_lock(s);
	if (s->brk != s->brk_start)
		err = -NH_EBUSY;
	else
		s->brk_start = s->brk = start;
	vm_unlock(s, f);
	return err;
}

void vm_set_limit(struct vmspace *s, uint64_t pages)
{
	irqflags_t f = vm_lock(s);

	s->limit = pages;
	vm_unlock(s, f);
}

void vm_stat(struct vmspace *s, struct nh_space_stat *st)
{
	irqflags_t f = vm_lock(s);

	*st = (struct nh_space_stat){ s->resident, s->limit, s->nregions,
				      s->asid_tag, s->brk_start, s->brk };
	vm_unlock(s, f);
}

/*
 * A dying space's frames: each leaf table's present leaves dropped under
 * one acquisition of the frame lock (not one each: a 64 MiB space has
 * 16,384), the lock held for at most a table's worth.  The leaves are
 * left as they are: their tables go next, unwalked, from the space's
 * chain of them.
 */
static void drop_leaves(struct vmspace *s, const struct vm_region *r)
{
	for (uint64_t va = r->start, next; va < r->end; va = next) {
		pte_t *slot = walk(s, va, false), *end;
		struct frame_batch b;

		next = (va + LEVEL_SIZE(1)) & ~(LEVEL_SIZE(1) - 1);
		next = next < r->end ? next : r->end;
		if (!slot)
			continue;
		end = slot + (next - va) / PAGE_SIZE;
		frame_batch_begin(&b);
		for (; slot < end; slot++)
			if (*slot)
				frame_put_held(&b, pte_pa(*slot));
		frame_batch_end(&b);
	}
}

static void free_tables(struct vmspace *s)
{
	for (uint64_t pa = s->table_list, next; pa; pa = next) {
		next = frame_link(pa);
		frame_put(pa);
	}
	s->table_list = 0;
}

/* The last reference is gone: no hart runs it, nothing can reach it. */
static void destroy(struct vmspace *s)
{
	while (!list_empty(&s->regions)) {
		struct vm_region *r = region_at(s->regions.next);

		if (refs_frames(r))
			drop_leaves(s, r);
		region_remove(s, r);
	}
	uncharge(s, s->resident);
	free_tables(s);
	frame_put(s->root_pa);
	slab_free(&space_cache, s);
	__atomic_fetch_sub(&live_spaces, 1, __ATOMIC_RELAXED);
}

void vm_put(struct vmspace *s)
{
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
		destroy(s);
}
