/*
 * The path calls (servers/proto/fs.tbl): openat, fstatat, chdir,
 * getcwd, faccessat.  Paths come as bytes without their NUL, relative to
 * a directory descriptor or the caller's working directory.  The
 * initramfs's tree is read-only: a write access or a creation there is
 * EROFS (Linux's answer on a read-only file system); /tmp's (tmp.c) may
 * change, and /dev's devices take any access.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <nuthatch/errno.h>
#include <nuthatch/handle.h>

#include "archive.h"
#include "fs.h"
#include "proto/fs_server.h"

#define OPEN_KNOWN	(O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_NONBLOCK | \
			 O_CLOEXEC | O_DIRECTORY | O_NOCTTY | O_NOFOLLOW)
#define FILE_FLAGS	(O_ACCMODE | O_APPEND | O_NONBLOCK)	/* kept in the description */

long fs_resolve(struct fs_client *c, int32_t dirfd, const char *path, size_t len,
		struct fs_node **out)
{
	struct fs_node *start = c->cwd;

	if (memchr(path, 0, len))
		return -NH_EINVAL;
	if (dirfd != AT_FDCWD && !(len && path[0] == '/')) {
		struct fs_file *d = fs_fd_get(c, dirfd);

		if (!d)
			return -NH_EBADF;
		if (d->pipe || d->node->kind != FS_DIR)
			return -NH_ENOTDIR;
		start = d->node;
	}
	return fs_walk(start, path, len, c->pid, out);
}

long fs_resolve_parent(struct fs_client *c, int32_t dirfd, const char *path, size_t len,
		       struct fs_node **dir, const char **name, size_t *namelen)
{
	size_t end = len, cut;
	long err;

	if (memchr(path, 0, len))
		return -NH_EINVAL;
	while (end > 1 && path[end - 1] == '/')
		end--;
	for (cut = end; cut && path[cut - 1] != '/'; cut--)
		;
	*name = path + cut;
	*namelen = end - cut;
	if (!len)
		return -NH_ENOENT;
	if (*namelen > FS_NAME_MAX)
		return -NH_ENAMETOOLONG;
	if (!cut) {
		err = fs_resolve(c, dirfd, ".", 1, dir);
		return err;
	}
	err = fs_resolve(c, dirfd, path, cut, dir);
	if (!err && (*dir)->kind != FS_DIR)
		err = -NH_ENOTDIR;
	return err;
}

/* O_CREAT of the missing file @path: made in a /tmp directory, EROFS
 * elsewhere, its directory's error if that is missing too. */
static long create(struct fs_client *c, int32_t dirfd, const char *path, size_t len,
		   uint32_t mode, struct fs_node **out)
{
	struct fs_node *dir;
	const char *name;
	size_t n;
	long err = fs_resolve_parent(c, dirfd, path, len, &dir, &name, &n);

	if (err)
		return err;
	if (!dir->tmp)
		return dir->procfs ? -NH_ENOENT : -NH_EROFS;	/* (Linux's answers) */
	if (dir->unlinked)
		return -NH_ENOENT;
	if (path[len - 1] == '/')
		return -NH_EISDIR;	/* Linux: O_CREAT of "name/" */
	*out = fs_node_add(dir, name, n, FS_REG_TMP, S_IFREG | (mode & 07777 & ~c->umask));
	return *out ? 0 : -NH_ENOSPC;
}

static int is_device(const struct fs_node *n)
{
	return n->kind >= FS_DEV_NULL;
}

/* May a file @n be opened with @flags?  0 or why not. */
static long open_check(const struct fs_node *n, uint32_t flags)
{
	uint32_t acc = flags & O_ACCMODE;

	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -NH_EEXIST;
	if ((flags & O_DIRECTORY) && n->kind != FS_DIR)
		return -NH_ENOTDIR;
	if (n->kind == FS_DIR && (acc != O_RDONLY || (flags & O_TRUNC) || (flags & O_CREAT)))
		return -NH_EISDIR;
	if (n->kind == FS_REG_INITRD && (acc != O_RDONLY || (flags & O_TRUNC)))
		return -NH_EROFS;
	return 0;
}

long fs_srv_openat(struct srv_req *r, int32_t dirfd, uint32_t flags, uint32_t mode,
		   const void *path, size_t path_len, int32_t *fd)
{
	struct fs_client *c = FS_CLIENT(r);
	struct fs_node *n;
	struct fs_file *f;
	long got;

	if ((flags & ~(uint32_t)OPEN_KNOWN) || (flags & O_ACCMODE) == O_ACCMODE)
		return -NH_EINVAL;
	got = fs_resolve(c, dirfd, path, path_len, &n);
	if (got == -NH_ENOENT && (flags & O_CREAT))
		got = create(c, dirfd, path, path_len, mode, &n);
	else if (!got)
		got = open_check(n, flags);
	if (!got && (flags & O_TRUNC) && n->kind == FS_REG_TMP && (flags & O_ACCMODE) != O_RDONLY)
		got = fs_tmp_truncate(n, 0);
	if (got)
		return got;
	if (fs_procfs_asks(n, FS_PROCFS_OPEN))
		return fs_procfs_ask(r, n, FS_PROCFS_OPEN, flags);
	f = fs_file_new(n, flags & FILE_FLAGS);
	if (!f)
		return -NH_ENOMEM;
	got = fs_fd_install(c, f, 0, !!(flags & O_CLOEXEC));
	fs_file_put(f);
	if (got < 0)
		return got;
	*fd = (int32_t)got;
	return 0;
}

