/*
 * Threads: the tasks of one process (clone with CLONE_THREAD; fork.c
 * makes them).  Each has its own tid from the pid bitmap and its own
 * struct proc in the hash, so its badge finds it; the process's state
 * stays with the leader (proc.h's invariants).  A thread's end frees
 * its tid at once; the process ends when its last task does
 * (exit.c).  exit_group and a fatal fault end every task of the
 * process (proc_group_exit).
 */
#include <string.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "proc.h"
#include "proto/proc_server.h"

void proc_thread_add(struct proc *leader, struct proc *t)
{
	t->leader = leader;
	t->thread_next = leader->threads;
	leader->threads = t;
	leader->nthreads++;
	proc_insert(t, 0);		/* the hash only: threads are not in the tree */
}

/* @t, a thread that is not its process's leader, leaves the group, its
 * handles closed, its tid and struct freed. */
void proc_thread_remove(struct proc *t)
{
	struct proc **pp = &t->leader->threads;

	while (*pp != t)
		pp = &(*pp)->thread_next;
	*pp = t->thread_next;
	if (t->task)
		nh_handle_close(t->task);
	if (t->space)
		nh_handle_close(t->space);
	t->task = t->space = 0;
	proc_release(t);
}

void proc_group_kill(struct proc *leader, const struct proc *spare)
{
	if (leader->task && leader != spare)
		nh_task_kill(leader->task);
	for (struct proc *t = leader->threads; t; t = t->thread_next)
		if (t->task && t != spare)
			nh_task_kill(t->task);
}

void proc_group_exit(struct proc *leader, int32_t status)
{
	if (!leader->group_exit) {
		leader->group_exit = 1;
		leader->status = status;
	}
	proc_exec_abandon(leader);	/* the whole group ends: no exec wins */
	proc_group_kill(leader, 0);
}

long proc_srv_gettid(struct srv_req *r, int32_t *tid)
{
	*tid = ((struct proc *)r->client)->pid;
	return 0;
}

/* Every task of the caller's process ends, the caller's too: no reply. */
long proc_srv_exit_group(struct srv_req *r, int32_t code)
{
	long reply = srv_defer(r);

	proc_group_exit(PROC_OF(r), (int32_t)((code & 0xff) << 8));
	if (reply > 0)
		nh_handle_close(reply);
	return 0;
}
