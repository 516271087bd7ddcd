/*
 * A user task's memory, the simple way, until address-space objects with
 * copy-on-write arrive (issue 7 replaces this file): a root table sharing
 * the kernel half, and private regions of fresh frames mapped with user
 * permissions.  The frames and tables are freed with the space, when the
 * last task running in it is reaped.  The space's lock serialises
 * mapping and brk between the tasks that share it.  A new mapping is
 * fenced on the calling hart; other harts running threads of the same
 * space are not told yet (address spaces with ASIDs and flush tracking
 * replace this in issue 7).
 */
#ifndef NUTHATCH_USPACE_H
#define NUTHATCH_USPACE_H

#include <stddef.h>
#include <stdint.h>

#include "spinlock.h"

#define USPACE_MAX_PAGES	112	/* 448 KiB per space, for now */
#define USPACE_HEAP_MAX		(256ul << 10)

struct uspace {
	uint64_t root_pa;			/* [I] */
	int refs;				/* [a] tasks running in it */
	struct spinlock lock;			/* protects the fields below
						   and the page tables */
	uint64_t brk_start, brk;		/* the heap */
	uint64_t heap_mapped;			/* end of the heap's pages */
	unsigned nframes;
	uint64_t frames[USPACE_MAX_PAGES];
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

/*
 * Copy @len bytes to user address @va of @u (mapped by uspace_map), from
 * the kernel's side: for loading.  0 or -NH_EFAULT.
 */
int uspace_write(struct uspace *u, uint64_t va, const void *src, size_t len);

/*
 * Move the end of the heap to @end (0: leave it), mapping or keeping
 * pages; it never shrinks below brk_start.  Returns the end now.
 */
uint64_t uspace_brk(struct uspace *u, uint64_t end);

/* Free everything.  No hart may still run on it. */
void uspace_destroy(struct uspace *u);

/* Another task runs in @u / one stopped: the last one frees it. */
void uspace_get(struct uspace *u);
void uspace_put(struct uspace *u);

#endif
