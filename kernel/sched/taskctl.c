/*
 * Task control (see taskctl.h for the model: work bits carried out by the
 * target at its user boundary, the restart rule, who may be a target).
 * Each entry point validates everything first, then acts; the acting
 * part cannot fail.  Relies on sched.c for every state change and on
 * task.c for the user frame and exit records.
 */
#include "sched/taskctl.h"

#include <nuthatch/errno.h>

#include "arch/riscv/trap.h"
#include "ipc/futex.h"
#include "core/hart.h"
#include "lib/kstring.h"
#include "sched/sched.h"
#include "mm/uaccess.h"
#include "mm/vm.h"
#include "obj/handle.h"
#include "sched/waitq.h"

#define FCSR_MASK	0xffu	/* frm and fflags */

/* ---- validation ---------------------------------------------------------- */

static int check_target(const struct task *t)
{
	if (!t || t->kernel)
		return -NH_EPERM;
	return t->state == TASK_DEAD ? -NH_ESRCH : 0;
}

static int check_stopped(const struct task *t)
{
	int err = check_target(t);

	if (err)
		return err;
	return t->state == TASK_STOPPED ? 0 : -NH_EBUSY;
}

/* A user code address: inside the user half, 2-byte aligned (RVC). */
static bool user_pc_ok(uint64_t pc)
{
	return uaccess_range_ok(pc, 2) && !(pc & 1);
}

/* A start's stack pointer: in user space, 16-byte aligned (the psABI's). */
static bool user_sp_ok(uint64_t sp)
{
	return sp > 0 && sp <= USER_TOP && !(sp & 15);
}

/* nh_sched -> task_attr, or -NH_EINVAL. */
static int check_sched(const struct nh_sched *s, struct task_attr *a)
{
	a->allowed = s->allowed;
	a->prio = 0;
	a->nice = 0;
	if (s->cls == NH_SCHED_FIXED) {
		a->cls = SCHED_FIXED;
		a->prio = s->prio;
		if (s->prio < 0 || s->prio >= SCHED_FIXED_PRIOS)
			return -NH_EINVAL;
	} else if (s->cls == NH_SCHED_FAIR) {
		a->cls = SCHED_FAIR;
		a->nice = s->nice;
		if (s->nice < NICE_MIN || s->nice > NICE_MAX)
			return -NH_EINVAL;
	} else {
		return -NH_EINVAL;
	}
	if (s->allowed && !(s->allowed & hart_online_mask()))
		return -NH_EINVAL;
	return 0;
}

static int check_start(const struct nh_task_start *st, struct task_attr *a)
{
	if (!user_pc_ok(st->pc) || !user_sp_ok(st->sp) ||
	    (st->flags & ~(uint32_t)(NH_START_SUSPENDED | NH_START_PRIVS_OF |
				     NH_START_SHARE_HANDLES)))
		return -NH_EINVAL;
	return check_sched(&st->sched, a);
}

/* ---- creating ------------------------------------------------------------ */

struct task *taskctl_create(struct vmspace *space, const struct nh_task_start *st,
			    uint32_t privs, int *err)
{
	struct utask_start s = { .pc = st->pc, .sp = st->sp, .a0 = st->a0,
				 .tp = st->tp,
				 .suspended = st->flags & NH_START_SUSPENDED,
				 .privs_given = st->flags & NH_START_PRIVS_OF,
				 .privs = privs,
				 .share = st->flags & NH_START_SHARE_HANDLES ?
					  task_current()->handles : 0 };
	struct task_attr a;

	*err = space ? check_start(st, &a) : -NH_EINVAL;
	if (*err)
		return 0;
	return utask_create_with(st->name[0] ? st->name : "user", space, &s, &a,
				 err);
}

/* ---- suspend, resume, kill ------------------------------------------------ */

static void request(struct task *t, uint64_t bits)
{
	__atomic_fetch_or(&t->work, bits, __ATOMIC_ACQ_REL);
}

static uint64_t work_of(const struct task *t)
{
	return __atomic_load_n(&t->work, __ATOMIC_ACQUIRE);
}

/* For suspenders: stopped, gone, or no longer asked to stop. */
static bool suspend_settled(void *arg)
{
	struct task *t = arg;

	return t->state == TASK_STOPPED || t->reaped ||
	       !(work_of(t) & TASK_WORK_STOP);
}

int taskctl_suspend(struct task *t)
{
	int err = check_target(t);

	if (err)
		return err;
	if (t == task_current())
		return -NH_EDEADLK;
	request(t, TASK_WORK_STOP);
	if (sched_notify_work(t))
		waitq_wake_all(&t->exit_wq);	/* other suspenders */
	err = waitq_wait(&t->exit_wq, true, 0, suspend_settled, t);
	if (err)
		return err;	/* -NH_EINTR, or -TASK_ERESTART for the caller */
	if (t->state == TASK_STOPPED)
		return 0;
	return t->reaped || t->state == TASK_DEAD ? -NH_ESRCH : -NH_EAGAIN;
}

