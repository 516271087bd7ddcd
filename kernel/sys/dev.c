/*
 * The device and interrupt system calls (syscalls.tbl, device_open,
 * irq_bind, irq_ack) for user drivers, and debug_write (the kernel
 * console, until a console server exists): user copies and handle checks,
 * then device.c and uirq.c.  Binding needs WRITE on the notification
 * (the line signals it on the binder's behalf); acking needs WRITE on the
 * IRQ handle.
 */
#include <nuthatch/errno.h>

#include "dev/console.h"
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

/* The registers' memory object; the device's description in *@out. */
long sys_device_open(uintptr_t compatible, uintptr_t out)
{
	char compat[NH_DEVICE_NAME_MAX];
	struct nh_device d;
	struct memobj *o;
	long len = copy_str_from_user(compat, compatible, sizeof(compat));
	int err;

	if (len < 0)
		return len == -NH_E2BIG ? -NH_ENODEV : len;
	o = device_open(compat, &d, &err);
	if (!o)
		return err;
	err = copy_to_user(out, &d, sizeof(d));
	if (err) {
		memobj_put(o);
		return err;
	}
	return handle_give(NH_OBJ_MEMOBJ, o, DEVICE_RIGHTS);
}

/* An IRQ handle: line @irq signals @bits on @notify. */
long sys_irq_bind(uint32_t irq, long notify, uint64_t bits)
{
	struct notify *n;
	struct uirq *u;
	int err = handle_lookup_self(notify, NH_OBJ_NOTIFY, NH_RIGHT_WRITE, (void **)&n);

	if (err)
		return err;
	u = uirq_bind(irq, n, bits & (~0ull >> 1), &err);
	notify_put(n);
	return u ? handle_give(NH_OBJ_IRQ, u, IRQ_RIGHTS) : err;
}

/* Complete the line so it can fire again. */
long sys_irq_ack(long irq)
{
	struct uirq *u;
	int err = handle_lookup_self(irq, NH_OBJ_IRQ, NH_RIGHT_WRITE, (void **)&u);

	if (err)
		return err;
	uirq_ack(u);
	uirq_put(u);
	return 0;
}

#define DEBUG_WRITE_MAX	4096	/* longer writes are cut */

long sys_debug_write(uintptr_t ubuf, size_t len)
{
	char buf[256];
	size_t done = 0;

	len = len < DEBUG_WRITE_MAX ? len : DEBUG_WRITE_MAX;
	if (!uaccess_range_ok(ubuf, len) && len)
		return -NH_EFAULT;
	while (done < len) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);

		if (copy_from_user(buf, ubuf + done, n))
			return done ? (long)done : -NH_EFAULT;
		console_write(buf, n);
		done += n;
	}
	return (long)done;
}
