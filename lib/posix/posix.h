/*
 * What the files of lib/posix share among themselves (not an interface
 * for programs): the one way a failed server or kernel call becomes
 * errno.
 */
#ifndef LIB_POSIX_H
#define LIB_POSIX_H

#include <stddef.h>
#include <stdint.h>

/* errno = -@err (a -NH_E* code: picolibc's values are the kernel's);
 * returns -1.  vfork.S and clone.S jump here on their error paths. */
long __nh_fail(long err);

/* Is there a file server at NH_FS_HANDLE (file.c)?  Asked once a program. */
int __nh_fs_there(void);

/* __nh_need_buffer when there is a file server, else -NH_ENOSYS. */
long __nh_fs_buffer(void);

/* pipe.c: pipes' rings.  __nh_pipe_read/_write: 1 (the call done, its
 * result in *@res: bytes or -NH_E*) if @fd is a ring end known here,
 * else 0; _learn_*: the file server said @fd is a pipe: its ring mapped
 * and the call done there (bytes or -NH_E*); _made: pipe2's ends and
 * ring (the handle closed here); _dup: @new is now what @old is; _close:
 * @fd is no more. */
int __nh_pipe_read(int fd, void *buf, size_t n, long *res);
int __nh_pipe_write(int fd, const void *buf, size_t n, long *res);
long __nh_pipe_learn_read(int fd, void *buf, size_t n);
long __nh_pipe_learn_write(int fd, const void *buf, size_t n);
void __nh_pipe_made(int rfd, int wfd, uint64_t ino, long ring);
void __nh_pipe_dup(int old, int new);
void __nh_pipe_close(int fd);
/* mapped.c: initramfs files read from a mapping.  __nh_file_read: 1
 * (done, *@res bytes or -NH_E*) if @fd's read went that way, else 0;
 * __nh_file_forget: @fd is closed or replaced. */
int __nh_file_read(int fd, void *buf, size_t n, long *res);
void __nh_file_forget(int fd);
/* The pid the ring locks carry (0: ask again; fork's child sets it). */
extern int32_t __nh_ring_pid;

#endif
