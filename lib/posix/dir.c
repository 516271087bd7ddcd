/*
 * Directory streams (lib/include/dirent.h): a DIR is a descriptor and a
 * buffer of the file server's getdents entries (struct nh_dirent), read
 * a buffer at a time; readdir copies one into the stream's dirent.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "posix.h"
#include "proto/fs.h"

#define DIRBUF	2048
#define NAME_AT	offsetof(struct nh_dirent, name)

long __nh_need_buffer(void);

struct __nh_dir {
	int fd;
	size_t len, pos;		/* the buffer's bytes, the next entry's */
	long next_off;			/* the offset after the last entry read */
	struct dirent ent;
	uint8_t buf[DIRBUF] __attribute__((aligned(8)));
};

DIR *fdopendir(int fd)
{
	struct stat st;
	DIR *d;

	if (fstat(fd, &st))
		return 0;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return 0;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return 0;
	d->fd = fd;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return d;
}

DIR *opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return d;
}

/* The next buffer of entries: its length (0: the end), or -1. */
static long refill(DIR *d)
{
	size_t len = sizeof(d->buf);
	long r = __nh_need_buffer();

	if (!r)
		r = fs_getdents(NH_FS_HANDLE, d->fd, sizeof(d->buf), d->buf, &len);
	if (r)
		return __nh_fail(r);
	d->len = len;
	d->pos = 0;
	return (long)len;
}

struct dirent *readdir(DIR *d)
{
	const struct nh_dirent *e;
	size_t namelen;

	if (d->pos >= d->len && refill(d) <= 0)
		return 0;	/* the end (errno unchanged), or the error */
	e = (const struct nh_dirent *)(d->buf + d->pos);
	if (d->len - d->pos < NAME_AT + 1 || e->reclen < NAME_AT + 1 ||
	    e->reclen > d->len - d->pos) {
		errno = EIO;	/* a malformed answer */
		d->pos = d->len;
		return 0;
	}
	namelen = strnlen(e->name, e->reclen - NAME_AT);
	if (namelen >= sizeof(d->ent.d_name))
		namelen = sizeof(d->ent.d_name) - 1;
	d->ent.d_ino = (ino_t)e->ino;
	d->ent.d_off = (off_t)e->off;
	d->ent.d_reclen = sizeof(d->ent);
	d->ent.d_type = e->type;
	memcpy(d->ent.d_name, e->name, namelen);
	d->ent.d_name[namelen] = 0;
	d->next_off = (long)e->off;
	d->pos += e->reclen;
	return &d->ent;
}

int closedir(DIR *d)
{
	int r = close(d->fd);

	free(d);
	return r;
}

void seekdir(DIR *d, long pos)
{
	lseek(d->fd, pos, SEEK_SET);
	d->len = d->pos = 0;
	d->next_off = pos;
}

void rewinddir(DIR *d)
{
	seekdir(d, 0);
}

long telldir(DIR *d)
{
	return d->next_off;
}

int dirfd(DIR *d)
{
	return d->fd;
}
