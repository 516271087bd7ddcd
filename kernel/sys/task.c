/*
 * The task-control system calls (syscalls.tbl, task_*): handle checks,
 * user copies, then taskctl.c.  READ on a task handle lets one wait for
 * it and read its registers, parameters and accounting; CONTROL lets one
 * change them, suspend, resume, interrupt and kill it, give it a new
 * space, or set its clear-tid address.
 */
#include <nuthatch/errno.h>

#include "obj/handle.h"
#include "sys/syscall.h"
#include "sched/task.h"
#include "sched/taskctl.h"
#include "mm/uaccess.h"
#include "mm/vm.h"

#define NEW_TASK_RIGHTS	NH_RIGHTS_ALL

static int task_ref(uint64_t h, uint32_t need, struct task **t)
{
	return handle_lookup_self((long)h, NH_OBJ_TASK, need, (void **)t);
}

static void task_unref(struct task *t)
{
	handle_put_obj(NH_OBJ_TASK, t);
}

long sys_task_create(const struct syscall_args *a)
{
	struct handle_table *ht = task_current()->handles;
	struct nh_task_start st;
	struct vmspace *s;
	struct task *t;
	long h;
	int err = copy_from_user(&st, a->a[1], sizeof(st));

	if (!err)
		err = handle_lookup_self((long)a->a[0], NH_OBJ_SPACE, NH_RIGHT_CONTROL,
					 (void **)&s);
	if (err)
		return err;
	h = ht ? handle_reserve(ht) : -NH_EPERM;	/* a full table starts nothing */
	if (h < 0) {
		vm_put(s);
		return h;
	}
	t = taskctl_create(s, &st, &err);	/* takes over our reference */
	if (!t) {
		vm_put(s);
		handle_unreserve(ht, h);
		return err;
	}
	handle_commit(ht, h, NH_OBJ_TASK, t, NEW_TASK_RIGHTS);
	return h;
}

/* Run @fn on the task @h names, needing @need. */
static long on_task(uint64_t h, uint32_t need, int (*fn)(struct task *))
{
	struct task *t;
	int err = task_ref(h, need, &t);

	if (err)
		return err;
	err = fn(t);
	task_unref(t);
	return err;
}

long sys_task_suspend(const struct syscall_args *a)
{
	return on_task(a->a[0], NH_RIGHT_CONTROL, taskctl_suspend);
}

long sys_task_resume(const struct syscall_args *a)
{
	return on_task(a->a[0], NH_RIGHT_CONTROL, taskctl_resume);
}

long sys_task_kill(const struct syscall_args *a)
{
	return on_task(a->a[0], NH_RIGHT_CONTROL, taskctl_kill);
}

long sys_task_interrupt(const struct syscall_args *a)
{
	return on_task(a->a[0], NH_RIGHT_CONTROL, taskctl_interrupt);
}

long sys_task_clear_tid(const struct syscall_args *a)
{
	struct task *t;
	int err = task_ref(a->a[0], NH_RIGHT_CONTROL, &t);

	if (err)
		return err;
	err = taskctl_set_clear_tid(t, a->a[1]);
	task_unref(t);
	return err;
}

long sys_task_regs(const struct syscall_args *a)
{
	struct nh_regs r;
	struct task *t;
	bool set = a->a[1] == 1;
	int err = a->a[1] > 1 ? -NH_EINVAL : 0;

	if (!err && set)
		err = copy_from_user(&r, a->a[2], sizeof(r));
	if (!err)
		err = task_ref(a->a[0], set ? NH_RIGHT_CONTROL : NH_RIGHT_READ, &t);
	if (err)
		return err;
	err = set ? taskctl_set_regs(t, &r) : taskctl_get_regs(t, &r);
	task_unref(t);
	if (!err && !set && copy_to_user(a->a[2], &r, sizeof(r)))
		err = -NH_EFAULT;
	return err;
}

long sys_task_sched(const struct syscall_args *a)
{
	struct nh_sched p;
	struct task *t;
	bool set = a->a[1] == 1;
	int err = a->a[1] > 1 ? -NH_EINVAL : 0;

	if (!err && set)
		err = copy_from_user(&p, a->a[2], sizeof(p));
	if (!err)
		err = task_ref(a->a[0], set ? NH_RIGHT_CONTROL : NH_RIGHT_READ, &t);
	if (err)
		return err;
	err = set ? taskctl_set_sched(t, &p) : taskctl_get_sched(t, &p);
	task_unref(t);
	if (!err && !set && copy_to_user(a->a[2], &p, sizeof(p)))
		err = -NH_EFAULT;
	return err;
}

long sys_task_info(const struct syscall_args *a)
{
	struct nh_task_info info;
	struct nh_space_stat st;
	struct task *t;
	int err = task_ref(a->a[0], NH_RIGHT_READ, &t);

	if (err)
		return err;
	err = taskctl_info(t, &info);
	if (!err && t->space && t->state != TASK_DEAD) {
		vm_stat(t->space, &st);
		info.resident_pages = st.resident;
	}
	task_unref(t);
	if (!err && copy_to_user(a->a[1], &info, sizeof(info)))
		err = -NH_EFAULT;
	return err;
}

long sys_task_set_space(const struct syscall_args *a)
{
	struct vmspace *s;
	struct task *t;
	int err = task_ref(a->a[0], NH_RIGHT_CONTROL, &t);

	if (err)
		return err;
	err = handle_lookup_self((long)a->a[1], NH_OBJ_SPACE, NH_RIGHT_CONTROL, (void **)&s);
	if (!err) {
		err = taskctl_replace_space(t, s, a->a[2], a->a[3]);	/* takes s */
		if (err)
			vm_put(s);
	}
	task_unref(t);
	return err;
}

long sys_task_wait(const struct syscall_args *a)
{
	struct nh_exit e;
	struct task *t;
	int err = task_ref(a->a[0], NH_RIGHT_READ, &t);

	if (err)
		return err;
	if (t == task_current())
		err = -NH_EDEADLK;
	else if (!uaccess_range_ok(a->a[1], sizeof(e)))
		err = -NH_EFAULT;
	if (!err) {
		task_wait_reaped(t);
		task_exit_record(t, &e);
	}
	task_unref(t);
	if (!err && copy_to_user(a->a[1], &e, sizeof(e)))
		err = -NH_EFAULT;
	return err;
}
