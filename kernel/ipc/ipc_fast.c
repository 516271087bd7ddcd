/*
 * IPC's fast path (see ipc.h): ipc_call and ipc_reply_recv when the
 * message is registers only and the partner sleeps with a continuation
 * on this hart.  It leaves the objects exactly as the slow path would
 * (ipc.c: the same states, references and reply object; only the
 * partner's passing states GOT and DONE are skipped, edges k and h of
 * ipc.h's diagram), so either path may take over from the other at any
 * step; what it skips is the
 * delivery, the run queue and both kernel stacks: the message goes from
 * the caller's frame to the partner's, and trap.S returns through the
 * partner's frame (sched.h, direct switches).
 *
 * Locks, in rank order: the caller's handle table (its slot keeps the
 * endpoint alive, so no reference is taken), the endpoint, this hart's
 * run queue (no reply-object lock: see reply_locked).  Everything is
 * checked under them before anything changes; the run queue stays
 * locked until trap.S is on the partner's stack.
 */
#include <nuthatch/handle.h>
#include <nuthatch/ipc.h>

#include "arch/riscv/trap.h"
#include "obj/handle.h"
#include "core/hart.h"
#include "ipc/ipc.h"
#include "ipc/notify.h"
#include "sched/sched.h"
#include "sched/task.h"

uint64_t ipc_fast_count(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < PLAT_MAX_HARTS; i++)
		n += __atomic_load_n(&harts[i].ipc_fast, __ATOMIC_RELAXED);
	return n;
}

/* A message the fast path carries: a valid tag, no buffer, no grant. */
static bool fast_msg(const struct trap_frame *tf)
{
	uint64_t tag = tf->regs[11];

	return !(tag & 0xe000) && NH_IPC_LEN(tag) == 0 &&
	       NH_IPC_LABEL(tag) <= NH_IPC_LABEL_MAX && !tf->regs[16];
}

/* The message of @from (tag in a1, words a2..a5) into @to as a receive
 * or a call returns it: the tag as the result (a0), the words in a1..a4,
 * @badge in a5, no grant (a6). */
static void move_msg(struct trap_frame *to, const struct trap_frame *from,
		     uint64_t badge)
{
	to->regs[10] = from->regs[11];
	to->regs[11] = from->regs[12];
	to->regs[12] = from->regs[13];
	to->regs[13] = from->regs[14];
	to->regs[14] = from->regs[15];
	to->regs[15] = badge;
	to->regs[16] = 0;
}

/* Leave the current task asleep (@cont) and run @next: its frame, with
 * the message from @tf.  The caller's pc moves past its ecall now, as
 * the dispatcher would have done.  (Inlined: each call site is a fast
 * path measured to the instruction.) */
static inline __attribute__((always_inline)) struct trap_frame *
switch_with(struct hart *h, struct trap_frame *tf, struct task *next,
	    long (*cont)(void), uint64_t badge)
{
	struct trap_frame *nf;

	tf->regs[0] += 4;
	sched_direct_switch(h, next, cont);	/* next's stack is fenced now */
	nf = task_user_frame_mapped(next);
	move_msg(nf, tf, badge);
	__atomic_store_n(&h->ipc_fast, h->ipc_fast + 1, __ATOMIC_RELAXED);
	return nf;
}

/* ---- call ----------------------------------------------------------------- */

/* The receiver waiting on @ep the fast path can hand a call to (ep
 * locked): asleep with a continuation, holding no reply, and of those
 * the first on this hart (a server's threads, one a hart: each serves
 * its own hart's callers without a cross-hart wake-up); else the first
 * (sched_direct_try refuses it, and the call takes the slow path). */
static struct task *fast_receiver(struct endpoint *ep)
{
	unsigned here = hart_self()->index;
	struct task *first = 0;
	struct list_node *n;

