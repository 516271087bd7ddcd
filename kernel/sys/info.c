/*
 * sys_info: what the whole system is, for sysconf and friends: harts
 * online and in the device tree, frames usable and free, the uptime
 * (figures of a moment, read without locks); and the system's powers
 * for the process server: power and the list of kernel threads.
 */
#include <nuthatch/sysinfo.h>

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"
#include "core/boot.h"
#include "dev/console.h"
#include "dev/power.h"
#include "core/hart.h"
#include "mm/frame.h"
#include "mm/uaccess.h"
#include "sched/task.h"
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

long sys_power(int how)
{
	if (how != NH_POWER_OFF && how != NH_POWER_REBOOT && how != NH_POWER_HALT)
		return -NH_EINVAL;
	console_drain(2000000000ull);
	if (how == NH_POWER_OFF)
		return power_request_off();
	if (how == NH_POWER_REBOOT)
		return power_request_reboot();
	console_takeover();
	arch_irq_save();
	arch_halt();
}

#define KTHREADS_MAX	NH_KTHREADS_MAX	/* on the kernel stack: 640 bytes */

struct kthreads {
	struct nh_kthread t[KTHREADS_MAX];
	size_t n, max;
};

static char state_letter(enum task_state s)
{
	static const char letters[] = { [TASK_READY] = 'R', [TASK_RUNNING] = 'R',
		[TASK_SLEEPING] = 'S', [TASK_SLEEPING_UNINTR] = 'D', [TASK_STOPPED] = 'T',
		[TASK_DEAD] = 'Z' };

	return (unsigned)s < sizeof(letters) ? letters[s] : '?';
}

/* Under the task list's lock: no copy to the user here. */
static void take_kthread(struct task *t, void *ctx)
{
	struct kthreads *k = ctx;
	struct nh_kthread *e;

	if (!t->kernel)
		return;
	if (k->n < k->max) {
		e = &k->t[k->n];
		*e = (struct nh_kthread){ .id = t->id, .time_ns = t->stime_ns + t->utime_ns,
					  .state = state_letter(t->state) };
		for (size_t i = 0; i + 1 < sizeof(e->name) && t->name[i]; i++)
			e->name[i] = t->name[i];
	}
	k->n++;
}

long sys_kthread_list(uintptr_t out, size_t max)
{
	struct kthreads k = { .max = max < KTHREADS_MAX ? max : KTHREADS_MAX };

	if (max && !uaccess_range_ok(out, max * sizeof(struct nh_kthread)))
		return -NH_EFAULT;
	task_for_each(take_kthread, &k);
	if (copy_to_user(out, k.t, (k.n < k.max ? k.n : k.max) * sizeof(struct nh_kthread)))
		return -NH_EFAULT;
	return (long)k.n;
}
