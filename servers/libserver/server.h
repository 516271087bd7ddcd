/*
 * libserver: the loop every Nuthatch server shares.  srv_run receives a
 * request, identifies its sender by badge (srv->who), decodes it through
 * the protocol's generated dispatch table (build/gen/proto/NAME_server.c,
 * from servers/proto/NAME.tbl), calls the typed handler, and replies,
 * unless the handler deferred (srv_defer: the reply is saved as a handle
 * and answered later with the generated NAME_srv_X_answer) or stopped
 * the server (srv_stop: the reply goes, srv_run returns).
 *
 * Garbage gets an error reply (label NH_PROTO_ERROR, w0 the code; see
 * lib/nhproto.h) and the server goes on:
 *   -NH_ENOSYS   a label outside the table, when there is no fallback
 *   -NH_EBADMSG  a message of the wrong shape: a buffer shorter or longer
 *                than the request's layout, register bytes past its
 *                arguments not zero, a grant the request does not take
 *   -NH_EBADF    a request that takes a handle and none came; a grant
 *                that failed replies with its own code (-NH_EACCES, ...)
 *   -NH_EACCES   a badge srv->who does not know
 *   whatever a handler returns below 0.
 * A handle that came with a refused request is closed here; one that
 * reaches a handler (or the fallback) belongs to it.
 */
#ifndef LIBSERVER_SERVER_H
#define LIBSERVER_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <nuthatch/ipc.h>

#include "nhproto.h"

struct srv;

/* One request in flight: what came, and the reply being built. */
struct srv_req {
	struct srv *srv;
	struct nh_msg msg;	/* as received: tag, words, badge, grant */
	struct nh_msg reply;	/* the decode step fills it */
	void *client;		/* srv->who's answer for msg.badge */
	int grant_taken;	/* msg.grant belongs to the handler now */
	int deferred;		/* srv_defer: no reply from the loop */
	int stop;		/* srv_stop: reply, then srv_run returns */
};

/* Checks a request against its layout, calls its handler, encodes the
 * reply: the reply's buffer length, or -NH_E*. */
typedef long (*srv_decode_fn)(struct srv_req *r);

/* A protocol's dispatch table (generated): label base + i -> ops[i]. */
struct srv_proto {
	const char *name;
	uint64_t base;
	uint64_t count;
	const srv_decode_fn *ops;	/* 0: no such request */
};

struct srv {
	long ep;			/* the endpoint it receives on */
	void *buf;			/* its IPC buffer, a page */
	const struct srv_proto *proto;
	/* Labels outside the table (0: -NH_ENOSYS): fills r->reply whole
	 * (tag included) and returns >= 0, or returns -NH_E*. */
	long (*fallback)(struct srv_req *r);
	/* The sender behind a badge (0: refused); 0 here: everyone. */
	void *(*who)(struct srv *s, uint64_t badge);
	/* A message with a kernel event label (NH_IPC_FAULT, NH_IPC_EXIT,
	 * NH_IPC_CANCEL, NH_IPC_NOTIFY),
	 * before anything else: nonzero if it took it (the loop then
	 * neither identifies nor answers it; a fault's reply is the
	 * hook's), 0 to treat it as any other request (a client's forgery
	 * gets -NH_ENOSYS).  0 here: every such label is a request. */
	int (*event)(struct srv *s, struct nh_msg *m);
	/* Around the handling of each message that came (its event hook, or
	 * its identification, handler and reply's encoding), never around
	 * a receive or the reply's send: a server of several threads on one
	 * endpoint takes its lock here.  0: nothing. */
	void (*enter)(struct srv *s);
	void (*leave)(struct srv *s);
	long last_recv_err;		/* the last receive that failed */
	void *priv;			/* the server's own state */
};

/* Set @s up to serve @p on @ep with @buf (registered now, for the
 * calling thread's client stubs too: a handler that calls another server
 * with a buffer overwrites its request's, so it copies what it still
 * needs first); 0 or -NH_E*. */
long srv_init(struct srv *s, long ep, void *buf, const struct srv_proto *p);

/* Serve until a handler calls srv_stop (0), or the endpoint is gone
 * (-NH_EBADF, -NH_EACCES). */
long srv_run(struct srv *s);

/* Keep @r's reply for later: its handle (answer it with the generated
 * NAME_srv_X_answer), or -NH_E*, in which case the loop replies. */
long srv_defer(struct srv_req *r);

/* Reply to @r, then return from srv_run. */
void srv_stop(struct srv_req *r);

/* Answer the saved reply @reply with the error @err (a -NH_E* code),
 * as the loop answers a handler's error; @reply is closed.  0 or -NH_E*. */
long srv_answer_error(struct srv *s, long reply, long err);

/* For the generated code: check @r against the request layout @q
 * (lib/nhproto.h: its parts, tail_ok, grant_kind) and copy it out; @q's
 * tail and grant then point at what came, @a's tail at the room for the
 * reply's.  0 or the error to reply. */
long srv_decode(struct srv_req *r, struct nh_proto_msg *q, struct nh_proto_msg *a);

/* For the generated code: the reply @a into r->reply and the buffer; its
 * buffer length, or -NH_ERANGE (a handler's tail too long). */
long srv_encode(struct srv_req *r, const struct nh_proto_msg *a);

/* The same for a request and reply held in the register words alone
 * (no buffer, no tail, no grant): the words past @len must be zero.
 * srv_encode_regs gives 0, the reply's buffer length. */
long srv_decode_regs(struct srv_req *r, void *req, size_t len);
long srv_encode_regs(struct srv_req *r, const void *rep, size_t len);

/* Send @a as the answer to request @label on the saved reply @reply,
 * which is closed; 0 or -NH_E*. */
long srv_answer(struct srv *s, long reply, uint64_t label, const struct nh_proto_msg *a);

#endif
