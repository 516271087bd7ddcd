/*
 * A process's end, and the waits on it.  The kernel tells this server
 * when a task it started ends (an exit event, bound at the task's start)
 * and when one faults (a fault event: without signal handlers yet, the
 * fault kills it).  The exit makes the process a zombie holding only
 * its wait status and times; its children go to init; its parent's
 * pending waits are answered from its zombies.
 *
 * Wait statuses are Linux's: (code & 0xff) << 8 for an exit, the signal
 * number for a death by signal (SIGSEGV for a page or access fault,
 * SIGBUS for a misaligned access, SIGILL, SIGTRAP for ebreak, SIGKILL
 * for a kill or an out-of-memory fault).  No core is ever dumped.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nuthatch/errno.h>
#include <sys/wait.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "proc.h"
#include "proto/fs.h"
#include "proto/proc_server.h"

/* The signal a fault with RISC-V cause @cause means. */
static int fault_signal(uint64_t cause)
{
	switch (cause) {
	case 0: case 4: case 6:		/* misaligned fetch, load, store */
		return SIGBUS;
	case 2:				/* illegal instruction */
		return SIGILL;
	case 3:				/* ebreak */
		return SIGTRAP;
	default:			/* access and page faults */
		return SIGSEGV;
	}
}

static int32_t wait_status(const struct nh_exit *e)
{
	switch (e->reason) {
	case NH_EXIT_NORMAL:
		return (int32_t)((e->code & 0xff) << 8);
	case NH_EXIT_FAULT:
		return fault_signal(e->cause);
	case NH_EXIT_KSTACK:
		return SIGSEGV;
	default:			/* killed, out of memory */
		return SIGKILL;
	}
}

static void init_died(const struct proc *p)
{
	printf("proc: init (pid 1) ended with wait status 0x%x: nothing is left to "
	       "reap orphans\n", (unsigned)p->status);
	fflush(stdout);
	exit(1);		/* the kernel powers off with a failing verdict */
}

/* @p's last task ended: it becomes a zombie for its parent. */
static void process_ended(struct proc *p)
{
	proc_exec_abandon(p);		/* killed while it waited to exec */
	p->state = PROC_ZOMBIE;
	fs_ctl_exit(proc_srv.fs_ctl, p->pid);	/* its descriptors, before anyone reaps it */
	proc_close_later(p->space);	/* (its teardown, maybe) */
	p->space = 0;
	proc_srv.nzombies++;
	proc_drop_waiters(p);
	if (p->pid == PROC_INIT_PID)
		init_died(p);
	proc_reparent_children(p);
	proc_wake_waiters(p->parent);
}

/*
 * The task of @t (a process's leader or another of its threads) ended.
 * A death by fault or kill ends the whole process with that signal,
 * unless its status was already final or an exec is ending the other
 * threads; a plain exit ends only that thread, the leader's code being
 * the process's status if nothing else decides it (as in Linux).
 */
static void thread_ended(struct proc *t, const struct nh_exit *e)
{
	struct proc *p = t->leader;

	p->utime_ns += e->utime_ns;
	p->stime_ns += e->stime_ns;
	proc_close_later(t->task);
	t->task = 0;
	proc_vfork_release(t);
	if (p->pending_exec && p->pending_exec->caller == t)
		proc_exec_abandon(p);	/* the exec's own caller is gone */
	if (e->reason != NH_EXIT_NORMAL && !p->group_exit && !p->pending_exec)
		proc_group_exit(p, wait_status(e));
	else if (t == p && !p->group_exit)
		p->status = wait_status(e);
	if (t != p)
		proc_thread_remove(t);
	if (--p->nthreads == 0)
		process_ended(p);
	else if (p->nthreads == 1 && p->pending_exec)
		proc_exec_finish(p);
}

void proc_task_exited(int32_t pid, const void *record, uint64_t reason, int64_t code)
{
	struct proc *t = proc_find(pid);
	struct nh_exit e = { .reason = (int32_t)reason, .code = code };

	if (!t || t->state != PROC_RUNNING || !t->task)
		return;
	if (record)
		memcpy(&e, record, sizeof(e));
	thread_ended(t, &e);
}

/* ---- waits ------------------------------------------------------------ */

/* Does child @c match @w's selection (wait4's pid, waitid's idtype and
 * id, made one by wait_select), asked by @parent? */
static int matches(const struct proc *parent, const struct proc *c, const struct proc_waiter *w)
{
	switch (w->idtype) {
	case P_PID:
		return c->pid == w->id;
	case P_PGID:
		return c->pgid == (w->id == 0 ? parent->pgid : w->id);
	default:
		return 1;
	}
}

/* The first zombie of @parent that @w wants; *any: a match at all. */
static struct proc *find_zombie(const struct proc *parent, const struct proc_waiter *w, int *any)
{
	*any = 0;
	for (struct proc *c = parent->children; c; c = c->sib_next) {
		if (!matches(parent, c, w))
			continue;
		*any = 1;
		if (c->state == PROC_ZOMBIE && (w->options & WEXITED))
			return c;
	}
	return 0;
}

static uint32_t waiter_ids;	/* never 0 */

/* What a wait reports of a zombie child. */
struct reaped {
	int32_t pid, status;
	uint32_t uid;
	uint64_t utime_ns, stime_ns;
};

/* @c's report into *out; reaped (gone after) unless WNOWAIT. */
static void report(struct proc *c, int options, struct reaped *out)
{
	struct proc *parent = c->parent;

	*out = (struct reaped){ .pid = c->pid, .status = c->status, .uid = c->uid,
				.utime_ns = c->utime_ns + c->cutime_ns,
				.stime_ns = c->stime_ns + c->cstime_ns };
	if (options & WNOWAIT)
		return;
	parent->cutime_ns += out->utime_ns;
	parent->cstime_ns += out->stime_ns;
	proc_srv.nzombies--;
	proc_release(c);
}

