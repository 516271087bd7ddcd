/*
 * Kernel messages.  kprintf() formats into a bounded buffer and hands it
 * to the console in one piece: print whole lines per call.  panic() never
 * returns: it prints, then powers off with a failure verdict.
 */
#ifndef NUTHATCH_PRINTK_H
#define NUTHATCH_PRINTK_H

#define KPRINTF_MAX	512	/* longer output is truncated */

#include <stdbool.h>
#include <stddef.h>

/*
 * Where kprintf's text goes: the console registers itself (dev/console.c)
 * before the first line; until then output is dropped.  A sink must
 * emit each call's bytes whole (lines from different harts never
 * interleave) and may be called with interrupts off, from any context.
 */
typedef void printk_sink_fn(const char *s, size_t n);
void printk_set_sink(printk_sink_fn *sink);

/*
 * While a KTAP stream is being printed (the test runner says so,
 * debug/ktest.c), diagnostics that interrupt it (oopses, user faults)
 * start their lines with printk_diag(), "# ", so they read as KTAP
 * diagnostics; otherwise printk_diag() is "".
 */
void printk_set_ktap(bool on);
const char *printk_diag(void);

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn, format(printf, 1, 2)))
void panic(const char *fmt, ...);

#endif
