/*
 * A server's start-up warming (warm.h).
 */
#include <nuthatch/handle.h>

#include "nuthatch.h"
#include "warm.h"

void srv_warm_handles(long h, unsigned n)
{
	long copies[n];
	unsigned made = 0;

	while (made < n && (copies[made] = nh_handle_dup(h, NH_RIGHT_READ)) > 0)
		made++;
	while (made--)
		nh_handle_close(copies[made]);
}

/* noinline: the frame must really be this deep. */
__attribute__((noinline)) void srv_warm_stack(size_t bytes)
{
	char deep[bytes];
	volatile char *touch = deep;

	for (size_t i = 0; i < bytes; i += 4096)
		touch[i] = 0;
}
