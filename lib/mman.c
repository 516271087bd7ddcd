/*
 * mmap, munmap and mprotect over the space_* calls on the caller's own
 * address space (NH_SELF_SPACE).
 */
#include <errno.h>
#include <sys/mman.h>

#include <nuthatch/handle.h>

#include "nuthatch.h"

#define PAGE	4096ul

static long fail(long err)
{
	errno = (int)-err;
	return -1;
}

static unsigned nh_flags(int flags)
{
	return (flags & MAP_FIXED ? NH_MAP_FIXED : 0) |
	       (flags & MAP_SHARED ? NH_MAP_SHARED : 0) |
	       (flags & MAP_PRIVATE ? NH_MAP_PRIVATE : 0);
}

void *nh_mmap_object(void *addr, size_t len, int prot, int flags, long obj,
		     uint64_t off)
{
	size_t rounded = (len + PAGE - 1) & ~(PAGE - 1);
	long r;

	if (!len || rounded < len || (prot & ~0xff) ||
	    !(flags & MAP_SHARED) == !(flags & MAP_PRIVATE)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	r = nh_map(NH_SELF_SPACE, (uintptr_t)addr, rounded, (unsigned)prot,
		   nh_flags(flags), obj, off);
	if (r < 0) {
		errno = (int)-r;
		return MAP_FAILED;
	}
	return (void *)r;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (!(flags & MAP_ANONYMOUS) || fd != -1 || off) {
		errno = (flags & MAP_ANONYMOUS) ? EINVAL : ENODEV;	/* no files yet */
		return MAP_FAILED;
	}
	return nh_mmap_object(addr, len, prot, flags, 0, 0);
}

int munmap(void *addr, size_t len)
{
	long r = nh_space_unmap(NH_SELF_SPACE, (uintptr_t)addr,
				(len + PAGE - 1) & ~(PAGE - 1));

	return r < 0 ? (int)fail(r) : 0;
}

int mprotect(void *addr, size_t len, int prot)
{
	long r = nh_space_protect(NH_SELF_SPACE, (uintptr_t)addr,
				  (len + PAGE - 1) & ~(PAGE - 1), (unsigned)prot);

	return r < 0 ? (int)fail(r) : 0;
}
