/*
 * The trap bracket (boundary.h).
 */
#include "entry/boundary.h"

#include "arch/riscv/trap.h"
#include "sched/sched.h"
#include "sched/taskctl.h"

/* Is the frame on the running task's own stack?  (Not on the overflow
 * stack: a task must never be switched away from there.) */
static bool on_task_stack(const struct hart *h, const struct trap_frame *tf)
{
	return (uintptr_t)tf >= h->kstack_lo && (uintptr_t)tf < h->kstack_hi;
}

void boundary_leave(struct trap_frame *tf)
{
	struct hart *h = hart_self();

	if (trap_is_user(tf)) {
		h->trap_depth--;	/* the trap is over: only the return is left */
		taskctl_user_return();
		return;
	}
	if (on_task_stack(h, tf))
		sched_trap_exit(tf->sstatus & SSTATUS_SPIE);
	hart_self()->trap_depth--;	/* not h: we may be on another hart now */
}
