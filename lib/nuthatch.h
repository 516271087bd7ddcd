/*
 * Nuthatch's system calls for user programs: one stub per call, generated
 * with its prototype from kernel/uapi/nuthatch/syscalls.tbl
 * (build/gen/usys.S, build/gen/nuthatch/usys.h).  They return
 * a value or a negative NH_E* code; the POSIX layer in lib/ turns that
 * into errno.
 */
#ifndef NUTHATCH_USER_H
#define NUTHATCH_USER_H

#include <stddef.h>
#include <stdint.h>

#include <nuthatch/device.h>
#include <nuthatch/handle.h>
#include <nuthatch/ipc.h>
#include <nuthatch/sysno.h>
#include <nuthatch/task.h>
#include <nuthatch/vm.h>

/* The nh_NAME stubs, one per system call, with the prototypes the table
 * gives them (build/gen/nuthatch/usys.h). */
#include <nuthatch/usys.h>

/* space_map's request built in place: the address, or -NH_E*. */
static inline long nh_map(long space, uint64_t va, uint64_t len, unsigned prot,
			  unsigned flags, long obj, uint64_t offset)
{
	const struct nh_map m = { .va = va, .len = len, .prot = prot, .flags = flags,
				  .obj = obj, .offset = offset };

	return nh_space_map(space, &m);
}

/* The raw IPC calls ([regmsg]) return only a0: the nh_call family
 * (lib/ipc.S) moves whole messages. */
long nh_call(long ep, struct nh_msg *m);
long nh_recv(long ep, struct nh_msg *m);
long nh_reply(long reply, struct nh_msg *m);
long nh_reply_recv(long ep, struct nh_msg *m);

#endif
