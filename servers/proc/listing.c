/*
 * What ps sees (proc.tbl's ps, kthreads) and the system's powers
 * (reboot): the processes in pid order with each one's state, CPU time
 * and resident size from its task (task_info), and the kernel's own
 * threads from the kernel (kthread_list, a power this server holds).
 */
#include <string.h>

#include <nuthatch/errno.h>
#include <nuthatch/sysinfo.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "proc.h"
#include "proto/proc_server.h"

#define PS_MAX	(4096 / sizeof(struct nh_ps))

struct pick {
	int32_t after;
	struct proc **p;	/* the lowest pids above after, in order */
	size_t n, max;
};

/* Keep @p if its pid is among the k->max lowest above k->after. */
static void pick(struct proc *p, void *arg)
{
	struct pick *k = arg;
	size_t i;

	if (p->leader != p || p->pid <= k->after)
		return;
	if (k->n == k->max && p->pid > k->p[k->max - 1]->pid)
		return;
	i = k->n < k->max ? k->n++ : k->max - 1;
	for (; i > 0 && k->p[i - 1]->pid > p->pid; i--)
		k->p[i] = k->p[i - 1];
	k->p[i] = p;
}

size_t proc_leaders_after(int32_t after, struct proc **out, size_t max)
{
	struct pick k = { .after = after, .p = out, .max = max };

	proc_each(pick, &k);
	return k.n;
}

char proc_state_letter(const struct nh_task_info *t)
{
	static const char letters[] = { [NH_TASK_READY] = 'R', [NH_TASK_RUNNING] = 'R',
		[NH_TASK_SLEEPING] = 'S', [NH_TASK_SLEEPING_UNINTR] = 'D',
		[NH_TASK_STOPPED] = 'T', [NH_TASK_DEAD] = 'Z' };

	return t->state < sizeof(letters) ? letters[t->state] : '?';
}

/* A thread's time and state into @e (the first thread's state counts). */
static void add_thread(struct nh_ps *e, const struct proc *t)
{
	struct nh_task_info info;

	if (t->state != PROC_RUNNING || nh_task_info(t->task, &info))
		return;
	e->time_ns += info.utime_ns + info.stime_ns;
	if (e->state == 'Z' || e->state == 'S')
		e->state = proc_state_letter(&info) == 'R' ? 'R' :
			   e->state == 'Z' ? proc_state_letter(&info) : 'S';
	if (!e->rss_pages)
		e->rss_pages = info.resident_pages;
}

static void fill(struct nh_ps *e, const struct proc *p)
{
	*e = (struct nh_ps){ .pid = p->pid, .ppid = p->parent ? p->parent->pid : 0,
			     .pgid = p->pgid, .sid = p->sid, .uid = p->uid,
			     .nthreads = p->nthreads, .state = 'Z',
			     .time_ns = p->utime_ns + p->stime_ns };
	memcpy(e->name, p->name, sizeof(e->name) - 1);
	add_thread(e, p);
	for (const struct proc *t = p->threads; t; t = t->thread_next)
		add_thread(e, t);
}

long proc_srv_ps(struct srv_req *r, int32_t after, void *procs, size_t *procs_len)
{
	static struct proc *p[PS_MAX];
	struct nh_ps *out = procs;
	size_t n = proc_leaders_after(after, p, PS_MAX);

	for (size_t i = 0; i < n; i++) {
		fill(&out[i], p[i]);
		if (p[i] == PROC_OF(r))
			out[i].state = 'R';	/* it waits only for this answer */
	}
	*procs_len = n * sizeof(struct nh_ps);
	return 0;
}

long proc_srv_kthreads(struct srv_req *r, void *threads, size_t *threads_len)
{
	long n = nh_kthread_list(threads, NH_KTHREADS_MAX);

	(void)r;
	if (n < 0)
		return n;
	if (n > NH_KTHREADS_MAX)
		n = NH_KTHREADS_MAX;	/* (the first ones) */
	*threads_len = (size_t)n * sizeof(struct nh_kthread);
	return 0;
}

long proc_srv_reboot(struct srv_req *r, int32_t how)
{
	if (PROC_OF(r)->uid != 0)
		return -NH_EPERM;
	return nh_power(how);
}
