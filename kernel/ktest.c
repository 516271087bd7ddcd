/*
 * The self-test runner: selection, KTAP output, the closing line.
 * Tests run in name order (area ID first), whatever the link order.
 * A test that evaluates no expectation and does not skip fails: a test
 * that asserts nothing proves nothing.
 */
#include "ktest.h"

#include <stdarg.h>

#include "frame.h"
#include "kstack.h"
#include "task.h"
#include "lib/cmdline.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "printk.h"
#include "slab.h"


extern const struct ktest __ktest_start[], __ktest_end[];

static bool running;	/* [boot hart] a KTAP stream is open */

bool ktest_active(void)
{
	return running;
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

/* Does @name match one of the comma-separated globs in @patterns? */
static bool selected(const char *patterns, const char *name)
{
	char one[64];

	while (*patterns) {
		size_t n = 0;

		while (patterns[n] && patterns[n] != ',')
			n++;
		if (n < sizeof(one)) {
			memcpy(one, patterns, n);
			one[n] = '\0';
			if (cmdline_glob(one, name))
				return true;
		}
		patterns += n + (patterns[n] == ',');
	}
	return false;
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
void leak_snapshot(struct leak_snapshot *s)
{
	task_reaper_settle();
	kstack_drain();
	slab_settle();
	s->ncaches = 0;
	slab_for_each(snap_cache, s);
	s->tasks = task_count();
	s->stacks = kstack_in_use();
	s->free_frames = frame_free_count();
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
	if (after.free_frames != before->free_frames) {
		kprintf("# %s: leak: %ld frames\n", t->name,
			(long)(before->free_frames - after.free_frames));
		t->failures++;
	}
}

/* Run one test; returns true if it passed (or skipped). */
static bool run_one(const struct ktest *k, unsigned num)
{
	struct ktest_ctx t = { .name = k->name };
	static struct leak_snapshot before;	/* [boot hart] too big for the stack */

	leak_snapshot(&before);
	k->fn(&t);
	leak_check(&t, &before);
	if (t.skip) {
		kprintf("ok %u %s # SKIP %s\n", num, k->name, t.skip);
		return true;
	}
	if (t.checks == 0) {
		kprintf("# %s: no expectation was evaluated\n", k->name);
		t.failures++;
	}
	kprintf("%s %u %s\n", t.failures ? "not ok" : "ok", num, k->name);
	return t.failures == 0;
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
	running = true;
	while ((k = next_by_name(patterns, k)))
		failed += !run_one(k, ++num);
	running = false;
	if (total == 0) {
		kprintf("# no test matches \"%s\"\n", patterns);
		failed = 1;	/* selecting nothing is a mistake, not a pass */
	}
	kprintf("%u passed, %u failed\n", total - (total ? failed : 0), failed);
	return failed;
}
