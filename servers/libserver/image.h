/*
 * Program images (image.c): an initramfs executable built into a new
 * address space, ready for a task to start in at entry with sp.
 */
#ifndef SERVERS_IMAGE_H
#define SERVERS_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define SRV_INTERP_MAX		256	/* a "#!" line's bytes, as Linux's BINPRM_BUF_SIZE */
#define SRV_IMAGE_SCRIPT	1	/* srv_image_build: a "#!" script */

struct srv_image {
	long space;			/* a new space, ready to run */
	uint64_t entry, sp;
	uint64_t arg_start, arg_end;	/* its argv strings on the stack (Linux's
					   mm->arg_start, arg_end: /proc's cmdline) */
	uint64_t env_end;		/* ... and its envp strings' end (env_start
					   is arg_end) */
	char interp[SRV_INTERP_MAX];	/* a script's line after "#!" */
};

/*
 * Build @path's image with @strings (the path, then argc argv and envc
 * envp strings, each NUL-ended, @len bytes in all); 0 or -NH_ENOENT,
 * -NH_ENOEXEC, -NH_E2BIG, -NH_ENOMEM, with nothing left behind.  A file
 * that starts with "#!" is not built: SRV_IMAGE_SCRIPT, and img->interp
 * holds the rest of its first line (the caller runs the interpreter).
 */
long srv_image_build(const char *path, uint32_t argc, uint32_t envc,
		     const char *strings, size_t len, struct srv_image *img);

/* An executable the file server found (fs.tbl's ctl_exec_open): in the
 * archive at @offset (@obj: a handle to the archive, closed here), or a
 * RAM file's memory object @obj (mapped, copied, closed here). */
struct srv_image_src {
	long obj;
	int archive;
	uint64_t offset, size;
};

/* srv_image_build for @src rather than a path in the archive. */
long srv_image_build_src(const struct srv_image_src *src, uint32_t argc, uint32_t envc,
			 const char *strings, size_t len, struct srv_image *img);

/* Touch the builder's own memory once, at a server's start, so that the
 * first large image does not grow the server (the leak checks would see
 * it). */
void srv_image_warm(void);

#endif
