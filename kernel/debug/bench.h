/*
 * In-kernel benchmarks.  KBENCH(name) { ... } registers a function in the
 * .kbench linker section; it runs @iters operations and returns the
 * elapsed clock time in ns.  bench_run() runs those matching the
 * nuthatch.bench= globs and prints, for each,
 *     bench <name> <iterations> <ns_per_op>
 * Under `make bench` QEMU runs with -smp 1 -icount shift=0,sleep=off, so
 * one nanosecond is one guest instruction and the figure is instructions
 * per operation.
 */
#ifndef NUTHATCH_BENCH_H
#define NUTHATCH_BENCH_H

#include <stdint.h>

struct kbench {
	const char *name;
	uint64_t iters;
	/* Run @iters operations; returns the elapsed ns, 0 on failure. */
	uint64_t (*fn)(uint64_t iters);
};

#define KBENCH(id, n)							\
	static uint64_t id(uint64_t iters);				\
	static const struct kbench kbench_##id				\
		__attribute__((section(".kbench"), used, aligned(8))) =	\
		{ #id, (n), id };					\
	static uint64_t id(uint64_t iters)

/* Run the benchmarks matching @patterns; returns how many failed. */
unsigned bench_run(const char *patterns);

#endif
