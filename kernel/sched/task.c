/*
 * Task objects: creation of kernel threads and idle tasks, exit, the
 * reaper, references (also as NH_OBJ_TASK handles), the state machine,
 * the task list.
 */
#include "sched/task.h"

#include <nuthatch/errno.h>
#include <nuthatch/task.h>

#include "ipc/futex.h"
#include "obj/handle.h"
#include "core/hart.h"
#include "mm/kmap.h"
#include "sched/kstack.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "core/printk.h"
#include "mm/slab.h"
#include "sched/taskctl.h"
#include "sched/timer.h"
#include "mm/vm.h"
#include "arch/riscv/trap.h"

extern char arch_task_trampoline[];
void task_first_run(struct task *t);

static struct slab_cache task_cache;

_Static_assert(sizeof(struct task) <= SLAB_MAX_OBJ, "a task fits a slab");
static struct spinlock tasks_lock = SPINLOCK_INIT("tasks: all_tasks, ids", RANK_TASKS);
static struct list_node all_tasks = LIST_INIT(all_tasks);	/* [tasks_lock] */
static unsigned ntasks;						/* [tasks_lock] */
static uint64_t next_id = 1;					/* [a] */

/* The reaper: dead tasks waiting for their stacks to be given back. */
static struct waitq reaper_wq;		/* its lock guards the two below */
static struct list_node reap_list = LIST_INIT(reap_list);
static bool reaping;
static struct task *reaper;

/* task_legal[from] has bit to set when from -> to is a legal transition. */
const uint8_t task_legal[] = {
	[TASK_READY] = 1 << TASK_RUNNING | 1 << TASK_STOPPED,
	[TASK_RUNNING] = 1 << TASK_READY | 1 << TASK_SLEEPING |
			 1 << TASK_SLEEPING_UNINTR | 1 << TASK_STOPPED |
			 1 << TASK_DEAD,
	[TASK_SLEEPING] = 1 << TASK_READY | 1 << TASK_STOPPED |
			  1 << TASK_RUNNING,	/* a direct switch (sched.h) */
	[TASK_SLEEPING_UNINTR] = 1 << TASK_READY | 1 << TASK_STOPPED,
	[TASK_STOPPED] = 1 << TASK_READY,
	[TASK_DEAD] = 0,
};

static const char *const state_names[] = {
	[TASK_READY] = "ready", [TASK_RUNNING] = "running",
	[TASK_SLEEPING] = "sleeping", [TASK_SLEEPING_UNINTR] = "sleeping-unintr",
	[TASK_STOPPED] = "stopped", [TASK_DEAD] = "dead",
};

const char *task_state_name(enum task_state s)
{
	return (unsigned)s <= TASK_DEAD ? state_names[s] : "?";
}

void task_bad_transition(struct task *t, enum task_state s)
{
	panic("task %lu [%s]: illegal transition %s -> %s", t->id, t->name,
	      task_state_name(t->state), task_state_name(s));
}

