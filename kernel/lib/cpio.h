/*
 * Bounds-checked reader for the initramfs: cpio archives in the "newc"
 * (SVR4 portable ASCII) format, written from the GNU cpio manual's
 * description of it.  Freestanding: no allocation, no recursion, only
 * kstring.h; results point into the archive, nothing is copied.
 *
 * Layout.  Each entry is a 110-byte header: the magic "070701", then 13
 * fields of 8 hex digits (either case): ino, mode, uid, gid, nlink, mtime,
 * filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check.
 * The name follows (namesize bytes, its NUL included), padded with NULs
 * so header + name is a multiple of 4; then filesize bytes of data (a
 * symlink's target for symlinks), padded to a multiple of 4.  Entries
 * start at multiples of 4 from the archive's start.  The archive ends
 * with the entry named "TRAILER!!!"; anything after it (GNU cpio pads to
 * 512-byte blocks) is ignored.
 *
 * What cpio_next() rejects with -NH_EBADMSG:
 *  - fewer than 110 bytes left at the offset (an empty archive, a missing
 *    trailer, a cut header);
 *  - a magic other than "070701" ("070702", the checksummed variant, and
 *    the old "070707" format included);
 *  - a field with a character that is not a hex digit;
 *  - namesize 0, a name (with its padding) running past the end, a name
 *    whose last byte (namesize - 1) is not NUL or that holds an earlier
 *    NUL;
 *  - data, or the padding after it, running past the end (a trailer must
 *    have its padding too: every writer emits it).
 * Not checked: the padding bytes' values, the check field, uid, gid,
 * mtime, rdev, which mode bits are set, and the names themselves (a name
 * may be empty or contain ".." components; lookups compare bytes).
 * Arithmetic is done as "does it fit in what is left", so no length in
 * the archive can overflow an offset, whatever size_t is.
 *
 * Lookup rules (cpio_find):
 *  - a leading run of "/" and "./" is dropped from both the entry's name
 *    and the path before the names are compared byte for byte, so
 *    "/bin/x", "bin/x", "./bin/x" and "//./bin/x" are all the same; no
 *    other normalisation ("bin//x" and "bin/./x" are different names);
 *    a path that is empty once the prefix is dropped ("", "/", "./")
 *    names nothing;
 *  - duplicates are allowed and the last entry with a name wins, as when
 *    Linux unpacks an initramfs over itself: a file followed by a
 *    directory of the same name is a directory.  cpio_check() accepts
 *    them.  So a lookup reads the whole archive up to the trailer, and
 *    fails with the parse error if any entry is malformed, before or
 *    after the one found: a file is only ever handed out from an archive
 *    cpio_check() accepts;
 *  - only regular files ((mode & CPIO_S_IFMT) == CPIO_S_IFREG) are found;
 *    directories, symlinks, devices, fifos and sockets give -NH_ENOENT;
 *  - hard links: GNU cpio and Linux's gen_init_cpio store a link group's
 *    data only with the group's last entry, the others having filesize 0.
 *    A regular file found with nlink > 1 and size 0 takes its data from
 *    the first later regular entry with the same ino, devmajor and
 *    devminor and a non-zero size; without one it is an empty file.
 */
#ifndef NUTHATCH_CPIO_H
#define NUTHATCH_CPIO_H

#include <stddef.h>
#include <stdint.h>

#define CPIO_HDR_SIZE	110u
#define CPIO_TRAILER	"TRAILER!!!"

#define CPIO_S_IFMT	0170000u	/* the type bits of mode */
#define CPIO_S_IFREG	0100000u
#define CPIO_S_IFDIR	0040000u
#define CPIO_S_IFLNK	0120000u

/* One entry.  Pointers are into the archive; name[namelen] is its NUL. */
struct cpio_file {
	const char *name;
	size_t namelen;
	const void *data;
	size_t size;
	uint32_t mode;
	uint32_t ino;
	uint32_t nlink;
	uint32_t devmajor;	/* with ino: which hard-link group */
	uint32_t devminor;
};

/*
 * Parse the entry at *@offset of @archive[0..@len).  Returns 1 with the
 * entry in *@out and *@offset advanced past it (and its padding); 0 at
 * the trailer, with *@offset advanced past the trailer and *@out
 * untouched; -NH_EBADMSG for a malformed or missing entry (see above);
 * -NH_EINVAL if *@offset is not a multiple of 4.  On an error neither
 * *@offset nor *@out changes.  Never reads outside [archive, archive+len)
 * and reads nothing past the header and the name.
 */
int cpio_next(const void *archive, size_t len, size_t *offset,
	      struct cpio_file *out);

/* @s (@n bytes) without its leading "/" and "./" runs, *@n shortened to
 * match: how an entry's name and a lookup's path are compared. */
const char *cpio_strip_lead(const char *s, size_t *n);

/*
 * Look up the regular file @path (a NUL-terminated string) under the
 * rules above.  0 with the file in *@out; -NH_ENOENT if the archive,
 * well-formed through its trailer, has no regular file of that name;
 * otherwise cpio_next()'s error for the first bad entry.  *@out changes
 * only on success.
 */
int cpio_find(const void *archive, size_t len, const char *path,
	      struct cpio_file *out);

/*
 * Walk the whole archive: 0 if every entry up to and including the
 * trailer is well-formed, else the first entry's error.  Duplicate names
 * are accepted (the last wins).
 */
int cpio_check(const void *archive, size_t len);

/*
 * A hash index of an archive's names, each to its final entry (as
 * cpio_find's walk would find it), so that a lookup costs one hash and
 * one compare instead of a walk (some 850 instructions an entry).  The
 * caller gives the slots: a power of two, at most half of them used.
 */
struct cpio_slot {
	const char *name;		/* without its leading "./" or "/" */
	uint32_t namelen;
	uint32_t mode;
	const void *data;
	size_t size;
};

struct cpio_index {
	const void *archive;
	size_t len;
	struct cpio_slot *slots;	/* nslots of them, zeroed by build */
	size_t nslots;
	int built;			/* else lookups walk the archive */
};

/* Index @archive (checked with cpio_check first) into @slots: 1 if built;
 * 0 if an entry is a hard link (whose data may be on a later entry) or
 * the names would fill more than half the slots: then cpio_index_find
 * walks, and the slots are left zero. */
int cpio_index_build(struct cpio_index *x, const void *archive, size_t len,
		     struct cpio_slot *slots, size_t nslots);

/* cpio_find through the index (or the walk, without one). */
int cpio_index_find(const struct cpio_index *x, const char *path, struct cpio_file *out);

#endif
