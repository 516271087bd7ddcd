/*
 * execve: the request carries the path, argv and envp as one run of
 * NUL-ended strings (its count checked against argc + envc + 1).  The
 * new image is built whole (spawn.c: the file found, its ELF checked,
 * a space made and filled) before the caller is touched; any failure
 * (ENOENT, ENOEXEC, E2BIG, ENOMEM) answers the caller, which runs on as
 * it was.  The commit point is task_set_space: from the caller's next
 * return to user mode it runs the new image, its close-on-exec handles
 * closed by the kernel; its endpoint here (NH_PROC_HANDLE) stays.  In
 * a process with other threads the exec first ends them (exec_pending).
 * A file that starts with "#!" runs its interpreter (build_image).  The
 * file is found through the file server as the caller sees it (its
 * working directory, /tmp too: fs.tbl's ctl_exec_open).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "proc.h"
#include "proto/fs.h"
#include "proto/proc_server.h"

/* Exactly argc + envc + 1 strings, the last one ended. */
static long strings_check(const char *s, size_t len, uint32_t argc, uint32_t envc)
{
	uint64_t want = (uint64_t)argc + envc + 1, nuls = 0;

	if (!len || s[len - 1] != '\0' || !s[0])
		return len && !s[0] ? -NH_ENOENT : -NH_EINVAL;
	for (size_t i = 0; i < len; i++)
		nuls += s[i] == '\0';
	return nuls == want ? 0 : -NH_EINVAL;
}

/* The name a process shows (Linux's comm): the file's, cut to 15. */
static void set_name(struct proc *p, const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	memset(p->name, 0, sizeof(p->name));
	strncpy(p->name, base, sizeof(p->name) - 1);
	nh_task_set_name(p->task, p->name, strlen(p->name));
}

/* The commit: @p (a process's leader, alone now) runs the new image. */
static long exec_commit(struct proc *p, const struct srv_image *img, const char *path)
{
	/* -- commit point: from its next return to user mode it is the new image -- */
	long err = nh_task_set_space(p->task, img->space, img->entry, img->sp);

	if (err)
		return err;
	nh_handle_close(p->space);
	p->space = img->space;
	p->arg_start = img->arg_start;
	p->arg_end = img->arg_end;
	p->env_end = img->env_end;
	p->exec_count++;
	fs_ctl_exec(proc_srv.fs_ctl, p->pid);	/* its close-on-exec descriptors */
	set_name(p, path);
	proc_vfork_release(p);		/* a vfork parent runs again */
	return 0;
}

/*
 * An exec in a process with other threads: they are killed (as Linux's
 * de_thread does) and the exec waits, its image built, for their exit
 * events; proc_exec_finish completes it.  The caller is blocked in its
 * call all the while.
 */
static long exec_pending(struct srv_req *r, struct proc *p, const struct srv_image *img,
			 const char *path)
{
	struct proc_exec *pe = p->pending_exec ? 0 : malloc(sizeof(*pe));
	long reply;

	if (!pe)
		return p->pending_exec ? -NH_EAGAIN : -NH_ENOMEM;
	reply = srv_defer(r);
	if (reply < 0) {
		free(pe);
		return reply;
	}
	*pe = (struct proc_exec){ .caller = r->client, .reply = reply, .img = *img };
	memcpy(pe->path, path, strnlen(path, sizeof(pe->path) - 1));	/* (zeroed: ended) */
	p->pending_exec = pe;
	proc_group_kill(p, pe->caller);
	return 0;
}

/* The caller becomes the process's only task, under the process's pid:
 * its endpoint and events rebadged, its own tid freed. */
static long take_over(struct proc *p, struct proc *t)
{
	long r = proc_attach_task(t->task, p->pid, p->pid, NH_HANDLE_REPLACE);

	if (r)
		return r;
	p->task = t->task;
	t->task = 0;
	proc_thread_remove(t);
	return 0;
}

void proc_exec_abandon(struct proc *p)
{
	struct proc_exec *pe = p->pending_exec;

	if (!pe)
		return;
	p->pending_exec = 0;
	nh_handle_close(pe->img.space);
	nh_handle_close(pe->reply);
	free(pe);
}

void proc_exec_finish(struct proc *p)
{
	struct proc_exec *pe = p->pending_exec;
	long err = pe->caller == p ? 0 : take_over(p, pe->caller);

	p->pending_exec = 0;
	if (!err)
		err = exec_commit(p, &pe->img, pe->path);
	if (err) {			/* its other threads are gone: it cannot go back */
		nh_handle_close(pe->img.space);
		proc_group_exit(p, SIGKILL);
	}
	nh_handle_close(pe->reply);	/* no reply: the call ends in the new image */
	free(pe);
}

/* ---- "#!" scripts ------------------------------------------------------------- */

#define SCRIPT_DEPTH	4		/* interpreters of interpreters: Linux's */
#define SCRIPT_STRINGS	(NH_IPC_BUF_MAX + 512)

