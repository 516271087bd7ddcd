/*
 * <sched.h> for Nuthatch: picolibc's, plus Linux's clone and its flags
 * (the process server speaks them: servers/proc/fork.c).
 */
#ifndef _NH_SCHED_H
#define _NH_SCHED_H

#include_next <sched.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CSIGNAL			0x000000ff
#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_VFORK		0x00004000
#define CLONE_PARENT		0x00008000
#define CLONE_THREAD		0x00010000
#define CLONE_SYSVSEM		0x00040000
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_DETACHED		0x00400000
#define CLONE_CHILD_SETTID	0x01000000

/* glibc's: @fn(@arg) runs in the child on @stack (its top) and its value
 * is the child's exit status; then ptid, tls, ctid as the flags ask.
 * The child's tid, or -1 with errno (EINVAL without fn or stack). */
int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...);

#ifdef __cplusplus
}
#endif

#endif
