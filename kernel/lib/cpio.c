/*
 * cpio "newc" archive reader for the initramfs (see cpio.h for the format,
 * what is rejected and the lookup rules).  cpio_next() is the one place
 * that decodes and bounds-checks an entry; cpio_check() and cpio_find()
 * are walks over it.  Every length read from the archive is compared with
 * the bytes left before it is added to an offset, so nothing overflows.
 */
#include "lib/cpio.h"

#include "lib/kstring.h"
#include <nuthatch/errno.h>

#include <stdbool.h>

#define MAGIC		"070701"
#define MAGIC_LEN	6u
#define FIELD_LEN	8u

/* The header's fields, in order after the magic. */
enum cpio_field {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK,
	NFIELDS
};

/* Hex digits' values; 0x10 marks every other byte. */
#define X16	0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, \
		0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10
static const uint8_t hex_value[256] = {
	X16, X16, X16,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
	0x10, 10, 11, 12, 13, 14, 15, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
	X16,
	0x10, 10, 11, 12, 13, 14, 15, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
	X16, X16, X16, X16, X16, X16, X16, X16, X16,
};

/* Decode the 8 hex digits at @p into *@v; false on any other character
 * (a table lookup a digit: every header is 104 of them). */
static bool parse_hex8(const uint8_t *p, uint32_t *v)
{
	uint32_t x = 0, bad = 0;

	for (unsigned i = 0; i < FIELD_LEN; i++) {
		uint32_t d = hex_value[p[i]];

		bad |= d;
		x = x << 4 | (d & 0xf);
	}
	*v = x;
	return !(bad & 0x10);
}

/* Check the magic and decode every field of the header at @h. */
static bool parse_header(const uint8_t *h, uint32_t f[NFIELDS])
{
	if (memcmp(h, MAGIC, MAGIC_LEN))
		return false;
	for (unsigned i = 0; i < NFIELDS; i++)
		if (!parse_hex8(h + MAGIC_LEN + FIELD_LEN * i, &f[i]))
			return false;
	return true;
}

/*
 * Round *@used (bytes from a 4-aligned entry start, at most @room) up to
 * a multiple of 4; false if the padding does not fit in @room.
 */
static bool pad4(size_t *used, size_t room)
{
	size_t pad = (4u - (*used & 3u)) & 3u;

	if (pad > room - *used)
		return false;
	*used += pad;
	return true;
}

/*
 * Lay out the entry whose header is at @h with @room bytes from @h to the
 * end of the archive: fill @e, set *@size to the entry's length with its
 * padding.  -NH_EBADMSG if the name or the data do not fit or the name is
 * not a NUL-terminated string of namesize - 1 bytes.
 */
static int layout(const uint8_t *h, size_t room, const uint32_t f[NFIELDS],
		  struct cpio_file *e, size_t *size)
{
	size_t used = CPIO_HDR_SIZE;
	const char *name = (const char *)h + CPIO_HDR_SIZE;

	if (f[F_NAMESIZE] == 0 || f[F_NAMESIZE] > room - used)
		return -NH_EBADMSG;
	if (strnlen(name, f[F_NAMESIZE]) != f[F_NAMESIZE] - 1u)
		return -NH_EBADMSG;
	used += f[F_NAMESIZE];
	if (!pad4(&used, room) || f[F_FILESIZE] > room - used)
		return -NH_EBADMSG;
	e->name = name;
	e->namelen = f[F_NAMESIZE] - 1u;
	e->data = h + used;
	e->size = f[F_FILESIZE];
	used += f[F_FILESIZE];
	if (!pad4(&used, room))
		return -NH_EBADMSG;
	*size = used;
	return 0;
}

static bool is_trailer(const struct cpio_file *e)
{
	return e->namelen == sizeof(CPIO_TRAILER) - 1 &&
	       !memcmp(e->name, CPIO_TRAILER, e->namelen);
}

int cpio_next(const void *archive, size_t len, size_t *offset,
	      struct cpio_file *out)
{
	size_t off = *offset, size;
	const uint8_t *h;
	uint32_t f[NFIELDS];
	struct cpio_file e;
	int rc;

	if (off & 3u)
		return -NH_EINVAL;
	if (off > len || len - off < CPIO_HDR_SIZE)
		return -NH_EBADMSG;
	h = (const uint8_t *)archive + off;
	if (!parse_header(h, f))
		return -NH_EBADMSG;
	rc = layout(h, len - off, f, &e, &size);
	if (rc < 0)
		return rc;
	*offset = off + size;
	if (is_trailer(&e))
		return 0;
	e.mode = f[F_MODE];
	e.ino = f[F_INO];
	e.nlink = f[F_NLINK];
	e.devmajor = f[F_DEVMAJOR];
	e.devminor = f[F_DEVMINOR];
	*out = e;
	return 1;
}