/*
 * The wait's core: 1 and *out filled when a child was reported, 0 when
 * matching children live on, -NH_ECHILD when none match.
 */
static long try_wait(struct proc *parent, const struct proc_waiter *w, struct reaped *out)
{
	int any;
	struct proc *z = find_zombie(parent, w, &any);

	if (z) {
		report(z, w->options, out);
		return 1;
	}
	/* init waiting for anyone never runs out: orphans may come */
	if (!any && parent->pid == PROC_INIT_PID && w->idtype == P_ALL)
		return 0;
	return any ? 0 : -NH_ECHILD;
}

static void answer(struct proc_waiter *w, const struct reaped *out)
{
	if (w->waitid)
		proc_srv_waitid_answer(proc_self_srv(), w->reply, out->pid, out->status, out->uid);
	else
		proc_srv_wait4_answer(proc_self_srv(), w->reply, out->pid, out->status,
				      out->utime_ns, out->stime_ns);
}

/*
 * Both calls: reported at once into *out (1), nothing yet with WNOHANG
 * (0), or the wait saved to be answered later (0, the reply deferred);
 * else the error.
 */
static long do_wait(struct srv_req *r, struct proc_waiter *q, struct reaped *out)
{
	struct proc *p = PROC_OF(r);	/* any thread waits for the process's children */
	struct proc_waiter *w;
	long got = try_wait(p, q, out), reply;

	if (got != 0 || (q->options & WNOHANG))
		return got;
	w = proc_waiter_new();
	if (!w)
		return -NH_ENOMEM;
	reply = srv_defer(r);
	if (reply < 0) {
		proc_waiter_free(w);
		return reply;
	}
	*w = *q;
	w->reply = reply;
	w->seq = ++waiter_ids ? waiter_ids : ++waiter_ids;
	w->next = p->waiters;
	p->waiters = w;
	proc_srv.nwaiters++;
	/* if the caller stops waiting, the kernel says so: the waiter must not
	 * reap a child for nobody (best effort: without memory for the notice
	 * the waiter stays, as it did before notices) */
	nh_ipc_reply_notify(reply, proc_srv.ep, (uint64_t)p->pid << 32 | w->seq);
	return 0;
}

void proc_wait_cancelled(uint64_t cookie)
{
	struct proc *p = proc_find((int32_t)(cookie >> 32));
	struct proc_waiter **pw = p ? &p->waiters : 0, *w;

	while (pw && *pw && (*pw)->seq != (uint32_t)cookie)
		pw = &(*pw)->next;
	if (!pw || !*pw)
		return;			/* answered, or dropped, already */
	w = *pw;
	*pw = w->next;
	nh_handle_close(w->reply);
	proc_srv.nwaiters--;
	proc_waiter_free(w);
}

#define WAIT4_OPTIONS	(WNOHANG | WUNTRACED | WCONTINUED)
#define WAITID_OPTIONS	(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT)

long proc_srv_wait4(struct srv_req *r, int32_t which, int32_t options, int32_t *pid,
		    int32_t *status, uint64_t *utime_ns, uint64_t *stime_ns)
{
	/* wait4's pid: > 0 that child, -1 any, 0 our group, < -1 that group */
	struct proc_waiter q = { .idtype = which > 0 ? P_PID : which == -1 ? P_ALL : P_PGID,
				 .id = which > 0 ? which : which == -1 ? 0 : -which,
				 .options = options | WEXITED };
	struct reaped out;
	long got;

	if (options & ~WAIT4_OPTIONS || which == INT32_MIN)
		return -NH_EINVAL;
	got = do_wait(r, &q, &out);
	if (got > 0) {
		*pid = out.pid, *status = out.status;
		*utime_ns = out.utime_ns, *stime_ns = out.stime_ns;
	}
	return got < 0 ? got : 0;	/* *pid stays 0: nothing yet */
}

long proc_srv_waitid(struct srv_req *r, int32_t idtype, int32_t id, int32_t options,
		     int32_t *pid, int32_t *status, uint32_t *uid)
{
	struct proc_waiter q = { .idtype = idtype, .id = id, .options = options, .waitid = 1 };
	struct reaped out;
	long got;

	if (options & ~WAITID_OPTIONS || !(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -NH_EINVAL;
	if ((idtype != P_ALL && idtype != P_PID && idtype != P_PGID) ||
	    (idtype == P_PID && id <= 0) || (idtype == P_PGID && id < 0))
		return -NH_EINVAL;
	got = do_wait(r, &q, &out);
	if (got > 0)
		*pid = out.pid, *status = out.status, *uid = out.uid;
	return got < 0 ? got : 0;
}

/* Answer what @parent's waiters can now have; drop those with nothing
 * left to wait for (ECHILD). */
void proc_wake_waiters(struct proc *parent)
{
	struct proc_waiter **pw = parent ? &parent->waiters : 0;

	while (pw && *pw) {
		struct proc_waiter *w = *pw;
		struct reaped out;
		long got = try_wait(parent, w, &out);

		if (!got) {
			pw = &w->next;
			continue;
		}
		*pw = w->next;
		proc_srv.nwaiters--;
		if (got < 0)
			srv_answer_error(proc_self_srv(), w->reply, got);
		else
			answer(w, &out);
		proc_waiter_free(w);
	}
}

/* @p ended: its own pending waits go unanswered (their replies closed). */
void proc_drop_waiters(struct proc *p)
{
	while (p->waiters) {
		struct proc_waiter *w = p->waiters;

		p->waiters = w->next;
		nh_handle_close(w->reply);
		proc_srv.nwaiters--;
		proc_waiter_free(w);
	}
}
