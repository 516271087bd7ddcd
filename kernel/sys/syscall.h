/*
 * The system-call boundary.  The numbers, the dispatch table and lib/'s
 * stubs are generated from kernel/uapi/nuthatch/syscalls.tbl; handlers
 * are `long sys_NAME(const struct syscall_args *)` and return a value or
 * -NH_E*.  User pointers are only ever touched through uaccess.h.
 */
#ifndef NUTHATCH_SYSCALL_H
#define NUTHATCH_SYSCALL_H

#include <stdint.h>

#include <nuthatch/sysno.h>

struct trap_frame;

struct syscall_args {
	uint64_t a[6];
};

struct sysent {
	const char *name;
	unsigned nargs;
	long (*fn)(const struct syscall_args *a);
};

extern const struct sysent sysent[SYS_COUNT];

/* Handlers called from elsewhere than the table. */
long sys_task_wait(const struct syscall_args *a);


/* trap.S's system-call path: dispatch in task context, then the user
 * boundary (preemption, task control's work).  Returns 0 when nothing
 * happened there (s0-s11 are still live), non-zero when trap.S must
 * reload every register from the frame.  (trap.S tries IPC's fast path
 * first, ipc_fast.c.) */
int syscall_entry(struct trap_frame *tf);

/*
 * Where a task blocked with a continuation (sched_block) resumes, on its
 * own stack below @tf: release the switch, run @cont (what remained of
 * the call; its result), finish the call as the dispatcher does, and
 * pass the user boundary.  trap.S then returns through @tf.
 */
void syscall_resume(struct trap_frame *tf, long (*cont)(void));

#endif
