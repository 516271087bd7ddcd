/*
 * The RAM file system under /tmp: files and directories that may be
 * made, written, truncated, renamed and removed.  A file's bytes live in
 * a memory object of its own (1 GiB at most, made at its first write),
 * reached through memobj_read and memobj_write, never mapped here: the
 * object's pages appear as they are written, a hole reads as zeros and
 * stays a hole (sparse files cost what they hold), truncation drops the
 * pages past the new end (memobj_punch), and the last close of an
 * unlinked file closes the object, which gives every page back.
 */
#include <string.h>

#include <nuthatch/errno.h>

#include "fs.h"
#include "nuthatch.h"

long fs_tmp_init(void)
{
	struct fs_node *tmp = fs_node_child(fs_root(), "tmp", 3);

	if (!tmp)
		tmp = fs_node_add(fs_root(), "tmp", 3, FS_DIR, 0);
	if (!tmp || tmp->kind != FS_DIR)
		return -NH_ENOMEM;
	tmp->mode = S_IFDIR | 01777;	/* everyone's, sticky */
	tmp->tmp = 1;
	return 0;
}

long fs_tmp_read(struct fs_node *n, void *buf, uint32_t count, uint64_t offset)
{
	long r;

	if (offset >= n->size)
		return 0;
	if (count > n->size - offset)
		count = (uint32_t)(n->size - offset);
	if (!n->obj) {
		memset(buf, 0, count);	/* made longer by truncate: all hole */
		return count;
	}
	r = nh_memobj_read(n->obj, offset, buf, count);
	return r < 0 ? r : count;
}

long fs_tmp_write(struct fs_node *n, const void *buf, uint32_t count, uint64_t offset)
{
	long r;

	if (!count)
		return 0;
	if (offset >= FS_TMP_FILE_MAX || count > FS_TMP_FILE_MAX - offset)
		return -NH_EFBIG;
	if (!n->obj) {
		n->obj = nh_memobj_create(FS_TMP_FILE_MAX);
		if (n->obj < 0) {
			n->obj = 0;
			return -NH_ENOSPC;
		}
	}
	r = nh_memobj_write(n->obj, offset, buf, count);
	if (r < 0)
		return r == -NH_ENOMEM ? -NH_ENOSPC : r;
	if (offset + count > n->size)
		n->size = offset + count;
	return count;
}

long fs_tmp_truncate(struct fs_node *n, int64_t length)
{
	long r = 0;

	if (length < 0)
		return -NH_EINVAL;
	if ((uint64_t)length > FS_TMP_FILE_MAX)
		return -NH_EFBIG;
	if ((uint64_t)length < n->size && n->obj)
		r = nh_memobj_punch(n->obj, (uint64_t)length, n->size - (uint64_t)length);
	if (!r)
		n->size = (uint64_t)length;
	return r;
}

void fs_tmp_release(struct fs_node *n)
{
	if (n->obj > 0)
		nh_handle_close(n->obj);
	n->obj = 0;
}
