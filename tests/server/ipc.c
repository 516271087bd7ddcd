/*
 * The test server's IPC tests (USRT00NN_ipc_*): synchronous calls between
 * the server and children in copy-on-write clones of its space
 * (fork_like's pattern), checked from both sides.  A child gets its
 * endpoint as a handle installed while it is suspended, the number in
 * a0; it registers its own copy of ipc_buf as its IPC buffer.  Children
 * report through their exit codes.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "nhtest.h"
#include "nuthatch.h"
#include "parts.h"
#include <proto/echo.h>

#define PAGE		4096
#define FAULT_VA	0x3000000000ul	/* nothing is mapped there */

/* Each task's IPC buffer: the server's, and each clone's own copy. */
static uint8_t ipc_buf[PAGE] __attribute__((aligned(PAGE)));

/* Parameters for the next child (the clone copies them). */
static volatile long g_arg[4];

#define PASS(ok) ((ok) ? NH_TEST_PASS : NH_TEST_FAIL)

/* ---- helpers ------------------------------------------------------------ */

/* A suspended task in a fresh clone of our space running @fn; the clone's
 * space handle in *space if asked for. */
static long fork_keep(void (*fn)(long), long *space)
{
	struct nh_task_start st = { .pc = (uintptr_t)fn,
		.sp = (uintptr_t)child_stack + sizeof(child_stack),
		.tp = (uint64_t)tp_now(), .sched = { .cls = NH_SCHED_FAIR },
		.flags = NH_START_SUSPENDED, .name = "ipc-child" };
	long c = nh_space_clone(NH_SELF_SPACE), t;

	if (c < 0)
		return c;
	t = nh_task_create(c, &st);
	if (space && t > 0)
		*space = c;
	else
		nh_handle_close(c);
	return t;
}

static int harts_online;

/* Online harts: the hart masks a task may be pinned to. */
static int nharts(void)
{
	struct nh_sched p;
	long t;

	if (harts_online)
		return harts_online;
	t = fork_keep((void (*)(long))0x10000, 0);	/* never runs */
	if (t < 0 || nh_task_sched_get(t, &p))
		return 1;
	for (int i = 0; i < 64; i++) {
		p.allowed = 1ul << i;
		harts_online += nh_task_sched_set(t, &p) == 0;
	}
	nh_task_kill(t);
	nh_task_wait(t, 0);
	nh_handle_close(t);
	if (!harts_online)
		harts_online = 1;
	return harts_online;
}

/* Pin @t to hart @hart (mod the harts online); nothing on one hart. */
static void pin(long t, int hart)
{
	struct nh_sched p;
	int n = nharts();

	if (n < 2 || nh_task_sched_get(t, &p))
		return;
	p.allowed = 1ul << (hart % n);
	nh_task_sched_set(t, &p);
}

/*
 * A child running @fn(its number for @h), @h installed with @rights (or
 * fn(0) for h 0), pinned to @hart (< 0: anywhere), resumed if @run.
 * Its task handle, or < 0.
 */
static long child(void (*fn)(long), long h, uint32_t rights, int hart, int run,
		  long *space)
{
	long t = fork_keep(fn, space);
	struct nh_regs r;

	if (t < 0)
		return t;
	if (h) {
		long n = nh_handle_install(t, h, rights);

		if (n < 0 || nh_task_regs_get(t, &r)) {
			nh_task_kill(t);
			nh_task_wait(t, 0);
			nh_handle_close(t);
			return n < 0 ? n : -1;
		}
		r.x[10] = (uint64_t)n;
		nh_task_regs_set(t, &r);
	}
	if (hart >= 0)
		pin(t, hart);
	if (run)
		nh_task_resume(t);
	return t;
}

/* Wait for @t to end; its exit record; the handle closed. */
static struct nh_exit reap(long t)
{
	struct nh_exit e = { 0 };

	if (nh_task_wait(t, &e))
		e.reason = -1;
	nh_handle_close(t);
	return e;
}

/* ---- the echo child ------------------------------------------------------ */

/* echo_child (echo.c) serves servers/proto/echo.tbl, whose labels are the
 * ECHO_* here, and echoes every other label raw. */

/*
 * Call the echo child on @ep with @label and @len bytes, asking @want
 * back; 1 if everything came back right (our buffer: the reply's bytes,
 * then ours, then the 0xee we filled it with).
 */
static int echo(long ep, uint64_t label, uint64_t len, uint64_t want, uint64_t badge)
{
	struct nh_msg m = { .tag = NH_IPC_TAG(label, len),
		.w = { want, 0x1111 * label, 0x5555aaaa5555aaaaull ^ label, 0 } };
	long r;
	int ok = 1;

	memset(ipc_buf, 0xee, PAGE);
	for (uint64_t i = 0; i < len; i++)
		ipc_buf[i] = echo_pat(i, label);
	r = nh_call(ep, &m);
	EXPECT(r == (long)NH_IPC_TAG(label + 1, want));
	EXPECT(m.tag == NH_IPC_TAG(label + 1, want));
	EXPECT(m.w[0] == 0);	/* it saw our bytes */
	EXPECT(m.w[1] == 0x1111 * label + 1);
	EXPECT(m.w[2] == ~(0x5555aaaa5555aaaaull ^ label));
	EXPECT(m.w[3] == badge);
	EXPECT(m.grant == 0);
	for (uint64_t i = 0, bad = 0; i < PAGE; i++) {
		uint8_t x = i < want ? echo_pat(i, label + 1) : i < len ? echo_pat(i, label) : 0xee;

		if (ipc_buf[i] != x && !bad++)
			ok = expect(0, "the reply's bytes, then ours, then 0xee");
	}
	if (!ok)
		printf("# echo: label %lu, %lu bytes out, %lu back: %ld, w %lx %lx %lx %lx\n",
		       (unsigned long)label, (unsigned long)len, (unsigned long)want, r,
		       (unsigned long)m.w[0], (unsigned long)m.w[1], (unsigned long)m.w[2],
		       (unsigned long)m.w[3]);
	return ok;
}

/* Ask the echo child on @ep to exit; wait for it. */
static int echo_stop(long ep, long t)
{
	struct nh_msg m = { .tag = NH_IPC_TAG(ECHO_EXIT, 0) };
	struct nh_exit e;
	int ok = 1;

	EXPECT(nh_call(ep, &m) == (long)NH_IPC_TAG(ECHO_EXIT + 1, 0));
	e = reap(t);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 0);
	return ok;
}

/* ---- 1: payloads at every size limit ------------------------------------ */

