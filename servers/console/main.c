/*
 * The console server's start-up, its events (the UART's line, the
 * kernel's log, cancel notices of waiting reads) and the console
 * protocol's handlers.  The process server starts it before the file
 * server with its endpoint at CON_SERVE_HANDLE and the device privilege;
 * the file server holds the only client handle (CON_FS_BADGE).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "console.h"
#include "nuthatch.h"
#include "proto/console_server.h"
#include "proto/fs.h"
#include "warm.h"

const int __nh_console_direct = 1;	/* lib/start.c: stdio to the kernel's console */

static struct srv con_srv;
static uint8_t ipc_buf[4096] __attribute__((aligned(4096)));
static int fs_client = 1;
static char copy[4096];		/* a request's bytes, out of the IPC buffer */

static void *who(struct srv *s, uint64_t badge)
{
	(void)s;
	return badge == CON_FS_BADGE ? &fs_client : 0;
}

static int event(struct srv *s, struct nh_msg *m)
{
	(void)s;
	if (m->badge)
		return 0;	/* a client's forgery: refused as a request */
	if (NH_IPC_LABEL(m->tag) == NH_IPC_NOTIFY) {
		if (m->w[0] & CON_BIT_RX)
			port_rx();
		if (m->w[0] & CON_BIT_LOG)
			port_log();
		return 1;
	}
	if (NH_IPC_LABEL(m->tag) == NH_IPC_CANCEL) {
		tty_cancel(m->w[0]);
		return 1;
	}
	return 0;
}

/* ---- answers in the file protocol's layout -------------------------- */

long con_answer_read(long reply, const void *data, size_t len)
{
	struct fs_read_rep rep = { .file = 0 };	/* like a pipe: one piece */
	struct fs_read_rep_buf pb = {};
	struct nh_proto_msg a = NH_PROTO_MSG(rep, pb);

	a.tail = (void *)data, a.tail_len = len;
	return srv_answer(&con_srv, reply, FS_READ, &a);
}

long con_answer_write(long reply, uint32_t done)
{
	struct fs_write_rep rep = { .done = done };
	struct fs_write_rep_buf pb = {};
	struct nh_proto_msg a = NH_PROTO_MSG(rep, pb);

	return srv_answer(&con_srv, reply, FS_WRITE, &a);
}

long con_answer_ioctl(long reply, const void *out, size_t len)
{
	struct fs_ioctl_rep rep = {};
	struct fs_ioctl_rep_buf pb = {};
	struct nh_proto_msg a = NH_PROTO_MSG(rep, pb);

	a.regs_len = 0;
	a.tail = (void *)out, a.tail_len = len;
	return srv_answer(&con_srv, reply, FS_IOCTL, &a);
}

long con_answer_error(long reply, long err)
{
	return srv_answer_error(&con_srv, reply, err);
}

/* ---- the protocol --------------------------------------------------- */

long console_srv_read(struct srv_req *r, int32_t pid, uint32_t count, uint32_t nonblock,
		      long caller)
{
	long err;

	(void)r, (void)pid;
	err = tty_read(caller, count, nonblock != 0);
	if (err)
		con_answer_error(caller, err);
	return 0;
}

long console_srv_write(struct srv_req *r, int32_t pid, long caller, const void *data,
		       size_t data_len)
{
	(void)r, (void)pid;
	memcpy(copy, data, data_len);	/* the IPC buffer is the answer's too */
	tty_write(copy, data_len);
	con_answer_write(caller, (uint32_t)data_len);
	port_settle();
	return 0;
}

long console_srv_ioctl(struct srv_req *r, int32_t pid, uint32_t cmd, long caller,
		       const void *arg, size_t arg_len)
{
	char *in = copy, *out = copy + 2048;
	size_t out_len = 0;
	long err = -NH_EINVAL;

	(void)r;
	if (arg_len <= 256) {
		memcpy(in, arg, arg_len);
		err = tty_ioctl(pid, cmd, in, arg_len, out, &out_len);
	}
	if (err)
		con_answer_error(caller, err);
	else
		con_answer_ioctl(caller, out, out_len);
	port_settle();
	return 0;
}

long console_srv_stat(struct srv_req *r, uint32_t *readers, uint32_t *lines, uint64_t *rx,
		      uint64_t *tx, uint64_t *lost)
{
	(void)r;
	*readers = con_tty.nwait;
	*lines = tty_lines();
	*rx = con_tty.rx;
	*tx = port_tx_count();
	*lost = port_lost_count();
	return 0;
}

int main(void)
{
	long notify = nh_notify_create(), r;

	tty_init();
	memset(copy, 0, sizeof(copy));	/* its pages now, not at the first write */
	r = notify < 0 ? notify : nh_endpoint_bind_notify(CON_SERVE_HANDLE, notify);
	if (!r)
		r = srv_init(&con_srv, CON_SERVE_HANDLE, ipc_buf, &console_proto);
	if (r) {
		printf("console: cannot start: %ld\n", r);
		return 1;
	}
	r = port_init(notify);
	if (r)
		printf("console: no UART of its own (%ld): the kernel's console serves\n", r);
	srv_warm_stack(32 * 1024);
	srv_warm_handles(CON_SERVE_HANDLE, 2 * CON_WAITERS);	/* saved replies are handles */
	con_srv.who = who;
	con_srv.event = event;
	port_log();
	r = srv_run(&con_srv);
	printf("console: the endpoint failed: %ld\n", r);
	return 1;
}
