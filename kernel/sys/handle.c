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

/* The number of the new handle in @task's table. */
long sys_handle_install(long task, long h, uint32_t rights)
{
	struct task *t;
	long n = handle_lookup_self(task, NH_OBJ_TASK, NH_RIGHT_CONTROL, (void **)&t);

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
