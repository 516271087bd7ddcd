/*
 * Time: a monotonic clock from the platform timer and the DT's timebase,
 * and a periodic tick at timer_hz() per hart, programmed through SBI
 * (the U74 has no Sstc).  Deadlines are absolute, so ticks do not drift;
 * a hart that misses deadlines skips them rather than bursting.  Between
 * ticks the timer also fires at the earliest sleeper's deadline, so a
 * sleep ends on time, not at the next tick.
 */
#ifndef NUTHATCH_TIMER_H
#define NUTHATCH_TIMER_H

#include <stdint.h>

#define TIMER_HZ_DEFAULT	100
#define TIMER_HZ_MAX		10000

/*
 * Record the timebase and tick rate (from nuthatch.hz=, bounded to
 * 1..TIMER_HZ_MAX) and start the tick on this hart.
 * Returns 0, or -NH_EINVAL when the timebase is 0.
 */
int timer_init(uint64_t timebase_hz, unsigned hz);

/* Start the periodic tick on the calling hart. */
void timer_start_hart(void);

/* The timer interrupt (entry_interrupt): the tick, expired sleeps,
 * preemption. */
void timer_interrupt(void);

/* Nanoseconds since the platform timer started. */
uint64_t clock_ns(void);

/* Convert timebase ticks to nanoseconds (no overflow for any tick count
 * the timer can reach in centuries). */
uint64_t timer_ticks_to_ns(uint64_t ticks);

unsigned timer_hz(void);

uint64_t timer_ns_to_ticks(uint64_t ns);

extern uint64_t timer_ns_mult;	/* ns per tick, 32.32 fixed point */

/* A short interval of ticks in ns: one multiply, no division (the hot
 * path of scheduler accounting).  Exact to within 1 ns per 4 s. */
static inline uint64_t timer_delta_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * timer_ns_mult) >> 32);
}

/*
 * Make this hart's timer fire by @wake_ns (a sleeper's deadline), earlier
 * than the next tick if need be.  Interrupts off.
 */
void timer_wake_at(uint64_t wake_ns);

#endif
