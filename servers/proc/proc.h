/*
 * The process server's types and invariants: the process table, pids,
 * the parent/child tree and the waits that hang on it.  One thread
 * serves every request, one at a time, so nothing here is locked: the
 * loop (libserver) is the only path in, and every handler runs to
 * completion or saves its reply and returns.
 *
 * Invariants, true between two requests:
 *  - every live struct proc is in the pid hash under its pid, and its
 *    pid's bit is set in the bitmap; a pid's bit is clear exactly when no
 *    struct proc has it;
 *  - every proc but init (pid 1) has a parent; a parent's children list
 *    holds exactly the procs whose parent it is; an orphan is moved to
 *    init before its parent's struct is freed;
 *  - a RUNNING proc owns a task handle and a space handle in the
 *    server's table (its main thread and its address space); a ZOMBIE
 *    owns neither (both closed when its exit event came) and keeps only
 *    its status and times until its parent reaps it;
 *  - a waiter (a saved wait4 reply) hangs on the proc that asked, and is
 *    answered or dropped (its parent died) exactly once;
 *  - a vfork child holds its parent's saved reply (vfork_reply) from its
 *    start until it execs or ends, and answers it then, once; its space
 *    handle until then is a second handle to its parent's space.
 *  - Threads (clone with CLONE_THREAD): every task the server started
 *    has a struct proc under its tid in the hash; a process's first is
 *    its leader (leader == itself, tid == pid == tgid), which holds
 *    the process's state (tree, group, session, waiters, status).
 *    Another thread's struct holds only its tid, task, space handle (a
 *    second handle to the shared space) and leader; it is on its
 *    leader's threads list, never in the tree, and freed with its tid
 *    when its task's exit event comes.  The leader's nthreads counts
 *    the group's tasks still alive; the process becomes a zombie when
 *    it reaches 0 (the leader's own task may end first: task 0 then).
 *  - an exec pending in a process with other threads (pending_exec)
 *    has killed them and waits for their exit events; nothing else
 *    starts in the process meanwhile (clone and fork get EAGAIN).
 */
#ifndef PROC_PROC_H
#define PROC_PROC_H

#include <stdint.h>

#include "image.h"
#include "pool.h"
#include "server.h"

#define PROC_PID_MAX_DEFAULT	32768
#define PROC_PID_MAX_LIMIT	4194304		/* Linux's PID_MAX_LIMIT */
#define PROC_INIT_PID		1
#define PROC_NAME_LEN		16

/* A client's badge is its pid; the kernel's events for its task carry
 * this bit as well, which no client badge has. */
#define PROC_EVENT_BADGE	(1ull << 40)

enum proc_state {
	PROC_RUNNING,		/* its task exists (ps: R or S) */
	PROC_ZOMBIE,		/* ended, not yet reaped (ps: Z) */
};

/* A wait: what it selects (waitid's terms: P_ALL, P_PID with id, P_PGID
 * with id, 0 for the caller's group; wait4's pid is put in them) and,
 * once saved, its reply. */
struct proc_waiter {
	long reply;		/* the saved reply of the wait4 or waitid */
	int32_t idtype, id;	/* P_* (sys/wait.h) */
	int32_t options;	/* W*: WEXITED always for wait4 */
	uint8_t waitid;		/* answered as waitid, else as wait4 */
	uint32_t seq;		/* with its process's pid, the cookie of its
				   cancel notice (ipc_reply_notify) */
	struct proc_waiter *next;
};

struct proc {
	int32_t pid;
	int32_t pgid, sid;
	enum proc_state state;
	struct proc *parent;
	struct proc *children;		/* first child; siblings below */
	struct proc *sib_next, *sib_prev;
	struct proc *hash_next;
	long task, space;		/* handles here (RUNNING only) */
	int32_t status;			/* wait status (ZOMBIE) */
	uint32_t exec_count;		/* setpgid on a child that exec'd: EACCES */
	uint32_t uid, gid;		/* credentials: 0 until the signals issue */
	uint64_t utime_ns, stime_ns;	/* its own, once it ended */
	uint64_t cutime_ns, cstime_ns;	/* of its reaped children */
	struct proc_waiter *waiters;
	long vfork_reply;		/* a vfork child: its parent's held reply */
	uint64_t vfork_label;		/* the request it answers (vfork, clone) */
	char name[PROC_NAME_LEN];
	uint64_t start_ns;		/* when its task started (the clock) */
	uint64_t arg_start, arg_end;	/* its argv strings, in its space (from
					   its image, kept across fork) ... */
	uint64_t env_end;		/* ... and its envp's end: /proc's cmdline */
	/* threads (clone.c) */
	struct proc *leader;		/* its process's first thread; itself */
	struct proc *threads;		/* leader: its other threads ... */
	struct proc *thread_next;	/* ... linked through this */
	uint32_t nthreads;		/* leader: tasks of the group alive */
	uint8_t group_exit;		/* leader: status is final (exit_group,
					   a fatal fault, a kill) */
	struct proc_exec *pending_exec;	/* leader: an exec waiting for the
					   other threads to end */
};

/* The process the calling task belongs to (its thread group's leader). */
#define PROC_OF(r)	(((struct proc *)(r)->client)->leader)

/* An exec built and waiting for its process's other threads to end. */
struct proc_exec {
	struct proc *caller;		/* the thread that asked */
	long reply;			/* its saved execve reply */
	struct srv_image img;		/* the new image */
	char path[PROC_NAME_LEN];	/* the file's name, for the task's */
};

