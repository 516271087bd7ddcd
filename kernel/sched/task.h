/*
 * Tasks: the kernel's unit of execution (the process descriptor's kernel
 * half; POSIX processes, zombies and PIDs belong to the process server).
 *
 * States and the only transitions allowed (task_set_state checks them,
 * under the run-queue lock of the task's hart):
 *
 *   READY --pick--> RUNNING --yield/preempt--> READY
 *   RUNNING --sleep--> SLEEPING / SLEEPING_UNINTR --wake/timeout--> READY
 *   SLEEPING --interrupt--> READY   (the sleep returns -NH_EINTR)
 *   SLEEPING --direct switch--> RUNNING   (IPC's fast path, sched.h)
 *   RUNNING / READY / sleeping --stop--> STOPPED --continue--> READY
 *   RUNNING --exit or fatal fault--> DEAD
 *
 * A dead task gives back its stack at once (the reaper, after it is off
 * the hart), while its small object, holding the exit record, lives until
 * the last reference is dropped (task_put).  A task is created with two
 * references: the creator's and the scheduler's (dropped by the reaper).
 *
 * User tasks also carry a work word (TASK_WORK_*): requests from task
 * control (taskctl.c) that the task carries out itself at its user
 * boundary, the moment it would return to user mode with its whole user
 * register frame saved.
 *
 * Field legend: [I] immutable after creation; [r] run-queue lock of the
 * task's hart (t->hart itself changes only under the lock of the hart it
 * leaves, so lock_task_rq() locks, re-checks and retries); [w] the wait
 * queue it sleeps on; [T] tasks_lock; [a] atomic; [s] the task itself
 * while running; [c] ctl_lock.
 */
#ifndef NUTHATCH_TASK_H
#define NUTHATCH_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include <nuthatch/errno.h>
#include <nuthatch/task.h>

#include "arch/riscv/arch.h"
#include "arch/riscv/trap.h"
#include "core/hart.h"
#include "ipc/ipc.h"
#include "lib/list.h"
#include "sched/sched.h"
#include "sched/waitq.h"

#define TASK_NAME	16
#define KSTACK_SIZE	16384		/* 4 frames, vmapped */
#define KSTACK_PAGES	(KSTACK_SIZE / 4096)

enum task_state {
	TASK_READY,
	TASK_RUNNING,
	TASK_SLEEPING,		/* interruptible */
	TASK_SLEEPING_UNINTR,
	TASK_STOPPED,
	TASK_DEAD,
};

/* User-boundary work (t->work): taskctl sets a bit, the task acts on it
 * before it next returns to user mode (taskctl_user_work). */
#define TASK_WORK_STOP		1ull	/* become STOPPED (until resumed) */
#define TASK_WORK_KILL		2ull	/* end with NH_EXIT_KILLED */
#define TASK_WORK_SPACE		4ull	/* switch to new_space, reset registers */
#define TASK_WORK_EINTR		8ull	/* abort the blocking call in progress
					   with -NH_EINTR (taskctl_interrupt);
					   cleared at the user boundary */
#define TASK_WORK_INTR		(TASK_WORK_STOP | TASK_WORK_KILL | TASK_WORK_EINTR)
					/* these interrupt an interruptible sleep:
					   with -NH_EINTR if TASK_WORK_EINTR is
					   among them, else -TASK_ERESTART */

/*
 * Kernel-internal: what a system call returns when a stop or kill request
 * interrupted its sleep.  The dispatcher backs the pc up to the ecall and
 * puts the original a0 back, so the call runs again after a resume and
 * the program never sees it.  Never reaches user mode.
 */
#define TASK_ERESTART		512

/* What an interruptible sleep returns when work @w interrupts it. */
static inline int task_work_sleep_result(uint64_t w)
{
	return (w & TASK_WORK_EINTR) ? -NH_EINTR : -TASK_ERESTART;
}

/*
 * How a task ended: struct nh_exit (nuthatch/task.h) without the times,
 * which task_exit_record adds.  (Not struct nh_exit itself: the test
 * family's nuthatch/testabi.h still defines a struct of that name, and
 * testcalls.c includes both until test_wait moves to handles.)
 */
struct task_end {
	int32_t reason;			/* NH_EXIT_* */
	int64_t code;			/* exit status (NORMAL), else -NH_E* */
	uint64_t cause, addr, pc;	/* FAULT, OOM */
};

struct kstack {
	uintptr_t lo, hi;		/* [I] the mapped 16 KiB */
	unsigned slot;			/* [I] index in the stack area; ~0: static */
	uint64_t frames[KSTACK_PAGES];	/* [I] */
};

