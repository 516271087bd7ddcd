/*
 * Synchronous IPC: endpoints, reply capabilities and kernel event
 * messages (see nuthatch/ipc.h for the user's view).
 *
 * An endpoint is a rendezvous: a call waits on it until a receiver takes
 * the message, then waits for the reply; a receive waits until a call (or
 * a queued event) arrives.  Whoever comes second moves the message: tag
 * and words from the sender's frame (a blocked caller's registers are its
 * message), the buffer from the sender's IPC buffer to the receiver's,
 * and a granted handle into the receiver's table.  The receiver learns the
 * badge of the handle the sender called through (handle_mint: a badge is
 * set once and cannot be forged by whoever holds it).
 *
 * Reply capabilities.  Receiving a call gives the receiver a reply object
 * naming the caller, held implicitly (ipc_reply with handle 0, or
 * ipc_reply_recv) or saved as a handle (ipc_reply_save) to answer later
 * and out of order.  It answers once.  A caller never hangs: when the
 * reply object goes away unanswered (dropped, or its server died), the
 * caller gets -NH_EPIPE; when the last handle with the receive right
 * (READ) on the endpoint closes, callers still queued and later calls get
 * -NH_EPIPE too.
 *
 * Interruption.  A task-control stop wakes a blocked call or receive with
 * TASK_ERESTART: a receive (or a call not yet received) simply runs again
 * after the resume; a call already received keeps its reply object and,
 * restarted, goes straight back to waiting for that reply (the message is
 * not sent twice).  task_interrupt makes the call or receive return
 * -NH_EINTR (a received call is detached: its reply goes nowhere).
 *
 * Events.  A task's faults and its exit can be bound to an endpoint
 * (ipc_bind_events): an unresolved user fault becomes a call on it
 * (label NH_IPC_FAULT) whose reply resumes the task, gives it new
 * registers, or kills it; its end queues a one-way NH_IPC_EXIT message
 * carrying the exit record.
 *
 * Locks: an endpoint's lock (RANK_ENDPOINT) covers its queues and the
 * queue links of the tasks on them; a reply object's lock (RANK_REPLY)
 * covers its caller.  Neither is held while a message is copied (copies
 * take address-space locks, which rank below everything); a task is woken
 * under them (the run queue ranks above both).  The state diagram below
 * says which writes need which.
 */
#ifndef NUTHATCH_IPC_H
#define NUTHATCH_IPC_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/list.h"
#include "core/spinlock.h"

struct task;
struct trap_frame;
struct endpoint;
struct notify;
struct reply;
struct event;
struct vmspace;

/*
 * Field legend: [I] immutable after creation (or, for a reply object,
 * while it is in use); [a] atomic; [e] the endpoint's lock (of the
 * endpoint holding it, or the one the task is queued on: ipc.ep); [p] the
 * reply object's lock; [s] the task itself (others read it only while it
 * is blocked in the call that wrote it); [q] the fast path on the hart
 * where the task sleeps with a continuation, holding that hart's run
 * queue (sched_direct_try: the task cannot run until trap.S releases it);
 * [t] a tracer while the task is STOPPED (taskctl_set_regs); [c] the
 * task's ctl_lock.
 */

/* A reply capability: what answers one call (see above).  Each task
 * embeds one for its own calls; a call finding it still held elsewhere
 * takes one from a cache.  Its caller sets it up while nobody else holds
 * it (refs 0: reply_create, or the fast path's hand_call). */
struct reply {
	int refs;			/* [a] memory: the holders and the caller's wait */
	int holders;			/* [a] who can answer: deliveries, the implicit
					   reply, saved handles; the last one gone
					   unanswered gives the caller EPIPE */
	bool fault;			/* [I] answers a fault message */
	struct task *home;		/* [I] the task it is embedded in (a
					   reference while refs > 0), or NULL */
	struct spinlock lock;		/* caller, and its DONE and wake-up */
	struct task *caller;		/* [p] a reference, until answered;
					   [q] the fast path writes it unlocked:
					   hand_call as its only user,
					   answer_and_wait as its only holder
					   while the caller sleeps on its hart */
	struct event *cancel;		/* [p] ipc_reply_notify's notice, posted to
					   cancel_ep (a reference) if the caller
					   stops waiting unanswered; else freed
					   with the answer, or at refs 0 */
	struct endpoint *cancel_ep;	/* [p] */
};

