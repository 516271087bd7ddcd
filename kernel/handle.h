/*
 * Per-task handle tables: a task names kernel objects through handles
 * carrying rights (nuthatch/handle.h).  A handle holds one reference to
 * its object; closing the last handle (and dropping every other
 * reference) releases the object.
 *
 * A handle's number is (generation << 8 | slot) + 1... see handle.c for
 * the exact encoding: what matters is that a closed handle's number
 * never names another object later (stale numbers give -NH_EBADF).
 *
 * Object types register their reference operations once at boot
 * (handle_type_register), so this file knows no object's internals.
 *
 * Errors: -NH_EBADF no such handle (never was, closed, stale, or of
 * another type than asked for); -NH_EACCES the handle lacks a right the
 * act needs, or rights would be widened; -NH_ENOSPC the table is full;
 * -NH_ENOMEM.
 */
#ifndef NUTHATCH_HANDLE_H
#define NUTHATCH_HANDLE_H

#include <stdint.h>

#include <nuthatch/handle.h>

struct handle_table;

struct handle_type_ops {
	void (*get)(void *obj);		/* take a reference */
	void (*put)(void *obj);		/* drop one (may release it) */
	uint64_t (*size)(void *obj);	/* for handle_info; may be NULL */
};

/* NH_OBJ_* types' reference operations, registered at boot. */
void handle_type_register(unsigned type, const struct handle_type_ops *ops);

/* An empty table, or NULL (-NH_ENOMEM in *err). */
struct handle_table *handle_table_create(int *err);

/* Close every handle and free the table (its task is ending). */
void handle_table_destroy(struct handle_table *ht);

/* A new handle to @obj (taking a new reference): the number, or an error. */
long handle_alloc(struct handle_table *ht, unsigned type, void *obj,
		  uint32_t rights);

/*
 * The object @h names, with a new reference the caller drops through
 * handle_put_obj, if it is of @type and carries every right in @need.
 * The calling task's pseudo-handles (NH_SELF_*) are resolved by the
 * syscall layer, not here.
 */
int handle_lookup(struct handle_table *ht, long h, unsigned type,
		  uint32_t need, void **obj);
void handle_put_obj(unsigned type, void *obj);

int handle_close(struct handle_table *ht, long h);

/* A second handle to the same object with @rights (a subset of h's, and
 * h must carry GRANT). */
long handle_dup(struct handle_table *ht, long h, uint32_t rights);

/* Put a handle to @h's object with @rights (a subset; h carries GRANT)
 * into table @to: its number there. */
long handle_install(struct handle_table *from, long h,
		    struct handle_table *to, uint32_t rights);

/* Type, rights and size of @h. */
int handle_info(struct handle_table *ht, long h, struct nh_handle_info *out);

/* Live handles in every table (leak checks). */
uint64_t handle_live_count(void);

#endif
