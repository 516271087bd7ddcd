/*
 * The initramfs named by the device tree (linux,initrd-start/-end): a cpio
 * "newc" archive (lib/cpio.h has its rules), read-only, in place.
 */
#ifndef NUTHATCH_INITRAMFS_H
#define NUTHATCH_INITRAMFS_H

#include <stddef.h>

/* Check the initramfs named by the DT; 0, -NH_ENOENT (none) or -NH_EBADMSG. */
int initramfs_init(void);

/* A file of the initramfs: 0, -NH_ENOENT. */
int initramfs_find(const char *path, const void **data, size_t *len);

#endif
