/*
 * User copies under an armed fault_catch (see uaccess.h).
 */
#include "mm/uaccess.h"

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"
#include "arch/riscv/trap.h"
#include "lib/kstring.h"

struct copy {
	void *dst;
	const void *src;
	size_t n;
};

static long do_copy(void *arg)
{
	struct copy *c = arg;

	memcpy(c->dst, c->src, c->n);
	return 0;
}

static int guarded_copy(void *dst, const void *src, size_t n)
{
	struct fault_catch fc;	/* (not zeroed: 19 words a copy; fault_catch sets
				   what it reads, fired) */
	struct copy c = { dst, src, n };
	long r;

	fc.quiet = true;
	arch_user_access(true);
	r = fault_catch(do_copy, &c, &fc);
	arch_user_access(false);
	return r ? -NH_EFAULT : 0;
}

int copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	if (n == 0)
		return 0;
	if (!uaccess_range_ok(usrc, n))
		return -NH_EFAULT;
	return guarded_copy(dst, (const void *)usrc, n);
}

int copy_to_user(uint64_t udst, const void *src, size_t n)
{
	if (n == 0)
		return 0;
	if (!uaccess_range_ok(udst, n))
		return -NH_EFAULT;
	return guarded_copy((void *)udst, src, n);
}

long copy_str_from_user(char *dst, uint64_t usrc, size_t max)
{
	size_t done = 0;

	while (done < max) {
		/* Never read past the page holding the next byte. */
		size_t n = 4096 - ((usrc + done) & 4095);

		if (n > max - done)
			n = max - done;
		if (copy_from_user(dst + done, usrc + done, n))
			return -NH_EFAULT;
		for (size_t i = 0; i < n; i++) {
			if (dst[done + i] == '\0')
				return (long)(done + i);
		}
		done += n;
	}
	return -NH_E2BIG;
}
