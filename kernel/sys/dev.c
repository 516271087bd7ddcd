/*
 * The device and interrupt system calls (syscalls.tbl, device_open,
 * irq_bind, irq_ack) for user drivers: user copies and handle checks,
 * then device.c and uirq.c.  Binding needs WRITE on the notification
 * (the line signals it on the binder's behalf); acking needs WRITE on the
 * IRQ handle.
 */
#include <nuthatch/errno.h>

#include "dev/device.h"
#include "obj/handle.h"
#include "mm/memobj.h"
#include "ipc/notify.h"
#include "sys/syscall.h"
#include "sched/task.h"
#include "mm/uaccess.h"
#include "dev/uirq.h"

#define DEVICE_RIGHTS	(NH_RIGHT_READ | NH_RIGHT_WRITE | NH_RIGHT_MAP | NH_RIGHT_GRANT)
#define IRQ_RIGHTS	(NH_RIGHT_READ | NH_RIGHT_WRITE | NH_RIGHT_GRANT)

/* (compatible, struct nh_device *): the registers' memory object. */
long sys_device_open(const struct syscall_args *a)
{
	char compat[NH_DEVICE_NAME_MAX];
	struct nh_device d;
	struct memobj *o;
	long len = copy_str_from_user(compat, a->a[0], sizeof(compat));
	int err;

	if (len < 0)
		return len == -NH_E2BIG ? -NH_ENODEV : len;
	o = device_open(compat, &d, &err);
	if (!o)
		return err;
	err = copy_to_user(a->a[1], &d, sizeof(d));
	if (err) {
		memobj_put(o);
		return err;
	}
	return handle_give(NH_OBJ_MEMOBJ, o, DEVICE_RIGHTS);
}

/* (irq, notify_h, bits): an IRQ handle. */
long sys_irq_bind(const struct syscall_args *a)
{
	struct notify *n;
	struct uirq *u;
	int err = a->a[0] >= (1ull << 32) ? -NH_EINVAL :
		  handle_lookup_self((long)a->a[1], NH_OBJ_NOTIFY, NH_RIGHT_WRITE,
				     (void **)&n);

	if (err)
		return err;
	u = uirq_bind((uint32_t)a->a[0], n, a->a[2] & (~0ull >> 1), &err);
	notify_put(n);
	return u ? handle_give(NH_OBJ_IRQ, u, IRQ_RIGHTS) : err;
}

/* (irq_h): complete the line so it can fire again. */
long sys_irq_ack(const struct syscall_args *a)
{
	struct uirq *u;
	int err = handle_lookup_self((long)a->a[0], NH_OBJ_IRQ, NH_RIGHT_WRITE,
				     (void **)&u);

	if (err)
		return err;
	uirq_ack(u);
	uirq_put(u);
	return 0;
}
