/*
 * Self-tests of user mode: tiny programs (user_progs.S) run in U-mode in
 * a simple user space.  The system-call boundary, bad pointers, user
 * faults ending only their task, registers across preemption and
 * migration, and the null system call's cost.
 */
#include <stdint.h>

#include <nuthatch/errno.h>

#include "debug/bench.h"
#include "sched/exec.h"
#include "mm/initramfs.h"
#include "lib/cpio.h"
#include "mm/frame.h"
#include "mm/kmap.h"
#include "lib/kstring.h"
#include "core/hart.h"
#include "debug/ktest.h"
#include "sched/task.h"
#include "sched/timer.h"
#include "debug/tests/uprog.h"
#include "mm/vm.h"


#define PROG(name) extern const char uprog_##name[], uprog_##name##_end[]
PROG(hello);
PROG(badptr);
PROG(load0);
PROG(store_code);
PROG(jump0);
PROG(illegal);
PROG(regs);
PROG(nullbench);
PROG(fpregs);
PROG(sysregs);

/* Start a program (a0 = @arg) in a fresh space; NULL and *err on failure. */
static struct task *start(const char *from, const char *to, uint64_t arg,
			  uint64_t harts, int *err)
{
	struct task_attr a = { .cls = SCHED_FAIR, .allowed = harts };
	struct vmspace *u = uprog_space(from, to, err);
	struct task *t;

	if (!u)
		return 0;
	t = utask_create("uprog", u, CODE_VA, STACK_VA + 4096, arg, &a, err);
	if (!t) {
		vm_put(u);
		return 0;
	}
	return t;
}

static int run_arg(const char *from, const char *to, uint64_t arg)
{
	int err;
	struct task *t = start(from, to, arg, 0, &err);

	return t ? task_join(t) : err - 1000;
}

static int run(const char *from, const char *to)
{
	return run_arg(from, to, 0);
}

KTEST(USER0001_syscalls_and_exit_status)
{
	KT_EXPECT(t, run(uprog_hello, uprog_hello_end) == 42);
}

KTEST(USER0002_bad_pointers_get_efault)
{
	int r = run_arg(uprog_badptr, uprog_badptr_end,
			(uint64_t)NH_ENOSYS << 16 | NH_EFAULT);

	ktest_diag(t, "bad-pointer cases that got -EFAULT/-ENOSYS: mask 0x%x", r);
	KT_EXPECT(t, r == 0x3f);
}

KTEST(USER0003_user_faults_end_only_their_task)
{
	KT_EXPECT(t, run(uprog_load0, uprog_load0_end) == -NH_EFAULT);
	KT_EXPECT(t, run(uprog_store_code, uprog_store_code_end) == -NH_EFAULT);
	KT_EXPECT(t, run(uprog_jump0, uprog_jump0_end) == -NH_EFAULT);
	KT_EXPECT(t, run(uprog_illegal, uprog_illegal_end) == -NH_EFAULT);
	KT_EXPECT(t, run(uprog_hello, uprog_hello_end) == 42);	/* still fine */
}

KTEST(USER0004_registers_survive_preemption_and_migration)
{
	/* Four threads share hart 0, so the tick preempts them; with more
	 * harts the test moves them between harts 0 and 1 while they spin. */
	unsigned n = 4, moves = 0;
	struct task *k[4];
	uint64_t preempted = 0;
	int err;

	for (unsigned i = 0; i < n; i++) {
		k[i] = start(uprog_regs, uprog_regs_end, 0, 1, &err);
		KT_EXPECT(t, k[i] != 0);
		if (k[i])
			task_get(k[i]);
	}
	for (unsigned round = 0; nharts_online > 1 && round < 16; round++) {
		struct task *v = k[round % n];

		task_sleep_ns(3000000);
		if (v && v->state != TASK_DEAD &&
		    sched_set_affinity(v, round & 4 ? 1 : 2) == 0)
			moves++;
	}
	for (unsigned i = 0; i < n; i++) {
		if (!k[i])
			continue;
		int code = task_join(k[i]);
		KT_EXPECT(t, code == 0);
		if (code)
			ktest_diag(t, "thread %u: register x%d changed", i, code);
		preempted += k[i]->nivcsw;
		task_put(k[i]);
	}
	ktest_diag(t, "%u threads, preempted %lu times, %u affinity moves", n,
		   (unsigned long)preempted, moves);
	KT_EXPECT(t, preempted > 0);
}

KTEST(USER0006_fp_state_survives_preemption_and_migration)
{
	struct task *k[4];
	uint64_t preempted = 0;
	int err;

	for (unsigned i = 0; i < 4; i++) {
		k[i] = start(uprog_fpregs, uprog_fpregs_end, 0, 1, &err);
		KT_EXPECT(t, k[i] != 0);
		if (k[i])
			task_get(k[i]);
	}
	for (unsigned round = 0; nharts_online > 1 && round < 12; round++) {
		struct task *v = k[round % 4];	/* move them between harts */

		task_sleep_ns(3000000);
		if (v && v->state != TASK_DEAD)
			sched_set_affinity(v, round & 4 ? 1 : 2);
	}
	for (unsigned i = 0; i < 4; i++) {
		if (!k[i])
			continue;
		int code = task_join(k[i]);
		KT_EXPECT(t, code == 0);
		if (code)
			ktest_diag(t, "thread %u: FP check %d failed", i, code);
		preempted += k[i]->nivcsw;
		task_put(k[i]);
	}
	ktest_diag(t, "4 FP threads, preempted %lu times",
		   (unsigned long)preempted);
	KT_EXPECT(t, preempted > 0);
}

