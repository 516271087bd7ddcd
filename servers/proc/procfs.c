/*
 * What /proc says (the file server serves it; servers/fs/procfs.c): the
 * file server signals this server's notification when a question waits,
 * and the event hook (main.c) takes the questions with ctl_proc and
 * answers each: a task's existence, the processes' pids, and a task's
 * stat, status and cmdline in Linux's formats (proc(5)), from the table,
 * the task's task_info and its space.  Only this server calls: the file
 * server never waits on it.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "proc.h"
#include "proto/fs.h"

#define PIECE		4096		/* bytes a ctl_proc carries */
#define TICK_NS		10000000ull	/* Linux's USER_HZ, 100: times in its ticks */
#define PAGE_KB		4
#define PIDS_AT_ONCE	128		/* the pid list goes this many a piece */

/* The answer being made to one question: pieces of PIECE bytes. */
struct answer {
	uint32_t id;
	long err;			/* a piece that could not go */
	size_t len;
	char buf[PIECE];
};

static struct answer the_answer;	/* [the server's lock] */
static struct proc *picked[PIDS_AT_ONCE];

long proc_procfs_init(void)
{
	long n = nh_notify_create(), r = n < 0 ? n : nh_endpoint_bind_notify(proc_srv.ep, n);

	if (r)
		return r;
	proc_srv.procfs_notify = n;
	memset(&the_answer, 0, sizeof(the_answer));	/* touched now: no growth at the first */
	memset(picked, 0, sizeof(picked));
	return 0;
}

/* What is made so far goes as a piece: more follows. */
static void flush(struct answer *a)
{
	uint32_t next, what;
	int32_t pid, caller;

	if (a->len && !a->err)
		a->err = fs_ctl_proc(proc_srv.fs_ctl, a->id, 0, a->buf, a->len, &next, &pid,
				     &what, &caller);
	a->len = 0;
}

static void put(struct answer *a, const void *data, size_t len)
{
	while (len && !a->err) {
		size_t n = len < PIECE - a->len ? len : PIECE - a->len;

		memcpy(a->buf + a->len, data, n);
		a->len += n, len -= n, data = (const char *)data + n;
		if (a->len == PIECE)
			flush(a);
	}
}

