/*
 * The initramfs, mapped and indexed for the servers (archive.h).
 */
#include <string.h>

#include <nuthatch/errno.h>

#include "archive.h"
#include "lib/cpio.h"
#include "nuthatch.h"

#define PAGE		4096ul
#define SLOTS		1024		/* power of two; at most half used */

struct slot {
	const char *name;		/* without its leading "./" or "/" */
	uint32_t namelen;
	uint32_t mode;
	const uint8_t *data;
	size_t size;
};

static long object;			/* the archive's handle, 0: not open */
static const uint8_t *base;
static size_t length;
static int indexed;			/* else every lookup walks */
static struct slot index_[SLOTS];

static uint32_t hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static struct slot *slot_of(const char *name, size_t n)
{
	for (uint32_t i = hash(name, n) & (SLOTS - 1);; i = (i + 1) & (SLOTS - 1)) {
		struct slot *s = &index_[i];

		if (!s->name || (s->namelen == n && !memcmp(s->name, name, n)))
			return s;
	}
}

/* The final entry of every name, or 0 if the index cannot hold them (or
 * a hard link, whose data may sit on a later entry, needs the walk). */
static int build_index(void)
{
	struct cpio_file e;
	size_t off = 0;
	unsigned used = 0;

	while (cpio_next(base, length, &off, &e) == 1) {
		size_t n = e.namelen;
		const char *name = cpio_strip_lead(e.name, &n);
		struct slot *s;

		if ((e.mode & CPIO_S_IFMT) == CPIO_S_IFREG && e.nlink > 1)
			return 0;
		if (!n)
			continue;
		s = slot_of(name, n);
		if (!s->name && ++used > SLOTS / 2)
			return 0;
		*s = (struct slot){ name, (uint32_t)n, e.mode, e.data, e.size };
	}
	return 1;
}

long srv_archive_open(void)
{
	uint64_t len = 0;
	long h, r;

	if (object > 0)
		return 0;
	h = nh_initrd_archive(&len);
	if (h < 0)
		return h;
	r = nh_map(NH_SELF_SPACE, 0, (len + PAGE - 1) & ~(PAGE - 1), NH_PROT_READ,
		   NH_MAP_SHARED, h, 0);
	if (r >= 0)
		r = cpio_check((const void *)r, len) ? -NH_EBADMSG : r;
	if (r < 0) {
		nh_handle_close(h);
		return r;
	}
	base = (const uint8_t *)r;
	length = len;
	for (size_t off = 0; off < len; off += PAGE)	/* its tables, now */
		(void)*(volatile const uint8_t *)(base + off);
	indexed = build_index();
	if (!indexed)
		memset(index_, 0, sizeof(index_));
	object = h;
	return 0;
}

long srv_archive_object(void)
{
	return object;
}

long srv_archive_find(const char *path, struct srv_file *out)
{
	size_t n = strlen(path);
	const char *name = cpio_strip_lead(path, &n);
	struct cpio_file f;

	if (object <= 0)
		return -NH_ENODEV;
	if (indexed) {
		const struct slot *s = n ? slot_of(name, n) : 0;

		if (!s || !s->name || (s->mode & CPIO_S_IFMT) != CPIO_S_IFREG)
			return -NH_ENOENT;
		f.data = s->data;
		f.size = s->size;
	} else if (cpio_find(base, length, path, &f)) {
		return -NH_ENOENT;
	}
	*out = (struct srv_file){ .data = f.data, .size = f.size,
				  .offset = (uint64_t)((const uint8_t *)f.data - base) };
	return 0;
}
