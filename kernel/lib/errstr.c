/*
 * nh_strerror(): names for the shared error codes, for kernel messages
 * and host tools.
 */
#include <nuthatch/errno.h>

struct err_name {
	int code;
	const char *name;
};

static const struct err_name err_names[] = {
	{ NH_OK, "OK" }, { NH_EPERM, "EPERM" }, { NH_ENOENT, "ENOENT" },
	{ NH_ESRCH, "ESRCH" }, { NH_EINTR, "EINTR" }, { NH_EIO, "EIO" },
	{ NH_ENXIO, "ENXIO" }, { NH_E2BIG, "E2BIG" },
	{ NH_ENOEXEC, "ENOEXEC" }, { NH_EBADF, "EBADF" },
	{ NH_ECHILD, "ECHILD" }, { NH_EAGAIN, "EAGAIN" },
	{ NH_ENOMEM, "ENOMEM" }, { NH_EACCES, "EACCES" },
	{ NH_EFAULT, "EFAULT" }, { NH_EBUSY, "EBUSY" },
	{ NH_EEXIST, "EEXIST" }, { NH_EXDEV, "EXDEV" }, { NH_ENODEV, "ENODEV" },
	{ NH_ENOTDIR, "ENOTDIR" }, { NH_EISDIR, "EISDIR" },
	{ NH_EINVAL, "EINVAL" }, { NH_ENFILE, "ENFILE" }, { NH_EMFILE, "EMFILE" },
	{ NH_ENOTTY, "ENOTTY" }, { NH_EFBIG, "EFBIG" },
	{ NH_ENOSPC, "ENOSPC" }, { NH_ESPIPE, "ESPIPE" }, { NH_EROFS, "EROFS" },
	{ NH_EPIPE, "EPIPE" },
	{ NH_ERANGE, "ERANGE" }, { NH_EDEADLK, "EDEADLK" },
	{ NH_EBADMSG, "EBADMSG" }, { NH_ENOSYS, "ENOSYS" }, { NH_ENOTEMPTY, "ENOTEMPTY" },
	{ NH_ENAMETOOLONG, "ENAMETOOLONG" }, { NH_ELOOP, "ELOOP" },
	{ NH_ETIMEDOUT, "ETIMEDOUT" }, { NH_ENOTSUP, "ENOTSUP" },
	{ NH_EOVERFLOW, "EOVERFLOW" },
};

const char *nh_strerror(int err)
{
	if (err < 0)
		err = -err;
	for (unsigned i = 0; i < sizeof(err_names) / sizeof(err_names[0]); i++) {
		if (err_names[i].code == err)
			return err_names[i].name;
	}
	return "unknown error";
}
