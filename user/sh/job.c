/*
 * Background jobs: each "... &" is one child, numbered [1], [2], ... from
 * one above the highest still running.  Interactive shells announce a
 * job's start and, before a prompt, its end; "wait" collects them.
 * (No job control yet: no process groups, fg, bg or jobs.)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "sh.h"

#define MAX_JOBS	64

struct job {
	int id;
	pid_t pid;
};

static struct job jobs[MAX_JOBS];
static int njobs;

static void drop(int i)
{
	memmove(&jobs[i], &jobs[i + 1], (size_t)(njobs - i - 1) * sizeof(jobs[0]));
	njobs--;
}

/* waitpid for job @i's child, WNOHANG or not: 1 and its status when it
 * has ended (or is no longer ours), 0 while it runs. */
static int ended(int i, int options, int *status)
{
	int st = 0;
	pid_t r;

	while ((r = waitpid(jobs[i].pid, &st, options)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return 0;
	*status = r < 0 ? 127 : exec_status(st);
	return 1;
}

static void announce_end(const struct job *j, int status)
{
	if (status == 0)
		fprintf(stderr, "[%d] Done\n", j->id);
	else
		fprintf(stderr, "[%d] Done (status %d)\n", j->id, status);
}

void job_report(void)
{
	int status;

	for (int i = 0; i < njobs; ) {
		if (!ended(i, WNOHANG, &status)) {
			i++;
			continue;
		}
		announce_end(&jobs[i], status);
		drop(i);
	}
	fflush(stderr);
}

/* With the table full, forget the finished jobs quietly. */
static void make_room(void)
{
	int status;

	for (int i = 0; i < njobs; ) {
		if (ended(i, WNOHANG, &status))
			drop(i);
		else
			i++;
	}
}

void job_add(pid_t pid)
{
	int id = njobs ? jobs[njobs - 1].id + 1 : 1;

	if (njobs == MAX_JOBS)
		make_room();
	if (njobs == MAX_JOBS)
		return;	/* untracked: "wait PID" still finds it */
	jobs[njobs].id = id;
	jobs[njobs++].pid = pid;
	if (sh.interactive) {
		fprintf(stderr, "[%d] %ld\n", id, (long)pid);
		fflush(stderr);
	}
}

int job_wait_all(void)
{
	int status;

	while (njobs > 0) {
		ended(0, 0, &status);
		drop(0);
	}
	return 0;
}

int job_wait_pid(pid_t pid)
{
	int st = 0;
	pid_t r;

	for (int i = 0; i < njobs; i++)
		if (jobs[i].pid == pid)
			drop(i--);
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	return r < 0 ? 127 : exec_status(st);
}

void job_forget_all(void)
{
	njobs = 0;
}
