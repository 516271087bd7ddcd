/*
 * The descriptor calls (servers/proto/fs.tbl): close, read, write,
 * pread, pwrite, lseek, dup3, fcntl, pipe2, fstat, getdents.  Each
 * checks the descriptor and its access mode first, then acts.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <nuthatch/errno.h>
#include <nuthatch/handle.h>

#include "archive.h"
#include "fs.h"
#include "proto/console.h"
#include "proto/fs_server.h"

#define SETFL_MASK	(O_APPEND | O_NONBLOCK)	/* what F_SETFL may change */

/* A device's offset stays 0 (Linux's for these); a file's moves. */
static int moves(const struct fs_file *f)
{
	return f->node->kind < FS_DEV_NULL;
}

static int can_read(const struct fs_file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static int can_write(const struct fs_file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

long fs_srv_close(struct srv_req *r, int32_t fd)
{
	return fs_fd_close(FS_CLIENT(r), fd);
}

long fs_srv_read(struct srv_req *r, int32_t fd, uint32_t count, uint32_t *file, void *data,
		 size_t *data_len)
{
	struct fs_file *f = fs_fd_get(FS_CLIENT(r), fd);
	long n;

	if (!f || !can_read(f))
		return -NH_EBADF;
	if (count > FS_IO_MAX)
		count = FS_IO_MAX;
	if (f->pipe) {
		*file = 2;	/* nothing read: the pipe's ring is the caller's (pipe.c) */
		return 0;
	}
	if (fs_dev_console_read(r, f, count))
		return 0;	/* the console server answers */
	*file = 1;
	n = fs_file_read(f, data, count, f->offset);
	if (n < 0)
		return n;
	if (moves(f))
		f->offset += (uint64_t)n;
	*data_len = (size_t)n;
	return 0;
}

long fs_srv_write(struct srv_req *r, int32_t fd, const void *data, size_t data_len,
		  uint32_t *done, uint32_t *ring)
{
	struct fs_file *f = fs_fd_get(FS_CLIENT(r), fd);
	long n;

	if (!f || !can_write(f))
		return -NH_EBADF;
	if (f->pipe) {
		*ring = 1;	/* nothing written: likewise */
		return 0;
	}
	if (fs_dev_console_write(r, f, data, data_len))
		return 0;
	if (f->flags & O_APPEND)
		f->offset = f->node->size;
	n = fs_file_write(f, data, (uint32_t)data_len, f->offset);
	if (n < 0)
		return n;
	if (moves(f))
		f->offset += (uint64_t)n;
	*done = (uint32_t)n;
	return 0;
}

long fs_srv_pread(struct srv_req *r, int32_t fd, uint32_t count, int64_t offset, void *data,
		  size_t *data_len)
{
	struct fs_file *f = fs_fd_get(FS_CLIENT(r), fd);
	long n;

	if (!f || !can_read(f))
		return -NH_EBADF;
	if (f->pipe || f->node->kind == FS_DEV_CONSOLE)
		return -NH_ESPIPE;
	if (offset < 0)
		return -NH_EINVAL;
	n = fs_file_read(f, data, count > FS_IO_MAX ? FS_IO_MAX : count, (uint64_t)offset);
	if (n < 0)
		return n;
	*data_len = (size_t)n;
	return 0;
}

long fs_srv_pwrite(struct srv_req *r, int32_t fd, int64_t offset, const void *data,
		   size_t data_len, uint32_t *done)
{
	struct fs_file *f = fs_fd_get(FS_CLIENT(r), fd);
	long n;

	if (!f || !can_write(f))
		return -NH_EBADF;
	if (f->pipe || f->node->kind == FS_DEV_CONSOLE)
		return -NH_ESPIPE;
	if (offset < 0)
		return -NH_EINVAL;
	n = fs_file_write(f, data, (uint32_t)data_len, (uint64_t)offset);
	if (n < 0)
		return n;
	*done = (uint32_t)n;
	return 0;
}

long fs_srv_lseek(struct srv_req *r, int32_t fd, int32_t whence, int64_t offset, int64_t *pos)
{
	struct fs_file *f = fs_fd_get(FS_CLIENT(r), fd);
	int64_t base;

	if (!f)
		return -NH_EBADF;
	if (f->pipe || f->node->kind == FS_DEV_CONSOLE)
		return -NH_ESPIPE;	/* (Linux's, for a terminal) */
	if (whence == SEEK_SET)
		base = 0;
	else if (whence == SEEK_CUR)
		base = (int64_t)f->offset;
	else if (whence == SEEK_END && f->node->kind != FS_DIR)
		base = (int64_t)f->node->size;
	else
		return -NH_EINVAL;
	if (!moves(f)) {
		*pos = 0;
		return 0;
	}
	if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0)
		return -NH_EINVAL;
	f->offset = (uint64_t)(base + offset);
	*pos = base + offset;
	return 0;
}

long fs_srv_dup3(struct srv_req *r, int32_t old, int32_t new, uint32_t flags, int32_t *fd)
{
	struct fs_client *c = FS_CLIENT(r);
	struct fs_file *f = fs_fd_get(c, old);
	long got;

	if (!f)
		return -NH_EBADF;
	if (new < 0) {
		got = fs_fd_install(c, f, 0, 0);	/* dup */
	} else {
		if (flags & ~(uint32_t)O_CLOEXEC)
			return -NH_EINVAL;
		if (new == old)
			return -NH_EINVAL;
		got = fs_fd_install_at(c, f, new, !!(flags & O_CLOEXEC));
		got = got < 0 ? got : new;
	}
	if (got < 0)
		return got;
	*fd = (int32_t)got;
	return 0;
}

long fs_srv_fcntl(struct srv_req *r, int32_t fd, int32_t cmd, int64_t arg, int64_t *value)
{
	struct fs_client *c = FS_CLIENT(r);
	struct fs_fd *s = fs_fd_slot(c, fd);

	if (!s)
		return -NH_EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0 || arg >= FS_FD_MAX)
			return -NH_EINVAL;
		*value = fs_fd_install(c, s->file, (int32_t)arg, cmd == F_DUPFD_CLOEXEC);
		return *value < 0 ? *value : 0;
	case F_GETFD:
		*value = s->cloexec ? FD_CLOEXEC : 0;
		return 0;
	case F_SETFD:
		s->cloexec = !!(arg & FD_CLOEXEC);
		return 0;
	case F_GETFL:
		*value = s->file->flags;
		return 0;
	case F_SETFL:
		s->file->flags = (s->file->flags & ~SETFL_MASK) | ((uint32_t)arg & SETFL_MASK);
		if (s->file->pipe)
			fs_pipe_set_nonblock(s->file);
		return 0;
	default:
		return -NH_EINVAL;
	}
}

