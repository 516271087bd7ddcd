/*
 * Memory objects: a run of pages that address spaces map, shared
 * (writes reach the object's frames) or private (copied on write).  An
 * anonymous object gets zeroed frames on first use; an initramfs file's
 * object is filled once when it is opened and is read-only for ever
 * (it can be mapped shared only without write access).
 *
 * Frames live in a two-level directory: a frame of up to 512 table
 * frames, each holding up to 512 frame addresses (0: not yet present),
 * so an object holds at most MEMOBJ_MAX_PAGES pages (1 GiB).  Every
 * present frame holds one reference owned by the object; a space mapping
 * it takes its own.
 *
 * A device object (memobj_device) is a device's MMIO registers: its pages
 * are the physical range [phys, phys + npages * 4096), never frames from
 * the pool, so nobody takes or drops frame references on them (vm.c
 * checks memobj_is_device), nothing copies them (they may only be mapped
 * shared, and kernel copies refuse them), and memobj_put frees only the
 * object.
 */
#ifndef NUTHATCH_MEMOBJ_H
#define NUTHATCH_MEMOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/spinlock.h"

#define MEMOBJ_MAX_PAGES	(512ul * 512)

struct memobj {
	int refs;			/* [a] handles and regions */
	bool readonly;			/* [I] */
	bool device;			/* [I] MMIO pages at phys, no directory */
	uint64_t phys;			/* [I] device objects: first page */
	uint64_t npages;		/* [I] */
	struct spinlock lock;		/* protects the directory below */
	uint64_t dir_pa;		/* [lock] 0 until the first frame */
};

/* Set up the object cache (boot). */
void memobj_init(void);

/* An anonymous object of @size bytes (rounded up to pages); NULL and
 * -NH_EINVAL (0 or too big) or -NH_ENOMEM in *err. */
struct memobj *memobj_create(uint64_t size, int *err);

/* A read-only object holding a copy of @len bytes (then zeroes to the
 * page end). */
struct memobj *memobj_from_bytes(const void *data, size_t len, int *err);

/* A device object for the MMIO range [@phys, @phys + @size) (page
 * aligned; -NH_EINVAL otherwise). */
struct memobj *memobj_device(uint64_t phys, uint64_t size, int *err);

static inline bool memobj_is_device(const struct memobj *o)
{
	return o && o->device;
}

/* A read-only object of the @npages frames from @pa, whose references it
 * takes over (the initramfs's own pages). */
struct memobj *memobj_of_frames(uint64_t pa, uint64_t npages, int *err);

/* The initramfs file @path as a read-only object (-NH_ENOENT). */
struct memobj *memobj_open_initramfs(const char *path, int *err);

/*
 * The frame of page @index (< npages), allocating a zeroed one if absent
 * and @alloc (a read-only object is full from its creation).  Returns 0
 * and the frame in *pa, -NH_ENOMEM, or -NH_ENOENT (absent, !alloc).
 * The object keeps its reference: the caller takes its own.
 */
int memobj_page(struct memobj *o, uint64_t index, bool alloc, uint64_t *pa);

void memobj_get(struct memobj *o);

/*
 * Copies between the caller's user memory and an object's pages, for
 * memobj_read and memobj_write (sys/vm.c): @into copies from @ubuf into
 * the object at @off (its pages appear, zeroed first; not a read-only
 * object), else out of it (a page not there reads as zeros and stays
 * absent, so a sparse object stays sparse).  At most one page a call:
 * the bytes of [@off, @off + @len) that lie in @off's page, copied
 * straight between the user page and the frame, which is held meanwhile
 * (a concurrent punch cannot free it under the copy; no lock is held,
 * so the user copy may fault).  0, -NH_EFAULT, -NH_ENOMEM, -NH_EINVAL
 * (past the object's end, a device object).
 */
int memobj_copy_page(struct memobj *o, uint64_t off, uint64_t ubuf, size_t len, bool into);

/* Drop the pages wholly inside [@off, @off + @len) and zero the parts of
 * the two at its ends that lie in it: what a file's truncation needs.  A
 * space that maps a dropped page keeps its own reference to the old
 * frame (the object gets a fresh zero page on its next use).  0 or
 * -NH_EINVAL. */
int memobj_punch(struct memobj *o, uint64_t off, uint64_t len);
void memobj_put(struct memobj *o);

/* Live memory objects (leak checks). */
uint64_t memobj_live(void);

#endif
