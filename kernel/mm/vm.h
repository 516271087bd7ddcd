/*
 * Address spaces: a task's user memory.  Each space has its own Sv39 root
 * whose upper half is the kernel's (shared: those root entries never
 * change), and a sorted list of regions in the user half, each with an
 * ops table for its kind:
 *
 *   anon     private memory, a zeroed frame on first touch
 *   private  a memory object's pages, read in place, copied on first write
 *   shared   a memory object's frames, the same in every space mapping it
 *
 * Copy-on-write invariants (the space lock held):
 *  - a leaf of a private region is writable only if its frame's reference
 *    count is one (the space owns it alone); every other private leaf is
 *    read-only, and a write fault copies the frame, or just sets W again
 *    once the count has dropped to one;
 *  - a memory object's frame is never writable in a private region (the
 *    object holds a reference, so the count is at least two);
 *  - shared leaves carry the region's permissions and stay shared across
 *    clones.
 * Every leaf is 4 KiB, user, with A set (and D when writable): the U74
 * faults instead of setting them.  W and X never come together (W^X).
 *
 * Resident pages are the leaves present; every increase is charged to the
 * space's hook first, which may refuse it (then the fault or clone fails
 * with -NH_ENOMEM and nothing changes).  The default hook enforces the
 * space's limit (0: none); cgroup memory limits plug in there.
 *
 * TLB rules (vm_tlb.c): a space runs under an ASID where the hart has
 * them, from a generation allocator; after a leaf loses permissions or
 * goes away, the changing hart flushes its own TLB, marks every other
 * hart "pending" for the space, and waits until each hart running the
 * space now has flushed (an IPI); others flush when they next switch to
 * it.  Frames leave a space only after that wait.  See docs/DESIGN.md.
 *
 * Field legend: [I] immutable, [L] the space's lock, [a] atomic,
 * [A] the ASID lock.
 */
#ifndef NUTHATCH_VM_H
#define NUTHATCH_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nuthatch/vm.h>

#include "lib/list.h"
#include "core/hart.h"
#include "core/spinlock.h"

#define VM_USER_LO	0x10000ul		/* nothing maps below 64 KiB */
#define VM_USER_HI	0x0000004000000000ul	/* the user half's end */
#define VM_MMAP_BASE	0x0000001000000000ul	/* "anywhere" searches from here */
#define VM_BRK_MAX	(32ul << 20)		/* the heap's size limit, until rlimits */

