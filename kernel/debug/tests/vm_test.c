/*
 * Self-tests and benchmarks of address spaces (vm.c, vm_tlb.c, memobj.c):
 * demand zero-fill, copy-on-write clones and the count-one reuse, four
 * harts breaking the same COW pages, permission changes seen by a thread
 * running on another hart, kernel copies into absent and shared pages,
 * running out of memory in a COW break, hostile arguments, region
 * splitting, shared and private memory objects, the charge limit, ASID
 * rollovers; and the zero-fill, clone and COW-fault figures.
 */
#include <nuthatch/errno.h>
#include <nuthatch/task.h>

#include "debug/bench.h"
#include "mm/frame.h"
#include "core/hart.h"
#include "mm/kmap.h"
#include "debug/ktest.h"
#include "lib/kstring.h"
#include "mm/memobj.h"
#include "mm/initramfs.h"
#include "core/boot.h"
#include "sched/task.h"
#include "sched/timer.h"
#include "debug/tests/uprog.h"
#include "mm/vm.h"

#define DATA_VA		0x10000000ul
#define MODE_LOAD	1
#define SLEEP(ns)	((uint64_t)(ns) << 1)

extern const char uprog_pages[], uprog_pages_end[];
extern const char uprog_spinstore[], uprog_spinstore_end[];

static struct vmspace *pages_space(uint64_t npages, int *err)
{
	struct vmspace *s = uprog_space(uprog_pages, uprog_pages_end, err);
	uint64_t va = DATA_VA;

	if (s && (*err = vm_map(s, &va, npages * 4096, VM_READ | VM_WRITE,
				NH_MAP_FIXED, 0, 0))) {
		vm_put(s);
		return 0;
	}
	return s;
}

/* Start uprog_pages in @s with argument block @slot; NULL and *err. */
static struct task *start_pages(struct vmspace *s, unsigned slot, uint64_t npages,
				uint64_t word, uint64_t mode, uint64_t harts, int *err)
{
	struct task_attr a = { .cls = SCHED_FAIR, .allowed = harts };
	uint64_t args[4] = { DATA_VA, npages, word, mode };
	uint64_t at = STACK_VA + slot * sizeof(args);
	struct task *t;

	*err = vm_write(s, at, args, sizeof(args), 0);
	if (*err)
		return 0;
	vm_get(s);
	t = utask_create("vmtest", s, CODE_VA, STACK_VA + 4096, at, &a, err);
	if (!t)
		vm_put(s);
	return t;
}

/* Run uprog_pages to the end: its exit code, or an error - 1000. */
static long pages(struct vmspace *s, uint64_t npages, uint64_t word, uint64_t mode)
{
	int err;
	struct task *t = start_pages(s, 0, npages, word, mode, 0, &err);

	return t ? task_join(t) : err - 1000;
}

static uint64_t word_at(struct vmspace *s, uint64_t va)
{
	uint64_t w = ~0ul;

	vm_read(s, va, &w, sizeof(w));
	return w;
}

static uint64_t pa_of(struct vmspace *s, uint64_t va, unsigned *prot)
{
	uint64_t pa = 0;
	unsigned p = 0;

	vm_translate(s, va, &pa, prot ? prot : &p);
	return pa;
}

KTEST(VM0001_zero_fill_on_first_touch)
{
	int err;
	struct vmspace *s = pages_space(16, &err);
	struct nh_space_stat st;
	struct nh_region r;
	uint64_t before;

	KT_EXPECT(t, s != 0);
	if (!s)
		return;
	vm_stat(s, &st);
	before = st.resident;
	KT_EXPECT(t, pa_of(s, DATA_VA, 0) == 0);		/* nothing yet */
	KT_EXPECT(t, pages(s, 16, 0, MODE_LOAD) == 0);	/* reads zeroes */
	vm_stat(s, &st);
	KT_EXPECT(t, vm_query(s, DATA_VA, &r) == 0 && r.resident == 16);
	KT_EXPECT(t, st.resident == before + 16 + 1);	/* and the stack page */
	KT_EXPECT(t, pages(s, 16, 0x5a5a, 0) >= 0);
	KT_EXPECT(t, word_at(s, DATA_VA + 15 * 4096) == 0x5a5a);
	vm_put(s);
}

