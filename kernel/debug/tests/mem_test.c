/*
 * Self-tests of physical memory and kernel objects: frame allocation,
 * reference counts, exhaustion and recovery, bad addresses; slab caches,
 * bad frees; and the leak check itself.
 */
#include <stdint.h>

#include <nuthatch/errno.h>

#include "core/boot.h"
#include "mm/frame.h"
#include "mm/kmap.h"
#include "debug/ktest.h"
#include "lib/kstring.h"
#include "mm/slab.h"

KTEST(MEM0001_frame_alloc_free_roundtrip)
{
	uint64_t before = frame_free_count();
	uint64_t pa = frame_alloc();

	KT_EXPECT(t, pa != 0 && (pa & (FRAME_SIZE - 1)) == 0);
	KT_EXPECT(t, frame_refcount(pa) == 1);
	KT_EXPECT(t, frame_free_count() == before - 1);
	KT_EXPECT(t, frame_put(pa) == 0);
	KT_EXPECT(t, frame_refcount(pa) == 0);
	KT_EXPECT(t, frame_free_count() == before);
}

KTEST(MEM0002_frame_refcount)
{
	uint64_t before = frame_free_count();
	uint64_t pa = frame_alloc();

	KT_EXPECT(t, frame_ref(pa) == 0 && frame_refcount(pa) == 2);
	KT_EXPECT(t, frame_put(pa) == 0 && frame_refcount(pa) == 1);
	KT_EXPECT(t, frame_free_count() == before - 1);	/* still in use */
	KT_EXPECT(t, frame_put(pa) == 0 && frame_free_count() == before);
	KT_EXPECT(t, frame_put(pa) == -NH_EINVAL);	/* double free */
	KT_EXPECT(t, frame_ref(pa) == -NH_EINVAL);	/* ref of a free frame */
	KT_EXPECT(t, frame_free_count() == before);
}

KTEST(MEM0003_frame_bad_addresses)
{
	uint64_t image = boot_info.image_pa;
	uint64_t before = frame_free_count();

	KT_EXPECT(t, frame_put(0) == -NH_EINVAL);
	KT_EXPECT(t, frame_put(image + 8) == -NH_EINVAL);
	KT_EXPECT(t, frame_put(image) == -NH_EINVAL);	/* reserved: the kernel */
	KT_EXPECT(t, frame_ref(image) == -NH_EINVAL);
	KT_EXPECT(t, frame_refcount(image) == FRAME_RESERVED);
	KT_EXPECT(t, frame_refcount(boot_info.dtb_pa & ~(FRAME_SIZE - 1)) ==
		     FRAME_RESERVED);
	KT_EXPECT(t, frame_refcount(0x1000) == -NH_EINVAL);	/* not RAM */
	KT_EXPECT(t, frame_put(~0ul & ~(FRAME_SIZE - 1)) == -NH_EINVAL);
	KT_EXPECT(t, frame_free_count() == before);
}

/*
 * Allocate every free frame.  Their addresses are kept in index frames
 * (slot 0 links to the previous index frame, slots 1..511 hold addresses),
 * so only one frame in 512 is touched: the test costs page-table walks,
 * not the host faulting in every page of guest RAM.
 */
#define SLOTS	(FRAME_SIZE / sizeof(uint64_t))

static uint64_t exhaust(uint64_t *count)
{
	uint64_t index = 0, *slots = 0, used = SLOTS, pa;

	*count = 0;
	while ((pa = frame_alloc()) != 0) {
		(*count)++;
		if (used == SLOTS) {	/* this frame becomes the next index */
			slots = kmap_phys(pa);
			slots[0] = index;
			index = pa;
			used = 1;
			continue;
		}
		slots[used++] = pa;
	}
	if (slots && used < SLOTS)
		slots[used] = 0;
	return index;
}

static uint64_t release(uint64_t index)
{
	uint64_t n = 0;

	while (index) {
		uint64_t *slots = kmap_phys(index), prev = slots[0];

		for (uint64_t i = 1; i < SLOTS && slots[i]; i++)
			n += frame_put(slots[i]) == 0;
		n += frame_put(index) == 0;
		index = prev;
	}
	return n;
}

static struct slab_cache exhaust_cache;

