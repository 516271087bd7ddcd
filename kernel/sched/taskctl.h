/*
 * Task control: what one task may do to a user task (the kernel layer a
 * user-level process server builds fork, exec, wait and signals on):
 * create it (optionally suspended), suspend, resume and kill it, read and
 * write its registers while it is stopped, read and change its scheduling
 * parameters, read its accounting, and replace its address space.
 *
 * The user boundary.  Requests are bits in the target's work word
 * (t->work, TASK_WORK_*); the target carries them out itself in
 * taskctl_user_work, which every return to user mode passes through
 * (system-call return, trap return, first entry) whenever a preemption
 * or work is pending.  There its whole user register frame is saved, so
 * a stopped task's registers are exactly its user registers, and the
 * slow return reloads every one of them from the frame (a tracer's
 * writes take effect, s0-s11 included).
 *
 * Restart rule: a stop or kill request wakes a target sleeping
 * interruptibly in a system call with TASK_ERESTART; the dispatcher then
 * backs the pc up to the ecall and restores a0 from the frame's orig_a0,
 * so after a resume the call simply runs again and the program never
 * sees an EINTR.  (A kill ends the task at the same boundary.)  An
 * interrupt (taskctl_interrupt, TASK_WORK_EINTR) is the exception: the
 * sleep ends with -NH_EINTR and the call returns it; the request lives
 * only until the task next passes its user boundary.
 *
 * Targets: user tasks only; a kernel thread gives -NH_EPERM, a dead task
 * -NH_ESRCH.  The caller holds a reference to the target.  Suspending
 * oneself is refused (-NH_EDEADLK: nobody would be left to resume it);
 * killing oneself ends the caller at once.
 *
 * Locks: the work word is atomic; state changes go through sched.c under
 * the target's run-queue lock; the pending space is under t->ctl_lock
 * (RANK_TASKCTL, above the task list, below wait queues).
 */
#ifndef NUTHATCH_TASKCTL_H
#define NUTHATCH_TASKCTL_H

#include <stdbool.h>
#include <stdint.h>

#include <nuthatch/task.h>

#include "core/hart.h"
#include "sched/task.h"

struct trap_frame;
struct vmspace;

/*
 * A new user task in @space (taking over one reference to it), starting
 * at st->pc with sp, a0 and tp from @st, its scheduling parameters from
 * st->sched; with NH_START_SUSPENDED it is STOPPED, never having run,
 * until taskctl_resume; with NH_START_PRIVS_OF its privileges are the
 * creator's within @privs (the caller looked up st->privs_of's).  NULL
 * and *err: -NH_EINVAL (a pc or sp outside the user half, a misaligned
 * pc or sp, unknown flags, bad parameters as for taskctl_set_sched),
 * -NH_ENOMEM.  The caller holds one reference.
 */
struct task *taskctl_create(struct vmspace *space, const struct nh_task_start *st,
			    uint32_t privs, int *err);

/*
 * Stop @t at its user boundary and wait (interruptibly) until it is
 * STOPPED.  0 (also when it was already stopped), -NH_EINTR (the caller
 * was interrupted; the request stays), -TASK_ERESTART (the caller itself
 * is being stopped or killed: a system call returning it restarts),
 * -NH_ESRCH (it died), -NH_EAGAIN (a resume overtook the request),
 * -NH_EDEADLK (@t is the caller).
 */
int taskctl_suspend(struct task *t);

/*
 * Ask @t to stop at its user boundary and return at once (a server must
 * not wait for its client): 0 with the request made; task_info shows
 * STOPPED once it took effect, and task_suspend waits for it.
 * -NH_EDEADLK for the caller itself (nobody would be left to resume it).
 */
int taskctl_request_stop(struct task *t);

/* Let a stopped @t run again; cancels a pending suspend.  0 whether it was
 * stopped or not. */
int taskctl_resume(struct task *t);

/*
 * End @t with NH_EXIT_KILLED (code -NH_EINTR) at its next user boundary:
 * a stopped target is resumed to die, one sleeping interruptibly is woken
 * (a sleep it cannot be woken from ends first).  Does not wait: join it.
 * On the caller itself it does not return.
 */