KTEST(VM0002_clone_shares_old_data_and_keeps_writes_private)
{
	int err;
	struct vmspace *s = pages_space(32, &err), *c;
	unsigned ps, pc;
	uint64_t free0;

	KT_EXPECT(t, s != 0);
	if (!s)
		return;
	KT_EXPECT(t, pages(s, 32, 0x11, 0) >= 0);
	free0 = frame_free_count();
	c = vm_clone(s, &err);
	KT_EXPECT(t, c != 0);
	if (!c) {
		vm_put(s);
		return;
	}
	/* Tables only: no page was copied. */
	KT_EXPECT(t, free0 - frame_free_count() < 8);
	KT_EXPECT(t, pa_of(s, DATA_VA, &ps) == pa_of(c, DATA_VA, &pc));
	KT_EXPECT(t, !(ps & VM_WRITE) && !(pc & VM_WRITE));
	KT_EXPECT(t, pages(c, 32, 0x22, 0) >= 0);	/* the clone writes */
	KT_EXPECT(t, pages(s, 32, 0x11, MODE_LOAD) == 0);	/* the old data */
	KT_EXPECT(t, pages(c, 32, 0x22, MODE_LOAD) == 0);
	KT_EXPECT(t, pages(s, 32, 0x33, 0) >= 0);	/* the original writes */
	KT_EXPECT(t, pages(c, 32, 0x22, MODE_LOAD) == 0);
	KT_EXPECT(t, pa_of(s, DATA_VA, 0) != pa_of(c, DATA_VA, 0));
	vm_put(c);
	vm_put(s);
}

KTEST(VM0003_count_one_regains_write_without_a_copy)
{
	int err;
	struct vmspace *s = pages_space(4, &err), *c;
	uint64_t pa;
	unsigned prot;

	KT_EXPECT(t, s != 0);
	if (!s)
		return;
	KT_EXPECT(t, pages(s, 4, 1, 0) >= 0);
	c = vm_clone(s, &err);
	KT_EXPECT(t, c != 0);
	if (c)
		vm_put(c);		/* the clone goes: count one again */
	pa = pa_of(s, DATA_VA, &prot);
	KT_EXPECT(t, !(prot & VM_WRITE));
	KT_EXPECT(t, frame_refcount(pa) == 1);
	KT_EXPECT(t, pages(s, 4, 2, 0) >= 0);
	KT_EXPECT(t, pa_of(s, DATA_VA, &prot) == pa);	/* the same frame */
	KT_EXPECT(t, prot & VM_WRITE);
	vm_put(s);
}

KTEST(VM0004_four_harts_break_the_same_cow_pages)
{
	unsigned n = nharts_online < 4 ? nharts_online : 4;
	struct task *w[4] = { 0 };
	struct vmspace *s, *c;
	int err;

	if (n < 2) {
		ktest_skip(t, "needs 2 harts");
		return;
	}
	s = pages_space(64, &err);
	KT_EXPECT(t, s != 0);
	if (!s)
		return;
	KT_EXPECT(t, pages(s, 64, 0x11, 0) >= 0);
	c = vm_clone(s, &err);
	KT_EXPECT(t, c != 0);
	for (unsigned i = 0; c && i < n; i++) {
		w[i] = start_pages(c, i, 64, 0x100 + i, 0, 1ull << i, &err);
		if (!w[i])
			ktest_diag(t, "worker %u: %s (online 0x%lx)", i, nh_strerror(err), hart_online_mask());
	}
	for (unsigned i = 0; i < n; i++)
		KT_EXPECT(t, w[i] && task_join(w[i]) >= 0);
	for (uint64_t p = 0; c && p < 64; p++) {
		uint64_t va = DATA_VA + p * 4096, v = word_at(c, va);
		uint64_t pc = pa_of(c, va, 0), ps = pa_of(s, va, 0);

		KT_EXPECT(t, v >= 0x100 && v < 0x100 + n);
		KT_EXPECT(t, word_at(s, va) == 0x11);
		/* exactly one copy: each frame has one user again */
		KT_EXPECT(t, pc != ps && frame_refcount(pc) == 1 && frame_refcount(ps) == 1);
	}
	if (c)
		vm_put(c);
	vm_put(s);
}

/* Wait until the spinning store has started; false after 1 s. */
static bool spinning(struct vmspace *s)
{
	for (int i = 0; i < 1000; i++) {
		if (word_at(s, DATA_VA) != 0 && word_at(s, DATA_VA) != ~0ul)
			return true;
		task_sleep_ns(1000000);
	}
	return false;
}

static struct task *spinner(struct vmspace **sp, int *err)
{
	struct task_attr a = { .cls = SCHED_FAIR, .allowed = 2 };	/* hart 1 */
	struct vmspace *s = uprog_space(uprog_spinstore, uprog_spinstore_end, err);
	uint64_t va = DATA_VA;
	struct task *t;

	if (!s)
		return 0;
	*err = vm_map(s, &va, 4096, VM_READ | VM_WRITE, NH_MAP_FIXED, 0, 0);
	vm_get(s);
	t = *err ? 0 : utask_create("spinner", s, CODE_VA, STACK_VA + 4096, DATA_VA, &a, err);
	if (!t) {
		vm_put(s);
		vm_put(s);
		return 0;
	}
	*sp = s;
	return t;
}

