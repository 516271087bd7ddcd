/*
 * The test server's protocol tests (USRT00NN_proto_*, _libserver_*): the
 * client stubs generated from servers/proto/echo.tbl against the echo
 * server (echo.c, on libserver), a deferred reply, and garbage sent to
 * the strict echo server, refused once here for every libserver server:
 * each error reply checked, and a good request answered after each.
 * The server runs in a clone of our space; its endpoint handle number
 * is written into its copy of child_ep before it starts.
 */
#include <stdint.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nhtest.h"
#include "nuthatch.h"
#include "parts.h"
#include <proto/echo.h>

#define PAGE		4096
#define SRV_RIGHTS	(NH_RIGHT_READ | NH_RIGHT_WRITE | NH_RIGHT_GRANT)

#define PASS(ok) ((ok) ? NH_TEST_PASS : NH_TEST_FAIL)

/* Our IPC buffer for the stubs (each clone has its own copy). */
static uint8_t cli_buf[PAGE] __attribute__((aligned(PAGE)));
static uint8_t back[PAGE];

/* A child's number for the endpoint it was given. */
static volatile long child_ep;

static void child_entry(long fn)
{
	((void (*)(long))fn)(child_ep);
}

/* A running child in a clone of our space: @fn(its number for @ep,
 * installed with @rights).  Its task handle, or -NH_E*. */
static long start(void (*fn)(long), long ep, uint32_t rights)
{
	struct nh_task_start st = { .pc = (uintptr_t)child_entry, .a0 = (uintptr_t)fn,
		.sp = (uintptr_t)child_stack + sizeof(child_stack),
		.tp = (uint64_t)tp_now(), .sched = { .cls = NH_SCHED_FAIR },
		.flags = NH_START_SUSPENDED, .name = "proto-child" };
	long sp = nh_space_clone(NH_SELF_SPACE), t, n = -NH_EINVAL;

	if (sp < 0)
		return sp;
	t = nh_task_create(sp, &st);
	if (t > 0)
		n = nh_handle_install(t, ep, rights);
	if (t > 0 && (n < 0 || nh_space_write(sp, (uintptr_t)&child_ep, &n, sizeof(n)) ||
		      nh_task_resume(t))) {
		nh_task_kill(t);
		nh_task_wait(t, 0);
		nh_handle_close(t);
		t = n < 0 ? n : -NH_EINVAL;
	}
	nh_handle_close(sp);
	return t;
}

/* Wait for @t to end; its exit code (-1000 if it did not end normally). */
static long reap_code(long t)
{
	struct nh_exit e = { 0 };
	long r = nh_task_wait(t, &e);

	nh_handle_close(t);
	return r || e.reason != NH_EXIT_NORMAL ? -1000 : e.code;
}

/* Stop the echo server @t on @ep: 1 if it exited 0. */
static int stop(long ep, long t)
{
	int ok = 1;

	EXPECT(echo_exit(ep) == 0);
	EXPECT(reap_code(t) == 0);
	return ok;
}

/* A typed request still answered right: 1 if so. */
static int good(long ep)
{
	int64_t total = 0;

	return echo_sum(ep, 10, 20, 30, 40, 50, -60, -70, &total) == 0 && total == 20;
}

/* ---- the stubs ------------------------------------------------------------ */