KTEST(MEM0004_frame_exhaustion_and_recovery)
{
	uint64_t before = frame_free_count(), n;
	uint64_t head;

	if (!exhaust_cache.name)
		slab_cache_init(&exhaust_cache, "test-exhaust", 64);
	head = exhaust(&n);
	KT_EXPECT(t, n == before);
	KT_EXPECT(t, frame_free_count() == 0);
	KT_EXPECT(t, frame_alloc() == 0 && frame_alloc_zeroed() == 0);
	KT_EXPECT(t, slab_alloc(&exhaust_cache) == 0);	/* fails cleanly too */
	KT_EXPECT(t, release(head) == n);
	KT_EXPECT(t, frame_free_count() == before);
	ktest_diag(t, "%lu frames allocated, exhausted, and given back", n);
}

KTEST(MEM0005_frame_alloc_zeroed)
{
	uint64_t pa = frame_alloc();
	uint8_t *p = kmap_phys(pa);
	int nonzero = 0;

	memset(p, 0xa5, FRAME_SIZE);
	frame_put(pa);
	pa = frame_alloc_zeroed();	/* LIFO: most likely the same frame */
	p = kmap_phys(pa);
	for (unsigned i = 0; i < FRAME_SIZE; i++)
		nonzero |= p[i];
	KT_EXPECT(t, pa != 0 && nonzero == 0);
	frame_put(pa);
}

static struct slab_cache obj48, obj64;

static void init_caches(void)
{
	if (!obj48.name) {
		slab_cache_init(&obj48, "test-obj48", 40);
		slab_cache_init(&obj64, "test-obj64", 64);
	}
}

KTEST(MEM0006_slab_alloc_free)
{
	void *objs[200];
	bool distinct = true, aligned = true, zeroed = true;

	init_caches();
	KT_EXPECT(t, obj48.objsize == 48);
	for (int i = 0; i < 200; i++) {
		objs[i] = slab_alloc(&obj48);
		aligned &= objs[i] && ((uintptr_t)objs[i] & 15) == 0;
		zeroed &= objs[i] && ((uint64_t *)objs[i])[5] == 0;
		if (objs[i])
			memset(objs[i], 0x5a, 48);
		for (int j = 0; j < i; j++)
			distinct &= objs[j] != objs[i];
	}
	KT_EXPECT(t, aligned && zeroed && distinct);
	KT_EXPECT(t, obj48.live == 200 && obj48.nslabs >= 200 / obj48.per_slab);
	for (int i = 0; i < 200; i++)
		KT_EXPECT(t, slab_free(&obj48, objs[i]) == 0);
	KT_EXPECT(t, obj48.live == 0);
}

KTEST(MEM0007_slab_rejects_bad_frees)
{
	void *a, *b;

	init_caches();
	a = slab_alloc(&obj48);
	b = slab_alloc(&obj64);
	KT_EXPECT(t, slab_free(&obj48, 0) == -NH_EINVAL);
	KT_EXPECT(t, slab_free(&obj48, (char *)a + 8) == -NH_EINVAL);
	KT_EXPECT(t, slab_free(&obj48, b) == -NH_EINVAL);	/* other cache */
	KT_EXPECT(t, slab_free(&obj48, (void *)(DIRECT_MAP + 0x1000)) ==
		     -NH_EINVAL);				/* not RAM */
	KT_EXPECT(t, slab_free(&obj48, &obj48) == -NH_EINVAL);	/* kernel data */
	KT_EXPECT(t, slab_free(&obj48, a) == 0);
	KT_EXPECT(t, slab_free(&obj48, a) == -NH_EINVAL);	/* double free */
	KT_EXPECT(t, slab_free(&obj64, b) == 0);
	KT_EXPECT(t, obj48.live == 0 && obj64.live == 0);
}

KTEST(MEM0008_slab_cache_init_rejects)
{
	struct slab_cache c;

	init_caches();
	KT_EXPECT(t, slab_cache_init(&c, "zero", 0) == -NH_EINVAL);
	KT_EXPECT(t, slab_cache_init(&c, "huge", SLAB_MAX_OBJ + 1) == -NH_EINVAL);
	KT_EXPECT(t, slab_cache_init(&obj48, "again", 48) == -NH_EEXIST);
	KT_EXPECT(t, obj48.objsize == 48);
}

KTEST(MEM0009_leak_check_catches_leaks)
{
	static struct leak_snapshot before;
	struct ktest_ctx inner = { .name = "MEM0009_inner" };
	uint64_t pa;
	void *obj;

	init_caches();
	leak_snapshot(&before);
	pa = frame_alloc();
	obj = slab_alloc(&obj64);
	leak_check(&inner, &before);
	KT_EXPECT(t, inner.failures == 2);	/* one frame, one object */
	frame_put(pa);
	slab_free(&obj64, obj);
	inner.failures = 0;
	leak_check(&inner, &before);
	KT_EXPECT(t, inner.failures == 0);
}