struct strings {
	const char *s;
	size_t len;
	uint32_t argc;
};

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Append @n bytes of @s and a NUL to @out; -NH_E2BIG past its end. */
static long add(char *out, size_t *at, const char *s, size_t n)
{
	if (*at + n + 1 > SCRIPT_STRINGS)
		return -NH_E2BIG;
	memcpy(out + *at, s, n);
	out[*at + n] = '\0';
	*at += n + 1;
	return 0;
}

/*
 * The interpreter's strings for script @in whose line after "#!" is
 * @line: the interpreter as the path, then argv = interpreter, its one
 * optional argument (the rest of the line, trimmed), the script's path,
 * the script's argv from 1; envp unchanged.  -NH_ENOEXEC for an empty
 * line, -NH_E2BIG if they do not fit.
 */
static long script_strings(const char *line, const struct strings *in, char *out,
			   struct strings *res)
{
	const char *interp, *arg, *end, *rest = in->s + strlen(in->s) + 1;
	size_t at = 0, ilen, skip = in->argc ? strlen(rest) + 1 : 0;
	long r;

	for (interp = line; blank(*interp); interp++)
		;
	for (ilen = 0; interp[ilen] && !blank(interp[ilen]); ilen++)
		;
	for (arg = interp + ilen; blank(*arg); arg++)
		;
	for (end = arg + strlen(arg); end > arg && (blank(end[-1]) || end[-1] == '\r'); end--)
		;
	if (!ilen)
		return -NH_ENOEXEC;
	r = add(out, &at, interp, ilen);		/* the path */
	if (!r)
		r = add(out, &at, interp, ilen);	/* argv[0] */
	if (!r && end > arg)
		r = add(out, &at, arg, (size_t)(end - arg));
	if (!r)
		r = add(out, &at, in->s, strlen(in->s));	/* the script */
	if (!r && in->len - (size_t)(rest - in->s) - skip > SCRIPT_STRINGS - at)
		r = -NH_E2BIG;
	if (r)
		return r;
	memcpy(out + at, rest + skip, in->len - (size_t)(rest - in->s) - skip);
	*res = (struct strings){ .s = out, .len = at + in->len - (size_t)(rest - in->s) - skip,
				 .argc = (in->argc ? in->argc - 1 : 0) + 2 + (end > arg) };
	return 0;
}

/* The image of @cur's file as @pid finds it through the file server
 * (without one: in the archive). */
static long image_of(int32_t pid, const struct strings *cur, uint32_t envc,
		     struct srv_image *img)
{
	struct srv_image_src src = { 0 };
	uint32_t archive = 0;
	long r;

	if (proc_srv.fs_ctl <= 0)
		return srv_image_build(cur->s, cur->argc, envc, cur->s, cur->len, img);
	r = fs_ctl_exec_open(proc_srv.fs_ctl, pid, cur->s, strlen(cur->s), &archive, &src.offset,
			     &src.size, &src.obj);
	if (r)
		return r;
	src.archive = archive != 0;
	return srv_image_build_src(&src, cur->argc, envc, cur->s, cur->len, img);
}

/* The image of the file, or of its interpreters, as many as
 * SCRIPT_DEPTH deep (-NH_ELOOP past that). */
static long build_image(int32_t pid, const struct strings *first, uint32_t envc,
			struct srv_image *img)
{
	char buf[2][SCRIPT_STRINGS];
	struct strings cur = *first;
	long err;

	for (int depth = 0;; depth++) {
		err = image_of(pid, &cur, envc, img);
		if (err != SRV_IMAGE_SCRIPT)
			return err;
		if (depth == SCRIPT_DEPTH)
			return -NH_ELOOP;
		err = script_strings(img->interp, &cur, buf[depth & 1], &cur);
		if (err)
			return err;
	}
}

long proc_srv_execve(struct srv_req *r, uint32_t argc, uint32_t envc, const void *strings,
		     size_t strings_len)
{
	static char copy[NH_IPC_BUF_MAX];	/* [the server's lock] */
	struct proc *p = PROC_OF(r);
	struct strings in = { .s = copy, .len = strings_len, .argc = argc };
	struct srv_image img;
	long err = strings_check(strings, strings_len, argc, envc);

	if (!err && p->pending_exec)
		err = -NH_EAGAIN;
	if (err)
		return err;
	memcpy(copy, strings, strings_len);	/* the calls to the file server reuse the buffer */
	strings = copy;
	err = build_image(p->pid, &in, envc, &img);
	if (err)
		return err;
	if (p->nthreads > 1)
		err = exec_pending(r, p, &img, strings);
	else if (r->client != p)	/* the leader's task ended before */
		err = take_over(p, r->client);
	if (!err && !p->pending_exec)
		err = exec_commit(p, &img, strings);
	if (err)
		nh_handle_close(img.space);
	return err;
}
