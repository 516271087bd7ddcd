/*
 * Handle tables (handle.h): a frame per task holding the first chunk of
 * slots, growing by a frame per chunk, each slot a reference to an object
 * with its type, rights and flags, behind one lock; the encoding of
 * handle numbers with per-slot generations; and the calling task's
 * pseudo-handles.
 *
 * Every reference a slot holds was taken through the type's get() (or
 * handed over by handle_commit) and is dropped through its put(), always
 * after the table lock is released.
 */
#include "obj/handle.h"

#include <stdbool.h>

#include <nuthatch/errno.h>

#include "mm/frame.h"
#include "mm/kmap.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "sched/task.h"

_Static_assert(sizeof(struct handle_table) <= 4096, "a table fits a frame");
_Static_assert(HANDLE_CHUNK_SLOTS * sizeof(struct slot) <= 4096, "a chunk fits a frame");
_Static_assert(HANDLE_CHUNKS * sizeof(struct slot *) <= 4096, "the directory fits a frame");
_Static_assert(HANDLE_SLOTS <= 1 << SLOT_BITS, "slot index fits its bits");
_Static_assert(((uint64_t)HANDLE_GEN_MAX << SLOT_BITS | (HANDLE_SLOTS - 1)) + 1 <
	       NH_SELF_TASK, "numbers never meet the pseudo-handles");
_Static_assert(HANDLE_TYPES <= SLOT_RESERVED, "type numbers fit a slot");

/* A reference to an object, as a handle gives it. */
struct href {
	unsigned type;
	uint32_t rights;
	void *obj;
	uint64_t badge;
	uint32_t flags;
};

static const struct handle_type_ops *types[HANDLE_TYPES];	/* [a] set at boot */
static uint64_t live;						/* [a] handles in use */

/* ---- types ---------------------------------------------------------- */

void handle_type_register(unsigned type, const struct handle_type_ops *ops)
{
	const struct handle_type_ops *was;

	if (type == 0 || type >= HANDLE_TYPES || !ops || !ops->get || !ops->put)
		panic("handle: bad type registration %u", type);
	was = __atomic_load_n(&types[type], __ATOMIC_ACQUIRE);
	if (was && was != ops)
		panic("handle: type %u registered twice", type);
	__atomic_store_n(&types[type], ops, __ATOMIC_RELEASE);
}

static const struct handle_type_ops *ops_of(unsigned type)
{
	return type < HANDLE_TYPES ? __atomic_load_n(&types[type], __ATOMIC_ACQUIRE) : 0;
}

static void href_put(const struct href *r)
{
	ops_of(r->type)->put(r->obj);
}

/* Drop the reference a slot held (after the table lock): the type hears
 * of the rights going first. */
static void slot_put(const struct href *r)
{
	const struct handle_type_ops *ops = ops_of(r->type);

	if (ops->slot)
		ops->slot(r->obj, r->rights, -1);
	ops->put(r->obj);
}

void handle_put_obj(unsigned type, void *obj)
{
	ops_of(type)->put(obj);
}

uint64_t handle_live_count(void)
{
	return __atomic_load_n(&live, __ATOMIC_RELAXED);
}

/* ---- slots and numbers (table lock held) ------------------------------ */

struct slot *handle_slot_far(struct handle_table *ht, unsigned index)
{
	unsigned c = index / HANDLE_CHUNK_SLOTS;

	return c < ht->nchunks ? &ht->dir[c][index % HANDLE_CHUNK_SLOTS] : 0;
}

static long encode(unsigned index, uint32_t gen)
{
	return ((long)gen << SLOT_BITS | index) + 1;
}


/* The lowest free slot's index, or -NH_ESRCH (table closed) /
 * -NH_ENOSPC (none in the chunks it has). */
static int free_slot(struct handle_table *ht)
{
	unsigned n = ht->nchunks * HANDLE_CHUNK_SLOTS;

	if (ht->closed)
		return -NH_ESRCH;
	for (unsigned i = ht->hint; i < n; i++) {
		struct slot *s = handle_slot_at(ht, i);

		if (s->type == SLOT_FREE && !s->retired) {
			ht->hint = i + 1;
			return (int)i;
		}
	}
	ht->hint = n;
	return -NH_ENOSPC;
}

