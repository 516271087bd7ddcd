/*
 * The lock-order checker: each hart keeps the stack of locks it holds;
 * acquiring a lock already held by this hart, or one whose rank is not
 * above every held lock's, is a bug reported by name.  Interrupts are off
 * while any spinlock is held, so the stack is only touched by its hart.
 */
#include "core/spinlock.h"

#include <stdbool.h>
#include <stddef.h>

#include "core/hart.h"
#include "core/printk.h"

_Static_assert(offsetof(struct hart, nheld) == HART_NHELD_OFFSET, "spinlock.h");

#if NH_DEBUG

/* tp is valid only once hart_init_boot (or bring-up) has set it. */
static struct hart *this_hart(void)
{
	struct hart *h = hart_self();

	if (h < &harts[0] || h >= &harts[PLAT_MAX_HARTS])
		return 0;
	return h;
}

static void violation(struct hart *h, struct spinlock *l, const char *why,
		      const struct spinlock *held)
{
	if (h->lock_catch) {		/* a self-test expects this */
		h->lock_violations++;
		return;
	}
	h->nheld = 0;			/* let panic print */
	panic("lock %s (rank %u) %s %s (rank %u)", l->name, l->rank, why,
	      held ? held->name : "-", held ? held->rank : 0);
}

bool lock_check_acquire(struct spinlock *l)
{
	struct hart *h = this_hart();
	unsigned top;

	if (!h)
		return true;
	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == (int16_t)(h->index + 1)) {
		violation(h, l, "taken twice on one hart, held as", l);
		return false;	/* caught by a self-test: do not deadlock */
	}
	top = h->nheld < HART_MAX_HELD ? h->nheld : HART_MAX_HELD;
	if (top && h->held[top - 1]->rank >= l->rank)
		violation(h, l, "taken while holding", h->held[top - 1]);
	return true;
}

void lock_note_acquired(struct spinlock *l)
{
	struct hart *h = this_hart();

	if (!h)
		return;
	__atomic_store_n(&l->owner, (int16_t)(h->index + 1), __ATOMIC_RELAXED);
	if (h->nheld < HART_MAX_HELD)
		h->held[h->nheld] = l;
	h->nheld++;
}

void lock_note_released(struct spinlock *l)
{
	struct hart *h = this_hart();

	__atomic_store_n(&l->owner, 0, __ATOMIC_RELAXED);
	if (!h || h->nheld == 0)
		return;
	h->nheld--;
	/* Locks need not be released in order: close the gap. */
	for (unsigned i = 0; i < h->nheld && i < HART_MAX_HELD; i++) {
		if (h->held[i] == l) {
			for (unsigned j = i; j + 1 < HART_MAX_HELD && j < h->nheld; j++)
				h->held[j] = h->held[j + 1];
			break;
		}
	}
}

#endif
