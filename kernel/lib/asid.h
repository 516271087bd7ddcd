/*
 * Address-space identifiers, allocated with generations (pure code, host
 * tested; address spaces adopt it with issue 7).
 *
 * A hart that implements N ASID bits can keep TLB entries of up to 2^N - 1
 * spaces at once (ASID 0 is the kernel's and kernel threads').  Each space
 * keeps a tag: generation << bits | asid, 0 before its first use.  A tag
 * from the current generation is used as it is; otherwise the space gets
 * the next free ASID, and when they run out the generation moves on (a
 * rollover): every ASID becomes free again, and every hart must flush its
 * whole TLB before it next uses any ASID of the new generation.  With no
 * ASID bits (the U74: satp.ASID reads back 0), every space gets ASID 0 and
 * every switch between spaces flushes.  A small width can be forced to
 * exercise rollovers.  The caller serialises (a lock in the kernel).
 */
#ifndef NUTHATCH_ASID_H
#define NUTHATCH_ASID_H

#include <stdbool.h>
#include <stdint.h>

#define ASID_MAX_BITS	16	/* Sv39's satp.ASID field */

struct asid_alloc {
	unsigned bits;		/* 0: no ASIDs */
	uint64_t generation;	/* starts at 1 */
	uint64_t next;		/* next ASID to hand out, 1..max */
	uint64_t max;		/* 2^bits - 1 */
};

/* Start an allocator for @bits ASID bits (more than ASID_MAX_BITS: clamped). */
void asid_init(struct asid_alloc *a, unsigned bits);

/*
 * The ASID to run the space with tag *tag under, allocating (and updating
 * *tag) if the tag is not of the current generation.  *rolled is set when
 * this call started a new generation: then every hart must flush all of
 * its TLB before using an ASID of it.
 */
uint64_t asid_get(struct asid_alloc *a, uint64_t *tag, bool *rolled);

/* Is @tag valid in the current generation (so its TLB entries may be
 * trusted without a flush)?  Never with no ASID bits. */
bool asid_current(const struct asid_alloc *a, uint64_t tag);

/* The ASID part and the generation part of a tag. */
static inline uint64_t asid_of(const struct asid_alloc *a, uint64_t tag)
{
	return tag & a->max;
}

static inline uint64_t asid_generation_of(const struct asid_alloc *a, uint64_t tag)
{
	return tag >> a->bits;
}

#endif
