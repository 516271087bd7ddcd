/* Why kernel/lib/fdt.c rejects @blob ("" if it does not); see fdt_why.c. */
#ifndef NUTHATCH_TESTS_FDT_WHY_H
#define NUTHATCH_TESTS_FDT_WHY_H

#include <stddef.h>

const char *fdt_why(const void *blob, size_t len);

#endif
