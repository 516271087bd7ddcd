/*
 * Per-task handle tables: a task names kernel objects through handles
 * carrying rights (nuthatch/handle.h).  A handle holds one reference to
 * its object; closing the last handle (and dropping every other
 * reference) releases the object.
 *
 * Encoding: a handle's number is (generation << 16 | slot) + 1, with slot
 * in 0..HANDLE_SLOTS-1 and generation in 0..HANDLE_GEN_MAX, so numbers
 * run from 1 to 2^30: positive, never 0, and never one of the
 * pseudo-handles NH_SELF_TASK / NH_SELF_SPACE (0x7ffffffe, 0x7fffffff).
 * Closing a handle bumps its slot's generation; a slot whose generation
 * would pass HANDLE_GEN_MAX is retired for good.  So a closed handle's
 * number never names another object later (stale numbers give
 * -NH_EBADF), even after its slot was reused.  A new handle takes the
 * lowest free slot; handle_install_at takes the slot and generation its
 * caller names (a generation only ever moves forward).
 *
 * Size: slots come in chunks of HANDLE_CHUNK_SLOTS.  The first lives in
 * the table's own frame; when it is full the table grows a chunk (a frame)
 * at a time, up to HANDLE_CHUNKS chunks, through a directory frame
 * allocated at the first growth.  Chunks stay until the table is freed.
 *
 * Close-on-exec: a slot may carry NH_HANDLE_CLOEXEC; task_set_space's
 * switch (exec) closes those handles (handle_table_close_exec).
 *
 * Rights only shrink: dup and install need NH_RIGHT_GRANT on the source
 * and give a subset of its rights.
 *
 * Object types register their reference operations once at boot
 * (handle_type_register), so this file knows no object's internals.
 *
 * Locking: each table has one spinlock (RANK_HANDLES), taken with no
 * other lock held.  get() callbacks run under it (they must only take
 * locks ranked above it); put() callbacks never do (releasing an object
 * may take any lock), and no two tables are ever locked at once.
 *
 * Lifetime: a task's table is created empty with the task, or is its
 * creator's, shared (NH_START_SHARE_HANDLES: a server's threads); its
 * handles are all closed when the last task using it exits
 * (handle_table_leave, then handle_table_close_all: a task holding a
 * handle to itself, or two dead tasks holding handles to each other, are
 * still freed); the table itself is freed with the last task object
 * naming it (handle_table_put), so a task that holds a reference to
 * another can always install into its table (which refuses with
 * -NH_ESRCH once closed).
 *
 * Errors: -NH_EBADF no such handle (never was, closed, stale, or of
 * another type than asked for); -NH_EACCES the handle lacks a right the
 * act needs, or rights would be widened; -NH_ENOSPC the table is full;
 * -NH_ESRCH the table's task is dead; -NH_ENOMEM.
 */
#ifndef NUTHATCH_HANDLE_H
#define NUTHATCH_HANDLE_H

#include <stdbool.h>
#include <stdint.h>

#include <nuthatch/handle.h>

#include "core/spinlock.h"

#define HANDLE_CHUNK_SLOTS	128	/* slots per chunk */
#define HANDLE_CHUNKS		512	/* chunks a table may grow to */
#define HANDLE_SLOTS		(HANDLE_CHUNK_SLOTS * HANDLE_CHUNKS)	/* 65536 */
#define HANDLE_GEN_MAX		((1u << 14) - 1)
#define HANDLE_TYPES	16		/* type numbers 1..15 */
#define HANDLE_OBJ_TEST	15		/* reserved for self-tests */

#define SLOT_BITS	16
#define SLOT_FREE	0	/* slot.type of an unused slot */
#define SLOT_RESERVED	0xff	/* slot.type of a slot held by handle_reserve */

/* A table's slot (its fields are handle.c's, but for handle_peek). */
struct slot {
	void *obj;		/* a reference, while in use */
	uint64_t badge;		/* what a receiver learns of the holder (endpoints) */
	uint32_t gen;		/* generation of its current (or next) handle */
	uint8_t type;		/* SLOT_FREE, SLOT_RESERVED or an NH_OBJ_* */
	uint8_t rights;		/* NH_RIGHT_* */
	uint8_t flags;		/* NH_HANDLE_* */
	bool retired;		/* its generations are used up: never reused */
};

