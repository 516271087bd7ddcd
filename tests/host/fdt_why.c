/*
 * fdt_why(): the reason kernel/lib/fdt.c gives for rejecting a blob, for
 * test diagnostics.  A separate file because kernel/lib/fdt.h and libfdt's
 * headers define the same macro names.
 */
#include "lib/fdt.h"
#include "fdt_why.h"

const char *fdt_why(const void *blob, size_t len)
{
	static struct fdt f;

	fdt_open(&f, blob, len);
	return f.why;
}