/* A handle's flags change from @was to @now (lock held): the count of
 * close-on-exec handles follows. */
static void count_cloexec(struct handle_table *ht, uint32_t was, uint32_t now)
{
	int d = !!(now & NH_HANDLE_CLOEXEC) - !!(was & NH_HANDLE_CLOEXEC);

	__atomic_store_n(&ht->ncloexec, ht->ncloexec + (unsigned)d, __ATOMIC_RELAXED);
}

/* Slot @index is free again: the search may start there. */
static void note_free(struct handle_table *ht, unsigned index)
{
	if (index < ht->hint)
		ht->hint = index;
}

/* Will the next growth need the directory frame?  (A racy read: grow
 * decides again under the lock.) */
static bool ht_needs_dir(struct handle_table *ht)
{
	return !__atomic_load_n(&ht->dir, __ATOMIC_RELAXED);
}

/* Add a chunk to @ht, which had @seen chunks (called without its lock):
 * 0 (grown, or grown by another meanwhile), -NH_ENOMEM, -NH_ESRCH. */
static int grow(struct handle_table *ht, unsigned seen)
{
	bool need_dir = ht_needs_dir(ht);
	uint64_t chunk = frame_alloc_zeroed(), dir = need_dir ? frame_alloc_zeroed() : 0;
	int err = !chunk || (need_dir && !dir) ? -NH_ENOMEM : 0;
	irqflags_t f = spin_lock_irqsave(&ht->lock);

	if (!err && ht->closed)
		err = -NH_ESRCH;
	if (!err && ht->nchunks == seen) {
		if (!ht->dir && dir) {
			ht->dir = kmap_phys(dir);
			ht->dir[0] = ht->slot0;
			dir = 0;
		}
		if (ht->dir) {
			ht->dir[ht->nchunks++] = kmap_phys(chunk);
			chunk = 0;
		}
	}
	spin_unlock_irqrestore(&ht->lock, f);
	if (chunk)
		frame_put(chunk);
	if (dir)
		frame_put(dir);
	return err;
}

/* grow() from under @ht's lock (*f its flags), which is dropped
 * meanwhile and held again on return. */
static int grow_locked(struct handle_table *ht, irqflags_t *f)
{
	unsigned seen = ht->nchunks;
	int err;

	spin_unlock_irqrestore(&ht->lock, *f);
	err = grow(ht, seen);
	*f = spin_lock_irqsave(&ht->lock);
	return err;
}

/* With @ht's lock held (*f its flags): a free slot's index, growing the
 * table if it must, or an error. */
static int free_slot_growing(struct handle_table *ht, irqflags_t *f)
{
	for (;;) {
		int index = free_slot(ht), err;

		if (index != -NH_ENOSPC || ht->nchunks == HANDLE_CHUNKS)
			return index;
		err = grow_locked(ht, f);
		if (err)
			return err;
	}
}

static void fill(struct handle_table *ht, struct slot *s, const struct href *r,
		 uint32_t rights)
{
	const struct handle_type_ops *ops = ops_of(r->type);

	s->type = (uint8_t)r->type;
	s->obj = r->obj;
	s->rights = (uint8_t)rights;
	s->flags = (uint8_t)r->flags;
	s->badge = r->badge;
	ht->nopen++;
	if (ops->slot)
		ops->slot(r->obj, rights, 1);
	__atomic_fetch_add(&live, 1, __ATOMIC_RELAXED);
}

/* Empty an open slot, its reference into *r; its number goes stale. */
static void vacate(struct handle_table *ht, struct slot *s, struct href *r)
{
	*r = (struct href){ s->type, s->rights, s->obj, s->badge, s->flags };
	s->type = SLOT_FREE;
	s->obj = 0;
	s->rights = 0;
	s->flags = 0;
	s->badge = 0;
	ht->nopen--;
	if (s->gen == HANDLE_GEN_MAX)
		s->retired = true;
	else
		s->gen++;
	__atomic_fetch_sub(&live, 1, __ATOMIC_RELAXED);
}

/* ---- tables ------------------------------------------------------------ */

struct handle_table *handle_table_create(int *err)
{
	uint64_t pa = frame_alloc_zeroed();
	struct handle_table *ht;

