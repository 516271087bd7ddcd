/*
 * The initramfs named by the device tree (linux,initrd-start/-end): a cpio
 * "newc" archive (lib/cpio.h has its rules), read-only, in place.
 */
#ifndef NUTHATCH_INITRAMFS_H
#define NUTHATCH_INITRAMFS_H

#include <stdbool.h>
#include <stddef.h>

/* Check the initramfs named by the DT; 0, -NH_ENOENT (none) or -NH_EBADMSG. */
int initramfs_init(void);

/* A file of the initramfs: 0, -NH_ENOENT (from the index when there is one). */
int initramfs_find(const char *path, const void **data, size_t *len);

struct memobj;

/* The archive as a read-only memory object: a new reference (and its
 * exact length in *len), or NULL (no initramfs, or no memory at boot);
 * *in_place: its pages are the initrd's own (else a copy: the initrd
 * does not start on a page, or shares one with another reservation). */
struct memobj *initramfs_object(size_t *len, bool *in_place);

/* The archive itself (NULL if none) and whether lookups use the index:
 * for the self-tests, which check the index against the walk. */
const void *initramfs_archive(size_t *len, bool *indexed);

#endif