KTEST(VM0005_protect_and_unmap_stop_a_thread_on_another_hart)
{
	for (int unmap = 0; unmap < 2; unmap++) {
		struct vmspace *s;
		struct task *w;
		uint64_t seen = 0;
		int err;

		if (nharts_online < 2) {
			ktest_skip(t, "needs 2 harts");
			return;
		}
		w = spinner(&s, &err);
		KT_EXPECT(t, w != 0);
		if (!w)
			ktest_diag(t, "spinner: %s", nh_strerror(err));
		if (!w)
			return;
		KT_EXPECT(t, spinning(s));
		if (unmap) {
			KT_EXPECT(t, vm_unmap(s, DATA_VA, 4096) == 0);
		} else {
			KT_EXPECT(t, vm_protect(s, DATA_VA, 4096, VM_READ) == 0);
			seen = word_at(s, DATA_VA);	/* no store lands after this */
		}
		task_sleep_ns(2000000);
		if (!unmap)
			KT_EXPECT(t, word_at(s, DATA_VA) == seen);
		task_get(w);
		KT_EXPECT(t, task_join(w) == -NH_EFAULT);
		KT_EXPECT(t, w->faulted && w->fault_cause == 15 && w->fault_addr == DATA_VA);
		task_put(w);
		vm_put(s);
	}
}

KTEST(VM0006_asid_mode_flushes_or_rolls_over)
{
	struct vm_tlb_stats a, b;
	int err = 0;

	vm_tlb_stats(&a);
	for (int i = 0; i < 8 && !err; i++) {
		struct vmspace *s = pages_space(1, &err);

		if (s) {
			KT_EXPECT(t, pages(s, 1, 7, 0) >= 0);
			KT_EXPECT(t, pages(s, 1, 7, MODE_LOAD) == 0);
			vm_put(s);
		}
	}
	KT_EXPECT(t, err == 0);
	vm_tlb_stats(&b);
	ktest_diag(t, "%u ASID bits: %lu full flushes, %lu ASID flushes, %lu rollovers",
		   b.bits, b.flush_all - a.flush_all, b.flush_asid - a.flush_asid,
		   b.rollovers - a.rollovers);
	if (b.bits == 0)
		KT_EXPECT(t, b.flush_all - a.flush_all >= 8);
	else if (b.bits <= 3)
		KT_EXPECT(t, b.rollovers > a.rollovers);	/* 16 runs, <= 7 ASIDs */
	else
		KT_EXPECT(t, b.flush_asid - a.flush_asid >= 8);	/* fresh ASIDs */
}

KTEST(VM0007_kernel_copies_reach_absent_and_cow_pages)
{
	int err;
	struct vmspace *s = pages_space(4, &err), *c;
	char buf[8] = { 0 };
	uint64_t zero = 1;

	KT_EXPECT(t, s != 0);
	if (!s)
		return;
	KT_EXPECT(t, vm_write(s, DATA_VA + 4093, "abcdefg", 8, 0) == 0);	/* spans 2 */
	KT_EXPECT(t, vm_read(s, DATA_VA + 4093, buf, 8) == 0 && !strcmp(buf, "abcdefg"));
	KT_EXPECT(t, vm_read(s, DATA_VA + 3 * 4096, &zero, 8) == 0 && zero == 0);
	c = vm_clone(s, &err);
	KT_EXPECT(t, c != 0);
	if (c) {
		KT_EXPECT(t, vm_write(c, DATA_VA + 4093, "ABCDEFG", 8, 0) == 0);
		KT_EXPECT(t, vm_read(s, DATA_VA + 4093, buf, 8) == 0 && !strcmp(buf, "abcdefg"));
		KT_EXPECT(t, vm_read(c, DATA_VA + 4093, buf, 8) == 0 && !strcmp(buf, "ABCDEFG"));
		vm_put(c);
	}
	KT_EXPECT(t, vm_write(s, DATA_VA + 4 * 4096, "x", 1, 0) == -NH_EFAULT);
	KT_EXPECT(t, vm_write(s, CODE_VA, "x", 1, 0) == -NH_EFAULT);	/* not W */
	KT_EXPECT(t, vm_read(s, 0xffffffff80000000ul, buf, 8) == -NH_EFAULT);
	KT_EXPECT(t, vm_read(s, VM_USER_HI - 4, buf, 8) == -NH_EFAULT);
	vm_put(s);
}

/* Take every free frame but @spare, chained through their first words. */
static uint64_t hog(uint64_t spare)
{
	uint64_t head = 0, pa;

	while (frame_free_count() > spare && (pa = frame_alloc())) {
		*(uint64_t *)kmap_phys(pa) = head;
		head = pa;
	}
	return head;
}

