/*
 * The test-only system calls (syscalls.tbl, test_*), for the in-tree test
 * server: kernel self-tests by name, the leak counters, and spawning and
 * waiting for initramfs programs and threads, named by task handles in
 * the caller's table (handle.h).  Compiled into test builds (NH_TESTS=1,
 * the default); elsewhere every one returns -NH_ENOSYS.  spawn and wait
 * are temporary: the process server replaces them.
 */
#include <nuthatch/errno.h>
#include <nuthatch/task.h>
#include <nuthatch/testabi.h>

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

/* What the creator's handle to a spawned program or thread may do. */
#define CHILD_RIGHTS	(NH_RIGHT_READ | NH_RIGHT_CONTROL | NH_RIGHT_GRANT)

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

/*
 * Copy a NULL-terminated user array of string pointers into @buf (strings
 * packed from *used), filling @out with kernel pointers.
 */
static int copy_vec(uint64_t uvec, const char **out, char *buf, size_t *used)
{
	unsigned n = 0;

	for (; uvec; n++) {
		uint64_t p;
		long len;

		if (n == NH_SPAWN_MAX_ARGS)
			return -NH_E2BIG;
		if (copy_from_user(&p, uvec + n * 8, 8))
			return -NH_EFAULT;
		if (!p)
			break;
		len = copy_str_from_user(buf + *used, p,
					 EXEC_ARGS_MAX - *used < NH_SPAWN_MAX_STR ?
					 EXEC_ARGS_MAX - *used : NH_SPAWN_MAX_STR);
		if (len < 0)
			return (int)len;
		out[n] = buf + *used;
		*used += (size_t)len + 1;
	}
	out[n] = 0;
	return 0;
}

/*
 * Give the caller a handle to @t (reserved as @h before @t was made),
 * taking over the creator's reference; or, if making @t failed (@err),
 * give the slot back.  The number, or the error.
 */
static long hand_over(long h, struct task *t, int err)
{
	struct handle_table *ht = task_current()->handles;

	if (!t) {
		handle_unreserve(ht, h);
		return err;
	}
	handle_commit(ht, h, NH_OBJ_TASK, t, CHILD_RIGHTS);
	return h;
}

long sys_test_spawn(uintptr_t upath, uintptr_t uargv, uintptr_t uenvp)
{
	const char *argv[NH_SPAWN_MAX_ARGS + 1], *envp[NH_SPAWN_MAX_ARGS + 1];
	char *buf, path[128];
	const void *elf;
	size_t used = 0, len;
	struct task *t = 0;
	uint64_t pa;
	long r, h = handle_reserve(task_current()->handles);
	int err;

	if (h < 0)
		return h;	/* before anything runs: a full table starts nothing */
	pa = frame_alloc();
	if (!pa)
		return hand_over(h, 0, -NH_ENOMEM);
	buf = kmap_phys(pa);
	r = copy_str_from_user(path, upath, sizeof(path));
	err = r < 0 ? (int)r : copy_vec(uargv, argv, buf, &used);
	if (!err)
		err = copy_vec(uenvp, envp, buf, &used);
	if (!err)
		err = initramfs_find(path, &elf, &len);
	if (!err)
		t = exec_spawn(elf, len, argv, envp, 0, &err);
	frame_put(pa);	/* exec copied the strings to the new stack */
	return hand_over(h, t, err);
}

/* task_wait, kept for the test programs' sake. */
long sys_test_wait(long task, uintptr_t out)
{
	return sys_task_wait(task, out);
}

/* A thread in the caller's memory: entry, stack pointer, a0. */
long sys_test_thread(uintptr_t entry, uintptr_t sp, long arg)
{
	struct task *self = task_current(), *t;
	int err = 0;
	long h;

	if (!self->space || !uaccess_range_ok(entry, 4) ||
	    !uaccess_range_ok(sp - 16, 16) || (sp & 15))
		return -NH_EINVAL;
	h = handle_reserve(self->handles);
	if (h < 0)
		return h;
	vm_get(self->space);
	t = utask_create("thread", self->space, entry, sp, (uint64_t)arg, 0, &err);
	if (!t)
		vm_put(self->space);
	return hand_over(h, t, err);
}

long sys_test_poweroff(int verdict)
{
	power_off(verdict ? POWER_FAIL_TESTS : POWER_PASS);
}

#endif
