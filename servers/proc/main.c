/*
 * The process server: the kernel's first user task on every boot
 * (kernel/init/main.c starts /sbin/proc with the boot arguments as its
 * argv).  It sets up the table, starts /sbin/init as pid 1 and then
 * serves the process protocol (servers/proto/proc.tbl) and the kernel's
 * exit and fault events for the tasks it started, forever.  Boot
 * arguments it reads: nuthatch.pid_max=N (default 32768, at most
 * 4,194,304); nuthatch.test= and nuthatch.ubench= decide init's
 * privileges (init_privs).  Every argument goes on to init.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "proc.h"
#include "warm.h"
#include "proto/proc_server.h"

#define INIT_PATH	"/sbin/init"
#define RESERVE		512	/* processes the table has room for at start */
#define HANDLES_WARM	(2 * RESERVE)	/* a task and a space each */

struct proc_server proc_srv;
const int __nh_console_direct = 1;	/* lib/posix/file.c: stdio to the kernel's console */

static uint8_t ipc_buf[NH_IPC_BUF_MAX] __attribute__((aligned(4096)));

/* A client's badge is its tid: its thread, if its task is alive (the
 * handlers find the process as PROC_OF). */
static void *who(struct srv *s, uint64_t badge)
{
	struct proc *p = badge < PROC_EVENT_BADGE ? proc_find((int32_t)badge) : 0;

	(void)s;
	return p && p->state == PROC_RUNNING && p->task ? p : 0;	/* a thread */
}

/* The kernel's events for a task this server bound (badge: the event
 * bit and the pid).  A fault kills the task (signals come later); its
 * exit event follows. */
static int on_event(struct srv *s, struct nh_msg *m)
{
	int32_t pid = (int32_t)(m->badge & ~PROC_EVENT_BADGE);
	struct nh_msg kill = { .tag = NH_IPC_TAG(NH_FAULT_KILL, 0) };

	if (NH_IPC_LABEL(m->tag) == NH_IPC_CANCEL && !m->badge) {	/* the kernel's */
		proc_wait_cancelled(m->w[0]);
		return 1;
	}
	if (NH_IPC_LABEL(m->tag) == NH_IPC_NOTIFY && !m->badge) {	/* /proc's questions */
		if (m->w[0] & NH_PROCFS_BIT)
			proc_procfs_answer();
		return 1;
	}
	if (!(m->badge & PROC_EVENT_BADGE) || m->badge > (PROC_EVENT_BADGE | PROC_PID_MAX_LIMIT))
		return 0;
	if (NH_IPC_LABEL(m->tag) == NH_IPC_FAULT) {
		nh_reply(0, &kill);
		return 1;
	}
	proc_task_exited(pid, NH_IPC_LEN(m->tag) >= sizeof(struct nh_exit) ? s->buf : 0,
			 m->w[0], (int64_t)m->w[1]);
	return 1;
}

/* The value of the first argument that starts with @key, or NULL. */
static const char *arg_value(char *const argv[], const char *key)
{
	size_t n = strlen(key);

	for (int i = 1; argv[i]; i++)
		if (!strncmp(argv[i], key, n))
			return argv[i] + n;
	return 0;
}

static uint32_t arg_number(char *const argv[], const char *key, uint32_t dflt)
{
	const char *v = arg_value(argv, key);

	return v ? (uint32_t)strtoul(v, 0, 10) : dflt;
}

/*
 * What init holds, and passes on through fork and exec: nothing on an
 * ordinary boot; on a test boot every privilege, since the test server
 * under it exercises the kernel's privileged calls (its tests of an
 * ordinary process drop them first); on a benchmark boot only the test
 * calls, to power off at the end.
 */
static uint32_t init_privs(char *const argv[])
{
	if (arg_value(argv, "nuthatch.test="))
		return NH_PRIVS_ALL;
	return arg_value(argv, "nuthatch.ubench=") ? NH_PRIV_TEST : 0;
}

static void setup(char *const argv[])
{
	long r = pid_init(arg_number(argv, "nuthatch.pid_max=", PROC_PID_MAX_DEFAULT));

	if (r) {
		printf("proc: nuthatch.pid_max= out of range (2..%u): %d\n",
		       PROC_PID_MAX_LIMIT, PROC_PID_MAX_DEFAULT);
		pid_init(PROC_PID_MAX_DEFAULT);
	}
	if (proc_table_init(RESERVE))
		printf("proc: no memory to reserve the table: it grows on demand\n");
	proc_srv.ep = nh_endpoint_create();
	r = proc_srv.ep < 0 ? proc_srv.ep : srv_init(&proc_srv.srv, proc_srv.ep, ipc_buf, &proc_proto);
	if (r) {
		printf("proc: no endpoint: %ld\n", r);
		exit(1);
	}
	srv_warm_stack(48 * 1024);	/* the first 4 KiB exec must not grow it */
	srv_warm_handles(proc_srv.ep, HANDLES_WARM);
	*(volatile uint8_t *)ipc_buf = 0;	/* touched: the kernel may fill it first in a test */
	srv_image_warm();
	proc_clock_init();
	r = proc_procfs_init();
	if (r)
		printf("proc: no notification for /proc: %ld\n", r);
	proc_srv.srv.who = who;
	proc_srv.srv.event = on_event;
}

int main(int argc, char **argv)
{
	long r;

	(void)argc;
	setup(argv);
	proc_start_threads();
	r = proc_start_console();
	if (r)
		printf("proc: cannot start the console server: %ld\n", r);
	r = proc_start_fs();
	if (r) {
		printf("proc: cannot start the file server: %ld\n", r);
		return 1;
	}
	r = proc_start_init(INIT_PATH, argv, init_privs(argv));
	if (r) {
		printf("proc: cannot start %s: %ld\n", INIT_PATH, r);
		return 1;
	}
	r = srv_run(&proc_srv.srv);
	printf("proc: the endpoint failed: %ld\n", r);
	return 1;
}
