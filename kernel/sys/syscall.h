/*
 * The system-call boundary.  The numbers, the dispatch table and lib/'s
 * stubs are generated from kernel/uapi/nuthatch/syscalls.tbl.  A handler is
 * `long sys_NAME(typed arguments)` as build/gen/sysproto.h declares it
 * (a pointer argument arrives as a uintptr_t user address, only ever
 * touched through uaccess.h); it returns a value or -NH_E*.  The
 * generated thunk in sysent.c unpacks a0..a6 into those arguments.
 */
#ifndef NUTHATCH_SYSCALL_H
#define NUTHATCH_SYSCALL_H

#include <stdint.h>

#include <nuthatch/sysno.h>

#include "sys/sysproto.h"	/* generated: build/gen/sys/ */

/* Test builds (the default) have the test-only calls (syscalls.tbl
 * [test]); without them those calls are refused with -NH_ENOSYS. */
#ifndef NH_TESTS
#define NH_TESTS 1
#endif

struct trap_frame;

struct sysent {
	const char *name;
	unsigned nargs;
	long (*fn)(const uint64_t *a);	/* a: the frame's a0..a6 */
};

extern const struct sysent sysent[SYS_COUNT];

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
