/*
 * Time a process asks the process server for: its CPU time and its
 * children's (times, getrusage, CLOCK_PROCESS_CPUTIME_ID), and the
 * offset of the wall clock from the monotonic clock, which this server
 * reads once at boot from the device tree's RTC (google,goldfish-rtc on
 * QEMU virt: nanoseconds since the epoch in TIME_LOW, then TIME_HIGH,
 * which the low read latches).  A board without one starts the wall
 * clock at the epoch at boot.
 */
#include <stdint.h>

#include <nuthatch/errno.h>

#include "nuthatch.h"
#include "proc.h"
#include "proto/proc_server.h"

#define RTC_TIME_LOW	0x00
#define RTC_TIME_HIGH	0x04

static int64_t wall_offset_ns;

static uint64_t rtc_read(volatile uint32_t *regs)
{
	uint64_t lo = regs[RTC_TIME_LOW / 4];	/* latches the high word */

	return (uint64_t)regs[RTC_TIME_HIGH / 4] << 32 | lo;
}

void proc_clock_init(void)
{
	struct nh_device d;
	long mo = nh_device_open("google,goldfish-rtc", &d), va;

	if (mo < 0)
		return;
	va = nh_map(NH_SELF_SPACE, 0, d.size, NH_PROT_READ, NH_MAP_SHARED, mo, 0);
	if (va > 0) {
		uint64_t wall = rtc_read((volatile uint32_t *)va);

		wall_offset_ns = (int64_t)(wall - (uint64_t)nh_clock_ns());
		nh_space_unmap(NH_SELF_SPACE, (uint64_t)va, d.size);
	}
	nh_handle_close(mo);
}

long proc_srv_clock_offset(struct srv_req *r, int64_t *offset_ns)
{
	(void)r;
	*offset_ns = wall_offset_ns;
	return 0;
}

/* @t's task's times so far, added to *ut and *st. */
static void add_task_times(const struct proc *t, uint64_t *ut, uint64_t *st)
{
	struct nh_task_info info;

	if (t->task && nh_task_info(t->task, &info) == 0) {
		*ut += info.utime_ns;
		*st += info.stime_ns;
	}
}

long proc_srv_times(struct srv_req *r, uint64_t *utime_ns, uint64_t *stime_ns,
		    uint64_t *cutime_ns, uint64_t *cstime_ns)
{
	struct proc *p = PROC_OF(r);

	*utime_ns = p->utime_ns;	/* its ended threads' */
	*stime_ns = p->stime_ns;
	add_task_times(p, utime_ns, stime_ns);
	for (const struct proc *t = p->threads; t; t = t->thread_next)
		add_task_times(t, utime_ns, stime_ns);
	*cutime_ns = p->cutime_ns;
	*cstime_ns = p->cstime_ns;
	return 0;
}
