/*
 * Self-tests of task control (taskctl.c): suspending user tasks running
 * on another hart, sleeping in a call (which restarts unseen) or preempted;
 * their registers read and written; kill in every state; exit records;
 * scheduling parameters and harts of a running task; create, suspended or
 * not; replacing the address space; and every refusal.  The programs are
 * in user_progs.S.
 */
#include <stdint.h>

#include <nuthatch/errno.h>
#include <nuthatch/sysno.h>
#include <nuthatch/task.h>

#include "core/hart.h"
#include "debug/ktest.h"
#include "lib/kstring.h"
#include "sched/task.h"
#include "sched/taskctl.h"
#include "sched/timer.h"
#include "debug/tests/uprog.h"
#include "mm/vm.h"

#define STACK_TOP	(STACK_VA + 4096)
#define MS		1000000ull
#define SCAUSE_LOAD_PAGE_FAULT	13

#define PROG(name) extern const char uprog_##name[], uprog_##name##_end[]
PROG(spin);
PROG(sleeper);
PROG(startregs);
PROG(hello);
PROG(load0);
extern const char uprog_spin_exit[], uprog_sleeper_ecall[];

#define VA_OF(prog, label)	(CODE_VA + (uint64_t)((label) - uprog_##prog))

/* Start a program through taskctl_create (a0 = @a0, harts @allowed). */
static struct task *spawn(const char *from, const char *to, uint64_t a0,
			  uint64_t allowed, uint32_t flags)
{
	struct nh_task_start st = { .pc = CODE_VA, .sp = STACK_TOP, .a0 = a0,
				    .sched = { .cls = NH_SCHED_FAIR,
					       .allowed = allowed },
				    .flags = flags, .name = "tctl" };
	int err;
	struct vmspace *u = uprog_space(from, to, &err);
	struct task *t;

	if (!u)
		return 0;
	t = taskctl_create(u, &st, 0, &err);
	if (!t)
		vm_put(u);
	return t;
}

/* Wait for @k to end; its exit record in @e; drops the caller's reference. */
static void finish(struct task *k, struct nh_exit *e)
{
	task_get(k);
	task_join(k);
	task_exit_record(k, e);
	task_put(k);
}

/* Poll until @k is in state @s, for at most @ms milliseconds. */
static bool wait_state(struct task *k, enum task_state s, unsigned ms)
{
	for (unsigned i = 0; i < ms && k->state != s; i++)
		task_sleep_ns(MS);
	return k->state == s;
}

/* A hart other than the caller's, as a mask (0 on one hart). */
static uint64_t other_hart(void)
{
	uint64_t m = hart_online_mask() & ~(1ull << hart_self()->index);

	return m & -m;
}

static bool pc_in_spin_loop(uint64_t pc)
{
	return pc >= CODE_VA && pc < VA_OF(spin, uprog_spin_exit);
}

KTEST(TCTL0001_suspend_spinning_task_and_read_registers)
{
	struct task *k = spawn(uprog_spin, uprog_spin_end, 0, other_hart(), 0);
	struct nh_task_info info;
	struct nh_regs r;
	struct nh_exit e;

	KT_EXPECT(t, k != 0);
	if (!k)
		return;
	if (other_hart())
		KT_EXPECT(t, wait_state(k, TASK_RUNNING, 200));
	else	/* it is preempted in user mode: stopped where it waits */
		ktest_diag(t, "one hart: the target shares the caller's");
	task_sleep_ns(30 * MS);		/* some ticks in user mode */
	KT_EXPECT(t, taskctl_suspend(k) == 0);
	KT_EXPECT(t, taskctl_info(k, &info) == 0 && info.state == NH_TASK_STOPPED);
	KT_EXPECT(t, taskctl_get_regs(k, &r) == 0);
	KT_EXPECT(t, pc_in_spin_loop(r.x[0]));
	KT_EXPECT(t, r.x[2] == STACK_TOP && r.x[0] != 0);
	ktest_diag(t, "stopped at pc 0x%lx, t0 %lu", r.x[0], r.x[5]);
	KT_EXPECT(t, taskctl_suspend(k) == 0);	/* again: already stopped */
	KT_EXPECT(t, taskctl_kill(k) == 0);		/* a stopped task dies */
	finish(k, &e);
	KT_EXPECT(t, e.reason == NH_EXIT_KILLED && e.code == -NH_EINTR);
	KT_EXPECT(t, e.utime_ns > 0);
	ktest_diag(t, "utime %lu us, stime %lu us", e.utime_ns / 1000,
		   e.stime_ns / 1000);
}

