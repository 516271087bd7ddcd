/*
 * What the files of lib/posix share among themselves (not an interface
 * for programs): the one way a failed server or kernel call becomes
 * errno.
 */
#ifndef LIB_POSIX_H
#define LIB_POSIX_H

/* errno = -@err (a -NH_E* code: picolibc's values are the kernel's);
 * returns -1.  vfork.S and clone.S jump here on their error paths. */
long __nh_fail(long err);

/* Is there a file server at NH_FS_HANDLE (file.c)?  Asked once a program. */
int __nh_fs_there(void);

/* __nh_need_buffer when there is a file server, else -NH_ENOSYS. */
long __nh_fs_buffer(void);

#endif
