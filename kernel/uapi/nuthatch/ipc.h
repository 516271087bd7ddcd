/*
 * Synchronous IPC as user programs see it (ipc.c): message tags, the
 * register layout of a message, and the labels of kernel-made event
 * messages.  Shared by the kernel and lib/.
 *
 * A message is a tag, four words in registers, an optional buffer of up
 * to NH_IPC_BUF_MAX bytes copied from the sender's IPC buffer (a page it
 * registered with ipc_set_buffer) into the receiver's, and optionally a
 * handle granted to the receiver with rights at most the sender's.
 *
 * Registers.  ipc_call(ep, tag, w0, w1, w2, w3, grant) sends a0 = ep,
 * a1 = tag, a2..a5 = words, a6 = grant; ipc_reply and ipc_reply_recv take
 * the same layout (a0 = the reply handle, 0 for the implicit one, or the
 * endpoint to receive on).  Whatever arrives (a reply to a call, a
 * message received) comes back as a0 = tag (or a negative -NH_E* code),
 * a1..a4 = words, a5 = the sender's badge (receives only), a6 = the
 * granted handle's number in the receiver's table (0 if none).
 */
#ifndef NUTHATCH_UAPI_IPC_H
#define NUTHATCH_UAPI_IPC_H

#include <stdint.h>

#define NH_IPC_BUF_MAX		4096

/* tag = label << 16 | buffer length; bits 13-15 are zero. */
#define NH_IPC_TAG(label, len)	((uint64_t)(label) << 16 | (uint64_t)(len))
#define NH_IPC_LABEL(tag)	((uint64_t)(tag) >> 16)
#define NH_IPC_LEN(tag)		((uint64_t)(tag) & 0x1fff)
#define NH_IPC_LABEL_MAX	0x7fffffffffffull	/* tags stay positive */

/* grant = rights << 32 | handle (0: nothing granted). */
#define NH_IPC_GRANT(h, rights)	((uint64_t)(rights) << 32 | (uint64_t)(h))
/* With the rights of a call's or send's grant: move it (the sender's
 * handle is closed once the receiver has its copy), so a server that
 * passes a saved reply on keeps nothing to close after the answer. */
#define NH_IPC_GRANT_MOVE	0x40000000u
/* ipc_reply(reply | NH_IPC_REPLY_CLOSE, ...): a saved reply's handle is
 * closed as it is answered, before its caller runs again (one call, and
 * nothing of the answer is left for the caller to see). */
#define NH_IPC_REPLY_CLOSE	(1l << 40)

/* A message as lib/'s nh_call, nh_recv, nh_reply and nh_reply_recv see
 * it: loaded into registers before the call, stored back after. */
struct nh_msg {
	uint64_t tag;
	uint64_t w[4];
	uint64_t badge;		/* received: the sender's badge */
	uint64_t grant;		/* to send: NH_IPC_GRANT(h, rights); received:
				   the handle's number here (0: none, < 0: why
				   the grant failed) */
};

/* Labels of the messages the kernel sends for bound tasks. */
#define NH_IPC_FAULT		0x7ffffffff000ull	/* w0 cause, w1 addr, w2 pc, w3 task id */
#define NH_IPC_EXIT		0x7ffffffff001ull	/* w0 reason, w1 code, w2 task id; buffer: struct nh_exit */
#define NH_IPC_NOTIFY		0x7ffffffff002ull	/* w0 the bound notification's bits */
#define NH_IPC_CANCEL		0x7ffffffff003ull	/* w0 the cookie of ipc_reply_notify: that
						   saved reply's caller stopped waiting */

/* How a fault handler's reply label resumes the faulting task. */
#define NH_FAULT_RESUME		0	/* run the instruction again */
#define NH_FAULT_SET_REGS	1	/* the buffer holds struct nh_regs: take them, run */
#define NH_FAULT_KILL		2	/* end it (NH_EXIT_FAULT) */

#endif
