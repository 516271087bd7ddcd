/*
 * Directory streams (lib/posix/dir.c over the file server's getdents):
 * picolibc's dirent.h needs a sys/dirent.h that is an #error, so this
 * one stands in whole, with Linux's struct dirent and DT_* values.
 */
#ifndef NUTHATCH_DIRENT_H
#define NUTHATCH_DIRENT_H

#include <stdint.h>
#include <sys/types.h>

#define DT_UNKNOWN	0
#define DT_FIFO		1
#define DT_CHR		2
#define DT_DIR		4
#define DT_BLK		6
#define DT_REG		8
#define DT_LNK		10
#define DT_SOCK		12

struct dirent {
	ino_t d_ino;
	off_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[256];
};

typedef struct __nh_dir DIR;

DIR *opendir(const char *path);
DIR *fdopendir(int fd);
struct dirent *readdir(DIR *d);
int closedir(DIR *d);
void rewinddir(DIR *d);
int dirfd(DIR *d);
long telldir(DIR *d);
void seekdir(DIR *d, long pos);

#endif