	if (!__atomic_load_n(&ep->receivers, __ATOMIC_ACQUIRE))
		return 0;
	list_for_each(n, &ep->waiting) {
		struct task *r = container_of(n, struct task, ipc.node);

		if (r->ipc.cont != IPC_CONT_RECV || r->ipc.reply)
			continue;
		if (r->hart == here)	/* (a hint: sched_direct_try checks it) */
			return r;
		first = first ? first : r;
	}
	return first;
}

/* The call from @self is taken by @r, waiting on @ep (locked): what
 * call() and consume() leave. */
static void hand_call(struct task *self, struct task *r, struct endpoint *ep)
{
	struct reply *rp = &self->ipc.own;

	list_del(&r->ipc.node);
	r->ipc.ep = 0;
	ipc_set_state(&r->ipc, IPC_IDLE, &ep->lock);		/* k */
	r->ipc.cont = IPC_CONT_NONE;
	/* the receive's reference: the caller's handle slot holds another */
	__atomic_fetch_sub(&r->ipc.cont_ep->refs, 1, __ATOMIC_RELEASE);
	r->ipc.cont_ep = 0;
	rp->refs = 2;		/* what reply_create and take_queued leave */
	rp->holders = 1;
	rp->fault = false;
	rp->caller = self;
	rp->home = self;
	/* rp->caller and rp->home (task_get twice) */
	__atomic_fetch_add(&self->refs, 2, __ATOMIC_RELAXED);
	r->ipc.reply = rp;	/* its implicit reply */
	self->ipc.wait = rp;
	ipc_set_state(&self->ipc, IPC_REPLY_WAIT, &ep->lock);	/* b */
	self->ipc.cont = IPC_CONT_REPLY;
}

/* With the caller's table locked: hand the call to a receiver if one
 * can take it here and now; its frame, or NULL. */
static struct trap_frame *call_locked(struct trap_frame *tf, struct endpoint *ep,
				      uint64_t badge)
{
	struct task *self = task_current(), *r;
	struct hart *h;

	spin_lock(&ep->lock);
	r = fast_receiver(ep);
	h = r ? sched_direct_try(r) : 0;
	if (h)	/* the commit point */
		hand_call(self, r, ep);
	spin_unlock(&ep->lock);
	return h ? switch_with(h, tf, r, ipc_call_cont, badge) : 0;
}

struct trap_frame *ipc_fast_call(struct trap_frame *tf)
{
	struct task *self = task_current();
	struct handle_table *ht = self->handles;
	struct trap_frame *next = 0;
	struct endpoint *ep;
	uint64_t badge;

	if (!fast_msg(tf) || self->ipc.resume || !ht ||
	    __atomic_load_n(&self->ipc.own.refs, __ATOMIC_ACQUIRE))
		return 0;
	spin_lock(&ht->lock);
	ep = handle_peek(ht, (long)tf->regs[10], NH_OBJ_ENDPOINT, NH_RIGHT_WRITE, &badge);
	if (ep)
		next = call_locked(tf, ep, badge);
	spin_unlock(&ht->lock);
	return next;
}

/* ---- reply and receive ------------------------------------------------------ */

/* Nothing for a receiver on @ep but to wait (ep locked): no caller or
 * event queued, no bits of its bound notification pending (a signal
 * after this finds the receiver waiting, through ep_signalled). */
static bool nothing_queued(const struct endpoint *ep)
{
	return list_empty(&ep->senders) && list_empty(&ep->events) &&
	       !ep->signalled && (!ep->bound || !notify_pending(ep->bound));
}