/* How a task blocked in an IPC system call resumes (ipc_task cont). */
enum ipc_cont {
	IPC_CONT_NONE,		/* not blocked with a continuation */
	IPC_CONT_RECV,		/* receiving on cont_ep (ipc_recv_cont) */
	IPC_CONT_REPLY,		/* a call waiting for its reply (ipc_call_cont) */
	IPC_CONT_SEND,		/* a call queued on cont_ep, or taken from
				   there and waiting for its reply
				   (ipc_send_cont) */
};

/* An endpoint (ipc.c; the fast path, ipc_fast.c, reads it too). */
struct endpoint {
	int refs;			/* [a] handles, bindings, deliveries,
					   receivers blocked on it */
	int receivers;			/* [a] handles with READ */
	struct spinlock lock;		/* the three queues, bound, signalled */
	struct notify *bound;		/* [e] a bound notification (a reference);
					   receive reads it unlocked as a hint */
	bool signalled;			/* [e] it signalled with nobody waiting */
	struct list_node senders;	/* [e] tasks in IPC_SEND, FIFO */
	struct list_node waiting;	/* [e] tasks in IPC_RECV, FIFO */
	struct list_node events;	/* [e] struct event, FIFO */
};

/*
 * The IPC state of a task (ipc.state).  Every write goes through
 * ipc_set_state, which in debug builds checks the edge against this
 * diagram and the lock its writer must hold.  Writers: "own" is the task
 * itself, running; "any" is whichever hart gets there (a caller, a
 * receiver, an event poster, a handle's last close, a notification
 * signalled from an interrupt handler, even on the task's own hart
 * between its unlock and its sleep); "fast" is IPC's fast path
 * (ipc_fast.c) on the hart where the partner sleeps with a
 * continuation, holding that hart's run queue as well.  IDLE is drawn
 * twice: every edge to the right-hand one ends the IPC.
 *
 *                  a                          d
 *        .---------------> SEND ---------------------> ORPHANED
 *        |                   |  \                         |
 *        |                 c |   `-------- e --------.    | e
 *        |       b           v            h           v   v
 *      IDLE ------------> REPLY_WAIT ----------------> IDLE
 *        |                   |                        ^ ^ ^
 *        |                 g v            i           | | |
 *        |                  DONE ---------------------' | |
 *        |       f                        k             | |
 *        '-------------->  RECV ------------------------' |
 *                            |                            |
 *                          j v            m               |
 *                           GOT --------------------------'
 *
 *   a  call, no receiver waiting: queued     own, ep lock (call)
 *   b  call, a receiver waiting              own, ep lock (call; fast:
 *                                            hand_call, rq lock too)
 *   c  a receiver takes the queued call      any, ep lock (take_queued)
 *   d  the last READ handle closes           any, ep lock (orphan)
 *   e  woken, off the queue                  own, no lock (sent: it left
 *                                            the queue under the ep lock)
 *   f  receive, nothing queued               own, ep lock (wait_handed;
 *                                            fast: answer_and_wait)
 *   g  answered (or its last holder gone)    any, reply lock, a release
 *                                            store (answer)
 *   h  interrupted unanswered (EINTR), or    own, no lock (wait_reply,
 *      a restart cancelled                   ipc_fault, ipc_cancel_restart);
 *                                            a tracer, no lock, the task
 *                                            STOPPED (ipc_cancel_restart);
 *      answered by the fast path             fast, rq lock (answer_and_wait)
 *   i  the reply read, or a restart          own, no lock (wait_reply,
 *      cancelled after it came               ipc_fault, ipc_cancel_restart);
 *                                            a tracer as in h
 *   j  handed a call, event or signal        any, ep lock (hand_to_waiting)
 *   k  interrupted, leaves the queue         own, ep lock (handed)
 *      a fast call takes it                  fast, ep lock (hand_call)
 *   m  woken with the delivery               own, ep lock (handed)
 *
 * The continuation (ipc.cont) runs alongside: the task sets it before it
 * sleeps (f: RECV; a: SEND, kept through c until the task runs; b, and
 * any later sleep for the reply: REPLY), its continuation or the fast
 * path (hand_call, answer_and_wait) clears it.  A task restarted after a
 * stop (ipc.resume) stays in REPLY_WAIT or DONE across the stop.  A
 * receiver woken with nothing handed over stays in RECV: it leaves the
 * queue and joins it again at the tail (handed, own, ep lock).
 */
