/*
 * Handles: how a task names kernel objects (tasks, address spaces, memory
 * objects; endpoints and notifications later).  Shared by the kernel and
 * lib/.  A handle is a small positive number, private to the task that
 * holds it, carrying rights; a closed handle's number is stale for ever
 * (a slot's generation is part of the number).
 */
#ifndef NUTHATCH_UAPI_HANDLE_H
#define NUTHATCH_UAPI_HANDLE_H

#include <stdint.h>

/* Rights: an act on an object needs the right named for it. */
#define NH_RIGHT_READ		0x01u	/* query, copy out, wait for */
#define NH_RIGHT_WRITE		0x02u	/* copy in */
#define NH_RIGHT_MAP		0x04u	/* map it / map into it */
#define NH_RIGHT_CONTROL	0x08u	/* change it: regs, suspend, kill,
					   install handles, replace space */
#define NH_RIGHT_GRANT		0x10u	/* pass it on (dup, install) */
#define NH_RIGHTS_ALL		0x1fu

/* Object types, as handle_info reports them. */
#define NH_OBJ_TASK		1
#define NH_OBJ_SPACE		2
#define NH_OBJ_MEMOBJ		3
#define NH_OBJ_ENDPOINT		4	/* synchronous IPC (ipc.c) */
#define NH_OBJ_REPLY		5	/* a saved reply capability (ipc.c) */
#define NH_OBJ_NOTIFY		6	/* a word of signal bits (notify.c) */
#define NH_OBJ_IRQ		7	/* an interrupt line bound to a notification */
#define NH_OBJ_CONSOLE		8	/* the console UART's claim (console_claim) */

/* Pseudo-handles every user task has: itself and its address space,
 * with every right if it holds NH_PRIV_SELF (nuthatch/task.h), else
 * READ on itself and READ|WRITE|MAP on its space; a right they lack
 * gives -NH_EPERM.  Never returned by a call, never closed. */
#define NH_SELF_TASK		0x7ffffffeL
#define NH_SELF_SPACE		0x7fffffffL
#define NH_SELF_TASK_RIGHTS	NH_RIGHT_READ
#define NH_SELF_SPACE_RIGHTS	(NH_RIGHT_READ | NH_RIGHT_WRITE | NH_RIGHT_MAP)

/* Handle flags (handle_set_flags, handle_install_at). */
#define NH_HANDLE_CLOEXEC	0x1u	/* closed when the task's space is
					   replaced (task_set_space: exec) */
#define NH_HANDLE_FLAGS		0x1u
/* handle_install_at only: if the number is open, what it holds is closed
 * in the same step (the number never goes stale in between). */
#define NH_HANDLE_REPLACE	0x100u

struct nh_handle_info {
	uint32_t type;		/* NH_OBJ_* */
	uint32_t rights;	/* NH_RIGHT_* */
	uint64_t size;		/* memory objects: bytes; else 0 */
	uint32_t flags;		/* NH_HANDLE_* */
	uint32_t pad;
};

#endif
