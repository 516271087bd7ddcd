/*
 * /dev: null (reads end at once, writes vanish), zero (reads give
 * zeros) and console.  The console's reads, writes and terminal requests
 * go to the console server (servers/console) with the client's saved
 * reply granted: it acknowledges at once and answers the client itself
 * when a line is typed or the bytes are out, so this server never waits
 * on the terminal.  Without a console server (it could not start, or
 * died) writes go to the kernel's debug console and reads end at once.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>

#include <nuthatch/errno.h>

#include "fs.h"
#include "nhproto.h"
#include "nuthatch.h"
#include "proto/console.h"
#include "proto/fs_server.h"

/* The saved reply moves to the console server (answer it, ask for its
 * cancel notice): nothing is left here to close after the answer. */
#define GRANT_RIGHTS	(NH_RIGHT_WRITE | NH_IPC_GRANT_MOVE)

/* What a forward sends (the IPC buffer carries the forward too): touched
 * at start, so that the first console write makes no page. */
static char copy[FS_IO_MAX];

struct dev {
	const char *name;
	enum fs_node_kind kind;
	uint32_t rdev;		/* Linux's numbers */
};

static const struct dev devs[] = {
	{ "null", FS_DEV_NULL, 1 << 8 | 3 },
	{ "zero", FS_DEV_ZERO, 1 << 8 | 5 },
	{ "console", FS_DEV_CONSOLE, 5 << 8 | 1 },
};

long fs_dev_init(void)
{
	struct fs_node *dir = fs_node_child(fs_root(), "dev", 3);

	if (!dir)
		dir = fs_node_add(fs_root(), "dev", 3, FS_DIR, S_IFDIR | 0755);
	if (!dir || dir->kind != FS_DIR)
		return -NH_ENOMEM;
	memset(copy, 0, sizeof(copy));
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		size_t len = strlen(devs[i].name);
		struct fs_node *n = fs_node_child(dir, devs[i].name, len);

		if (!n && !(n = fs_node_add(dir, devs[i].name, len, devs[i].kind, 0)))
			return -NH_ENOMEM;
		n->kind = devs[i].kind;
		n->mode = S_IFCHR | 0666;
		n->rdev = devs[i].rdev;
		n->size = 0;
	}
	return 0;
}

long fs_dev_read(struct fs_file *f, void *buf, uint32_t count)
{
	if (f->node->kind == FS_DEV_ZERO) {
		memset(buf, 0, count);
		return count;
	}
	return 0;	/* null; the console until the console server */
}

long fs_dev_write(struct fs_file *f, const void *buf, uint32_t count)
{
	if (f->node->kind == FS_DEV_CONSOLE && count) {
		long r = nh_debug_write(buf, count);

		return r < 0 ? r : (long)count;
	}
	return count;
}

static int is_console(const struct fs_file *f)
{
	return f->node->kind == FS_DEV_CONSOLE;
}

/* Save @r's reply for the console server: its handle, or 0 (answered
 * here with the error). */
static long defer(struct srv_req *r)
{
	long reply = srv_defer(r);

	return reply > 0 ? reply : 0;
}

/* After a forward: the reply moved to the console server; on failure
 * (it is still here when the grant failed) answer the client here
 * (@fallback: what the call gets without a console). */
static void forwarded(long reply, long err, long fallback, uint64_t label)
{
	struct nh_handle_info info;

	if (err >= 0 || nh_handle_info(reply, &info) || info.type != NH_OBJ_REPLY)
		return;
	if (fallback >= 0 && label == FS_WRITE)
		fs_srv_write_answer(&fs_srv.srv, reply, (uint32_t)fallback, 0);
	else if (label == FS_READ)
		fs_srv_read_answer(&fs_srv.srv, reply, 0, 0, 0);
	else
		srv_answer_error(&fs_srv.srv, reply, err == -NH_EBADF ? -NH_ENOTTY : err);
}

int fs_dev_console_read(struct srv_req *r, struct fs_file *f, uint32_t count)
{
	long reply, err;

	if (!is_console(f))
		return 0;
	reply = defer(r);
	if (!reply)
		return 0;	/* (the loop answers) */
	err = console_read(NH_FS_CONSOLE_HANDLE, FS_CLIENT(r)->pid, count,
			   (f->flags & O_NONBLOCK) != 0, reply, GRANT_RIGHTS);
	forwarded(reply, err, 0, FS_READ);
	return 1;
}

int fs_dev_console_write(struct srv_req *r, struct fs_file *f, const void *data, size_t len)
{
	long reply, err;

	if (!is_console(f))
		return 0;
	memcpy(copy, data, len);
	reply = defer(r);
	if (!reply)
		return 0;
	err = console_write(NH_FS_CONSOLE_HANDLE, FS_CLIENT(r)->pid, reply, GRANT_RIGHTS,
			    copy, len);
	if (err < 0)
		nh_debug_write(copy, len);
	forwarded(reply, err, (long)len, FS_WRITE);
	return 1;
}

long fs_dev_console_ioctl(struct srv_req *r, struct fs_file *f, uint32_t cmd, const void *arg,
			  size_t len)
{
	long reply, err;

	if (!is_console(f))
		return -NH_ENOTTY;
	if (len > 256)
		return -NH_EINVAL;	/* (no terminal request takes more) */
	memcpy(copy, arg, len);
	reply = defer(r);
	if (!reply)
		return -NH_ENOMEM;
	err = console_ioctl(NH_FS_CONSOLE_HANDLE, FS_CLIENT(r)->pid, cmd, reply, GRANT_RIGHTS,
			    copy, len);
	forwarded(reply, err, -1, FS_IOCTL);
	return 0;
}