enum ipc_state {
	IPC_IDLE,
	IPC_SEND,	/* queued as a caller */
	IPC_RECV,	/* queued as a receiver */
	IPC_GOT,	/* a receiver handed a delivery (ipc_task in) */
	IPC_REPLY_WAIT,	/* a caller whose message was taken */
	IPC_DONE,	/* a caller whose reply (or error) arrived in msg[] */
	IPC_ORPHANED,	/* a queued caller whose endpoint lost its receivers */
	IPC_NSTATES,
};

#define REPLY_LOCK_INIT	SPINLOCK_INIT("ipc: a reply's caller", RANK_REPLY)

/* A message on its way to a receiver: the holder's (a local, or a
 * receiver's ipc.in: [e] until it is woken, then [s]). */
struct ipc_delivery {
	struct task *from;		/* a reference; NULL for events */
	struct vmspace *space;		/* from's space (a reference) */
	uint64_t tag, w[4], grant, badge;
	struct reply *reply;		/* a reference; NULL for events */
	struct event *ev;		/* an event and its record */
};

/* A task's IPC state (struct task's ipc). */
struct ipc_task {
	struct list_node node;		/* [e] on an endpoint queue */
	struct endpoint *ep;		/* [e] the endpoint it is queued on */
	enum ipc_state state;		/* the diagram above: ipc_set_state */
	uint64_t badge;			/* [e] set by the task as it queues as
					   a caller, read by the receiver */
	union {				/* a task calls or receives, never both */
		uint64_t msg[7];	/* calling: its message (tag, 4 words,
					   grant), [s] until it is taken; then
					   the reply (a0..a6), written by the
					   one who took reply->caller ([p]),
					   read by the task after DONE */
		struct ipc_delivery in;	/* receiving: what was handed to it,
					   [e] while RECV, [s] from GOT on */
	};
	struct reply *wait;		/* [s] [q] [t] the reply it waits for
					   (a reference) */
	struct reply *reply;		/* [s] [q] its implicit reply (a reference) */
	uint64_t buf;			/* [s] its IPC buffer, 0: none */
	bool resume;			/* [s] [q] [t] restarted: wait for ->wait again */
	enum ipc_cont cont;		/* [s] set before it sleeps: under [e]
					   when it queues (fast_receiver reads
					   it there), else before its sleep
					   takes the run queue (fast_caller
					   reads it under that); cleared by its
					   continuation, or [q] */
	struct endpoint *cont_ep;	/* [s] [q] IPC_CONT_RECV, _SEND: the
					   endpoint it receives on or called
					   (a reference) */
	struct reply own;		/* its calls' reply object (see struct reply) */
	struct endpoint *events;	/* [c] where its faults and exit go */
	uint64_t events_badge;		/* [c] the badge they carry */
	bool events_closed;		/* [c] it is ending: no new binding */
	struct event *exit_ev;		/* [c] its exit event, allocated at the
					   first binding: an exit is never lost */
};

#if NH_DEBUG
/* ipc_set_state's check (ipc.c): panics naming the task, both states and
 * the lock, unless a self-test catches the report (hart lock_catch). */
void ipc_check_edge(const struct ipc_task *ipc, enum ipc_state to,
		    const struct spinlock *held);
#endif

/*
 * Move @ipc to state @to (an edge of the diagram above), holding @held:
 * the lock the edge names (the endpoint's, the reply's, this hart's run
 * queue), or NULL for the unlocked edges.  Debug builds check the edge
 * and that this hart holds @held; release builds (NH_DEBUG=0) store only.
 * DONE is stored with release: the caller reads msg[] once it sees it.
 */
