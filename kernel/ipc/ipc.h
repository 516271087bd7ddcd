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
 * take address-space locks, which rank below everything) or a task woken.
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

/* A reply capability: what answers one call (see above).  Each task
 * embeds one for its own calls; a call finding it still held elsewhere
 * takes one from a cache. */
struct reply {
	int refs;			/* [a] memory: the holders and the caller's wait */
	int holders;			/* [a] who can answer: deliveries, the implicit
					   reply, saved handles; the last one gone
					   unanswered gives the caller EPIPE */
	bool fault;			/* [I] answers a fault message */
	struct task *home;		/* [I] the task it is embedded in (a
					   reference while refs > 0), or NULL */
	struct spinlock lock;		/* caller, and its DONE and wake-up */
	struct task *caller;		/* [lock] a reference, until answered;
					   (the fast path writes it unlocked as
					   the only holder while the caller
					   sleeps on its hart: ipc_fast.c) */
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
	struct notify *bound;		/* [lock] a bound notification (a reference);
					   receive reads it unlocked as a hint */
	bool signalled;			/* [lock] it signalled with nobody waiting */
	struct list_node senders;	/* tasks in IPC_SEND, FIFO */
	struct list_node waiting;	/* tasks in IPC_RECV, FIFO */
	struct list_node events;	/* struct event, FIFO */
};

enum ipc_state {
	IPC_IDLE,
	IPC_SEND,	/* queued as a caller */
	IPC_RECV,	/* queued as a receiver */
	IPC_GOT,	/* a receiver handed a delivery (ipc_task in) */
	IPC_REPLY_WAIT,	/* a caller whose message was taken */
	IPC_DONE,	/* a caller whose reply (or error) arrived in out[] */
	IPC_ORPHANED,	/* a queued caller whose endpoint lost its receivers */
};

#define REPLY_LOCK_INIT	SPINLOCK_INIT("ipc: a reply's caller", RANK_REPLY)

/* A message on its way to a receiver (handed over while it sleeps). */
struct ipc_delivery {
	struct task *from;		/* a reference; NULL for events */
	struct vmspace *space;		/* from's space (a reference) */
	uint64_t tag, w[4], grant, badge;
	struct reply *reply;		/* a reference; NULL for events */
	struct event *ev;		/* an event and its record */
};

/* A task's IPC state (struct task's ipc). */
struct ipc_task {
	struct list_node node;	/* [ep lock] on an endpoint queue */
	struct endpoint *ep;	/* [ep lock] the endpoint it is queued on */
	int state;		/* IPC_* (ipc.c) */
	uint64_t badge;		/* while queued as a caller */

	union {			/* a task calls or receives, never both */
		uint64_t msg[7];	/* calling: its message (tag, 4 words,
					   grant), then the reply: a0..a6 */
		struct ipc_delivery in;	/* receiving: what was handed to it */
	};
	struct reply *wait;	/* [s] the reply it waits for (a reference) */
	struct reply *reply;	/* [s] its implicit reply (a reference) */
	uint64_t buf;		/* [s] its IPC buffer, 0: none */
	bool resume;		/* [s] restarted: wait for ->wait again */
	int cont;		/* IPC_CONT_*: asleep with a continuation
				   (sched_block), set by the task before it
				   sleeps, cleared by whoever resumes it */
	struct endpoint *cont_ep;	/* [s] IPC_CONT_RECV, _SEND: the
					   endpoint it receives on or called
					   (a reference) */
	struct reply own;		/* its calls' reply object, when free */
	struct endpoint *events;	/* [ctl_lock] where its faults and exit go */
	uint64_t events_badge;		/* [ctl_lock] the badge they carry */
	bool events_closed;		/* [ctl_lock] it is ending: no new binding */
};

void ipc_init(void);

/* A new endpoint (for self-tests and benchmarks: user tasks use
 * endpoint_create): one reference, or NULL. */
struct endpoint *ipc_endpoint_create(void);
void ipc_endpoint_put(struct endpoint *ep);

/* Set up / tear down a task's IPC state (creation; the task's end, in
 * its own context: drops its reply objects, queues its exit event). */
void ipc_task_init(struct task *t);

/* Stopped @t gets new registers from a tracer: a call of its that was
 * to restart straight into waiting for its reply (ipc.resume) is
 * abandoned, so whatever its new registers run does not inherit it. */
void ipc_cancel_restart(struct task *t);
void ipc_task_exit(struct task *t);

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
