/*
 * kill, until signals exist (issue 17): every process has the default
 * disposition for every signal (picolibc's signal() only fills a table
 * inside libc), so a signal whose default action ends the process ends
 * it, with that signal in its wait status, and one whose default is to
 * be ignored changes nothing.  Signal 0 only checks that the target is
 * there.  The stop signals wait for the signals issue (-NH_ENOSYS).
 * Init is not signalled by anyone (Linux drops signals to a namespace's
 * init that it has no handler for, SIGKILL included).  Every process
 * may signal every other until credentials are real (all are uid 0).
 */
#include <signal.h>

#include <nuthatch/errno.h>

#include "proc.h"
#include "proto/proc_server.h"

struct kill_plan {
	const struct proc *caller;	/* its process's leader */
	int32_t pid, sig;
	unsigned matched;
};

static int ignored_by_default(int32_t sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

static int stops_by_default(int32_t sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static int targeted(const struct proc *p, const struct kill_plan *k)
{
	if (p->leader != p)
		return 0;	/* a thread: its process is the target */
	if (k->pid > 0)
		return p->pid == k->pid;
	if (k->pid == -1)
		return p->pid != PROC_INIT_PID && p != k->caller;
	return p->pgid == (k->pid ? -k->pid : k->caller->pgid);
}

static void signal_one(struct proc *p, void *arg)
{
	struct kill_plan *k = arg;

	if (!targeted(p, k))
		return;
	k->matched++;
	if (k->sig && p->state == PROC_RUNNING && p->pid != PROC_INIT_PID &&
	    !ignored_by_default(k->sig))
		proc_group_exit(p, k->sig);	/* wait status: the signal, no core */
}

long proc_srv_kill(struct srv_req *r, int32_t pid, int32_t sig)
{
	struct kill_plan k = { .caller = PROC_OF(r), .pid = pid, .sig = sig };

	if (sig < 0 || sig >= NSIG || pid == INT32_MIN)
		return -NH_EINVAL;
	if (stops_by_default(sig))
		return -NH_ENOSYS;
	proc_each(signal_one, &k);
	return k.matched ? 0 : -NH_ESRCH;
}