static void unhog(uint64_t head)
{
	while (head) {
		uint64_t next = *(uint64_t *)kmap_phys(head);

		frame_put(head);
		head = next;
	}
}

KTEST(VM0008_no_memory_in_a_cow_break_ends_only_that_task)
{
	int err;
	struct vmspace *s = pages_space(256, &err), *c;
	struct task *w = 0;
	struct nh_exit rec;
	uint64_t held = 0;
	long code;

	KT_EXPECT(t, s != 0);
	if (!s)
		return;
	KT_EXPECT(t, pages(s, 256, 0x11, 0) >= 0);
	c = vm_clone(s, &err);
	KT_EXPECT(t, c != 0);
	if (c) {
		/* 64 frames left: enough to start it, not for 256 copies */
		held = hog(64);
		w = start_pages(c, 0, 256, 0x22, 0, 0, &err);
	}
	KT_EXPECT(t, w != 0);
	if (w) {
		task_get(w);
		code = task_join(w);
		KT_EXPECT(t, code == -NH_ENOMEM);
		if (code != -NH_ENOMEM)
			ktest_diag(t, "exit %ld", code);
		KT_EXPECT(t, w->faulted && w->fault_cause == 15);
		task_exit_record(w, &rec);
		KT_EXPECT(t, rec.reason == NH_EXIT_OOM && rec.code == -NH_ENOMEM &&
			  rec.addr >= DATA_VA && rec.addr < DATA_VA + 256 * 4096);
		task_put(w);
	}
	unhog(held);
	KT_EXPECT(t, pages(s, 256, 0x11, MODE_LOAD) == 0);	/* the rest runs on */
	if (c)
		vm_put(c);
	vm_put(s);
}

KTEST(VM0009_hostile_map_unmap_protect_arguments)
{
	int err;
	struct vmspace *s = vm_create(&err);
	struct memobj *o = memobj_create(8192, &err);
	uint64_t va;

	KT_EXPECT(t, s && o);
	if (!s || !o)
		goto out;
	va = DATA_VA;
	KT_EXPECT(t, vm_map(s, &va, 8192, VM_READ, NH_MAP_FIXED, 0, 0) == 0);
	va = DATA_VA + 4096;	/* overlap */
	KT_EXPECT(t, vm_map(s, &va, 8192, VM_READ, NH_MAP_FIXED, 0, 0) == -NH_EEXIST);
	va = DATA_VA + 100;	/* unaligned */
	KT_EXPECT(t, vm_map(s, &va, 4096, VM_READ, NH_MAP_FIXED, 0, 0) == -NH_EINVAL);
	va = DATA_VA + 0x100000;
	KT_EXPECT(t, vm_map(s, &va, 0, VM_READ, NH_MAP_FIXED, 0, 0) == -NH_EINVAL);
	KT_EXPECT(t, vm_map(s, &va, 100, VM_READ, 0, 0, 0) == -NH_EINVAL);
	va = ~0ul & ~4095ul;	/* wraps */
	KT_EXPECT(t, vm_map(s, &va, 8192, VM_READ, NH_MAP_FIXED, 0, 0) == -NH_EINVAL);
	va = 0xffffffc000000000ul;	/* the kernel half */
	KT_EXPECT(t, vm_map(s, &va, 4096, VM_READ, NH_MAP_FIXED, 0, 0) == -NH_EINVAL);
	va = VM_USER_HI - 4096;
	KT_EXPECT(t, vm_map(s, &va, 8192, VM_READ, NH_MAP_FIXED, 0, 0) == -NH_EINVAL);
	va = DATA_VA + 0x100000;
	KT_EXPECT(t, vm_map(s, &va, 4096, VM_WRITE | VM_EXEC, NH_MAP_FIXED, 0, 0) == -NH_EINVAL);
	KT_EXPECT(t, vm_map(s, &va, 4096, 8, NH_MAP_FIXED, 0, 0) == -NH_EINVAL);
	KT_EXPECT(t, vm_map(s, &va, 4096, VM_READ, 0x80, 0, 0) == -NH_EINVAL);
	KT_EXPECT(t, vm_map(s, &va, 4096, VM_READ, NH_MAP_SHARED | NH_MAP_PRIVATE, o, 0) == -NH_EINVAL);
	KT_EXPECT(t, vm_map(s, &va, 4096, VM_READ, NH_MAP_FIXED, o, 8192) == -NH_EINVAL);
	KT_EXPECT(t, vm_map(s, &va, 4096, VM_READ, NH_MAP_FIXED, o, 100) == -NH_EINVAL);
	KT_EXPECT(t, vm_map(s, &va, 3 * 4096, VM_READ, NH_MAP_FIXED, o, 0) == -NH_EINVAL);
	KT_EXPECT(t, vm_unmap(s, DATA_VA, 0) == -NH_EINVAL);
	KT_EXPECT(t, vm_unmap(s, DATA_VA + 1, 4096) == -NH_EINVAL);
	KT_EXPECT(t, vm_unmap(s, ~0ul & ~4095ul, 8192) == -NH_EINVAL);
	KT_EXPECT(t, vm_unmap(s, 0xffffffff80000000ul, 4096) == -NH_EINVAL);
	KT_EXPECT(t, vm_protect(s, DATA_VA, 8192, VM_WRITE | VM_EXEC) == -NH_EINVAL);
	KT_EXPECT(t, vm_protect(s, DATA_VA, 3 * 4096, VM_READ) == -NH_ENOMEM);	/* a hole */
	KT_EXPECT(t, vm_protect(s, 0, 4096, VM_READ) == -NH_EINVAL);
	KT_EXPECT(t, vm_unmap(s, DATA_VA + 0x200000, 4096) == 0);	/* nothing there: fine */
out:
	if (o)
		memobj_put(o);
	if (s)
		vm_put(s);
}

