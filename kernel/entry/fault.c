/*
 * Fault policy.  From user mode: a page fault is resolved by the space
 * (zero-fill, COW, upgrade); an illegal instruction may be the task's
 * first FP use; a fault handler bound with ipc_bind_events may resolve
 * the rest; otherwise the task ends with a fault record, and nothing else
 * does.  In kernel mode: a user copy's fault on a page not yet present is
 * resolved like the user's own access; an armed fault_catch rewinds to
 * its call; otherwise an oops, and the task the fault happened for ends,
 * or, with no task to blame (boot, idle, interrupt context, a spinlock
 * held), the system panics.
 */
#include "entry/entry.h"

#include <nuthatch/errno.h>
#include <nuthatch/ipc.h>
#include <nuthatch/task.h>

#include "arch/riscv/trap.h"
#include "core/hart.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "entry/boundary.h"
#include "entry/oops.h"
#include "ipc/ipc.h"
#include "mm/vm.h"
#include "sched/sched.h"
#include "sched/task.h"

/* Resolve a fault of @t's space at @addr wanting @access: 0, or why not
 * (-NH_EFAULT: not a page fault, or against the space's regions;
 * -NH_ENOMEM: no memory for it). */
static int resolve(struct task *t, uint64_t addr, unsigned access)
{
	if (!access || !t || !t->space)
		return -NH_EFAULT;
	return vm_fault(t->space, addr, access);
}

/* End the calling task for the user fault in @tf (@err: what resolving
 * it said), after its record and a line naming it. */
__attribute__((noreturn))
static void end_for_fault(struct trap_frame *tf, int err)
{
	struct task *t = task_current();
	struct task_end e = { .reason = NH_EXIT_FAULT, .code = -NH_EFAULT,
			      .cause = tf->scause, .addr = tf->stval,
			      .pc = tf->regs[0] };

	kprintf("%suser fault: task %lu [%s]: %s at pc 0x%lx, address 0x%lx%s\n",
		printk_diag(), t->id, t->name, trap_cause_name(tf->scause),
		tf->regs[0], tf->stval, err == -NH_ENOMEM ? ": out of memory" : "");
	t->faulted = true;	/* the test family's wait still reads these */
	t->fault_cause = tf->scause;
	t->fault_addr = tf->stval;
	t->fault_pc = tf->regs[0];
	if (err == -NH_ENOMEM) {
		e.reason = NH_EXIT_OOM;
		e.code = -NH_ENOMEM;
	}
	boundary_close();
	task_exit_as(&e);
}

/* A user fault that resolving left at @err (never 0). */
static void user_fault(struct trap_frame *tf, int err, enum entry_fault kind)
{
	if (kind == ENTRY_FAULT_ILLEGAL_INSN && sched_fp_first_use(tf))
		return;		/* FP was off for the task: now loaded */
	if (err != -NH_ENOMEM && ipc_fault(tf) == NH_FAULT_RESUME)
		return;		/* its fault handler dealt with it */
	end_for_fault(tf, err);
}

long entry_user_page_fault(uint64_t addr, unsigned access)
{
	struct hart *h = boundary_enter();
	struct task *t = h->current;
	int err = resolve(t, addr, access);

	boundary_close();
	if (err)
		return err;	/* negative: the fault stands */
	if (!__atomic_load_n(&t->work, __ATOMIC_RELAXED) &&
	    !__atomic_load_n(&h->need_resched, __ATOMIC_RELAXED))
		return 0;
	return 1;		/* resolved, but the user boundary has work */
}

void entry_user_page_fault_finish(struct trap_frame *tf, long verdict)
{
	boundary_enter();
	if (verdict < 0)
		user_fault(tf, (int)verdict, ENTRY_FAULT_OTHER);
	boundary_leave(tf);
}

void entry_user_fault(struct trap_frame *tf, enum entry_fault kind)
{
	boundary_enter();
	user_fault(tf, -NH_EFAULT, kind);
	boundary_leave(tf);
}

/* Why a kernel fault must take the whole system down, or NULL. */
static const char *fatal_reason(const struct hart *h)
{
	if (!h->current || h->current == h->idle)
		return "in the boot or idle context";
	if (h->trap_depth > 1)
		return "in interrupt context";
	if (h->nheld)
		return "with a spinlock held";
	return 0;
}

/* Where the armed fault_catch of the running context lives: the task's
 * (it may migrate while armed), or the hart's before tasks exist. */
static struct fault_catch **catch_slot(struct hart *h)
{
	return h->current ? &h->current->fault_catch : &h->fault_catch;
}

/* End the task a kernel-mode fault happened for: NH_EXIT_KSTACK when its
 * stack overflowed, else NH_EXIT_KILLED (no kernel addresses in the
 * record); the exit code is -NH_EFAULT either way. */
__attribute__((noreturn))
static void kill_for_kernel_fault(const struct hart *h, const struct trap_frame *tf)
{
	struct task_end e = { .reason = NH_EXIT_KILLED, .code = -NH_EFAULT };

	if (oops_stack_overflowed(h, tf))
		e.reason = NH_EXIT_KSTACK;
	kprintf("%soops: killing task %lu [%s]; the system goes on\n", printk_diag(),
		h->current->id, h->current->name);
	boundary_close();
	task_exit_broken(&e);
}

/* A fault no catch takes: oops, then panic or end the task. */
__attribute__((noreturn))
static void kernel_fault_fatal(struct hart *h, struct trap_frame *tf)
{
	const char *why;

	oops_print(tf);
	why = fatal_reason(h);
	if (why)
		panic("fatal kernel fault %s (lock: %s)", why,
		      !h->nheld ? "none" : NH_DEBUG ? h->held[0]->name : "a spinlock");
	kill_for_kernel_fault(h, tf);
}

/* The kernel fault in @tf, inside the bracket (see the head comment). */
static void kernel_fault(struct hart *h, struct trap_frame *tf, uint64_t addr,
			 unsigned access, bool user_access)
{
	struct fault_catch **slot = catch_slot(h), *c = *slot;

	/* A user copy touching a page not yet present, or shared: resolve it
	 * like the user's own access (no lock is held around user copies). */
	if (c && h->trap_depth == 1 && !h->nheld && user_access &&
	    addr < VM_USER_HI && !resolve(h->current, addr, access))
		return;
	*slot = 0;
	if (!c || h->trap_depth != 1 || oops_stack_overflowed(h, tf))
		kernel_fault_fatal(h, tf);
	if (!c->quiet)
		oops_print(tf);
	trap_rewind(tf, c);
}

void entry_kernel_fault(struct trap_frame *tf, uint64_t addr, unsigned access,
			bool user_access)
{
	kernel_fault(boundary_enter(), tf, addr, access, user_access);
	boundary_leave(tf);
}

long fault_catch(long (*fn)(void *), void *arg, struct fault_catch *c)
{
	long r;

	c->fired = false;
	*catch_slot(hart_self()) = c;
	r = fault_catch_call(fn, arg, c);
	*catch_slot(hart_self()) = 0;	/* (maybe another hart by now) */
	return r;
}