	if (!pa) {
		*err = -NH_ENOMEM;
		return 0;
	}
	ht = kmap_phys(pa);
	ht->lock = (struct spinlock)SPINLOCK_INIT("handle: a task's table", RANK_HANDLES);
	ht->pa = pa;
	ht->nchunks = 1;
	ht->users = ht->refs = 1;
	*err = 0;
	return ht;
}

/* Close slot @index if open and (with @only_flags) carrying those
 * flags; true if it was open. */
static bool close_index(struct handle_table *ht, unsigned index, uint32_t only_flags)
{
	irqflags_t f = spin_lock_irqsave(&ht->lock);
	struct slot *s = handle_slot_at(ht, index);
	bool open = s && s->type != SLOT_FREE && s->type != SLOT_RESERVED &&
		    (s->flags & only_flags) == only_flags;
	struct href r;

	if (open) {
		vacate(ht, s, &r);
		count_cloexec(ht, r.flags, 0);
		note_free(ht, index);
	}
	spin_unlock_irqrestore(&ht->lock, f);
	if (open)
		slot_put(&r);
	return open;
}

/* Slots in @ht's chunks now (a racy read: chunks are only added, and an
 * added chunk holds no handle a caller of this could care about). */
static unsigned slots_of(struct handle_table *ht)
{
	return __atomic_load_n(&ht->nchunks, __ATOMIC_RELAXED) * HANDLE_CHUNK_SLOTS;
}

void handle_table_close_all(struct handle_table *ht)
{
	irqflags_t f = spin_lock_irqsave(&ht->lock);

	ht->closed = true;
	spin_unlock_irqrestore(&ht->lock, f);
	/* (Closed, it gains no handle: the open ones end the walk.) */
	for (unsigned i = 0, n = slots_of(ht);
	     i < n && __atomic_load_n(&ht->nopen, __ATOMIC_RELAXED); i++)
		close_index(ht, i, 0);
}

void handle_table_close_exec(struct handle_table *ht)
{
	/* (Most execs have none: then no slot is visited.) */
	for (unsigned i = 0, n = slots_of(ht);
	     i < n && __atomic_load_n(&ht->ncloexec, __ATOMIC_RELAXED); i++)
		close_index(ht, i, NH_HANDLE_CLOEXEC);
}

void handle_table_share(struct handle_table *ht)
{
	__atomic_fetch_add(&ht->users, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&ht->refs, 1, __ATOMIC_RELAXED);
}

void handle_table_leave(struct handle_table *ht)
{
	if (__atomic_sub_fetch(&ht->users, 1, __ATOMIC_ACQ_REL) == 0)
		handle_table_close_all(ht);
}