KTEST(VM0010_clone_of_64_mib_dirty_gives_every_frame_back)
{
	const uint64_t n = (64ul << 20) / 4096;
	struct nh_space_stat a, b;
	struct vmspace *s, *c;
	int err;

	if (frame_free_count() < n + 4096) {
		ktest_skip(t, "needs 80 MiB free");
		return;
	}
	s = pages_space(n, &err);
	KT_EXPECT(t, s != 0);
	if (!s)
		return;
	KT_EXPECT(t, pages(s, n, 0x77, 0) >= 0);
	c = vm_clone(s, &err);
	KT_EXPECT(t, c != 0);
	if (c) {
		vm_stat(s, &a);
		vm_stat(c, &b);
		KT_EXPECT(t, a.resident == b.resident && a.resident >= n);
		KT_EXPECT(t, pages(c, n, 0x77, MODE_LOAD) == 0);
		vm_put(c);	/* then both go: the leak check counts the frames */
	}
	vm_put(s);
}

KTEST(VM0011_unmap_and_protect_split_regions)
{
	int err;
	struct vmspace *s = vm_create(&err);
	struct nh_region r;
	uint64_t va = DATA_VA;

	KT_EXPECT(t, s != 0);
	if (!s)
		return;
	KT_EXPECT(t, vm_map(s, &va, 8 * 4096, VM_READ | VM_WRITE, NH_MAP_FIXED, 0, 0) == 0);
	KT_EXPECT(t, vm_write(s, DATA_VA, "x", 1, 0) == 0);
	KT_EXPECT(t, vm_unmap(s, DATA_VA + 2 * 4096, 2 * 4096) == 0);
	KT_EXPECT(t, vm_protect(s, DATA_VA + 5 * 4096, 4096, VM_READ) == 0);
	KT_EXPECT(t, vm_query(s, DATA_VA, &r) == 0);
	KT_EXPECT(t, r.start == DATA_VA && r.end == DATA_VA + 2 * 4096 && r.resident == 1);
	KT_EXPECT(t, vm_query(s, DATA_VA + 2 * 4096, &r) == 0);	/* the next one */
	KT_EXPECT(t, r.start == DATA_VA + 4 * 4096 && r.end == DATA_VA + 5 * 4096);
	KT_EXPECT(t, vm_query(s, DATA_VA + 5 * 4096, &r) == 0);
	KT_EXPECT(t, r.prot == VM_READ && r.end == DATA_VA + 6 * 4096);
	KT_EXPECT(t, vm_query(s, DATA_VA + 6 * 4096, &r) == 0 && r.prot == (VM_READ | VM_WRITE));
	KT_EXPECT(t, vm_query(s, DATA_VA + 8 * 4096, &r) == -NH_ENOENT);
	KT_EXPECT(t, vm_write(s, DATA_VA + 2 * 4096, "x", 1, 0) == -NH_EFAULT);
	/* PROT_NONE keeps the page; read/write again finds the data */
	KT_EXPECT(t, vm_protect(s, DATA_VA, 4096, 0) == 0);
	KT_EXPECT(t, vm_write(s, DATA_VA, "y", 1, 0) == -NH_EFAULT);
	KT_EXPECT(t, vm_protect(s, DATA_VA, 4096, VM_READ | VM_WRITE) == 0);
	KT_EXPECT(t, (word_at(s, DATA_VA) & 0xff) == 'x');
	vm_put(s);
}

