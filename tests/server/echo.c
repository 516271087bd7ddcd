/*
 * The test server's echo server, built on libserver with the dispatch
 * generated from servers/proto/echo.tbl: echo_child serves the table and
 * answers every other label with the raw echo (its fallback), as the IPC
 * tests (ipc.c) have always relied on; echo_strict_child serves the
 * table alone and refuses badge ECHO_BAD_BADGE, for the garbage tests
 * (proto.c).  Each runs in a clone of the test server's space, its
 * endpoint the argument, and exits 0 when asked to (ECHO_EXIT).
 */
#include <stdint.h>

#include <nuthatch/errno.h>

#include "nuthatch.h"
#include "parts.h"
#include <proto/echo_server.h>

#define PAGE	4096

/* The server's IPC buffer (each clone has its own copy). */
static uint8_t srv_buf[PAGE] __attribute__((aligned(PAGE)));

/* What the echo server keeps between requests. */
struct echo_state {
	long held;		/* a saved reply to ECHO_HOLD, or 0 */
	uint64_t held_x;	/* and its x */
};

uint8_t echo_pat(uint64_t i, uint64_t label)
{
	return (uint8_t)(i * 7 + label * 31 + (i >> 8) + 1);
}

/* The bytes of @data that are not echo_pat(i, @label). */
static uint64_t echo_mismatches(const uint8_t *data, size_t len, uint64_t label)
{
	uint64_t bad = 0;

	for (size_t i = 0; i < len; i++)
		bad += data[i] != echo_pat(i, label);
	return bad;
}

static void echo_fill(uint8_t *out, size_t n, uint64_t label)
{
	for (size_t i = 0; i < n; i++)
		out[i] = echo_pat(i, label);
}

/*
 * The raw echo, for labels outside the table: label + 1, w0 = the
 * buffer's mismatches against echo_pat(), w1 = its w1 + 1, w2 = ~its w2,
 * w3 = the badge it came with, and a buffer of w0 bytes (0 if more than
 * a page) echo_pat(i, label + 1).
 */
static long echo_raw(struct srv_req *r)
{
	const struct nh_msg *m = &r->msg;
	uint64_t label = NH_IPC_LABEL(m->tag), n = m->w[0] <= PAGE ? m->w[0] : 0;
	uint64_t bad = echo_mismatches(r->srv->buf, NH_IPC_LEN(m->tag), label);

	echo_fill(r->srv->buf, n, label + 1);
	r->reply = (struct nh_msg){ .tag = NH_IPC_TAG(label + 1, n),
		.w = { bad, m->w[1] + 1, ~m->w[2], m->badge } };
	return 0;
}

long echo_srv_exit(struct srv_req *r)
{
	srv_stop(r);
	return 0;
}

long echo_srv_nobuf(struct srv_req *r)
{
	(void)r;
	return nh_ipc_set_buffer(0);
}

long echo_srv_rebuf(struct srv_req *r, int64_t *last_err)
{
	*last_err = r->srv->last_recv_err;
	return nh_ipc_set_buffer(r->srv->buf);
}

long echo_srv_grant_info(struct srv_req *r, long g, int64_t *got, uint64_t *type,
			 uint64_t *rights)
{
	struct nh_handle_info hi = { 0 };

	(void)r;
	*got = g;
	if (g > 0 && nh_handle_info(g, &hi) == 0) {
		*type = hi.type;
		*rights = hi.rights;
	}
	if (g > 0)
		nh_handle_close(g);
	return 0;
}

long echo_srv_grant_back(struct srv_req *r, uint32_t rights, long *back, uint32_t *back_rights)
{
	*back = r->srv->ep;
	*back_rights = rights;
	return 0;
}

long echo_srv_die(struct srv_req *r)
{
	(void)r;
	nh_exit(7);
}

long echo_srv_save_die(struct srv_req *r)
{
	nh_exit(srv_defer(r) > 0 ? 8 : 9);
}

long echo_srv_mirror(struct srv_req *r, uint64_t want, uint64_t x, uint64_t y,
		     const void *data, size_t data_len, uint64_t *bad, uint64_t *x1,
		     uint64_t *y1, uint64_t *badge, void *back, size_t *back_len)
{
	size_t n = want <= *back_len ? want : 0;

	*bad = echo_mismatches(data, data_len, ECHO_MIRROR);	/* before back overwrites it */
	*x1 = x + 1;
	*y1 = ~y;
	*badge = r->msg.badge;
	echo_fill(back, n, ECHO_MIRROR + 1);
	*back_len = n;
	return 0;
}

long echo_srv_handle_stat(struct srv_req *r, long h, struct nh_handle_info *info)
{
	long err = nh_handle_info(h, info);

	(void)r;
	nh_handle_close(h);
	return err;
}

long echo_srv_sum(struct srv_req *r, uint64_t w0, uint64_t w1, uint64_t w2, uint32_t w3lo,
		  uint32_t w3hi, int32_t f, int16_t g, int64_t *total)
{
	(void)r;
	*total = (int64_t)(w0 + w1 + w2 + w3lo + w3hi) + f + g;
	return 0;
}

/* x + 1; with @keep the reply waits (saved) until the next hold, which
 * answers it first. */
long echo_srv_hold(struct srv_req *r, uint64_t x, uint32_t keep, uint64_t *x1)
{
	struct echo_state *st = r->srv->priv;
	long err;

	if (st->held) {
		err = echo_srv_hold_answer(r->srv, st->held, st->held_x + 1);
		st->held = 0;
		if (err)
			return err;
	}
	*x1 = x + 1;
	if (!keep)
		return 0;
	err = srv_defer(r);
	if (err < 0)
		return err;
	st->held = err;
	st->held_x = x;
	return 0;
}

/* Every sender but ECHO_BAD_BADGE. */
static void *echo_who(struct srv *s, uint64_t badge)
{
	return badge == ECHO_BAD_BADGE ? 0 : s;
}

/* Serve @ep; @strict: the table only, badges checked.  Exits 0 when
 * stopped, 100 + the error if serving failed. */
static void echo_serve(long ep, int strict)
{
	struct echo_state st = { 0 };
	struct srv s;
	long r = srv_init(&s, ep, srv_buf, &echo_proto);

	s.priv = &st;
	if (strict)
		s.who = echo_who;
	else
		s.fallback = echo_raw;
	if (r == 0)
		r = srv_run(&s);
	nh_exit(r == 0 ? 0 : 100 + (int)-r);
}

void echo_child(long ep)
{
	echo_serve(ep, 0);
}

void echo_strict_child(long ep)
{
	echo_serve(ep, 1);
}
