/*
 * The futex system calls (syscalls.tbl, futex_*): argument checks, then
 * futex.c.  futex_wait and futex_wake act on the caller's own space;
 * futex_wake_in on a space handle with WRITE (waking is acting on the
 * memory's users, as writing the word would be).
 */
#include <nuthatch/errno.h>

#include "ipc/futex.h"
#include "obj/handle.h"
#include "sys/syscall.h"
#include "sched/task.h"
#include "sched/timer.h"
#include "mm/vm.h"

/* The deadline @ns from now (0: none), saturating. */
static uint64_t deadline_in(uint64_t ns)
{
	uint64_t now = clock_ns();

	if (!ns)
		return 0;
	return ns > ~0ull - now ? ~0ull : now + ns;
}

/* Interruptible: a stop or kill restarts it (the whole timeout again: it
 * may last longer than asked, never shorter); task_interrupt makes it
 * return -NH_EINTR. */
long sys_futex_wait(uintptr_t uaddr, uint32_t val, uint64_t timeout_ns)
{
	struct vmspace *s = task_current()->space;

	if (!s)
		return -NH_EPERM;
	return futex_wait(s, uaddr, val, deadline_in(timeout_ns));
}

long sys_futex_wake(uintptr_t uaddr, uint32_t n)
{
	struct vmspace *s = task_current()->space;

	if (!s)
		return -NH_EPERM;
	return futex_wake(s, uaddr, n);
}

long sys_futex_wake_in(long space, uint64_t uaddr, uint32_t n)
{
	struct vmspace *s;
	long r = handle_lookup_self(space, NH_OBJ_SPACE, NH_RIGHT_WRITE, (void **)&s);

	if (r)
		return r;
	r = futex_wake(s, uaddr, n);
	vm_put(s);
	return r;
}
