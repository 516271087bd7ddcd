/*
 * The handle system calls (syscalls.tbl, handle_*): the caller's own
 * table, where the pseudo-handles NH_SELF_TASK and NH_SELF_SPACE work as
 * any task or space handle would (dup turns one into a real handle);
 * then obj/handle.c.  Passing a handle on needs GRANT on it; installing
 * into another task needs CONTROL on that task.
 */
#include <nuthatch/errno.h>

#include "mm/uaccess.h"
#include "obj/handle.h"
#include "sched/task.h"
#include "sys/syscall.h"

/* The pseudo-handles cannot be closed (-NH_EBADF). */
long sys_handle_close(long h)
{
	struct handle_table *ht = task_current()->handles;

	return ht ? handle_close(ht, h) : -NH_EBADF;
}

long sys_handle_dup(long h, uint32_t rights)
{
	return task_current()->handles ? handle_dup_self(h, rights) : -NH_EBADF;
}


/* @task's table, from a task handle carrying CONTROL: a reference the
 * caller drops (handle_put_obj), or the error. */
static int target_table(long task, struct task **t)
{
	int err = handle_lookup_self(task, NH_OBJ_TASK, NH_RIGHT_CONTROL, (void **)t);

	if (!err && !(*t)->handles) {
		handle_put_obj(NH_OBJ_TASK, *t);
		err = -NH_ESRCH;	/* a kernel thread: no table */
	}
	return err;
}

/* The number of the new handle in @task's table. */
long sys_handle_install(long task, long h, uint32_t rights)
{
	struct task *t;
	long n = target_table(task, &t);

	if (n)
		return n;
	n = handle_install_self(h, t->handles, rights);
	handle_put_obj(NH_OBJ_TASK, t);
	return n;
}

long sys_handle_info(long h, uintptr_t out)
{
	struct nh_handle_info info;
	int err = handle_info_self(h, &info);

	if (err)
		return err;
	return copy_to_user(out, &info, sizeof(info)) ? -NH_EFAULT : 0;
}

long sys_handle_install_at(long task, long h, uint32_t rights, uint32_t flags,
			   long number)
{
	struct task *t;
	long n = target_table(task, &t);

	if (n)
		return n;
	n = handle_install_self_at(h, t->handles, rights, flags, number);
	handle_put_obj(NH_OBJ_TASK, t);
	return n;
}

long sys_handle_close_in(long task, long h)
{
	struct task *t;
	long err = target_table(task, &t);

	if (err)
		return err;
	err = handle_close(t->handles, h);
	handle_put_obj(NH_OBJ_TASK, t);
	return err;
}

long sys_handle_set_flags(long h, uint32_t flags)
{
	struct handle_table *ht = task_current()->handles;

	return ht ? handle_set_flags(ht, h, flags) : -NH_EBADF;
}
