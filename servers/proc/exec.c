/*
 * execve: the request carries the path, argv and envp as one run of
 * NUL-ended strings (its count checked against argc + envc + 1).  The
 * new image is built whole (spawn.c: the file found, its ELF checked,
 * a space made and filled) before the caller is touched; any failure
 * (ENOENT, ENOEXEC, E2BIG, ENOMEM) answers the caller, which runs on as
 * it was.  The commit point is task_set_space: from the caller's next
 * return to user mode it runs the new image, its close-on-exec handles
 * closed by the kernel; its endpoint here (NH_PROC_HANDLE) stays.
 */
#include <string.h>

#include <nuthatch/errno.h>

#include "nuthatch.h"
#include "proc.h"
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

long proc_srv_execve(struct srv_req *r, uint32_t argc, uint32_t envc, const void *strings,
		     size_t strings_len)
{
	struct proc *p = r->client;
	struct proc_image img;
	long err = strings_check(strings, strings_len, argc, envc);

	if (!err)
		err = proc_image_build(strings, argc, envc, strings, strings_len, &img);
	if (err)
		return err;
	/* -- commit point: from its next return to user mode it is the new image -- */
	err = nh_task_set_space(p->task, img.space, img.entry, img.sp);
	if (err) {
		nh_handle_close(img.space);
		return err;
	}
	nh_handle_close(p->space);
	p->space = img.space;
	p->exec_count++;
	set_name(p, strings);
	proc_vfork_release(p);		/* a vfork parent runs again */
	return 0;
}
