/*
 * The test-only system calls (syscalls.tbl, test_*), for the in-tree test
 * server: kernel self-tests by name, the leak counters, power-off with a
 * verdict.  Compiled into test builds (NH_TESTS=1, the default);
 * elsewhere every one returns -NH_ENOSYS; each needs NH_PRIV_TEST.
 * (Programs are started by the process server, or by the test server
 * itself with task_create: the old spawn, wait and thread calls are
 * retired.)
 */
#include <nuthatch/errno.h>
#include <nuthatch/task.h>
#include <nuthatch/testabi.h>

#include "dev/console.h"
#include "sched/exec.h"
#include "mm/initramfs.h"
#include "mm/frame.h"
#include "obj/handle.h"
#include "ipc/ipc.h"
#include "mm/kmap.h"
#include "mm/memobj.h"
#include "lib/ksyms.h"
#include "sched/kstack.h"
#include "debug/ktest.h"
#include "lib/kstring.h"
#include "dev/power.h"
#include "mm/slab.h"
#include "sys/syscall.h"
#include "sched/task.h"
#include "mm/uaccess.h"
#include "mm/vm.h"

#if NH_TESTS

long sys_test_ktest_count(void)
{
	return ktest_count();
}

long sys_test_ktest_name(unsigned index, uintptr_t buf, size_t size)
{
	const char *name = ktest_name(index);
	size_t len;

	if (!uaccess_range_ok(buf, size))
		return -NH_EFAULT;	/* a bad buffer first, whatever the index */
	if (!name)
		return -NH_ENOENT;
	len = strlen(name);
	if (len + 1 > size)
		return -NH_ERANGE;
	return copy_to_user(buf, name, len + 1) ? -NH_EFAULT : (long)len;
}

long sys_test_ktest_run(uintptr_t uname, size_t len)
{
	char name[64];

	if (len == 0 || len >= sizeof(name))
		return -NH_EINVAL;
	if (copy_from_user(name, uname, len))
		return -NH_EFAULT;
	name[len] = '\0';
	return ktest_run_named(name);
}

static void sum_live(struct slab_cache *c, void *ctx)
{
	*(uint64_t *)ctx += c->live;
}

/*
 * A reply in use is one live object whether it is the caller's own,
 * embedded in its task, or one from the reply cache (taken when the
 * own one is still held: a saved reply whose handle its server has not
 * closed yet when the caller calls again).  Which one a call gets is a
 * race between the caller and the server, so the leak counts take both.
 */
static void count_own_reply(struct task *t, void *ctx)
{
	if (!t->kernel && __atomic_load_n(&t->ipc.own.refs, __ATOMIC_ACQUIRE))
		(*(uint64_t *)ctx)++;
}

long sys_test_counters(uintptr_t out)
{
	struct leak_snapshot *s;
	struct nh_counters c = { 0 };
	uint64_t pa = frame_alloc();

	if (!pa)
		return -NH_ENOMEM;
	s = kmap_phys(pa);	/* settles, like the runner's leak check */
	leak_snapshot(s);
	slab_for_each(sum_live, &c.live_objects);
	task_for_each(count_own_reply, &c.live_objects);
	c.tasks = s->tasks;
	c.stacks = s->stacks;
	c.handles = s->handles;
	c.free_frames = s->free_frames;	/* not counting the page we borrow */
	if (task_current()->space)	/* nor what the caller's own memory grew by */
		c.own_frames = vm_frames_held(task_current()->space);
	c.free_frames += c.own_frames;
	c.spaces = vm_live_spaces();
	c.memobjs = memobj_live();
	c.ipc_fast = ipc_fast_count();
	frame_put(pa);
	return copy_to_user(out, &c, sizeof(c)) ? -NH_EFAULT : 0;
}

long sys_test_poweroff(int verdict)
{
	console_drain(2000000000ull);	/* the console server writes the log out */
	console_takeover();
	power_off(verdict ? POWER_FAIL_TESTS : POWER_PASS);
}

#endif
