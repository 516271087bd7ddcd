/*
 * The benchmark runner (see bench.h).  Each benchmark runs once to warm
 * caches and slabs, then once measured.
 */
#include "debug/bench.h"

#include "lib/cmdline.h"
#include "lib/kstring.h"
#include "core/printk.h"

extern const struct kbench __kbench_start[], __kbench_end[];

unsigned bench_run(const char *patterns)
{
	unsigned failed = 0, ran = 0;

	for (const struct kbench *b = __kbench_start; b < __kbench_end; b++) {
		uint64_t ns;

		if (!cmdline_glob_list(patterns, b->name))
			continue;
		ran++;
		b->fn(b->iters / 10 ? b->iters / 10 : 1);	/* warm up */
		ns = b->fn(b->iters);
		if (ns == 0) {
			kprintf("bench %s failed\n", b->name);
			failed++;
			continue;
		}
		kprintf("bench %s %lu %lu\n", b->name, b->iters, ns / b->iters);
	}
	kprintf("bench: done, %u run, %u failed\n", ran, failed);
	return failed + (ran == 0);
}