struct task {
	struct list_node rq_node;	/* [r] run queue */
	struct list_node sleep_node;	/* [r] the hart's deadline queue */
	struct list_node wait_node;	/* [w] a wait queue */
	struct list_node all_node;	/* [T] every live task */
	struct list_node reap_node;	/* the reaper queue's lock */
	struct context ctx;		/* [s] saved while not running */
	uint64_t id;			/* [I] never reused */
	char name[TASK_NAME];		/* [c] written by taskctl_set_name;
					   read without a lock (taskctl.h) */
	bool kernel;			/* [I] no user address space */
	uint32_t privs;			/* [a] NH_PRIV_*: its creator's at
					   first, then only lowered or set
					   by a holder (taskctl_set_privs) */
	enum task_state state;		/* [r] */
	bool stop_pending;		/* [r] */
	enum sched_class cls;		/* [r] */
	int prio;			/* [r] fixed class: 0..63 */
	int nice;			/* [r] fair class: -20..19 */
	uint32_t weight;		/* [r] from nice */
	uint32_t inv_weight;		/* [r] 2^32 / weight */
	uint64_t vruntime;		/* [r] ns scaled by weight */
	uint64_t allowed;		/* [r] hart indices it may run on */
	unsigned hart;			/* [r] index of its run queue */
	struct vmspace *space;		/* [s][c] NULL for kernel threads; changes
					   only at its own user boundary and as
					   it exits (others read it under ctl_lock) */
	struct handle_table *handles;	/* [I] NULL for kernel threads; perhaps
					   shared; left as it exits (the last
					   task closes it), freed with the last
					   task object naming it */
	bool handles_left;		/* it has left its table (handle_table_leave) */
	uint64_t work;			/* [a] TASK_WORK_* */
	uint64_t clear_tid;		/* [a] user address: 0 written and a
					   futex waiter woken there as it
					   exits; 0: none */
	bool user_parked;		/* [r] preempted at its user boundary */
	struct spinlock ctl_lock;	/* the pending space below, exiting */
	bool exiting;			/* [c] giving back what it holds: no new
					   space is taken for it */
	struct vmspace *new_space;	/* [c] TASK_WORK_SPACE: the next space */
	uint64_t new_pc, new_sp;	/* [c] and where it starts in it */
	struct ipc_task ipc;		/* IPC state: its diagram and field tags
					   are in ipc.h */
	struct fpstate fp;		/* [s] user FP registers while off the hart */
	unsigned fp_hart;		/* [s] hart index + 1 whose registers hold
					   fp (if its fp_owner is us), else 0 */
	bool faulted;			/* [I] once DEAD: a user fault ended it */
	uint64_t fault_cause, fault_addr, fault_pc;	/* [I] likewise */
	struct kstack stack;		/* [I] */
	uint64_t stack_flush;		/* [a] harts that must fence its stack */
	uint64_t wake_at;		/* [r] deadline, 0 if none */
	int wake_result;		/* [r] what the sleep returns */
	uint64_t last_ticks;		/* [r] timer at the last account */
	uint64_t utime_ns, stime_ns;	/* [r] */
	uint64_t nvcsw, nivcsw;		/* [r] voluntary, involuntary switches */
	uint32_t stack_hwm;		/* bytes of stack ever used, to 128 (at exit) */
	int refs;			/* [a] */
	int exit_code;			/* [I] once DEAD */
	struct task_end exit_rec;	/* [I] once DEAD */
	bool reaped;			/* [a] stack given back */
	struct waitq exit_wq;		/* joiners, and suspenders waiting
					   for it to stop */
	struct fault_catch *fault_catch; /* [s] armed expected-fault recovery */
	void (*fn)(void *);		/* [I] */
	void *arg;			/* [I] */
};

struct fault_catch;

struct task_attr {
	enum sched_class cls;
	int prio;		/* fixed */
	int nice;		/* fair */
	uint64_t allowed;	/* 0: every hart */
};

/* Set up the task cache and the reaper; adopt the boot thread as idle. */
void task_init_boot(struct hart *h, uintptr_t stack_lo, uintptr_t stack_hi);

/*
 * A new kernel thread running fn(arg), ready to run, or an error:
 * -NH_ENOMEM, -NH_EINVAL (bad class, priority, nice or harts).  The caller
 * holds one reference (task_put, or task_join which drops it).
 */
struct task *kthread_create(const char *name, void (*fn)(void *), void *arg,
			    const struct task_attr *attr, int *err);

/*
 * A new user task in @u (taking over one reference to it, dropped when it
 * dies), with an empty handle table, starting at @entry with the stack
 * pointer @usp and a0 = @arg.  Errors as for kthread_create.  A fault in
 * user mode ends it with -NH_EFAULT.
 */
struct task *utask_create(const char *name, struct vmspace *u, uint64_t entry,
			  uint64_t usp, uint64_t arg, const struct task_attr *attr,
			  int *err);

