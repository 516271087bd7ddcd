/*
 * Reads of initramfs files without their bytes passing through the file
 * server: a read of MAPPED_MIN bytes or more of a descriptor not known
 * here asks the file server for the file as a memory object (map_file:
 * the archive, and where the file is in it), which is mapped read-only;
 * from then on every read of that descriptor is a read_map request,
 * which moves the description's offset (the file server keeps it, shared
 * across fork and dup as ever) and answers only where the bytes are,
 * and the copy is one, from the mapping.  docs/PERF.md has the figures
 * that set MAPPED_MIN.  A descriptor that is no initramfs file is marked
 * so, and read the ordinary way; close, dup2 and friends forget what was
 * known of the descriptor they end or replace.  A vfork child leaves the
 * tables alone (they are its parent's) and reads the ordinary way.
 */
#include <string.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "posix.h"
#include "proto/fs.h"

#define FDS		1024		/* the file server's FS_FD_MAX */
#define PAGE		4096ull
#define MAPPED_MIN	8192u	/* a read this large learns the mapping (PERF.md) */

enum { UNKNOWN, MAPPED, ORDINARY };

struct mapped {
	uint8_t state;
	const uint8_t *bytes;		/* MAPPED: the file's first byte */
	uint64_t size;			/* ... its bytes */
	uint64_t va, len;		/* ... in this mapping */
};

static struct mapped fds[FDS];
extern int __nh_vforked;	/* pipe.c */

void __nh_file_forget(int fd)
{
	struct mapped *m = fd >= 0 && fd < FDS && !__nh_vforked ? &fds[fd] : 0;

	if (!m || m->state == UNKNOWN)
		return;
	if (m->state == MAPPED)
		nh_space_unmap(NH_SELF_SPACE, m->va, m->len);
	*m = (struct mapped){ .state = UNKNOWN };
}

/* Map @fd's file if it is an initramfs one: MAPPED or ORDINARY. */
static int learn(int fd, struct mapped *m)
{
	uint64_t base = 0, size = 0, lo;
	long obj = 0, va = -1, r = __nh_fs_buffer();

	if (!r)
		r = fs_map_file(NH_FS_HANDLE, fd, &base, &size, &obj);
	if (!r) {
		lo = base & ~(PAGE - 1);
		m->len = (base + size - lo + PAGE - 1) & ~(PAGE - 1);
		va = m->len ? nh_map(NH_SELF_SPACE, 0, m->len, NH_PROT_READ, NH_MAP_SHARED, obj,
				     lo) : -NH_EINVAL;	/* (no POPULATE: a read touches few pages) */
		nh_handle_close(obj);
	}
	if (va < 0)
		return m->state = ORDINARY;
	m->va = (uint64_t)va;
	m->bytes = (const uint8_t *)va + (base - lo);
	m->size = size;
	return m->state = MAPPED;
}

int __nh_file_read(int fd, void *buf, size_t n, long *res)
{
	struct mapped *m = fd >= 0 && fd < FDS && !__nh_vforked ? &fds[fd] : 0;
	uint64_t at = 0;
	uint32_t got = 0;
	long r;

	if (!m || m->state == ORDINARY || (m->state == UNKNOWN && n < MAPPED_MIN))
		return 0;
	if (m->state == UNKNOWN && learn(fd, m) != MAPPED)
		return 0;
	r = fs_read_map(NH_FS_HANDLE, fd, n > 0x7fffffff ? 0x7fffffff : (uint32_t)n, &at, &got);
	if (!r && (at > m->size || got > m->size - at))
		r = -NH_EIO;	/* (not what the file server says) */
	if (!r)
		memcpy(buf, m->bytes + at, got);
	*res = r ? r : (long)got;
	return 1;
}