/* Drop a reference to @ep unless it is the last (then false). */
static bool ep_put_not_last(struct endpoint *ep)
{
	int n = __atomic_load_n(&ep->refs, __ATOMIC_RELAXED);

	while (n > 1) {
		if (__atomic_compare_exchange_n(&ep->refs, &n, n - 1, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/*
 * Is @c waiting for @rp with a continuation (run queue locked)?  Its
 * reply continuation, or the one of a queued call a receiver has taken
 * since: then the endpoint reference that continuation would have
 * dropped goes now, unless it is the last (ep_put may not run here).
 */
static bool fast_caller(const struct reply *rp, struct task *c)
{
	if (rp->caller != c || c->ipc.wait != rp || c->ipc.state != IPC_REPLY_WAIT)
		return false;
	if (c->ipc.cont == IPC_CONT_REPLY)
		return true;
	if (c->ipc.cont != IPC_CONT_SEND || !ep_put_not_last(c->ipc.cont_ep))
		return false;
	c->ipc.cont_ep = 0;
	return true;
}

/* @c gets its answer from @self: what answer_with(), reply_put() and
 * wait_reply() leave, and @self waits on @ep (what receive() leaves).
 * @h: this hart, its run queue locked (c sleeps on it). */
static void answer_and_wait(struct hart *h, struct task *self, struct reply *rp,
			    struct task *c, struct endpoint *ep)
{
	rp->caller = 0;
	c->ipc.wait = 0;
	c->ipc.resume = false;
	ipc_set_state(&c->ipc, IPC_IDLE, &h->rq.lock);		/* h */
	c->ipc.cont = IPC_CONT_NONE;
	self->ipc.reply = 0;
	__atomic_fetch_sub(&rp->holders, 1, __ATOMIC_ACQ_REL);
	/* rp->caller, and rp->home if rp is free now: never c's last
	 * references (the scheduler holds one while it lives) */
	__atomic_fetch_sub(&c->refs,
			   __atomic_sub_fetch(&rp->refs, 2, __ATOMIC_ACQ_REL) ? 1 : 2,
			   __ATOMIC_ACQ_REL);
	__atomic_fetch_add(&ep->refs, 1, __ATOMIC_RELAXED);
	self->ipc.cont_ep = ep;
	ipc_set_state(&self->ipc, IPC_RECV, &ep->lock);		/* f */
	self->ipc.ep = ep;
	self->ipc.cont = IPC_CONT_RECV;
	list_add_tail(&ep->waiting, &self->ipc.node);
}

/*
 * With the caller's table and @ep locked: answer @rp and wait on @ep if
 * its caller can run here and now; the caller's frame, or NULL.  The
 * reply's lock is not taken: rp->caller changes only by the caller
 * itself (asleep on this hart once sched_direct_try holds the run queue)
 * and by a holder, and an implicit reply has one, us.  What is read
 * before that is a hint, checked again under the run queue; c's memory
 * stays (rp->home is c, held while we hold rp).
 */
static struct trap_frame *reply_locked(struct trap_frame *tf, struct endpoint *ep,
				       struct reply *rp)
{
	struct task *c = __atomic_load_n(&rp->caller, __ATOMIC_RELAXED);
	struct hart *h;

	if (!c || rp->fault || rp->home != c)
		return 0;
	h = sched_direct_try(c);
	if (h && !fast_caller(rp, c)) {
		sched_direct_unlock();
		h = 0;
	}
	if (!h)
		return 0;
	answer_and_wait(h, task_current(), rp, c, ep);	/* the commit point */
	return switch_with(h, tf, c, ipc_recv_cont, 0);
}

struct trap_frame *ipc_fast_reply_recv(struct trap_frame *tf)
{
	struct task *self = task_current();
	struct handle_table *ht = self->handles;
	struct reply *rp = self->ipc.reply;
	struct trap_frame *next = 0;
	struct endpoint *ep;
	uint64_t badge;

	if (!fast_msg(tf) || !rp || !ht)
		return 0;
	spin_lock(&ht->lock);
	ep = handle_peek(ht, (long)tf->regs[10], NH_OBJ_ENDPOINT, NH_RIGHT_READ, &badge);
	if (ep) {
		spin_lock(&ep->lock);
		if (nothing_queued(ep))
			next = reply_locked(tf, ep, rp);
		spin_unlock(&ep->lock);
	}
	spin_unlock(&ht->lock);
	return next;
}
