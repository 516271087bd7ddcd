/*
 * Memory objects (see memobj.h): a two-level directory of frames.
 */
#include "mm/memobj.h"

#include <nuthatch/errno.h>

#include "mm/frame.h"
#include "mm/initramfs.h"
#include "obj/handle.h"
#include "mm/kmap.h"
#include "lib/kstring.h"
#include "mm/slab.h"
#include "mm/uaccess.h"

#define PER_TABLE	512

static struct slab_cache memobj_cache;
static uint64_t memobj_count;	/* [a] */

static void obj_get(void *o)
{
	memobj_get(o);
}

static void obj_put(void *o)
{
	memobj_put(o);
}

static uint64_t obj_size(void *o)
{
	return ((struct memobj *)o)->npages * 4096;
}

void memobj_init(void)
{
	static const struct handle_type_ops ops = { .get = obj_get, .put = obj_put,
						     .size = obj_size };

	slab_cache_init(&memobj_cache, "memobj", sizeof(struct memobj));
	handle_type_register(NH_OBJ_MEMOBJ, &ops);
}

struct memobj *memobj_create(uint64_t size, int *err)
{
	uint64_t npages = (size + 4095) / 4096;
	struct memobj *o;

	if (!size || size > MEMOBJ_MAX_PAGES * 4096) {
		*err = -NH_EINVAL;
		return 0;
	}
	o = slab_alloc(&memobj_cache);
	if (!o) {
		*err = -NH_ENOMEM;
		return 0;
	}
	*o = (struct memobj){ .refs = 1, .npages = npages,
		.lock = SPINLOCK_INIT("memobj: directory", RANK_MEMOBJ) };
	__atomic_fetch_add(&memobj_count, 1, __ATOMIC_RELAXED);
	return o;
}

struct memobj *memobj_device(uint64_t phys, uint64_t size, int *err)
{
	struct memobj *o;

	if ((phys | size) & 4095 || phys + size < phys) {
		*err = -NH_EINVAL;
		return 0;
	}
	o = memobj_create(size, err);
	if (o) {
		o->device = true;
		o->phys = phys;
	}
	return o;
}

/* The slot for page @index, creating the directory and table if @alloc. */
static uint64_t *slot_of(struct memobj *o, uint64_t index, bool alloc)
{
	uint64_t *dir, *tab;

	if (!o->dir_pa && (!alloc || !(o->dir_pa = frame_alloc_zeroed())))
		return 0;
	dir = kmap_phys(o->dir_pa);
	if (!dir[index / PER_TABLE] &&
	    (!alloc || !(dir[index / PER_TABLE] = frame_alloc_zeroed())))
		return 0;
	tab = kmap_phys(dir[index / PER_TABLE]);
	return &tab[index % PER_TABLE];
}

int memobj_page(struct memobj *o, uint64_t index, bool alloc, uint64_t *pa)
{
	irqflags_t f;
	uint64_t *slot;
	int err = 0;

	if (o->device) {
		if (index >= o->npages)
			return -NH_ENOENT;
		*pa = o->phys + index * 4096;
		return 0;
	}
	f = spin_lock_irqsave(&o->lock);
	slot = index < o->npages ? slot_of(o, index, alloc) : 0;

	if (!slot)
		err = index < o->npages && alloc ? -NH_ENOMEM : -NH_ENOENT;
	else if (!*slot && !alloc)
		err = -NH_ENOENT;
	else if (!*slot && !(*slot = frame_alloc_zeroed()))
		err = -NH_ENOMEM;
	if (!err)
		*pa = *slot;
	spin_unlock_irqrestore(&o->lock, f);
	return err;
}

struct memobj *memobj_from_bytes(const void *data, size_t len, int *err)
{
	struct memobj *o = memobj_create(len, err);
	const uint8_t *src = data;

	for (uint64_t i = 0; o && i < o->npages; i++) {
		size_t n = len - i * 4096 < 4096 ? len - i * 4096 : 4096;
		uint64_t pa;

		*err = memobj_page(o, i, true, &pa);
		if (*err) {
			memobj_put(o);
			return 0;
		}
		memcpy(kmap_phys(pa), src + i * 4096, n);	/* the rest is zero */
	}
	if (o)
		o->readonly = true;
	return o;
}

struct memobj *memobj_of_frames(uint64_t pa, uint64_t npages, int *err)
{
	struct memobj *o = memobj_create(npages * 4096, err);