static inline void ipc_set_state(struct ipc_task *ipc, enum ipc_state to,
				 const struct spinlock *held)
{
#if NH_DEBUG
	ipc_check_edge(ipc, to, held);
#else
	(void)held;
#endif
	if (to == IPC_DONE)
		__atomic_store_n(&ipc->state, to, __ATOMIC_RELEASE);
	else
		ipc->state = to;
}

const char *ipc_state_name(enum ipc_state s);

void ipc_init(void);

/* A new endpoint (for self-tests and benchmarks: user tasks use
 * endpoint_create): one reference, or NULL. */
struct endpoint *ipc_endpoint_create(void);
void ipc_endpoint_put(struct endpoint *ep);

/* Set up / tear down a task's IPC state (creation; the task's end, in
 * its own context: drops its reply objects, queues its exit event). */
void ipc_task_init(struct task *t);
void ipc_task_exit(struct task *t);

/* Stopped @t gets new registers from a tracer: a call of its that was
 * to restart straight into waiting for its reply (ipc.resume) is
 * abandoned, so whatever its new registers run does not inherit it. */
void ipc_cancel_restart(struct task *t);

/*
 * An unresolved user fault of the calling task, if its faults are bound:
 * call the handler and return its verdict (NH_FAULT_*, registers already
 * taken from the reply when NH_FAULT_SET_REGS), or -1 if not bound or
 * the handler is gone (then the fault ends the task as usual).
 */
int ipc_fault(struct trap_frame *tf);

/* The continuations of a blocked receive, of a call waiting for its
 * reply, and of a queued call (IPC_CONT_*): what remains of the system
 * call, its result. */
/*
 * The halves of the IPC system calls that need IPC's insides (sys/ipc.c
 * decodes the registers): @m is a message as the registers carry it
 * (tag, four words, grant).  ipc_call, ipc_recv and ipc_reply_recv leave
 * what came back in the caller's a1..a6 (nuthatch/ipc.h); all return the
 * call's a0.
 */
long ipc_call(long ep_h, const uint64_t m[6]);
long ipc_recv(long ep_h);
long ipc_reply(long reply_h, const uint64_t m[6]);
long ipc_reply_recv(long ep_h, const uint64_t m[6]);
long ipc_reply_save(void);

/*
 * The user registers of the task waiting on the saved reply @reply_h
 * (WRITE on it: who may answer may look), as it made the call: x[0] past
 * the ecall, NH_REGS_SYSCALL with orig_a0, its FP state (it is off every
 * hart by then: this waits the few instructions until it is).  The
 * process server's fork reads its parent this way.  -NH_EPIPE when the
 * caller is gone or was answered.
 */
struct nh_regs;
int ipc_reply_regs(long reply_h, struct nh_regs *out);
long ipc_bind_events(long task_h, long ep_h, uint64_t badge);
/* If the caller waiting on saved reply @reply_h stops waiting unanswered
 * (interrupted, restarted after a stop, or dead), @ep_h gets an
 * NH_IPC_CANCEL event with w0 = @cookie (WRITE on both); -EPIPE if it
 * already has. */
long ipc_reply_notify(long reply_h, long ep_h, uint64_t cookie);
long ipc_endpoint_bind_notify(long ep_h, long notify_h);

long ipc_recv_cont(void);
long ipc_call_cont(void);
long ipc_send_cont(void);

/*
 * The fast path (ipc_fast.c), tried first for ipc_call and
 * ipc_reply_recv, interrupts off: when the message is registers only and
 * the partner is asleep with a continuation on this hart and may run now,
 * hand over the message and switch to it directly (sched.h); returns its
 * frame.  NULL: nothing done, take the system call the usual way.
 */
struct trap_frame *ipc_fast_call(struct trap_frame *tf);
struct trap_frame *ipc_fast_reply_recv(struct trap_frame *tf);

/* Direct switches the fast path made (calls and replies), for tests. */
uint64_t ipc_fast_count(void);

#endif
