/*
 * The client side of server protocols (nhproto.h): the IPC buffer the
 * generated stubs use, and the reply check they share.
 */
#include <string.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nuthatch.h"

static __thread void *proto_buf;	/* per thread: each task has its own */

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

/* Is @m the reply to @label that @a describes?  0 or the error. */
static long proto_check(const struct nh_msg *m, uint64_t label, const struct nh_proto_msg *a)
{
	uint64_t len = NH_IPC_LEN(m->tag);
	long grant = (long)m->grant;

	if (NH_IPC_LABEL(m->tag) == NH_PROTO_ERROR)
		return proto_error(m);
	if (NH_IPC_LABEL(m->tag) != NH_PROTO_REPLY(label) || len < a->fixed_len ||
	    (!a->tail_ok && len > a->fixed_len))
		return -NH_EBADMSG;
	if (a->grant_kind == NH_PROTO_HANDLE && grant <= 0)
		return grant < 0 ? grant : -NH_EBADMSG;
	if (a->grant_kind != NH_PROTO_HANDLE && grant)
		return -NH_EBADMSG;
	return len - a->fixed_len > a->tail_len ? -NH_E2BIG : 0;
}

/* Put @q into @m and the IPC buffer @b; its buffer length or -NH_E*. */
static long proto_pack(struct nh_msg *m, uint8_t *b, const struct nh_proto_msg *q)
{
	if (q->regs_len > sizeof(m->w) || q->fixed_len > NH_IPC_BUF_MAX ||
	    q->tail_len > NH_IPC_BUF_MAX - q->fixed_len)
		return -NH_E2BIG;
	memcpy(m->w, q->regs, q->regs_len);
	m->grant = q->grant;
	if (q->fixed_len + q->tail_len && !b)
		return -NH_EINVAL;
	if (q->fixed_len)
		memcpy(b, q->fixed, q->fixed_len);
	if (q->tail_len)
		memcpy(b + q->fixed_len, q->tail, q->tail_len);
	return (long)(q->fixed_len + q->tail_len);
}

long nh_proto_call(long ep, uint64_t label, const struct nh_proto_msg *q, struct nh_proto_msg *a)
{
	struct nh_msg m = { 0 };
	uint8_t *b = proto_buf;
	long r = proto_pack(&m, b, q);

	if (r >= 0 && !b && (a->fixed_len || a->tail_ok))
		r = -NH_EINVAL;
	if (r < 0)
		return r;
	m.tag = NH_IPC_TAG(label, r);
	r = nh_call(ep, &m);
	if (r < 0)
		return r;
	r = proto_check(&m, label, a);
	if (r) {
		if ((long)m.grant > 0)
			nh_handle_close((long)m.grant);
		return r;
	}
	memcpy(a->regs, m.w, a->regs_len);
	if (a->fixed_len)
		memcpy(a->fixed, b, a->fixed_len);
	a->tail_len = NH_IPC_LEN(m.tag) - a->fixed_len;
	if (a->tail_len)
		memcpy(a->tail, b + a->fixed_len, a->tail_len);
	a->grant = m.grant;
	return 0;
}

long nh_proto_call_regs(long ep, uint64_t label, const void *q, size_t qlen, void *a,
			size_t alen)
{
	struct nh_msg m = { .tag = NH_IPC_TAG(label, 0) };
	long r;

	if (qlen > sizeof(m.w) || alen > sizeof(m.w))
		return -NH_E2BIG;
	memcpy(m.w, q, qlen);
	r = nh_call(ep, &m);
	if (r < 0)
		return r;
	if (NH_IPC_LABEL(m.tag) != NH_PROTO_REPLY(label) || NH_IPC_LEN(m.tag) || m.grant) {
		if ((long)m.grant > 0)
			nh_handle_close((long)m.grant);
		return NH_IPC_LABEL(m.tag) == NH_PROTO_ERROR ? proto_error(&m) : -NH_EBADMSG;
	}
	memcpy(a, m.w, alen);
	return 0;
}
