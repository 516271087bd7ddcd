/*
 * sys_info: what the whole system is, for sysconf and friends: harts
 * online and in the device tree, frames usable and free, the uptime.
 * Figures of a moment, read without locks.
 */
#include <nuthatch/sysinfo.h>

#include "core/boot.h"
#include "core/hart.h"
#include "mm/frame.h"
#include "mm/uaccess.h"
#include "sched/timer.h"
#include "sys/syscall.h"

long sys_sys_info(uintptr_t out)
{
	struct nh_sys_info i = {
		.harts_online = __atomic_load_n(&nharts_online, __ATOMIC_RELAXED),
		.harts_possible = boot_platform.nharts,
		.pages_total = frame_usable_count(),
		.pages_free = frame_free_count(),
		.uptime_ns = clock_ns(),
	};

	return copy_to_user(out, &i, sizeof(i)) ? -NH_EFAULT : 0;
}
