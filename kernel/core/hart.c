/*
 * Per-hart data: the table and the boot hart's set-up.  Secondary harts
 * are brought up with tasks and SMP scheduling.
 */
#include "core/hart.h"

struct hart harts[PLAT_MAX_HARTS];
unsigned nharts_online;		/* [boot hart] during bring-up */

void hart_init_boot(uint64_t hartid, uintptr_t stack_lo, uintptr_t stack_hi)
{
	struct hart *h = &harts[0];

	h->hartid = hartid;
	h->index = 0;
	hart_set_stack(h, stack_lo, stack_hi, false);
	nharts_online = 1;
	arch_set_percpu(h);
}


struct hart *hart_by_id(uint64_t hartid)
{
	for (unsigned i = 0; i < PLAT_MAX_HARTS; i++) {
		if (__atomic_load_n(&harts[i].online, __ATOMIC_ACQUIRE) &&
		    harts[i].hartid == hartid)
			return &harts[i];
	}
	return 0;
}

static uint64_t online_mask;	/* [a] bit i: harts[i].online */

void hart_set_online(struct hart *h)
{
	__atomic_fetch_or(&online_mask, 1ull << h->index, __ATOMIC_RELEASE);
	__atomic_store_n(&h->online, true, __ATOMIC_RELEASE);
}

uint64_t hart_online_mask(void)
{
	return __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE);
}
