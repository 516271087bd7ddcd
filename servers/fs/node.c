/*
 * The name tree (fs.h): directories hold their children in a list in
 * the order they were made; paths are walked one component at a time,
 * "." and ".." included, from the root or a starting directory.
 */
#include <string.h>

#include <nuthatch/errno.h>

#include "fs.h"

static struct pool nodes = POOL_INIT(struct fs_node);
static void list_append(struct fs_node *dir, struct fs_node *n);
static struct fs_node root;
static uint64_t next_ino = 2;	/* the root's is 1 */

long fs_node_init(void)
{
	root = (struct fs_node){ .kind = FS_DIR, .mode = S_IFDIR | 0755, .nlink = 2,
				 .ino = 1, .parent = &root };
	return pool_reserve(&nodes, 1536) ? -NH_ENOMEM : 0;	/* the archive's, 1,000 in /tmp */
}

struct fs_node *fs_root(void)
{
	return &root;
}

struct fs_node *fs_node_child(const struct fs_node *dir, const char *name, size_t len)
{
	for (struct fs_node *n = dir->children; n; n = n->next)
		if (n->namelen == len && !memcmp(n->name, name, len))
			return n;
	return 0;
}

struct fs_node *fs_node_new(enum fs_node_kind kind, uint32_t mode, const char *name, size_t len)
{
	struct fs_node *n;

	if (len > FS_NAME_MAX || !(n = pool_get(&nodes)))
		return 0;
	n->kind = kind;
	n->mode = mode;
	n->nlink = kind == FS_DIR ? 2 : 1;
	n->ino = next_ino++;
	n->namelen = (uint16_t)len;
	memcpy(n->name, name, len);
	return n;
}

struct fs_node *fs_node_add(struct fs_node *dir, const char *name, size_t len,
			    enum fs_node_kind kind, uint32_t mode)
{
	struct fs_node *n = fs_node_new(kind, mode, name, len);

	if (!n)
		return 0;
	n->tmp = dir->tmp;
	list_append(dir, n);
	return n;
}

void fs_node_get(struct fs_node *n)
{
	n->refs++;
}

static void node_free(struct fs_node *n)
{
	if (n->kind == FS_REG_TMP)
		fs_tmp_release(n);
	pool_put(&nodes, n);
}

void fs_node_free(struct fs_node *n)
{
	for (struct fs_node *c = n->children, *next; c; c = next) {
		next = c->next;
		fs_node_free(c);
	}
	node_free(n);
}

void fs_node_put(struct fs_node *n)
{
	if (!--n->refs && n->unlinked)
		node_free(n);
}

/* @n off its parent's list. */
static void list_remove(struct fs_node *n)
{
	struct fs_node *dir = n->parent, **pp = &dir->children, *prev = 0;

	while (*pp != n) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	*pp = n->next;
	if (dir->last_child == n)
		dir->last_child = prev;
	n->next = 0;
	dir->size--;
	if (n->kind == FS_DIR)
		dir->nlink--;
}

static void list_append(struct fs_node *dir, struct fs_node *n)
{
	if (dir->last_child)
		dir->last_child->next = n;
	else
		dir->children = n;
	dir->last_child = n;
	n->parent = dir;
	dir->size++;
	if (n->kind == FS_DIR)
		dir->nlink++;
}

void fs_node_unlink(struct fs_node *n)
{
	list_remove(n);
	n->unlinked = 1;
	n->nlink = 0;
	if (!n->refs)
		node_free(n);
}

void fs_node_move(struct fs_node *n, struct fs_node *dir, const char *name, size_t len)
{
	list_remove(n);
	memcpy(n->name, name, len);
	n->namelen = (uint16_t)len;
	list_append(dir, n);
}

/* One step from @at by the component @name (@len bytes), for @self. */
static long step(struct fs_node **at, const char *name, size_t len, int32_t self)
{
	struct fs_node *n;

	if ((*at)->kind != FS_DIR)
		return -NH_ENOTDIR;
	if ((*at)->unlinked)
		return -NH_ENOENT;	/* a removed directory holds nothing, not even .. */
	if (len > FS_NAME_MAX)
		return -NH_ENAMETOOLONG;
	if (len == 1 && name[0] == '.')
		return 0;
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*at = (*at)->parent;
		return 0;
	}
	if ((*at)->procfs == FS_PROCFS_ROOT)
		return fs_procfs_step(at, name, len, self);
	n = fs_node_child(*at, name, len);
	if (!n)
		return -NH_ENOENT;
	*at = n;
	return 0;
}

long fs_walk(struct fs_node *start, const char *path, size_t len, int32_t self,
	     struct fs_node **out)
{
	struct fs_node *at = len && path[0] == '/' ? &root : start;
	size_t i = 0;

	if (!len)
		return -NH_ENOENT;	/* POSIX: the empty path names nothing */
	if (len >= FS_PATH_MAX)
		return -NH_ENAMETOOLONG;
	while (i < len) {
		size_t j = i;
		long r;

		while (j < len && path[j] != '/')
			j++;
		r = j > i ? step(&at, path + i, j - i, self) : 0;
		if (r)
			return r;
		i = j + 1;
	}
	/* "file/" names a directory: a trailing slash needs one */
	if (path[len - 1] == '/' && at->kind != FS_DIR)
		return -NH_ENOTDIR;
	*out = at;
	return 0;
}

long fs_node_path(const struct fs_node *n, char *buf, size_t room)
{
	size_t at = room;

	if (n->unlinked)
		return -NH_ENOENT;	/* Linux: a removed working directory has no path */
	if (room < 2)
		return -NH_ERANGE;
	buf[--at] = 0;
	for (; n != &root; n = n->parent) {
		if (at < n->namelen + 1u)
			return -NH_ERANGE;
		at -= n->namelen;
		memcpy(buf + at, n->name, n->namelen);
		buf[--at] = '/';
	}
	if (at == room - 1)
		buf[--at] = '/';
	memmove(buf, buf + at, room - at);
	return (long)(room - at - 1);
}

void fs_node_stat(const struct fs_node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = 1;
	st->st_ino = n->ino;
	st->st_mode = n->mode;
	st->st_nlink = n->nlink;
	st->st_size = n->kind == FS_DIR ? 0 : (off_t)n->size;
	st->st_blksize = 4096;
	st->st_blocks = (blkcnt_t)((st->st_size + 511) / 512);
	st->st_rdev = (dev_t)n->rdev;
}