	for (uint64_t i = 0; o && i < npages; i++) {
		irqflags_t f = spin_lock_irqsave(&o->lock);
		uint64_t *slot = slot_of(o, i, true);

		if (slot)
			*slot = pa + i * 4096;
		spin_unlock_irqrestore(&o->lock, f);
		if (!slot) {	/* the frames not yet in it stay the caller's */
			*err = -NH_ENOMEM;
			memobj_put(o);
			return 0;
		}
	}
	if (o)
		o->readonly = true;
	return o;
}

struct memobj *memobj_open_initramfs(const char *path, int *err)
{
	const void *data;
	size_t len;

	*err = initramfs_find(path, &data, &len);
	if (*err)
		return 0;
	if (!len) {
		*err = -NH_ENOEXEC;	/* an empty file maps nothing */
		return 0;
	}
	return memobj_from_bytes(data, len, err);
}

static const uint8_t zeros[4096];	/* what a hole reads as */

/* Page @index's frame with a reference of the caller's, 0 if absent
 * (and !@alloc); -NH_E* as memobj_page. */
static int page_held(struct memobj *o, uint64_t index, bool alloc, uint64_t *pa)
{
	irqflags_t f = spin_lock_irqsave(&o->lock);
	uint64_t *slot = slot_of(o, index, alloc);
	int err = 0;

	*pa = 0;
	if (!slot)
		err = alloc ? -NH_ENOMEM : 0;
	else if (!*slot && alloc && !(*slot = frame_alloc_zeroed()))
		err = -NH_ENOMEM;
	if (!err && slot && *slot) {
		*pa = *slot;
		frame_ref(*pa);
	}
	spin_unlock_irqrestore(&o->lock, f);
	return err;
}

int memobj_copy_page(struct memobj *o, uint64_t off, uint64_t ubuf, size_t len, bool into)
{
	uint64_t index = off / 4096, in = off % 4096, pa;
	size_t n = len < 4096 - in ? len : 4096 - in;
	int err;

	if (o->device || index >= o->npages || (into && o->readonly))
		return -NH_EINVAL;
	err = page_held(o, index, into, &pa);
	if (err)
		return err;
	if (!pa)
		return copy_to_user(ubuf, zeros, n);	/* a hole: nothing allocated */
	if (into)
		err = copy_from_user((uint8_t *)kmap_phys(pa) + in, ubuf, n);
	else
		err = copy_to_user(ubuf, (uint8_t *)kmap_phys(pa) + in, n);
	frame_put(pa);
	return err;
}

/* Page @index out of the object (its frame reference dropped). */
static void page_drop(struct memobj *o, uint64_t index)
{
	irqflags_t f = spin_lock_irqsave(&o->lock);
	uint64_t *slot = slot_of(o, index, false), pa = slot ? *slot : 0;

	if (slot)
		*slot = 0;
	spin_unlock_irqrestore(&o->lock, f);
	if (pa)
		frame_put(pa);
}

/* Zero [@off, @off + @n) of one page, if it is there. */
static void page_zero(struct memobj *o, uint64_t off, size_t n)
{
	uint64_t pa;

	if (!page_held(o, off / 4096, false, &pa) && pa) {
		memset((uint8_t *)kmap_phys(pa) + off % 4096, 0, n);
		frame_put(pa);
	}
}

int memobj_punch(struct memobj *o, uint64_t off, uint64_t len)
{
	uint64_t size = o->npages * 4096, end;

	if (o->device || o->readonly || off > size)
		return -NH_EINVAL;
	end = len > size - off ? size : off + len;
	while (off < end) {
		uint64_t n = 4096 - off % 4096 < end - off ? 4096 - off % 4096 : end - off;

		if (n == 4096)
			page_drop(o, off / 4096);
		else
			page_zero(o, off, n);
		off += n;
	}
	return 0;
}

void memobj_get(struct memobj *o)
{
	__atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);
}

static void free_table(uint64_t tab_pa)
{
	uint64_t *tab = kmap_phys(tab_pa);

	for (unsigned i = 0; i < PER_TABLE; i++) {
		if (tab[i])
			frame_put(tab[i]);
	}
	frame_put(tab_pa);
}

void memobj_put(struct memobj *o)
{
	uint64_t *dir;

	if (__atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL))
		return;
	dir = o->dir_pa ? kmap_phys(o->dir_pa) : 0;
	for (unsigned i = 0; dir && i < PER_TABLE; i++) {
		if (dir[i])
			free_table(dir[i]);
	}
	if (o->dir_pa)
		frame_put(o->dir_pa);
	slab_free(&memobj_cache, o);
	__atomic_fetch_sub(&memobj_count, 1, __ATOMIC_RELAXED);
}

uint64_t memobj_live(void)
{
	return __atomic_load_n(&memobj_count, __ATOMIC_RELAXED);
}
