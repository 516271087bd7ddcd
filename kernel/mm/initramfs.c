/*
 * The initramfs: the cpio archive the device tree points at, checked once
 * at boot and read in place through the direct map.  A lookup walks the
 * whole archive (a later entry of the same name wins; hard links carry
 * their data on a later entry), some 850 instructions an entry; so at
 * boot the regular files go into a hash index of their final entries,
 * and a lookup costs one hash and one compare.  An archive with hard
 * links or more files than the index holds is simply walked.
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

struct index_slot {
	const char *name;		/* without its leading "./" or "/" */
	uint32_t namelen;
	uint32_t mode;
	const void *data;
	size_t size;
};

static struct index_slot index_[INDEX_SLOTS];	/* [I] after initramfs_init */
static bool indexed;				/* [I] */

static uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (n--)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* The slot for @name: its own, or the empty one where it would go. */
static struct index_slot *slot_of(const char *name, size_t n)
{
	uint32_t i = name_hash(name, n) & (INDEX_SLOTS - 1);

	while (index_[i].name &&
	       !(index_[i].namelen == n && !memcmp(index_[i].name, name, n)))
		i = (i + 1) & (INDEX_SLOTS - 1);
	return &index_[i];
}

/* One pass; false (no index) for hard links or too many names. */
static bool build_index(void)
{
	struct cpio_file e;
	size_t off = 0, used = 0, n;
	const char *name;

	while (cpio_next(initramfs, initramfs_len, &off, &e) == 1) {
		struct index_slot *s;

		if ((e.mode & CPIO_S_IFMT) == CPIO_S_IFREG && e.nlink > 1)
			return false;
		n = e.namelen;
		name = cpio_strip_lead(e.name, &n);
		if (!n)
			continue;
		s = slot_of(name, n);
		if (!s->name && ++used > INDEX_SLOTS / 2)
			return false;
		*s = (struct index_slot){ name, (uint32_t)n, e.mode, e.data, e.size };
	}
	return true;
}

/* Does a reservation other than the initrd's touch [lo, hi)? */
static bool shared_pages(const struct platform *p, uint64_t lo, uint64_t hi)
{
	for (unsigned i = 0; i < p->nrsv; i++) {
		const struct plat_rsv *r = &p->rsv[i];

		if (r->kind != PLAT_RSV_INITRD && r->size && r->base < hi && lo < r->base + r->size)
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
	if (err)
		initramfs = 0;
	else
		indexed = build_index();
	if (!indexed)
		memset(index_, 0, sizeof(index_));
	if (!err)
		archive = make_archive(p);	/* (NULL without memory: no object) */
	return err;
}

int initramfs_find(const char *path, const void **data, size_t *len)
{
	struct cpio_file f;
	int err;

	if (!initramfs)
		return -NH_ENOENT;
	if (indexed) {
		size_t n = strlen(path);
		const char *name = cpio_strip_lead(path, &n);
		const struct index_slot *s = n ? slot_of(name, n) : 0;

		if (!s || !s->name || (s->mode & CPIO_S_IFMT) != CPIO_S_IFREG)
			return -NH_ENOENT;
		*data = s->data;
		*len = s->size;
		return 0;
	}
	err = cpio_find(initramfs, initramfs_len, path, &f);
	if (err)
		return err;
	*data = f.data;
	*len = f.size;
	return 0;
}

const void *initramfs_archive(size_t *len, bool *is_indexed)
{
	*len = initramfs_len;
	*is_indexed = indexed;
	return initramfs;
}
