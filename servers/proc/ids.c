/*
 * A process's ids as POSIX names them: its pid and its parent's, its
 * process group and session (getpgid, setpgid, setsid, getsid), and the
 * server's own counts for tests.
 */
#include <nuthatch/errno.h>

#include "proc.h"
#include "proto/proc_server.h"

long proc_srv_getpid(struct srv_req *r, int32_t *pid)
{
	*pid = PROC_OF(r)->pid;
	return 0;
}

long proc_srv_getppid(struct srv_req *r, int32_t *ppid)
{
	struct proc *p = PROC_OF(r);

	*ppid = p->parent ? p->parent->pid : 0;
	return 0;
}

long proc_srv_stat(struct srv_req *r, uint32_t *procs, uint32_t *zombies, uint32_t *pids,
		   uint32_t *waiters)
{
	(void)r;
	*procs = proc_srv.nprocs;
	*zombies = proc_srv.nzombies;
	*pids = pid_used();
	*waiters = proc_srv.nwaiters;
	return 0;
}

/* The process @which names for the caller @p (0: itself; a tid names
 * its thread's process, as in Linux), or the error. */
static long named_or_err(struct proc *p, int32_t which, struct proc **t)
{
	if (which < 0)
		return -NH_EINVAL;
	*t = which == 0 ? p : proc_find(which);
	if (*t)
		*t = (*t)->leader;
	return *t ? 0 : -NH_ESRCH;
}

long proc_srv_getpgid(struct srv_req *r, int32_t which, int32_t *pgid)
{
	struct proc *t;
	long err = named_or_err(PROC_OF(r), which, &t);

	if (!err)
		*pgid = t->pgid;
	return err;
}

long proc_srv_getsid(struct srv_req *r, int32_t which, int32_t *sid)
{
	struct proc *t;
	long err = named_or_err(PROC_OF(r), which, &t);

	if (!err)
		*sid = t->sid;
	return err;
}

struct group_key {
	int32_t pgid, sid;	/* sid < 0: any session */
};

static int in_group(const struct proc *q, const void *arg)
{
	const struct group_key *k = arg;

	return q->leader == q && q->pgid == k->pgid && (k->sid < 0 || q->sid == k->sid);
}

/* Is there a process in session @sid (< 0: any) whose group is @pgid? */
static int group_exists(int32_t pgid, int32_t sid)
{
	struct group_key k = { .pgid = pgid, .sid = sid };

	return proc_any(in_group, &k);
}

long proc_srv_setpgid(struct srv_req *r, int32_t pid, int32_t pgid)
{
	struct proc *p = PROC_OF(r), *t;
	long err = pgid < 0 ? -NH_EINVAL : named_or_err(p, pid, &t);

	if (err)
		return err;
	if (t != p && t->parent != p)
		return -NH_ESRCH;
	if (t != p && t->exec_count)
		return -NH_EACCES;
	if (t->sid == t->pid || t->sid != p->sid)
		return -NH_EPERM;
	if (pgid == 0)
		pgid = t->pid;
	if (pgid != t->pid && !group_exists(pgid, p->sid))
		return -NH_EPERM;
	t->pgid = pgid;
	return 0;
}

long proc_srv_setsid(struct srv_req *r, int32_t *sid)
{
	struct proc *p = PROC_OF(r);

	if (group_exists(p->pid, -1))	/* it leads a group, or one has its id */
		return -NH_EPERM;
	p->pgid = p->sid = p->pid;
	*sid = p->sid;
	return 0;
}