/* Access kinds of a fault (and of kernel copies). */
#define VM_READ		NH_PROT_READ
#define VM_WRITE	NH_PROT_WRITE
#define VM_EXEC		NH_PROT_EXEC
#define VM_FORCE	0x100	/* kernel copy: ignore the region's prot
				   (never a read-only object's) */

/* vm_map flag beside NH_MAP_*: the mapper may not write the object (a
 * shared mapping of it can never be made writable). */
#define VM_MAP_OBJ_NOWRITE	0x100

struct memobj;
struct vmspace;
struct vm_region;
struct hart;

struct vm_region_ops {
	unsigned kind;		/* NH_REGION_* */
	/* Fill the absent page @va for @access: its frame (a new reference
	 * for the space) and the leaf's permissions. */
	int (*fill)(struct vm_region *r, uint64_t va, unsigned access,
		    uint64_t *pa, unsigned *prot);
	/* What a clone does with a present leaf: write-protect it in both
	 * (private) or keep it (shared). */
	bool cow;
};

struct vm_region {
	struct list_node node;		/* [L] the space's list, by start */
	uint64_t start, end;		/* [L] page aligned, [start, end) */
	unsigned prot;			/* [L] NH_PROT_* */
	unsigned maxprot;		/* [I] what protect may ever give it */
	const struct vm_region_ops *ops;	/* [I] */
	struct memobj *obj;		/* [I] NULL for anon (a reference) */
	uint64_t offset;		/* [L] of start in obj */
	uint64_t resident;		/* [L] */
};

/* @s grows by @delta resident pages (> 0: may refuse with -NH_ENOMEM,
 * then nothing is charged) or shrinks (< 0: never refused). */
typedef int (*vm_charge_fn)(struct vmspace *s, int64_t delta);

#define VM_FUTEX_HINTS	4

struct vmspace {
	uint64_t root_pa;		/* [I] */
	uint64_t id;			/* [I] unique, never reused */
	int refs;			/* [a] tasks and handles */
	struct spinlock lock;		/* the regions, leaves and counts */
	struct list_node regions;	/* [L] sorted, never overlapping */
	unsigned nregions;		/* [L] */
	struct vm_region *hint;		/* [L] the region found last, or NULL */
	struct vm_region *futex_hint[VM_FUTEX_HINTS];	/* [L] the regions vm_futex_key
							   found last, newest first */
	uint64_t resident;		/* [L] leaves present */
	uint64_t tables;		/* [L] table frames below the root */
	uint64_t table_list;		/* [L] the same, chained (frame_link) */
	uint64_t limit;			/* [L] charge limit in pages, 0: none */
	vm_charge_fn charge;		/* [L] */
	uint64_t brk_start, brk;	/* [L] the heap: [brk_start, brk) */
	uint64_t asid_tag;		/* [A] generation and ASID */
	uint64_t active;		/* [a] harts running it now */
	uint64_t ran_on;		/* [a] harts that ever installed it */
	uint64_t pending;		/* [a] harts to flush it before use */
	int shooting;			/* [a] shootdowns in flight (debug checks) */
};

void vm_init(void);

/* An empty space (one reference), or NULL with *err. */
struct vmspace *vm_create(int *err);
void vm_get(struct vmspace *s);
void vm_put(struct vmspace *s);

/*
 * Map @len bytes with @prot at *va (NH_MAP_FIXED: exactly there, which
 * must be free; else the lowest free range from VM_MMAP_BASE, or above
 * *va if it is non-zero) as anonymous memory (@obj NULL) or @obj from
 * byte @off (NH_MAP_SHARED or private).  *va gets the address.
 * -NH_EINVAL (unaligned, zero, wrapping, outside the user half, W with X,
 * a shared writable mapping of a read-only object, off past the object),
 * -NH_EEXIST (fixed and taken), -NH_ENOMEM (no room or memory).
 */
int vm_map(struct vmspace *s, uint64_t *va, uint64_t len, unsigned prot,
	   unsigned flags, struct memobj *obj, uint64_t off);

/* Remove [va, va + len) (regions split as needed); 0 or -NH_EINVAL,
 * -NH_ENOMEM (a split needed memory: nothing changed). */
int vm_unmap(struct vmspace *s, uint64_t va, uint64_t len);

/* Change the permissions of [va, va + len), which must be mapped
 * throughout (else -NH_ENOMEM, like POSIX); -NH_EINVAL for bad prot. */
int vm_protect(struct vmspace *s, uint64_t va, uint64_t len, unsigned prot);

/* The region holding @va, or else the next above it: 0, -NH_ENOENT. */
int vm_query(struct vmspace *s, uint64_t va, struct nh_region *out);

/* What names the futex at @va in @s (futex.h): the memory object and the
 * offset in it when a shared mapping of one holds @va (so every space
 * that maps it meets there), else @s itself and @va.  Never fails: an
 * unmapped @va is keyed by the space. */
const void *vm_futex_key(struct vmspace *s, uint64_t va, uint64_t *off);

/* Copy between the kernel and @s, faulting pages in (writes break COW,
 * VM_FORCE for loaders): 0, -NH_EFAULT, -NH_ENOMEM. */
int vm_read(struct vmspace *s, uint64_t va, void *dst, size_t len);
int vm_write(struct vmspace *s, uint64_t va, const void *src, size_t len,
	     unsigned force);

/* A copy-on-write clone of @s (see the invariants), or NULL with *err. */
struct vmspace *vm_clone(struct vmspace *s, int *err);

/* Resolve a fault at @va for @access: 0 (retry), -NH_EFAULT (outside a
 * region or against its permissions), -NH_ENOMEM (no frame, or refused). */
int vm_fault(struct vmspace *s, uint64_t va, unsigned access);

/* Move the heap's end to @end (0: ask); returns the end now. */
uint64_t vm_brk(struct vmspace *s, uint64_t end);

/* Where the heap of @s starts (a space built by a server: exec): 0, or
 * -NH_EINVAL (outside the user half, or no room for VM_BRK_MAX above it),
 * -NH_EBUSY (the heap is in use: its end is past its start). */
int vm_set_brk(struct vmspace *s, uint64_t start);

/* Set the charge limit (pages, 0: none); the stat in *st. */
void vm_set_limit(struct vmspace *s, uint64_t pages);
void vm_stat(struct vmspace *s, struct nh_space_stat *st);

/* The frame and permissions @va maps to now: 0, or -NH_ENOENT (nothing
 * present); for tests and diagnostics. */
int vm_translate(struct vmspace *s, uint64_t va, uint64_t *pa, unsigned *prot);

/* Live spaces (leak checks). */
uint64_t vm_live_spaces(void);

/* Frames @s alone holds: its tables and the leaves whose frame has no
 * other reference (leak checks discount the checker's own space, which
 * grows as it touches its stack and heap; pages of a memory object it
 * maps, a program's text read in place, take no frame).  Walks them. */
uint64_t vm_frames_held(struct vmspace *s);

/* ---- vm_tlb.c: ASIDs, switching and shootdown ---- */

/* Start the ASID allocator with what the boot hart has. */
void vm_tlb_init(unsigned asid_bits);

/* Install @next (NULL: the kernel's root) on the calling hart. */
void vm_switch(struct hart *h, struct vmspace *next);

/* After leaves of @s lost permissions or went away: flush [va, va + len)
 * here and make sure no hart keeps them (see above).  The space's lock is
 * held (waiters on it answer flush requests while they spin). */
void vm_tlb_shootdown(struct vmspace *s, uint64_t va, uint64_t len);

/* This hart's flush requests (from the IPI handler, and while waiting). */
void vm_tlb_poll(void);

/*
 * The code generation: bumped (release) after user code is written or
 * mapped executable (a program loaded, a COW break or write into an
 * executable page).  The instruction cache is not coherent with stores
 * (the U74's is not), so a hart that sees it move runs fence.i before it
 * next runs user code: vm_tlb_code_sync, from the switch and the poll.
 */
extern uint64_t vm_tlb_code_gen;	/* [a] */

static inline void vm_tlb_code_written(void)
{
	__atomic_fetch_add(&vm_tlb_code_gen, 1, __ATOMIC_RELEASE);
}

/* On @h, the calling hart with interrupts off: fence.i if code was
 * written since its last. */
static inline void vm_tlb_code_sync(struct hart *h)
{
	uint64_t gen = __atomic_load_n(&vm_tlb_code_gen, __ATOMIC_ACQUIRE);

	if (h->code_gen_seen != gen) {
		arch_fence_i();
		h->code_gen_seen = gen;
	}
}

/* Counters for tests: full flushes, ASID flushes, rollovers, IPIs sent. */
struct vm_tlb_stats {
	uint64_t flush_all, flush_asid, rollovers, ipis, generation;
	unsigned bits;
};
void vm_tlb_stats(struct vm_tlb_stats *out);

#endif
