/*
 * Kernel implementations of the primitives declared in kstring.h.
 * Simple byte loops with a word-at-a-time path for aligned bulk copies
 * and fills; the compiler also emits calls to memcpy/memset on its own.
 */
#include "lib/kstring.h"

#include <stdint.h>

#define WORD sizeof(uintptr_t)

static int aligned(const void *a, const void *b)
{
	return (((uintptr_t)a | (uintptr_t)b) & (WORD - 1)) == 0;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (aligned(d, s)) {
		/* Four words a round first: the loop's own instructions are
		 * what the word loop spends most on. */
		for (; n >= 4 * WORD; n -= 4 * WORD, d += 4 * WORD, s += 4 * WORD) {
			uintptr_t a = ((const uintptr_t *)s)[0], b = ((const uintptr_t *)s)[1];
			uintptr_t c = ((const uintptr_t *)s)[2], e = ((const uintptr_t *)s)[3];

			((uintptr_t *)d)[0] = a;
			((uintptr_t *)d)[1] = b;
			((uintptr_t *)d)[2] = c;
			((uintptr_t *)d)[3] = e;
		}
		for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
			*(uintptr_t *)d = *(const uintptr_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uintptr_t w = (unsigned char)c * (uintptr_t)0x0101010101010101ull;

	while (n && ((uintptr_t)d & (WORD - 1))) {
		*d++ = (unsigned char)c;
		n--;
	}
	for (; n >= 4 * WORD; n -= 4 * WORD, d += 4 * WORD) {
		((uintptr_t *)d)[0] = w;
		((uintptr_t *)d)[1] = w;
		((uintptr_t *)d)[2] = w;
		((uintptr_t *)d)[3] = w;
	}
	for (; n >= WORD; n -= WORD, d += WORD)
		*(uintptr_t *)d = w;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}
