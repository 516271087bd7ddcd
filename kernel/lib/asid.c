/*
 * The generation-based ASID allocator (see asid.h).
 */
#include "lib/asid.h"

void asid_init(struct asid_alloc *a, unsigned bits)
{
	if (bits > ASID_MAX_BITS)
		bits = ASID_MAX_BITS;
	a->bits = bits;
	a->generation = 1;
	a->next = 1;
	a->max = (1ull << bits) - 1;
}

bool asid_current(const struct asid_alloc *a, uint64_t tag)
{
	return a->bits && tag && asid_generation_of(a, tag) == a->generation;
}

uint64_t asid_get(struct asid_alloc *a, uint64_t *tag, bool *rolled)
{
	*rolled = false;
	if (!a->bits)
		return 0;
	if (asid_current(a, *tag))
		return asid_of(a, *tag);
	if (a->next > a->max) {		/* all used: a new generation */
		a->generation++;
		a->next = 1;
		*rolled = true;
	}
	*tag = a->generation << a->bits | a->next;
	return a->next++;
}