/* A task's handle table: one frame, growing by chunks (see above). */
struct handle_table {
	struct spinlock lock;	/* protects closed, nchunks, hint, dir's
				   entries and every slot */
	bool closed;		/* its task is dead: no new handles */
	unsigned nchunks;	/* chunks in use, 1..HANDLE_CHUNKS */
	unsigned hint;		/* no free slot below this index */
	unsigned nopen;		/* open slots (read without the lock: a hint) */
	int users;		/* [a] live tasks using it (shared: more than one) */
	int refs;		/* [a] task objects naming it */
	unsigned ncloexec;	/* open handles carrying NH_HANDLE_CLOEXEC
				   (read without the lock: a hint) */
	uint64_t pa;		/* [I] the frame holding the table */
	struct slot **dir;	/* chunk pointers (dir[0] = slot0) once grown */
	struct slot slot0[HANDLE_CHUNK_SLOTS];
};

struct handle_type_ops {
	void (*get)(void *obj);		/* take a reference (under the table lock) */
	void (*put)(void *obj);		/* drop one (may release it) */
	uint64_t (*size)(void *obj);	/* for handle_info; may be NULL */
	/* May be NULL: a handle with @rights starts (+1, under a table lock:
	 * atomics only) or stops (-1, no lock held) naming the object. */
	void (*slot)(void *obj, uint32_t rights, int delta);
};

/* NH_OBJ_* types' reference operations, registered at boot (registering
 * the same ops again is allowed; other ops for a taken type panic). */
void handle_type_register(unsigned type, const struct handle_type_ops *ops);

/* An empty table, or NULL (-NH_ENOMEM in *err). */
struct handle_table *handle_table_create(int *err);

/* Close every handle; from now on the table refuses new ones (-NH_ESRCH).
 * Its tasks are dead.  No table lock held; put() callbacks run here. */
void handle_table_close_all(struct handle_table *ht);

/* One more task uses @ht (and its object names it). */
void handle_table_share(struct handle_table *ht);

/* A task using @ht exits: the last one closes every handle. */
void handle_table_leave(struct handle_table *ht);

/* A task object naming @ht is freed: the last one closes whatever is
 * left and frees the table. */
void handle_table_put(struct handle_table *ht);

/* A handle in the calling task's table to a new object @obj, taking over
 * the creator's reference (dropped if no handle could be made). */
long handle_give(unsigned type, void *obj, uint32_t rights);

/* A new handle to @obj (taking a new reference): the number, or an error
 * (-NH_EINVAL for an unregistered type or rights outside NH_RIGHTS_ALL). */
long handle_alloc(struct handle_table *ht, unsigned type, void *obj,
		  uint32_t rights);

/*
 * For a handle made after a fallible act (spawn): reserve a slot first
 * (its number, or -NH_ENOSPC / -NH_ESRCH), then either commit it, handing
 * over one reference the caller holds (cannot fail), or unreserve it.
 * Only for the calling task's own table.
 */
long handle_reserve(struct handle_table *ht);
void handle_commit(struct handle_table *ht, long h, unsigned type, void *obj,
		   uint32_t rights);
void handle_unreserve(struct handle_table *ht, long h);

/*
 * The object @h names, with a new reference the caller drops through
 * handle_put_obj, if it is of @type and carries every right in @need.
 * The calling task's pseudo-handles (NH_SELF_*) are resolved by
 * handle_lookup_self, not here.
 */
int handle_lookup(struct handle_table *ht, long h, unsigned type,
		  uint32_t need, void **obj);
void handle_put_obj(unsigned type, void *obj);

/*
 * The same in the calling task's table, pseudo-handles included:
 * NH_SELF_TASK is the caller with every right; NH_SELF_SPACE is not
 * resolved yet (-NH_EBADF) until address-space objects exist.  For
 * system calls.
 */
int handle_lookup_self(long h, unsigned type, uint32_t need, void **obj);

/* handle_lookup_self, also giving the handle's badge (0 if none). */
int handle_lookup_badged(long h, unsigned type, uint32_t need, void **obj,
			 uint64_t *badge);

int handle_close(struct handle_table *ht, long h);

/* Slot @index of @ht past its first chunk, or NULL past the chunks it
 * has (table lock held; out of line: the fast paths use the first). */
struct slot *handle_slot_far(struct handle_table *ht, unsigned index);