int ipc_round_trips_at_size_limits(void)
{
	static const uint64_t sizes[] = { 0, 1, PAGE - 1, PAGE };
	struct nh_msg m;
	long ep = nh_endpoint_create(), t;
	int ok = 1;

	EXPECT(ep > 0 && nh_ipc_set_buffer(ipc_buf) == 0);
	t = child(echo_child, ep, NH_RIGHT_READ, 1, 1, 0);
	EXPECT(t > 0);
	if (ep <= 0 || t <= 0)
		return NH_TEST_FAIL;
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			EXPECT(echo(ep, 1 + 4 * i + j, sizes[i], sizes[j], 0));
	/* tags refused before anything moves */
	m = (struct nh_msg){ .tag = NH_IPC_TAG(1, PAGE + 1) };
	EXPECT(nh_call(ep, &m) == -NH_EINVAL);
	for (int b = 13; b < 16; b++) {
		m = (struct nh_msg){ .tag = NH_IPC_TAG(1, 0) | 1ull << b };
		EXPECT(nh_call(ep, &m) == -NH_EINVAL);
		EXPECT(nh_reply(0, &m) == -NH_EINVAL);
	}
	m = (struct nh_msg){ .tag = 1ull << 63 };	/* a label past NH_IPC_LABEL_MAX */
	EXPECT(nh_call(ep, &m) == -NH_EINVAL);
	EXPECT(echo(ep, 30, 0, 0, 0));	/* still serving */
	/* no IPC buffer of ours: nothing can be sent, or come back */
	EXPECT(nh_ipc_set_buffer(0) == 0);
	m = (struct nh_msg){ .tag = NH_IPC_TAG(1, 1) };
	EXPECT(nh_call(ep, &m) == -NH_EINVAL);
	EXPECT(nh_reply(0, &m) == -NH_EINVAL);
	EXPECT(echo(ep, 31, 0, 0, 0));
	m = (struct nh_msg){ .tag = NH_IPC_TAG(32, 0), .w = { 16 } };
	EXPECT(nh_call(ep, &m) == -NH_E2BIG);	/* its 16 bytes had nowhere to go */
	EXPECT(nh_ipc_set_buffer(ipc_buf) == 0);
	/* the receiver without one: its receive fails (E2BIG), the call's
	 * reply is dropped (EPIPE) */
	m = (struct nh_msg){ .tag = NH_IPC_TAG(ECHO_NOBUF, 0) };
	EXPECT(nh_call(ep, &m) == (long)NH_IPC_TAG(ECHO_NOBUF + 1, 0));
	m = (struct nh_msg){ .tag = NH_IPC_TAG(33, 8) };
	EXPECT(nh_call(ep, &m) == -NH_EPIPE);
	EXPECT(echo(ep, 34, 0, 0, 0));	/* no bytes: fine without one */
	m = (struct nh_msg){ .tag = NH_IPC_TAG(ECHO_REBUF, 0) };
	EXPECT(nh_call(ep, &m) == (long)NH_IPC_TAG(ECHO_REBUF + 1, 0) &&
	       m.w[0] == (uint64_t)-NH_E2BIG);
	EXPECT(echo(ep, 35, PAGE, PAGE, 0));
	EXPECT(echo_stop(ep, t));
	EXPECT(nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* ---- 2: badges ---------------------------------------------------------- */

int ipc_badges_cannot_be_forged(void)
{
	const uint64_t X = 0xfedcba9876543210ull;
	struct nh_handle_info hi = { 0 };
	long ep = nh_endpoint_create(), b, d, in, w, one, t;
	int ok = 1;

	EXPECT(ep > 0 && nh_ipc_set_buffer(ipc_buf) == 0);
	b = nh_endpoint_mint(ep, X, NH_RIGHT_WRITE | NH_RIGHT_GRANT);
	EXPECT(b > 0 && nh_handle_info(b, &hi) == 0 && hi.type == NH_OBJ_ENDPOINT &&
	       hi.rights == (NH_RIGHT_WRITE | NH_RIGHT_GRANT));
	EXPECT(nh_endpoint_mint(b, 0x1234, NH_RIGHT_WRITE) == -NH_EACCES);	/* never again */
	EXPECT(nh_endpoint_mint(b, X, NH_RIGHT_WRITE) == -NH_EACCES);
	EXPECT(nh_endpoint_mint(ep, 0, NH_RIGHT_WRITE) == -NH_EINVAL);
	w = nh_handle_dup(ep, NH_RIGHT_WRITE);
	EXPECT(w > 0 && nh_endpoint_mint(w, 5, NH_RIGHT_WRITE) == -NH_EACCES);	/* no GRANT */
	EXPECT(nh_endpoint_mint(ep, 5, NH_RIGHTS_ALL | 0x100) == -NH_EACCES);
	EXPECT(nh_endpoint_mint(b, 5, NH_RIGHT_READ) == -NH_EACCES);
	d = nh_handle_dup(b, NH_RIGHT_WRITE);
	in = nh_handle_install(NH_SELF_TASK, b, NH_RIGHT_WRITE);
	one = nh_endpoint_mint(ep, 1, NH_RIGHT_WRITE);
	EXPECT(d > 0 && in > 0 && one > 0);
	EXPECT(d > 0 && nh_endpoint_mint(d, 7, NH_RIGHT_WRITE) == -NH_EACCES);
	t = child(echo_child, ep, NH_RIGHT_READ, 1, 1, 0);
	EXPECT(t > 0);
	if (t > 0) {
		EXPECT(echo(ep, 1, 8, 8, 0));	/* unbadged: 0 */
		EXPECT(echo(w, 2, 0, 0, 0));
		EXPECT(echo(b, 3, 8, 8, X));
		EXPECT(echo(d, 4, 0, 0, X));	/* dup keeps it */
		EXPECT(echo(in, 5, 0, 0, X));	/* install keeps it */
		EXPECT(echo(one, 6, 0, 0, 1));
		EXPECT(echo_stop(ep, t));
	}
	EXPECT(nh_handle_close(b) == 0 && nh_handle_close(d) == 0 && nh_handle_close(in) == 0);
	EXPECT(nh_handle_close(one) == 0 && nh_handle_close(w) == 0 && nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* ---- 3: granted handles --------------------------------------------------- */

/* Grant @grant to the echo child: the value it saw in *got, the type and
 * rights of what arrived in *type, *rights. */
static int grant_to(long ep, uint64_t grant, long *got, uint64_t *type, uint64_t *rights)
{
	struct nh_msg m = { .tag = NH_IPC_TAG(ECHO_GRANT_INFO, 0), .grant = grant };
	int ok = 1;

	EXPECT(nh_call(ep, &m) == (long)NH_IPC_TAG(ECHO_GRANT_INFO + 1, 0));
	*got = (long)m.w[0];
	*type = m.w[1];
	*rights = m.w[2];
	return ok;
}

int ipc_grants_reduce_rights(void)
{
	long ep = nh_endpoint_create(), g = nh_endpoint_create(), mo = nh_memobj_create(PAGE);
	long rg = nh_handle_dup(g, NH_RIGHT_READ | NH_RIGHT_GRANT), r = nh_handle_dup(g, NH_RIGHT_READ);
	long stale = nh_handle_dup(g, NH_RIGHT_READ | NH_RIGHT_GRANT), t, got;
	struct nh_handle_info hi = { 0 };
	uint64_t type, rights;
	struct nh_msg m;
	int ok = 1;

	EXPECT(ep > 0 && g > 0 && mo > 0 && rg > 0 && r > 0 && stale > 0);
	EXPECT(nh_handle_close(stale) == 0);
	t = child(echo_child, ep, NH_RIGHT_READ | NH_RIGHT_GRANT, 1, 1, 0);
	EXPECT(t > 0);
	if (t <= 0)
		return NH_TEST_FAIL;
	EXPECT(grant_to(ep, NH_IPC_GRANT(g, NH_RIGHT_READ), &got, &type, &rights));
	EXPECT(got > 0 && type == NH_OBJ_ENDPOINT && rights == NH_RIGHT_READ);
	EXPECT(grant_to(ep, NH_IPC_GRANT(g, NH_RIGHT_WRITE | NH_RIGHT_GRANT), &got, &type, &rights));
	EXPECT(got > 0 && type == NH_OBJ_ENDPOINT && rights == (NH_RIGHT_WRITE | NH_RIGHT_GRANT));
	EXPECT(grant_to(ep, NH_IPC_GRANT(mo, NH_RIGHT_READ | NH_RIGHT_MAP), &got, &type, &rights));
	EXPECT(got > 0 && type == NH_OBJ_MEMOBJ && rights == (NH_RIGHT_READ | NH_RIGHT_MAP));
	EXPECT(grant_to(ep, NH_IPC_GRANT(rg, 0), &got, &type, &rights));
	EXPECT(got > 0 && type == NH_OBJ_ENDPOINT && rights == 0);
	/* the message arrives; the grant does not, and says why */
	EXPECT(grant_to(ep, NH_IPC_GRANT(rg, NH_RIGHT_READ | NH_RIGHT_WRITE), &got, &type, &rights));
	EXPECT(got == -NH_EACCES && type == 0);	/* more than held */
	EXPECT(grant_to(ep, NH_IPC_GRANT(r, NH_RIGHT_READ), &got, &type, &rights));
	EXPECT(got == -NH_EACCES && type == 0);	/* held without GRANT */
	EXPECT(grant_to(ep, NH_IPC_GRANT(g, 0x100), &got, &type, &rights));
	EXPECT(got == -NH_EACCES);		/* no such right */
	EXPECT(grant_to(ep, NH_IPC_GRANT(stale, NH_RIGHT_READ), &got, &type, &rights));
	EXPECT(got == -NH_EBADF);
	EXPECT(grant_to(ep, NH_IPC_GRANT(12345, NH_RIGHT_READ), &got, &type, &rights));
	EXPECT(got == -NH_EBADF);
	/* and in a reply: the child's endpoint handle carries READ | GRANT */
	m = (struct nh_msg){ .tag = NH_IPC_TAG(ECHO_GRANT_BACK, 0), .w = { NH_RIGHT_READ } };
	EXPECT(nh_call(ep, &m) == (long)NH_IPC_TAG(ECHO_GRANT_BACK + 1, 0));
	EXPECT((long)m.grant > 0 && nh_handle_info((long)m.grant, &hi) == 0 &&
	       hi.type == NH_OBJ_ENDPOINT && hi.rights == NH_RIGHT_READ);
	EXPECT((long)m.grant > 0 && nh_handle_close((long)m.grant) == 0);
	m = (struct nh_msg){ .tag = NH_IPC_TAG(ECHO_GRANT_BACK, 0),
		.w = { NH_RIGHT_READ | NH_RIGHT_WRITE } };
	EXPECT(nh_call(ep, &m) == (long)NH_IPC_TAG(ECHO_GRANT_BACK + 1, 0));
	EXPECT((long)m.grant == -NH_EACCES);	/* more than it holds */
	EXPECT(echo_stop(ep, t));
	EXPECT(nh_handle_close(ep) == 0 && nh_handle_close(g) == 0 && nh_handle_close(mo) == 0);
	EXPECT(nh_handle_close(rg) == 0 && nh_handle_close(r) == 0);
	return PASS(ok);
}

/* ---- 4: deferred replies -------------------------------------------------- */

/* Calls @ep once with label g_arg[0], w0 = g_arg[1]; exits with the
 * reply's w0 if its label is g_arg[0] + 100, the error, or 250. */
static void caller_child(long ep)
{
	struct nh_msg m = { .tag = NH_IPC_TAG(g_arg[0], 0), .w = { (uint64_t)g_arg[1] } };
	long r = nh_call(ep, &m);

	nh_exit(r < 0 ? (int)r : r == (long)NH_IPC_TAG(g_arg[0] + 100, 0) ? (int)m.w[0] : 250);
}

int ipc_deferred_replies_out_of_order(void)
{
	long ep = nh_endpoint_create(), t[3], h[3] = { 0 }, r;
	struct nh_handle_info hi = { 0 };
	struct nh_msg m, out;
	struct nh_exit e;
	int ok = 1;

	EXPECT(ep > 0);
	for (int i = 0; i < 3; i++) {
		g_arg[0] = i + 1;
		g_arg[1] = 11 * (i + 1);
		t[i] = child(caller_child, ep, NH_RIGHT_WRITE, i + 1, 1, 0);
		EXPECT(t[i] > 0);
	}
	out = (struct nh_msg){ .tag = NH_IPC_TAG(1, 0) };
	for (int k = 0; k < 3; k++) {
		uint64_t label;

		r = nh_recv(ep, &m);
		label = NH_IPC_LABEL(m.tag);
		EXPECT(r == (long)NH_IPC_TAG(label, 0) && label >= 1 && label <= 3 &&
		       m.w[0] == 11 * label);
		if (label < 1 || label > 3)
			break;
		EXPECT(h[label - 1] == 0);
		h[label - 1] = nh_ipc_reply_save();
		EXPECT(h[label - 1] > 0);
		EXPECT(nh_ipc_reply_save() == -NH_ENOENT);	/* no implicit reply left */
		EXPECT(nh_reply(0, &out) == -NH_ENOENT);
	}
	EXPECT(nh_handle_info(h[0], &hi) == 0 && hi.type == NH_OBJ_REPLY &&
	       hi.rights == (NH_RIGHT_WRITE | NH_RIGHT_GRANT));
	/* the second caller first */
	out = (struct nh_msg){ .tag = NH_IPC_TAG(102, 0), .w = { 2000 } };
	EXPECT(nh_reply(h[1], &out) == 0);
	EXPECT(nh_reply(h[1], &out) == -NH_EPIPE);	/* once */
	e = reap(t[1]);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 2000);
	out = (struct nh_msg){ .tag = NH_IPC_TAG(101, 0), .w = { 1000 } };
	EXPECT(nh_reply(h[0] | NH_IPC_REPLY_CLOSE, &out) == 0);	/* answered and closed */
	EXPECT(nh_handle_info(h[0], &hi) == -NH_EBADF);
	e = reap(t[0]);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 1000);
	/* a saved reply closed unanswered: its caller gets EPIPE */
	EXPECT(nh_handle_close(h[2]) == 0);
	e = reap(t[2]);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == -NH_EPIPE);
	EXPECT(nh_handle_close(h[0]) == -NH_EBADF && nh_handle_close(h[1]) == 0);
	EXPECT(nh_reply(h[0], &out) == -NH_EBADF);
	EXPECT(nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* ---- 5: the server dies; the last receiver goes -------------------------- */

static void close_child(long ep)
{
	nh_exit((int)nh_handle_close(ep));
}

int ipc_server_death_and_last_receiver(void)
{
	long ep = nh_endpoint_create(), s, w, c[2];
	struct nh_msg m;
	struct nh_exit e;
	int ok = 1;

	EXPECT(ep > 0);
	/* a server on another hart dies holding our call as its implicit
	 * reply, then one holding it as a saved reply handle */
	s = child(echo_child, ep, NH_RIGHT_READ, 1, 1, 0);
	m = (struct nh_msg){ .tag = NH_IPC_TAG(ECHO_DIE, 0) };
	EXPECT(s > 0 && nh_call(ep, &m) == -NH_EPIPE);
	e = reap(s);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 7);
	s = child(echo_child, ep, NH_RIGHT_READ, 1, 1, 0);
	m = (struct nh_msg){ .tag = NH_IPC_TAG(ECHO_SAVE_DIE, 0) };
	EXPECT(s > 0 && nh_call(ep, &m) == -NH_EPIPE);
	e = reap(s);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 8);
	/* the last receive handle closes with two callers queued */
	s = child(close_child, ep, NH_RIGHT_READ, 1, 0, 0);
	w = nh_handle_dup(ep, NH_RIGHT_WRITE);
	g_arg[0] = 1;
	g_arg[1] = 0;
	c[0] = child(caller_child, ep, NH_RIGHT_WRITE, 2, 1, 0);
	c[1] = child(caller_child, ep, NH_RIGHT_WRITE, 3, 1, 0);
	EXPECT(s > 0 && w > 0 && c[0] > 0 && c[1] > 0);
	EXPECT(nh_handle_close(ep) == 0);	/* s's is the only READ now */
	EXPECT(wait_state(c[0], NH_TASK_SLEEPING) && wait_state(c[1], NH_TASK_SLEEPING));
	EXPECT(nh_task_resume(s) == 0);
	e = reap(s);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 0);
	for (int i = 0; i < 2; i++) {
		e = reap(c[i]);
		EXPECT(e.reason == NH_EXIT_NORMAL && e.code == -NH_EPIPE);
	}
	m = (struct nh_msg){ .tag = NH_IPC_TAG(1, 0) };
	EXPECT(nh_call(w, &m) == -NH_EPIPE);	/* and later calls */
	EXPECT(nh_handle_close(w) == 0);
	return PASS(ok);
}

