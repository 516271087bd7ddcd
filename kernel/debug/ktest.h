/*
 * The kernel self-test runner.  Tests live in a linker section (.ktest),
 * registered with KTEST(AREA0001_what) { ... }; the name starts with an
 * area ID.  ktest_run() runs those matching a comma-separated list of
 * globs (from nuthatch.test=), prints KTAP version 1 and closes with
 * "N passed, N failed".  Diagnostics go out as "# " lines.
 */
#ifndef NUTHATCH_KTEST_H
#define NUTHATCH_KTEST_H

#include <stdbool.h>
#include <stdint.h>

struct ktest_ctx {
	const char *name;
	unsigned checks;	/* expectations evaluated */
	unsigned failures;	/* expectations that failed */
	const char *skip;	/* reason, when the test skipped itself */
};

struct ktest {
	const char *name;
	void (*fn)(struct ktest_ctx *t);
};

#define KTEST(id)							\
	static void id(struct ktest_ctx *t);				\
	static const struct ktest ktest_##id				\
		__attribute__((section(".ktest"), used, aligned(8))) =	\
		{ #id, id };						\
	static void id(struct ktest_ctx *t)

/* Record one expectation; prints a "# " diagnostic when it fails. */
bool ktest_check(struct ktest_ctx *t, bool ok, const char *file, int line,
		 const char *what);

#define KT_EXPECT(t, cond) ktest_check((t), (cond), __FILE__, __LINE__, #cond)

/* Print a "# " diagnostic line inside the current test. */
void ktest_diag(struct ktest_ctx *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Mark the test skipped with @reason (must be a static string). */
void ktest_skip(struct ktest_ctx *t, const char *reason);

#define LEAK_CACHES	32

struct slab_cache;

/* What a test must give back: free frames and every cache's live count. */
struct leak_snapshot {
	uint64_t free_frames;	/* free, or under a slab cache */
	unsigned tasks;		/* live task objects */
	unsigned stacks;	/* kernel stacks in use */
	uint64_t handles;	/* open handles in every table */
	unsigned ncaches;
	struct { const struct slab_cache *c; uint64_t live; } cache[LEAK_CACHES];
};

/*
 * The runner wraps every test in these: settle (the reaper drained, cached
 * stacks and empty slabs back to the frame allocator), snapshot, run,
 * settle, compare.  A difference prints
 * "# name: leak: ..." and fails the test.  Exposed so a test can prove
 * the check itself catches a leak.
 */
void leak_snapshot(struct leak_snapshot *s);
void leak_check(struct ktest_ctx *t, const struct leak_snapshot *before);

/* A user-space test server is printing a KTAP stream (or stopped): kernel
 * diagnostics become "# " lines meanwhile (printk_diag). */
void ktest_stream(bool open);

/* For the test server: how many tests, the index-th by name (NULL past
 * the end), and running one by name, leak-checked: NH_TEST_PASS, _FAIL,
 * _SKIP, or -NH_ENOENT. */
unsigned ktest_count(void);
const char *ktest_name(unsigned index);
int ktest_run_named(const char *name);

/* Run the tests matching @patterns; returns the number that failed. */
unsigned ktest_run(const char *patterns);

#endif
