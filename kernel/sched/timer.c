/*
 * The periodic tick and the monotonic clock.
 */
#include "sched/timer.h"

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"
#include "arch/riscv/trap.h"
#include "core/hart.h"
#include "dev/console.h"
#include "sched/kstack.h"
#include "sched/sched.h"

static uint64_t timebase;	/* [I] ticks per second */
static unsigned hz;		/* [I] timer interrupts per second */
static uint64_t period;		/* [I] timebase ticks between interrupts */
uint64_t timer_ns_mult;		/* [I] */

int timer_init(uint64_t timebase_hz, unsigned want_hz)
{
	if (timebase_hz == 0)
		return -NH_EINVAL;
	if (want_hz == 0 || want_hz > TIMER_HZ_MAX)
		want_hz = TIMER_HZ_DEFAULT;
	timebase = timebase_hz;
	hz = want_hz;
	period = timebase / hz ? timebase / hz : 1;
	timer_ns_mult = (1000000000ull << 32) / timebase;
	timer_start_hart();
	return 0;
}

void timer_start_hart(void)
{
	struct hart *h = hart_self();

	h->timer_deadline = arch_ticks() + period;
	h->timer_next = h->timer_deadline;
	arch_timer_program(h->timer_deadline);
}

uint64_t timer_ns_to_ticks(uint64_t ns)
{
	return ns / 1000000000ull * timebase +
	       ns % 1000000000ull * timebase / 1000000000ull;
}

/* Program the earlier of the next tick and @wake_ns (0: none). */
static void program(struct hart *h, uint64_t wake_ns)
{
	uint64_t next = h->timer_deadline;

	if (wake_ns) {
		uint64_t w = timer_ns_to_ticks(wake_ns) + 1;	/* round up */

		if (w < next)
			next = w;
	}
	h->timer_next = next;
	arch_timer_program(next);
}

void timer_interrupt(void)
{
	struct hart *h = hart_self();
	uint64_t now = arch_ticks();
	bool tick = now >= h->timer_deadline;

	if (tick) {
		h->timer_ticks++;
		h->timer_deadline += period;
		if (h->timer_deadline <= now)	/* missed some: skip, no burst */
			h->timer_deadline = now + period;
	}
	if (tick) {
		kstack_sync_hart();
		console_kick();		/* log lines printed under locks */
	}
	program(h, sched_timer(tick));
}

void timer_wake_at(uint64_t wake_ns)
{
	struct hart *h = hart_self();

	if (timer_ns_to_ticks(wake_ns) + 1 < h->timer_next)
		program(h, wake_ns);
}

uint64_t timer_ticks_to_ns(uint64_t ticks)
{
	if (timebase == 0)
		return 0;
	return ticks / timebase * 1000000000ull +
	       ticks % timebase * 1000000000ull / timebase;
}

uint64_t clock_ns(void)
{
	return timer_ticks_to_ns(arch_ticks());
}

unsigned timer_hz(void)
{
	return hz;
}
