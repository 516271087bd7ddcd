/*
 * libserver's loop and the checks the generated decoders call
 * (server.h).  One request at a time: receive, identify, decode,
 * dispatch, reply (nh_reply_recv, so the reply and the next receive are
 * one system call) unless deferred.
 */
#include <string.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "server.h"

#define WORDS_BYTES	sizeof(((struct nh_msg *)0)->w)

long srv_init(struct srv *s, long ep, void *buf, const struct srv_proto *p)
{
	*s = (struct srv){ .ep = ep, .buf = buf, .proto = p };
	return nh_proto_set_buffer(buf);	/* its calls to other servers use it too */
}

long srv_defer(struct srv_req *r)
{
	long h = nh_ipc_reply_save();

	if (h > 0)
		r->deferred = 1;
	return h;
}

void srv_stop(struct srv_req *r)
{
	r->stop = 1;
}

/* Are the bytes of @r's words past the first @regs all zero?  (A word
 * at a time; the words are little-endian, so a partly used word's unused
 * bytes are its high ones.) */
static int words_unused_zero(const struct srv_req *r, size_t regs)
{
	size_t i = regs / 8;
	uint64_t bits = 0;

	if (regs % 8)
		bits = r->msg.w[i++] >> (8 * (regs % 8));
	for (; i < WORDS_BYTES / 8; i++)
		bits |= r->msg.w[i];
	return !bits;
}

/* Does @r's grant fit @kind (enum nh_proto_grant)?  0, or the error. */
static long grant_check(struct srv_req *r, int kind)
{
	long grant = (long)r->msg.grant;

	if (kind == NH_PROTO_NO_GRANT)
		return grant ? -NH_EBADMSG : 0;
	if (kind == NH_PROTO_HANDLE && grant <= 0)
		return grant < 0 ? grant : -NH_EBADF;
	r->grant_taken = 1;
	return 0;
}

long srv_decode(struct srv_req *r, struct nh_proto_msg *q, struct nh_proto_msg *a)
{
	uint8_t *buf = r->srv->buf;
	uint64_t len = NH_IPC_LEN(r->msg.tag);
	long err;

	if (len < q->fixed_len || (!q->tail_ok && len > q->fixed_len) ||
	    !words_unused_zero(r, q->regs_len))
		return -NH_EBADMSG;
	err = grant_check(r, q->grant_kind);
	if (err)
		return err;
	memcpy(q->regs, r->msg.w, q->regs_len);
	if (q->fixed_len)
		memcpy(q->fixed, buf, q->fixed_len);
	q->tail = buf + q->fixed_len;
	q->tail_len = len - q->fixed_len;
	q->grant = r->msg.grant;
	a->tail = buf + a->fixed_len;
	a->tail_len = a->tail_ok ? NH_IPC_BUF_MAX - a->fixed_len : 0;
	return 0;
}

long srv_decode_regs(struct srv_req *r, void *req, size_t len)
{
	if (NH_IPC_LEN(r->msg.tag) || r->msg.grant || !words_unused_zero(r, len))
		return -NH_EBADMSG;	/* (a handle that came is closed by the loop) */
	memcpy(req, r->msg.w, len);
	return 0;
}

long srv_encode_regs(struct srv_req *r, const void *rep, size_t len)
{
	memcpy(r->reply.w, rep, len);	/* (the loop zeroed the rest) */
	return 0;
}

/* @a into @m and @s's buffer (its tail moved there unless it is there);
 * the buffer length or -NH_ERANGE. */
static long srv_pack(struct srv *s, struct nh_msg *m, const struct nh_proto_msg *a)
{
	uint8_t *buf = s->buf;

	if (a->regs_len > WORDS_BYTES || a->fixed_len > NH_IPC_BUF_MAX ||
	    a->tail_len > NH_IPC_BUF_MAX - a->fixed_len)
		return -NH_ERANGE;
	memset(m, 0, sizeof(*m));
	memcpy(m->w, a->regs, a->regs_len);
	if (a->fixed_len)
		memcpy(buf, a->fixed, a->fixed_len);
	if (a->tail_len && a->tail != buf + a->fixed_len)
		memmove(buf + a->fixed_len, a->tail, a->tail_len);
	m->grant = (uint32_t)a->grant ? a->grant : 0;	/* no handle: nothing granted */
	return (long)(a->fixed_len + a->tail_len);
}