long fs_srv_pipe2(struct srv_req *r, uint32_t flags, int32_t *rfd, int32_t *wfd, uint64_t *ino,
		  long *ring, uint32_t *ring_rights)
{
	struct fs_client *c = FS_CLIENT(r);
	uint32_t cloexec = !!(flags & O_CLOEXEC);
	struct fs_file *rd, *wr;
	long a, b;

	if (flags & ~(uint32_t)(O_CLOEXEC | O_NONBLOCK))
		return -NH_EINVAL;
	a = fs_pipe_new(&rd, &wr, flags & O_NONBLOCK);
	if (a)
		return a;
	a = fs_fd_install(c, rd, 0, cloexec);
	b = a < 0 ? a : fs_fd_install(c, wr, 0, cloexec);
	if (b < 0 && a >= 0)
		fs_fd_close(c, (int32_t)a);
	fs_file_put(rd);	/* the descriptors hold them now (or nothing does) */
	fs_file_put(wr);
	if (b < 0)
		return b;
	*rfd = (int32_t)a;
	*wfd = (int32_t)b;
	*ino = rd->pipe->ino;
	*ring = rd->pipe->obj;	/* (a copy goes: this server keeps its own) */
	*ring_rights = NH_RIGHT_READ | NH_RIGHT_WRITE | NH_RIGHT_MAP;
	return 0;
}