KTEST(TCTL0002_set_registers_and_resume)
{
	struct task *k = spawn(uprog_spin, uprog_spin_end, 0, other_hart(), 0);
	union { double d; uint64_t u; } three = { .d = 3.0 };
	struct nh_regs r;
	struct nh_exit e;

	KT_EXPECT(t, k != 0);
	if (!k)
		return;
	task_sleep_ns(5 * MS);
	KT_EXPECT(t, taskctl_suspend(k) == 0);
	KT_EXPECT(t, taskctl_get_regs(k, &r) == 0);
	r.x[0] = VA_OF(spin, uprog_spin_exit);
	r.x[10] = 70;		/* a0 */
	r.x[9] = 4;		/* s1: callee-saved registers come back too */
	r.f[0] = three.u;	/* and FP registers */
	KT_EXPECT(t, taskctl_set_regs(k, &r) == 0);
	KT_EXPECT(t, taskctl_resume(k) == 0);
	finish(k, &e);
	KT_EXPECT(t, e.reason == NH_EXIT_NORMAL && e.code == 77);
	if (e.code != 77)
		ktest_diag(t, "exit %ld, reason %d", (long)e.code, e.reason);
}

KTEST(TCTL0003_suspend_in_sleep_restarts_the_call_unseen)
{
	uint64_t ns = 30 * MS, resumed;
	struct task *k = spawn(uprog_sleeper, uprog_sleeper_end, ns, 0, 0);
	struct nh_regs r;
	struct nh_exit e;

	KT_EXPECT(t, k != 0);
	if (!k)
		return;
	KT_EXPECT(t, wait_state(k, TASK_SLEEPING, 200));
	KT_EXPECT(t, taskctl_suspend(k) == 0);
	KT_EXPECT(t, k->state == TASK_STOPPED);
	KT_EXPECT(t, taskctl_get_regs(k, &r) == 0);
	/* Back on the ecall with the original argument: it will run again. */
	KT_EXPECT(t, r.x[0] == VA_OF(sleeper, uprog_sleeper_ecall));
	KT_EXPECT(t, r.x[10] == ns && r.x[17] == SYS_sleep_ns);
	r.x[9] = 5;		/* s1, added to the call's result at exit */
	KT_EXPECT(t, taskctl_set_regs(k, &r) == 0);
	resumed = clock_ns();
	KT_EXPECT(t, taskctl_resume(k) == 0);
	finish(k, &e);
	KT_EXPECT(t, e.reason == NH_EXIT_NORMAL && e.code == 5);	/* no EINTR */
	KT_EXPECT(t, clock_ns() - resumed >= ns);	/* it slept again */
	if (e.code != 5)
		ktest_diag(t, "exit %ld (5 expected: 0 from the sleep + s1)",
			   (long)e.code);
}

static void expect_killed(struct ktest_ctx *t, struct task *k, const char *what)
{
	struct nh_exit e;

	KT_EXPECT(t, taskctl_kill(k) == 0);
	finish(k, &e);
	KT_EXPECT(t, e.reason == NH_EXIT_KILLED);
	if (e.reason != NH_EXIT_KILLED)
		ktest_diag(t, "%s: reason %d", what, e.reason);
}

KTEST(TCTL0004_kill_running_sleeping_stopped_and_unstarted_tasks)
{
	struct task *run = spawn(uprog_spin, uprog_spin_end, 0, other_hart(), 0);
	struct task *sleep = spawn(uprog_sleeper, uprog_sleeper_end, 10000 * MS, 0, 0);
	struct task *stop = spawn(uprog_spin, uprog_spin_end, 0, 0, 0);
	struct task *fresh = spawn(uprog_hello, uprog_hello_end, 0, 0,
				   NH_START_SUSPENDED);
	uint64_t t0 = clock_ns();

	KT_EXPECT(t, run && sleep && stop && fresh);
	if (!run || !sleep || !stop || !fresh)
		return;		/* (a leak is reported: fine for a failure) */
	KT_EXPECT(t, wait_state(sleep, TASK_SLEEPING, 200));
	task_sleep_ns(5 * MS);
	KT_EXPECT(t, taskctl_suspend(stop) == 0);
	expect_killed(t, run, "running");
	expect_killed(t, sleep, "sleeping");
	expect_killed(t, stop, "stopped");
	expect_killed(t, fresh, "never ran");
	KT_EXPECT(t, clock_ns() - t0 < 5000 * MS);	/* the sleep did not end first */
}

