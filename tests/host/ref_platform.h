/*
 * ref_platform_parse(): an independent extractor of the same platform
 * facts, written against libfdt (not against kernel/lib/fdt.c), applying the
 * rules documented in kernel/lib/platform.h.  Only meaningful for a blob that
 * fdt_check_full() accepts.  Used by test_platform.c as the oracle.
 */
#ifndef NUTHATCH_TESTS_REF_PLATFORM_H
#define NUTHATCH_TESTS_REF_PLATFORM_H

#include <stdint.h>

#include "lib/platform.h"

/* Returns 0, -NH_ENOSPC or -NH_ENOENT, as platform_parse() would. */
int ref_platform_parse(struct platform *p, const void *fdt, uint64_t blob_pa);

#endif
