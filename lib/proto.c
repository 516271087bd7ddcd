/*
 * The client side of server protocols (nhproto.h): the IPC buffer the
 * generated stubs use, and the reply check they share.
 */
#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nuthatch.h"

static void *proto_buf;

long nh_proto_set_buffer(void *page)
{
	long r = nh_ipc_set_buffer(page);

	if (r == 0)
		proto_buf = page;
	return r;
}

void *nh_proto_buf(void)
{
	return proto_buf;
}

/* The code an error reply carries, if it is one (else -NH_EBADMSG). */
static long proto_error(const struct nh_msg *m)
{
	long err = (long)m->w[0];

	return err < 0 && err >= -4095 ? err : -NH_EBADMSG;
}

/* Is @m the reply to @label with @fixed (+ a tail) bytes? */
static int proto_shape_ok(const struct nh_msg *m, uint64_t label, size_t fixed, int tail)
{
	uint64_t len = NH_IPC_LEN(m->tag);

	return NH_IPC_LABEL(m->tag) == NH_PROTO_REPLY(label) &&
	       (len == fixed || (tail && len > fixed));
}

long nh_proto_call(long ep, struct nh_msg *m, uint64_t label, size_t len, size_t fixed,
		   int tail, int handle)
{
	long r, err = 0, grant;

	m->tag = NH_IPC_TAG(label, len);
	r = nh_call(ep, m);
	if (r < 0)
		return r;
	grant = (long)m->grant;
	if (NH_IPC_LABEL(m->tag) == NH_PROTO_ERROR)
		err = proto_error(m);
	else if (!proto_shape_ok(m, label, fixed, tail))
		err = -NH_EBADMSG;
	else if (handle && grant <= 0)
		return grant < 0 ? grant : -NH_EBADMSG;
	else if (!handle && grant)
		err = -NH_EBADMSG;
	if (err && grant > 0)
		nh_handle_close(grant);
	return err ? err : (long)(NH_IPC_LEN(m->tag) - fixed);
}
