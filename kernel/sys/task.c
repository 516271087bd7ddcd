/*
 * The task-control system calls (syscalls.tbl, task_*): handle checks,
 * user copies, then taskctl.c.  READ on a task handle lets one wait for
 * it and read its registers, parameters and accounting; CONTROL lets one
 * change them, suspend, resume, interrupt and kill it, give it a new
 * space, or set its clear-tid address.  The calling task's own calls
 * (null, exit, yield, clock_ns, sleep_ns) close the file.
 */
#include <nuthatch/errno.h>

#include "obj/handle.h"
#include "sys/syscall.h"
#include "sched/task.h"
#include "sched/sched.h"
#include "sched/taskctl.h"
#include "sched/timer.h"
#include "sched/waitq.h"
#include "mm/uaccess.h"
#include "mm/vm.h"

#define NEW_TASK_RIGHTS	NH_RIGHTS_ALL

static int task_ref(long h, uint32_t need, struct task **t)
{
	return handle_lookup_self(h, NH_OBJ_TASK, need, (void **)t);
}

static void task_unref(struct task *t)
{
	handle_put_obj(NH_OBJ_TASK, t);
}

/* Whether the caller may ask for @p: the fixed class and nice below 0
 * need NH_PRIV_SCHED. */
static bool sched_permitted(const struct nh_sched *p)
{
	return (p->cls != NH_SCHED_FIXED && p->nice >= 0) ||
	       task_privileged(NH_PRIV_SCHED);
}

/* The privileges of the task @h names (READ on it). */
static int privs_of(long h, uint32_t *privs)
{
	struct task *t;
	int err = task_ref(h, NH_RIGHT_READ, &t);

	if (!err) {
		*privs = __atomic_load_n(&t->privs, __ATOMIC_RELAXED);
		task_unref(t);
	}
	return err;
}

long sys_task_create(long space, uintptr_t start)
{
	struct handle_table *ht = task_current()->handles;
	struct nh_task_start st;
	struct vmspace *s;
	struct task *t;
	uint32_t privs = 0;
	long h;
	int err = copy_from_user(&st, start, sizeof(st));

	if (!err && !sched_permitted(&st.sched))
		err = -NH_EPERM;
	if (!err && (st.flags & NH_START_PRIVS_OF))
		err = privs_of(st.privs_of, &privs);
	if (!err)
		err = handle_lookup_self(space, NH_OBJ_SPACE, NH_RIGHT_CONTROL, (void **)&s);
	if (err)
		return err;
	h = ht ? handle_reserve(ht) : -NH_EPERM;	/* a full table starts nothing */
	if (h < 0) {
		vm_put(s);
		return h;
	}
	t = taskctl_create(s, &st, privs, &err);	/* takes over our reference */
	if (!t) {
		vm_put(s);
		handle_unreserve(ht, h);
		return err;
	}
	handle_commit(ht, h, NH_OBJ_TASK, t, NEW_TASK_RIGHTS);
	return h;
}

/* Run @fn on the task @h names, needing @need. */
static long on_task(long h, uint32_t need, int (*fn)(struct task *))
{
	struct task *t;
	int err = task_ref(h, need, &t);

	if (err)
		return err;
	err = fn(t);
	task_unref(t);
	return err;
}

long sys_task_suspend(long task)
{
	return on_task(task, NH_RIGHT_CONTROL, taskctl_suspend);
}

long sys_task_stop(long task)
{
	return on_task(task, NH_RIGHT_CONTROL, taskctl_request_stop);
}

long sys_task_resume(long task)
{
	return on_task(task, NH_RIGHT_CONTROL, taskctl_resume);
}

long sys_task_kill(long task)
{
	return on_task(task, NH_RIGHT_CONTROL, taskctl_kill);
}

long sys_task_interrupt(long task)
{
	return on_task(task, NH_RIGHT_CONTROL, taskctl_interrupt);
}

long sys_task_clear_tid(long task, uintptr_t uaddr)
{
	struct task *t;
	int err = task_ref(task, NH_RIGHT_CONTROL, &t);

	if (err)
		return err;
	err = taskctl_set_clear_tid(t, uaddr);
	task_unref(t);
	return err;
}

long sys_task_set_name(long task, uintptr_t name, size_t len)
{
	char buf[TASK_NAME] = { 0 };
	struct task *t;
	int err;

	len = len < TASK_NAME - 1 ? len : TASK_NAME - 1;
	if (len && copy_from_user(buf, name, len))
		return -NH_EFAULT;
	err = task_ref(task, NH_RIGHT_CONTROL, &t);
	if (err)
		return err;
	err = taskctl_set_name(t, buf, len);
	task_unref(t);
	return err;
}

long sys_task_regs_get(long task, uintptr_t out)
{
	struct nh_regs r;
	struct task *t;
	int err = task_ref(task, NH_RIGHT_READ, &t);

	if (err)
		return err;
	err = taskctl_get_regs(t, &r);
	task_unref(t);
	if (!err && copy_to_user(out, &r, sizeof(r)))
		err = -NH_EFAULT;
	return err;
}

