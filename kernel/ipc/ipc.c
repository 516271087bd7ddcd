/*
 * Synchronous IPC (see ipc.h): endpoints, reply objects, deliveries and
 * event messages, and the halves of their system calls that need them
 * (sys/ipc.c decodes the registers and calls these).
 */
#include "ipc/ipc.h"

#include <nuthatch/errno.h>
#include <nuthatch/handle.h>
#include <nuthatch/ipc.h>
#include <nuthatch/task.h>

#include "arch/riscv/arch.h"
#include "arch/riscv/trap.h"
#include "mm/frame.h"
#include "core/hart.h"
#include "core/printk.h"
#include "obj/handle.h"
#include "mm/kmap.h"
#include "lib/kstring.h"
#include "ipc/notify.h"
#include "sched/sched.h"
#include "mm/slab.h"
#include "core/spinlock.h"
#include "sched/task.h"
#include "sched/taskctl.h"
#include "mm/uaccess.h"
#include "mm/vm.h"

struct event {
	struct list_node node;
	struct ipc_delivery d;
	struct nh_exit rec;
};

static struct slab_cache ep_cache, reply_cache, event_cache;

/* ---- states (ipc.h's diagram) ------------------------------------------ */

static const char *const state_names[IPC_NSTATES] = {
	[IPC_IDLE] = "idle", [IPC_SEND] = "send", [IPC_RECV] = "recv",
	[IPC_GOT] = "got", [IPC_REPLY_WAIT] = "reply-wait", [IPC_DONE] = "done",
	[IPC_ORPHANED] = "orphaned",
};

const char *ipc_state_name(enum ipc_state s)
{
	return (unsigned)s < IPC_NSTATES ? state_names[s] : "?";
}

#if NH_DEBUG

/* Who writes an edge, and holding what (the writers of ipc.h's diagram). */
enum {
	W_OWN = 1,	/* the task itself, no lock */
	W_OWN_EP = 2,	/* the task itself, an endpoint lock */
	W_EP = 4,	/* another, an endpoint lock */
	W_REPLY = 8,	/* anyone, a reply lock */
	W_RQ = 16,	/* the fast path, the run queue the task sleeps on */
	W_TRACER = 32,	/* another, no lock, the task STOPPED */
};

/* edges[from][to]: the writers allowed (0: no such edge). */
static const uint8_t edges[IPC_NSTATES][IPC_NSTATES] = {
	[IPC_IDLE] = { [IPC_SEND] = W_OWN_EP,			/* a */
		       [IPC_REPLY_WAIT] = W_OWN_EP,		/* b */
		       [IPC_RECV] = W_OWN_EP },			/* f */
	[IPC_SEND] = { [IPC_REPLY_WAIT] = W_EP,			/* c */
		       [IPC_ORPHANED] = W_EP,			/* d */
		       [IPC_IDLE] = W_OWN },			/* e */
	[IPC_ORPHANED] = { [IPC_IDLE] = W_OWN },		/* e */
	[IPC_REPLY_WAIT] = { [IPC_DONE] = W_REPLY,		/* g */
			     [IPC_IDLE] = W_OWN | W_TRACER | W_RQ },	/* h */
	[IPC_DONE] = { [IPC_IDLE] = W_OWN | W_TRACER },		/* i */
	[IPC_RECV] = { [IPC_GOT] = W_EP | W_OWN_EP,		/* j */
		       [IPC_IDLE] = W_OWN_EP | W_EP },		/* k */
	[IPC_GOT] = { [IPC_IDLE] = W_OWN_EP },			/* m */
};

/* Report a bad write (a self-test may catch it, as it does the lock
 * checker's: hart lock_catch). */
static void bad_edge(const struct task *t, enum ipc_state to,
		     const struct spinlock *held, const char *why)
{
	struct hart *h = hart_self();

	if (h->lock_catch) {
		h->lock_violations++;
		return;
	}
	h->nheld = 0;		/* let panic print */
	panic("task %lu [%s]: IPC state %s -> %s %s (holding %s)", t->id, t->name,
	      ipc_state_name(t->ipc.state), ipc_state_name(to), why,
	      held ? held->name : "no lock");
}

/* Which writer this is: W_*, or 0 with *why set. */
static unsigned writer_of(const struct task *t, const struct spinlock *held,
			  const char **why)
{
	struct hart *h = hart_self();
	bool own = t == h->current;

	if (!held) {
		if (!own && t->state != TASK_STOPPED)
			*why = "by another, unlocked, the task not stopped";
		return own ? W_OWN : t->state == TASK_STOPPED ? W_TRACER : 0;
	}
	if (__atomic_load_n(&held->owner, __ATOMIC_RELAXED) != (int16_t)(h->index + 1)) {
		*why = "without holding its lock";
		return 0;
	}
	if (held->rank == RANK_ENDPOINT)
		return own ? W_OWN_EP : W_EP;
	if (held->rank == RANK_REPLY)
		return W_REPLY;
	if (held->rank == RANK_RQ && held == &h->rq.lock && !own && t->hart == h->index)
		return W_RQ;
	*why = "under a lock that does not cover it";
	return 0;
}

void ipc_check_edge(const struct ipc_task *ipc, enum ipc_state to,
		    const struct spinlock *held)
{
	const struct task *t = container_of(ipc, struct task, ipc);
	const char *why = "by a writer the diagram does not name";
	unsigned w;

	if (ipc->state == to)
		return;		/* not a transition */
	if ((unsigned)ipc->state >= IPC_NSTATES || (unsigned)to >= IPC_NSTATES ||
	    !edges[ipc->state][to]) {
		bad_edge(t, to, held, "is not an edge");
		return;
	}
	w = writer_of(t, held, &why);
	if (!(edges[ipc->state][to] & w))
		bad_edge(t, to, held, why);
}

