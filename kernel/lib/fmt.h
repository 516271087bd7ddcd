/*
 * String formatting for the kernel and the host tools built from kernel
 * sources.  A small printf subset, freestanding, no allocation:
 *   %% %c %s %d %i %u %x %X %p %o, flags '-' '0' ' ' '+' '#', width and
 *   precision (also '*'), length modifiers hh h l ll z t j.
 * Unknown conversions print verbatim.  Output is always NUL-terminated
 * when size > 0; the return value is the length the full output would
 * have had (as C99 snprintf).
 */
#ifndef NUTHATCH_FMT_H
#define NUTHATCH_FMT_H

#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