KTEST(USER0009_registers_survive_blocking_syscalls)
{
	struct task *k[4];
	int err;

	for (unsigned i = 0; i < 4; i++) {
		k[i] = start(uprog_sysregs, uprog_sysregs_end, 0, 1, &err);
		KT_EXPECT(t, k[i] != 0);
	}
	for (unsigned i = 0; i < 4; i++) {
		int code = k[i] ? task_join(k[i]) : -1;

		KT_EXPECT(t, code == 0);
		if (code)
			ktest_diag(t, "thread %u: register x%d changed", i, code);
	}
}

KTEST(USER0005_spaces_rejects_bad_maps)
{
	int err;
	struct vmspace *u = vm_create(&err);
	uint64_t va;

	KT_EXPECT(t, u != 0);
	if (!u)
		return;
	va = 0;
	KT_EXPECT(t, vm_map(u, &va, 4096, VM_READ, NH_MAP_FIXED, 0, 0) == -NH_EINVAL);
	va = 0x10001;
	KT_EXPECT(t, vm_map(u, &va, 4096, VM_READ, NH_MAP_FIXED, 0, 0) == -NH_EINVAL);
	va = 0x10000;
	KT_EXPECT(t, vm_map(u, &va, 4096, VM_WRITE | VM_EXEC, NH_MAP_FIXED, 0, 0) == -NH_EINVAL);
	va = 0x3ffffff000;
	KT_EXPECT(t, vm_map(u, &va, 8192, VM_READ, NH_MAP_FIXED, 0, 0) == -NH_EINVAL);
	va = 0x10000;
	KT_EXPECT(t, vm_map(u, &va, 4096, VM_READ, NH_MAP_FIXED, 0, 0) == 0);
	KT_EXPECT(t, vm_map(u, &va, 4096, VM_READ, NH_MAP_FIXED, 0, 0) == -NH_EEXIST);
	vm_put(u);
}

/* The null system call from user mode: the program times itself. */
KBENCH(null_syscall, 100000)
{
	int err;
	struct task *t = start(uprog_nullbench, uprog_nullbench_end, iters, 1, &err);
	int per_call = t ? task_join(t) : -1;

	return per_call > 0 ? (uint64_t)per_call * iters : 0;
}

KTEST(USER0007_programs_from_the_initramfs)
{
	static const char *const argv[] = { "hello", "one", "two", 0 };
	static const char *const envp[] = { "HOME=/", "TERM=dumb", 0 };
	const void *elf;
	size_t len;
	int err;
	struct task *k;

	if (initramfs_find("/bin/hello", &elf, &len)) {
		ktest_skip(t, "no initramfs with /bin/hello (boot with -initrd)");
		return;
	}
	k = exec_spawn(elf, len, argv, envp, 0, &err);
	KT_EXPECT(t, k != 0);
	if (k)
		KT_EXPECT(t, task_join(k) == 7);	/* argv arrived intact */
	KT_EXPECT(t, initramfs_find("/bin/nonesuch", &elf, &len) == -NH_ENOENT);
}

/* The boot-time index answers every lookup as the archive walk does. */
static void same_as_walk(struct ktest_ctx *t, const void *a, size_t alen, const char *name)
{
	struct cpio_file f;
	const void *data = 0;
	size_t len = 0;
	int walk = cpio_find(a, alen, name, &f), fast = initramfs_find(name, &data, &len);

	KT_EXPECT(t, walk == fast && (walk || (data == f.data && len == f.size)));
}

KTEST(USER0010_initramfs_index_agrees_with_the_walk)
{
	static const char *const odd[] = { "", "/", "bin", "/bin", "/bin/", "bin/hello",
					   "./bin/hello", "//bin/hello", "/bin//hello",
					   "/bin/hello/", "/nonesuch", "TRAILER!!!" };
	char name[128];
	struct cpio_file e;
	size_t alen, off = 0, n = 0;
	bool indexed;
	const void *a = initramfs_archive(&alen, &indexed);

	if (!a) {
		ktest_skip(t, "no initramfs");
		return;
	}
	KT_EXPECT(t, indexed);
	while (cpio_next(a, alen, &off, &e) == 1 && e.namelen < sizeof(name)) {
		memcpy(name, e.name, e.namelen);
		name[e.namelen] = '\0';
		same_as_walk(t, a, alen, name);
		n++;
	}
	for (unsigned i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		same_as_walk(t, a, alen, odd[i]);
	ktest_diag(t, "%lu entries looked up both ways", (unsigned long)n);
}

KTEST(USER0008_exec_rejects_bad_images_and_arguments)
{
	static const char *const argv[] = { "hello", 0 };
	static char big[5000];
	const char *const huge[] = { "hello", big, 0 };
	const void *elf;
	size_t len;
	int err = 0;
	uint64_t pa;
	uint8_t *copy;

	if (initramfs_find("/bin/hello", &elf, &len) || len < 4096) {
		ktest_skip(t, "no initramfs with /bin/hello");
		return;
	}
	KT_EXPECT(t, !exec_spawn(elf, 100, argv, 0, 0, &err) && err == -NH_ENOEXEC);
	KT_EXPECT(t, !exec_spawn("\177ELF", 4, argv, 0, 0, &err) && err == -NH_ENOEXEC);
	memset(big, 'a', sizeof(big) - 1);
	KT_EXPECT(t, !exec_spawn(elf, len, huge, 0, 0, &err) && err == -NH_E2BIG);
	/* A corrupt copy of the headers: the machine is not RISC-V. */
	pa = frame_alloc();
	copy = pa ? kmap_phys(pa) : 0;
	if (copy) {
		memcpy(copy, elf, 4096);
		copy[18] = 0x3e;	/* e_machine: x86-64 */
		KT_EXPECT(t, !exec_spawn(copy, 4096, argv, 0, 0, &err) &&
			     err == -NH_ENOEXEC);
		frame_put(pa);
	}
}