void handle_table_put(struct handle_table *ht)
{
	if (__atomic_sub_fetch(&ht->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	handle_table_close_all(ht);
	for (unsigned c = 1; c < ht->nchunks; c++)
		frame_put(kmap_to_phys(ht->dir[c]));
	if (ht->dir)
		frame_put(kmap_to_phys(ht->dir));
	frame_put(ht->pa);
}

/* ---- references in and out ------------------------------------------------ */

/* A new reference to what @h names in @ht, if of @type (0: any) and
 * carrying @need. */
static int table_ref(struct handle_table *ht, long h, unsigned type,
		     uint32_t need, struct href *r)
{
	irqflags_t f = spin_lock_irqsave(&ht->lock);
	struct slot *s = handle_open_slot(ht, h);
	int err = 0;

	if (!s || (type && s->type != type))
		err = -NH_EBADF;
	else if ((s->rights & need) != need)
		err = -NH_EACCES;
	else {
		*r = (struct href){ s->type, s->rights, s->obj, s->badge, s->flags };
		ops_of(s->type)->get(s->obj);
	}
	spin_unlock_irqrestore(&ht->lock, f);
	return err;
}

/* Store @r's reference in a free slot of @ht: the number.  On failure
 * the reference is still the caller's. */
static long insert(struct handle_table *ht, const struct href *r, uint32_t rights)
{
	irqflags_t f = spin_lock_irqsave(&ht->lock);
	int index = free_slot_growing(ht, &f);
	struct href fresh = *r;
	long n = index;

	fresh.flags = 0;	/* flags belong to a handle, not its copies */
	if (index >= 0) {
		struct slot *s = handle_slot_at(ht, (unsigned)index);

		fill(ht, s, &fresh, rights);
		n = encode((unsigned)index, s->gen);
	}
	spin_unlock_irqrestore(&ht->lock, f);
	return n;
}

/* A handle in @to holding @r's reference with @rights (a subset of r's):
 * the number.  On failure the reference is dropped. */
static long pass_on(struct handle_table *to, const struct href *r, uint64_t rights)
{
	long n = rights & ~(uint64_t)r->rights ? -NH_EACCES : insert(to, r, (uint32_t)rights);

	if (n < 0)
		href_put(r);
	return n;
}

long handle_alloc(struct handle_table *ht, unsigned type, void *obj, uint32_t rights)
{
	struct href r = { type, NH_RIGHTS_ALL, obj, 0, 0 };
	const struct handle_type_ops *ops = ops_of(type);

	if (type == 0 || !ops || (rights & ~NH_RIGHTS_ALL))
		return -NH_EINVAL;
	ops->get(obj);
	return pass_on(ht, &r, rights);
}

long handle_give(unsigned type, void *obj, uint32_t rights)
{
	struct handle_table *ht = task_current()->handles;
	long h = ht ? handle_alloc(ht, type, obj, rights) : -NH_EPERM;

	handle_put_obj(type, obj);
	return h;
}

long handle_reserve(struct handle_table *ht)
{
	irqflags_t f = spin_lock_irqsave(&ht->lock);
	int index = free_slot_growing(ht, &f);
	long n = index;

	if (index >= 0) {
		struct slot *s = handle_slot_at(ht, (unsigned)index);

		s->type = SLOT_RESERVED;
		n = encode((unsigned)index, s->gen);
	}
	spin_unlock_irqrestore(&ht->lock, f);
	return n;
}

/* The slot reserved as @h (lock held); a wrong @h is a kernel bug. */
static struct slot *reserved_slot(struct handle_table *ht, long h)
{
	struct slot *s = handle_decode(ht, h);

	if (!s || s->type != SLOT_RESERVED)
		panic("handle: %ld was not reserved", h);
	return s;
}

void handle_commit(struct handle_table *ht, long h, unsigned type, void *obj,
		   uint32_t rights)
{
	struct href r = { type, rights, obj, 0, 0 };
	irqflags_t f;

	if (type == 0 || !ops_of(type) || (rights & ~NH_RIGHTS_ALL))
		panic("handle: commit of type %u, rights 0x%x", type, rights);
	f = spin_lock_irqsave(&ht->lock);
	fill(ht, reserved_slot(ht, h), &r, rights);
	spin_unlock_irqrestore(&ht->lock, f);
}

void handle_unreserve(struct handle_table *ht, long h)
{
	irqflags_t f = spin_lock_irqsave(&ht->lock);

	reserved_slot(ht, h)->type = SLOT_FREE;	/* the number was never given */
	note_free(ht, handle_index(h));
	spin_unlock_irqrestore(&ht->lock, f);
}

int handle_lookup(struct handle_table *ht, long h, unsigned type,
		  uint32_t need, void **obj)
{
	struct href r;
	int err = table_ref(ht, h, type, need, &r);

	if (!err)
		*obj = r.obj;
	return err;
}

int handle_close(struct handle_table *ht, long h)
{
	irqflags_t f = spin_lock_irqsave(&ht->lock);
	struct slot *s = handle_open_slot(ht, h);
	struct href r;

	if (s) {
		vacate(ht, s, &r);
		count_cloexec(ht, r.flags, 0);
		note_free(ht, handle_index(h));
	}
	spin_unlock_irqrestore(&ht->lock, f);
	if (!s)
		return -NH_EBADF;
	slot_put(&r);
	return 0;
}

long handle_mint(struct handle_table *ht, long h, uint64_t badge, uint32_t rights)
{
	struct href r;
	int err = badge ? table_ref(ht, h, 0, NH_RIGHT_GRANT, &r) : -NH_EINVAL;

	if (err)
		return err;
	if (r.badge) {		/* a badge is for good: never replaced */
		href_put(&r);
		return -NH_EACCES;
	}
	r.badge = badge;
	return pass_on(ht, &r, rights);
}

long handle_dup(struct handle_table *ht, long h, uint32_t rights)
{
	struct href r;
	int err = table_ref(ht, h, 0, NH_RIGHT_GRANT, &r);

	return err ? err : pass_on(ht, &r, rights);
}

long handle_install(struct handle_table *from, long h,
		    struct handle_table *to, uint32_t rights)
{
	struct href r;
	int err = table_ref(from, h, 0, NH_RIGHT_GRANT, &r);

	return err ? err : pass_on(to, &r, rights);
}

static void info_of(const struct href *r, struct nh_handle_info *out)
{
	const struct handle_type_ops *ops = ops_of(r->type);

	*out = (struct nh_handle_info){
		.type = r->type, .rights = r->rights, .flags = r->flags,
		.size = ops->size ? ops->size(r->obj) : 0,
	};
}

/* Make sure @ht has slot @index's chunk: 0, or the error (lock held
 * throughout, but for growth). */
static int reach(struct handle_table *ht, unsigned index, irqflags_t *f)
{
	while (!ht->closed && !handle_slot_at(ht, index)) {
		int err = grow_locked(ht, f);

		if (err)
			return err;
	}
	return ht->closed ? -NH_ESRCH : 0;
}

/* Put @r in slot @index at generation @gen of @ht (lock held). */
/* @r at slot @index with generation @gen.  An open slot is refused, or,
 * given @old (NH_HANDLE_REPLACE), emptied into *old in the same step:
 * its number stays open, so nothing stale revives. */
static int place(struct handle_table *ht, unsigned index, uint32_t gen,
		 const struct href *r, uint32_t rights, struct href *old)
{
	struct slot *s = handle_slot_at(ht, index);

	if (s->type != SLOT_FREE) {
		if (old && gen < s->gen)
			return -NH_EINVAL;	/* a stale number: never revived */
		if (!old || gen != s->gen)
			return -NH_EEXIST;
		vacate(ht, s, old);
		count_cloexec(ht, old->flags, 0);
		s->gen = gen;
		s->retired = false;
	} else if (s->retired || gen < s->gen) {
		return -NH_EINVAL;	/* would revive a stale number */
	}
	s->gen = gen;
	fill(ht, s, r, rights);
	count_cloexec(ht, 0, r->flags);
	return 0;
}

static bool number_ok(long number, uint32_t flags)
{
	return number >= 1 && ((uint64_t)number - 1) >> SLOT_BITS <= HANDLE_GEN_MAX &&
	       !(flags & ~(NH_HANDLE_FLAGS | NH_HANDLE_REPLACE));
}

/* Put @r (a reference the caller hands over: dropped on failure) at
 * @number in @to with @rights (a subset of r's) and @flags. */
static long place_at(struct handle_table *to, struct href *r, uint32_t rights,
		     uint32_t flags, long number)
{
	uint64_t v = (uint64_t)number - 1;
	struct href old = { 0 };
	irqflags_t f;
	int err = rights & ~(uint32_t)r->rights ? -NH_EACCES : 0;

	if (!err) {
		r->flags = flags & NH_HANDLE_FLAGS;
		f = spin_lock_irqsave(&to->lock);
		err = reach(to, handle_index(number), &f);
		if (!err)
			err = place(to, handle_index(number), (uint32_t)(v >> SLOT_BITS), r, rights,
				    flags & NH_HANDLE_REPLACE ? &old : 0);
		spin_unlock_irqrestore(&to->lock, f);
	}
	if (err)
		href_put(r);
	if (old.obj)
		slot_put(&old);
	return err ? err : number;
}

long handle_install_at(struct handle_table *from, long h, struct handle_table *to,
		       uint32_t rights, uint32_t flags, long number)
{
	struct href r;
	int err = number_ok(number, flags) ? table_ref(from, h, 0, NH_RIGHT_GRANT, &r) :
		  -NH_EINVAL;

	return err ? err : place_at(to, &r, rights, flags, number);
}

int handle_set_flags(struct handle_table *ht, long h, uint32_t flags)
{
	irqflags_t f;
	struct slot *s;

	if (flags & ~NH_HANDLE_FLAGS)
		return -NH_EINVAL;
	f = spin_lock_irqsave(&ht->lock);
	s = handle_open_slot(ht, h);
	if (s) {
		count_cloexec(ht, s->flags, flags);
		s->flags = (uint8_t)flags;
	}
	spin_unlock_irqrestore(&ht->lock, f);
	return s ? 0 : -NH_EBADF;
}

int handle_info(struct handle_table *ht, long h, struct nh_handle_info *out)
{
	struct href r;
	int err = table_ref(ht, h, 0, 0, &r);

	if (err)
		return err;
	info_of(&r, out);
	href_put(&r);
	return 0;
}

/* ---- the calling task: pseudo-handles ------------------------------------ */

static bool is_pseudo(long h)
{
	return h == NH_SELF_TASK || h == NH_SELF_SPACE;
}

/* The rights a pseudo-handle carries: all with NH_PRIV_SELF, else @lesser. */
static uint32_t self_rights(uint32_t lesser)
{
	return task_privileged(NH_PRIV_SELF) ? NH_RIGHTS_ALL : lesser;
}

/* NH_SELF_SPACE: the calling task's address space. */
static int self_space_ref(struct href *r)
{
	struct vmspace *s = task_current()->space;

	if (!s)
		return -NH_EBADF;
	*r = (struct href){ NH_OBJ_SPACE, self_rights(NH_SELF_SPACE_RIGHTS), s, 0, 0 };
	ops_of(NH_OBJ_SPACE)->get(s);
	return 0;
}

static int self_ref(long h, struct href *r)
{
	if (h == NH_SELF_SPACE)
		return self_space_ref(r);
	*r = (struct href){ NH_OBJ_TASK, self_rights(NH_SELF_TASK_RIGHTS),
			    task_current(), 0, 0 };
	ops_of(NH_OBJ_TASK)->get(r->obj);
	return 0;
}

/* A new reference to what the caller's @h names (pseudo-handles
 * included), if of @type (0: any) and carrying @need. */
static int caller_ref(long h, unsigned type, uint32_t need, struct href *r)
{
	struct handle_table *ht = task_current()->handles;
	int err;

	if (!is_pseudo(h))
		return ht ? table_ref(ht, h, type, need, r) : -NH_EBADF;
	err = self_ref(h, r);
	if (!err && type && r->type != type)
		err = -NH_EBADF;
	else if (!err && (r->rights & need) != need)
		err = -NH_EPERM;	/* a power over itself it does not hold */
	else
		return err;
	href_put(r);
	return err;
}

int handle_lookup_self(long h, unsigned type, uint32_t need, void **obj)
{
	struct href r;
	int err = caller_ref(h, type, need, &r);

	if (!err)
		*obj = r.obj;
	return err;
}

int handle_lookup_badged(long h, unsigned type, uint32_t need, void **obj,
			 uint64_t *badge)
{
	struct href r;
	int err = caller_ref(h, type, need, &r);

	if (!err) {
		*obj = r.obj;
		*badge = r.badge;
	}
	return err;
}

/* handle_dup from the caller's own table, where @h may be a pseudo-handle. */
long handle_dup_self(long h, uint32_t rights)
{
	return handle_install_self(h, task_current()->handles, rights);
}

/* handle_install from the caller's own table (@h may be a pseudo-handle)
 * into @to (0: a kernel thread's, which has none: -NH_ESRCH). */
long handle_install_self(long h, struct handle_table *to, uint32_t rights)
{
	struct href r;
	int err = caller_ref(h, 0, NH_RIGHT_GRANT, &r);

	if (err)
		return err;
	if (!to) {
		href_put(&r);
		return -NH_ESRCH;
	}
	return pass_on(to, &r, rights);
}

/* handle_info on the caller's own table (@h may be a pseudo-handle). */
int handle_info_self(long h, struct nh_handle_info *out)
{
	struct href r;
	int err = caller_ref(h, 0, 0, &r);

	if (err)
		return err;
	info_of(&r, out);
	href_put(&r);
	return 0;
}

/* handle_install_at from the caller's own table (@h may be a
 * pseudo-handle). */
long handle_install_self_at(long h, struct handle_table *to, uint32_t rights,
			    uint32_t flags, long number)
{
	struct href r;
	int err = number_ok(number, flags) ? caller_ref(h, 0, NH_RIGHT_GRANT, &r) :
		  -NH_EINVAL;

	return err ? err : place_at(to, &r, rights, flags, number);
}