int taskctl_request_stop(struct task *t)
{
	int err = check_target(t);

	if (err)
		return err;
	if (t == task_current())
		return -NH_EDEADLK;	/* nobody would be left to resume it */
	request(t, TASK_WORK_STOP);
	if (sched_notify_work(t))
		waitq_wake_all(&t->exit_wq);	/* suspenders see the request */
	return 0;
}

int taskctl_resume(struct task *t)
{
	int err = check_target(t);

	if (err)
		return err;
	__atomic_fetch_and(&t->work, ~TASK_WORK_STOP, __ATOMIC_ACQ_REL);
	sched_continue(t);	/* (a no-op unless it is stopped) */
	waitq_wake_all(&t->exit_wq);	/* suspenders it overtook */
	return 0;
}

/* The calling task, at its boundary or asking for it: killed. */
__attribute__((noreturn)) static void die_killed(void)
{
	struct task_end e = { .reason = NH_EXIT_KILLED, .code = -NH_EINTR };

	task_exit_as(&e);
}

int taskctl_kill(struct task *t)
{
	int err = check_target(t);

	if (err)
		return err;
	if (t == task_current())
		die_killed();
	request(t, TASK_WORK_KILL);
	sched_notify_work(t);
	sched_continue(t);	/* a stopped one runs to its end */
	return 0;
}

int taskctl_interrupt(struct task *t)
{
	int err = check_target(t);

	if (err)
		return err;
	request(t, TASK_WORK_EINTR);
	sched_notify_work(t);
	return 0;
}

int taskctl_set_clear_tid(struct task *t, uint64_t uaddr)
{
	int err = check_target(t);

	if (!err && uaddr && futex_check_addr(uaddr))
		err = -NH_EINVAL;
	if (err)
		return err;
	__atomic_store_n(&t->clear_tid, uaddr, __ATOMIC_RELEASE);
	return 0;
}

int taskctl_set_name(struct task *t, const char *name, size_t len)
{
	int err = check_target(t);
	irqflags_t f;
	size_t i;

	if (err)
		return err;
	f = spin_lock_irqsave(&t->ctl_lock);	/* one renamer at a time */
	for (i = 0; i < len && i < TASK_NAME - 1 && name[i]; i++)
		__atomic_store_n(&t->name[i], name[i], __ATOMIC_RELAXED);
	for (; i < TASK_NAME - 1; i++)
		__atomic_store_n(&t->name[i], 0, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&t->ctl_lock, f);
	return 0;
}

/* ---- registers -------------------------------------------------------------- */

void taskctl_frame_regs(struct task *t, struct nh_regs *out)
{
	const struct trap_frame *tf = task_user_frame(t);

	bool call = trap_is_syscall(tf);

	memcpy(out->x, tf->regs, sizeof(out->x));	/* x[0] is the pc */
	memcpy(out->f, t->fp.f, sizeof(out->f));
	out->fcsr = t->fp.fcsr;
	out->flags = call ? NH_REGS_SYSCALL : 0;
	out->pad = 0;
	out->orig_a0 = call ? tf->orig_a0 : 0;
}

int taskctl_get_regs(struct task *t, struct nh_regs *out)
{
	int err = check_stopped(t);

	if (!err)
		taskctl_frame_regs(t, out);
	return err;
}

int taskctl_set_regs(struct task *t, const struct nh_regs *in)
{
	int err = check_stopped(t);
	struct trap_frame *tf;

	if (!err && !user_pc_ok(in->x[0]))
		err = -NH_EINVAL;
	if (err)
		return err;
	ipc_cancel_restart(t);
	tf = task_user_frame(t);
	memcpy(tf->regs, in->x, sizeof(tf->regs));
	memcpy(t->fp.f, in->f, sizeof(t->fp.f));
	t->fp.fcsr = (uint32_t)(in->fcsr & FCSR_MASK);
	sched_fp_forget(t);	/* its registers on some hart are stale now */
	return 0;
}

/* ---- scheduling and accounting ---------------------------------------------- */

int taskctl_get_sched(struct task *t, struct nh_sched *out)
{
	int err = check_target(t);

	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	out->cls = t->cls == SCHED_FIXED ? NH_SCHED_FIXED : NH_SCHED_FAIR;
	out->prio = t->cls == SCHED_FIXED ? t->prio : 0;
	out->nice = t->nice;
	out->allowed = t->allowed == ~0ull ? 0 : t->allowed;
	return 0;
}

int taskctl_set_sched(struct task *t, const struct nh_sched *in)
{
	struct task_attr a;
	int err = check_target(t);

	if (!err)
		err = check_sched(in, &a);
	if (err)
		return err;
	/* Checked above: neither call can fail now. */
	if (a.cls == SCHED_FIXED)
		sched_set_fixed(t, a.prio);
	else
		sched_set_nice(t, a.nice);
	sched_set_affinity(t, a.allowed ? a.allowed : ~0ull);
	return 0;
}

