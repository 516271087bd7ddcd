/*
 * System-call dispatch and the first handlers.  The table itself is
 * generated (tools/gensyscalls.py, build/gen/sysent.c).
 */
#include "syscall.h"

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"
#include "arch/riscv/trap.h"
#include "console.h"
#include "sched.h"
#include "task.h"
#include "timer.h"
#include "uaccess.h"
#include "vm.h"

#define DEBUG_WRITE_MAX	4096	/* longer writes are cut */

/*
 * From trap.S's system-call path (interrupts off, on the task's kernel
 * stack): run the call in task context with interrupts on, then take a
 * pending preemption before going back to user mode.
 */
void syscall_entry(struct trap_frame *tf)
{
	arch_irq_enable();
	syscall_dispatch(tf);
	arch_irq_save();
	sched_user_return();
}

void syscall_dispatch(struct trap_frame *tf)
{
	uint64_t n = tf->regs[17];
	struct syscall_args a = { { tf->regs[10], tf->regs[11], tf->regs[12],
				    tf->regs[13], tf->regs[14], tf->regs[15] } };

	tf->regs[0] += 4;	/* past the ecall, also for exit's sake */
	tf->regs[10] = n < SYS_COUNT ? (uint64_t)sysent[n].fn(&a)
				     : (uint64_t)-NH_ENOSYS;
}

long sys_null(const struct syscall_args *a)
{
	(void)a;
	return 0;
}

long sys_exit(const struct syscall_args *a)
{
	task_exit((int)a->a[0]);
}

long sys_yield(const struct syscall_args *a)
{
	(void)a;
	sched_yield();
	return 0;
}

long sys_clock_ns(const struct syscall_args *a)
{
	(void)a;
	return (long)clock_ns();
}

long sys_debug_write(const struct syscall_args *a)
{
	char buf[256];
	size_t len = a->a[1] < DEBUG_WRITE_MAX ? a->a[1] : DEBUG_WRITE_MAX;
	size_t done = 0;

	if (!uaccess_range_ok(a->a[0], len) && len)
		return -NH_EFAULT;
	while (done < len) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);

		if (copy_from_user(buf, a->a[0] + done, n))
			return done ? (long)done : -NH_EFAULT;
		console_write(buf, n);
		done += n;
	}
	return (long)done;
}

long sys_sleep_ns(const struct syscall_args *a)
{
	return task_sleep_ns(a->a[0]);
}

long sys_brk(const struct syscall_args *a)
{
	struct task *t = task_current();

	return t->space ? (long)vm_brk(t->space, a->a[0]) : -NH_EINVAL;
}
