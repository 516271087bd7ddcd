/*
 * Self-tests and benchmarks of IPC (ipc.c) with tiny user programs in two
 * address spaces: the call + reply-receive round trip; and the checker of
 * IPC state transitions (ipc_set_state, ipc.h's diagram).
 */
#include <nuthatch/errno.h>
#include <nuthatch/task.h>

#include "arch/riscv/trap.h"
#include "core/hart.h"
#include "core/spinlock.h"
#include "debug/bench.h"
#include "obj/handle.h"
#include "ipc/ipc.h"
#include "debug/ktest.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "sched/taskctl.h"
#include "sched/timer.h"
#include "debug/tests/uprog.h"
#include "mm/vm.h"


extern const char uprog_ipc_client[], uprog_ipc_client_end[];
extern const char uprog_ipc_server[], uprog_ipc_server_end[];

/* A suspended task running [from, to) in a space of its own, with a
 * handle to @ep (every right) in its table, passed in a0. */
static struct task *start_with(const char *from, const char *to,
			       struct endpoint *ep, uint64_t word, int *err)
{
	struct nh_task_start st = { .pc = CODE_VA, .sp = STACK_VA + 4096,
		.sched = { .cls = NH_SCHED_FAIR, .allowed = 1 },
		.flags = NH_START_SUSPENDED, .name = "ipcbench" };
	struct vmspace *s = uprog_space(from, to, err);
	struct task *t = 0;
	long h;

	if (!s)
		return 0;
	*err = vm_write(s, STACK_VA, &word, sizeof(word), 0);
	t = *err ? 0 : taskctl_create(s, &st, 0, err);
	if (!t) {
		vm_put(s);
		return 0;
	}
	h = handle_alloc(t->handles, NH_OBJ_ENDPOINT, ep, NH_RIGHTS_ALL);
	task_user_frame(t)->regs[10] = (uint64_t)h;
	*err = h < 0 ? (int)h : 0;
	return t;
}

/* The client's ns for @iters round trips, or 0. */
static uint64_t round_trips(uint64_t iters)
{
	struct endpoint *ep = ipc_endpoint_create();
	struct task *srv, *cli;
	int err = ep ? 0 : -NH_ENOMEM;
	long ns = 0;

	srv = ep ? start_with(uprog_ipc_server, uprog_ipc_server_end, ep, 0, &err) : 0;
	cli = srv ? start_with(uprog_ipc_client, uprog_ipc_client_end, ep, iters, &err) : 0;
	if (srv)
		taskctl_resume(srv);
	if (cli) {
		taskctl_resume(cli);
		ns = task_join(cli);
	}
	if (srv) {
		taskctl_kill(srv);
		task_join(srv);
	}
	if (ep)
		ipc_endpoint_put(ep);
	return err || ns <= 1 ? 0 : (uint64_t)ns;
}

KTEST(IPC0001_round_trips_between_two_spaces)
{
	uint64_t fast = ipc_fast_count();
	uint64_t ns = round_trips(100);

	/* Both on hart 0, registers only: after the first round trip every
	 * call and reply-receive switches directly (other harts' IPC may add
	 * to the count, never take from it). */
	fast = ipc_fast_count() - fast;
	KT_EXPECT(t, ns > 0);
	KT_EXPECT(t, fast >= 2 * 100 - 4);
	ktest_diag(t, "100 round trips: %lu ns, %lu direct switches", ns, fast);
}

KBENCH(ipc_round_trip, 20000)
{
	return round_trips(iters);
}

/* ---- a receiver woken for nothing --------------------------------------- */

/* Poll until @k sleeps in IPC state @s, for at most @ms milliseconds. */
static bool sleeps_in(struct task *k, enum ipc_state s, unsigned ms)
{
	for (unsigned i = 0; i < ms; i++) {
		if (__atomic_load_n(&k->state, __ATOMIC_ACQUIRE) == TASK_SLEEPING &&
		    __atomic_load_n(&k->ipc.state, __ATOMIC_ACQUIRE) == s)
			return true;
		task_sleep_ns(1000000);
	}
	return false;
}

/* Is @n the one node on @ep's waiting queue? */
static bool only_waiter(struct endpoint *ep, struct list_node *n)
{
	irqflags_t f = spin_lock_irqsave(&ep->lock);
	bool ok = ep->waiting.next == n && ep->waiting.prev == n &&
		  n->next == &ep->waiting && n->prev == &ep->waiting;

	spin_unlock_irqrestore(&ep->lock, f);
	return ok;
}

KTEST(IPC0003_receiver_woken_for_nothing_waits_again_once_queued)
{
	struct endpoint *ep = ipc_endpoint_create();
	struct task *srv;
	int err = ep ? 0 : -NH_ENOMEM;

	srv = ep ? start_with(uprog_ipc_server, uprog_ipc_server_end, ep, 0, &err) : 0;
	KT_EXPECT(t, srv != 0);
	if (srv) {
		taskctl_resume(srv);
		KT_EXPECT(t, sleeps_in(srv, IPC_RECV, 1000));
		KT_EXPECT(t, only_waiter(ep, &srv->ipc.node));
		/* a wake-up with nothing handed over: it must wait again,
		 * still queued once */
		KT_EXPECT(t, sched_wake(srv, 0, false));
		KT_EXPECT(t, sleeps_in(srv, IPC_RECV, 1000));
		KT_EXPECT(t, only_waiter(ep, &srv->ipc.node));
		taskctl_kill(srv);
		task_join(srv);
		KT_EXPECT(t, list_empty(&ep->waiting));	/* the kill took it off */
	}
	if (ep)
		ipc_endpoint_put(ep);
}

