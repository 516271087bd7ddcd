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
#include "sched/task.h"	/* task_privileged, for [priv] marks */

/* Test builds (the default) have the test-only calls (syscalls.tbl
 * [test]); without them those calls are refused with -NH_ENOSYS. */
#ifndef NH_TESTS
#define NH_TESTS 1
#endif

struct sysent {
	const char *name;
	unsigned nargs;
	long (*fn)(const uint64_t *a);	/* a: the frame's a0..a6 */
};

extern const struct sysent sysent[SYS_COUNT];

#endif