int cpio_check(const void *archive, size_t len)
{
	size_t off = 0;
	struct cpio_file e;
	int rc;

	/* Each entry is at least 112 bytes, so the walk ends. */
	while ((rc = cpio_next(archive, len, &off, &e)) == 1)
		;
	return rc;
}

/* Drop a leading run of "/" and "./" from @s[0..*@n). */
const char *cpio_strip_lead(const char *s, size_t *n)
{
	for (;;) {
		if (*n >= 1 && s[0] == '/') {
			s++;
			*n -= 1;
		} else if (*n >= 2 && s[0] == '.' && s[1] == '/') {
			s += 2;
			*n -= 2;
		} else {
			return s;
		}
	}
}

static bool same_path(const struct cpio_file *e, const char *want,
		      size_t wantlen)
{
	size_t n = e->namelen;
	const char *s = cpio_strip_lead(e->name, &n);

	return n == wantlen && n > 0 && !memcmp(s, want, n);
}

static bool is_reg(const struct cpio_file *e)
{
	return (e->mode & CPIO_S_IFMT) == CPIO_S_IFREG;
}

/* Is @e a hard link of @f without its own data (it is on a later link)? */
static bool wants_data(const struct cpio_file *f)
{
	return is_reg(f) && f->nlink > 1 && f->size == 0;
}

/* Does @e carry the data of @f's hard-link group? */
static bool carries_data(const struct cpio_file *f, const struct cpio_file *e)
{
	return is_reg(e) && e->size > 0 && e->ino == f->ino &&
	       e->devmajor == f->devmajor && e->devminor == f->devminor;
}

int cpio_find(const void *archive, size_t len, const char *path,
	      struct cpio_file *out)
{
	size_t off = 0, wantlen = strlen(path);
	const char *want = cpio_strip_lead(path, &wantlen);
	struct cpio_file e, hit = { 0 };
	bool found = false, need_data = false;
	int rc;

	while ((rc = cpio_next(archive, len, &off, &e)) == 1) {
		if (same_path(&e, want, wantlen)) {
			hit = e;
			found = true;
			need_data = wants_data(&e);
		} else if (need_data && carries_data(&hit, &e)) {
			hit.data = e.data;
			hit.size = e.size;
			need_data = false;
		}
	}
	if (rc < 0)
		return rc;
	if (!found || !is_reg(&hit))
		return -NH_ENOENT;
	*out = hit;
	return 0;
}

/* ---- the index -------------------------------------------------------- */

static uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (n--)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* The slot for @name: its own, or the empty one where it would go. */
static struct cpio_slot *slot_of(const struct cpio_index *x, const char *name, size_t n)
{
	size_t mask = x->nslots - 1, i = name_hash(name, n) & mask;

	while (x->slots[i].name &&
	       !(x->slots[i].namelen == n && !memcmp(x->slots[i].name, name, n)))
		i = (i + 1) & mask;
	return &x->slots[i];
}

static int index_all(struct cpio_index *x)
{
	struct cpio_file e;
	size_t off = 0, used = 0;

	while (cpio_next(x->archive, x->len, &off, &e) == 1) {
		size_t n = e.namelen;
		const char *name = cpio_strip_lead(e.name, &n);
		struct cpio_slot *s;

		if ((e.mode & CPIO_S_IFMT) == CPIO_S_IFREG && e.nlink > 1)
			return 0;
		if (!n)
			continue;
		s = slot_of(x, name, n);
		if (!s->name && ++used > x->nslots / 2)
			return 0;
		*s = (struct cpio_slot){ name, (uint32_t)n, e.mode, e.data, e.size };
	}
	return 1;
}

int cpio_index_build(struct cpio_index *x, const void *archive, size_t len,
		     struct cpio_slot *slots, size_t nslots)
{
	*x = (struct cpio_index){ archive, len, slots, nslots, 0 };
	memset(slots, 0, nslots * sizeof(*slots));
	if (nslots < 2 || (nslots & (nslots - 1)))
		return 0;
	x->built = index_all(x);
	if (!x->built)
		memset(slots, 0, nslots * sizeof(*slots));
	return x->built;
}

int cpio_index_find(const struct cpio_index *x, const char *path, struct cpio_file *out)
{
	size_t n = strlen(path);
	const char *name = cpio_strip_lead(path, &n);
	const struct cpio_slot *s;

	if (!x->built)
		return cpio_find(x->archive, x->len, path, out);
	s = n ? slot_of(x, name, n) : 0;
	if (!s || !s->name || (s->mode & CPIO_S_IFMT) != CPIO_S_IFREG)
		return -NH_ENOENT;
	*out = (struct cpio_file){ .name = s->name, .namelen = s->namelen, .data = s->data,
				   .size = s->size, .mode = s->mode };
	return 0;
}