#endif

/* ---- objects ------------------------------------------------------------ */

static void ep_get(void *p)
{
	__atomic_fetch_add(&((struct endpoint *)p)->refs, 1, __ATOMIC_RELAXED);
}

static void orphan(struct endpoint *ep);

static void ep_put(void *p)
{
	struct endpoint *ep = p;

	if (__atomic_sub_fetch(&ep->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (ep->bound) {	/* no signal can reach ep after this */
		notify_unbind(ep->bound);
		notify_put(ep->bound);
	}
	while (!list_empty(&ep->events)) {	/* nobody will receive them */
		struct event *e = container_of(ep->events.next, struct event, node);

		list_del(&e->node);
		slab_free(&event_cache, e);
	}
	slab_free(&ep_cache, ep);
}

/* A handle with or without the receive right comes or goes. */
static void ep_slot(void *p, uint32_t rights, int delta)
{
	struct endpoint *ep = p;

	if (!(rights & NH_RIGHT_READ))
		return;
	if (__atomic_add_fetch(&ep->receivers, delta, __ATOMIC_ACQ_REL) == 0)
		orphan(ep);
}

/* A holder's reference (one that can answer). */
static void reply_get(void *p)
{
	__atomic_fetch_add(&((struct reply *)p)->holders, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&((struct reply *)p)->refs, 1, __ATOMIC_RELAXED);
}

static void answer(struct task *caller, struct reply *rp);
static void post_event(struct endpoint *ep, struct event *e);

/* Take @rp's armed cancel notice (rp->lock held); NULL if none. */
static struct event *take_cancel(struct reply *rp, struct endpoint **ep)
{
	struct event *e = rp->cancel;

	*ep = rp->cancel_ep;
	rp->cancel = 0;
	rp->cancel_ep = 0;
	return e;
}

/* A notice taken with take_cancel: posted (@post) or freed. */
static void end_cancel(struct event *e, struct endpoint *ep, bool post)
{
	if (!e)
		return;
	if (post)
		post_event(ep, e);
	else
		slab_free(&event_cache, e);
	ep_put(ep);
}

/* The caller's own reference (its wait) going: memory only. */
static void reply_unref(struct reply *rp)
{
	struct endpoint *ep;

	if (__atomic_sub_fetch(&rp->refs, 1, __ATOMIC_ACQ_REL))
		return;
	end_cancel(take_cancel(rp, &ep), ep, false);	/* nobody else sees rp now */
	if (rp->home)
		task_put(rp->home);	/* its own reply is free for its next call */
	else
		slab_free(&reply_cache, rp);
}

/* A holder's reference going. */
static void reply_put(void *p)
{
	struct reply *rp = p;
	struct task *caller;
	irqflags_t f;

	if (!__atomic_sub_fetch(&rp->holders, 1, __ATOMIC_ACQ_REL)) {
		struct endpoint *ep;
		struct event *e;

		f = spin_lock_irqsave(&rp->lock);
		caller = rp->caller;
		rp->caller = 0;
		e = take_cancel(rp, &ep);	/* EPIPE is its answer */
		spin_unlock_irqrestore(&rp->lock, f);
		end_cancel(e, ep, false);
		if (caller) {	/* never answered: the caller must not hang */
			caller->ipc.msg[0] = (uint64_t)-NH_EPIPE;
			for (int i = 1; i < 7; i++)
				caller->ipc.msg[i] = 0;
			answer(caller, rp);
		}
	}
	reply_unref(rp);
}

void ipc_init(void)
{
	static const struct handle_type_ops ep_ops = {
		.get = ep_get, .put = ep_put, .slot = ep_slot };
	static const struct handle_type_ops reply_ops = {
		.get = reply_get, .put = reply_put };

	slab_cache_init(&ep_cache, "endpoint", sizeof(struct endpoint));
	slab_cache_init(&reply_cache, "reply", sizeof(struct reply));
	slab_cache_init(&event_cache, "ipc_event", sizeof(struct event));
	handle_type_register(NH_OBJ_ENDPOINT, &ep_ops);
	handle_type_register(NH_OBJ_REPLY, &reply_ops);
}

static struct endpoint *ep_create(void)
{
	struct endpoint *ep = slab_alloc(&ep_cache);

	if (!ep)
		return 0;
	*ep = (struct endpoint){ .refs = 1,
		.lock = SPINLOCK_INIT("ipc: an endpoint's queues", RANK_ENDPOINT) };
	list_init(&ep->senders);
	list_init(&ep->waiting);
	list_init(&ep->events);
	return ep;
}

struct endpoint *ipc_endpoint_create(void)
{
	return ep_create();
}

void ipc_endpoint_put(struct endpoint *ep)
{
	ep_put(ep);
}

/* A reply object naming @caller (taking a reference to it), held by the
 * caller's wait only: no holder yet. */
static struct reply *reply_create(struct task *caller, bool fault)
{
	struct reply *rp = &caller->ipc.own;
	struct task *home = caller;

	/* Its own reply object, unless an earlier one is still held (a saved
	 * handle nobody closed yet): then one from the cache. */
	if (__atomic_load_n(&rp->refs, __ATOMIC_ACQUIRE)) {
		rp = slab_alloc(&reply_cache);
		home = 0;
		if (!rp)
			return 0;
	}
	if (!home)
		rp->lock = (struct spinlock)REPLY_LOCK_INIT;	/* (own ones: ipc_task_init) */
	rp->refs = 1;
	rp->holders = 0;
	rp->fault = fault;
	rp->caller = caller;
	rp->home = home;
	task_get(caller);		/* for rp->caller */
	if (home)
		task_get(home);		/* its memory is the task's */
	return rp;
}

/* ---- waking ------------------------------------------------------------ */

/* The reply to @caller is in caller->ipc.msg: let it go (and drop the
 * reference rp held). */
static void answer(struct task *caller, struct reply *rp)
{
	irqflags_t f = spin_lock_irqsave(&rp->lock);

	ipc_set_state(&caller->ipc, IPC_DONE, &rp->lock);
	sched_wake(caller, 0, true);
	spin_unlock_irqrestore(&rp->lock, f);
	task_put(caller);
}

/* The last receive handle went: queued callers, and later ones, fail. */
static void orphan(struct endpoint *ep)
{
	irqflags_t f = spin_lock_irqsave(&ep->lock);

	while (!list_empty(&ep->senders)) {
		struct task *s = container_of(ep->senders.next, struct task, ipc.node);

		list_del(&s->ipc.node);
		s->ipc.ep = 0;
		ipc_set_state(&s->ipc, IPC_ORPHANED, &ep->lock);
		sched_wake(s, -NH_EPIPE, false);
	}
	spin_unlock_irqrestore(&ep->lock, f);
}

/* ---- deliveries ------------------------------------------------------- */

static void delivery_release(struct ipc_delivery *d)
{
	if (d->space)
		vm_put(d->space);
	if (d->from)
		task_put(d->from);
	if (d->reply)
		reply_put(d->reply);
	if (d->ev)
		slab_free(&event_cache, d->ev);
	*d = (struct ipc_delivery){ 0 };
}

/* Copy @len bytes of the sender's IPC buffer into the caller's. */
static int take_buffer(const struct ipc_delivery *d, size_t len)
{
	struct task *self = task_current();
	uint64_t pa;
	int err;

	if (!len)
		return 0;
	if (!self->ipc.buf)
		return -NH_E2BIG;	/* nowhere to put it */
	if (d->ev)
		return vm_write(self->space, self->ipc.buf, &d->ev->rec,
				len < sizeof(d->ev->rec) ? len : sizeof(d->ev->rec), 0);
	pa = frame_alloc();
	if (!pa)
		return -NH_ENOMEM;
	err = vm_read(d->space, d->from->ipc.buf, kmap_phys(pa), len);
	if (!err)
		err = vm_write(self->space, self->ipc.buf, kmap_phys(pa), len, 0);
	frame_put(pa);
	return err;
}

/* The granted handle's number in the caller's table, 0, or an error.
 * NH_IPC_GRANT_MOVE: the sender's handle is closed once it is installed. */
static long take_grant(const struct ipc_delivery *d)
{
	long h = (long)(d->grant & 0xffffffffu), got;
	uint32_t rights = (uint32_t)(d->grant >> 32);

	if (!d->grant || !d->from)
		return 0;
	if (!d->from->handles || !task_current()->handles)
		return -NH_EBADF;
	got = handle_install(d->from->handles, h, task_current()->handles,
			     rights & ~NH_IPC_GRANT_MOVE);
	if (got > 0 && (rights & NH_IPC_GRANT_MOVE))
		handle_close(d->from->handles, h);
	return got;
}

/* Keep @rp as the caller's implicit reply (dropping an older one). */
static void keep_reply(struct reply *rp)
{
	struct task *self = task_current();
	struct reply *old = self->ipc.reply;

	self->ipc.reply = rp;
	if (old)
		reply_put(old);
}

/* Hand delivery @d to the calling receiver: its registers and result. */
static long consume(struct ipc_delivery *d)
{
	struct trap_frame *tf = task_user_frame_self();
	uint64_t tag = d->tag;
	int err = take_buffer(d, NH_IPC_LEN(tag));
	long granted = err ? 0 : take_grant(d);

	if (!err) {
		keep_reply(d->reply);
		d->reply = 0;
		for (int i = 0; i < 4; i++)
			tf->regs[11 + i] = d->w[i];
		tf->regs[15] = d->badge;
		tf->regs[16] = (uint64_t)granted;
	}
	delivery_release(d);	/* an unkept reply: the caller gets EPIPE */
	return err ? err : (long)tag;
}

/* ---- rendezvous ------------------------------------------------------- */

/* The first queued event, else the first queued caller, of @ep into *d;
 * false if none.  Lock held.  A caller's message leaves its ipc.msg; it
 * waits for the reply. */
static bool take_queued(struct endpoint *ep, struct ipc_delivery *d)
{
	struct task *s;

	if (!list_empty(&ep->events)) {	/* events first: a death is news */
		struct event *e = container_of(ep->events.next, struct event, node);

		list_del(&e->node);
		*d = e->d;
		d->ev = e;
		return true;
	}
	if (!list_empty(&ep->senders)) {
		s = container_of(ep->senders.next, struct task, ipc.node);
		list_del(&s->ipc.node);
		s->ipc.ep = 0;
		*d = (struct ipc_delivery){ .from = s, .space = s->space,
			.tag = s->ipc.msg[0], .w = { s->ipc.msg[1], s->ipc.msg[2],
			s->ipc.msg[3], s->ipc.msg[4] }, .grant = s->ipc.msg[5],
			.badge = s->ipc.badge, .reply = s->ipc.wait };
		task_get(s);
		vm_get(s->space);
		reply_get(s->ipc.wait);
		ipc_set_state(&s->ipc, IPC_REPLY_WAIT, &ep->lock);
		return true;
	}
	return false;
}

/* The receiver waiting on @ep (lock held) to hand a message to: the
 * first on this hart (a server's threads, one a hart: no cross-hart
 * wake-up), else the first; NULL if none. */
static struct task *waiting_receiver(struct endpoint *ep)
{
	unsigned here = hart_self()->index;
	struct list_node *n;

	list_for_each(n, &ep->waiting) {
		struct task *r = container_of(n, struct task, ipc.node);

		if (r->hart == here)	/* (a hint: where it sleeps) */
			return r;
	}
	return list_empty(&ep->waiting) ? 0 :
	       container_of(ep->waiting.next, struct task, ipc.node);
}

/* Hand @d to a receiver waiting on @ep (lock held): false if none. */
static bool hand_to_waiting(struct endpoint *ep, const struct ipc_delivery *d)
{
	struct task *r = waiting_receiver(ep);

	if (!r)
		return false;
	list_del(&r->ipc.node);
	r->ipc.ep = 0;
	r->ipc.in = *d;
	ipc_set_state(&r->ipc, IPC_GOT, &ep->lock);
	sched_wake(r, 0, false);
	return true;
}

/* The bits of @ep's bound notification, taken (0: none or not bound).  The
 * binding is read under the lock with a reference: a rebind may drop it. */
static uint64_t bound_bits(struct endpoint *ep)
{
	irqflags_t f;
	struct notify *n;
	uint64_t bits;

	/* Not bound (read unlocked, the usual case): nothing to poll.  A
	 * binding and signal racing with this set ep->signalled, which the
	 * receive checks under the lock before it sleeps. */
	if (!__atomic_load_n(&ep->bound, __ATOMIC_ACQUIRE))
		return 0;
	f = spin_lock_irqsave(&ep->lock);
	n = ep->bound;
	if (n)
		notify_get(n);
	spin_unlock_irqrestore(&ep->lock, f);
	if (!n)
		return 0;
	bits = notify_poll(n);
	notify_put(n);
	return bits;
}

/* A notification's bits as a message (the implicit reply stays). */
static long notify_msg(uint64_t bits)
{
	struct trap_frame *tf = task_user_frame_self();

	tf->regs[11] = bits;
	for (int i = 12; i < 17; i++)
		tf->regs[i] = 0;
	return (long)NH_IPC_TAG(NH_IPC_NOTIFY, 0);
}

/* A bound notification signalled (no lock held; any context): wake a
 * receiver to pick the bits up, or leave a mark for the next one. */
static void ep_signalled(void *ctx)
{
	struct endpoint *ep = ctx;
	struct ipc_delivery d = { .tag = NH_IPC_TAG(NH_IPC_NOTIFY, 0) };
	irqflags_t f = spin_lock_irqsave(&ep->lock);

	if (!hand_to_waiting(ep, &d))
		ep->signalled = true;
	spin_unlock_irqrestore(&ep->lock, f);
}

/*
 * Sleep on @ep until something is handed over (lock held, released).
 * The stack is not kept: the task resumes in ipc_recv_cont, with the
 * reference to @ep in ipc.cont_ep.
 */
static __attribute__((noreturn)) void wait_handed(struct endpoint *ep, irqflags_t f)
{
	struct task *self = task_current();

	ipc_set_state(&self->ipc, IPC_RECV, &ep->lock);
	self->ipc.ep = ep;
	self->ipc.cont = IPC_CONT_RECV;
	list_add_tail(&ep->waiting, &self->ipc.node);
	sched_prepare_sleep(TASK_SLEEPING, 0);
	spin_unlock_irqrestore(&ep->lock, f);
	sched_block(ipc_recv_cont);
}

/* Woken on @ep: 0 (what came is in ipc.in), or what interrupted it. */
static int handed(struct endpoint *ep)
{
	struct task *self = task_current();
	int r = self->wake_result;
	irqflags_t f = spin_lock_irqsave(&ep->lock);

	if (self->ipc.state == IPC_RECV && !r) {	/* woken for nothing: */
		list_del(&self->ipc.node);	/* still queued, wait anew */
		wait_handed(ep, f);
	}
	if (self->ipc.state == IPC_RECV) {	/* interrupted */
		list_del(&self->ipc.node);
		self->ipc.ep = 0;
	} else {
		r = 0;
	}
	ipc_set_state(&self->ipc, IPC_IDLE, &ep->lock);
	spin_unlock_irqrestore(&ep->lock, f);
	return r;
}

/* Wait on @ep for a message: its tag (registers set), or an error.  The
 * bound notification's bits come as an NH_IPC_NOTIFY message.  The
 * caller's reference to @ep is in ipc.cont_ep (a wait continues in
 * ipc_recv_cont). */
static long receive(struct endpoint *ep)
{
	struct ipc_delivery d;
	uint64_t bits;
	irqflags_t f;

	for (;;) {
		bits = bound_bits(ep);
		if (bits)
			return notify_msg(bits);
		f = spin_lock_irqsave(&ep->lock);
		if (take_queued(ep, &d)) {
			spin_unlock_irqrestore(&ep->lock, f);
			return consume(&d);
		}
		if (!ep->signalled)
			wait_handed(ep, f);
		ep->signalled = false;	/* bits came after the poll: poll again */
		spin_unlock_irqrestore(&ep->lock, f);
	}
}

long ipc_recv_cont(void)
{
	struct task *self = task_current();
	struct endpoint *ep = self->ipc.cont_ep;
	struct ipc_delivery d;
	long r;

	self->ipc.cont = IPC_CONT_NONE;
	r = handed(ep);
	if (!r) {
		d = self->ipc.in;
		self->ipc.in = (struct ipc_delivery){ 0 };
		/* a notification's wake-up: poll it */
		r = d.from || d.ev ? consume(&d) : receive(ep);
	}
	self->ipc.cont_ep = 0;
	ep_put(ep);
	return r;
}


/* Forget the reply the caller waited for (it will not come to us). */
static void drop_wait(struct task *self)
{
	struct reply *rp = self->ipc.wait;
	struct endpoint *ep = 0;
	struct event *e = 0;
	bool mine;
	irqflags_t f;

	if (!rp)
		return;
	f = spin_lock_irqsave(&rp->lock);
	mine = rp->caller == self;
	if (mine) {
		rp->caller = 0;
		e = take_cancel(rp, &ep);	/* its holder is told */
	}
	spin_unlock_irqrestore(&rp->lock, f);
	end_cancel(e, ep, true);
	if (mine)
		task_put(self);
	self->ipc.wait = 0;
	self->ipc.resume = false;
	reply_unref(rp);
}

void ipc_cancel_restart(struct task *t)
{
	if (t->ipc.resume) {
		drop_wait(t);	/* its reply, if it comes, goes nowhere */
		ipc_set_state(&t->ipc, IPC_IDLE, 0);
	}
}

/*
 * Wait for the reply to the call in self->ipc.wait: msg[0] (a tag or an
 * error), with msg[1..6] for the registers.  @r: what interrupted the
 * last sleep (0: none).  A stop (TASK_ERESTART) keeps the reply attached
 * for the restarted call; -NH_EINTR detaches it.  With @cont (a system
 * call's own wait, nothing else on the stack) it sleeps with the
 * continuation ipc_call_cont.
 */
static long wait_reply(struct task *self, int r, bool cont)
{
	struct reply *rp = self->ipc.wait;
	irqflags_t f;

	for (;;) {
		f = spin_lock_irqsave(&rp->lock);
		if (__atomic_load_n(&self->ipc.state, __ATOMIC_ACQUIRE) == IPC_DONE)
			break;
		if (r && rp->caller == self) {		/* interrupted, unanswered */
			spin_unlock_irqrestore(&rp->lock, f);
			if (r == -TASK_ERESTART) {
				self->ipc.resume = true;
				return r;
			}
			drop_wait(self);
			ipc_set_state(&self->ipc, IPC_IDLE, 0);
			return r;
		}
		/* Being answered: nothing may stop it now. */
		self->ipc.cont = cont ? IPC_CONT_REPLY : IPC_CONT_NONE;
		sched_prepare_sleep(rp->caller == self ? TASK_SLEEPING
						       : TASK_SLEEPING_UNINTR, 0);
		spin_unlock_irqrestore(&rp->lock, f);
		if (cont)
			sched_block(ipc_call_cont);
		schedule();
		r = self->wake_result;
	}
	spin_unlock_irqrestore(&rp->lock, f);
	ipc_set_state(&self->ipc, IPC_IDLE, 0);
	drop_wait(self);
	return (long)self->ipc.msg[0];
}

static void reply_regs(struct task *self, long r);

long ipc_call_cont(void)
{
	struct task *self = task_current();
	long r;

	self->ipc.cont = IPC_CONT_NONE;
	r = wait_reply(self, self->wake_result, true);
	if (r != -TASK_ERESTART)
		reply_regs(self, r);
	return r;
}

static long sent(struct task *self, struct endpoint *ep, int r, bool cont);

/*
 * Call @ep with the message in self->ipc.msg, through a handle badged
 * @badge, dropping the caller's reference to @ep once it is not needed;
 * wait for the reply (wait_reply's result).  A fault's call keeps its
 * stack; a system call's waits for the reply with a continuation.
 */
static long call(struct endpoint *ep, uint64_t badge, bool fault)
{
	struct task *self = task_current();
	struct reply *rp = reply_create(self, fault);
	struct ipc_delivery d;
	irqflags_t f;

	if (!rp) {
		ep_put(ep);
		return -NH_ENOMEM;
	}
	self->ipc.wait = rp;
	d = (struct ipc_delivery){ .from = self, .space = self->space,
		.tag = self->ipc.msg[0], .w = { self->ipc.msg[1], self->ipc.msg[2],
		self->ipc.msg[3], self->ipc.msg[4] }, .grant = self->ipc.msg[5],
		.badge = badge, .reply = rp };
	f = spin_lock_irqsave(&ep->lock);
	if (!__atomic_load_n(&ep->receivers, __ATOMIC_ACQUIRE)) {
		spin_unlock_irqrestore(&ep->lock, f);
		ep_put(ep);
		drop_wait(self);
		return -NH_EPIPE;	/* nobody can ever receive it */
	}
	if (!list_empty(&ep->waiting)) {
		ipc_set_state(&self->ipc, IPC_REPLY_WAIT, &ep->lock);
		task_get(self);
		vm_get(self->space);
		reply_get(rp);		/* the delivery holds it now */
		hand_to_waiting(ep, &d);
		spin_unlock_irqrestore(&ep->lock, f);
		ep_put(ep);
		return wait_reply(self, 0, !fault);
	}
	ipc_set_state(&self->ipc, IPC_SEND, &ep->lock);
	self->ipc.badge = badge;
	self->ipc.ep = ep;
	list_add_tail(&ep->senders, &self->ipc.node);
	if (!fault) {	/* queued with a continuation, keeping the reference */
		self->ipc.cont = IPC_CONT_SEND;
		self->ipc.cont_ep = ep;
	}
	sched_prepare_sleep(TASK_SLEEPING, 0);
	spin_unlock_irqrestore(&ep->lock, f);
	if (!fault)
		sched_block(ipc_send_cont);
	schedule();
	return sent(self, ep, self->wake_result, false);
}

/*
 * A queued call woke (@r: what interrupted it, 0 if nothing did): it was
 * taken by a receiver (then wait for the reply), or the endpoint lost its
 * receivers, or it was interrupted still queued.  Drops the reference to
 * @ep.
 */
static long sent(struct task *self, struct endpoint *ep, int r, bool cont)
{
	irqflags_t f = spin_lock_irqsave(&ep->lock);

	if (self->ipc.state == IPC_SEND) {	/* interrupted before anyone took it */
		list_del(&self->ipc.node);
		self->ipc.ep = 0;
	}
	spin_unlock_irqrestore(&ep->lock, f);
	ep_put(ep);
	if (self->ipc.state == IPC_SEND || self->ipc.state == IPC_ORPHANED) {
		bool orphaned = self->ipc.state == IPC_ORPHANED;

		ipc_set_state(&self->ipc, IPC_IDLE, 0);
		drop_wait(self);
		return orphaned ? -NH_EPIPE : (r ? r : -NH_EINTR);
	}
	return wait_reply(self, 0, cont);
}

long ipc_send_cont(void)
{
	struct task *self = task_current();
	struct endpoint *ep = self->ipc.cont_ep;
	long r;

	self->ipc.cont = IPC_CONT_NONE;
	self->ipc.cont_ep = 0;
	r = sent(self, ep, self->wake_result, true);
	if (r != -TASK_ERESTART)
		reply_regs(self, r);
	return r;
}

/* ---- replies ------------------------------------------------------------ */

/* A fault handler's NH_FAULT_SET_REGS: the registers from our buffer. */
static int fault_regs(struct task *caller)
{
	struct task *self = task_current();
	struct trap_frame *tf = task_user_frame(caller);
	struct nh_regs r;
	int err = self->ipc.buf ? vm_read(self->space, self->ipc.buf, &r, sizeof(r))
				: -NH_EINVAL;

	if (!err && (!uaccess_range_ok(r.x[0], 2) || (r.x[0] & 1)))
		err = -NH_EINVAL;
	for (int i = 0; !err && i < 32; i++)
		tf->regs[i] = r.x[i];	/* x[0] is the pc */
	return err;
}

/* The caller's buffer gets @len bytes of ours. */
static int give_buffer(struct task *caller, size_t len)
{
	struct task *self = task_current();
	uint64_t pa;
	int err;

	if (!len)
		return 0;
	if (!self->ipc.buf || !caller->ipc.buf)
		return -NH_E2BIG;
	pa = frame_alloc();
	if (!pa)
		return -NH_ENOMEM;
	err = vm_read(self->space, self->ipc.buf, kmap_phys(pa), len);
	if (!err)
		err = vm_write(caller->space, caller->ipc.buf, kmap_phys(pa), len, 0);
	frame_put(pa);
	return err;
}

/*
 * Answer @rp with @msg (tag, words, grant): -NH_EPIPE if it was answered
 * already or its caller is gone.  The caller waits, uninterruptibly,
 * from the moment the answer starts until it is DONE.
 */
static long answer_with(struct reply *rp, const uint64_t msg[6], long close_h)
{
	struct task *caller;
	long granted = 0;
	irqflags_t f = spin_lock_irqsave(&rp->lock);
	int err;

	struct endpoint *cep;
	struct event *ce;

	caller = rp->caller;
	rp->caller = 0;
	ce = take_cancel(rp, &cep);	/* answered: no notice */
	spin_unlock_irqrestore(&rp->lock, f);
	end_cancel(ce, cep, false);
	if (close_h)	/* answered now: closing its holder sends no EPIPE */
		handle_close(task_current()->handles, close_h);
	if (!caller)
		return -NH_EPIPE;
	if (rp->fault)
		err = NH_IPC_LABEL(msg[0]) == NH_FAULT_SET_REGS ? fault_regs(caller) : 0;
	else
		err = give_buffer(caller, NH_IPC_LEN(msg[0]));
	if (!err && msg[5] && task_current()->handles && caller->handles)
		granted = handle_install(task_current()->handles, (long)(msg[5] & 0xffffffffu),
					 caller->handles, (uint32_t)(msg[5] >> 32));
	caller->ipc.msg[0] = err ? (uint64_t)(long)err : msg[0];
	for (int i = 0; i < 4; i++)
		caller->ipc.msg[1 + i] = msg[1 + i];
	caller->ipc.msg[5] = 0;
	caller->ipc.msg[6] = (uint64_t)granted;
	answer(caller, rp);
	return err;
}

/* ---- events ------------------------------------------------------------- */

/* Post event @e to @ep: to a waiting receiver or onto the queue. */
static void post_event(struct endpoint *ep, struct event *e)
{
	irqflags_t f = spin_lock_irqsave(&ep->lock);

	e->d.ev = e;
	if (!hand_to_waiting(ep, &e->d))
		list_add_tail(&ep->events, &e->node);
	spin_unlock_irqrestore(&ep->lock, f);
}

/* The events endpoint of @t and its badge, with a reference; or NULL. */
static struct endpoint *events_of(struct task *t, uint64_t *badge)
{
	irqflags_t f = spin_lock_irqsave(&t->ctl_lock);
	struct endpoint *ep = t->ipc.events;

	if (ep)
		ep_get(ep);
	*badge = t->ipc.events_badge;
	spin_unlock_irqrestore(&t->ctl_lock, f);
	return ep;
}

/* The exit event, in the event allocated when @t was bound (so no exit
 * is ever lost for want of memory). */
static void post_exit(struct task *t)
{
	uint64_t badge;
	struct endpoint *ep = events_of(t, &badge);
	irqflags_t f = spin_lock_irqsave(&t->ctl_lock);
	struct event *e = t->ipc.exit_ev;

	t->ipc.exit_ev = 0;
	spin_unlock_irqrestore(&t->ctl_lock, f);
	if (e && !ep)
		slab_free(&event_cache, e);	/* unbound since */
	if (e && ep) {
		task_exit_record(t, &e->rec);
		e->d = (struct ipc_delivery){ .tag = NH_IPC_TAG(NH_IPC_EXIT, sizeof(e->rec)),
			.w = { (uint64_t)e->rec.reason, (uint64_t)e->rec.code, t->id, 0 },
			.badge = badge };
		post_event(ep, e);
	}
	if (ep)
		ep_put(ep);
}

void ipc_task_init(struct task *t)
{
	t->ipc = (struct ipc_task){ 0 };
	t->ipc.own.lock = (struct spinlock)REPLY_LOCK_INIT;
	list_init(&t->ipc.node);
}

void ipc_task_exit(struct task *t)
{
	irqflags_t f;
	struct endpoint *ep;

	drop_wait(t);
	if (t->ipc.reply) {
		reply_put(t->ipc.reply);	/* unanswered: its caller gets EPIPE */
		t->ipc.reply = 0;
	}
	if (t->ipc.state == IPC_GOT)	/* handed a message it never took */
		delivery_release(&t->ipc.in);
	post_exit(t);
	f = spin_lock_irqsave(&t->ctl_lock);
	ep = t->ipc.events;
	t->ipc.events = 0;
	t->ipc.events_closed = true;	/* no binding from now on */
	spin_unlock_irqrestore(&t->ctl_lock, f);
	if (ep)
		ep_put(ep);
}

int ipc_fault(struct trap_frame *tf)
{
	struct task *self = task_current();
	uint64_t badge;
	struct endpoint *ep = events_of(self, &badge);
	long r;

	if (!ep)
		return -1;
	ipc_cancel_restart(self);	/* a call it was to restart is over */
	self->ipc.msg[0] = NH_IPC_TAG(NH_IPC_FAULT, 0);
	self->ipc.msg[1] = tf->scause;
	self->ipc.msg[2] = tf->stval;
	self->ipc.msg[3] = tf->regs[0];
	self->ipc.msg[4] = self->id;
	self->ipc.msg[5] = 0;
	/* Sleeping for the handler like a system call: not inside this trap
	 * (the hart runs others meanwhile, and we may come back elsewhere). */
	hart_self()->trap_depth--;
	arch_irq_enable();
	r = call(ep, badge, true);	/* (drops ep) */
	arch_irq_save();
	hart_self()->trap_depth++;
	if (r == -TASK_ERESTART) {	/* stopped or killed: fault again later */
		drop_wait(self);
		ipc_set_state(&self->ipc, IPC_IDLE, 0);
		return NH_FAULT_RESUME;
	}
	if (r < 0)
		return -1;
	r = (long)NH_IPC_LABEL((uint64_t)r);
	return r == NH_FAULT_SET_REGS ? NH_FAULT_RESUME :
	       r == NH_FAULT_RESUME ? NH_FAULT_RESUME : NH_FAULT_KILL;
}

/* ---- the system calls' halves (sys/ipc.c decodes the registers) -------- */

static bool tag_ok(uint64_t tag)
{
	return !(tag & 0xe000) && NH_IPC_LEN(tag) <= NH_IPC_BUF_MAX &&
	       NH_IPC_LABEL(tag) <= NH_IPC_LABEL_MAX;
}

/* Is @m (tag, four words, grant) a message the caller may send? */
static int msg_ok(const uint64_t m[6])
{
	if (!tag_ok(m[0]))
		return -NH_EINVAL;
	return NH_IPC_LEN(m[0]) && !task_current()->ipc.buf ? -NH_EINVAL : 0;
}

/* A call's result registers a1..a6 (the reply's words and grant). */
static void reply_regs(struct task *self, long r)
{
	struct trap_frame *tf = task_user_frame_self();

	for (int i = 1; i < 7; i++)
		tf->regs[10 + i] = r >= 0 ? self->ipc.msg[i] : 0;
}

long ipc_call(long ep_h, const uint64_t m[6])
{
	struct task *self = task_current();
	struct endpoint *ep;
	uint64_t badge;
	long r;
	int err;

	if (self->ipc.resume) {		/* restarted: the message was taken */
		r = wait_reply(self, 0, true);
	} else {
		err = msg_ok(m);
		if (!err)
			err = handle_lookup_badged(ep_h, NH_OBJ_ENDPOINT,
						   NH_RIGHT_WRITE, (void **)&ep, &badge);
		if (err)
			return err;
		memcpy(self->ipc.msg, m, sizeof(self->ipc.msg[0]) * 6);
		r = call(ep, badge, false);	/* (drops ep) */
	}
	if (r != -TASK_ERESTART)
		reply_regs(self, r);
	return r;
}

long ipc_recv(long h)
{
	struct endpoint *ep;
	int err = handle_lookup_self(h, NH_OBJ_ENDPOINT, NH_RIGHT_READ, (void **)&ep);
	long r;

	if (err)
		return err;
	task_current()->ipc.cont_ep = ep;
	r = receive(ep);
	task_current()->ipc.cont_ep = 0;
	ep_put(ep);
	return r;
}

/* Answer the implicit reply (@h 0) or a saved one. */
static long reply_to(long h, const uint64_t m[6])
{
	struct task *self = task_current();
	struct reply *rp = 0;
	long r, close_h = h & NH_IPC_REPLY_CLOSE ? h & ~NH_IPC_REPLY_CLOSE : 0;

	h &= ~NH_IPC_REPLY_CLOSE;
	if (!h) {
		rp = self->ipc.reply;
		self->ipc.reply = 0;
		if (!rp)
			return -NH_ENOENT;
	} else {
		int err = handle_lookup_self(h, NH_OBJ_REPLY, NH_RIGHT_WRITE, (void **)&rp);

		if (err)
			return err;
	}
	r = answer_with(rp, m, close_h);
	reply_put(rp);
	return r;
}

long ipc_reply(long reply_h, const uint64_t m[6])
{
	int err = msg_ok(m);

	return err ? err : reply_to(reply_h, m);
}

long ipc_reply_recv(long ep_h, const uint64_t m[6])
{
	int err = msg_ok(m);

	if (err)
		return err;
	if (task_current()->ipc.reply)
		reply_to(0, m);		/* a caller that went away is no concern here */
	return ipc_recv(ep_h);
}

/* The task waiting on @rp, with a reference, or NULL. */
static struct task *caller_of(struct reply *rp)
{
	irqflags_t f = spin_lock_irqsave(&rp->lock);
	struct task *caller = rp->caller;

	if (caller)
		task_get(caller);
	spin_unlock_irqrestore(&rp->lock, f);
	return caller;
}

int ipc_reply_regs(long reply_h, struct nh_regs *out)
{
	struct reply *rp;
	struct task *caller;
	int err = handle_lookup_self(reply_h, NH_OBJ_REPLY, NH_RIGHT_WRITE, (void **)&rp);

	if (err)
		return err;
	caller = caller_of(rp);
	if (caller) {
		while (!sched_off_cpu(caller))	/* it is on its way to sleep */
			arch_cpu_relax();
		taskctl_frame_regs(caller, out);
		task_put(caller);
	}
	/* Still waiting, so the frame read was its own (not a dead one's). */
	if (!caller || __atomic_load_n(&rp->caller, __ATOMIC_ACQUIRE) != caller)
		err = -NH_EPIPE;
	reply_put(rp);
	return err;
}

long ipc_reply_save(void)
{
	struct task *self = task_current();
	struct reply *rp = self->ipc.reply;
	long h;

	if (!rp)
		return -NH_ENOENT;
	h = self->handles ? handle_alloc(self->handles, NH_OBJ_REPLY, rp,
					 NH_RIGHT_WRITE | NH_RIGHT_GRANT) : -NH_EPERM;
	if (h > 0) {
		self->ipc.reply = 0;
		reply_put(rp);		/* the handle holds its own reference */
	}
	return h;
}

long ipc_reply_notify(long reply_h, long ep_h, uint64_t cookie)
{
	struct endpoint *ep, *old_ep;
	struct event *e, *old;
	struct reply *rp;
	irqflags_t f;
	int err = handle_lookup_self(reply_h, NH_OBJ_REPLY, NH_RIGHT_WRITE, (void **)&rp);

	if (err)
		return err;
	err = handle_lookup_self(ep_h, NH_OBJ_ENDPOINT, NH_RIGHT_WRITE, (void **)&ep);
	e = err ? 0 : slab_alloc(&event_cache);	/* made now: a notice is never lost */
	if (!err && !e) {
		ep_put(ep);
		err = -NH_ENOMEM;
	}
	if (err) {
		handle_put_obj(NH_OBJ_REPLY, rp);
		return err;
	}
	e->d = (struct ipc_delivery){ .tag = NH_IPC_TAG(NH_IPC_CANCEL, 0), .w = { cookie } };
	f = spin_lock_irqsave(&rp->lock);
	if (rp->caller) {
		old = take_cancel(rp, &old_ep);
		rp->cancel = e;
		rp->cancel_ep = ep;
		e = 0;
	} else {
		old = 0;
		err = -NH_EPIPE;	/* its caller has gone already */
	}
	spin_unlock_irqrestore(&rp->lock, f);
	end_cancel(old, old_ep, false);
	end_cancel(e, ep, false);
	handle_put_obj(NH_OBJ_REPLY, rp);
	return err;
}

long ipc_bind_events(long task_h, long ep_h, uint64_t badge)
{
	struct endpoint *ep = 0, *old;
	struct event *pre = 0;
	struct task *t;
	irqflags_t f;
	int err = handle_lookup_self(task_h, NH_OBJ_TASK, NH_RIGHT_CONTROL, (void **)&t);

	if (err)
		return err;
	if (ep_h)
		err = handle_lookup_self(ep_h, NH_OBJ_ENDPOINT, NH_RIGHT_WRITE,
					 (void **)&ep);
	if (!err && (t->kernel || t->state == TASK_DEAD))
		err = t->kernel ? -NH_EPERM : -NH_ESRCH;
	if (!err && ep && !(pre = slab_alloc(&event_cache)))
		err = -NH_ENOMEM;	/* its exit event, made now */
	if (!err) {
		f = spin_lock_irqsave(&t->ctl_lock);
		if (t->ipc.events_closed) {	/* it is ending: nothing would drop it */
			err = -NH_ESRCH;
		} else {
			old = t->ipc.events;
			t->ipc.events = ep;
			t->ipc.events_badge = badge;
			ep = old;	/* drop the one it replaced */
			if (!t->ipc.exit_ev) {
				t->ipc.exit_ev = pre;
				pre = 0;
			}
		}
		spin_unlock_irqrestore(&t->ctl_lock, f);
	}
	if (pre)
		slab_free(&event_cache, pre);
	if (ep)
		ep_put(ep);
	handle_put_obj(NH_OBJ_TASK, t);
	return err;
}

long ipc_endpoint_bind_notify(long ep_h, long notify_h)
{
	struct endpoint *ep;
	struct notify *n = 0, *old;
	irqflags_t f;
	int err = handle_lookup_self(ep_h, NH_OBJ_ENDPOINT, NH_RIGHT_READ, (void **)&ep);

	if (err)
		return err;
	if (notify_h)
		err = handle_lookup_self(notify_h, NH_OBJ_NOTIFY, NH_RIGHT_READ,
					 (void **)&n);
	if (!err && n)
		err = notify_bind(n, ep_signalled, ep);	/* -NH_EBUSY: bound elsewhere */
	if (err) {
		if (n)
			notify_put(n);
		ep_put(ep);
		return err;
	}
	f = spin_lock_irqsave(&ep->lock);
	old = ep->bound;
	__atomic_store_n(&ep->bound, n, __ATOMIC_RELEASE);	/* our reference */
	spin_unlock_irqrestore(&ep->lock, f);
	if (old) {
		notify_unbind(old);
		notify_put(old);
	}
	ep_put(ep);
	return 0;
}
