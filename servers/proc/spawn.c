/*
 * A new process's start: its endpoint to this server and its exit and
 * fault events (proc_attach_task), and init's start.  Images are
 * libserver's (image.c).
 */
#include <stdlib.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "proc.h"
#include "proto/fs.h"

/* A badged copy of @ep at @number in @task's table, WRITE only. */
static long give_endpoint(long task, long ep, uint64_t badge, uint32_t flags, long number)
{
	long h = nh_endpoint_mint(ep, badge, NH_RIGHT_WRITE | NH_RIGHT_GRANT), r;

	if (h < 0)
		return h;
	r = nh_handle_install_at(task, h, NH_RIGHT_WRITE, flags, number);
	nh_handle_close(h);
	return r < 0 ? r : 0;
}

long proc_attach_task(long task, int32_t pid, int32_t tgid, uint32_t flags)
{
	long r = give_endpoint(task, proc_srv.ep, (uint64_t)pid, flags, NH_PROC_HANDLE);

	if (!r)
		r = give_endpoint(task, proc_srv.fs_ep, (uint64_t)tgid, flags, NH_FS_HANDLE);
	if (!r)
		r = nh_ipc_bind_events(task, proc_srv.ep, PROC_EVENT_BADGE | (uint64_t)pid);
	return r < 0 ? r : 0;
}

#define FS_PATH	"/sbin/fs"
#define CONSOLE_PATH	"/sbin/console"

static const char *const init_env[] = { "HOME=/", "PATH=/sbin:/bin", 0 };

struct strbuf {
	char buf[NH_IPC_BUF_MAX];
	size_t len;
	int full;
};

static void put(struct strbuf *b, const char *s)
{
	size_t n = strlen(s) + 1;

	if (b->len + n > sizeof(b->buf)) {
		b->full = 1;
		return;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

static long start_task(const struct srv_image *img, const char *name, long *task)
{
	struct nh_task_start start = { .pc = img->entry, .sp = img->sp,
				       .flags = NH_START_SUSPENDED };

	strncpy(start.name, name, sizeof(start.name) - 1);
	*task = nh_task_create(img->space, &start);
	return *task < 0 ? *task : 0;
}

/*
 * init: @path with argv "init" and the boot arguments (@argv from 1),
 * pid 1, its own session and group, holding @privs (NH_PRIV_*).
 */
long proc_start_init(const char *path, char *const argv[], uint32_t privs)
{
	static struct strbuf b;
	struct srv_image img;
	struct proc *p = proc_new();
	uint32_t argc = 1, envc = 0;
	long task = 0, r;

	put(&b, path);
	put(&b, "init");
	for (int i = 1; argv[i]; i++, argc++)
		put(&b, argv[i]);
	for (; init_env[envc]; envc++)
		put(&b, init_env[envc]);
	r = !p ? -NH_ENOMEM : b.full ? -NH_E2BIG : pid_alloc();
	if (r != PROC_INIT_PID)
		return r < 0 ? r : -NH_EBUSY;
	r = srv_image_build(path, argc, envc, b.buf, b.len, &img);
	if (r > 0)
		r = -NH_ENOEXEC;	/* init is no script */
	if (!r)
		r = start_task(&img, "init", &task);
	if (!r)
		r = nh_task_set_privs(task, privs);
	if (!r)
		r = proc_attach_task(task, PROC_INIT_PID, PROC_INIT_PID, 0);
	if (!r)
		r = fs_ctl_fork(proc_srv.fs_ctl, 0, PROC_INIT_PID, 0);	/* an empty table */
	if (r)
		return r;
	*p = (struct proc){ .pid = PROC_INIT_PID, .pgid = PROC_INIT_PID, .sid = PROC_INIT_PID,
			    .state = PROC_RUNNING, .task = task, .space = img.space,
			    .name = "init", .leader = p, .nthreads = 1,
			    .start_ns = (uint64_t)nh_clock_ns(), .arg_start = img.arg_start,
			    .arg_end = img.arg_end, .env_end = img.env_end };
	proc_insert(p, 0);
	return nh_task_resume(task);
}

/*
 * A server outside the process table: @path with argv @name, holding
 * @privs and the endpoint @ep it serves at @serve; its task, suspended.
 */
static long start_server(const char *path, const char *name, uint32_t privs, long ep,
			 long serve, long *task)
{
	char strings[64];
	size_t plen = strlen(path) + 1, nlen = strlen(name) + 1;
	struct srv_image img;
	long r;

	if (plen + nlen > sizeof(strings))
		return -NH_E2BIG;
	memcpy(strings, path, plen);
	memcpy(strings + plen, name, nlen);
	r = srv_image_build(path, 1, 0, strings, plen + nlen, &img);
	if (r > 0)
		r = -NH_ENOEXEC;
	if (!r)
		r = start_task(&img, name, task);
	if (!r)
		r = nh_task_set_privs(*task, privs);
	if (!r)
		r = nh_handle_install_at(*task, ep, NH_RIGHTS_ALL, 0, serve);
	if (r >= 0)
		nh_handle_close(img.space);	/* the task keeps it */
	return r < 0 ? r : 0;
}

/*
 * The console server: /sbin/console, started first, with its endpoint at
 * CON_SERVE_HANDLE (3) and the device privilege (it claims the UART).
 * Only the file server gets a handle to it (badged CONSOLE_FS_BADGE): it
 * never calls a server, so no wait can close a circle through it.
 */
long proc_start_console(void)
{
	long ep = nh_endpoint_create(), task = 0, r;

	if (ep < 0)
		return ep;
	proc_srv.console_fs = nh_endpoint_mint(ep, NH_CONSOLE_FS_BADGE, NH_RIGHT_WRITE | NH_RIGHT_GRANT);
	r = proc_srv.console_fs < 0 ? proc_srv.console_fs :
	    start_server(CONSOLE_PATH, "console", NH_PRIV_DEVICE, ep, NH_CONSOLE_SERVE_HANDLE, &task);
	nh_handle_close(ep);	/* the server holds it */
	return r ? r : nh_task_resume(task);
}

/*
 * The file server: /sbin/fs, started before init with its endpoint (made
 * here, so that this server can mint every process's badged copy) at
 * NH_FS_SERVE_HANDLE, the console server's at NH_FS_CONSOLE_HANDLE (if
 * it started), the initramfs privilege, and no handle to this server: it
 * never calls it, so neither can wait on the other.  It is no process of
 * the table.
 */
long proc_start_fs(void)
{
	long task = 0, r;

	proc_srv.fs_ep = nh_endpoint_create();
	if (proc_srv.fs_ep < 0)
		return proc_srv.fs_ep;
	proc_srv.fs_ctl = nh_endpoint_mint(proc_srv.fs_ep, NH_FS_CTL_BADGE, NH_RIGHT_WRITE);
	if (proc_srv.fs_ctl < 0)
		return proc_srv.fs_ctl;
	r = start_server(FS_PATH, "fs", NH_PRIV_INITRD, proc_srv.fs_ep, NH_FS_SERVE_HANDLE, &task);
	if (!r && proc_srv.console_fs > 0)
		r = nh_handle_install_at(task, proc_srv.console_fs, NH_RIGHT_WRITE, 0,
					 NH_FS_CONSOLE_HANDLE);
	if (r >= 0 && proc_srv.procfs_notify > 0)
		r = nh_handle_install_at(task, proc_srv.procfs_notify, NH_RIGHT_WRITE, 0,
					 NH_FS_PROC_NOTIFY_HANDLE);
	return r < 0 ? r : nh_task_resume(task);
}
