/*
 * fork, vfork and clone: one request each, one path (clone's flags
 * say what differs; fork is clone without flags, vfork is
 * CLONE_VM | CLONE_VFORK).  The parent is blocked in its call; its saved
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
 *      are now (it may have lowered them itself: NH_START_PRIVS_OF)
 *   5. the child's descriptor table in the file server (a copy of the
 *      parent's; the same table under CLONE_FILES; none for a thread,
 *      which shares its process's): fs ctl_fork
 *   6. the child's endpoint here at NH_PROC_HANDLE, badged with its pid,
 *      the file server's at NH_FS_HANDLE, badged with its process's, and
 *      its events bound (last: once bound, nothing else fails)
 *   -- commit point --
 *   7. into the table and the tree; the child runs; the parent hears
 *      the child's pid.
 *   (clone: after 4, the tid words: CLONE_PARENT_SETTID writes the tid in
 *   the parent's memory, CLONE_CHILD_SETTID in the child's, and
 *   CLONE_CHILD_CLEARTID has the kernel clear it and wake a futex there
 *   when the child's task ends; EFAULT if a word cannot be written)
 * CLONE_VM makes 3 a second handle to the parent's own space (the child
 * borrows it; vfork does this); CLONE_VFORK gives the parent's saved
 * reply in 6 to the child, which answers it when it execs or ends
 * (proc_vfork_release): until then the parent stays blocked in its call.
 * CLONE_THREAD makes the child a thread of the caller's process
 * (clone.c) instead of a new process in the tree.  The child starts on
 * the stack clone names (if any) with tp = tls under CLONE_SETTLS.
 */
#include <stdlib.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "proc.h"
#include "proto/fs.h"
#include "proto/proc_server.h"

/* Linux's clone flags (include/uapi/linux/sched.h). */
#define CSIGNAL			0x000000ffull
#define CLONE_VM		0x00000100ull
#define CLONE_FS		0x00000200ull
#define CLONE_FILES		0x00000400ull
#define CLONE_SIGHAND		0x00000800ull
#define CLONE_VFORK		0x00004000ull
#define CLONE_PARENT		0x00008000ull
#define CLONE_THREAD		0x00010000ull
#define CLONE_SYSVSEM		0x00040000ull
#define CLONE_SETTLS		0x00080000ull
#define CLONE_PARENT_SETTID	0x00100000ull
#define CLONE_CHILD_CLEARTID	0x00200000ull
#define CLONE_DETACHED		0x00400000ull
#define CLONE_CHILD_SETTID	0x01000000ull
/* What this server does: CLONE_FS, CLONE_FILES, CLONE_SIGHAND and
 * CLONE_SYSVSEM name state that does not exist yet (the file server and
 * signals come later) and change nothing; the others are below. */
#define CLONE_KNOWN	(CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
			 CLONE_VFORK | CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM | \
			 CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | \
			 CLONE_DETACHED | CLONE_CHILD_SETTID)

struct fork_plan {
	uint64_t label;		/* PROC_FORK, PROC_VFORK or PROC_CLONE */
	uint64_t flags;		/* CLONE_* */
	uint64_t stack, tls, ptid, ctid;
	struct proc *child;
	int32_t pid;
	int32_t tgid;		/* the child's process: its pid, or the caller's */
	int fs_made;		/* the file server has its table: undone by ctl_exit */
	long space, task;
	/* the caller as it was under the lock, for the part without it */
	int32_t caller_tid, caller_tgid;
	long caller_task, parent_space;
	char name[PROC_NAME_LEN];
	struct nh_regs regs;
};

/* The child's task: @caller's registers and privileges (NH_START_PRIVS_OF:
 * as they are now, since it may have lowered them itself), the fork reply
 * pending with tid 0. */
