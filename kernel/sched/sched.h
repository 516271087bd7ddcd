/*
 * The scheduler: per-hart run queues, two classes, preemption.
 *
 * Classes, in order: fixed priority (SCHED_FIXED, 0..63, higher runs
 * first, round-robin within a level at each tick) for servers and drivers,
 * above the fair class (SCHED_FAIR: nice -20..19 mapped to weights,
 * ordered by virtual runtime, which grows by real time scaled by
 * NICE0_WEIGHT / weight).  A hart runs its idle task only when both are
 * empty.
 *
 * Preemption model: the kernel is preemptible wherever interrupts are
 * enabled.  Every spinlock disables interrupts, so a preempted context
 * never holds one.  The tick (and a wake-up IPI) sets need_resched; the
 * trap exit path then calls schedule() when the interrupted context had
 * interrupts enabled.  Code that runs with interrupts off is preempted at
 * its next schedule() or interrupt-enabled point.
 *
 * Each run queue has its own lock (RANK_RQ); no code holds two at once:
 * stealing and migration take the victim's, drop it, then take their own.
 */
#ifndef NUTHATCH_SCHED_H
#define NUTHATCH_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/list.h"
#include "core/spinlock.h"

#define SCHED_FIXED_PRIOS	64
#define NICE_MIN		(-20)
#define NICE_MAX		19
#define NICE0_WEIGHT		1024

enum sched_class {
	SCHED_FAIR,
	SCHED_FIXED,
};

struct runqueue {
	struct spinlock lock;		/* protects everything below */
	struct list_node fixed[SCHED_FIXED_PRIOS];
	uint64_t fixed_mask;		/* bit p: fixed[p] not empty */
	struct list_node fair;		/* ready fair tasks by vruntime */
	struct list_node sleepers;	/* tasks with a deadline, by wake_at */
	uint64_t min_vruntime;		/* never decreases */
	unsigned nready;		/* tasks on fixed[] and fair */
	uint64_t switches;
};

struct hart;
struct task;

/* Weight of a nice value (1024 at nice 0, x1.25 per step). */
uint32_t sched_nice_weight(int nice);

/* Prepare @h's run queue; @idle becomes its current task. */
void sched_init_hart(struct hart *h, struct task *idle);

/* Make a new task runnable, on a hart it may run on. */
void sched_start(struct task *t);

/*
 * Give up the hart.  If the current task is still RUNNING it stays
 * runnable (a yield); if it set itself to a sleeping state it sleeps.
 */
void schedule(void);
void sched_yield(void);

/* From the trap path: preempt if asked to and the context allows. */
void sched_trap_exit(bool interrupted_with_irqs_on);

/* At the user boundary, on the way back to user mode (interrupts off):
 * switch if a preemption is due.  While it waits on the run queue the
 * task is "parked" there, so a stop request can stop it without it
 * running first (sched_notify_work). */
void sched_user_return(void);

/* At the user boundary: if the calling task's TASK_WORK_STOP is still
 * set, make it STOPPED (it still runs until it calls schedule(), but
 * task control may read and write its frame from now on).  True if so. */
bool sched_stop_current(void);

/*
 * Task control set work on user task @t (t->work): get it to its user
 * boundary soon.  An interruptible sleep is woken (with TASK_ERESTART:
 * the call restarts after it), the hart it runs on is interrupted, and a
 * task parked at its boundary with only a stop asked is stopped here.
 * True if it was stopped here.
 */
bool sched_notify_work(struct task *t);

/* Start a new task STOPPED, never having run: sched_continue runs it. */
void sched_start_stopped(struct task *t);

/* The calling user task runs in @u from now on: its root is installed on
 * this hart (and fence.i run if code was loaded since the last one). */
struct vmspace;
void sched_switch_space(struct vmspace *u);

/*
 * The timer interrupt on this hart: accounting, expiring sleeps, and at a
 * @tick the preemption decision.  Returns the earliest remaining sleeper
 * deadline (ns), 0 if none.
 */
uint64_t sched_timer(bool tick);

/*
 * Wake @t if it sleeps (interruptibly, or also uninterruptibly when
 * @uninterruptible_too); its sleep returns @result.  True if it woke.
 */
bool sched_wake(struct task *t, int result, bool uninterruptible_too);

/* Make the calling task DEAD and switch away for good. */
__attribute__((noreturn)) void sched_exit(void);