/*
 * The server's state: one.  It runs as one thread a hart (main.c), each
 * receiving on the endpoint with its own struct srv and IPC buffer, all
 * sharing one handle table (NH_START_SHARE_HANDLES); lock serialises
 * the handling of every message (libserver's enter and leave hooks), so
 * that everything here and in the table is as in a single thread.
 */
struct proc_server {
	struct srv srv;			/* the first thread's */
	long ep;			/* its endpoint (unbadged, every right) */
	long fs_ep;			/* the file server's (unbadged: to mint) */
	long fs_ctl;			/* ... badged NH_FS_CTL_BADGE: the control calls */
	long console_fs;		/* the console server's, badged for the file server */
	long procfs_notify;		/* bound to ep: the file server's /proc questions */
	uint32_t nprocs, nzombies, nwaiters;
	unsigned nthreads;		/* serving threads, one a hart */
};

extern struct proc_server proc_srv;

/* workers.c: start a serving thread on each other hart (after setup,
 * which gives the first thread's hooks, before init). */
void proc_start_threads(void);

/* The calling thread's struct srv (its IPC buffer packs answers). */
struct srv *proc_self_srv(void);

/* Let go of the lock for kernel work that needs nothing of the table
 * (everything read under it may change meanwhile), and take it again.
 * With one thread there is no lock: both do nothing. */
void proc_unlock(void);
void proc_lock(void);

/* Close @h once this message's handling is over, outside the lock (a
 * space's teardown, say, need not hold up the other threads).  With one
 * thread: now. */
void proc_close_later(long h);

/* pid.c: the bitmap.  pid_init(max) once; pid_alloc gives the next free
 * pid after the last one handed out (wrapping to 2: 1 is init's, taken
 * first), or -NH_EAGAIN; pid_free returns it. */
int pid_init(uint32_t max);
int32_t pid_alloc(void);
void pid_free(int32_t pid);
uint32_t pid_used(void);

/* table.c: allocation, lookup, the tree. */
int proc_table_init(unsigned reserve);		/* room for @reserve procs and waiters */
struct proc *proc_new(void);			/* zeroed, no pid yet; 0: ENOMEM */
void proc_discard(struct proc *p);		/* one proc_new gave, never inserted */
struct proc_waiter *proc_waiter_new(void);
void proc_waiter_free(struct proc_waiter *w);
void proc_insert(struct proc *p, struct proc *parent);	/* into hash and tree */
void proc_release(struct proc *p);		/* out of both, pid and struct freed */
struct proc *proc_find(int32_t pid);
void proc_reparent_children(struct proc *p);	/* to init */
/* @fn on every struct in the table, threads' too (it must not free any). */
void proc_each(void (*fn)(struct proc *, void *), void *arg);
/* Does @pred hold for some process?  (A scan of the table.) */
int proc_any(int (*pred)(const struct proc *, const void *), const void *arg);

/* spawn.c: a new process's start (images: libserver's image.h). */
/* Start init from @path with @argv (NULL-ended); 0 or -NH_E*. */
long proc_start_init(const char *path, char *const argv[], uint32_t privs);
/* Give @task the process's endpoint and events (badged with its tid
 * @pid) and the file server's (badged with its process's @tgid); @flags
 * for handle_install_at: NH_HANDLE_REPLACE over what it has; 0 or -NH_E*. */
long proc_attach_task(long task, int32_t pid, int32_t tgid, uint32_t flags);
/* Start the file server, /sbin/fs (before init); 0 or -NH_E*. */
long proc_start_console(void);
long proc_start_fs(void);

/* fork.c: a vfork child that execs or ends lets its parent go. */
void proc_vfork_release(struct proc *child);

/* clone.c: threads.  proc_thread_add links a new thread into its
 * leader's group (the hash too); proc_thread_remove unlinks it and frees
 * it with its tid; proc_group_kill kills every task of @leader's group
 * but @spare's (0: all); proc_group_exit kills them all, @status the
 * process's final wait status unless one was already final. */
void proc_thread_add(struct proc *leader, struct proc *t);
void proc_thread_remove(struct proc *t);
void proc_group_kill(struct proc *leader, const struct proc *spare);
void proc_group_exit(struct proc *leader, int32_t status);

/* listing.c: the processes (leaders) of pid > @after, lowest first, at
 * most @max into @out; how many. */
size_t proc_leaders_after(int32_t after, struct proc **out, size_t max);
/* A task's state as ps and /proc show it: R, S, D, T, Z. */
struct nh_task_info;
char proc_state_letter(const struct nh_task_info *t);

/* procfs.c: /proc's facts.  proc_procfs_init makes the notification the
 * file server signals (bound to the endpoint); proc_procfs_answer takes
 * and answers every question waiting (the event hook calls it). */
long proc_procfs_init(void);
void proc_procfs_answer(void);

/* clock.c: the wall clock's offset, read from the RTC once at start. */
void proc_clock_init(void);

/* exec.c: an exec pending in a multithreaded process, finished once it
 * is alone, or abandoned (its caller died, or exit_group came first). */
void proc_exec_finish(struct proc *leader);
void proc_exec_abandon(struct proc *leader);

/* exit.c: a task's exit event; the waits it satisfies. */
void proc_task_exited(int32_t pid, const void *record, uint64_t reason, int64_t code);
void proc_wake_waiters(struct proc *parent);
void proc_drop_waiters(struct proc *p);
/* The kernel's cancel notice for a saved wait whose caller stopped
 * waiting (interrupted, or dead): the waiter goes, unanswered. */
void proc_wait_cancelled(uint64_t cookie);

#endif
