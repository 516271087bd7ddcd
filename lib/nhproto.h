/*
 * The rules every server protocol shares, on the client's side: how a
 * reply says what it answers or why it failed, the IPC buffer the
 * generated stubs (build/gen/proto/NAME_client.c, from
 * servers/proto/NAME.tbl by tools/genproto.py) pack into, and the one
 * call they all make.  servers/libserver/ is the other side.
 *
 * A request's reply has label request + 1; an error reply has label
 * NH_PROTO_ERROR, w0 = the -NH_E* code, nothing else.  Registering the
 * IPC buffer through nh_proto_set_buffer tells the stubs where it is
 * (one per program for now: a clone has its own copy).
 */
#ifndef NUTHATCH_PROTO_H
#define NUTHATCH_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <nuthatch/ipc.h>

#define NH_PROTO_ERROR		0x7fffffffe000ull	/* below the kernel's event labels */
#define NH_PROTO_REPLY(label)	((uint64_t)(label) + 1)

/* nh_ipc_set_buffer(@page), remembered for the stubs; 0 or -NH_E*. */
long nh_proto_set_buffer(void *page);

/* The page last registered through nh_proto_set_buffer (0: none). */
void *nh_proto_buf(void);

/*
 * Call @ep with @m (its words and grant set, @len bytes in the IPC
 * buffer) as request @label, and check the reply: label @label + 1, a
 * buffer of exactly @fixed bytes (at least, if @tail), a handle granted
 * if and only if @handle.  The tail's length, or the error reply's code,
 * the call's error, or -NH_EBADMSG for a reply of the wrong shape (a
 * handle that came with it is closed).
 */
long nh_proto_call(long ep, struct nh_msg *m, uint64_t label, size_t len, size_t fixed,
		   int tail, int handle);

#endif