static void putf(struct answer *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct answer *a, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	put(a, line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* The pids of every process (its leader's), rising. */
static long list(struct answer *a)
{
	int32_t after = 0;
	size_t n;

	do {
		n = proc_leaders_after(after, picked, PIDS_AT_ONCE);
		if (n == PIDS_AT_ONCE)
			flush(a);	/* (the last batch goes with the answer's end) */
		for (size_t i = 0; i < n; i++)
			put(a, &picked[i]->pid, sizeof(picked[i]->pid));
		after = n ? picked[n - 1]->pid : after;
	} while (n == PIDS_AT_ONCE);
	return 0;
}

/* What one task is and has done, as far as /proc tells. */
struct facts {
	struct nh_task_info info;
	struct nh_sched sched;
	char state;
	uint64_t utime_ns, stime_ns;	/* its process's (every thread's) */
	uint64_t vsize, brk_start;
};

static void add_times(struct facts *f, const struct proc *t)
{
	struct nh_task_info info;

	if (t->state == PROC_RUNNING && t->task && !nh_task_info(t->task, &info)) {
		f->utime_ns += info.utime_ns;
		f->stime_ns += info.stime_ns;
	}
}

/* The bytes its space maps (Linux's vsize), region by region. */
static uint64_t mapped(long space)
{
	struct nh_region reg;
	uint64_t va = 0, total = 0;

	while (nh_space_query(space, va, &reg) == 0 && reg.end > va) {
		total += reg.end - reg.start;
		va = reg.end;
	}
	return total;
}

static void gather(struct facts *f, const struct proc *t, int32_t caller)
{
	const struct proc *p = t->leader;
	struct nh_space_stat ss;

	memset(f, 0, sizeof(*f));
	f->state = 'Z';
	f->utime_ns = p->utime_ns;
	f->stime_ns = p->stime_ns;
	add_times(f, p);
	for (const struct proc *o = p->threads; o; o = o->thread_next)
		add_times(f, o);
	if (t->state != PROC_RUNNING || !t->task || nh_task_info(t->task, &f->info))
		return;
	f->state = p->pid == caller ? 'R' : proc_state_letter(&f->info);	/* it waits for this */
	nh_task_sched_get(t->task, &f->sched);
	f->vsize = mapped(p->space);
	if (!nh_space_stat(p->space, &ss))
		f->brk_start = ss.brk_start;
}

static unsigned long long ticks(uint64_t ns)
{
	return (unsigned long long)(ns / TICK_NS);
}

/* proc(5)'s /proc/pid/stat: 52 fields on one line. */
static long stat_line(struct answer *a, const struct proc *t, const struct facts *f)
{
	const struct proc *p = t->leader;
	int zombie = f->state == 'Z';

	putf(a, "%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 ", (int)t->pid, p->name, f->state,
	     p->parent ? (int)p->parent->pid : 0, (int)p->pgid, (int)p->sid);
	putf(a, "%llu %llu %llu %llu %d %d %u 0 %llu %llu %llu 18446744073709551615 ",
	     ticks(f->utime_ns), ticks(f->stime_ns), ticks(p->cutime_ns), ticks(p->cstime_ns),
	     20 + (int)f->sched.nice, (int)f->sched.nice, zombie ? 1u : p->nthreads,
	     ticks(t->start_ns), (unsigned long long)f->vsize,
	     (unsigned long long)f->info.resident_pages);
	putf(a, "0 0 0 0 0 0 0 0 0 0 0 0 %d %u 0 0 0 0 0 0 0 %llu ", SIGCHLD,
	     (unsigned)f->info.hart, (unsigned long long)f->brk_start);
	putf(a, "%llu %llu %llu %llu %d\n", (unsigned long long)p->arg_start,
	     (unsigned long long)p->arg_end, (unsigned long long)p->arg_end,
	     (unsigned long long)p->env_end, zombie ? (int)p->status : 0);
	return 0;
}

static const char *state_name(char s)
{
	switch (s) {
	case 'R': return "R (running)";
	case 'S': return "S (sleeping)";
	case 'D': return "D (disk sleep)";
	case 'T': return "T (stopped)";
	default: return "Z (zombie)";
	}
}

/* proc(5)'s /proc/pid/status: "Name:\tvalue" lines. */
static long status_lines(struct answer *a, const struct proc *t, const struct facts *f)
{
	const struct proc *p = t->leader;
	unsigned u = p->uid, g = p->gid;

	putf(a, "Name:\t%s\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n", p->name,
	     state_name(f->state), (int)p->pid, (int)t->pid,
	     p->parent ? (int)p->parent->pid : 0);
	putf(a, "TracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nGroups:\t\n", u, u, u,
	     u, g, g, g, g);
	putf(a, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", (int)p->pid, (int)t->pid,
	     (int)p->pgid, (int)p->sid);
	if (f->state != 'Z')
		putf(a, "VmSize:\t%8llu kB\nVmRSS:\t%8llu kB\n",
		     (unsigned long long)f->vsize / 1024,
		     (unsigned long long)f->info.resident_pages * PAGE_KB);
	putf(a, "Threads:\t%u\n", f->state == 'Z' ? 1u : p->nthreads);
	putf(a, "SigPnd:\t%016x\nShdPnd:\t%016x\nSigBlk:\t%016x\nSigIgn:\t%016x\nSigCgt:\t%016x\n",
	     0, 0, 0, 0, 0);
	putf(a, "voluntary_ctxt_switches:\t%llu\nnonvoluntary_ctxt_switches:\t%llu\n",
	     (unsigned long long)f->info.nvcsw, (unsigned long long)f->info.nivcsw);
	return 0;
}

/* proc(5)'s /proc/pid/cmdline: its argv strings as they are now in its
 * memory (a zombie's: nothing). */
static long cmdline(struct answer *a, const struct proc *t)
{
	const struct proc *p = t->leader;
	char chunk[512];

	if (p->state != PROC_RUNNING || !p->space)
		return 0;
	for (uint64_t va = p->arg_start; va < p->arg_end && !a->err;) {
		size_t n = p->arg_end - va < sizeof(chunk) ? p->arg_end - va : sizeof(chunk);
		long r = nh_space_read(p->space, va, chunk, n);

		if (r)
			return 0;	/* (unmapped since: what was read) */
		put(a, chunk, n);
		va += n;
	}
	return 0;
}

/* The answer to "@what about @pid?" for @caller. */
static long make(struct answer *a, uint32_t what, int32_t pid, int32_t caller)
{
	const struct proc *t = pid > 0 ? proc_find(pid) : 0;
	struct facts f;

	if (what == NH_PROCFS_LIST)
		return list(a);
	if (!t)
		return -NH_ESRCH;
	switch (what) {
	case NH_PROCFS_EXISTS:
		return 0;
	case NH_PROCFS_STAT:
		gather(&f, t, caller);
		return stat_line(a, t, &f);
	case NH_PROCFS_STATUS:
		gather(&f, t, caller);
		return status_lines(a, t, &f);
	case NH_PROCFS_CMDLINE:
		return cmdline(a, t);
	default:
		return -NH_EINVAL;
	}
}

void proc_procfs_answer(void)
{
	struct answer *a = &the_answer;
	uint32_t id, what;
	int32_t pid, caller;
	long r = fs_ctl_proc(proc_srv.fs_ctl, 0, 0, 0, 0, &id, &pid, &what, &caller);

	while (!r && id) {
		long err;

		a->id = id, a->err = 0, a->len = 0;
		err = make(a, what, pid, caller);
		err = err ? err : a->err;
		r = fs_ctl_proc(proc_srv.fs_ctl, a->id, err ? (int32_t)err : 1, a->buf,
				err ? 0 : a->len, &id, &pid, &what, &caller);
	}
}