static long child_task(struct fork_plan *f)
{
	/* the caller's privileges as they are now (it may have lowered them) */
	struct nh_task_start start = { .pc = f->regs.x[0], .sp = f->regs.x[2],
				       .flags = NH_START_SUSPENDED | NH_START_PRIVS_OF,
				       .privs_of = (uint32_t)f->caller_task };
	struct nh_regs *g = &f->regs;

	memcpy(start.name, f->name, sizeof(start.name));
	f->task = nh_task_create(f->space, &start);
	if (f->task < 0)
		return f->task;
	if (f->stack)
		g->x[2] = f->stack;
	if (f->flags & CLONE_SETTLS)
		g->x[4] = f->tls;
	g->x[10] = NH_IPC_TAG(NH_PROTO_REPLY(f->label), 0);	/* a0: the tag */
	for (int i = 11; i <= 16; i++)		/* a1 = tid 0, no badge, no grant */
		g->x[i] = 0;
	return nh_task_regs_set(f->task, g);
}

/* clone's tid words; 0 or -NH_EFAULT. */
static long tid_words(struct fork_plan *f)
{
	uint32_t tid = (uint32_t)f->pid;

	if ((f->flags & CLONE_PARENT_SETTID) &&
	    nh_space_write(f->parent_space, f->ptid, &tid, sizeof(tid)) < 0)
		return -NH_EFAULT;
	if ((f->flags & CLONE_CHILD_SETTID) &&
	    nh_space_write(f->space, f->ctid, &tid, sizeof(tid)) < 0)
		return -NH_EFAULT;
	if ((f->flags & CLONE_CHILD_CLEARTID) && nh_task_clear_tid(f->task, (void *)f->ctid))
		return -NH_EFAULT;
	return 0;
}

/* The kernel's part: the new space and task, made from what @f noted
 * of the caller, without the table (and so without the lock). */
static long fork_build(long reply, struct fork_plan *f)
{
	long r = nh_ipc_reply_regs(reply, &f->regs);

	if (r)
		return r;
	f->space = f->flags & CLONE_VM ? nh_handle_dup(f->parent_space, NH_RIGHTS_ALL)
				       : nh_space_clone(f->parent_space);
	if (f->space < 0)
		return f->space;
	r = child_task(f);
	if (!r)
		r = tid_words(f);
	if (!r && !(f->flags & CLONE_THREAD)) {
		r = fs_ctl_fork(proc_srv.fs_ctl, f->caller_tgid, f->pid, !!(f->flags & CLONE_FILES));
		f->fs_made = !r;
	}
	return r ? r : proc_attach_task(f->task, f->pid, f->tgid, 0);
}

/* Is @caller, as @f noted it, still a live thread of a process that is
 * not becoming another program?  (With the lock let go, it may have
 * ended, even been freed: it is looked up again by its tid.) */
static int caller_still(const struct proc *caller, const struct fork_plan *f)
{
	return proc_find(f->caller_tid) == caller && caller->state == PROC_RUNNING &&
	       caller->task == f->caller_task && !caller->leader->pending_exec;
}

/*
 * The pid and the table's objects under the lock, then the kernel's part
 * without it (the clone and the task are most of a fork's time: other
 * threads serve other callers meanwhile), then the lock again and a
 * check that the caller is still there to have a child.
 */
static long fork_prepare(const struct proc *caller, long reply, struct fork_plan *f)
{
	long r;

	f->child = proc_new();
	if (!f->child)
		return -NH_ENOMEM;
	f->pid = pid_alloc();
	if (f->pid < 0)
		return f->pid;
	f->caller_tid = caller->pid;
	f->caller_tgid = caller->leader->pid;
	f->tgid = f->flags & CLONE_THREAD ? f->caller_tgid : f->pid;
	f->caller_task = caller->task;
	f->parent_space = caller->leader->space;
	memcpy(f->name, caller->leader->name, sizeof(f->name));
	proc_unlock();
	r = fork_build(reply, f);
	proc_lock();
	return r ? r : caller_still(caller, f) ? 0 : -NH_EPIPE;
}

static void fork_undo(struct fork_plan *f)
{
	if (f->task > 0) {
		nh_task_kill(f->task);
		nh_handle_close(f->task);
	}
	if (f->space > 0)
		nh_handle_close(f->space);
	if (f->fs_made)
		fs_ctl_exit(proc_srv.fs_ctl, f->pid);
	if (f->pid > 0)
		pid_free(f->pid);
	proc_discard(f->child);
}

