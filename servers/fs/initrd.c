/*
 * The initramfs as the read-only tree under "/": every entry of the
 * archive (libserver's archive.c maps it once) becomes a node, its
 * directories made as its paths need them; a regular file's bytes stay
 * in the mapped archive, its size exact.  A later entry of the same name
 * replaces an earlier one's data and mode, as when Linux unpacks it.
 * Symbolic links, devices and fifos in the archive are left out.
 */
#include <string.h>

#include <nuthatch/errno.h>

#include "archive.h"
#include "fs.h"
#include "lib/cpio.h"

/* The directory @name (@len bytes) under @dir, made if missing. */
static struct fs_node *dir_of(struct fs_node *dir, const char *name, size_t len)
{
	struct fs_node *n = fs_node_child(dir, name, len);

	if (n)
		return n->kind == FS_DIR ? n : 0;
	return fs_node_add(dir, name, len, FS_DIR, S_IFDIR | 0755);
}

/* Set a node's contents from the entry @e. */
static void fill(struct fs_node *n, const struct cpio_file *e)
{
	n->mode = (e->mode & 07777) | (n->kind == FS_DIR ? S_IFDIR : S_IFREG);
	if (n->kind == FS_REG_INITRD) {
		n->data = e->data;
		n->size = e->size;
	}
}

/* The entry @e into the tree: 0, or -NH_ENOMEM. */
static long add_entry(const struct cpio_file *e)
{
	uint32_t type = e->mode & CPIO_S_IFMT;
	size_t n = e->namelen;
	const char *name = cpio_strip_lead(e->name, &n);
	struct fs_node *dir = fs_root(), *node;
	size_t i = 0, j;

	if ((type != CPIO_S_IFREG && type != CPIO_S_IFDIR) || !n || !strcmp(name, "."))
		return 0;
	for (;;) {
		for (j = i; j < n && name[j] != '/'; j++)
			;
		if (j == n)
			break;
		if (j > i && !(dir = dir_of(dir, name + i, j - i)))
			return -NH_ENOMEM;
		i = j + 1;
	}
	if (i == n)
		return 0;
	node = fs_node_child(dir, name + i, n - i);
	if (node && (node->kind == FS_DIR) != (type == CPIO_S_IFDIR))
		return 0;	/* a file over a directory, or the reverse: the first stays */
	if (!node)
		node = fs_node_add(dir, name + i, n - i,
				   type == CPIO_S_IFDIR ? FS_DIR : FS_REG_INITRD, 0);
	if (!node)
		return -NH_ENOMEM;
	fill(node, e);
	return 0;
}

long fs_initrd_load(void)
{
	size_t len, off = 0;
	const uint8_t *a;
	struct cpio_file e;
	long r = srv_archive_open();
	int got;

	if (r)
		return r;
	a = srv_archive_bytes(&len);
	while ((got = cpio_next(a, len, &off, &e)) > 0)
		if ((r = add_entry(&e)))
			return r;
	return got < 0 ? got : 0;
}