KTEST(VM0012_shared_objects_stay_shared_private_ones_copy)
{
	int err;
	struct vmspace *s = vm_create(&err), *c = 0;
	struct memobj *o = memobj_create(2 * 4096, &err);
	uint64_t sh = DATA_VA, pr = DATA_VA + 0x100000, w = 0;

	KT_EXPECT(t, s && o);
	if (!s || !o)
		goto out;
	KT_EXPECT(t, vm_map(s, &sh, 8192, VM_READ | VM_WRITE, NH_MAP_FIXED | NH_MAP_SHARED, o, 0) == 0);
	KT_EXPECT(t, vm_map(s, &pr, 8192, VM_READ | VM_WRITE, NH_MAP_FIXED, o, 0) == 0);
	KT_EXPECT(t, vm_write(s, sh, "shared", 7, 0) == 0);
	c = vm_clone(s, &err);
	KT_EXPECT(t, c != 0);
	if (!c)
		goto out;
	KT_EXPECT(t, vm_write(c, sh + 8, "child", 6, 0) == 0);
	KT_EXPECT(t, vm_read(s, sh + 8, &w, 6) == 0 && !memcmp(&w, "child", 6));
	/* the private view saw the object's page, then its own copy */
	KT_EXPECT(t, vm_read(s, pr, &w, 7) == 0 && !memcmp(&w, "shared", 7));
	KT_EXPECT(t, vm_write(s, pr, "mine!!", 7, 0) == 0);
	KT_EXPECT(t, vm_read(c, sh, &w, 7) == 0 && !memcmp(&w, "shared", 7));
out:
	if (c)
		vm_put(c);
	if (o)
		memobj_put(o);
	if (s)
		vm_put(s);
}

KTEST(VM0013_initramfs_objects_are_read_only)
{
	int err;
	struct memobj *o = memobj_open_initramfs("/bin/hello", &err);
	struct vmspace *s = vm_create(&err);
	uint64_t va = DATA_VA;
	uint32_t magic = 0;

	KT_EXPECT(t, o && s);
	if (!o || !s)
		goto out;
	KT_EXPECT(t, vm_map(s, &va, 4096, VM_READ | VM_WRITE, NH_MAP_FIXED | NH_MAP_SHARED, o, 0) == -NH_EACCES);
	KT_EXPECT(t, vm_map(s, &va, 4096, VM_READ, NH_MAP_FIXED | NH_MAP_SHARED, o, 0) == 0);
	KT_EXPECT(t, vm_protect(s, va, 4096, VM_READ | VM_WRITE) == -NH_EACCES);
	KT_EXPECT(t, vm_write(s, va, "x", 1, VM_FORCE) == -NH_EFAULT);
	KT_EXPECT(t, vm_read(s, va, &magic, 4) == 0 && magic == 0x464c457f);
	va = DATA_VA + 0x100000;
	KT_EXPECT(t, vm_map(s, &va, 4096, VM_READ, NH_MAP_FIXED, o, 0) == 0);
	KT_EXPECT(t, vm_write(s, va, "X", 1, VM_FORCE) == 0);	/* a private copy */
	KT_EXPECT(t, vm_read(s, DATA_VA, &magic, 4) == 0 && magic == 0x464c457f);
	KT_EXPECT(t, memobj_open_initramfs("/bin/none", &err) == 0 && err == -NH_ENOENT);
out:
	if (s)
		vm_put(s);
	if (o)
		memobj_put(o);
}

KTEST(VM0014_charge_limit_refuses_pages_cleanly)
{
	int err;
	struct vmspace *s = pages_space(16, &err);
	struct nh_space_stat st;

	KT_EXPECT(t, s != 0);
	if (!s)
		return;
	vm_stat(s, &st);
	vm_set_limit(s, st.resident + 8);	/* the stack page is already in */
	KT_EXPECT(t, pages(s, 16, 1, 0) == -NH_ENOMEM);
	vm_stat(s, &st);
	KT_EXPECT(t, st.resident == st.limit);
	vm_set_limit(s, 0);
	KT_EXPECT(t, pages(s, 16, 1, 0) >= 0);
	vm_put(s);
}

/* ---- figures: iterations are pages ---- */

static uint64_t zero_fill(uint64_t n)
{
	int err;
	struct vmspace *s = pages_space(n, &err);
	long ns = s ? pages(s, n, 1, 0) : -1;

	if (s)
		vm_put(s);
	return ns > 0 ? (uint64_t)ns : 0;
}

/* A space with @n pages dirty and its clone: the clone's time. */
static uint64_t dirty_clone(uint64_t n, struct vmspace **sp, struct vmspace **cp)
{
	int err;
	struct vmspace *s = pages_space(n, &err);
	uint64_t t0;

	*sp = s;
	*cp = 0;
	if (!s || pages(s, n, 1, 0) <= 0)
		return 0;
	t0 = clock_ns();
	*cp = vm_clone(s, &err);
	return *cp ? clock_ns() - t0 : 0;
}

static uint64_t clone_cow(uint64_t n)
{
	struct vmspace *s, *c;
	uint64_t ns = dirty_clone(n, &s, &c);

	if (c)
		vm_put(c);
	if (s)
		vm_put(s);
	return ns;
}

