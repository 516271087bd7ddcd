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

long proc_attach_task(long task, int32_t pid, uint32_t flags)
{
	long ep = nh_endpoint_mint(proc_srv.ep, (uint64_t)pid, NH_RIGHT_WRITE | NH_RIGHT_GRANT), r;

	if (ep < 0)
		return ep;
	r = nh_handle_install_at(task, ep, NH_RIGHT_WRITE, flags, NH_PROC_HANDLE);
	nh_handle_close(ep);
	if (r >= 0)
		r = nh_ipc_bind_events(task, proc_srv.ep, PROC_EVENT_BADGE | (uint64_t)pid);
	return r < 0 ? r : 0;
}

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
		r = proc_attach_task(task, PROC_INIT_PID, 0);
	if (r)
		return r;
	*p = (struct proc){ .pid = PROC_INIT_PID, .pgid = PROC_INIT_PID, .sid = PROC_INIT_PID,
			    .state = PROC_RUNNING, .task = task, .space = img.space,
			    .name = "init", .leader = p, .nthreads = 1 };
	proc_insert(p, 0);
	return nh_task_resume(task);
}