int proto_stubs_typed_round_trips(void)
{
	long ep = nh_endpoint_create(), b = 0, mo = nh_memobj_create(PAGE), t;
	uint64_t bad = 1, x1 = 0, y1 = 0, badge = 1, type = 0, rights = 0;
	struct nh_handle_info info = { 0 };
	int64_t total = 0, last = 1, got = 0;
	uint8_t data[100];
	size_t n = 200;
	int ok = 1;

	EXPECT(ep > 0 && mo > 0 && nh_proto_set_buffer(cli_buf) == 0);
	b = nh_endpoint_mint(ep, 0xbadbeef, NH_RIGHT_WRITE | NH_RIGHT_GRANT);
	t = start(echo_child, ep, SRV_RIGHTS);
	EXPECT(b > 0 && t > 0);
	if (ep <= 0 || t <= 0)
		return NH_TEST_FAIL;
	EXPECT(echo_sum(ep, 1, 2, 3, 4, 5, -6, -7, &total) == 0 && total == 2);
	EXPECT(echo_sum(ep, 1ull << 40, 0, 0, 0xffffffffu, 1, -1, 32767, &total) == 0 &&
	       total == (int64_t)((1ull << 40) + 0x100000000ull - 1 + 32767));
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = echo_pat(i, ECHO_MIRROR);
	EXPECT(echo_mirror(b, 200, 41, 42, data, sizeof(data), &bad, &x1, &y1, &badge,
			   back, &n) == 0);
	EXPECT(bad == 0 && x1 == 42 && y1 == ~42ull && badge == 0xbadbeef && n == 200);
	for (size_t i = 0, wrong = 0; i < n; i++)
		if (back[i] != echo_pat(i, ECHO_MIRROR + 1) && !wrong++)
			ok = expect(0, "the mirrored bytes");
	n = 10;		/* room for less than comes back */
	EXPECT(echo_mirror(ep, 200, 0, 0, data, 0, 0, 0, 0, 0, back, &n) == -NH_E2BIG);
	n = 0;
	EXPECT(echo_mirror(ep, 0, 0, 0, data, PAGE + 1, 0, 0, 0, 0, back, &n) == -NH_E2BIG);
	EXPECT(echo_rebuf(ep, &last) == 0 && last == 0);
	EXPECT(echo_handle_stat(ep, mo, NH_RIGHT_READ | NH_RIGHT_MAP, &info) == 0 &&
	       info.type == NH_OBJ_MEMOBJ && info.rights == (NH_RIGHT_READ | NH_RIGHT_MAP));
	EXPECT(echo_grant_info(ep, NH_IPC_GRANT(mo, NH_RIGHT_READ), &got, &type, &rights) == 0 &&
	       got > 0 && type == NH_OBJ_MEMOBJ && rights == NH_RIGHT_READ);
	EXPECT(echo_grant_info(ep, 0, &got, &type, &rights) == 0 && got == 0);
	EXPECT(stop(ep, t));
	EXPECT(nh_handle_close(b) == 0 && nh_handle_close(mo) == 0 && nh_handle_close(ep) == 0);
	return PASS(ok);
}

