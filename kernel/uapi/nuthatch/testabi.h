/*
 * Structures of the test-only system calls (syscalls.tbl, test_*), shared
 * by the kernel and the in-tree test server.
 */
#ifndef NUTHATCH_TESTABI_H
#define NUTHATCH_TESTABI_H

#include <stdint.h>

#include <nuthatch/task.h>

/* What a leak check compares (after the kernel settled: reaper drained,
 * cached stacks and empty slabs given back). */
struct nh_counters {
	uint64_t free_frames;	/* free, under a slab cache, or held by the
				   caller's own space */
	uint64_t live_objects;	/* over every slab cache, and the replies in use
				   that are embedded in their callers' tasks */
	uint64_t tasks;
	uint64_t stacks;
	uint64_t handles;	/* open handles in every table */
	/* Not compared, for the diagnosis of a leak of frames: */
	uint64_t own_frames;	/* frames the caller's own space holds */
	uint64_t spaces;	/* live address spaces */
	uint64_t memobjs;	/* live memory objects */
	uint64_t ipc_fast;	/* direct switches IPC's fast path made */
};

#define NH_TEST_PASS	0
#define NH_TEST_FAIL	1
#define NH_TEST_SKIP	2


#endif
