/*
 * A user task's memory, the simple way, until address-space objects with
 * copy-on-write arrive (issue 7 replaces this file): a root table sharing
 * the kernel half, and private regions of fresh frames mapped with user
 * permissions.  The frames and tables are freed with the space.
 */
#ifndef NUTHATCH_USPACE_H
#define NUTHATCH_USPACE_H

#include <stddef.h>
#include <stdint.h>

#define USPACE_MAX_PAGES	100	/* 400 KiB per space, for now */

struct uspace {
	uint64_t root_pa;			/* [I] */
	unsigned nframes;			/* owner only */
	uint64_t frames[USPACE_MAX_PAGES];	/* owner only */
};

enum uspace_prot {
	USPACE_R = 1,
	USPACE_W = 2,
	USPACE_X = 4,
};

/* An empty space, or NULL (-NH_ENOMEM in *err). */
struct uspace *uspace_create(int *err);

/*
 * Map [va, va + size) (page aligned, inside the user half) to fresh zeroed
 * frames with @prot, then copy @len bytes of @src to its start.  W and X
 * together are refused.  0, -NH_EINVAL, -NH_ENOMEM, -NH_ENOSPC.
 */
int uspace_map(struct uspace *u, uint64_t va, uint64_t size, unsigned prot,
	       const void *src, size_t len);

/* Free everything.  No hart may still run on it. */
void uspace_destroy(struct uspace *u);

#endif