static uint64_t cow_fault(uint64_t n)
{
	struct vmspace *s, *c;
	long ns = dirty_clone(n, &s, &c) ? pages(c, n, 2, 0) : -1;

	if (c)
		vm_put(c);
	if (s)
		vm_put(s);
	return ns > 0 ? (uint64_t)ns : 0;
}

KBENCH(zero_fill_1m, 256) { return zero_fill(iters); }
KBENCH(zero_fill_8m, 2048) { return zero_fill(iters); }
KBENCH(zero_fill_64m, 16384) { return zero_fill(iters); }
KBENCH(clone_cow_1m, 256) { return clone_cow(iters); }
KBENCH(clone_cow_8m, 2048) { return clone_cow(iters); }
KBENCH(clone_cow_64m, 16384) { return clone_cow(iters); }
KBENCH(cow_fault_1m, 256) { return cow_fault(iters); }
KBENCH(cow_fault_8m, 2048) { return cow_fault(iters); }
KBENCH(cow_fault_64m, 16384) { return cow_fault(iters); }

/*
 * A device object's pages are not the pool's: mapping, faulting, cloning,
 * unmapping and destroying never touch a frame reference, kernel copies
 * refuse them, and only shared, non-executable mappings are allowed.  A
 * frame stands in for the MMIO range, so its count shows any touch.
 */
KTEST(VM0015_device_objects_never_take_frame_references)
{
	int err;
	uint64_t frame = frame_alloc_zeroed(), va = DATA_VA, pa = 0, w = 0;
	struct memobj *o = frame ? memobj_device(frame, 4096, &err) : 0;
	struct vmspace *s = vm_create(&err), *c = 0;
	unsigned prot;

	KT_EXPECT(t, frame && o && s);
	if (!frame || !o || !s)
		goto out;
	KT_EXPECT(t, memobj_device(frame + 8, 4096, &err) == 0 && err == -NH_EINVAL);
	KT_EXPECT(t, vm_map(s, &va, 4096, VM_READ | VM_WRITE, NH_MAP_FIXED, o, 0) == -NH_EINVAL);
	KT_EXPECT(t, vm_map(s, &va, 4096, VM_READ | VM_EXEC, NH_MAP_FIXED | NH_MAP_SHARED, o, 0) == -NH_EINVAL);
	KT_EXPECT(t, vm_map(s, &va, 4096, VM_READ | VM_WRITE, NH_MAP_FIXED | NH_MAP_SHARED, o, 0) == 0);
	KT_EXPECT(t, vm_fault(s, va, VM_WRITE) == 0);
	KT_EXPECT(t, vm_translate(s, va, &pa, &prot) == 0 && pa == frame &&
		  (prot & VM_WRITE));
	KT_EXPECT(t, frame_refcount(frame) == 1);
	KT_EXPECT(t, vm_write(s, va, "x", 1, 0) == -NH_EFAULT);
	KT_EXPECT(t, vm_read(s, va, &w, 8) == -NH_EFAULT);
	c = vm_clone(s, &err);
	KT_EXPECT(t, c && vm_translate(c, va, &pa, &prot) == 0 && pa == frame);
	KT_EXPECT(t, frame_refcount(frame) == 1);
	KT_EXPECT(t, vm_protect(s, va, 4096, 0) == 0 && vm_protect(s, va, 4096, VM_READ) == 0);
	KT_EXPECT(t, vm_protect(s, va, 4096, VM_READ | VM_EXEC) == -NH_EACCES);	/* never run */
	KT_EXPECT(t, vm_unmap(s, va, 4096) == 0);
	KT_EXPECT(t, frame_refcount(frame) == 1);
out:
	if (c)
		vm_put(c);	/* drops its device leaf */
	if (s)
		vm_put(s);
	if (o)
		memobj_put(o);
	if (frame) {
		KT_EXPECT(t, frame_refcount(frame) == 1);
		frame_put(frame);
	}
}

KTEST(VM0016_no_heap_before_a_program_and_no_peeking_at_guards)
{
	int err;
	struct vmspace *s = vm_create(&err);
	struct nh_region r;
	uint64_t va = DATA_VA, w;

	KT_EXPECT(t, s != 0);
	if (!s)
		return;
	KT_EXPECT(t, vm_brk(s, 0x20000) == 0);	/* no heap was ever set up */
	KT_EXPECT(t, vm_query(s, 0, &r) == -NH_ENOENT);
	KT_EXPECT(t, vm_map(s, &va, 4096, VM_READ | VM_WRITE, NH_MAP_FIXED, 0, 0) == 0);
	KT_EXPECT(t, vm_protect(s, DATA_VA, 4096, 0) == 0);
	KT_EXPECT(t, vm_read(s, DATA_VA, &w, 8) == -NH_EFAULT);	/* a guard stays shut */
	KT_EXPECT(t, vm_query(s, DATA_VA, &r) == 0 && r.resident == 0);	/* nothing charged */
	vm_put(s);
}

