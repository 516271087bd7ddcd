/*
 * System-call dispatch: a7 picks the generated thunk (build/gen/sysent.c,
 * from syscalls.tbl), which unpacks a0..a6 into the typed arguments of
 * the handler in kernel/sys/; then the result or the restart.
 */
#include "entry/entry.h"

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"
#include "arch/riscv/trap.h"
#include "ipc/ipc.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "sched/taskctl.h"
#include "sys/syscall.h"

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
 * (Inlined into entry_syscall: the null call is measured to the
 * instruction.) */
static inline __attribute__((always_inline)) void syscall_dispatch(struct trap_frame *tf)
{
	uint64_t n = tf->regs[17];

	tf->regs[0] += 4;	/* past the ecall, also for exit's sake */
	finish(tf, n < SYS_COUNT ? sysent[n].fn(&tf->regs[10]) : -NH_ENOSYS);
}

int entry_syscall(struct trap_frame *tf)
{
	arch_irq_enable();
	syscall_dispatch(tf);
	arch_irq_save();
	return taskctl_user_return();
}

void entry_syscall_resume(struct trap_frame *tf, long (*cont)(void))
{
	sched_finish_switch();
	arch_irq_enable();
	finish(tf, cont());
	arch_irq_save();
	taskctl_user_return();
}
