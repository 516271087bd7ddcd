/*
 * The self-test runner: selection, KTAP output, the closing line.
 * Tests run in name order (area ID first), whatever the link order.
 * A test that evaluates no expectation and does not skip fails: a test
 * that asserts nothing proves nothing.
 */
#include "ktest.h"

#include <stdarg.h>

#include "lib/cmdline.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "printk.h"

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

/* Run one test; returns true if it passed (or skipped). */
static bool run_one(const struct ktest *k, unsigned num)
{
	struct ktest_ctx t = { .name = k->name };

	k->fn(&t);
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