static void copy_name(char *dst, const char *src)
{
	size_t n = strnlen(src, TASK_NAME - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void idle_name(char *dst, unsigned hart_index)
{
	fmt_snprintf(dst, TASK_NAME, "idle/%u", hart_index);
}

void task_get(struct task *t)
{
	__atomic_fetch_add(&t->refs, 1, __ATOMIC_RELAXED);
}

void task_put(struct task *t)
{
	irqflags_t f;

	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	f = spin_lock_irqsave(&tasks_lock);
	list_del(&t->all_node);
	ntasks--;
	spin_unlock_irqrestore(&tasks_lock, f);
	if (t->handles)
		handle_table_put(t->handles);
	slab_free(&task_cache, t);
}

static void task_handle_get(void *obj)
{
	task_get(obj);
}

static void task_handle_put(void *obj)
{
	task_put(obj);
}

static const struct handle_type_ops task_handle_ops = {
	.get = task_handle_get,
	.put = task_handle_put,
};

static int check_attr(const struct task_attr *a)
{
	if (a->cls == SCHED_FIXED)
		return a->prio >= 0 && a->prio < SCHED_FIXED_PRIOS ? 0 : -NH_EINVAL;
	if (a->cls != SCHED_FAIR || a->nice < NICE_MIN || a->nice > NICE_MAX)
		return -NH_EINVAL;
	return 0;
}

/* Fill in everything but the stack; the task is not yet visible. */
static void task_setup(struct task *t, const char *name,
		       const struct task_attr *a)
{
	list_init(&t->rq_node);
	list_init(&t->sleep_node);
	list_init(&t->wait_node);
	list_init(&t->reap_node);
	waitq_init(&t->exit_wq, "task: exit_wq");
	t->ctl_lock = (struct spinlock)SPINLOCK_INIT("task: new_space", RANK_TASKCTL);
	ipc_task_init(t);
	t->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	copy_name(t->name, name);
	t->kernel = true;
	t->state = TASK_READY;
	t->cls = a->cls;
	t->prio = a->prio;
	t->nice = a->nice;
	t->weight = sched_nice_weight(a->nice);
	t->inv_weight = (uint32_t)((1ull << 32) / t->weight);
	t->allowed = a->allowed ? a->allowed : ~0ull;
	t->hart = hart_self()->index;
	t->refs = 2;
}

static void task_publish(struct task *t)
{
	irqflags_t f = spin_lock_irqsave(&tasks_lock);

	list_add_tail(&all_tasks, &t->all_node);
	ntasks++;
	spin_unlock_irqrestore(&tasks_lock, f);
}

/* A zeroed task with a stack, or NULL and *err. */
static struct task *task_alloc(int *err)
{
	struct task *t = slab_alloc(&task_cache);
	bool fresh;

	if (!t) {
		*err = -NH_ENOMEM;
		return 0;
	}
	*err = kstack_alloc(&t->stack, &fresh);
	if (*err) {
		slab_free(&task_cache, t);
		return 0;
	}
	(void)fresh;
	t->stack_flush = ~0ull;	/* cached or new: every hart fences it once */
	return t;
}

/* A kernel thread set up but not yet given to the scheduler. */
static struct task *kthread_create_stopped(const char *name, void (*fn)(void *),
					   void *arg, const struct task_attr *attr,
					   int *err)
{
	static const struct task_attr fair = { .cls = SCHED_FAIR };
	const struct task_attr *a = attr ? attr : &fair;
	struct task *t;

	*err = check_attr(a);
	if (!*err && !((a->allowed ? a->allowed : ~0ull) & hart_online_mask()))
		*err = -NH_EINVAL;
	if (*err)
		return 0;
	t = task_alloc(err);
	if (!t)
		return 0;
	task_setup(t, name, a);
	t->fn = fn;
	t->arg = arg;
	t->ctx.ra = (uint64_t)arch_task_trampoline;
	t->ctx.sp = t->stack.hi;
	t->ctx.s[1] = (uint64_t)t;
	task_publish(t);
	return t;
}

struct task *kthread_create(const char *name, void (*fn)(void *), void *arg,
			    const struct task_attr *attr, int *err)
{
	struct task *t = kthread_create_stopped(name, fn, arg, attr, err);

	if (t)
		sched_start(t);
	return t;
}

struct trap_frame *task_user_frame(struct task *t)
{
	char *top = (char *)kmap_phys(t->stack.frames[KSTACK_PAGES - 1]) + 4096;

	return (struct trap_frame *)(top - sizeof(struct trap_frame));
}

/* The user frame a new task starts from, at the very top of its stack. */
static void build_user_frame(struct task *t, const struct utask_start *s)
{
	struct trap_frame *tf = task_user_frame(t);

	memset(tf, 0, sizeof(*tf));
	tf->regs[0] = s->pc;
	tf->regs[2] = s->sp;
	tf->regs[4] = s->tp;
	tf->regs[10] = s->a0;
	tf->sstatus = arch_user_sstatus();
}

/* A user task's first kernel code: its frame is ready (build_user_frame,
 * perhaps changed by a tracer while it was suspended); its FP state (zero,
 * or what a tracer set) loads at its first FP use (sched.c, lazy FP).  Do
 * any pending user-boundary work and go. */
static void user_start(void *arg)
{
	struct task *t = arg;
	struct trap_frame *tf = task_user_frame_mapped(t);

	arch_irq_save();
	taskctl_user_return();
	arch_enter_user(tf);
}

struct task *utask_create_with(const char *name, struct vmspace *u,
			       const struct utask_start *s,
			       const struct task_attr *attr, int *err)
{
	struct handle_table *ht = s->share;
	struct task *t;

	if (ht)
		handle_table_share(ht);
	else if (!(ht = handle_table_create(err)))
		return 0;
	t = kthread_create_stopped(name, user_start, 0, attr, err);
	if (!t) {
		handle_table_leave(ht);
		handle_table_put(ht);
		return 0;
	}
	t->handles = ht;
	t->arg = t;
	t->kernel = false;
	/* The first process (made by a kernel thread) holds every privilege;
	 * any later task starts with its creator's, or fewer if asked. */
	t->privs = task_current()->kernel ? NH_PRIVS_ALL : task_current()->privs;
	if (s->privs_given)
		t->privs &= s->privs;
	/* The user frame sits at the very top of the stack: every C and
	 * interrupt frame must stay below it. */
	t->ctx.sp = t->stack.hi - sizeof(struct trap_frame);
	t->space = u;
	build_user_frame(t, s);
	if (s->suspended) {
		t->work = TASK_WORK_STOP;
		sched_start_stopped(t);
	} else {
		sched_start(t);
	}
	return t;
}

struct task *utask_create(const char *name, struct vmspace *u, uint64_t entry,
			  uint64_t usp, uint64_t arg, const struct task_attr *attr,
			  int *err)
{
	struct utask_start s = { .pc = entry, .sp = usp, .a0 = arg };

	return utask_create_with(name, u, &s, attr, err);
}

struct task *task_create_idle(unsigned hart_index, int *err)
{
	static const struct task_attr idle = { .cls = SCHED_FAIR, .nice = NICE_MAX };
	struct task *t = task_alloc(err);

	if (!t)
		return 0;
	task_setup(t, "idle", &idle);
	idle_name(t->name, hart_index);
	t->allowed = 1ull << hart_index;
	t->hart = hart_index;
	t->state = TASK_RUNNING;
	t->refs = 1;
	task_publish(t);
	return t;
}

void task_first_run(struct task *t)
{
	sched_finish_switch();
	arch_irq_enable();
	t->fn(t->arg);
	task_exit(0);
}

/*
 * An exiting task gives back what it holds itself, on its own time and
 * stack, with interrupts on: its clear-tid word, its handles, its space
 * (after switching this hart to the kernel's root) and a space it never
 * got to take.  Only the stack it runs on is left, for whoever runs next
 * on this hart (task_dead_off_hart).  A task killed by a kernel fault
 * (@broken: its kernel state is suspect) leaves it all to the reaper.
 */
/* Exiting from now on (task_set_space refuses it): the space it never
 * took, and, with @take, its own (others read it under ctl_lock). */
static void mark_exiting(struct task *t, bool take, struct vmspace **space,
			 struct vmspace **pending)
{
	irqflags_t f = spin_lock_irqsave(&t->ctl_lock);

	t->exiting = true;
	*pending = t->new_space;
	t->new_space = 0;
	*space = t->space;
	if (take)
		t->space = 0;
	spin_unlock_irqrestore(&t->ctl_lock, f);
}

/* Its clear-tid word (in @s), its handles (once) and a pending space. */
static void give_back(struct task *t, struct vmspace *s, struct vmspace *pending)
{
	uint64_t tid = __atomic_exchange_n(&t->clear_tid, 0, __ATOMIC_ACQ_REL);

	if (pending)
		vm_put(pending);
	if (s && tid)	/* before its space can go away */
		futex_clear_tid(s, tid);
	/* Now, not when the object is freed: a handle a dead task holds to
	 * itself (or to another dead task holding one to it) would keep the
	 * object alive for ever. */
	if (t->handles && !t->handles_left) {
		t->handles_left = true;
		handle_table_leave(t->handles);
	}
}

static void release_self(struct task *t)
{
	struct vmspace *s, *pending;

	mark_exiting(t, false, &s, &pending);
	give_back(t, s, pending);
	if (t->space) {
		struct vmspace *s = t->space;

		sched_switch_space(0);	/* this hart leaves its root first */
		vm_put(s);
	}
}

__attribute__((noreturn)) static void exit_now(const struct task_end *e, bool broken)
{
	struct task *t = task_current();

	t->exit_rec = *e;
	t->exit_code = (int)e->code;
	if (!t->kernel)
		ipc_task_exit(t);	/* replies it owed, its exit event */
	if (!broken) {
		arch_irq_enable();	/* (a fault's exit may come with them off) */
		release_self(t);
	}
	sched_exit();
}

void task_exit_as(const struct task_end *e)
{
	exit_now(e, false);
}

void task_exit_broken(const struct task_end *e)
{
	exit_now(e, true);
}

void task_exit(int code)
{
	struct task_end e = { .reason = NH_EXIT_NORMAL, .code = code };

	task_exit_as(&e);
}

void task_exit_oom(uint64_t cause, uint64_t addr, uint64_t pc)
{
	struct task_end e = { .reason = NH_EXIT_OOM, .code = -NH_ENOMEM,
			      .cause = cause, .addr = addr, .pc = pc };

	task_exit_as(&e);
}

void task_exit_record(struct task *t, struct nh_exit *out)
{
	memset(out, 0, sizeof(*out));
	out->reason = t->exit_rec.reason;
	out->code = t->exit_rec.code;
	out->cause = t->exit_rec.cause;
	out->addr = t->exit_rec.addr;
	out->pc = t->exit_rec.pc;
	out->utime_ns = t->utime_ns;
	out->stime_ns = t->stime_ns;
}

/* The reaper's queue. */
static void reap_later(struct task *t)
{
	irqflags_t f = spin_lock_irqsave(&reaper_wq.lock);

	list_add_tail(&reap_list, &t->reap_node);
	spin_unlock_irqrestore(&reaper_wq.lock, f);
	waitq_wake_all(&reaper_wq);	/* the reaper, and any settle waiter */
}

/* @t died and its stack is done with: its waiters learn it. */
static void reaped(struct task *t)
{
	irqflags_t f = spin_lock_irqsave(&t->exit_wq.lock);

	t->reaped = true;
	spin_unlock_irqrestore(&t->exit_wq.lock, f);
	waitq_wake_all(&t->exit_wq);
	task_put(t);	/* the scheduler's reference */
}

/* A task that gave back all but its stack, and a stack cache with room:
 * done here, without the reaper's two switches; else the reaper. */
void task_dead_off_hart(struct task *t)
{
	uint32_t used;

	if (t->space || !t->exiting || t->new_space ||
	    !kstack_free_cached(&t->stack, &used)) {
		reap_later(t);
		return;
	}
	t->stack_hwm = used;
	reaped(t);
}

void task_release_stack(struct task *t)
{
	struct vmspace *s, *pending;

	mark_exiting(t, true, &s, &pending);
	t->stack_hwm = kstack_free(&t->stack);
	give_back(t, s, pending);
	if (s)		/* off every hart: it no longer uses the root */
		vm_put(s);
}

static bool reap_pending(void *arg)
{
	(void)arg;
	return !list_empty(&reap_list);
}

static struct task *reap_take(void)
{
	irqflags_t f = spin_lock_irqsave(&reaper_wq.lock);
	struct task *t = 0;

	if (!list_empty(&reap_list)) {
		t = container_of(reap_list.next, struct task, reap_node);
		list_del(&t->reap_node);
		reaping = true;
	}
	spin_unlock_irqrestore(&reaper_wq.lock, f);
	return t;
}

static bool task_reaped(void *arg)
{
	return ((struct task *)arg)->reaped;
}

static void reaper_main(void *arg)
{
	struct task *t;

	(void)arg;
	for (;;) {
		waitq_wait(&reaper_wq, false, 0, reap_pending, 0);
		while ((t = reap_take()) != 0) {
			irqflags_t f;

			task_release_stack(t);
			reaped(t);
			f = spin_lock_irqsave(&reaper_wq.lock);
			reaping = false;
			spin_unlock_irqrestore(&reaper_wq.lock, f);
			waitq_wake_all(&reaper_wq);	/* settle waiters */
		}
	}
}

static bool reaper_idle(void *arg)
{
	(void)arg;
	return list_empty(&reap_list) && !reaping;
}

void task_reaper_settle(void)
{
	waitq_wait(&reaper_wq, false, 0, reaper_idle, 0);
}

void task_wait_reaped(struct task *t)
{
	waitq_wait(&t->exit_wq, false, 0, task_reaped, t);
}

int task_wait_reaped_interruptible(struct task *t)
{
	return waitq_wait(&t->exit_wq, true, 0, task_reaped, t);
}

int task_join(struct task *t)
{
	int code;

	task_wait_reaped(t);
	code = t->exit_code;
	task_put(t);
	return code;
}

unsigned task_count(void)
{
	return __atomic_load_n(&ntasks, __ATOMIC_RELAXED);
}

void task_for_each(void (*fn)(struct task *t, void *ctx), void *ctx)
{
	irqflags_t f = spin_lock_irqsave(&tasks_lock);
	struct list_node *n;

	list_for_each(n, &all_tasks)
		fn(container_of(n, struct task, all_node), ctx);
	spin_unlock_irqrestore(&tasks_lock, f);
}

void task_list_print(void)
{
	irqflags_t f = spin_lock_irqsave(&tasks_lock);
	struct list_node *n;

	kprintf("  %5s %-18s %-16s %4s %10s %8s %8s\n", "ID", "NAME", "STATE",
		"HART", "STIME(us)", "VCSW", "IVCSW");
	list_for_each(n, &all_tasks) {
		struct task *t = container_of(n, struct task, all_node);
		char name[TASK_NAME + 2];

		fmt_snprintf(name, sizeof(name), t->kernel ? "[%s]" : "%s", t->name);
		kprintf("  %5lu %-18s %-16s %4u %10lu %8lu %8lu\n", t->id, name,
			task_state_name(t->state), t->hart, t->stime_ns / 1000,
			t->nvcsw, t->nivcsw);
	}
	spin_unlock_irqrestore(&tasks_lock, f);
}

void task_init_boot(struct hart *h, uintptr_t stack_lo, uintptr_t stack_hi)
{
	static struct task boot_idle;
	static const struct task_attr idle = { .cls = SCHED_FAIR, .nice = NICE_MAX };
	static const struct task_attr fixed = { .cls = SCHED_FIXED, .prio = 1 };
	int err;

	slab_cache_init(&task_cache, "task", sizeof(struct task));
	handle_type_register(NH_OBJ_TASK, &task_handle_ops);
	waitq_init(&reaper_wq, "reaper");
	task_setup(&boot_idle, "idle", &idle);
	idle_name(boot_idle.name, 0);
	boot_idle.stack = (struct kstack){ stack_lo, stack_hi, ~0u, { 0 } };
	boot_idle.state = TASK_RUNNING;
	boot_idle.allowed = 1;
	boot_idle.refs = 1;
	task_publish(&boot_idle);
	sched_init_hart(h, &boot_idle);
	reaper = kthread_create("reaper", reaper_main, 0, &fixed, &err);
	if (!reaper)
		panic("reaper: %s", nh_strerror(err));
}