KTEST(TCTL0005_exit_records_fault_and_normal)
{
	struct task *f = spawn(uprog_load0, uprog_load0_end, 0, 0, 0);
	struct task *n = spawn(uprog_hello, uprog_hello_end, 0, 0, 0);
	struct nh_exit e;

	KT_EXPECT(t, f && n);
	if (f) {
		finish(f, &e);
		KT_EXPECT(t, e.reason == NH_EXIT_FAULT && e.code == -NH_EFAULT);
		KT_EXPECT(t, e.cause == SCAUSE_LOAD_PAGE_FAULT && e.addr == 0 &&
			     e.pc == CODE_VA);
	}
	if (n) {
		finish(n, &e);
		KT_EXPECT(t, e.reason == NH_EXIT_NORMAL && e.code == 42);
		KT_EXPECT(t, e.cause == 0 && e.addr == 0 && e.pc == 0);
	}
}

KTEST(TCTL0006_sched_parameters_and_harts_of_a_running_task)
{
	struct task *k = spawn(uprog_spin, uprog_spin_end, 0, 0, 0);
	struct nh_sched s = { .cls = NH_SCHED_FAIR, .nice = 5 }, g;
	struct nh_task_info info = { 0 };
	uint64_t to = other_hart();

	KT_EXPECT(t, k != 0);
	if (!k)
		return;
	task_sleep_ns(5 * MS);
	s.allowed = to;
	KT_EXPECT(t, taskctl_set_sched(k, &s) == 0);
	KT_EXPECT(t, taskctl_get_sched(k, &g) == 0);
	KT_EXPECT(t, g.cls == NH_SCHED_FAIR && g.nice == 5 && g.allowed == to);
	for (unsigned i = 0; to && i < 1000; i++) {
		taskctl_info(k, &info);
		if ((1ull << info.hart) == to && info.state == NH_TASK_RUNNING)
			break;
		task_sleep_ns(MS);
	}
	if (to) {
		KT_EXPECT(t, (1ull << info.hart) == to);
		ktest_diag(t, "moved to hart %u, %lu switches", info.hart,
			   info.nivcsw + info.nvcsw);
	}
	KT_EXPECT(t, taskctl_suspend(k) == 0);	/* fixed class, while stopped */
	s = (struct nh_sched){ .cls = NH_SCHED_FIXED, .prio = 7 };
	KT_EXPECT(t, taskctl_set_sched(k, &s) == 0);
	KT_EXPECT(t, taskctl_get_sched(k, &g) == 0);
	KT_EXPECT(t, g.cls == NH_SCHED_FIXED && g.prio == 7 && g.allowed == 0);
	expect_killed(t, k, "fixed");
	if (!to)
		ktest_skip(t, "one hart: no other hart to move to");
}

static void idle_thread(void *arg)
{
	while (!*(volatile int *)arg)
		task_sleep_ns(MS);
}

static void expect_bad_sched(struct ktest_ctx *t, struct task *k,
			     struct nh_sched s)
{
	KT_EXPECT(t, taskctl_set_sched(k, &s) == -NH_EINVAL);
}

