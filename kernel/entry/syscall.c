/*
 * System-call dispatch and the first handlers.  The table itself is
 * generated (tools/gensyscalls.py, build/gen/sysent.c).
 */
#include "sys/syscall.h"

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"
#include "arch/riscv/trap.h"
#include "dev/console.h"
#include "ipc/ipc.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "sched/taskctl.h"
#include "sched/timer.h"
#include "mm/uaccess.h"
#include "mm/vm.h"

#define DEBUG_WRITE_MAX	4096	/* longer writes are cut */

/* A stop or kill interrupted the call (TASK_ERESTART): what a0 becomes. */
static long restart(struct trap_frame *tf)
{
	if (__atomic_load_n(&task_current()->work, __ATOMIC_ACQUIRE) & TASK_WORK_EINTR) {
		/* an interrupt overtook the restart: none to come back to */
		ipc_cancel_restart(task_current());
		return -NH_EINTR;
	}
	tf->regs[0] -= 4;	/* run it again after the stop */
	return (long)tf->orig_a0;
}

/* A call's result @r into @tf, or its restart. */
static inline void finish(struct trap_frame *tf, long r)
{
	tf->regs[10] = (uint64_t)(r == -TASK_ERESTART ? restart(tf) : r);
}

/* Handle the ecall in @tf (from U-mode): result in a0, sepc past it; or,
 * when the call returned TASK_ERESTART (a stop or kill request
 * interrupted it), sepc back on the ecall and a0 = orig_a0: it runs again.
 * (Inlined into syscall_entry: the null call is measured to the
 * instruction.) */
static inline __attribute__((always_inline)) void syscall_dispatch(struct trap_frame *tf)
{
	uint64_t n = tf->regs[17];
	struct syscall_args a = { { tf->regs[10], tf->regs[11], tf->regs[12],
				    tf->regs[13], tf->regs[14], tf->regs[15] } };

	tf->regs[0] += 4;	/* past the ecall, also for exit's sake */
	finish(tf, n < SYS_COUNT ? sysent[n].fn(&a) : -NH_ENOSYS);
}

/*
 * From trap.S's system-call path (interrupts off, on the task's kernel
 * stack; IPC's fast path was tried first): run the call in task context
 * with interrupts on, then pass the user boundary with them off.
 */
int syscall_entry(struct trap_frame *tf)
{
	arch_irq_enable();
	syscall_dispatch(tf);
	arch_irq_save();
	return taskctl_user_return();
}

void syscall_resume(struct trap_frame *tf, long (*cont)(void))
{
	sched_finish_switch();
	arch_irq_enable();
	finish(tf, cont());
	arch_irq_save();
	taskctl_user_return();
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

/* An interruptible sleep: a stop or kill request restarts it (the whole
 * length again: a sleep may last longer than asked, never shorter). */
long sys_sleep_ns(const struct syscall_args *a)
{
	int r = task_sleep_ns_interruptible(a->a[0]);

	return r == -NH_ETIMEDOUT ? 0 : r;
}

long sys_brk(const struct syscall_args *a)
{
	struct task *t = task_current();

	return t->space ? (long)vm_brk(t->space, a->a[0]) : -NH_EINVAL;
}