static void fork_commit(struct proc *parent, struct fork_plan *f)
{
	struct proc *c = f->child;

	c->pid = f->pid;
	c->task = f->task;
	c->space = f->space;
	c->state = PROC_RUNNING;
	c->uid = parent->uid;
	c->gid = parent->gid;
	memcpy(c->name, parent->name, sizeof(c->name));
	c->start_ns = (uint64_t)nh_clock_ns();
	c->arg_start = parent->leader->arg_start;	/* the same bytes, copied or shared */
	c->arg_end = parent->leader->arg_end;
	c->env_end = parent->leader->env_end;
	if (f->flags & CLONE_THREAD) {
		proc_thread_add(parent, c);
	} else {
		c->leader = c;
		c->nthreads = 1;
		c->pgid = parent->pgid;
		c->sid = parent->sid;
		proc_insert(c, f->flags & CLONE_PARENT ? parent->parent : parent);
	}
	nh_task_resume(c->task);
}

/* What the parent hears: EAGAIN (no pid), EFAULT (a tid word), else
 * ENOMEM (EPIPE: it is gone). */
static long fork_errno(long err)
{
	return err == -NH_EAGAIN || err == -NH_EPIPE || err == -NH_EFAULT ? err : -NH_ENOMEM;
}

static void fork_answer(struct srv *s, uint64_t label, long reply, int32_t pid)
{
	if (label == PROC_CLONE)
		proc_srv_clone_answer(s, reply, pid);
	else if (label == PROC_VFORK)
		proc_srv_vfork_answer(s, reply, pid);
	else
		proc_srv_fork_answer(s, reply, pid);
}

static long do_fork(struct srv_req *r, struct fork_plan *f)
{
	struct proc *caller = r->client, *parent = caller->leader;
	long reply, err;

	if (parent->pending_exec)
		return -NH_EAGAIN;	/* it is becoming another program */
	reply = srv_defer(r);
	if (reply < 0)
		return reply;
	err = fork_prepare(caller, reply, f);
	parent = caller->leader;	/* (looked up again: it may have changed) */
	if (err) {
		fork_undo(f);
		srv_answer_error(r->srv, reply, fork_errno(err));
		return 0;
	}
	/* -- commit point: nothing below fails -- */
	fork_commit(parent, f);
	if (f->flags & CLONE_VFORK) {
		f->child->vfork_reply = reply;	/* answered at its exec or end */
		f->child->vfork_label = f->label;
	} else {
		fork_answer(r->srv, f->label, reply, f->pid);
	}
	return 0;
}

long proc_srv_fork(struct srv_req *r, int32_t *pid)
{
	struct fork_plan f = { .label = PROC_FORK };

	(void)pid;
	return do_fork(r, &f);
}

long proc_srv_vfork(struct srv_req *r, int32_t *pid)
{
	struct fork_plan f = { .label = PROC_VFORK, .flags = CLONE_VM | CLONE_VFORK };

	(void)pid;
	return do_fork(r, &f);
}

/* Linux's rules: a thread shares the signal handlers, which need the
 * memory shared; init has no parent to give a sibling. */
static long clone_check(const struct proc *parent, uint64_t flags)
{
	if (flags & ~CLONE_KNOWN || (flags & CSIGNAL) > 64)
		return -NH_EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -NH_EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -NH_EINVAL;
	if ((flags & CLONE_PARENT) && parent->pid == PROC_INIT_PID)
		return -NH_EINVAL;
	return 0;
}

long proc_srv_clone(struct srv_req *r, uint64_t flags, uint64_t stack, uint64_t tls,
		    uint64_t ptid, uint64_t ctid, int32_t *tid)
{
	struct fork_plan f = { .label = PROC_CLONE, .flags = flags, .stack = stack,
			       .tls = tls, .ptid = ptid, .ctid = ctid };
	long err = clone_check(PROC_OF(r), flags);

	(void)tid;
	return err ? err : do_fork(r, &f);
}

void proc_vfork_release(struct proc *child)
{
	if (child->vfork_reply) {
		fork_answer(proc_self_srv(), child->vfork_label, child->vfork_reply, child->pid);
		child->vfork_reply = 0;
	}
}
