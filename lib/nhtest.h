/*
 * The test-only system calls, for the in-tree test server and its helper
 * programs (refused with -NH_ENOSYS outside test builds).
 */
#ifndef NUTHATCH_NHTEST_H
#define NUTHATCH_NHTEST_H

#include <stddef.h>
#include <stdint.h>

#include <nuthatch/testabi.h>

/* Their stubs' prototypes are generated with the others. */
#include <nuthatch/usys.h>

#endif