/* Where a user task starts (utask_create_with). */
struct utask_start {
	uint64_t pc, sp, a0, tp;
	struct handle_table *share;	/* NULL, or the table it shares */
	bool suspended;		/* start STOPPED, never having run */
	bool privs_given;	/* privs below, not the creator's */
	uint32_t privs;
};

/*
 * utask_create with every start register, optionally created STOPPED
 * (it runs once resumed: sched_continue).  The user frame is built here,
 * so a tracer can read or set a suspended task's registers before it
 * ever runs.
 */
struct task *utask_create_with(const char *name, struct vmspace *u,
			       const struct utask_start *s,
			       const struct task_attr *attr, int *err);

/* The idle task of a hart (not on any run queue, never exits). */
struct task *task_create_idle(unsigned hart_index, int *err);

/* Whether the calling task holds every privilege in @need (NH_PRIV_*). */
#define task_privileged(need) \
	((__atomic_load_n(&task_current()->privs, __ATOMIC_RELAXED) & (need)) == (need))

/* The calling task. */
static inline struct task *task_current(void)
{
	return hart_self()->current;
}

/* Exit the calling task with @code (NH_EXIT_NORMAL).  Never returns. */
__attribute__((noreturn)) void task_exit(int code);

/* Exit the calling task with the exit record @e (its code also becomes
 * the exit code task_join returns).  Never returns. */
__attribute__((noreturn)) void task_exit_as(const struct task_end *e);

/* The same for a task a kernel fault ends: it gives nothing back itself
 * (its kernel state is suspect); the reaper does. */
__attribute__((noreturn)) void task_exit_broken(const struct task_end *e);

/* End the calling task for want of memory while handling the fault
 * @cause at @addr, @pc (NH_EXIT_OOM, code -NH_ENOMEM).  Never returns. */
__attribute__((noreturn)) void task_exit_oom(uint64_t cause, uint64_t addr,
					     uint64_t pc);

/* The exit record of dead @t, with its user and system time. */
struct nh_exit;
void task_exit_record(struct task *t, struct nh_exit *out);

/* The user register frame of user task @t (at the top of its kernel
 * stack), reached through the direct map so any hart may read it. */
struct trap_frame *task_user_frame(struct task *t);

#define TRAP_FRAME_SIZE	sizeof(struct trap_frame)

/* The calling user task's own frame, through its own stack mapping. */
static inline struct trap_frame *task_user_frame_self(void)
{
	return (struct trap_frame *)(hart_self()->kstack_hi - TRAP_FRAME_SIZE);
}

/* @t's user frame through its stack mapping, for a hart that has fenced
 * that stack: the hart running @t or switching to it. */
static inline struct trap_frame *task_user_frame_mapped(const struct task *t)
{
	return (struct trap_frame *)(t->stack.hi - TRAP_FRAME_SIZE);
}

/* Wait until @t is dead and reaped, drop the caller's reference, and
 * return its exit code. */
int task_join(struct task *t);

/* Wait until @t is dead and reaped (its exit record final, its handles
 * closed); the caller's reference stays. */
void task_wait_reaped(struct task *t);

/* The same for a user task's system call: a kill or stop request ends
 * the wait (-TASK_ERESTART: the call runs again after a stop), as does
 * task_interrupt (-NH_EINTR); 0 once @t is reaped. */
int task_wait_reaped_interruptible(struct task *t);

void task_get(struct task *t);
void task_put(struct task *t);

extern const uint8_t task_legal[];
__attribute__((noreturn)) void task_bad_transition(struct task *t,
						   enum task_state s);

/* Change the state, checking the transition.  Run-queue lock held. */
static inline void task_set_state(struct task *t, enum task_state s)
{
	if (t->state != s && !(task_legal[t->state] & (1u << s)))
		task_bad_transition(t, s);
	t->state = s;
}
const char *task_state_name(enum task_state s);

/* Live tasks (created, not yet freed), and a listing ("[name]" for kernel threads). */
unsigned task_count(void);
void task_list_print(void);
/* @fn on every live task, under the task list's lock (so @fn takes no
 * lock ranked below it and never sleeps): for the test counters. */
void task_for_each(void (*fn)(struct task *t, void *ctx), void *ctx);

/* A dead task is off its hart (the next task there calls this, with
 * interrupts off): its stack back and its waiters woken now, if it gave
 * back all else as it exited and the stack cache has room, else queued
 * for the reaper. */
void task_dead_off_hart(struct task *t);

/* Give a dead task's stack, address space and handles back (the reaper
 * calls this); what it gave back as it exited is not there any more. */
void task_release_stack(struct task *t);

/* Wait until the reaper has nothing queued (leak checks settle on it). */
void task_reaper_settle(void);

#endif