int proto_stub_reply_with_a_handle(void)
{
	long ep = nh_endpoint_create(), h = 0, t;
	struct nh_handle_info hi = { 0 };
	int ok = 1;

	EXPECT(ep > 0 && nh_proto_set_buffer(cli_buf) == 0);
	t = start(echo_child, ep, SRV_RIGHTS);
	EXPECT(t > 0);
	if (ep <= 0 || t <= 0)
		return NH_TEST_FAIL;
	EXPECT(echo_grant_back(ep, NH_RIGHT_WRITE, &h) == 0 && h > 0);
	EXPECT(h > 0 && nh_handle_info(h, &hi) == 0 && hi.type == NH_OBJ_ENDPOINT &&
	       hi.rights == NH_RIGHT_WRITE);
	EXPECT(h > 0 && good(h));		/* the same server through it */
	EXPECT(h > 0 && nh_handle_close(h) == 0);
	h = 0;
	EXPECT(echo_grant_back(ep, NH_RIGHT_MAP, &h) == -NH_EACCES && h == 0);	/* more than it holds */
	EXPECT(good(ep));
	EXPECT(stop(ep, t));
	EXPECT(nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* A lying server: answers each echo_hold(x, ...) with the reply shape @x
 * picks, until x is 0 (then a good reply and it exits 0). */
static void liar_child(long ep)
{
	struct nh_msg m;
	long r = nh_ipc_set_buffer(cli_buf) ?: nh_recv(ep, &m);	/* (its own copy) */

	while (r >= 0) {
		uint64_t x = m.w[0];
		long mo = x == 3 ? nh_memobj_create(PAGE) : 0;

		m = (struct nh_msg){ .tag = NH_IPC_TAG(NH_PROTO_REPLY(ECHO_HOLD), 0),
				     .w = { x + 1 } };
		if (x == 1)
			m.tag = NH_IPC_TAG(ECHO_HOLD, 0);	/* not a reply */
		else if (x == 2)
			m.tag = NH_IPC_TAG(NH_PROTO_REPLY(ECHO_HOLD), 8);	/* a buffer */
		else if (x == 3)
			m.grant = NH_IPC_GRANT(mo, NH_RIGHT_READ);	/* a handle */
		else if (x == 4 || x == 5)
			m = (struct nh_msg){ .tag = NH_IPC_TAG(NH_PROTO_ERROR, 0),
					     .w = { x == 4 ? (uint64_t)-NH_EPERM : 77 } };
		if (!x) {
			nh_reply(0, &m);
			nh_exit(0);
		}
		r = nh_reply_recv(ep, &m);
		if (mo > 0)
			nh_handle_close(mo);	/* the memory object lives on in the grant */
	}
	nh_exit(1);
}

int proto_regs_stub_refuses_bad_replies(void)
{
	long ep = nh_endpoint_create(), t;
	uint64_t x1 = 0;
	int ok = 1;

	EXPECT(ep > 0 && nh_proto_set_buffer(cli_buf) == 0);	/* (a reply's bytes land) */
	t = start(liar_child, ep, SRV_RIGHTS);
	EXPECT(t > 0);
	if (ep <= 0 || t <= 0)
		return NH_TEST_FAIL;
	EXPECT(echo_hold(ep, 1, 0, &x1) == -NH_EBADMSG && x1 == 0);
	EXPECT(echo_hold(ep, 2, 0, &x1) == -NH_EBADMSG && x1 == 0);
	/* the handle that came is closed (else the runner's leak check sees
	 * the memory object) */
	EXPECT(echo_hold(ep, 3, 0, &x1) == -NH_EBADMSG && x1 == 0);
	EXPECT(echo_hold(ep, 4, 0, &x1) == -NH_EPERM && x1 == 0);
	EXPECT(echo_hold(ep, 5, 0, &x1) == -NH_EBADMSG && x1 == 0);	/* not an error code */
	EXPECT(echo_hold(ep, 0, 0, &x1) == 0 && x1 == 1);
	EXPECT(reap_code(t) == 0);
	EXPECT(nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* ---- libserver ------------------------------------------------------------ */

/* Holds its reply: echo_hold(x 5, keep); exits with x1, or 200 + -error. */
static void hold_caller(long ep)
{
	uint64_t x1 = 0;
	long r = echo_hold(ep, 5, 1, &x1);

	nh_exit(r ? 200 + (int)-r : (int)x1);
}

int libserver_deferred_reply_answered_later(void)
{
	long ep = nh_endpoint_create(), t, c;
	struct nh_task_info info = { 0 };
	uint64_t x1 = 0;
	int ok = 1;

	EXPECT(ep > 0 && nh_proto_set_buffer(cli_buf) == 0);
	t = start(echo_child, ep, SRV_RIGHTS);
	c = start(hold_caller, ep, NH_RIGHT_WRITE);
	EXPECT(t > 0 && c > 0);
	if (ep <= 0 || t <= 0 || c <= 0)
		return NH_TEST_FAIL;
	EXPECT(wait_state(c, NH_TASK_SLEEPING));	/* in its call, ahead of ours */
	EXPECT(good(ep));				/* served meanwhile... */
	EXPECT(nh_task_info(c, &info) == 0 && info.state == NH_TASK_SLEEPING);	/* ...it waits */
	EXPECT(echo_hold(ep, 7, 0, &x1) == 0 && x1 == 8);	/* answers the held one first */
	EXPECT(reap_code(c) == 6);
	EXPECT(stop(ep, t));
	EXPECT(nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* A raw request: the error code of the error reply it got, 1 for any
 * other reply, or the call's own error. */
static long raw(long ep, uint64_t label, uint64_t len, uint64_t w0, uint64_t w2, uint64_t grant)
{
	struct nh_msg m = { .tag = NH_IPC_TAG(label, len), .w = { w0, 0, w2, 0 }, .grant = grant };
	long r = nh_call(ep, &m);

	if (r < 0)
		return r;
	if (NH_IPC_LABEL(m.tag) != NH_PROTO_ERROR || NH_IPC_LEN(m.tag) || m.grant ||
	    m.w[1] || m.w[2] || m.w[3])
		return 1;
	return (long)m.w[0];
}

/* raw() with word 1 set, for a request with a u32 in word 1. */
static long raw_w1(long ep, uint64_t label, uint64_t w0, uint64_t w1)
{
	struct nh_msg m = { .tag = NH_IPC_TAG(label, 0), .w = { w0, w1 } };
	long r = nh_call(ep, &m);

	if (r < 0)
		return r;
	if (NH_IPC_LABEL(m.tag) != NH_PROTO_ERROR)
		return 1;
	return (long)m.w[0];
}

int libserver_refuses_garbage_and_keeps_serving(void)
{
	long ep = nh_endpoint_create(), mo = nh_memobj_create(PAGE), stale = nh_memobj_create(PAGE);
	long ro = nh_handle_dup(mo, NH_RIGHT_READ), bb = 0, b5 = 0, t;
	struct nh_handle_info info;
	int ok = 1;

	EXPECT(ep > 0 && mo > 0 && stale > 0 && ro > 0 && nh_handle_close(stale) == 0);
	EXPECT(nh_proto_set_buffer(cli_buf) == 0);
	bb = nh_endpoint_mint(ep, ECHO_BAD_BADGE, NH_RIGHT_WRITE);
	b5 = nh_endpoint_mint(ep, 5, NH_RIGHT_WRITE);
	t = start(echo_strict_child, ep, SRV_RIGHTS);
	EXPECT(bb > 0 && b5 > 0 && t > 0);
	if (ep <= 0 || t <= 0)
		return NH_TEST_FAIL;
	EXPECT(good(ep));
	/* unknown opcodes */
	EXPECT(raw(ep, 5, 0, 0, 0, 0) == -NH_ENOSYS && good(ep));
	EXPECT(raw(ep, ECHO_BASE + ECHO_COUNT, 0, 0, 0, 0) == -NH_ENOSYS && good(ep));
	EXPECT(raw(ep, NH_IPC_LABEL_MAX, 16, 0, 0, 0) == -NH_ENOSYS && good(ep));
	/* short and oversized buffers, garbage past the arguments */
	EXPECT(raw(ep, ECHO_REBUF, 8, 0, 0, 0) == -NH_EBADMSG && good(ep));
	EXPECT(raw(ep, ECHO_SUM, 0, 0, 0, 0) == -NH_EBADMSG && good(ep));
	EXPECT(raw(ep, ECHO_SUM, 4, 0, 0, 0) == -NH_EBADMSG && good(ep));
	EXPECT(raw(ep, ECHO_SUM, 9, 0, 0, 0) == -NH_EBADMSG && good(ep));
	EXPECT(raw(ep, ECHO_HANDLE_STAT, PAGE, 0, 0, NH_IPC_GRANT(mo, NH_RIGHT_READ)) ==
	       -NH_EBADMSG && good(ep));
	EXPECT(raw(ep, ECHO_GRANT_BACK, 0, 1ull << 40, 0, 0) == -NH_EBADMSG && good(ep));
	EXPECT(raw(ep, ECHO_HOLD, 0, 1, 5, 0) == -NH_EBADMSG && good(ep));
	EXPECT(raw_w1(ep, ECHO_HOLD, 1, 1ull << 32) == -NH_EBADMSG && good(ep));	/* keep's high bytes */
	/* bad handles: none, stale, more rights than held, one not asked for */
	EXPECT(raw(ep, ECHO_HANDLE_STAT, 0, 0, 0, 0) == -NH_EBADF && good(ep));
	EXPECT(raw(ep, ECHO_HANDLE_STAT, 0, 0, 0, NH_IPC_GRANT(stale, NH_RIGHT_READ)) ==
	       -NH_EBADF && good(ep));
	EXPECT(echo_handle_stat(ep, stale, NH_RIGHT_READ, &info) == -NH_EBADF && good(ep));
	EXPECT(echo_handle_stat(ep, ro, NH_RIGHT_READ | NH_RIGHT_WRITE, &info) == -NH_EACCES);
	EXPECT(raw(ep, ECHO_REBUF, 0, 0, 0, NH_IPC_GRANT(mo, NH_RIGHT_READ)) == -NH_EBADMSG &&
	       good(ep));
	/* a sender the server does not know, then one it does */
	EXPECT(raw(bb, ECHO_SUM, 8, 0, 0, 0) == -NH_EACCES && !good(bb) && good(b5));
	/* and after all that, a handle still goes through */
	EXPECT(echo_handle_stat(ep, mo, NH_RIGHT_READ, &info) == 0 &&
	       info.type == NH_OBJ_MEMOBJ && info.rights == NH_RIGHT_READ);
	EXPECT(stop(ep, t));
	EXPECT(nh_handle_close(bb) == 0 && nh_handle_close(b5) == 0 && nh_handle_close(ro) == 0);
	EXPECT(nh_handle_close(mo) == 0 && nh_handle_close(ep) == 0);
	return PASS(ok);
}
