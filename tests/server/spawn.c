/*
 * How the test server starts the programs that test the kernel (task
 * handles, IPC, faults): as bare tasks it builds itself, with libserver's
 * image builder, outside the process model (they get no pid and no
 * endpoint to the process server, and the test server waits for them
 * with task_wait).  It holds the privileges this takes (a test boot's
 * init gives them).  POSIX programs are started with fork and exec.
 */
#include <string.h>

#include <nuthatch/errno.h>

#include "archive.h"
#include "image.h"
#include "nuthatch.h"
#include "parts.h"

#define STRINGS_MAX	8192


static long put(char *buf, size_t *len, const char *s)
{
	size_t n = strlen(s) + 1;

	if (*len + n > STRINGS_MAX)
		return -NH_E2BIG;
	memcpy(buf + *len, s, n);
	*len += n;
	return 0;
}

static long put_all(char *buf, size_t *len, const char *const *v, uint32_t *count)
{
	long r = 0;

	for (*count = 0; v && v[*count] && !r; (*count)++)
		r = put(buf, len, v[*count]);
	return r;
}

/* @t's handle as the tests want it: READ, CONTROL and GRANT (not MAP
 * or WRITE, which a task handle has no use for). */
static long narrowed(long t)
{
	long n = nh_handle_dup(t, NH_RIGHT_READ | NH_RIGHT_CONTROL | NH_RIGHT_GRANT);

	nh_handle_close(t);
	return n;
}

long ts_archive_open(void)
{
	return srv_archive_open();
}

long ts_spawn(const char *path, const char *const argv[], const char *const envp[])
{
	static char buf[STRINGS_MAX];
	struct nh_task_start start = { 0 };
	struct srv_image img;
	const char *base = strrchr(path, '/');
	uint32_t argc, envc;
	size_t len = 0;
	long r = put(buf, &len, path), t;

	if (!r)
		r = put_all(buf, &len, argv, &argc);
	if (!r)
		r = put_all(buf, &len, envp, &envc);
	if (!r)
		r = srv_image_build(path, argc, envc, buf, len, &img);
	if (r)
		return r > 0 ? -NH_ENOEXEC : r;	/* no scripts here */
	start.pc = img.entry;
	start.sp = img.sp;
	strncpy(start.name, base ? base + 1 : path, sizeof(start.name) - 1);
	t = nh_task_create(img.space, &start);
	nh_handle_close(img.space);	/* the task holds its space */
	return t < 0 ? t : narrowed(t);
}

long ts_thread(void (*entry)(long), void *sp, long arg)
{
	struct nh_task_start start = { .pc = (uint64_t)entry, .sp = (uint64_t)sp,
				       .a0 = (uint64_t)arg, .name = "thread" };

	long t = nh_task_create(NH_SELF_SPACE, &start);

	return t < 0 ? t : narrowed(t);
}
