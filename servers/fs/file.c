/*
 * Open file descriptions (fs.h): made by open and pipe, shared by dup
 * and fork, freed when their last descriptor (or blocked call) lets go.
 * Reads and writes of nodes by kind; pipes are pipe.c's.
 */
#include <fcntl.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "fs.h"
#include "nhproto.h"

static struct pool files = POOL_INIT(struct fs_file);

/* Room for two full tables' worth of descriptions at start (64 KiB), so
 * that the usual load, an EMFILE test's included, does not grow the
 * server. */
long fs_file_init(void)
{
	return pool_reserve(&files, 2 * FS_FD_MAX) ? -NH_ENOMEM : 0;
}

struct fs_file *fs_file_new(struct fs_node *node, uint32_t flags)
{
	struct fs_file *f = pool_get(&files);

	if (!f)
		return 0;
	f->refs = 1;
	f->flags = flags;
	f->node = node;
	if (node)
		fs_node_get(node);
	fs_srv.nfiles++;
	return f;
}

void fs_file_get(struct fs_file *f)
{
	f->refs++;
}

void fs_file_put(struct fs_file *f)
{
	if (!f || --f->refs)
		return;
	if (f->pipe)
		fs_pipe_close_end(f->pipe, (f->flags & O_ACCMODE) == O_WRONLY);
	if (f->node)
		fs_node_put(f->node);
	if (f->snap)
		fs_procfs_release(f);
	fs_srv.nfiles--;
	pool_put(&files, f);
}

long fs_file_read(struct fs_file *f, void *buf, uint32_t count, uint64_t offset)
{
	struct fs_node *n = f->node;

	switch (n->kind) {
	case FS_DIR:
		return -NH_EISDIR;
	case FS_REG_INITRD:
		if (offset >= n->size)
			return 0;
		if (count > n->size - offset)
			count = (uint32_t)(n->size - offset);
		memcpy(buf, n->data + offset, count);
		return count;
	case FS_REG_TMP:
		return fs_tmp_read(n, buf, count, offset);
	case FS_PROC_FILE:
		return fs_procfs_read(f, buf, count, offset);
	default:
		return fs_dev_read(f, buf, count);
	}
}

long fs_file_write(struct fs_file *f, const void *buf, uint32_t count, uint64_t offset)
{
	switch (f->node->kind) {
	case FS_DIR:
		return -NH_EISDIR;
	case FS_REG_INITRD:
		return -NH_EBADF;	/* never opened for writing: the tree is read-only */
	case FS_PROC_FILE:
		return -NH_EINVAL;	/* Linux's: a file with no write */
	case FS_REG_TMP:
		return fs_tmp_write(f->node, buf, count, offset);
	default:
		return fs_dev_write(f, buf, count);
	}
}

/* Linux's struct linux_dirent64 (lib/nhproto.h: struct nh_dirent), each
 * padded to 8 bytes; the offset counts entries, "." and ".." first. */
size_t fs_dirent_put(uint8_t *out, size_t room, uint64_t ino, uint64_t next, uint8_t type,
		     const char *name, size_t len)
{
	size_t size = (offsetof(struct nh_dirent, name) + len + 1 + 7) & ~(size_t)7;
	struct nh_dirent d = { .ino = ino, .off = (int64_t)next, .reclen = (uint16_t)size,
			       .type = type };

	if (size > room)
		return 0;
	memset(out, 0, size);
	memcpy(out, &d, offsetof(struct nh_dirent, name));
	memcpy(out + offsetof(struct nh_dirent, name), name, len);
	return size;
}

static uint8_t dirent_type(const struct fs_node *n)
{
	if (n->kind == FS_DIR)
		return NH_DT_DIR;
	return n->kind < FS_DEV_NULL ? NH_DT_REG : NH_DT_CHR;
}

long fs_file_getdents(struct fs_file *f, void *buf, uint32_t count)
{
	struct fs_node *dir = f->node, *n = dir->children;
	uint8_t *out = buf;
	size_t used = 0, put;
	uint64_t i;

	if (dir->kind != FS_DIR)
		return -NH_ENOTDIR;
	if (dir->procfs == FS_PROCFS_ROOT)
		return fs_procfs_getdents(f, buf, count);
	for (i = 2; n && i < f->offset; i++)
		n = n->next;
	for (; f->offset < 2; f->offset++, used += put) {
		const struct fs_node *d = f->offset ? dir->parent : dir;

		put = fs_dirent_put(out + used, count - used, d->ino, f->offset + 1, NH_DT_DIR,
				 "..", f->offset + 1);
		if (!put)
			return used ? (long)used : -NH_EINVAL;
	}
	for (; n; n = n->next, f->offset++, used += put) {
		put = fs_dirent_put(out + used, count - used, n->ino, f->offset + 1, dirent_type(n),
				 n->name, n->namelen);
		if (!put)
			return used ? (long)used : -NH_EINVAL;
	}
	return (long)used;
}