KTEST(TCTL0007_bad_inputs_get_the_documented_errors)
{
	volatile int stop = 0;
	int err;
	struct task *kt = kthread_create("tctl-k", idle_thread, (void *)&stop, 0, &err);
	struct task *k = spawn(uprog_spin, uprog_spin_end, 0, 0, 0);
	struct task *self = task_current();
	struct nh_sched s = { .cls = NH_SCHED_FAIR };
	struct nh_regs r;

	KT_EXPECT(t, kt && k);
	if (!kt || !k)
		return;
	/* Kernel threads are never targets. */
	KT_EXPECT(t, taskctl_suspend(kt) == -NH_EPERM);
	KT_EXPECT(t, taskctl_kill(kt) == -NH_EPERM);
	KT_EXPECT(t, taskctl_resume(kt) == -NH_EPERM);
	KT_EXPECT(t, taskctl_get_regs(kt, &r) == -NH_EPERM);
	KT_EXPECT(t, taskctl_set_sched(kt, &s) == -NH_EPERM);
	KT_EXPECT(t, taskctl_suspend(self) == (self->kernel ? -NH_EPERM : -NH_EDEADLK));
	/* Registers only of a stopped task. */
	task_sleep_ns(2 * MS);
	KT_EXPECT(t, taskctl_get_regs(k, &r) == -NH_EBUSY);
	KT_EXPECT(t, taskctl_set_regs(k, &r) == -NH_EBUSY);
	/* Bad scheduling parameters. */
	expect_bad_sched(t, k, (struct nh_sched){ .cls = 7 });
	expect_bad_sched(t, k, (struct nh_sched){ .cls = NH_SCHED_FIXED, .prio = 64 });
	expect_bad_sched(t, k, (struct nh_sched){ .cls = NH_SCHED_FIXED, .prio = -1 });
	expect_bad_sched(t, k, (struct nh_sched){ .cls = NH_SCHED_FAIR, .nice = 20 });
	expect_bad_sched(t, k, (struct nh_sched){ .cls = NH_SCHED_FAIR, .nice = -21 });
	expect_bad_sched(t, k, (struct nh_sched){ .allowed = ~hart_online_mask() });
	/* A pc outside the user half, or odd. */
	KT_EXPECT(t, taskctl_suspend(k) == 0);
	KT_EXPECT(t, taskctl_get_regs(k, &r) == 0);
	r.x[0] = 0xffffffff80000000ul;
	KT_EXPECT(t, taskctl_set_regs(k, &r) == -NH_EINVAL);
	r.x[0] = CODE_VA + 1;
	KT_EXPECT(t, taskctl_set_regs(k, &r) == -NH_EINVAL);
	r.x[0] = 0;
	KT_EXPECT(t, taskctl_set_regs(k, &r) == -NH_EINVAL);
	KT_EXPECT(t, taskctl_replace_space(k, 0, CODE_VA, STACK_TOP) == -NH_EINVAL);
	expect_killed(t, k, "spinner");
	stop = 1;
	task_join(kt);
}

KTEST(TCTL0008_create_rejects_bad_starts)
{
	struct nh_task_start ok = { .pc = CODE_VA, .sp = STACK_TOP,
				    .sched = { .cls = NH_SCHED_FAIR } };
	struct nh_task_start bad[5];
	int err;
	struct vmspace *u = uprog_space(uprog_hello, uprog_hello_end, &err);

	KT_EXPECT(t, u != 0);
	if (!u)
		return;
	for (unsigned i = 0; i < 5; i++)
		bad[i] = ok;
	bad[0].pc = 0xffffffc000000000ul;	/* the kernel half */
	bad[1].pc = 0;
	bad[2].sp = 0;
	bad[3].flags = 0x80;			/* unknown */
	bad[4].sched.nice = 99;
	for (unsigned i = 0; i < 5; i++) {
		err = 0;
		KT_EXPECT(t, !taskctl_create(u, &bad[i], 0, &err) && err == -NH_EINVAL);
	}
	KT_EXPECT(t, !taskctl_create(0, &ok, 0, &err) && err == -NH_EINVAL);
	vm_put(u);	/* refused: still ours */
}