/* Slot @index of @ht, or NULL past the chunks it has (table lock held). */
static inline struct slot *handle_slot_at(struct handle_table *ht, unsigned index)
{
	if (__builtin_expect(index < HANDLE_CHUNK_SLOTS, 1))
		return &ht->slot0[index];
	return handle_slot_far(ht, index);
}

/* The slot index in handle number @h. */
static inline unsigned handle_index(long h)
{
	return (unsigned)(((uint64_t)h - 1) & ((1u << SLOT_BITS) - 1));
}

/* The slot @h names with its current generation (in any state), or NULL
 * (table lock held).  A number below 1 wraps to a huge generation. */
static inline struct slot *handle_decode(struct handle_table *ht, long h)
{
	uint64_t v = (uint64_t)h - 1, gen = v >> SLOT_BITS;
	unsigned index = v & ((1u << SLOT_BITS) - 1);	/* handle_index */
	struct slot *s;

	if (gen > HANDLE_GEN_MAX)
		return 0;
	s = handle_slot_at(ht, index);
	return s && s->gen == gen ? s : 0;
}

/* The slot of the open handle @h, or NULL (table lock held). */
static inline struct slot *handle_open_slot(struct handle_table *ht, long h)
{
	struct slot *s = handle_decode(ht, h);

	return s && s->type != SLOT_FREE && s->type != SLOT_RESERVED ? s : 0;
}

/*
 * For fast paths that hold @ht's lock (interrupts off: spin_lock) instead
 * of taking a reference: the object @h names if it is of @type with every
 * right in @need (its badge in *badge), else NULL.  The slot's reference
 * keeps the object alive until the table is unlocked.  Real handles only.
 */
static inline void *handle_peek(struct handle_table *ht, long h, unsigned type,
				uint32_t need, uint64_t *badge)
{
	struct slot *s = handle_open_slot(ht, h);

	if (!s || s->type != type || (s->rights & need) != need)
		return 0;
	*badge = s->badge;
	return s->obj;
}


/*
 * A second handle to @h's object carrying @badge (non-zero) and @rights
 * (a subset; h needs GRANT).  A badged handle cannot be minted again
 * (-NH_EACCES): whoever holds one cannot forge another badge.  Dup and
 * install keep the badge.
 */
long handle_mint(struct handle_table *ht, long h, uint64_t badge, uint32_t rights);

/* A second handle to the same object with @rights (a subset of h's, and
 * h must carry GRANT). */
long handle_dup(struct handle_table *ht, long h, uint32_t rights);

/* Put a handle to @h's object with @rights (a subset; h carries GRANT)
 * into table @to: its number there. */
long handle_install(struct handle_table *from, long h,
		    struct handle_table *to, uint32_t rights);

/*
 * handle_install, at the number @number names in @to: its slot must be
 * free and its generation not behind the slot's (-NH_EEXIST when open or
 * reserved, -NH_EINVAL when the number is malformed, behind, retired, or
 * a pseudo-handle); the table grows to reach it.  @flags: NH_HANDLE_*.
 * Returns @number.
 */
long handle_install_at(struct handle_table *from, long h, struct handle_table *to,
		       uint32_t rights, uint32_t flags, long number);
long handle_install_self_at(long h, struct handle_table *to, uint32_t rights,
			    uint32_t flags, long number);

/* Set the NH_HANDLE_* flags of the open handle @h in @ht. */
int handle_set_flags(struct handle_table *ht, long h, uint32_t flags);

/* Close every handle of @ht that carries NH_HANDLE_CLOEXEC (exec). */
void handle_table_close_exec(struct handle_table *ht);

/* Type, rights and size of @h. */
int handle_info(struct handle_table *ht, long h, struct nh_handle_info *out);

/* The same three from the caller's own table, where @h may also be a
 * pseudo-handle (NH_SELF_TASK, NH_SELF_SPACE).  handle_dup_self puts the
 * new handle in the caller's table; handle_install_self into @to (0: the
 * target has no table, -NH_ESRCH). */
long handle_dup_self(long h, uint32_t rights);
long handle_install_self(long h, struct handle_table *to, uint32_t rights);
int handle_info_self(long h, struct nh_handle_info *out);

/* Live handles in every table (leak checks). */
uint64_t handle_live_count(void);

#endif
