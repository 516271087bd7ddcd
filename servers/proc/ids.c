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
	*pid = ((struct proc *)r->client)->pid;
	return 0;
}

long proc_srv_getppid(struct srv_req *r, int32_t *ppid)
{
	struct proc *p = r->client;

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

/* The process @which names for the caller @p (0: itself), or 0. */
static struct proc *named(struct proc *p, int32_t which)
{
	return which == 0 ? p : which > 0 ? proc_find(which) : 0;
}

long proc_srv_getpgid(struct srv_req *r, int32_t which, int32_t *pgid)
{
	struct proc *t = named(r->client, which);

	if (which < 0)
		return -NH_EINVAL;
	if (!t)
		return -NH_ESRCH;
	*pgid = t->pgid;
	return 0;
}

long proc_srv_getsid(struct srv_req *r, int32_t which, int32_t *sid)
{
	struct proc *t = named(r->client, which);

	if (which < 0)
		return -NH_EINVAL;
	if (!t)
		return -NH_ESRCH;
	*sid = t->sid;
	return 0;
}

struct group_key {
	int32_t pgid, sid;	/* sid < 0: any session */
};

static int in_group(const struct proc *q, const void *arg)
{
	const struct group_key *k = arg;

	return q->pgid == k->pgid && (k->sid < 0 || q->sid == k->sid);
}

/* Is there a process in session @sid (< 0: any) whose group is @pgid? */
static int group_exists(int32_t pgid, int32_t sid)
{
	struct group_key k = { .pgid = pgid, .sid = sid };

	return proc_any(in_group, &k);
}

long proc_srv_setpgid(struct srv_req *r, int32_t pid, int32_t pgid)
{
	struct proc *p = r->client, *t = named(p, pid);

	if (pid < 0 || pgid < 0)
		return -NH_EINVAL;
	if (!t || (t != p && t->parent != p))
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
	struct proc *p = r->client;

	if (group_exists(p->pid, -1))	/* it leads a group, or one has its id */
		return -NH_EPERM;
	p->pgid = p->sid = p->pid;
	*sid = p->sid;
	return 0;
}