/* ---- 6: a storm ----------------------------------------------------------- */

#define STORM_CALLS	200

/* Caller g_arg[0] (also its badge): STORM_CALLS calls with 8 bytes;
 * exits with the number of wrong replies. */
static void storm_child(long ep)
{
	uint64_t id = (uint64_t)g_arg[0];
	volatile uint64_t *word = (volatile uint64_t *)ipc_buf;
	int bad = 0;

	nh_ipc_set_buffer(ipc_buf);
	for (uint64_t j = 0; j < STORM_CALLS; j++) {
		struct nh_msg m = { .tag = NH_IPC_TAG(id, 8), .w = { j, id, ~j, 0 } };
		long r;

		*word = j * 1000 + id;
		r = nh_call(ep, &m);
		bad += r != (long)NH_IPC_TAG(id + 100, 8) || m.w[0] != j * 3 + id ||
		       m.w[1] != id || m.w[2] != j || *word != (j ^ 0x5a5a5a5a);
	}
	nh_exit(bad);
}

int ipc_storm_of_callers(void)
{
	long ep = nh_endpoint_create(), t[4], r = 0;
	uint64_t count[5] = { 0 }, sum[5] = { 0 }, wrong = 0;
	volatile uint64_t *word = (volatile uint64_t *)ipc_buf;
	int ok = 1, n = 4;
	struct nh_msg m = { 0 };

	EXPECT(ep > 0 && nh_ipc_set_buffer(ipc_buf) == 0);
	for (int i = 0; i < n; i++) {
		long b = nh_endpoint_mint(ep, (uint64_t)i + 1, NH_RIGHT_WRITE | NH_RIGHT_GRANT);

		g_arg[0] = i + 1;
		t[i] = child(storm_child, b, NH_RIGHT_WRITE, i, 1, 0);
		EXPECT(b > 0 && t[i] > 0 && nh_handle_close(b) == 0);
	}
	r = nh_recv(ep, &m);
	for (int k = 0; k < n * STORM_CALLS && r >= 0; k++) {
		uint64_t id = NH_IPC_LABEL(m.tag), j = m.w[0];
		struct nh_msg out = { .tag = NH_IPC_TAG(id + 100, 8),
			.w = { j * 3 + id, id, j, 0 } };

		if (id < 1 || id > 4 || m.badge != id || NH_IPC_LEN(m.tag) != 8 ||
		    m.w[1] != id || m.w[2] != ~j || *word != j * 1000 + id || m.grant) {
			wrong++;
			id = 0;
		}
		count[id]++;
		sum[id] += j;
		*word = j ^ 0x5a5a5a5a;
		if (k == n * STORM_CALLS - 1)
			r = nh_reply(0, &out);
		else
			m = out, r = nh_reply_recv(ep, &m);	/* m: the next message */
	}
	EXPECT(r == 0);
	EXPECT(wrong == 0);
	for (int i = 0; i < n; i++) {
		struct nh_exit e = reap(t[i]);

		EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 0);
		EXPECT(count[i + 1] == STORM_CALLS);
		EXPECT(sum[i + 1] == STORM_CALLS * (STORM_CALLS - 1) / 2);
	}
	if (!ok)
		printf("# storm: %lu wrong, counts %lu %lu %lu %lu\n", (unsigned long)wrong,
		       (unsigned long)count[1], (unsigned long)count[2],
		       (unsigned long)count[3], (unsigned long)count[4]);
	EXPECT(nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* ---- 7, 8: fault and exit events ------------------------------------------ */

/* Loads from FAULT_VA (unmapped) and exits with what it read. */
static void fault_child(long arg)
{
	(void)arg;
	nh_exit((int)*(volatile long *)FAULT_VA);
}

static void exits_42(long arg)
{
	(void)arg;
	nh_exit(42);
}

/* A page of ours the kernel must COW-break (or fill) to copy into. */
static uint8_t cow_probe[PAGE] __attribute__((aligned(PAGE)));

/* Receive the fault of @t on @ep. */
static int got_fault(long ep, long t, uint64_t badge)
{
	struct nh_task_info info = { 0 };
	struct nh_msg m = { 0 };
	int ok = 1;

	EXPECT(nh_recv(ep, &m) == (long)NH_IPC_TAG(NH_IPC_FAULT, 0));
	EXPECT(m.w[0] == 13 && m.w[1] == FAULT_VA);	/* a load page fault there */
	EXPECT(m.w[2] >= (uintptr_t)fault_child && m.w[2] < (uintptr_t)fault_child + 64);
	EXPECT(nh_task_info(t, &info) == 0 && m.w[3] == info.id);
	EXPECT(m.badge == badge && m.grant == 0);
	/* it waits for our answer, and the kernel still resolves our own
	 * faults in system calls meanwhile (a copy into a COW page) */
	EXPECT(wait_state(t, NH_TASK_SLEEPING));
	EXPECT(nh_task_info(t, (struct nh_task_info *)(cow_probe + 64 * (info.id % 32))) == 0);
	return ok;
}

/* Receive the exit event of @t (id @id): @reason and @code, and the whole
 * record in our buffer equal to @e. */
static int got_exit(long ep, uint64_t id, uint64_t badge, const struct nh_exit *e)
{
	const struct nh_exit *rec = (const struct nh_exit *)ipc_buf;
	struct nh_msg m = { 0 };
	int ok = 1;

	memset(ipc_buf, 0xee, PAGE);
	EXPECT(nh_recv(ep, &m) == (long)NH_IPC_TAG(NH_IPC_EXIT, sizeof(struct nh_exit)));
	EXPECT(m.w[0] == (uint64_t)e->reason && m.w[1] == (uint64_t)e->code && m.w[2] == id);
	EXPECT(m.badge == badge && m.grant == 0);
	EXPECT(rec->reason == e->reason && rec->code == e->code && rec->cause == e->cause &&
	       rec->addr == e->addr && rec->pc == e->pc);
	EXPECT(ipc_buf[sizeof(struct nh_exit)] == 0xee);
	return ok;
}

/* A fault_child bound to @ep with @badge, running; its id in *id. */
static long faulting(long ep, uint64_t badge, long *space, uint64_t *id)
{
	struct nh_task_info info = { 0 };
	long t = child(fault_child, 0, 0, 1, 0, space);

	if (t < 0)
		return t;
	nh_task_info(t, &info);
	*id = info.id;
	if (nh_ipc_bind_events(t, ep, badge) || nh_task_resume(t)) {
		nh_task_kill(t);
		reap(t);
		return -1;
	}
	return t;
}

int ipc_fault_events_resume_regs_kill(void)
{
	long ep = nh_endpoint_create(), ep2, t, sp = 0;
	const long value = 77;
	struct nh_regs *regs = (struct nh_regs *)ipc_buf;
	struct nh_msg m;
	struct nh_exit e;
	uint64_t id = 0;
	int ok = 1;

	EXPECT(ep > 0 && nh_ipc_set_buffer(ipc_buf) == 0);
	/* (a) map a page there, write the value, resume */
	t = faulting(ep, 0xfa17, &sp, &id);
	EXPECT(t > 0);
	if (t <= 0)
		return NH_TEST_FAIL;
	EXPECT(got_fault(ep, t, 0xfa17));
	EXPECT(nh_map(sp, FAULT_VA, PAGE, NH_PROT_READ | NH_PROT_WRITE, NH_MAP_FIXED,
		      0, 0) == (long)FAULT_VA);
	EXPECT(nh_space_write(sp, FAULT_VA, &value, sizeof(value)) == 0);
	m = (struct nh_msg){ .tag = NH_IPC_TAG(NH_FAULT_RESUME, 0) };
	EXPECT(nh_reply(0, &m) == 0);
	EXPECT(nh_task_wait(t, &e) == 0 && e.reason == NH_EXIT_NORMAL && e.code == 77);
	EXPECT(got_exit(ep, id, 0xfa17, &e));
	reap(t);
	EXPECT(nh_handle_close(sp) == 0);
	/* (b) new registers: a function that exits 42 */
	t = faulting(ep, 0xb, 0, &id);
	EXPECT(t > 0 && got_fault(ep, t, 0xb));
	memset(regs, 0, sizeof(*regs));
	regs->x[0] = (uintptr_t)exits_42;
	regs->x[2] = (uintptr_t)child_stack + sizeof(child_stack);
	regs->x[4] = (uint64_t)tp_now();
	m = (struct nh_msg){ .tag = NH_IPC_TAG(NH_FAULT_SET_REGS, sizeof(*regs)) };
	EXPECT(nh_reply(0, &m) == 0);
	EXPECT(nh_task_wait(t, &e) == 0 && e.reason == NH_EXIT_NORMAL && e.code == 42);
	EXPECT(got_exit(ep, id, 0xb, &e));
	reap(t);
	/* (b') registers the kernel refuses: the reply fails, the fault ends it */
	t = faulting(ep, 0xb, 0, &id);
	EXPECT(t > 0 && got_fault(ep, t, 0xb));
	memset(regs, 0, sizeof(*regs));
	regs->x[0] = 0xffffffff80000000ul;
	m = (struct nh_msg){ .tag = NH_IPC_TAG(NH_FAULT_SET_REGS, sizeof(*regs)) };
	EXPECT(nh_reply(0, &m) == -NH_EINVAL);
	EXPECT(nh_task_wait(t, &e) == 0 && e.reason == NH_EXIT_FAULT && e.code == -NH_EFAULT &&
	       e.cause == 13 && e.addr == FAULT_VA);
	EXPECT(got_exit(ep, id, 0xb, &e));
	reap(t);
	/* (c) kill */
	t = faulting(ep, 0xc, 0, &id);
	EXPECT(t > 0 && got_fault(ep, t, 0xc));
	m = (struct nh_msg){ .tag = NH_IPC_TAG(NH_FAULT_KILL, 0) };
	EXPECT(nh_reply(0, &m) == 0);
	EXPECT(nh_task_wait(t, &e) == 0 && e.reason == NH_EXIT_FAULT && e.code == -NH_EFAULT &&
	       e.cause == 13 && e.addr == FAULT_VA);
	EXPECT(got_exit(ep, id, 0xc, &e));
	reap(t);
	/* (d) bound to an endpoint nobody can receive on: an ordinary fault */
	ep2 = nh_endpoint_create();
	t = child(fault_child, 0, 0, 1, 0, 0);
	EXPECT(ep2 > 0 && t > 0 && nh_ipc_bind_events(t, ep2, 1) == 0);
	EXPECT(nh_handle_close(ep2) == 0 && nh_task_resume(t) == 0);
	e = reap(t);
	EXPECT(e.reason == NH_EXIT_FAULT && e.cause == 13 && e.addr == FAULT_VA);
	EXPECT(nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* Exits with g_arg[0] after sleeping g_arg[1] ns. */
static void exit_child(long arg)
{
	(void)arg;
	if (g_arg[1])
		nh_sleep_ns((uint64_t)g_arg[1]);
	nh_exit((int)g_arg[0]);
}

static void sleep_child(long arg)
{
	(void)arg;
	for (;;)
		nh_sleep_ns(1000000);
}

/* A suspended child running @fn bound to @ep with @badge; its id. */
static long bound(void (*fn)(long), long ep, uint64_t badge, uint64_t *id)
{
	struct nh_task_info info = { 0 };
	long t = child(fn, 0, 0, 1, 0, 0);

	if (t > 0 && (nh_task_info(t, &info) || nh_ipc_bind_events(t, ep, badge))) {
		nh_task_kill(t);
		reap(t);
		return -1;
	}
	*id = info.id;
	return t;
}

int ipc_exit_events_carry_the_record(void)
{
	long ep = nh_endpoint_create(), t, t2;
	struct nh_exit e;
	uint64_t id = 0, id2 = 0;
	int ok = 1;

	EXPECT(ep > 0 && nh_ipc_set_buffer(ipc_buf) == 0);
	/* queued before anyone receives */
	g_arg[0] = 5;
	g_arg[1] = 0;
	t = bound(exit_child, ep, 0xe1e1, &id);
	EXPECT(t > 0 && nh_task_resume(t) == 0);
	EXPECT(nh_task_wait(t, &e) == 0 && e.reason == NH_EXIT_NORMAL && e.code == 5);
	EXPECT(got_exit(ep, id, 0xe1e1, &e));
	reap(t);
	/* handed to a waiting receiver (badge 0) */
	g_arg[0] = 6;
	g_arg[1] = 20000000;
	t = bound(exit_child, ep, 0, &id);
	EXPECT(t > 0 && nh_task_resume(t) == 0);
	e = (struct nh_exit){ .reason = NH_EXIT_NORMAL, .code = 6 };
	EXPECT(got_exit(ep, id, 0, &e));
	e = reap(t);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 6);
	/* killed */
	t = bound(sleep_child, ep, 3, &id);
	EXPECT(t > 0 && nh_task_resume(t) == 0 && nh_task_kill(t) == 0);
	EXPECT(nh_task_wait(t, &e) == 0 && e.reason == NH_EXIT_KILLED && e.code == -NH_EINTR);
	EXPECT(got_exit(ep, id, 3, &e));
	reap(t);
	/* unbound before it ends: no event; the next bound one's comes */
	g_arg[0] = 9;
	g_arg[1] = 0;
	t = bound(exit_child, ep, 1, &id);
	EXPECT(t > 0 && nh_ipc_bind_events(t, 0, 0) == 0 && nh_task_resume(t) == 0);
	e = reap(t);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 9);
	g_arg[0] = 10;
	t2 = bound(exit_child, ep, 2, &id2);
	EXPECT(t2 > 0 && nh_task_resume(t2) == 0);
	EXPECT(nh_task_wait(t2, &e) == 0 && e.code == 10);
	EXPECT(got_exit(ep, id2, 2, &e));
	reap(t2);
	/* an event nobody received goes with its endpoint */
	g_arg[0] = 11;
	t = bound(exit_child, ep, 4, &id);
	EXPECT(t > 0 && nh_task_resume(t) == 0);
	e = reap(t);
	EXPECT(e.code == 11);
	EXPECT(nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* ---- 9: suspend, resume, kill in the middle ------------------------------- */

/* Calls label 7 (w0 123), then label 8 with the first reply's w0; exits
 * with the second reply's w0 (100, 101: a wrong reply). */
static void twice_child(long ep)
{
	struct nh_msg m = { .tag = NH_IPC_TAG(7, 0), .w = { 123 } };

	if (nh_call(ep, &m) != (long)NH_IPC_TAG(70, 0))
		nh_exit(100);
	m = (struct nh_msg){ .tag = NH_IPC_TAG(8, 0), .w = { m.w[0] } };
	nh_exit(nh_call(ep, &m) == (long)NH_IPC_TAG(80, 0) ? (int)m.w[0] : 101);
}

/* Serve the second call of a twice_child @t (the first answered). */
static int second_call(long ep, long t)
{
	struct nh_msg m = { 0 };
	struct nh_exit e;
	int ok = 1;

	EXPECT(nh_recv(ep, &m) == (long)NH_IPC_TAG(8, 0));	/* not 7 again */
	EXPECT(m.w[0] == 124);
	m = (struct nh_msg){ .tag = NH_IPC_TAG(80, 0), .w = { 125 } };
	EXPECT(nh_reply(0, &m) == 0);
	e = reap(t);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 125);
	return ok;
}

int ipc_abort_and_restart(void)
{
	long ep = nh_endpoint_create(), t;
	struct nh_task_info info;
	struct nh_msg m, first = { .tag = NH_IPC_TAG(70, 0), .w = { 124 } };
	struct nh_exit e;
	int ok = 1;

	EXPECT(ep > 0 && nh_ipc_set_buffer(ipc_buf) == 0);
	/* a receiver stopped and resumed still receives */
	t = child(echo_child, ep, NH_RIGHT_READ, 1, 1, 0);
	EXPECT(t > 0 && wait_state(t, NH_TASK_SLEEPING));
	EXPECT(nh_task_suspend(t) == 0);
	EXPECT(nh_task_info(t, &info) == 0 && info.state == NH_TASK_STOPPED);
	EXPECT(nh_task_resume(t) == 0);
	EXPECT(echo(ep, 3, 100, 200, 0));
	EXPECT(echo_stop(ep, t));
	/* a call taken, its caller stopped and resumed, then answered; then
	 * answered while it is stopped */
	for (int answer_stopped = 0; answer_stopped < 2; answer_stopped++) {
		t = child(twice_child, ep, NH_RIGHT_WRITE, 1, 1, 0);
		EXPECT(t > 0 && nh_recv(ep, &m) == (long)NH_IPC_TAG(7, 0) && m.w[0] == 123);
		EXPECT(wait_state(t, NH_TASK_SLEEPING));
		EXPECT(nh_task_suspend(t) == 0);
		EXPECT(nh_task_info(t, &info) == 0 && info.state == NH_TASK_STOPPED);
		if (answer_stopped)
			EXPECT(nh_reply(0, &first) == 0);
		EXPECT(nh_task_resume(t) == 0);
		if (!answer_stopped) {
			EXPECT(wait_state(t, NH_TASK_SLEEPING));
			EXPECT(nh_reply(0, &first) == 0);
		}
		EXPECT(second_call(ep, t));
	}
	/* a call still queued, its caller stopped and resumed: sent once */
	t = child(twice_child, ep, NH_RIGHT_WRITE, 1, 1, 0);
	EXPECT(t > 0 && wait_state(t, NH_TASK_SLEEPING));
	EXPECT(nh_task_suspend(t) == 0 && nh_task_resume(t) == 0);
	EXPECT(nh_recv(ep, &m) == (long)NH_IPC_TAG(7, 0) && m.w[0] == 123);
	EXPECT(nh_reply(0, &first) == 0);
	EXPECT(second_call(ep, t));
	/* killed in a call we took: our answer finds nobody */
	t = child(twice_child, ep, NH_RIGHT_WRITE, 1, 1, 0);
	EXPECT(t > 0 && nh_recv(ep, &m) == (long)NH_IPC_TAG(7, 0));
	EXPECT(wait_state(t, NH_TASK_SLEEPING) && nh_task_kill(t) == 0);
	e = reap(t);
	EXPECT(e.reason == NH_EXIT_KILLED);
	EXPECT(nh_reply(0, &first) == -NH_EPIPE);
	EXPECT(nh_reply(0, &first) == -NH_ENOENT);	/* used up */
	/* killed while queued: the next caller's message is the next one */
	t = child(twice_child, ep, NH_RIGHT_WRITE, 1, 1, 0);
	EXPECT(t > 0 && wait_state(t, NH_TASK_SLEEPING) && nh_task_kill(t) == 0);
	e = reap(t);
	EXPECT(e.reason == NH_EXIT_KILLED);
	g_arg[0] = 9;
	g_arg[1] = 99;
	t = child(caller_child, ep, NH_RIGHT_WRITE, 1, 1, 0);
	EXPECT(t > 0 && nh_recv(ep, &m) == (long)NH_IPC_TAG(9, 0) && m.w[0] == 99);
	m = (struct nh_msg){ .tag = NH_IPC_TAG(109, 0), .w = { 5 } };
	EXPECT(nh_reply(0, &m) == 0);
	e = reap(t);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 5);
	EXPECT(nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* ---- 10: garbage ----------------------------------------------------------- */

int ipc_garbage_refused(void)
{
	long ep = nh_endpoint_create(), stale = nh_endpoint_create(), sp = nh_space_create();
	long w = nh_handle_dup(ep, NH_RIGHT_WRITE), r = nh_handle_dup(ep, NH_RIGHT_READ);
	long t = child(exits_42, 0, 0, -1, 0, 0), tr = 0, task = nh_handle_dup(NH_SELF_TASK, NH_RIGHTS_ALL);
	struct nh_msg m = { .tag = NH_IPC_TAG(1, 0) };
	struct nh_exit e;
	int ok = 1;

	EXPECT(ep > 0 && stale > 0 && sp > 0 && w > 0 && r > 0 && t > 0 && task > 0);
	EXPECT(nh_handle_close(stale) == 0);
	EXPECT(nh_call(12345, &m) == -NH_EBADF && nh_recv(12345, &m) == -NH_EBADF);
	EXPECT(nh_call(0, &m) == -NH_EBADF && nh_recv(-1, &m) == -NH_EBADF);
	EXPECT(nh_call(stale, &m) == -NH_EBADF && nh_recv(stale, &m) == -NH_EBADF);
	EXPECT(nh_call(sp, &m) == -NH_EBADF && nh_recv(sp, &m) == -NH_EBADF);	/* a space */
	EXPECT(nh_call(NH_SELF_SPACE, &m) == -NH_EBADF && nh_recv(NH_SELF_TASK, &m) == -NH_EBADF);
	EXPECT(nh_reply_recv(stale, &m) == -NH_EBADF);
	EXPECT(nh_call(r, &m) == -NH_EACCES);	/* calling needs WRITE */
	EXPECT(nh_recv(w, &m) == -NH_EACCES);	/* receiving needs READ */
	EXPECT(nh_reply(12345, &m) == -NH_EBADF);
	EXPECT(nh_reply(ep, &m) == -NH_EBADF);	/* not a reply */
	EXPECT(nh_reply(0, &m) == -NH_ENOENT && nh_ipc_reply_save() == -NH_ENOENT);
	EXPECT(nh_endpoint_mint(12345, 1, NH_RIGHT_WRITE) == -NH_EBADF);
	EXPECT(nh_endpoint_mint(stale, 1, NH_RIGHT_WRITE) == -NH_EBADF);
	EXPECT(nh_endpoint_mint(task, 1, NH_RIGHT_READ) == -NH_EBADF);	/* not an endpoint */
	EXPECT(nh_endpoint_mint(sp, 1, NH_RIGHT_READ) == -NH_EBADF);
	EXPECT(nh_ipc_set_buffer(ipc_buf + 8) == -NH_EINVAL);
	EXPECT(nh_ipc_set_buffer(ipc_buf + 2048) == -NH_EINVAL);
	EXPECT(nh_ipc_set_buffer((void *)0xffffffc000000000ul) == -NH_EINVAL);
	EXPECT(nh_ipc_set_buffer((void *)0xfffffffffffff000ul) == -NH_EINVAL);
	EXPECT(nh_ipc_set_buffer(ipc_buf) == 0);
	tr = nh_handle_dup(t, NH_RIGHT_READ | NH_RIGHT_GRANT);
	EXPECT(tr > 0 && nh_ipc_bind_events(tr, ep, 1) == -NH_EACCES);	/* no CONTROL */
	EXPECT(nh_ipc_bind_events(t, r, 1) == -NH_EACCES);	/* events need WRITE */
	EXPECT(nh_ipc_bind_events(t, stale, 1) == -NH_EBADF);
	EXPECT(nh_ipc_bind_events(t, sp, 1) == -NH_EBADF);
	EXPECT(nh_ipc_bind_events(ep, ep, 1) == -NH_EBADF);	/* not a task */
	EXPECT(nh_ipc_bind_events(t, w, 1) == 0 && nh_ipc_bind_events(t, 0, 0) == 0);
	EXPECT(nh_task_resume(t) == 0 && nh_task_wait(t, &e) == 0 && e.code == 42);
	EXPECT(nh_ipc_bind_events(t, w, 1) == -NH_ESRCH);	/* dead */
	EXPECT(nh_handle_close(t) == 0 && nh_handle_close(tr) == 0 && nh_handle_close(task) == 0);
	EXPECT(nh_handle_close(ep) == 0 && nh_handle_close(sp) == 0);
	EXPECT(nh_handle_close(w) == 0 && nh_handle_close(r) == 0);
	return PASS(ok);
}

/* ---- 11: new registers abandon a call waiting to restart --------------- */

/* Calls a0 once; exits with 1000 + the call's result if it returns. */
static void one_call(long ep)
{
	struct nh_msg m = { .tag = NH_IPC_TAG(5, 0) };

	nh_exit(1000 + (int)nh_call(ep, &m));
}

/* Calls a0 with label 7 (a tracer's new start); exits 1000 + the result. */
static void another_call(long ep)
{
	struct nh_msg m = { .tag = NH_IPC_TAG(7, 0) };

	nh_exit(1000 + (int)NH_IPC_LABEL((uint64_t)nh_call(ep, &m)));
}

int ipc_new_registers_abandon_a_waiting_call(void)
{
	long ep = nh_endpoint_create(), t;
	struct nh_msg m = { 0 };
	struct nh_regs r;
	struct nh_exit e;
	int ok = 1;

	EXPECT(ep > 0);
	t = child(one_call, ep, NH_RIGHT_WRITE, -1, 1, 0);
	EXPECT(t > 0);
	EXPECT(nh_recv(ep, &m) == (long)NH_IPC_TAG(5, 0));	/* its call is ours */
	EXPECT(wait_state(t, NH_TASK_SLEEPING));
	EXPECT(nh_task_suspend(t) == 0);		/* its wait would restart */
	EXPECT(nh_task_regs_get(t, &r) == 0);		/* a0: its endpoint */
	r.x[0] = (uintptr_t)another_call;		/* a different call instead */
	r.x[2] = (uintptr_t)child_stack + sizeof(child_stack);
	EXPECT(nh_task_regs_set(t, &r) == 0 && nh_task_resume(t) == 0);
	m.tag = NH_IPC_TAG(6, 0);
	EXPECT(nh_reply(0, &m) == -NH_EPIPE);	/* the first call is abandoned */
	EXPECT(nh_recv(ep, &m) == (long)NH_IPC_TAG(7, 0));	/* the new one came */
	m.tag = NH_IPC_TAG(8, 0);
	EXPECT(nh_reply(0, &m) == 0);
	e = reap(t);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 1008);
	EXPECT(nh_handle_close(ep) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* ---- 12: the fast path ------------------------------------------------------ */

#define FAST_CALLS	300

/* fs0-fs11 as bit patterns: the caller's and the receiver's. */
static const uint64_t fp_mine[12] = {
	0x3ff8000000000000, 0xc002000000000000, 0x4009000000000000, 0x7ff0000000000000,
	0x0000000000000001, 0x8000000000000000, 0x3fd5555555555555, 0x4059000000000000,
	0xbff0000000000000, 0x1234567890abcdef, 0x7fefffffffffffff, 0x0010000000000000,
};
static const uint64_t fp_theirs[12] = {
	0x4000000000000000, 0x4010000000000000, 0x4020000000000000, 0x4030000000000000,
	0x4040000000000000, 0x4050000000000000, 0x4060000000000000, 0x4070000000000000,
	0x4080000000000000, 0x4090000000000000, 0x40a0000000000000, 0x40b0000000000000,
};

/* Load / store fs0-fs11 (the compiler keeps no values of its own there:
 * nothing between uses FP).  Inlined: as a function of its own, fp_load
 * would restore the callee-saved registers it clobbers on return. */
static inline __attribute__((always_inline)) void fp_load(const uint64_t v[12])
{
	__asm__ volatile("fld fs0, 0(%0)\n fld fs1, 8(%0)\n fld fs2, 16(%0)\n"
			 "fld fs3, 24(%0)\n fld fs4, 32(%0)\n fld fs5, 40(%0)\n"
			 "fld fs6, 48(%0)\n fld fs7, 56(%0)\n fld fs8, 64(%0)\n"
			 "fld fs9, 72(%0)\n fld fs10, 80(%0)\n fld fs11, 88(%0)"
			 :: "r"(v) : "fs0", "fs1", "fs2", "fs3", "fs4", "fs5", "fs6",
			 "fs7", "fs8", "fs9", "fs10", "fs11");
}

static inline __attribute__((always_inline)) void fp_store(uint64_t v[12])
{
	__asm__ volatile("fsd fs0, 0(%0)\n fsd fs1, 8(%0)\n fsd fs2, 16(%0)\n"
			 "fsd fs3, 24(%0)\n fsd fs4, 32(%0)\n fsd fs5, 40(%0)\n"
			 "fsd fs6, 48(%0)\n fsd fs7, 56(%0)\n fsd fs8, 64(%0)\n"
			 "fsd fs9, 72(%0)\n fsd fs10, 80(%0)\n fsd fs11, 88(%0)"
			 :: "r"(v) : "memory");
}

/*
 * Answers register-only calls on @ep with label + 1, w0 + 1, w1 and w2
 * as they came and the badge in w3, changing an FP temporary each time
 * while fs0-fs11 hold fp_theirs; at ECHO_EXIT, answers and exits with the
 * number of those registers that changed.
 */
static void fp_echo_child(long ep)
{
	struct nh_msg m = { 0 };
	uint64_t got[12];
	long r;
	int bad = 0;

	nh_ipc_set_buffer(ipc_buf);
	fp_load(fp_theirs);
	r = nh_recv(ep, &m);
	while (r >= 0 && NH_IPC_LABEL(m.tag) != ECHO_EXIT) {
		__asm__ volatile("fadd.d ft0, fs0, fs1" ::: "ft0");	/* FP dirty */
		m = (struct nh_msg){ .tag = NH_IPC_TAG(NH_IPC_LABEL(m.tag) + 1, 0),
			.w = { m.w[0] + 1, m.w[1], m.w[2], m.badge } };
		if ((long)m.grant > 0)
			nh_handle_close((long)m.grant);
		r = nh_reply_recv(ep, &m);
	}
	fp_store(got);
	for (int i = 0; i < 12; i++)
		bad += got[i] != fp_theirs[i];
	m = (struct nh_msg){ .tag = NH_IPC_TAG(ECHO_EXIT + 1, 0) };
	nh_reply(0, &m);
	nh_exit(r < 0 ? 100 : bad);
}

/* @n register-only calls on @ep, every word checked; the wrong ones. */
static int fast_calls(long ep, int n, uint64_t badge)
{
	int bad = 0;

	for (int i = 0; i < n; i++) {
		struct nh_msg m = { .tag = NH_IPC_TAG(1, 0),
			.w = { (uint64_t)i, 0x1234, ~(uint64_t)i, 0 } };
		long r = nh_call(ep, &m);

		bad += r != (long)NH_IPC_TAG(2, 0) || m.tag != NH_IPC_TAG(2, 0) ||
		       m.w[0] != (uint64_t)i + 1 || m.w[1] != 0x1234 ||
		       m.w[2] != ~(uint64_t)i || m.w[3] != badge || m.grant;
	}
	return bad;
}

/* Pin ourselves to the first hart (where child(..., 0, ...) puts a
 * child: the fast path's case), our parameters before in *was; 1 if so. */
static int pin_self_first(struct nh_sched *was)
{
	struct nh_sched p;

	if (nh_task_sched_get(NH_SELF_TASK, was))
		return 0;
	p = *was;
	p.allowed = 1;
	return nh_task_sched_set(NH_SELF_TASK, &p) == 0;
}

/*
 * Caller and receiver on one hart, registers only: after the first round
 * trip each call and reply-receive is a direct switch (the kernel's count
 * of them shows it), the words and badge arrive whole, and both sides'
 * FP registers (loaded lazily) survive.  A buffer or a grant is never
 * taken the fast way, and still arrives.
 */
int ipc_fast_path_keeps_registers(void)
{
	long ep = nh_endpoint_create(), b = 0, t = 0;
	struct nh_counters c0, c1;
	struct nh_sched was;
	uint64_t got[12];
	int ok = 1, bad;

	EXPECT(ep > 0 && pin_self_first(&was));
	b = nh_endpoint_mint(ep, 77, NH_RIGHT_WRITE);
	t = child(fp_echo_child, ep, NH_RIGHT_READ, 0, 1, 0);
	EXPECT(b > 0 && t > 0);
	if (ep <= 0 || b <= 0 || t <= 0)
		return NH_TEST_FAIL;
	EXPECT(fast_calls(b, 1, 77) == 0);	/* the child waits now */
	EXPECT(nh_test_counters(&c0) == 0);
	fp_load(fp_mine);
	bad = fast_calls(b, FAST_CALLS, 77);
	fp_store(got);
	EXPECT(nh_test_counters(&c1) == 0);
	EXPECT(bad == 0);
	EXPECT(memcmp(got, fp_mine, sizeof(got)) == 0);
	EXPECT(c1.ipc_fast - c0.ipc_fast >= 2 * FAST_CALLS - 8);
	if (!ok)
		printf("# fast path: %d wrong, %lu direct switches for %d round trips\n",
		       bad, (unsigned long)(c1.ipc_fast - c0.ipc_fast), FAST_CALLS);
	/* the slow way still works between fast ones: a buffer, then a grant */
	memset(ipc_buf, 0x5a, 16);
	EXPECT(nh_ipc_set_buffer(ipc_buf) == 0);
	{
		struct nh_msg m = { .tag = NH_IPC_TAG(1, 16), .w = { 5, 0x1234, ~5ull, 0 } };

		EXPECT(nh_call(b, &m) == (long)NH_IPC_TAG(2, 0) && m.w[0] == 6 && m.w[3] == 77);
		m = (struct nh_msg){ .tag = NH_IPC_TAG(1, 0), .w = { 9, 0x1234, ~9ull, 0 },
				     .grant = NH_IPC_GRANT(ep, NH_RIGHT_WRITE) };
		EXPECT(nh_call(b, &m) == (long)NH_IPC_TAG(2, 0) && m.w[0] == 10);
	}
	EXPECT(fast_calls(b, 10, 77) == 0);
	{
		struct nh_msg m = { .tag = NH_IPC_TAG(ECHO_EXIT, 0) };
		struct nh_exit e;

		EXPECT(nh_call(b, &m) == (long)NH_IPC_TAG(ECHO_EXIT + 1, 0));
		e = reap(t);
		EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 0);
		if (e.code)
			printf("# fp echo child: exit %ld\n", (long)e.code);
	}
	EXPECT(nh_task_sched_set(NH_SELF_TASK, &was) == 0);
	EXPECT(nh_handle_close(b) == 0 && nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* ---- 13: blocked tasks move between harts ------------------------------------ */

#define MOVE_ROUNDS	8

/* Calls @ep MOVE_ROUNDS times (w0 = the round, expecting it + 1 back)
 * with fp_theirs in fs0-fs11; exits with the wrong replies plus the FP
 * registers that changed. */
static void fp_caller_child(long ep)
{
	uint64_t got[12];
	int bad = 0;

	fp_load(fp_theirs);
	for (uint64_t i = 0; i < MOVE_ROUNDS; i++) {
		struct nh_msg m = { .tag = NH_IPC_TAG(3, 0), .w = { i, 0, 0, 0 } };

		bad += nh_call(ep, &m) != (long)NH_IPC_TAG(4, 0) || m.w[0] != i + 1;
	}
	fp_store(got);
	for (int i = 0; i < 12; i++)
		bad += got[i] != fp_theirs[i];
	nh_exit(bad);
}

/*
 * A task asleep with an IPC continuation may move to another hart and
 * resume there: a receiver moved between calls, and a caller moved while
 * it waits for its reply, each keeping its registers and FP state.
 */
int ipc_blocked_tasks_move_harts(void)
{
	long ep = nh_endpoint_create(), t;
	struct nh_msg m = { 0 };
	struct nh_exit e;
	int ok = 1;

	EXPECT(ep > 0);
	t = child(fp_echo_child, ep, NH_RIGHT_READ, 0, 1, 0);
	EXPECT(t > 0);
	if (ep <= 0 || t <= 0)
		return NH_TEST_FAIL;
	EXPECT(fast_calls(ep, 1, 0) == 0);
	for (int round = 1; round <= MOVE_ROUNDS; round++) {
		EXPECT(wait_state(t, NH_TASK_SLEEPING));	/* in its receive */
		pin(t, round);
		EXPECT(fast_calls(ep, 20, 0) == 0);
	}
	m.tag = NH_IPC_TAG(ECHO_EXIT, 0);
	EXPECT(nh_call(ep, &m) == (long)NH_IPC_TAG(ECHO_EXIT + 1, 0));
	e = reap(t);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 0);

	t = child(fp_caller_child, ep, NH_RIGHT_WRITE, 0, 1, 0);
	EXPECT(t > 0);
	for (int round = 0; t > 0 && round < MOVE_ROUNDS; round++) {
		long r = nh_recv(ep, &m);

		EXPECT(r == (long)NH_IPC_TAG(3, 0) && m.w[0] == (uint64_t)round);
		EXPECT(wait_state(t, NH_TASK_SLEEPING));	/* waits for the reply */
		pin(t, round + 1);
		m = (struct nh_msg){ .tag = NH_IPC_TAG(4, 0), .w = { (uint64_t)round + 1 } };
		EXPECT(nh_reply(0, &m) == 0);
	}
	e = reap(t);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 0);
	EXPECT(nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* ---- 14: user-boundary work is never skipped ----------------------------------- */

/*
 * A receiver given a new address space while it waits (exec by another
 * task) must pass its user boundary before it runs again, so a call on
 * the same hart is not answered by its old image: the receiver starts
 * afresh in the new space (and exits 42 there), and the call it took
 * gets -NH_EPIPE when it dies unanswered.
 */
int ipc_waiting_receiver_takes_its_new_space(void)
{
	long ep = nh_endpoint_create(), t, s, r;
	struct nh_sched was;
	struct nh_msg m = { .tag = NH_IPC_TAG(1, 0) };
	struct nh_exit e;
	int ok = 1;

	EXPECT(ep > 0 && pin_self_first(&was));
	t = child(fp_echo_child, ep, NH_RIGHT_READ, 0, 1, 0);
	EXPECT(t > 0);
	if (ep <= 0 || t <= 0)
		return NH_TEST_FAIL;
	EXPECT(fast_calls(ep, 3, 0) == 0);	/* it waits in its reply-receive */
	EXPECT(wait_state(t, NH_TASK_SLEEPING));
	s = nh_space_clone(NH_SELF_SPACE);
	EXPECT(s > 0);
	EXPECT(nh_task_set_space(t, s, (uintptr_t)exits_42,
				 (uintptr_t)child_stack + sizeof(child_stack)) == 0);
	r = nh_call(ep, &m);
	EXPECT(r == -NH_EPIPE);
	if (r >= 0) {		/* its old image answered: end it */
		m = (struct nh_msg){ .tag = NH_IPC_TAG(ECHO_EXIT, 0) };
		nh_call(ep, &m);
	}
	e = reap(t);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 42);
	EXPECT(nh_task_sched_set(NH_SELF_TASK, &was) == 0);
	EXPECT(nh_handle_close(s) == 0 && nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* ---- 15: a queued call answered the fast way ---------------------------------- */

#define QUEUED_ROUNDS	20
#define QUEUED_TRIES	3	/* a host stall (a tick mid-run) may spoil one */

/* Calls @ep 2 x QUEUED_ROUNDS x QUEUED_TRIES times with w0 = the call's
 * number, expecting it + 1 back; exits with the wrong replies. */
static void queued_caller_child(long ep)
{
	int bad = 0;

	for (uint64_t i = 0; i < 2 * QUEUED_ROUNDS * QUEUED_TRIES; i++) {
		struct nh_msg m = { .tag = NH_IPC_TAG(3, 0), .w = { i, 0, 0, 0 } };

		bad += nh_call(ep, &m) != (long)NH_IPC_TAG(4, 0) || m.w[0] != i + 1;
	}
	nh_exit(bad);
}

/*
 * A call that had to queue (nobody was receiving) and was then taken by
 * a receive is still answered by a direct switch when the receiver's
 * reply-receive finds nothing else queued: each round below is one such
 * reply plus the fast call that follows it.
 */
int ipc_queued_call_answered_fast(void)
{
	long ep = nh_endpoint_create(), t;
	struct nh_counters c0, c1;
	struct nh_sched was;
	struct nh_msg m = { 0 };
	struct nh_exit e;
	int ok = 1, bad = 0;

	EXPECT(ep > 0 && pin_self_first(&was));
	t = child(queued_caller_child, ep, NH_RIGHT_WRITE, 0, 1, 0);
	EXPECT(t > 0);
	if (ep <= 0 || t <= 0)
		return NH_TEST_FAIL;
	/* every try's calls are answered; the first whose rounds all (but
	 * two) went the fast way passes, and every short one is reported */
	for (uint64_t k = 0, fast = 0; k < QUEUED_ROUNDS * QUEUED_TRIES; k++) {
		if (k % QUEUED_ROUNDS == 0)
			EXPECT(nh_test_counters(&c0) == 0);
		EXPECT(wait_state(t, NH_TASK_SLEEPING));	/* call 2k is queued */
		bad += nh_recv(ep, &m) != (long)NH_IPC_TAG(3, 0) || m.w[0] != 2 * k;
		m = (struct nh_msg){ .tag = NH_IPC_TAG(4, 0), .w = { 2 * k + 1 } };
		/* the fast way back to it; call 2k + 1 comes the fast way too */
		bad += nh_reply_recv(ep, &m) != (long)NH_IPC_TAG(3, 0) ||
		       m.w[0] != 2 * k + 1;
		m = (struct nh_msg){ .tag = NH_IPC_TAG(4, 0), .w = { 2 * k + 2 } };
		bad += nh_reply(0, &m) != 0;	/* its next call finds nobody waiting */
		if (k % QUEUED_ROUNDS != QUEUED_ROUNDS - 1 || fast)
			continue;
		EXPECT(nh_test_counters(&c1) == 0);
		fast = c1.ipc_fast - c0.ipc_fast >= 2 * QUEUED_ROUNDS - 2;
		if (!fast)
			printf("# queued: try %lu: %lu direct switches for %d rounds\n",
			       (unsigned long)(k / QUEUED_ROUNDS),
			       (unsigned long)(c1.ipc_fast - c0.ipc_fast), QUEUED_ROUNDS);
		if (k / QUEUED_ROUNDS == QUEUED_TRIES - 1)
			EXPECT(fast);	/* none of the tries went the fast way */
	}
	EXPECT(bad == 0);
	e = reap(t);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 0);
	EXPECT(nh_task_sched_set(NH_SELF_TASK, &was) == 0);
	EXPECT(nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* ---- 16: the fast path with a bound notification ------------------------------- */

/* Echoes register-only calls on @ep as fp_echo_child does, and collects
 * the bits of its bound notification; at ECHO_EXIT answers w0 = them. */
static void notify_echo_child(long ep)
{
	struct nh_msg m = { 0 };
	uint64_t seen = 0;
	long r = nh_recv(ep, &m);

	while (r >= 0 && NH_IPC_LABEL(m.tag) != ECHO_EXIT) {
		if (NH_IPC_LABEL(m.tag) == NH_IPC_NOTIFY) {
			seen |= m.w[0];
			r = nh_recv(ep, &m);	/* no call to answer */
			continue;
		}
		m = (struct nh_msg){ .tag = NH_IPC_TAG(NH_IPC_LABEL(m.tag) + 1, 0),
			.w = { m.w[0] + 1, m.w[1], m.w[2], m.badge } };
		r = nh_reply_recv(ep, &m);
	}
	m = (struct nh_msg){ .tag = NH_IPC_TAG(ECHO_EXIT + 1, 0), .w = { seen } };
	nh_reply(0, &m);
	nh_exit(r < 0 ? 1 : 0);
}

/*
 * A server whose endpoint has a notification bound keeps the fast path
 * while no bits are pending, and still gets every signal: one that comes
 * while it waits arrives as a notification message, and calls go on.
 */
int ipc_fast_path_with_bound_notification(void)
{
	long ep = nh_endpoint_create(), n = nh_notify_create(), t;
	struct nh_counters c0, c1;
	struct nh_sched was;
	struct nh_msg m = { .tag = NH_IPC_TAG(ECHO_EXIT, 0) };
	struct nh_exit e;
	int ok = 1;

	EXPECT(ep > 0 && n > 0 && nh_endpoint_bind_notify(ep, n) == 0);
	EXPECT(pin_self_first(&was));
	t = child(notify_echo_child, ep, NH_RIGHT_READ, 0, 1, 0);
	EXPECT(t > 0);
	if (ep <= 0 || n <= 0 || t <= 0)
		return NH_TEST_FAIL;
	EXPECT(fast_calls(ep, 1, 0) == 0);
	EXPECT(nh_test_counters(&c0) == 0);
	EXPECT(fast_calls(ep, 50, 0) == 0);
	EXPECT(nh_test_counters(&c1) == 0);
	EXPECT(c1.ipc_fast - c0.ipc_fast >= 2 * 50 - 4);
	EXPECT(wait_state(t, NH_TASK_SLEEPING));
	EXPECT(nh_notify_signal(n, 0x11) == 0);		/* while it waits */
	EXPECT(fast_calls(ep, 5, 0) == 0);
	EXPECT(nh_notify_signal(n, 0x100) == 0);
	EXPECT(nh_call(ep, &m) == (long)NH_IPC_TAG(ECHO_EXIT + 1, 0) && m.w[0] == 0x111);
	e = reap(t);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 0);
	EXPECT(nh_task_sched_set(NH_SELF_TASK, &was) == 0);
	EXPECT(nh_handle_close(ep) == 0 && nh_handle_close(n) == 0);
	return PASS(ok);
}

/* ---- 17: chaos ---------------------------------------------------------------- */

#define CHAOS_CLIENTS	3
#define CHAOS_CALLS	400
#define CHAOS_ROUNDS	150

/* Client g_arg[0] (its badge): CHAOS_CALLS register-only calls to the
 * echo child, each checked; a call interrupted (-NH_EINTR) is made again.
 * Exits with the wrong replies. */
static void chaos_client(long ep)
{
	uint64_t id = (uint64_t)g_arg[0];
	int bad = 0;

	for (uint64_t i = 0; i < CHAOS_CALLS; i++) {
		uint64_t x = i * 0x9e3779b97f4a7c15ull ^ id;
		struct nh_msg m = { .tag = NH_IPC_TAG(7, 0), .w = { 0, i, x, 0 } };
		long r = nh_call(ep, &m);

		if (r == -NH_EINTR) {
			i--;		/* interrupted: the same call again */
			continue;
		}
		bad += r != (long)NH_IPC_TAG(8, 0) || m.w[0] || m.w[1] != i + 1 ||
		       m.w[2] != ~x || m.w[3] != id;
	}
	nh_exit(bad);
}

/*
 * Callers and a server on every hart while the test moves them between
 * harts, suspends and resumes them and interrupts their calls at random:
 * the fast and the slow path take over from each other at every step,
 * and every reply that arrives is the right one.
 */
int ipc_chaos(void)
{
	long ep = nh_endpoint_create(), srv, t[CHAOS_CLIENTS + 1];
	uint64_t seed = 0x2545f4914f6cdd1dull;
	struct nh_msg m = { .tag = NH_IPC_TAG(ECHO_EXIT, 0) };
	struct nh_counters c0, c1;
	struct nh_exit e;
	int ok = 1;

	EXPECT(ep > 0 && nh_ipc_set_buffer(ipc_buf) == 0);
	EXPECT(nh_test_counters(&c0) == 0);
	srv = child(echo_child, ep, NH_RIGHT_READ, 0, 1, 0);
	t[0] = srv;
	for (int i = 1; i <= CHAOS_CLIENTS; i++) {
		long b = nh_endpoint_mint(ep, (uint64_t)i, NH_RIGHT_WRITE | NH_RIGHT_GRANT);

		g_arg[0] = i;
		t[i] = child(chaos_client, b, NH_RIGHT_WRITE, i, 1, 0);
		EXPECT(b > 0 && t[i] > 0 && nh_handle_close(b) == 0);
	}
	if (ep <= 0 || srv <= 0)
		return NH_TEST_FAIL;
	for (int round = 0; round < CHAOS_ROUNDS; round++) {
		long v;

		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		v = t[seed % (CHAOS_CLIENTS + 1)];
		if (v <= 0)
			continue;
		switch ((seed >> 8) % 3) {
		case 0:
			pin(v, (int)(seed >> 16));
			break;
		case 1:
			if (nh_task_suspend(v) == 0)
				nh_task_resume(v);
			break;
		default:
			if (v != srv)	/* a server's receive would just restart */
				nh_task_interrupt(v);
			break;
		}
		nh_sleep_ns(100000 + (seed >> 24) % 400000);
	}
	for (int i = 1; i <= CHAOS_CLIENTS; i++) {
		if (t[i] <= 0)
			continue;
		e = reap(t[i]);
		EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 0);
		if (e.code)
			printf("# chaos: client %d: %ld wrong replies\n", i, (long)e.code);
	}
	EXPECT(nh_call(ep, &m) == (long)NH_IPC_TAG(ECHO_EXIT + 1, 0));
	e = reap(srv);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 0);
	EXPECT(nh_test_counters(&c1) == 0);
	printf("# chaos: %d calls, %lu of them or their replies by direct switch\n",
	       CHAOS_CLIENTS * CHAOS_CALLS, (unsigned long)(c1.ipc_fast - c0.ipc_fast));
	EXPECT(nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* ---- a caller's registers, seen through its saved reply ------------------- */

/* fs0-fs11 hold fp_theirs while it calls @ep with label 7, w0 0x1234. */
static void regs_caller_child(long ep)
{
	struct nh_msg m = { .tag = NH_IPC_TAG(7, 0), .w = { 0x1234 } };
	long r;

	fp_load(fp_theirs);
	r = nh_call(ep, &m);
	nh_exit(r < 0 ? (int)r : (int)m.w[0]);
}

/* What fork reads of its parent: the caller's registers as it called,
 * FP included, only while it waits on the reply. */
int ipc_reply_regs_show_the_blocked_caller(void)
{
	long ep = nh_endpoint_create(), t, h = 0, r;
	struct nh_regs regs = { 0 };
	struct nh_msg m = { 0 }, out = { .tag = NH_IPC_TAG(8, 0), .w = { 99 } };
	struct nh_exit e;
	int ok = 1, fp_same = 1;

	EXPECT(ep > 0);
	t = child(regs_caller_child, ep, NH_RIGHT_WRITE, nharts() - 1, 1, 0);
	EXPECT(t > 0);
	r = nh_recv(ep, &m);
	EXPECT(r == (long)NH_IPC_TAG(7, 0) && m.w[0] == 0x1234);
	h = nh_ipc_reply_save();
	EXPECT(h > 0 && nh_ipc_reply_regs(h, &regs) == 0);
	EXPECT(regs.flags == NH_REGS_SYSCALL && regs.x[17] == SYS_ipc_call);
	EXPECT(regs.x[11] == NH_IPC_TAG(7, 0) && regs.x[12] == 0x1234);
	EXPECT(regs.orig_a0 == regs.x[10] && regs.orig_a0 > 0);	/* its ep handle */
	/* the pc is past its ecall, in our (cloned) text */
	EXPECT(regs.x[0] > 4 && *(const uint32_t *)(regs.x[0] - 4) == 0x00000073);
	for (int i = 0; i < 12; i++)	/* fs0-fs1 are f8-f9, fs2-fs11 f18-f27 */
		fp_same &= regs.f[i < 2 ? 8 + i : 16 + i] == fp_theirs[i];
	EXPECT(fp_same);
	EXPECT(nh_ipc_reply_regs(h, (struct nh_regs *)8) == -NH_EFAULT);
	EXPECT(nh_ipc_reply_regs(ep, &regs) == -NH_EBADF);	/* not a reply */
	EXPECT(nh_ipc_reply_regs(0, &regs) == -NH_EBADF);
	EXPECT(nh_reply(h, &out) == 0);
	EXPECT(nh_ipc_reply_regs(h, &regs) == -NH_EPIPE);	/* answered */
	e = reap(t);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 99);
	EXPECT(nh_handle_close(h) == 0 && nh_handle_close(ep) == 0);
	return PASS(ok);
}

/* ---- exit events: made at binding, ahead of callers ----------------------- */

/* An exit event overtakes callers queued before it (a death is news a
 * server must act on), and its memory was taken at binding: the live
 * objects rise by one when a task is bound, not when it dies. */
int ipc_exit_events_overtake_queued_callers(void)
{
	struct nh_task_info info = { 0 };
	struct nh_counters c0, c1;
	struct nh_exit e = { .reason = NH_EXIT_NORMAL, .code = 5 };
	struct nh_msg m = { 0 }, out = { .tag = NH_IPC_TAG(101, 0), .w = { 321 } };
	long ep = nh_endpoint_create(), caller, t;
	uint64_t id = 0;
	int ok = 1;

	EXPECT(ep > 0);
	g_arg[0] = 1;
	g_arg[1] = 11;
	caller = child(caller_child, ep, NH_RIGHT_WRITE, -1, 1, 0);
	EXPECT(caller > 0 && wait_state(caller, NH_TASK_SLEEPING));	/* queued */
	g_arg[0] = 5;
	g_arg[1] = 0;
	t = child(exit_child, 0, 0, 1, 0, 0);	/* suspended */
	EXPECT(t > 0 && nh_task_info(t, &info) == 0);
	id = info.id;
	nh_test_counters(&c0);
	EXPECT(nh_ipc_bind_events(t, ep, 77) == 0);
	nh_test_counters(&c1);
	EXPECT(c1.live_objects == c0.live_objects + 1);	/* the event, made now */
	EXPECT(nh_task_resume(t) == 0);
	EXPECT(nh_task_wait(t, &e) == 0 && e.code == 5);
	nh_ipc_set_buffer(ipc_buf);
	EXPECT(got_exit(ep, id, 77, &e));	/* first, though it came later */
	EXPECT(nh_recv(ep, &m) == (long)NH_IPC_TAG(1, 0) && m.w[0] == 11);
	EXPECT(nh_reply(0, &out) == 0);
	e = reap(caller);
	EXPECT(e.reason == NH_EXIT_NORMAL && e.code == 321);
	nh_ipc_set_buffer(0);
	EXPECT(nh_handle_close(t) == 0 && nh_handle_close(ep) == 0);
	return PASS(ok);
}