/* Does a reservation of bytes other than the initrd's touch its pages? */
static bool others_share(void)
{
	const struct platform *p = &boot_platform;
	uint64_t hi = (p->initrd_end + 4095) & ~4095ull;

	for (unsigned i = 0; i < p->nrsv; i++) {
		const struct plat_rsv *r = &p->rsv[i];

		if (r->size && r->base < hi && p->initrd_start < r->base + r->size &&
		    !(r->base >= p->initrd_start && r->base + r->size <= p->initrd_end))
			return true;
	}
	return false;
}

/* The archive object is the initramfs's own pages, taken into the frame
 * pool (no copy) when it starts on a page: page i is the initrd's frame
 * i, counted in use; its bytes are the archive's; it is read-only. */
KTEST(VM0017_the_archive_object_is_the_initramfs_in_place)
{
	size_t len = 0, alen = 0;
	bool indexed, in_place = false;
	const void *a = initramfs_archive(&alen, &indexed);
	struct memobj *o = initramfs_object(&len, &in_place);
	uint64_t pa = 0, last = 0;

	KT_EXPECT(t, a && o && len == alen);
	if (!o)
		return;
	KT_EXPECT(t, o->readonly && o->npages == (len + 4095) / 4096);
	KT_EXPECT(t, memobj_page(o, 0, false, &pa) == 0 &&
		     memobj_page(o, o->npages - 1, false, &last) == 0);
	/* in place exactly when the initrd starts on a page (QEMU's -initrd
	 * and U-Boot's booti put it on one) and no reservation of other
	 * bytes touches its pages (U-Boot's /memreserve/ of the initrd
	 * itself does not count) */
	KT_EXPECT(t, in_place == (!(boot_platform.initrd_start & 4095) && !others_share()));
	if (in_place) {
		KT_EXPECT(t, pa == boot_platform.initrd_start);
		KT_EXPECT(t, last == pa + (o->npages - 1) * 4096);
	}
	KT_EXPECT(t, frame_refcount(pa) >= 1 && frame_refcount(last) >= 1);
	KT_EXPECT(t, memcmp(kmap_phys(pa), a, 4096 < len ? 4096 : len) == 0);
	KT_EXPECT(t, ((const char *)kmap_phys(last))[len - (o->npages - 1) * 4096 - 1] ==
		     ((const char *)a)[len - 1]);
	memobj_put(o);
}

/* NH_MAP_POPULATE: a shared mapping enters the object's present pages at
 * once (and only those); a private one, or no flag, waits for faults;
 * unmapping gives every reference back (the runner counts frames). */
KTEST(VM0018_populate_enters_the_present_pages_at_once)
{
	int err;
	struct vmspace *s = vm_create(&err);
	struct memobj *o = memobj_create(3 * 4096, &err);
	struct nh_space_stat st;
	uint64_t va = DATA_VA, pa, va2 = DATA_VA + 0x100000, va3 = DATA_VA + 0x200000;

	KT_EXPECT(t, s && o);
	if (!s || !o)
		goto out;
	KT_EXPECT(t, memobj_page(o, 0, true, &pa) == 0 && memobj_page(o, 2, true, &pa) == 0);
	KT_EXPECT(t, vm_map(s, &va, 3 * 4096, VM_READ, NH_MAP_FIXED | NH_MAP_SHARED |
			    NH_MAP_POPULATE, o, 0) == 0);
	vm_stat(s, &st);
	KT_EXPECT(t, st.resident == 2);		/* pages 0 and 2; 1 has no frame */
	KT_EXPECT(t, vm_map(s, &va2, 3 * 4096, VM_READ, NH_MAP_FIXED | NH_MAP_PRIVATE |
			    NH_MAP_POPULATE, o, 0) == 0);
	KT_EXPECT(t, vm_map(s, &va3, 3 * 4096, VM_READ, NH_MAP_FIXED | NH_MAP_SHARED, o, 0) == 0);
	vm_stat(s, &st);
	KT_EXPECT(t, st.resident == 2);		/* neither entered a page */
	KT_EXPECT(t, vm_map(s, &va, 4096, VM_READ, 0x10 | NH_MAP_SHARED, o, 0) == -NH_EINVAL);
	KT_EXPECT(t, vm_unmap(s, DATA_VA, 3 * 4096) == 0);
	vm_stat(s, &st);
	KT_EXPECT(t, st.resident == 0);
out:
	if (o)
		memobj_put(o);
	if (s)
		vm_put(s);
}
