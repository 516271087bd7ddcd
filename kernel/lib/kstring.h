/*
 * The memory and string primitives kernel code may call.  The kernel
 * supplies them (kernel/lib/string.c); host builds of kernel sources get
 * the C library's, with the same contracts.
 */
#ifndef NUTHATCH_KSTRING_H
#define NUTHATCH_KSTRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
