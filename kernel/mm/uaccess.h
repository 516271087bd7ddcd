/*
 * Copying to and from user memory.  A user range must lie inside the user
 * half (below USER_TOP), must not wrap, and must be mapped: a page fault
 * while copying is caught (fault_catch) and gives -NH_EFAULT, never a
 * kernel fault.  sstatus.SUM is set only inside the copy.
 */
#ifndef NUTHATCH_UACCESS_H
#define NUTHATCH_UACCESS_H

#include <stddef.h>
#include <stdint.h>

#define USER_TOP	0x0000004000000000ul	/* Sv39's user half */

/* Is [uaddr, uaddr + n) a range user memory could occupy? */
static inline int uaccess_range_ok(uint64_t uaddr, size_t n)
{
	return uaddr + n >= uaddr && uaddr + n <= USER_TOP && uaddr != 0;
}

/*
 * Copy a NUL-terminated string of at most @max bytes (NUL included) from
 * user memory; returns its length, -NH_EFAULT, or -NH_E2BIG if no NUL
 * came within @max.
 */
long copy_str_from_user(char *dst, uint64_t usrc, size_t max);

/* 0 or -NH_EFAULT. */
int copy_from_user(void *dst, uint64_t usrc, size_t n);
int copy_to_user(uint64_t udst, const void *src, size_t n);

#endif
