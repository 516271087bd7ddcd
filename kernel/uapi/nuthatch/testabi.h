/*
 * Structures of the test-only system calls (syscalls.tbl, test_*), shared
 * by the kernel and the in-tree test server.
 */
#ifndef NUTHATCH_TESTABI_H
#define NUTHATCH_TESTABI_H

#include <stdint.h>

/* What a leak check compares (after the kernel settled: reaper drained,
 * cached stacks and empty slabs given back). */
struct nh_counters {
	uint64_t free_frames;	/* free, or held by the caller's own space */
	uint64_t live_objects;	/* over every slab cache */
	uint64_t tasks;
	uint64_t stacks;
};

/* How a spawned program ended. */
struct nh_exit {
	int64_t status;		/* exit status, or -NH_EFAULT if killed */
	uint64_t fault;		/* 1 if a fault ended it */
	uint64_t cause;		/* scause of the fault */
	uint64_t addr;		/* stval */
	uint64_t pc;		/* sepc */
};

#define NH_TEST_PASS	0
#define NH_TEST_FAIL	1
#define NH_TEST_SKIP	2

#define NH_SPAWN_MAX_ARGS	32	/* argv and envp entries, each */
#define NH_SPAWN_MAX_STR	1024	/* bytes per string */

#endif
