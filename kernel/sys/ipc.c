/*
 * The IPC system calls (syscalls.tbl, endpoint_* and ipc_*): the calls
 * that only need handles are here whole; the rest gather the register
 * message and hand it to ipc/ipc.c.  WRITE on an endpoint lets one call
 * it, READ receive on it, GRANT mint it.
 */
#include <nuthatch/errno.h>
#include <nuthatch/task.h>

#include "ipc/ipc.h"
#include "mm/uaccess.h"
#include "obj/handle.h"
#include "sched/task.h"
#include "sys/syscall.h"

long sys_endpoint_create(void)
{
	struct endpoint *ep = ipc_endpoint_create();

	return ep ? handle_give(NH_OBJ_ENDPOINT, ep, NH_RIGHTS_ALL) : -NH_ENOMEM;
}

long sys_endpoint_mint(long ep, uint64_t badge, uint32_t rights)
{
	struct handle_table *ht = task_current()->handles;
	struct endpoint *e;
	int err;

	if (!ht)
		return -NH_EBADF;
	/* handle_mint takes any type: badges are for endpoints only */
	err = handle_lookup(ht, ep, NH_OBJ_ENDPOINT, 0, (void **)&e);
	if (err)
		return err;
	handle_put_obj(NH_OBJ_ENDPOINT, e);
	return handle_mint(ht, ep, badge, rights);
}

long sys_endpoint_bind_notify(long ep, long notify)
{
	return ipc_endpoint_bind_notify(ep, notify);
}

long sys_ipc_set_buffer(uintptr_t page)
{
	if (page && ((page & 4095) || !uaccess_range_ok(page, 4096)))
		return -NH_EINVAL;
	task_current()->ipc.buf = page;
	return 0;
}

long sys_ipc_call(long ep, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2,
		  uint64_t w3, uint64_t grant)
{
	const uint64_t m[6] = { tag, w0, w1, w2, w3, grant };

	return ipc_call(ep, m);
}

long sys_ipc_recv(long ep)
{
	return ipc_recv(ep);
}

long sys_ipc_reply(long reply, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2,
		   uint64_t w3, uint64_t grant)
{
	const uint64_t m[6] = { tag, w0, w1, w2, w3, grant };

	return ipc_reply(reply, m);
}

long sys_ipc_reply_recv(long ep, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2,
			uint64_t w3, uint64_t grant)
{
	const uint64_t m[6] = { tag, w0, w1, w2, w3, grant };

	return ipc_reply_recv(ep, m);
}

long sys_ipc_reply_save(void)
{
	return ipc_reply_save();
}

long sys_ipc_bind_events(long task, long ep, uint64_t badge)
{
	return ipc_bind_events(task, ep, badge);
}

long sys_ipc_reply_notify(long reply, long ep, uint64_t cookie)
{
	return ipc_reply_notify(reply, ep, cookie);
}

long sys_ipc_reply_regs(long reply, uintptr_t out)
{
	struct nh_regs r;
	int err = ipc_reply_regs(reply, &r);

	if (err)
		return err;
	return copy_to_user(out, &r, sizeof(r)) ? -NH_EFAULT : 0;
}
