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

/* A wake count: anything past 32 bits means "all". */
static uint32_t wake_count(uint64_t n)
{
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

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
long sys_futex_wait(const struct syscall_args *a)
{
	struct vmspace *s = task_current()->space;

	if (!s)
		return -NH_EPERM;
	return futex_wait(s, a->a[0], (uint32_t)a->a[1], deadline_in(a->a[2]));
}

long sys_futex_wake(const struct syscall_args *a)
{
	struct vmspace *s = task_current()->space;

	if (!s)
		return -NH_EPERM;
	return futex_wake(s, a->a[0], wake_count(a->a[1]));
}

long sys_futex_wake_in(const struct syscall_args *a)
{
	struct vmspace *s;
	long r = handle_lookup_self((long)a->a[0], NH_OBJ_SPACE, NH_RIGHT_WRITE,
				    (void **)&s);

	if (r)
		return r;
	r = futex_wake(s, a->a[1], wake_count(a->a[2]));
	vm_put(s);
	return r;
}
