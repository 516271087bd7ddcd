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
			    .name = "init", .leader = p, .nthreads = 1 };
	proc_insert(p, 0);
	return nh_task_resume(task);
}

/*
 * The file server: /sbin/fs, started before init with its endpoint (made
 * here, so that this server can mint every process's badged copy) at
 * NH_FS_SERVE_HANDLE, the initramfs privilege, and no handle to this
 * server: it never calls it, so neither can wait on the other.  It is no
 * process of the table.
 */
long proc_start_fs(void)
{
	static const char strings[] = FS_PATH "\0fs";
	struct srv_image img;
	long task = 0, r;

	proc_srv.fs_ep = nh_endpoint_create();
	if (proc_srv.fs_ep < 0)
		return proc_srv.fs_ep;
	proc_srv.fs_ctl = nh_endpoint_mint(proc_srv.fs_ep, NH_FS_CTL_BADGE, NH_RIGHT_WRITE);
	if (proc_srv.fs_ctl < 0)
		return proc_srv.fs_ctl;
	r = srv_image_build(FS_PATH, 1, 0, strings, sizeof(strings), &img);
	if (r > 0)
		r = -NH_ENOEXEC;
	if (!r)
		r = start_task(&img, "fs", &task);
	if (!r)
		r = nh_task_set_privs(task, NH_PRIV_INITRD);
	if (!r)
		r = nh_handle_install_at(task, proc_srv.fs_ep, NH_RIGHTS_ALL, 0, NH_FS_SERVE_HANDLE);
	if (r < 0)
		return r;
	nh_handle_close(img.space);	/* the task keeps it */
	return nh_task_resume(task);
}