int taskctl_info(struct task *t, struct nh_task_info *out)
{
	if (!t || t->kernel)
		return -NH_EPERM;
	memset(out, 0, sizeof(*out));
	out->id = t->id;
	out->state = (uint32_t)t->state;	/* NH_TASK_* has the same order */
	out->hart = t->hart;
	out->utime_ns = t->utime_ns;
	out->stime_ns = t->stime_ns;
	out->nvcsw = t->nvcsw;
	out->nivcsw = t->nivcsw;
	out->privs = __atomic_load_n(&t->privs, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < TASK_NAME - 1; i++)
		out->name[i] = __atomic_load_n(&t->name[i], __ATOMIC_RELAXED);
	return 0;
}

_Static_assert(sizeof(((struct nh_task_info *)0)->name) == TASK_NAME, "names fit");
_Static_assert(NH_TASK_READY == TASK_READY && NH_TASK_RUNNING == TASK_RUNNING &&
	       NH_TASK_SLEEPING == TASK_SLEEPING &&
	       NH_TASK_SLEEPING_UNINTR == TASK_SLEEPING_UNINTR &&
	       NH_TASK_STOPPED == TASK_STOPPED && NH_TASK_DEAD == TASK_DEAD,
	       "task states match the ABI's");

/* ---- replacing the address space --------------------------------------------- */

int taskctl_replace_space(struct task *t, struct vmspace *space, uint64_t pc,
			  uint64_t sp)
{
	int err = check_target(t);
	struct vmspace *old;
	irqflags_t f;

	if (!err && (!space || !user_pc_ok(pc) || !user_sp_ok(sp)))
		err = -NH_EINVAL;
	if (err)
		return err;
	f = spin_lock_irqsave(&t->ctl_lock);
	if (t->exiting) {	/* it would never take it */
		spin_unlock_irqrestore(&t->ctl_lock, f);
		return -NH_ESRCH;
	}
	old = t->new_space;	/* an earlier replacement not yet taken */
	t->new_space = space;
	t->new_pc = pc;
	t->new_sp = sp;
	request(t, TASK_WORK_SPACE);
	spin_unlock_irqrestore(&t->ctl_lock, f);
	if (old)
		vm_put(old);
	if (t != task_current())
		sched_notify_work(t);
	return 0;
}

/* Take the pending space: switch to it, reset the registers, drop the old
 * one (this hart was the last to run on it: others switched root when
 * they switched away from the task).  Interrupts off on entry and exit. */
static void take_new_space(struct task *t, struct trap_frame *tf)
{
	struct vmspace *old = t->space, *u;
	uint64_t pc, sp;

	spin_lock(&t->ctl_lock);
	u = t->new_space;
	pc = t->new_pc;
	sp = t->new_sp;
	t->new_space = 0;
	__atomic_fetch_and(&t->work, ~TASK_WORK_SPACE, __ATOMIC_ACQ_REL);
	spin_unlock(&t->ctl_lock);
	ipc_cancel_restart(t);	/* the old image's call and buffer are gone */
	t->ipc.buf = 0;
	__atomic_store_n(&t->clear_tid, 0, __ATOMIC_RELEASE);	/* the old image's word */
	sched_switch_space(u);
	memset(tf->regs, 0, sizeof(tf->regs));
	tf->regs[0] = pc;
	tf->regs[2] = sp;
	tf->sstatus = arch_user_sstatus();
	memset(&t->fp, 0, sizeof(t->fp));
	sched_fp_forget(t);	/* the first FP use loads the zeros */
	arch_irq_enable();
	vm_put(old);
	if (t->handles)
		handle_table_close_exec(t->handles);	/* puts take any lock */
	arch_irq_save();
}

/* ---- the user boundary ------------------------------------------------------ */

/* Stop here until resumed.  The FP registers go to t->fp first, where
 * a tracer reads them (and its writes are what comes back). */
static void stop_self(struct task *t)
{
	sched_fp_save(t);
	if (!sched_stop_current())
		return;		/* resumed before it stopped */
	waitq_wake_all(&t->exit_wq);	/* suspenders */
	schedule();
}

void taskctl_user_work(void)
{
	struct task *t = task_current();
	struct trap_frame *tf = task_user_frame_mapped(t);

	for (;;) {
		uint64_t w = work_of(t);

		if (w & TASK_WORK_KILL)
			die_killed();
		if (w & TASK_WORK_SPACE)
			take_new_space(t, tf);
		else if (w & TASK_WORK_STOP)
			stop_self(t);
		else if (w & TASK_WORK_EINTR)	/* the call it aborted is over */
			__atomic_fetch_and(&t->work, ~TASK_WORK_EINTR, __ATOMIC_ACQ_REL);
		else if (__atomic_load_n(&hart_self()->need_resched, __ATOMIC_ACQUIRE))
			sched_user_return();
		else
			return;
	}
}
