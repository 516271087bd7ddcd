/*
 * The initramfs for the servers that read programs from it (the process
 * server's exec; the test server's bare programs), until the file server
 * serves it: the archive object (initrd_archive) mapped read-only once,
 * every page touched at once (the first lookup must not grow the server),
 * and its regular files in a hash index of their final entries (as the
 * kernel's, kernel/mm/initramfs.c), walked with the kernel's cpio reader
 * (kernel/lib/cpio.c, compiled into libserver).  Needs NH_PRIV_INITRD.
 */
#ifndef LIBSERVER_ARCHIVE_H
#define LIBSERVER_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

struct srv_file {
	const uint8_t *data;	/* in the mapped archive */
	size_t size;		/* exact */
	uint64_t offset;	/* of data in the archive object */
};

/* Map and index the archive (again: nothing); 0 or -NH_E*. */
long srv_archive_open(void);

/* The archive object's handle (READ|MAP), or <= 0 if not open. */
long srv_archive_object(void);

/* The mapped archive's bytes (its length in *@len), or 0 if not open:
 * for a server that walks every entry (cpio_next). */
const uint8_t *srv_archive_bytes(size_t *len);

/* The regular file @path: 0, -NH_ENOENT, -NH_ENODEV (no archive). */
long srv_archive_find(const char *path, struct srv_file *out);

#endif
