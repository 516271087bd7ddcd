/*
 * The initramfs, mapped and indexed for the servers (archive.h; the index
 * is lib/cpio.h's, as the kernel's).
 */
#include <string.h>

#include <nuthatch/errno.h>

#include "archive.h"
#include "lib/cpio.h"
#include "nuthatch.h"

#define PAGE		4096ul
#define SLOTS		1024		/* power of two; at most half used */

static long object;			/* the archive's handle, 0: not open */
static const uint8_t *base;
static struct cpio_slot slots[SLOTS];
static struct cpio_index index_;

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
		   NH_MAP_SHARED | NH_MAP_POPULATE, h, 0);	/* its tables, now */
	if (r >= 0)
		r = cpio_check((const void *)r, len) ? -NH_EBADMSG : r;
	if (r < 0) {
		nh_handle_close(h);
		return r;
	}
	base = (const uint8_t *)r;
	cpio_index_build(&index_, base, len, slots, SLOTS);
	object = h;
	return 0;
}

long srv_archive_object(void)
{
	return object;
}

const uint8_t *srv_archive_bytes(size_t *len)
{
	*len = object > 0 ? index_.len : 0;
	return object > 0 ? base : 0;
}

long srv_archive_find(const char *path, struct srv_file *out)
{
	struct cpio_file f;

	if (object <= 0)
		return -NH_ENODEV;
	if (cpio_index_find(&index_, path, &f))
		return -NH_ENOENT;
	*out = (struct srv_file){ .data = f.data, .size = f.size,
				  .offset = (uint64_t)((const uint8_t *)f.data - base) };
	return 0;
}
