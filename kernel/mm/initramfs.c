/*
 * The initramfs: the cpio archive the device tree points at, checked once
 * at boot and read in place through the direct map.
 */
#include "mm/initramfs.h"

#include <nuthatch/errno.h>

#include "core/boot.h"
#include "lib/cpio.h"
#include "mm/kmap.h"

static const void *initramfs;	/* [I] after initramfs_init */
static size_t initramfs_len;	/* [I] */

int initramfs_init(void)
{
	const struct platform *p = &boot_platform;
	int err;

	if (!p->has_initrd)
		return -NH_ENOENT;
	initramfs = kmap_phys(p->initrd_start);
	initramfs_len = p->initrd_end - p->initrd_start;
	err = cpio_check(initramfs, initramfs_len);
	if (err)
		initramfs = 0;
	return err;
}

int initramfs_find(const char *path, const void **data, size_t *len)
{
	struct cpio_file f;
	int err;

	if (!initramfs)
		return -NH_ENOENT;
	err = cpio_find(initramfs, initramfs_len, path, &f);
	if (err)
		return err;
	*data = f.data;
	*len = f.size;
	return 0;
}
