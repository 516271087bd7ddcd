/*
 * The calls that change names and sizes (servers/proto/fs.tbl):
 * unlinkat (and rmdir), mkdirat, renameat, ftruncate, truncate, and the
 * umask they apply.  Only /tmp's nodes change (EROFS elsewhere); the
 * rules and errors are Linux's.
 */
#include <fcntl.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "fs.h"
#include "proto/fs_server.h"

/* ".", "..", or nothing ("/"'s last name): the directory itself or its parent. */
static int is_dot(const char *name, size_t n)
{
	return !n || (n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '.');
}

/* The node @path names and its directory: 0 or -NH_E*. */
static long find_pair(struct fs_client *c, int32_t dirfd, const char *path, size_t len,
		      struct fs_node **dir, struct fs_node **n, const char **name, size_t *nlen)
{
	long err = fs_resolve_parent(c, dirfd, path, len, dir, name, nlen);

	if (err)
		return err;
	*n = is_dot(*name, *nlen) ? 0 : fs_node_child(*dir, *name, *nlen);
	return 0;
}

static long rmdir_check(const struct fs_node *dir, const struct fs_node *n,
			const char *name, size_t nlen)
{
	if (!nlen)
		return -NH_EBUSY;	/* the root */
	if (nlen == 1 && name[0] == '.')
		return -NH_EINVAL;
	if (is_dot(name, nlen))
		return -NH_ENOTEMPTY;
	if (!n)
		return -NH_ENOENT;
	if (n->kind != FS_DIR)
		return -NH_ENOTDIR;
	if (!dir->tmp)
		return dir->procfs ? -NH_EPERM : -NH_EROFS;
	return n->children ? -NH_ENOTEMPTY : 0;
}

long fs_srv_unlinkat(struct srv_req *r, int32_t dirfd, uint32_t flags, const void *path,
		     size_t path_len)
{
	struct fs_node *dir, *n;
	const char *name;
	size_t nlen;
	long err;

	if (flags & ~(uint32_t)AT_REMOVEDIR)
		return -NH_EINVAL;
	err = find_pair(FS_CLIENT(r), dirfd, path, path_len, &dir, &n, &name, &nlen);
	if (!err && (flags & AT_REMOVEDIR))
		err = rmdir_check(dir, n, name, nlen);
	else if (!err && !n)
		err = is_dot(name, nlen) ? -NH_EISDIR : -NH_ENOENT;
	else if (!err)
		err = n->kind == FS_DIR ? -NH_EISDIR : dir->procfs ? -NH_EPERM :
		      !dir->tmp ? -NH_EROFS : 0;
	if (!err && !(flags & AT_REMOVEDIR) && ((const char *)path)[path_len - 1] == '/')
		err = -NH_ENOTDIR;	/* "file/" */
	if (err)
		return err;
	fs_node_unlink(n);
	return 0;
}

long fs_srv_mkdirat(struct srv_req *r, int32_t dirfd, uint32_t mode, const void *path,
		    size_t path_len)
{
	struct fs_client *c = FS_CLIENT(r);
	struct fs_node *dir, *n;
	const char *name;
	size_t nlen;
	long err = find_pair(c, dirfd, path, path_len, &dir, &n, &name, &nlen);

	if (err)
		return err;
	if (n || is_dot(name, nlen))
		return -NH_EEXIST;
	if (!dir->tmp)
		return dir->procfs ? -NH_ENOENT : -NH_EROFS;	/* (Linux's answers) */
	if (dir->unlinked)
		return -NH_ENOENT;
	n = fs_node_add(dir, name, nlen, FS_DIR, S_IFDIR | (mode & 07777 & ~c->umask));
	return n ? 0 : -NH_ENOSPC;
}

/* Is @n @dir or above it?  (A directory may not move under itself.) */
static int above(const struct fs_node *n, const struct fs_node *dir)
{
	for (;;) {
		if (dir == n)
			return 1;
		if (dir == fs_root())
			return 0;
		dir = dir->parent;
	}
}

/* May @from replace @to (0: nothing there)?  Linux's rules. */
static long replace_check(const struct fs_node *from, const struct fs_node *to)
{
	if (!to || to == from)
		return 0;
	if (from->kind == FS_DIR && to->kind != FS_DIR)
		return -NH_ENOTDIR;
	if (from->kind != FS_DIR && to->kind == FS_DIR)
		return -NH_EISDIR;
	return to->kind == FS_DIR && to->children ? -NH_ENOTEMPTY : 0;
}

long fs_srv_renameat(struct srv_req *r, int32_t olddirfd, int32_t newdirfd, uint32_t oldlen,
		     const void *paths, size_t paths_len)
{
	struct fs_client *c = FS_CLIENT(r);
	struct fs_node *odir, *o, *ndir, *t;
	const char *oname, *nname, *p = paths;
	size_t olen, nlen;
	long err;

	if (oldlen > paths_len)
		return -NH_EINVAL;
	err = find_pair(c, olddirfd, p, oldlen, &odir, &o, &oname, &olen);
	if (!err)
		err = find_pair(c, newdirfd, p + oldlen, paths_len - oldlen, &ndir, &t, &nname, &nlen);
	if (!err && (is_dot(oname, olen) || is_dot(nname, nlen)))
		err = -NH_EBUSY;	/* Linux: "." or ".." as either last name */
	else if (!err && !o)
		err = -NH_ENOENT;
	if (!err && odir->tmp != ndir->tmp)
		err = -NH_EXDEV;	/* across file systems */
	else if (!err && !odir->tmp)
		err = odir->procfs ? -NH_EPERM : -NH_EROFS;
	if (!err && o->kind == FS_DIR && above(o, ndir))
		err = -NH_EINVAL;	/* into itself */
	if (!err)
		err = replace_check(o, t);
	if (err || t == o)
		return err;
	if (t)
		fs_node_unlink(t);
	fs_node_move(o, ndir, nname, nlen);
	return 0;
}

long fs_srv_ftruncate(struct srv_req *r, int32_t fd, int64_t length)
{
	struct fs_file *f = fs_fd_get(FS_CLIENT(r), fd);

	if (!f)
		return -NH_EBADF;
	if (f->pipe || f->node->kind != FS_REG_TMP || (f->flags & O_ACCMODE) == O_RDONLY)
		return -NH_EINVAL;
	return fs_tmp_truncate(f->node, length);
}

long fs_srv_truncate(struct srv_req *r, int32_t dirfd, int64_t length, const void *path,
		     size_t path_len)
{
	struct fs_node *n;
	long err = fs_resolve(FS_CLIENT(r), dirfd, path, path_len, &n);

	if (err)
		return err;
	if (n->kind == FS_DIR)
		return -NH_EISDIR;
	if (n->kind != FS_REG_TMP)
		return n->kind == FS_REG_INITRD ? -NH_EROFS : -NH_EINVAL;
	return fs_tmp_truncate(n, length);
}

long fs_srv_umask(struct srv_req *r, uint32_t mask, uint32_t *old)
{
	*old = FS_CLIENT(r)->umask;
	FS_CLIENT(r)->umask = mask & 0777;
	return 0;
}
