/*
 * The self-test runner: selection, KTAP output, the closing line.
 * Tests run in name order (area ID first), whatever the link order.
 * A test that evaluates no expectation and does not skip fails: a test
 * that asserts nothing proves nothing.
 */
#include "debug/ktest.h"

#include <stdarg.h>

#include <nuthatch/errno.h>
#include <nuthatch/testabi.h>

#include "mm/frame.h"
#include "obj/handle.h"
#include "sched/kstack.h"
#include "sched/task.h"
#include "lib/cmdline.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "core/printk.h"
#include "mm/slab.h"


extern const struct ktest __ktest_start[], __ktest_end[];

static bool running;	/* [boot hart] a KTAP stream is open */

static bool stream_open;	/* a test server prints a KTAP stream */

/* Tell printk whether a KTAP stream is open (its diagnostics prefix). */
static void set_running(bool on)
{
	running = on;
	printk_set_ktap(running || stream_open);
}

void ktest_stream(bool open)
{
	stream_open = open;
	printk_set_ktap(running || stream_open);
}

bool ktest_check(struct ktest_ctx *t, bool ok, const char *file, int line,
		 const char *what)
{
	t->checks++;
	if (!ok) {
		t->failures++;
		kprintf("# %s: %s:%d: expected %s\n", t->name, file, line, what);
	}
	return ok;
}

void ktest_diag(struct ktest_ctx *t, const char *fmt, ...)
{
	char buf[KPRINTF_MAX - 8];
	va_list ap;

	(void)t;
	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kprintf("# %s\n", buf);
}

void ktest_skip(struct ktest_ctx *t, const char *reason)
{
	t->skip = reason;
}

static bool selected(const char *patterns, const char *name)
{
	return cmdline_glob_list(patterns, name);
}

static unsigned count_selected(const char *patterns)
{
	unsigned n = 0;

	for (const struct ktest *k = __ktest_start; k < __ktest_end; k++)
		n += selected(patterns, k->name);
	return n;
}

static void snap_cache(struct slab_cache *c, void *ctx)
{
	struct leak_snapshot *s = ctx;

	if (s->ncaches < LEAK_CACHES) {
		s->cache[s->ncaches].c = c;
		s->cache[s->ncaches++].live = c->live;
	}
}

/* Settle (empty slabs back to the frame pool), then count. */
static void add_slab_frames(struct slab_cache *c, void *ctx)
{
	*(uint64_t *)ctx += __atomic_load_n(&c->nslabs, __ATOMIC_RELAXED);
}

void leak_snapshot(struct leak_snapshot *s)
{
	task_reaper_settle();
	kstack_drain();
	slab_settle();
	s->ncaches = 0;
	slab_for_each(snap_cache, s);
	s->tasks = task_count();
	s->stacks = kstack_in_use();
	s->handles = handle_live_count();
	/* Frames under slabs count as free: their objects are compared one
	 * by one above, and how live objects happen to spread over slab
	 * frames (three tasks to a frame, say) is not a leak. */
	s->free_frames = frame_free_count();
	slab_for_each(add_slab_frames, &s->free_frames);
}

/* Compare; a difference is a failure of the test just run. */
void leak_check(struct ktest_ctx *t, const struct leak_snapshot *before)
{
	struct leak_snapshot after;

	leak_snapshot(&after);
	for (unsigned i = 0; i < after.ncaches; i++) {
		uint64_t was = 0;

		for (unsigned j = 0; j < before->ncaches; j++) {
			if (before->cache[j].c == after.cache[i].c)
				was = before->cache[j].live;
		}
		if (after.cache[i].live != was) {
			kprintf("# %s: leak: %ld live %s objects\n", t->name,
				(long)(after.cache[i].live - was),
				after.cache[i].c->name);
			t->failures++;
		}
	}
	if (after.tasks != before->tasks || after.stacks != before->stacks) {
		kprintf("# %s: leak: %d tasks, %d stacks\n", t->name,
			(int)(after.tasks - before->tasks),
			(int)(after.stacks - before->stacks));
		t->failures++;
	}
	if (after.handles != before->handles) {
		kprintf("# %s: leak: %ld handles\n", t->name,
			(long)(after.handles - before->handles));
		t->failures++;
	}
	if (after.free_frames != before->free_frames) {
		kprintf("# %s: leak: %ld frames\n", t->name,
			(long)(before->free_frames - after.free_frames));
		t->failures++;
	}
}

/* Run @k leak-checked; NH_TEST_PASS, _FAIL or _SKIP (*skip: why). */
static int run_checked(const struct ktest *k, const char **skip)
{
	struct ktest_ctx t = { .name = k->name };
	static struct leak_snapshot before;	/* one test at a time: too big for a stack */

	leak_snapshot(&before);
	k->fn(&t);
	leak_check(&t, &before);
	*skip = t.skip;
	if (t.skip)
		return NH_TEST_SKIP;
	if (t.checks == 0) {
		kprintf("# %s: no expectation was evaluated\n", k->name);
		t.failures++;
	}
	return t.failures ? NH_TEST_FAIL : NH_TEST_PASS;
}

/* Run one test and print its KTAP line; returns true unless it failed. */
static bool run_one(const struct ktest *k, unsigned num)
{
	const char *skip;
	int v = run_checked(k, &skip);

	if (v == NH_TEST_SKIP)
		kprintf("ok %u %s # SKIP %s\n", num, k->name, skip);
	else
		kprintf("%s %u %s\n", v ? "not ok" : "ok", num, k->name);
	return v != NH_TEST_FAIL;
}

/* The selected test whose name follows @prev (NULL: the first). */
static const struct ktest *next_by_name(const char *patterns,
					const struct ktest *prev)
{
	const struct ktest *best = 0;

	for (const struct ktest *k = __ktest_start; k < __ktest_end; k++) {
		if (!selected(patterns, k->name) ||
		    (prev && strcmp(k->name, prev->name) <= 0))
			continue;
		if (!best || strcmp(k->name, best->name) < 0)
			best = k;
	}
	return best;
}

unsigned ktest_run(const char *patterns)
{
	unsigned total = count_selected(patterns), num = 0, failed = 0;
	const struct ktest *k = 0;

	kprintf("KTAP version 1\n1..%u\n", total);
	set_running(true);
	while ((k = next_by_name(patterns, k)))
		failed += !run_one(k, ++num);
	set_running(false);
	if (total == 0) {
		kprintf("# no test matches \"%s\"\n", patterns);
		failed = 1;	/* selecting nothing is a mistake, not a pass */
	}
	kprintf("%u passed, %u failed\n", total - (total ? failed : 0), failed);
	return failed;
}

unsigned ktest_count(void)
{
	return count_selected("*");
}

const char *ktest_name(unsigned index)
{
	const struct ktest *k = next_by_name("*", 0);

	while (k && index--)
		k = next_by_name("*", k);
	return k ? k->name : 0;
}

int ktest_run_named(const char *name)
{
	const char *skip;
	int v = -NH_ENOENT;

	for (const struct ktest *k = __ktest_start; k < __ktest_end; k++) {
		if (strcmp(k->name, name) != 0)
			continue;
		/* Not a spinlock's use: a marker that one test runs at a time,
		 * taken without spinning long (tests do not nest). */
		set_running(true);
		v = run_checked(k, &skip);
		set_running(false);
		if (v == NH_TEST_SKIP)
			kprintf("# %s: SKIP %s\n", name, skip);
		break;
	}
	return v;
}