long fs_srv_fstat(struct srv_req *r, int32_t fd, struct stat *st)
{
	struct fs_file *f = fs_fd_get(FS_CLIENT(r), fd);

	if (!f)
		return -NH_EBADF;
	if (f->pipe)
		fs_pipe_stat(f->pipe, st);
	else
		fs_node_stat(f->node, st);
	return 0;
}

long fs_srv_getdents(struct srv_req *r, int32_t fd, uint32_t count, void *ents, size_t *ents_len)
{
	struct fs_file *f = fs_fd_get(FS_CLIENT(r), fd);
	long n;

	if (!f)
		return -NH_EBADF;
	if (f->pipe)
		return -NH_ENOTDIR;
	n = fs_file_getdents(f, ents, count > FS_IO_MAX ? FS_IO_MAX : count);
	if (n < 0)
		return n;
	*ents_len = (size_t)n;
	return 0;
}

long fs_srv_ioctl(struct srv_req *r, int32_t fd, uint32_t cmd, const void *arg, size_t arg_len,
		  void *out, size_t *out_len)
{
	struct fs_file *f = fs_fd_get(FS_CLIENT(r), fd);

	*out_len = 0;
	if (!f)
		return -NH_EBADF;
	if (cmd == FIONREAD && (f->pipe || f->node->kind == FS_REG_INITRD ||
				f->node->kind == FS_REG_TMP)) {
		int n = f->pipe ? (int)fs_pipe_held(f->pipe) :
			f->offset < f->node->size ? (int)(f->node->size - f->offset) : 0;

		memcpy(out, &n, sizeof(n));
		*out_len = sizeof(n);
		return 0;
	}
	if (f->pipe)
		return -NH_ENOTTY;
	return fs_dev_console_ioctl(r, f, cmd, arg, arg_len);
}

/* An initramfs file open to read at @fd of @r's caller, or 0. */
static struct fs_file *mappable(struct srv_req *r, int32_t fd)
{
	struct fs_file *f = fs_fd_get(FS_CLIENT(r), fd);

	return f && !f->pipe && can_read(f) && f->node->kind == FS_REG_INITRD ? f : 0;
}

long fs_srv_map_file(struct srv_req *r, int32_t fd, uint64_t *base, uint64_t *size, long *obj,
		     uint32_t *obj_rights)
{
	struct fs_file *f = mappable(r, fd);
	size_t alen;

	if (!f)
		return fs_fd_get(FS_CLIENT(r), fd) ? -NH_ENODEV : -NH_EBADF;
	*base = (uint64_t)(f->node->data - srv_archive_bytes(&alen));
	*size = f->node->size;
	*obj = srv_archive_object();
	*obj_rights = NH_RIGHT_READ | NH_RIGHT_MAP;
	return 0;
}

long fs_srv_read_map(struct srv_req *r, int32_t fd, uint32_t count, uint64_t *at, uint32_t *got)
{
	struct fs_file *f = mappable(r, fd);
	uint64_t size;

	if (!f)
		return fs_fd_get(FS_CLIENT(r), fd) ? -NH_ENODEV : -NH_EBADF;
	size = f->node->size;
	*at = f->offset;
	*got = f->offset >= size ? 0 : size - f->offset < count ? (uint32_t)(size - f->offset) : count;
	f->offset += *got;
	return 0;
}

long fs_srv_console_stat(struct srv_req *r, uint32_t *readers, uint32_t *lines, uint64_t *rx,
			 uint64_t *tx, uint64_t *lost)
{
	long err = console_stat(NH_FS_CONSOLE_HANDLE, readers, lines, rx, tx, lost);

	(void)r;
	return err == -NH_EBADF ? -NH_ENODEV : err;
}
