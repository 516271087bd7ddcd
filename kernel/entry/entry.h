/*
 * The entry layer: where every trap lands once the arch layer has decoded
 * it (arch/riscv/trap.S and trap.c call exactly these, through the seam
 * kernel/LAYERS names), and the policy behind each kind: system calls,
 * page faults, other user faults, kernel faults, interrupts.  The return
 * to user mode passes task control's boundary check (taskctl.h) on the
 * way out.  Everything a function needs arrives in its arguments: no
 * per-hart field carries a half-handled trap between the layers.
 */
#ifndef NUTHATCH_ENTRY_H
#define NUTHATCH_ENTRY_H

#include <stdbool.h>
#include <stdint.h>

struct trap_frame;

/* The interrupts trap decode tells apart. */
enum entry_irq {
	ENTRY_IRQ_TIMER,
	ENTRY_IRQ_IPI,		/* another hart's software interrupt */
	ENTRY_IRQ_EXTERNAL,	/* the interrupt controller's */
	ENTRY_IRQ_UNKNOWN,	/* a cause no handler exists for: panic */
};

/* What an exception other than a system call or page fault is. */
enum entry_fault {
	ENTRY_FAULT_ILLEGAL_INSN,	/* maybe the first FP use (lazy FP) */
	ENTRY_FAULT_OTHER,
};

/*
 * System calls (entry/syscall.c).  trap.S's system-call path, interrupts
 * off, on the task's kernel stack (IPC's fast path was tried first,
 * ipc_fast.c): dispatch in task context with interrupts on, then the
 * user boundary with them off.  Returns 0 when nothing happened there
 * (s0-s11 are still the user's), non-zero when trap.S must reload every
 * register from the frame.
 */
int entry_syscall(struct trap_frame *tf);

/*
 * Where a task blocked with a continuation (sched_block) resumes, on its
 * own stack below @tf: release the switch, run @cont (what remained of
 * the call; its result), finish the call as entry_syscall does, and pass
 * the user boundary.  trap.S then returns through @tf.
 */
void entry_syscall_resume(struct trap_frame *tf, long (*cont)(void));

/*
 * A page fault from user mode at @addr wanting @access (NH_PROT_READ,
 * _WRITE or _EXEC), on trap.S's fast way: only the registers C may
 * clobber are in the frame yet.  Resolves it (zero-fill, COW, upgrade)
 * and returns 0 when the task may go straight back.  Anything else is a
 * verdict for entry_user_page_fault_finish, which trap.S calls with it
 * once s0-s11 are in the frame too: a negative error (the fault stands),
 * or 1 (resolved, but work waits at the user boundary).
 */
long entry_user_page_fault(uint64_t addr, unsigned access);
void entry_user_page_fault_finish(struct trap_frame *tf, long verdict);

/*
 * Any other exception from user mode (the whole frame is saved): the
 * first FP use is loaded, a fault handler bound by ipc_bind_events may
 * resolve it; otherwise the task ends with a fault record (and nothing
 * else does).
 */
void entry_user_fault(struct trap_frame *tf, enum entry_fault kind);

/*
 * An exception in kernel mode at @addr (@access as above for a page
 * fault, else 0; @user_access: user memory was open to the kernel).  A
 * user copy's fault on a page not yet present is resolved; an armed
 * fault_catch rewinds; otherwise an oops, and the task that caused it
 * ends, or, where no task can be blamed, the system panics.
 */
void entry_kernel_fault(struct trap_frame *tf, uint64_t addr, unsigned access,
			bool user_access);

/* An interrupt, from either mode (entry/interrupt.c). */
void entry_interrupt(struct trap_frame *tf, enum entry_irq irq);

#endif
