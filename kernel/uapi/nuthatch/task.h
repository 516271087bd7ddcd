/*
 * Task control structures, shared by the kernel and lib/: registers,
 * scheduling parameters, accounting and the exit record a task leaves.
 */
#ifndef NUTHATCH_UAPI_TASK_H
#define NUTHATCH_UAPI_TASK_H

#include <stdint.h>

/* Why a task ended. */
#define NH_EXIT_NORMAL		1	/* it called exit: code */
#define NH_EXIT_FAULT		2	/* a user fault: cause, addr, pc */
#define NH_EXIT_KILLED		3	/* task_kill */
#define NH_EXIT_OOM		4	/* no memory (or charge refused) for a fault */
#define NH_EXIT_KSTACK		5	/* its kernel stack overflowed */

struct nh_exit {
	int32_t reason;		/* NH_EXIT_* */
	int32_t pad;
	int64_t code;		/* exit status (NORMAL), else a -NH_E* code */
	uint64_t cause;		/* scause of the fault (FAULT, OOM) */
	uint64_t addr;		/* stval */
	uint64_t pc;		/* sepc */
	uint64_t utime_ns, stime_ns;
};

/* User registers: pc and x1..x31 (x[0] holds pc), then FP state; then
 * what a restart needs: the flags and a system call's a0 at entry. */
struct nh_regs {
	uint64_t x[32];
	uint64_t f[32];
	uint64_t fcsr;
	uint32_t flags;		/* NH_REGS_* (read only: ignored when set) */
	uint32_t pad;
	uint64_t orig_a0;	/* with NH_REGS_SYSCALL: a0 when the call began */
};
/* The frame was saved by a system call: a7 is its number, orig_a0 its
 * first argument, x[0] past its ecall (or on it: it will restart). */
#define NH_REGS_SYSCALL		1

/* Scheduling parameters. */
#define NH_SCHED_FAIR		0	/* weighted fair share by nice */
#define NH_SCHED_FIXED		1	/* fixed priority 0..63 (63 highest) */

struct nh_sched {
	uint32_t cls;		/* NH_SCHED_* */
	int32_t prio;		/* fixed class */
	int32_t nice;		/* fair class: -20..19 */
	int32_t pad;
	uint64_t allowed;	/* hart mask; 0: all */
};

/* Task states as task_info reports them. */
#define NH_TASK_READY		0
#define NH_TASK_RUNNING		1
#define NH_TASK_SLEEPING	2
#define NH_TASK_SLEEPING_UNINTR	3
#define NH_TASK_STOPPED		4
#define NH_TASK_DEAD		5

struct nh_task_info {
	uint64_t id;
	uint32_t state;		/* NH_TASK_* */
	uint32_t hart;
	uint64_t utime_ns, stime_ns;
	uint64_t nvcsw, nivcsw;
	uint64_t resident_pages;	/* of its address space */
	char name[16];		/* NUL-terminated (task_set_name) */
	uint32_t privs;		/* NH_PRIV_* */
	uint32_t pad;
};

/*
 * Privileges: the powers a task holds beyond its handles, each naming a
 * family of calls (syscalls.tbl's [priv NAME] marks).  A new task gets
 * its creator's; task_set_privs lowers them, or gives a task a subset of
 * the caller's own.  The first process holds them all; the process
 * server gives an ordinary process none.
 */
#define NH_PRIV_TASK		0x01u	/* task_create, space_create, space_clone */
#define NH_PRIV_SCHED		0x02u	/* the fixed class, nice below 0 */
#define NH_PRIV_DEVICE		0x04u	/* device_open, irq_bind */
#define NH_PRIV_INITRD		0x08u	/* initrd_open */
#define NH_PRIV_TEST		0x10u	/* the test-only calls */
#define NH_PRIV_SELF		0x20u	/* every right over NH_SELF_TASK and
					   NH_SELF_SPACE; without it the task
					   may only read itself and read,
					   write and map its space */
#define NH_PRIV_SYSTEM		0x40u	/* power (off, reboot, halt), kthread_list */
#define NH_PRIVS_ALL		0x7fu

/* How task_create starts a task. */
struct nh_task_start {
	uint64_t pc, sp, a0, tp;
	struct nh_sched sched;
	uint32_t flags;		/* NH_START_* */
	uint32_t privs_of;	/* NH_START_PRIVS_OF: a task handle (READ) */
	char name[16];
};
#define NH_START_SUSPENDED	1
#define NH_START_PRIVS_OF	2	/* the privileges of the task privs_of
					   names, within the creator's (a
					   process server's fork: the parent's) */
#define NH_START_SHARE_HANDLES	4	/* the creator's handle table, shared
					   (a server's threads): a handle made,
					   closed or installed by one is so for
					   all; the last of them to exit closes
					   them */

#endif