long sys_task_regs_set(long task, uintptr_t regs)
{
	struct nh_regs r;
	struct task *t;
	int err = copy_from_user(&r, regs, sizeof(r));

	if (!err)
		err = task_ref(task, NH_RIGHT_CONTROL, &t);
	if (err)
		return err;
	err = taskctl_set_regs(t, &r);
	task_unref(t);
	return err;
}

long sys_task_sched_get(long task, uintptr_t out)
{
	struct nh_sched p;
	struct task *t;
	int err = task_ref(task, NH_RIGHT_READ, &t);

	if (err)
		return err;
	err = taskctl_get_sched(t, &p);
	task_unref(t);
	if (!err && copy_to_user(out, &p, sizeof(p)))
		err = -NH_EFAULT;
	return err;
}

long sys_task_sched_set(long task, uintptr_t p)
{
	struct nh_sched ps;
	struct task *t;
	int err = copy_from_user(&ps, p, sizeof(ps));

	if (!err && !sched_permitted(&ps))
		err = -NH_EPERM;
	if (!err)
		err = task_ref(task, NH_RIGHT_CONTROL, &t);
	if (err)
		return err;
	err = taskctl_set_sched(t, &ps);
	task_unref(t);
	return err;
}

long sys_task_info(long task, uintptr_t out)
{
	struct nh_task_info info;
	struct nh_space_stat st;
	struct task *t;
	int err = task_ref(task, NH_RIGHT_READ, &t);

	if (err)
		return err;
	err = taskctl_info(t, &info);
	if (!err) {
		irqflags_t f = spin_lock_irqsave(&t->ctl_lock);
		struct vmspace *s = t->space;	/* (it may be giving it back) */

		if (s)
			vm_get(s);
		spin_unlock_irqrestore(&t->ctl_lock, f);
		if (s) {
			vm_stat(s, &st);
			info.resident_pages = st.resident;
			vm_put(s);
		}
	}
	task_unref(t);
	if (!err && copy_to_user(out, &info, sizeof(info)))
		err = -NH_EFAULT;
	return err;
}

long sys_task_set_space(long task, long space, uint64_t pc, uint64_t sp)
{
	struct vmspace *s;
	struct task *t;
	int err = task_ref(task, NH_RIGHT_CONTROL, &t);

	if (err)
		return err;
	err = handle_lookup_self(space, NH_OBJ_SPACE, NH_RIGHT_CONTROL, (void **)&s);
	if (!err) {
		err = taskctl_replace_space(t, s, pc, sp);	/* takes s */
		if (err)
			vm_put(s);
	}
	task_unref(t);
	return err;
}

long sys_task_wait(long task, uintptr_t out)
{
	struct nh_exit e;
	struct task *t;
	int err = task_ref(task, NH_RIGHT_READ, &t);

	if (err)
		return err;
	if (t == task_current())
		err = -NH_EDEADLK;
	else if (!uaccess_range_ok(out, sizeof(e)))
		err = -NH_EFAULT;
	if (!err)
		err = task_wait_reaped_interruptible(t);
	if (!err)
		task_exit_record(t, &e);
	task_unref(t);
	if (!err && copy_to_user(out, &e, sizeof(e)))
		err = -NH_EFAULT;
	return err;
}

/* ---- the calling task's own --------------------------------------------- */

long sys_null(void)
{
	return 0;
}

void sys_exit(int status)
{
	task_exit(status);
}

long sys_yield(void)
{
	sched_yield();
	return 0;
}

long sys_clock_ns(void)
{
	return (long)clock_ns();
}

/* An interruptible sleep: a stop or kill request restarts it (the whole
 * length again: a sleep may last longer than asked, never shorter). */
long sys_sleep_ns(uint64_t ns)
{
	int r = task_sleep_ns_interruptible(ns);

	return r == -NH_ETIMEDOUT ? 0 : r;
}

/* ---- privileges ---------------------------------------------------------------- */

long sys_task_set_privs(long task, uint32_t privs)
{
	struct task *self = task_current(), *t;
	uint32_t mine = __atomic_load_n(&self->privs, __ATOMIC_RELAXED);
	int err;

	if (privs & ~NH_PRIVS_ALL)
		return -NH_EINVAL;
	if (privs & ~mine)
		return -NH_EPERM;		/* none can give what it lacks */
	if (task == NH_SELF_TASK) {		/* lowering one's own needs nothing */
		__atomic_store_n(&self->privs, privs, __ATOMIC_RELAXED);
		return 0;
	}
	err = task_ref(task, NH_RIGHT_CONTROL, &t);
	if (err)
		return err;
	err = t->kernel ? -NH_EPERM : 0;
	if (!err)
		__atomic_store_n(&t->privs, privs, __ATOMIC_RELAXED);
	task_unref(t);
	return err;
}