/*
 * Mark the calling task asleep in @state (TASK_SLEEPING or
 * TASK_SLEEPING_UNINTR) until woken or until clock_ns() >= @deadline
 * (0: none); the caller then calls schedule() and reads wake_result.
 * sched_sleep does both.  Returns 0 (woken), -NH_EINTR or -NH_ETIMEDOUT.
 */
void sched_prepare_sleep(int state, uint64_t deadline);
int sched_sleep(int state, uint64_t deadline);

/*
 * A wake-up that should preempt the current task on this hart normally
 * raises a software interrupt, taken once interrupts are on again (a trap
 * and its frame).  Code that wakes under a lock it took with interrupts
 * off can defer that instead: sched_defer_kick() while holding it,
 * spin_unlock (interrupts still off), then sched_kick_point(f) with the
 * flags the lock saved: it switches right there if this is task context
 * with interrupts on in @f and no lock held, else raises the interrupt
 * after all; then restores @f.
 */
void sched_defer_kick(void);
void sched_kick_point(irqflags_t f);

/*
 * Continuations.  A user task blocked in a system call needs nothing of
 * its kernel stack but its user frame at the top, if what remains of the
 * call can be written as a function: @cont, which returns the call's
 * result.  sched_block is schedule() for such a task, after
 * sched_prepare_sleep: it abandons the stack and never returns; when the
 * task next runs, on any hart, it starts afresh at the top of its stack in
 * entry_syscall_resume, which runs @cont and finishes the call
 * (arch_resume_trampoline, trap.S).  No lock may be held.
 */
__attribute__((noreturn)) void sched_block(long (*cont)(void));

/*
 * Direct switches, for IPC's fast path (ipc_fast.c): the current task,
 * in a system call with interrupts off, goes to sleep with continuation
 * @cont and @next, asleep with a continuation of its own, runs on this
 * hart at once: no run queue, no register switch; the caller returns to
 * user mode through @next's frame.
 *
 * sched_direct_try locks this hart's run queue (taken after endpoint
 * locks) and checks under it whether @next may run here now in the
 * current task's place: it sleeps interruptibly on this hart, may run
 * here, is not being stopped and has no user-boundary work pending (it
 * returns to user mode without that check; work requested later reaches
 * it by IPI, as for any running task), the current task has no
 * interrupting work pending, and no ready task would be picked before it (fixed: none above
 * its priority; fair: no fixed task ready; the caller gives it the rest
 * of its turn).  It returns the hart, still locked, or NULL (unlocked).
 * sched_direct_switch does the switch, keeping the lock; trap.S releases
 * it with sched_direct_unlock once it runs on @next's stack (until then
 * nobody may resume the task that left).
 */
struct hart *sched_direct_try(const struct task *next);
void sched_direct_switch(struct hart *h, struct task *next, long (*cont)(void));
void sched_direct_unlock(void);

/*
 * Lazy FP (sched.c): sched_fp_save puts the calling task's FP registers
 * in t->fp if they are its and changed (before a tracer may read them);
 * sched_fp_forget makes the next FP use of @t load t->fp afresh (after a
 * tracer or exec wrote it); sched_fp_first_use takes an illegal-
 * instruction trap from user mode (interrupts off): true if it was the
 * first FP instruction since the task came to the hart, now loaded (run
 * it again), false if it is illegal indeed.
 */
struct trap_frame;
void sched_fp_save(struct task *t);
void sched_fp_forget(struct task *t);
bool sched_fp_first_use(struct trap_frame *tf);

/* Is @t off every hart (not current anywhere)?  Under its run queue's
 * lock, so everything its last switch saved (t->fp) is visible. */
bool sched_off_cpu(struct task *t);

/* Stop a task (it leaves the run queue) and let it continue. */
int sched_stop(struct task *t);
int sched_continue(struct task *t);

/* Restrict @t to the harts in @mask (dense indices).  -NH_EINVAL if none online. */
int sched_set_affinity(struct task *t, uint64_t mask);

/* Move @t between classes; the fixed priority or nice is checked. */
int sched_set_fixed(struct task *t, int prio);
int sched_set_nice(struct task *t, int nice);

/* The idle loop of the calling hart: steal work or wfi.  Never returns. */
__attribute__((noreturn)) void sched_idle(void);

/* Called first by a task that was switched to (releases the run queue). */
void sched_finish_switch(void);

#endif
