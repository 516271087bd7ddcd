/*
 * fork and vfork: one request each.  The parent is blocked in its call; its saved
 * reply gives its registers (ipc_reply_regs).  Every step that can fail
 * comes before the commit point; a fork that fails undoes them all and
 * leaves no task, pid, frame or handle behind (EAGAIN: no pid; ENOMEM:
 * no memory for the table, the clone or the task).
 *
 *   1. a struct proc, a pid              (table.c, pid.c)
 *   2. the parent's registers            (ipc_reply_regs: EPIPE if it died)
 *   3. a copy-on-write clone of its space (space_clone)
 *   4. a suspended task in the clone with the parent's registers, whose
 *      pending call returns the fork reply with pid 0 (a0..a6 as the
 *      kernel would deliver it), and the parent's privileges as they
 *      are now (it may have lowered them itself: task_info)
 *   5. the child's endpoint here at NH_PROC_HANDLE, badged with its pid,
 *      and its events bound (last: once bound, nothing else fails)
 *   -- commit point --
 *   6. into the table and the tree; the child runs; the parent hears
 *      the child's pid.
 * vfork differs in two steps: 3 is a second handle to the parent's own
 * space (the child borrows it), and in 6 the parent's saved reply goes
 * to the child, which answers it when it execs or ends
 * (proc_vfork_release): until then the parent stays blocked in its call.
 */
#include <stdlib.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "proc.h"
#include "proto/proc_server.h"

struct fork_plan {
	uint64_t label;		/* PROC_FORK or PROC_VFORK */
	struct proc *child;
	int32_t pid;
	long space, task;
	struct nh_regs regs;
};

static long child_task(const struct proc *parent, struct fork_plan *f)
{
	struct nh_task_start start = { .pc = f->regs.x[0], .sp = f->regs.x[2],
				       .flags = NH_START_SUSPENDED };
	struct nh_regs *g = &f->regs;
	struct nh_task_info info;
	long r = nh_task_info(parent->task, &info);

	if (r)
		return r;
	memcpy(start.name, parent->name, sizeof(start.name));
	f->task = nh_task_create(f->space, &start);
	if (f->task < 0)
		return f->task;
	r = nh_task_set_privs(f->task, info.privs);	/* created with ours */
	if (r)
		return r;
	g->x[10] = NH_IPC_TAG(NH_PROTO_REPLY(f->label), 0);	/* a0: the tag */
	for (int i = 11; i <= 16; i++)		/* a1 = pid 0, no badge, no grant */
		g->x[i] = 0;
	return nh_task_regs_set(f->task, g);
}

static long fork_prepare(const struct proc *parent, long reply, struct fork_plan *f)
{
	long r;

	f->child = proc_new();
	if (!f->child)
		return -NH_ENOMEM;
	f->pid = pid_alloc();
	if (f->pid < 0)
		return f->pid;
	r = nh_ipc_reply_regs(reply, &f->regs);
	if (r)
		return r;
	f->space = f->label == PROC_VFORK ? nh_handle_dup(parent->space, NH_RIGHTS_ALL)
					  : nh_space_clone(parent->space);
	if (f->space < 0)
		return f->space;
	r = child_task(parent, f);
	if (r)
		return r;
	return proc_attach_task(f->task, f->pid);
}

static void fork_undo(struct fork_plan *f)
{
	if (f->task > 0) {
		nh_task_kill(f->task);
		nh_handle_close(f->task);
	}
	if (f->space > 0)
		nh_handle_close(f->space);
	if (f->pid > 0)
		pid_free(f->pid);
	proc_discard(f->child);
}

static void fork_commit(struct proc *parent, struct fork_plan *f)
{
	struct proc *c = f->child;

	c->pid = f->pid;
	c->pgid = parent->pgid;
	c->sid = parent->sid;
	c->uid = parent->uid;
	c->gid = parent->gid;
	c->task = f->task;
	c->space = f->space;
	c->state = PROC_RUNNING;
	memcpy(c->name, parent->name, sizeof(c->name));
	proc_insert(c, parent);
	nh_task_resume(c->task);
}

/* What the parent hears: EAGAIN (no pid), else ENOMEM (EPIPE: it is gone). */
static long fork_errno(long err)
{
	return err == -NH_EAGAIN || err == -NH_EPIPE ? err : -NH_ENOMEM;
}

static long do_fork(struct srv_req *r, uint64_t label)
{
	struct proc *parent = r->client;
	struct fork_plan f = { .label = label };
	long reply = srv_defer(r), err;

	if (reply < 0)
		return reply;
	err = fork_prepare(parent, reply, &f);
	if (err) {
		fork_undo(&f);
		srv_answer_error(r->srv, reply, fork_errno(err));
		return 0;
	}
	/* -- commit point: nothing below fails -- */
	fork_commit(parent, &f);
	if (label == PROC_VFORK)
		f.child->vfork_reply = reply;	/* answered at its exec or end */
	else
		proc_srv_fork_answer(r->srv, reply, f.pid);
	return 0;
}

long proc_srv_fork(struct srv_req *r, int32_t *pid)
{
	(void)pid;
	return do_fork(r, PROC_FORK);
}

long proc_srv_vfork(struct srv_req *r, int32_t *pid)
{
	(void)pid;
	return do_fork(r, PROC_VFORK);
}

void proc_vfork_release(struct proc *child)
{
	if (child->vfork_reply) {
		proc_srv_vfork_answer(&proc_srv.srv, child->vfork_reply, child->pid);
		child->vfork_reply = 0;
	}
}
