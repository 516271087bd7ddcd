/*
 * The one error enum shared by the kernel, the servers and lib/.
 *
 * Functions that can fail return 0 (or a non-negative result) on success
 * and -NH_Exxx on failure; never a bare -1.  The values are newlib's errno
 * values (picolibc uses them), so user code can hand -ret to strerror().
 * lib/ checks at compile time that every value matches picolibc's macro.
 */
#ifndef NUTHATCH_ERRNO_H
#define NUTHATCH_ERRNO_H

enum nh_err {
	NH_OK = 0,
	NH_EPERM = 1,		/* operation not permitted */
	NH_ENOENT = 2,		/* no such entry */
	NH_ESRCH = 3,		/* no such task or process */
	NH_EINTR = 4,		/* interrupted */
	NH_EIO = 5,		/* device error */
	NH_ENXIO = 6,		/* no such device or address */
	NH_E2BIG = 7,		/* argument list too long */
	NH_ENOEXEC = 8,		/* bad executable */
	NH_EBADF = 9,		/* bad handle */
	NH_ECHILD = 10,		/* no child */
	NH_EAGAIN = 11,		/* try again */
	NH_ENOMEM = 12,		/* out of memory */
	NH_EACCES = 13,		/* permission denied */
	NH_EFAULT = 14,		/* bad address */
	NH_EBUSY = 16,		/* busy */
	NH_EEXIST = 17,		/* exists */
	NH_EXDEV = 18,		/* across file systems */
	NH_ENODEV = 19,		/* no such device */
	NH_ENOTDIR = 20,	/* not a directory */
	NH_EISDIR = 21,		/* is a directory */
	NH_EINVAL = 22,		/* invalid argument */
	NH_ENFILE = 23,		/* too many open files in the system */
	NH_EMFILE = 24,		/* too many open files in the process */
	NH_ENOTTY = 25,		/* not a terminal */
	NH_EFBIG = 27,		/* file too large */
	NH_ENOSPC = 28,		/* no space left */
	NH_ESPIPE = 29,		/* a pipe cannot seek */
	NH_EROFS = 30,		/* read-only file system */
	NH_EPIPE = 32,		/* the other side is gone (a server died, a reply was dropped) */
	NH_ERANGE = 34,		/* out of range */
	NH_EDEADLK = 45,	/* deadlock */
	NH_EBADMSG = 77,	/* malformed data (corrupt blob, bad message) */
	NH_ENOSYS = 88,		/* not implemented */
	NH_ENOTEMPTY = 90,	/* directory not empty */
	NH_ENAMETOOLONG = 91,	/* name too long */
	NH_ELOOP = 92,		/* too deep */
	NH_ETIMEDOUT = 116,	/* timed out */
	NH_ENOTSUP = 134,	/* not supported */
	NH_EOVERFLOW = 139,	/* value too large */
};

/* A short upper-case name for an error code (positive or negative). */
const char *nh_strerror(int err);

#endif