/* ---- the state checker ------------------------------------------------- */

/* Reports the checker has caught since @before (lock_catch armed). */
static unsigned caught(unsigned before)
{
	return hart_self()->lock_violations - before;
}

/* Edges of the calling task's own (it does no IPC: a kernel thread). */
static void own_edges(struct ktest_ctx *t, struct endpoint *ep, struct task *self)
{
	unsigned before = hart_self()->lock_violations;
	struct spinlock *rl = &self->ipc.own.lock;

	spin_lock(&ep->lock);
	ipc_set_state(&self->ipc, IPC_SEND, &ep->lock);		/* a */
	spin_unlock(&ep->lock);
	ipc_set_state(&self->ipc, IPC_IDLE, 0);			/* e */
	spin_lock(&ep->lock);
	ipc_set_state(&self->ipc, IPC_RECV, &ep->lock);		/* f */
	ipc_set_state(&self->ipc, IPC_GOT, &ep->lock);		/* j */
	ipc_set_state(&self->ipc, IPC_IDLE, &ep->lock);		/* m */
	ipc_set_state(&self->ipc, IPC_REPLY_WAIT, &ep->lock);	/* b */
	spin_unlock(&ep->lock);
	spin_lock(rl);
	ipc_set_state(&self->ipc, IPC_DONE, rl);			/* g */
	spin_unlock(rl);
	ipc_set_state(&self->ipc, IPC_IDLE, 0);			/* i */
	KT_EXPECT(t, caught(before) == 0);

	spin_lock(rl);
	ipc_set_state(&self->ipc, IPC_DONE, rl);	/* IDLE -> DONE: no edge */
	spin_unlock(rl);
	KT_EXPECT(t, caught(before) == 1);
	ipc_set_state(&self->ipc, IPC_IDLE, 0);
	ipc_set_state(&self->ipc, IPC_SEND, 0);	/* a without the endpoint lock */
	KT_EXPECT(t, caught(before) == 2);
	ipc_set_state(&self->ipc, IPC_IDLE, 0);
	ipc_set_state(&self->ipc, IPC_RECV, &ep->lock);	/* f, lock not held */
	KT_EXPECT(t, caught(before) == 3);
	spin_lock(&ep->lock);
	ipc_set_state(&self->ipc, IPC_IDLE, &ep->lock);		/* k */
	spin_unlock(&ep->lock);
	KT_EXPECT(t, caught(before) == 3);
	KT_EXPECT(t, self->ipc.state == IPC_IDLE);
}

/* Edges another hart writes into @o, a task that is not running. */
static void others_edges(struct ktest_ctx *t, struct task *o)
{
	struct hart *h = hart_self();
	unsigned before = h->lock_violations;

	o->hart = h->index;
	o->state = TASK_SLEEPING;
	o->ipc.state = IPC_REPLY_WAIT;		/* (fixture) */
	spin_lock(&h->rq.lock);
	ipc_set_state(&o->ipc, IPC_IDLE, &h->rq.lock);	/* h, the fast path */
	spin_unlock(&h->rq.lock);
	o->state = TASK_STOPPED;
	o->ipc.state = IPC_REPLY_WAIT;
	ipc_set_state(&o->ipc, IPC_IDLE, 0);		/* h, a tracer */
	KT_EXPECT(t, caught(before) == 0);

	o->state = TASK_SLEEPING;
	o->ipc.state = IPC_REPLY_WAIT;
	ipc_set_state(&o->ipc, IPC_IDLE, 0);	/* unlocked, neither own nor stopped */
	KT_EXPECT(t, caught(before) == 1);
	o->ipc.state = IPC_REPLY_WAIT;
	o->hart = h->index + 1;
	spin_lock(&h->rq.lock);
	ipc_set_state(&o->ipc, IPC_IDLE, &h->rq.lock);	/* not its hart's queue */
	spin_unlock(&h->rq.lock);
	KT_EXPECT(t, caught(before) == 2);
}

KTEST(IPC0002_state_checker_catches_bad_edges)
{
	static struct task other = { .id = 0, .name = "ipc-fake" };
	struct endpoint *ep;
	struct hart *h;
	irqflags_t f;

	if (!NH_DEBUG) {
		ktest_skip(t, "release build: ipc_set_state does not check");
		return;
	}
	ep = ipc_endpoint_create();
	KT_EXPECT(t, ep != 0);
	if (!ep)
		return;
	ipc_task_init(&other);
	f = arch_irq_save();	/* stay on this hart */
	h = hart_self();
	h->lock_catch = true;
	own_edges(t, ep, task_current());
	others_edges(t, &other);
	h->lock_catch = false;
	KT_EXPECT(t, h->nheld == 0);
	arch_irq_restore(f);
	ipc_endpoint_put(ep);
}
