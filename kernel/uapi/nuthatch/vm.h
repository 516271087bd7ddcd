/*
 * Address spaces and memory objects as user programs see them: protection
 * and mapping flags, and what a region query returns.  Shared by the
 * kernel and lib/.
 */
#ifndef NUTHATCH_UAPI_VM_H
#define NUTHATCH_UAPI_VM_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

#define NH_PROT_NONE	0
#define NH_PROT_READ	1
#define NH_PROT_WRITE	2
#define NH_PROT_EXEC	4	/* never together with WRITE (W^X) */

#define NH_MAP_FIXED	0x1	/* exactly at va (which must be free) */
#define NH_MAP_SHARED	0x2	/* memory object: writes reach the object */
#define NH_MAP_PRIVATE	0x4	/* memory object: copy on write (the default) */
#define NH_MAP_POPULATE	0x8	/* shared memory object: its pages present now are
				   entered at once, not at their first touch */

#ifndef __ASSEMBLY__
/* What space_map maps (more than the six argument registers carry). */
struct nh_map {
	uint64_t va;		/* exactly there (NH_MAP_FIXED) or a hint; 0: anywhere */
	uint64_t len;
	uint32_t prot;		/* NH_PROT_* */
	uint32_t flags;		/* NH_MAP_* */
	int64_t obj;		/* a memory object's handle; 0: anonymous memory */
	uint64_t offset;	/* into the object (0 for anonymous memory) */
};

/* Region kinds, as queried. */
#define NH_REGION_ANON		1	/* private, zero-filled on first touch */
#define NH_REGION_SHARED	2	/* a memory object's frames, shared */
#define NH_REGION_PRIVATE	3	/* a memory object, copied on write */

struct nh_region {
	uint64_t start, end;	/* [start, end) */
	uint32_t prot;		/* NH_PROT_* */
	uint32_t kind;		/* NH_REGION_* */
	uint64_t offset;	/* into the memory object */
	uint64_t resident;	/* pages present in this region */
};

/* What space_stat reports. */
struct nh_space_stat {
	uint64_t resident;	/* pages mapped in the space */
	uint64_t limit;		/* the charge limit in pages, 0: none */
	uint64_t regions;
	uint64_t asid;		/* the tag it last ran under (diagnostic) */
	uint64_t brk_start;	/* the heap: [brk_start, brk) (space_set_brk) */
	uint64_t brk;
};

#endif /* __ASSEMBLY__ */

#endif
