/*
 * Per-hart data: the table and the boot hart's set-up.  Secondary harts
 * are brought up with tasks and SMP scheduling.
 */
#include "hart.h"

struct hart harts[PLAT_MAX_HARTS];
unsigned nharts_online;		/* [boot hart] during bring-up */

void hart_init_boot(uint64_t hartid, uintptr_t stack_lo, uintptr_t stack_hi)
{
	struct hart *h = &harts[0];

	h->hartid = hartid;
	h->index = 0;
	h->stack_lo = stack_lo;
	h->stack_hi = stack_hi;
	nharts_online = 1;
	arch_set_percpu(h);
}
