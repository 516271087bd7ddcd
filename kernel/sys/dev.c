/*
 * The device and interrupt system calls (syscalls.tbl, device_open,
 * irq_bind, irq_ack) for user drivers, debug_write (the kernel
 * console), and the console's handover (console_claim, console_log_read):
 * user copies and handle checks, then device.c, uirq.c and console.c.  Binding needs WRITE on the notification
 * (the line signals it on the binder's behalf); acking needs WRITE on the
 * IRQ handle.
 */
#include <nuthatch/errno.h>

#include "dev/console.h"
#include "core/boot.h"
#include "dev/device.h"
#include "obj/handle.h"
#include "mm/memobj.h"
#include "ipc/notify.h"
#include "sys/syscall.h"
#include "sched/task.h"
#include "mm/uaccess.h"
#include "dev/uirq.h"
#include "sched/waitq.h"

#define CLAIM_RIGHTS	(NH_RIGHT_READ | NH_RIGHT_GRANT)

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
#define LOG_WAIT_NS	1000000ull	/* a writer waits for room in 1 ms steps */
#define LOG_WAIT_MAX	2000	/* ... up to 2 s, then its bytes are dropped */

/* One piece to the console; while the log is full, wait for the server. */
static void debug_piece(const char *buf, size_t n)
{
	for (int i = 0; console_write_user(buf, n) && i < LOG_WAIT_MAX; i++)
		task_sleep_ns(LOG_WAIT_NS);
}

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
		debug_piece(buf, n);
		done += n;
	}
	return (long)done;
}

/* Undo console_claim's object after a failure past it. */
static long claim_fail(void *c, long regs, int err)
{
	if (regs > 0)
		handle_close(task_current()->handles, regs);
	handle_put_obj(NH_OBJ_CONSOLE, c);
	return err;
}

long sys_console_claim(long notify, uint64_t bits, uintptr_t out)
{
	const struct platform *p = &boot_platform;
	struct nh_console con;
	struct notify *n;
	struct memobj *o;
	void *c;
	long h;
	int err = handle_lookup_self(notify, NH_OBJ_NOTIFY, NH_RIGHT_WRITE, (void **)&n);

	if (err)
		return err;
	bits &= ~0ull >> 1;
	c = bits ? console_claim(n, bits, &con, &err) : 0;
	notify_put(n);
	if (!c)
		return bits ? err : -NH_EINVAL;
	o = memobj_device(p->console.base & ~4095ull,
			  ((p->console.base & 4095) + p->console.size + 4095) & ~4095ull, &err);
	if (!o)
		return claim_fail(c, 0, err);
	con.regs = handle_give(NH_OBJ_MEMOBJ, o, DEVICE_RIGHTS);
	if (con.regs < 0)
		return claim_fail(c, 0, (int)con.regs);
	err = copy_to_user(out, &con, sizeof(con));
	if (err)
		return claim_fail(c, con.regs, err);
	h = handle_give(NH_OBJ_CONSOLE, c, CLAIM_RIGHTS);
	return h < 0 ? claim_fail(c, con.regs, (int)h) : h;
}

long sys_console_log_read(long claim, uintptr_t ubuf, size_t len, uintptr_t ulost)
{
	char buf[512];
	uint64_t lost;
	void *c;
	long n;
	int err = handle_lookup_self(claim, NH_OBJ_CONSOLE, NH_RIGHT_READ, &c);

	if (err)
		return err;
	handle_put_obj(NH_OBJ_CONSOLE, c);
	if ((len && !uaccess_range_ok(ubuf, len)) || !uaccess_range_ok(ulost, sizeof(lost)))
		return -NH_EFAULT;
	n = console_log_read(buf, len < sizeof(buf) ? len : sizeof(buf), &lost);
	err = copy_to_user(ulost, &lost, sizeof(lost));
	if (!err && n)
		err = copy_to_user(ubuf, buf, (size_t)n);
	return err ? err : n;
}
