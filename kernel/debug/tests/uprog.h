/*
 * What the self-tests that run tiny user programs (user_progs.S) share:
 * where a program and its stack page go, and a space holding both.
 */
#ifndef NUTHATCH_TESTS_UPROG_H
#define NUTHATCH_TESTS_UPROG_H

#include <stdint.h>

#define CODE_VA		0x10000ul	/* the program's first byte */
#define STACK_VA	0x7f000ul	/* its one stack page */

struct vmspace;

/* A new space holding [from, to) read-execute at CODE_VA and a read-write
 * stack page at STACK_VA (one reference); NULL and *err on failure. */
struct vmspace *uprog_space(const char *from, const char *to, int *err);

#endif