long srv_encode(struct srv_req *r, const struct nh_proto_msg *a)
{
	return srv_pack(r->srv, &r->reply, a);
}

long srv_answer(struct srv *s, long reply, uint64_t label, const struct nh_proto_msg *a)
{
	struct nh_msg m;
	long r = srv_pack(s, &m, a);

	if (r >= 0) {
		m.tag = NH_IPC_TAG(NH_PROTO_REPLY(label), r);
		r = nh_reply(reply | NH_IPC_REPLY_CLOSE, &m);	/* closed as answered */
	}
	if (r < 0 && r != -NH_EPIPE)
		nh_handle_close(reply);	/* (not answered: closed here) */
	return r;
}

long srv_answer_error(struct srv *s, long reply, long err)
{
	struct nh_msg m = { .tag = NH_IPC_TAG(NH_PROTO_ERROR, 0), .w = { (uint64_t)err } };
	long r = nh_reply(reply | NH_IPC_REPLY_CLOSE, &m);

	(void)s;
	if (r < 0 && r != -NH_EPIPE)
		nh_handle_close(reply);
	return r;
}

/* An error reply for @r: @err in w0, nothing else. */
static void srv_error(struct srv_req *r, long err)
{
	r->reply = (struct nh_msg){ .tag = NH_IPC_TAG(NH_PROTO_ERROR, 0), .w = { (uint64_t)err } };
}

/* The decoder for @label, or 0. */
static srv_decode_fn srv_op(const struct srv_proto *p, uint64_t label)
{
	if (label < p->base || label - p->base >= p->count)
		return 0;
	return p->ops[label - p->base];
}

/* Identify, decode, dispatch: @r->reply holds the answer after. */
static void srv_dispatch(struct srv *s, struct srv_req *r)
{
	uint64_t label = NH_IPC_LABEL(r->msg.tag);
	srv_decode_fn op = srv_op(s->proto, label);
	long n;

	r->srv = s;
	r->client = 0;
	r->grant_taken = r->deferred = r->stop = 0;
	r->reply = (struct nh_msg){ 0 };
	if (s->who && !(r->client = s->who(s, r->msg.badge)))
		n = -NH_EACCES;
	else if (op)
		n = op(r);
	else if (s->fallback)
		r->grant_taken = 1, n = s->fallback(r);
	else
		n = -NH_ENOSYS;
	if ((long)r->msg.grant > 0 && !r->grant_taken)
		nh_handle_close((long)r->msg.grant);
	if (n < 0)
		srv_error(r, n);
	else if (op)
		r->reply.tag = NH_IPC_TAG(NH_PROTO_REPLY(label), n);
}

static int is_event(uint64_t tag)
{
	return NH_IPC_LABEL(tag) == NH_IPC_FAULT || NH_IPC_LABEL(tag) == NH_IPC_EXIT ||
	       NH_IPC_LABEL(tag) == NH_IPC_CANCEL || NH_IPC_LABEL(tag) == NH_IPC_NOTIFY;
}

static int took_event(struct srv *s, struct nh_msg *m)
{
	int took;

	if (s->enter)
		s->enter(s);
	took = s->event(s, m);
	if (s->leave)
		s->leave(s);
	return took;
}

long srv_run(struct srv *s)
{
	struct srv_req r;
	long tag = nh_recv(s->ep, &r.msg);

	for (;;) {
		if (tag == -NH_EBADF || tag == -NH_EACCES)
			return tag;
		if (tag < 0) {
			s->last_recv_err = tag;
			tag = nh_recv(s->ep, &r.msg);
			continue;
		}
		if ((s->event && is_event(r.msg.tag) && took_event(s, &r.msg)) ||
		    NH_IPC_LABEL(r.msg.tag) == NH_IPC_NOTIFY) {	/* nobody waits for a reply */
			tag = nh_recv(s->ep, &r.msg);
			continue;
		}
		if (s->enter)
			s->enter(s);
		srv_dispatch(s, &r);
		if (s->leave)
			s->leave(s);
		if (r.stop && !r.deferred) {
			nh_reply(0, &r.reply);
			return 0;
		}
		if (r.stop)
			return 0;
		if (r.deferred) {
			tag = nh_recv(s->ep, &r.msg);
			continue;
		}
		r.msg = r.reply;
		tag = nh_reply_recv(s->ep, &r.msg);	/* the next request lands in r.msg */
	}
}
