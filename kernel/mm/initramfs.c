/*
 * The initramfs: the cpio archive the device tree points at, checked once
 * at boot and read in place through the direct map.  A walk costs some
 * 850 instructions an entry, so at boot the names go into a hash index
 * of their final entries (lib/cpio.h's cpio_index: a lookup costs one
 * hash and one compare); an archive with hard links or more files than
 * the index holds is simply walked.
 *
 * The archive is also one read-only memory object (initramfs_object, for
 * the file server): its own frames, taken into the frame pool as in use
 * (frame_adopt), so nothing is copied, when it starts on a page and no
 * other reservation shares its pages; else a copy.
 */
#include "mm/initramfs.h"

#include <nuthatch/errno.h>

#include "core/boot.h"
#include "lib/cpio.h"
#include "lib/kstring.h"
#include "mm/frame.h"
#include "mm/kmap.h"
#include "mm/memobj.h"

static const void *initramfs;	/* [I] after initramfs_init */
static size_t initramfs_len;	/* [I] */
static struct memobj *archive;	/* [I] the archive as an object, or NULL */
static bool in_place;		/* [I] its frames are the initrd's own */

#define INDEX_SLOTS	1024		/* power of two; at most half used */

static struct cpio_slot slots[INDEX_SLOTS];	/* [I] after initramfs_init */
static struct cpio_index index_;		/* [I] */

/* Does a reservation of other bytes than the initrd's touch [lo, hi)?
 * (One inside the initrd's bytes is about the initrd itself: U-Boot adds
 * a /memreserve/ of exactly its range.) */
static bool shared_pages(const struct platform *p, uint64_t lo, uint64_t hi)
{
	for (unsigned i = 0; i < p->nrsv; i++) {
		const struct plat_rsv *r = &p->rsv[i];
		bool inside = r->base >= p->initrd_start && r->base + r->size <= p->initrd_end;

		if (!inside && r->size && r->base < hi && lo < r->base + r->size)
			return true;
	}
	return false;
}

static struct memobj *make_archive(const struct platform *p)
{
	uint64_t lo = p->initrd_start, hi = (p->initrd_end + 4095) & ~4095ull;
	int err;

	if ((lo & 4095) || shared_pages(p, lo, hi) || frame_adopt(lo, hi - lo))
		return memobj_from_bytes(initramfs, initramfs_len, &err);
	memset(kmap_phys(p->initrd_end), 0, hi - p->initrd_end);	/* the last page's tail */
	in_place = true;
	return memobj_of_frames(lo, (hi - lo) / 4096, &err);
}

struct memobj *initramfs_object(size_t *len, bool *is_in_place)
{
	if (archive) {
		memobj_get(archive);
		*len = initramfs_len;
	}
	*is_in_place = in_place;
	return archive;
}

int initramfs_init(void)
{
	const struct platform *p = &boot_platform;
	int err;

	if (!p->has_initrd)
		return -NH_ENOENT;
	initramfs = kmap_phys(p->initrd_start);
	initramfs_len = p->initrd_end - p->initrd_start;
	err = cpio_check(initramfs, initramfs_len);
	if (err) {
		initramfs = 0;
		return err;
	}
	cpio_index_build(&index_, initramfs, initramfs_len, slots, INDEX_SLOTS);
	archive = make_archive(p);	/* (NULL without memory: no object) */
	return 0;
}

int initramfs_find(const char *path, const void **data, size_t *len)
{
	struct cpio_file f;
	int err;

	if (!initramfs)
		return -NH_ENOENT;
	err = cpio_index_find(&index_, path, &f);
	if (err)
		return err;
	*data = f.data;
	*len = f.size;
	return 0;
}

const void *initramfs_archive(size_t *len, bool *is_indexed)
{
	*len = initramfs_len;
	*is_indexed = index_.built;
	return initramfs;
}