KTEST(TCTL0009_create_suspended_with_start_registers)
{
	int err;
	struct vmspace *u = uprog_space(uprog_startregs, uprog_startregs_end, &err);
	struct nh_task_start st = { .pc = CODE_VA, .sp = STACK_TOP, .a0 = 40,
				    .tp = 2, .sched = { .cls = NH_SCHED_FAIR },
				    .flags = NH_START_SUSPENDED, .name = "startregs" };
	struct task *k = u ? taskctl_create(u, &st, 0, &err) : 0;
	struct nh_regs r;
	struct nh_exit e;

	KT_EXPECT(t, k != 0);
	if (!k) {
		if (u)
			vm_put(u);
		return;
	}
	task_sleep_ns(2 * MS);
	KT_EXPECT(t, k->state == TASK_STOPPED && k->nvcsw + k->nivcsw == 0);
	KT_EXPECT(t, taskctl_get_regs(k, &r) == 0);
	KT_EXPECT(t, r.x[0] == CODE_VA && r.x[2] == STACK_TOP && r.x[10] == 40 &&
		     r.x[4] == 2);
	r.x[4] = 3;	/* tp: written before it ever ran */
	KT_EXPECT(t, taskctl_set_regs(k, &r) == 0);
	KT_EXPECT(t, taskctl_resume(k) == 0);
	finish(k, &e);
	KT_EXPECT(t, e.reason == NH_EXIT_NORMAL && e.code == 43);
}

/* Replace @k's space with one running hello (exit 42). */
static void replace_with_hello(struct ktest_ctx *t, struct task *k)
{
	int err;
	struct vmspace *u = uprog_space(uprog_hello, uprog_hello_end, &err);

	KT_EXPECT(t, u != 0);
	if (u)
		KT_EXPECT(t, taskctl_replace_space(k, u, CODE_VA, STACK_TOP) == 0);
}

KTEST(TCTL0010_replace_space_of_running_and_stopped_tasks)
{
	struct task *run = spawn(uprog_spin, uprog_spin_end, 0, other_hart(), 0);
	struct task *stop = spawn(uprog_spin, uprog_spin_end, 0, 0, 0);
	struct task *dies = spawn(uprog_spin, uprog_spin_end, 0, 0, 0);
	struct nh_exit e;

	KT_EXPECT(t, run && stop && dies);
	if (!run || !stop || !dies)
		return;
	task_sleep_ns(5 * MS);
	replace_with_hello(t, run);
	finish(run, &e);
	KT_EXPECT(t, e.reason == NH_EXIT_NORMAL && e.code == 42);
	KT_EXPECT(t, taskctl_suspend(stop) == 0);
	replace_with_hello(t, stop);
	replace_with_hello(t, stop);	/* the second replaces the first */
	KT_EXPECT(t, taskctl_resume(stop) == 0);
	finish(stop, &e);
	KT_EXPECT(t, e.reason == NH_EXIT_NORMAL && e.code == 42);
	/* Killed with a replacement pending: the new space goes too. */
	KT_EXPECT(t, taskctl_suspend(dies) == 0);
	replace_with_hello(t, dies);
	expect_killed(t, dies, "replacement pending");
}

PROG(regs);
PROG(sysregs);

/* One round: stop @k if it still runs (counting it), let it go again. */
static void churn(struct task *k, unsigned *stops)
{
	if (k->state == TASK_DEAD)
		return;
	if (taskctl_suspend(k) == 0)
		++*stops;
	task_sleep_ns(MS / 2);
	taskctl_resume(k);
}

static int exit_code_of(struct task *k)
{
	struct nh_exit e;

	finish(k, &e);
	return e.reason == NH_EXIT_NORMAL ? (int)e.code : -1000 - e.reason;
}

KTEST(TCTL0011_every_register_survives_repeated_suspend_and_resume)
{
	/* regs spins with every register set; sysregs makes 600 yield and
	 * sleep calls: stops land in user mode, in calls and in sleeps. */
	struct task *a = spawn(uprog_regs, uprog_regs_end, 0, other_hart(), 0);
	struct task *b = spawn(uprog_sysregs, uprog_sysregs_end, 0, other_hart(), 0);
	unsigned stops_a = 0, stops_b = 0;
	int ra, rb;

	KT_EXPECT(t, a && b);
	if (!a || !b)
		return;
	while (a->state != TASK_DEAD || b->state != TASK_DEAD) {
		churn(a, &stops_a);
		churn(b, &stops_b);
		task_sleep_ns(MS);
	}
	ra = exit_code_of(a);
	rb = exit_code_of(b);
	KT_EXPECT(t, ra == 0 && rb == 0);
	ktest_diag(t, "spinner: %u stops, exit %d; caller: %u stops, exit %d",
		   stops_a, ra, stops_b, rb);
	KT_EXPECT(t, stops_a > 0 && stops_b > 0);
}
