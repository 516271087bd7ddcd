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

/* Handle the ecall in @tf (from U-mode): result in a0, sepc past it. */
void syscall_dispatch(struct trap_frame *tf);

/* trap.S's system-call path: dispatch in task context, then preempt if due. */
void syscall_entry(struct trap_frame *tf);

#endif
