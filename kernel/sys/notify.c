/*
 * The notification system calls (syscalls.tbl, notify_*): handle checks,
 * then notify.c.  WRITE on a notification handle lets one signal it,
 * READ lets one wait for it or poll it.  Bits are 0..62, so a wait's
 * result is never mistaken for an error.
 */
#include <nuthatch/errno.h>

#include "obj/handle.h"
#include "ipc/notify.h"
#include "sys/syscall.h"
#include "sched/task.h"

#define NOTIFY_BITS	(~0ull >> 1)	/* bit 63 is never a signal */

static int notify_ref(long h, uint32_t need, struct notify **n)
{
	return handle_lookup_self(h, NH_OBJ_NOTIFY, need, (void **)n);
}

long sys_notify_create(void)
{
	int err;
	struct notify *n = notify_create(&err);

	return n ? handle_give(NH_OBJ_NOTIFY, n, NH_RIGHTS_ALL) : err;
}

long sys_notify_signal(long notify, uint64_t bits)
{
	struct notify *n;
	int err = bits & ~NOTIFY_BITS ? -NH_EINVAL : notify_ref(notify, NH_RIGHT_WRITE, &n);

	if (err)
		return err;
	notify_signal(n, bits);
	notify_put(n);
	return 0;
}

/* A stop or kill request restarts the call (TASK_ERESTART); any other
 * interruption returns -NH_EINTR. */
long sys_notify_wait(long notify)
{
	struct notify *n;
	uint64_t bits;
	int err = notify_ref(notify, NH_RIGHT_READ, &n);

	if (err)
		return err;
	err = notify_wait(n, &bits);
	notify_put(n);
	return err ? err : (long)bits;
}

long sys_notify_poll(long notify)
{
	struct notify *n;
	uint64_t bits;
	int err = notify_ref(notify, NH_RIGHT_READ, &n);

	if (err)
		return err;
	bits = notify_poll(n);
	notify_put(n);
	return (long)bits;
}