int taskctl_kill(struct task *t);

/*
 * Abort the blocking system call @t is in, or the next one it blocks in
 * before it returns to user mode: its interruptible sleep (futex_wait,
 * sleep_ns, task_suspend...) ends with -NH_EINTR, which the call returns
 * (no restart; this is what signals need).  A task in user mode, stopped
 * or in an uninterruptible sleep is not affected beyond that: the
 * request is dropped when it next passes its user boundary.  If a stop
 * or kill request woke the sleep first, the call still returns -NH_EINTR
 * instead of restarting.  0, or -NH_EPERM, -NH_ESRCH as for the others.
 */
int taskctl_interrupt(struct task *t);

/*
 * When @t dies, write 0 to the 32-bit word at @uaddr in its address space
 * and wake one futex waiter there (CLONE_CHILD_CLEARTID; the reaper does
 * it before the space is dropped).  @uaddr 0 clears the setting;
 * otherwise it must be 4-byte aligned and in the user half (-NH_EINVAL).
 */
int taskctl_set_clear_tid(struct task *t, uint64_t uaddr);

/* @t's user registers from its frame and t->fp, for a caller that knows
 * they hold still (stopped, or blocked in a call whose reply it holds,
 * and off every hart). */
void taskctl_frame_regs(struct task *t, struct nh_regs *out);

/* Rename @t (exec): @name's first TASK_NAME - 1 bytes, up to a NUL.
 * Readers (diagnostics) take no lock and may see a mix of the two names,
 * never an unterminated one. */
int taskctl_set_name(struct task *t, const char *name, size_t len);

/* The user registers of stopped @t: x[0] = pc, x1..x31, f0-f31, fcsr.
 * -NH_EBUSY if it is not stopped. */
int taskctl_get_regs(struct task *t, struct nh_regs *out);

/* Set them (they take effect when it runs again).  -NH_EBUSY if it is
 * not stopped, -NH_EINVAL for a pc outside the user half or odd. */
int taskctl_set_regs(struct task *t, const struct nh_regs *in);

/* Scheduling parameters: class, fixed priority or nice, allowed harts
 * (0: all). */
int taskctl_get_sched(struct task *t, struct nh_sched *out);

/* Change them, also for a running task (it moves to an allowed hart at
 * its next switch).  -NH_EINVAL: unknown class, priority outside 0..63,
 * nice outside -20..19, a hart mask with no online hart. */
int taskctl_set_sched(struct task *t, const struct nh_sched *in);

/* Id, state, hart, times and switches (a racy snapshot: fields may be
 * from slightly different moments).  Works on dead tasks too. */
int taskctl_info(struct task *t, struct nh_task_info *out);

/*
 * At its next return to user mode, @t leaves its address space for @space
 * (taking over one reference to it) and starts at @pc with sp = @sp,
 * every other register 0 and fresh FP state, keeping its identity and
 * accounting.  Works on a running, a stopped (at its resume) or the
 * calling task (exec: at the end of the current system call).  The old
 * space's reference is dropped once the task no longer runs on it.  A
 * second call before the first took effect replaces it.  -NH_EINVAL: pc
 * or sp outside the user half, odd pc, no space; -NH_ESRCH: it is dead
 * or exiting.
 */
int taskctl_replace_space(struct task *t, struct vmspace *space, uint64_t pc,
			  uint64_t sp);

/* The user-boundary work loop (see above) of the calling user task, on
 * its user frame (task_user_frame).  Interrupts off on entry and exit;
 * may switch, stop, or end the task. */
void taskctl_user_work(void);

/*
 * On every return to user mode, interrupts off: the cheap check.  True
 * when it went through taskctl_user_work, so every register must come
 * back from the frame.
 */
static inline bool taskctl_user_return(void)
{
	struct hart *h = hart_self();

	if (!__atomic_load_n(&h->current->work, __ATOMIC_RELAXED) &&
	    !__atomic_load_n(&h->need_resched, __ATOMIC_RELAXED))
		return false;
	taskctl_user_work();
	return true;
}

#endif
