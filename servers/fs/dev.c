/*
 * /dev: null (reads end at once, writes vanish), zero (reads give
 * zeros) and console.  Until the console server takes the UART, the
 * console's writes go to the kernel's debug console (one write a call,
 * so one write never interleaves with another's) and its reads end at
 * once: nothing types yet.
 */
#include <string.h>

#include <nuthatch/errno.h>

#include "fs.h"
#include "nuthatch.h"

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