long fs_srv_fstatat(struct srv_req *r, int32_t dirfd, uint32_t flags, const void *path,
		    size_t path_len, struct stat *st)
{
	struct fs_node *n;
	long err;

	if (flags & ~(uint32_t)AT_SYMLINK_NOFOLLOW)
		return -NH_EINVAL;	/* (no symbolic links yet: both are the same) */
	err = fs_resolve(FS_CLIENT(r), dirfd, path, path_len, &n);
	if (err)
		return err;
	if (fs_procfs_asks(n, FS_PROCFS_FSTATAT))
		return fs_procfs_ask(r, n, FS_PROCFS_FSTATAT, 0);
	fs_node_stat(n, st);
	return 0;
}

long fs_srv_chdir(struct srv_req *r, int32_t fd, const void *path, size_t path_len)
{
	struct fs_client *c = FS_CLIENT(r);
	struct fs_node *n;
	long err;

	if (fd >= 0) {
		struct fs_file *f = fs_fd_get(c, fd);

		if (path_len)
			return -NH_EINVAL;
		if (!f)
			return -NH_EBADF;
		if (f->pipe)
			return -NH_ENOTDIR;
		n = f->node;
	} else {
		err = fs_resolve(c, AT_FDCWD, path, path_len, &n);
		if (err)
			return err;
		if (n->kind == FS_DIR && fs_procfs_asks(n, FS_PROCFS_CHDIR))
			return fs_procfs_ask(r, n, FS_PROCFS_CHDIR, 0);
	}
	if (n->kind != FS_DIR)
		return -NH_ENOTDIR;
	fs_node_get(n);
	fs_node_put(c->cwd);
	c->cwd = n;
	return 0;
}

long fs_srv_getcwd(struct srv_req *r, void *path, size_t *path_len)
{
	long n = fs_node_path(FS_CLIENT(r)->cwd, path, FS_IO_MAX);

	if (n < 0)
		return n;
	*path_len = (size_t)n + 1;
	return 0;
}

long fs_srv_faccessat(struct srv_req *r, int32_t dirfd, int32_t mode, const void *path,
		      size_t path_len)
{
	struct fs_node *n;
	long err;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -NH_EINVAL;
	err = fs_resolve(FS_CLIENT(r), dirfd, path, path_len, &n);
	if (err)
		return err;
	/* (/proc's r--r--r-- files: uid 0 may open them to write, as on
	 * Linux, where a write then gets EINVAL) */
	if ((mode & W_OK) && !is_device(n) && !n->tmp && !n->procfs && n->kind != FS_PROC_FILE)
		return -NH_EROFS;
	/* uid 0 may read and write anything; it may execute what has an x bit */
	if ((mode & X_OK) && n->kind != FS_DIR && !(n->mode & 0111))
		return -NH_EACCES;
	if (fs_procfs_asks(n, FS_PROCFS_ACCESS))
		return fs_procfs_ask(r, n, FS_PROCFS_ACCESS, 0);
	return 0;
}

/*
 * exec's file (the process server's control call): @pid's @path, which
 * must be a regular file with an x bit (EACCES: a directory, a device, no
 * x bit; uid 0 needs one too, as on Linux); its bytes as an offset into
 * the archive object, or a RAM file's object itself (copied by the
 * builder: a later write to the file must not show in the running
 * program).  An empty file is ENOEXEC.
 */
long fs_srv_ctl_exec_open(struct srv_req *r, int32_t pid, const void *path, size_t path_len,
			  uint32_t *archive, uint64_t *offset, uint64_t *size, long *obj,
			  uint32_t *obj_rights)
{
	struct fs_client *c = fs_client_find(pid);
	struct fs_node *n;
	size_t alen;
	long err;

	if (!fs_is_ctl(r))
		return -NH_EACCES;
	if (!c)
		return -NH_ESRCH;
	err = fs_resolve(c, AT_FDCWD, path, path_len, &n);
	if (err)
		return err;
	if ((n->kind != FS_REG_INITRD && n->kind != FS_REG_TMP) || !(n->mode & 0111))
		return -NH_EACCES;
	if (!n->size || (n->kind == FS_REG_TMP && !n->obj))
		return -NH_ENOEXEC;
	*size = n->size;
	*archive = n->kind == FS_REG_INITRD;
	*offset = *archive ? (uint64_t)(n->data - srv_archive_bytes(&alen)) : 0;
	*obj = *archive ? srv_archive_object() : n->obj;
	*obj_rights = NH_RIGHT_READ | NH_RIGHT_MAP;
	return 0;
}
